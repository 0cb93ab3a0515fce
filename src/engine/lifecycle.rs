//! The lifecycle of a parked call, as a state table.
//!
//! Every state waits on one timer, so nothing waits forever; every park ends exactly once,
//! with an outcome. `expires_at` is the next transition in the current state.
//!
//! | state          | input                                   | effect                                                        | next           |
//! |----------------|-----------------------------------------|---------------------------------------------------------------|----------------|
//! | —              | `park` (command, transfer, dialled)     | `answer_with_hold`; `call.transferred`, `park.started`        | parked         |
//! | —              | arrival at the park extension (`park_arrived`) | parker's (or the named) policy: `answer_with_hold`; `park.started`; refused: `release` with the refusal, nothing kept | parked / — |
//! | —              | transfer to a free code                 | as `park` into that code; to an occupied code: nothing        | parked / —     |
//! | parked         | timer (park timeout), attempts ≥ 1      | `park.timeout`; ring the parker; `park.ringback` (attempt 1)  | ringing_back   |
//! | parked         | timer, attempts = 0 or no parker to ring (an unidentified park) | `park.timeout`; as "attempts exhausted" below | fallback / end |
//! | parked         | `extend`                                | deadline += seconds; `park.extended`                          | parked         |
//! | parked         | caller's escape digit                   | as "attempts exhausted" below                                 | fallback / end |
//! | parked, ringing_back, fallback | `retrieve` (console)    | cancel any ring; ring `to`; `park.retrieving`                 | retrieving     |
//! | parked, ringing_back, fallback | code dialled            | cancel any ring; bridge; `park.ended` `retrieved`             | ended          |
//! | retrieving     | `to` answers                            | bridge; `park.ended` `retrieved` (by the retriever)           | ended          |
//! | retrieving     | busy/declined/unreachable, timer→cancel | `park.returned`, same code, original deadline                 | parked         |
//! | retrieving     | … and the deadline has passed           | `park.returned`, then as "parked, timer"                      | ringing_back   |
//! | retrieving     | `retrieve` again                        | refused: `conflict` naming the retriever                      | retrieving     |
//! | ringing_back   | the parker answers                      | bridge; `park.ended` `answered_ringback`                      | ended          |
//! | ringing_back   | busy/declined/unreachable, timer→cancel | attempt n < max: ring again; `park.ringback` (attempt n+1)    | ringing_back   |
//! | ringing_back   | … attempts exhausted, `on_timeout` set  | ring `on_timeout`; `park.fallback`                            | fallback       |
//! | ringing_back   | … attempts exhausted, no `on_timeout`   | `release` with goodbye; `park.ended` `released`               | ended          |
//! | fallback       | the target answers                      | bridge; `park.ended` `answered_fallback`                      | ended          |
//! | fallback       | busy/declined/unreachable, timer→cancel | `release` with goodbye; `park.ended` `released`               | ended          |
//! | any            | the caller hangs up / its leg dies      | cancel any ring; `park.ended` `abandoned`; `call.ended`       | ended          |
//! | any            | `hangup` (receptionist)                 | `release`; `park.ended` `released` (by the receptionist)      | ended          |
//! | any            | the switch fails `answer_with_hold`     | `park.ended` `failed`; a call taken from its phone is rescued | ended          |
//! | parked         | drain                                   | ring back at once (or fallback when attempts = 0)             | ringing_back   |
//! | any            | drain deadline                          | `release` with goodbye; `park.ended` `released`               | ended          |
//! | any            | restored, but cannot be carried on (`restore`, `end_lost`) | `release`; `park.ended` `lost` with a reason; `call.ended` | ended |
//!
//! `lost` is never produced here: it ends a park that could not be carried on after the
//! process was replaced (see `restore`).

use super::Engine;
use super::arena::CallKey;
use super::clock::{Instant, secs};
use super::events::{Detail, EventName};
use super::objects::{CallState, ParkOutcome};
use super::output::by;
use super::records::{Due, Purpose, Stage};
use super::switch::{EndCause, LegId, Prompt};

impl Engine {
    /// Ends the call's park with `outcome`: the ring it was waiting on stops, its code is
    /// freed (resting from now on), queued announcements for it are dropped, and
    /// `park.ended` carries the park's last state. Does nothing if the call is not parked,
    /// so a park can only end once.
    pub(super) fn finish_park(
        &mut self,
        now: Instant,
        key: CallKey,
        outcome: ParkOutcome,
        who: Option<String>,
    ) {
        self.finish_park_as(now, key, outcome, by_or_none(who));
    }

    /// [`Engine::finish_park`] with the event's detail given (`by`, a `reason`); its
    /// `outcome` is set here.
    pub(super) fn finish_park_as(
        &mut self,
        now: Instant,
        key: CallKey,
        outcome: ParkOutcome,
        detail: Detail,
    ) {
        let parked = self.calls.get(key).is_some_and(|rec| rec.park.is_some());
        if !parked {
            return;
        }
        let park_ring = self
            .calls
            .get(key)
            .and_then(|rec| rec.pending.as_ref())
            .is_some_and(|p| {
                matches!(
                    p.purpose,
                    Purpose::Retrieve { .. } | Purpose::Ringback | Purpose::Fallback
                )
            });
        if park_ring {
            self.cancel_pending(key, "the park ended");
        }
        let view = self.calls.get(key).and_then(|rec| rec.parked_view());
        let Some(rec) = self.calls.get_mut(key) else {
            return;
        };
        let Some(park) = rec.park.take() else { return };
        if rec.due == Due::Park {
            self.timers.disarm(key, &mut rec.timer);
        }
        if let Some(codes) = self.codes.get_mut(park.range)
            && codes.holder(park.offset) == Some(key)
        {
            codes.free(park.offset, now);
        }
        self.intent_owner.remove(&park.hold);
        let reason = match outcome {
            ParkOutcome::Retrieved
            | ParkOutcome::AnsweredRingback
            | ParkOutcome::AnsweredFallback => "call retrieved",
            _ => "call ended",
        };
        self.drop_announcements(&park.code, reason);
        self.touch(key);
        if let Some(view) = view {
            let detail = Detail {
                outcome: Some(outcome),
                ..detail
            };
            self.emit(
                EventName::ParkEnded,
                super::events::Subject::Parked(view),
                detail,
            );
        }
    }

    /// The parked clock ran out: `park.timeout`, then ring-back or fallback.
    pub(super) fn park_timed_out(&mut self, now: Instant, key: CallKey) {
        self.emit_park(EventName::ParkTimeout, key, Detail::default());
        self.ring_back_or_fallback(now, key);
    }

    /// Ring-back attempt 1, or fallback when the policy has no attempts.
    pub(super) fn ring_back_or_fallback(&mut self, now: Instant, key: CallKey) {
        let attempts = self
            .calls
            .get(key)
            .and_then(|rec| rec.park.as_ref())
            .filter(|park| self.compiled.users.contains_key(&park.parked_by))
            .map_or(0, |park| park.policy.policy.ringback_attempts);
        if attempts > 0 {
            self.start_ringback(now, key, 1);
        } else {
            self.start_fallback(now, key);
        }
    }

    /// Rings the parker: attempt `attempt`.
    fn start_ringback(&mut self, now: Instant, key: CallKey, attempt: u32) {
        let Some(rec) = self.calls.get_mut(key) else {
            return;
        };
        let Some(park) = rec.park.as_mut() else {
            return;
        };
        let expires = now + secs(park.policy.policy.ringback_ring_time);
        park.stage = Stage::RingingBack;
        park.ringback = attempt;
        park.expires_at = expires;
        let parker = park.parked_by.clone();
        let display = ring_display(&["Park ", &park.code, ": "], &rec.view.from);
        self.ring(
            key,
            &parker,
            Purpose::Ringback,
            display,
            expires,
            Due::RingUnanswered,
        );
        self.emit_park(EventName::ParkRingback, key, Detail::default());
    }

    /// An attempt ended unanswered: the next one, or fallback when they are used up.
    pub(super) fn next_ringback(&mut self, now: Instant, key: CallKey) {
        let Some(park) = self.calls.get(key).and_then(|rec| rec.park.as_ref()) else {
            return;
        };
        if park.ringback < park.policy.policy.ringback_attempts {
            let next = park.ringback + 1;
            self.start_ringback(now, key, next);
        } else {
            self.start_fallback(now, key);
        }
    }

    /// Rings the policy's `on_timeout` target, or releases with a goodbye when it has none.
    fn start_fallback(&mut self, now: Instant, key: CallKey) {
        let Some(rec) = self.calls.get_mut(key) else {
            return;
        };
        let Some(park) = rec.park.as_mut() else {
            return;
        };
        let Some(target) = park.policy.policy.on_timeout.clone() else {
            self.release_unanswered(now, key);
            return;
        };
        let expires = now + secs(park.policy.policy.fallback_ring_time);
        park.stage = Stage::Fallback;
        park.expires_at = expires;
        let display = ring_display(&["Park ", &park.code, ": "], &rec.view.from);
        self.ring(
            key,
            &target,
            Purpose::Fallback,
            display,
            expires,
            Due::RingUnanswered,
        );
        self.emit_park(EventName::ParkFallback, key, Detail::default());
    }

    /// The caller pressed the policy's escape digit: fallback at once.
    pub(super) fn escape_to_fallback(&mut self, now: Instant, key: CallKey) {
        self.cancel_pending(key, "the caller asked for someone else");
        self.disarm(key);
        self.start_fallback(now, key);
    }

    /// Nobody took the call: goodbye, release, `park.ended` `released`.
    pub(super) fn release_unanswered(&mut self, now: Instant, key: CallKey) {
        let Some(call) = self.calls.get(key).map(|rec| rec.view.call.clone()) else {
            return;
        };
        self.release(call, Some(Prompt::Goodbye));
        self.finish_park(now, key, ParkOutcome::Released, None);
        self.end_call(now, key, EndCause::Released);
    }

    /// A console retrieve went unanswered: the call is parked again under its code with its
    /// original deadline (`park.returned`), timing out at once if that has passed.
    pub(super) fn return_to_parked(&mut self, now: Instant, key: CallKey) {
        let Some(park) = self.calls.get_mut(key).and_then(|rec| rec.park.as_mut()) else {
            return;
        };
        park.stage = Stage::Parked;
        park.expires_at = park.deadline;
        let deadline = park.deadline;
        self.emit_park(EventName::ParkReturned, key, Detail::default());
        if deadline <= now {
            self.park_timed_out(now, key);
        } else if self.draining {
            self.ring_back_or_fallback(now, key);
        } else {
            self.arm(key, deadline, Due::Park);
        }
    }

    /// The switch could not hold the call. The park ends `failed`; a call already taken
    /// from its phone is rescued, any other goes back to where it was.
    pub(super) fn on_hold_failed(&mut self, now: Instant, key: CallKey) {
        let Some(park) = self.calls.get(key).and_then(|rec| rec.park.as_ref()) else {
            return;
        };
        let taken = park.taken;
        let parker = park.parked_by.clone();
        let before = park.before.clone();
        self.finish_park(now, key, ParkOutcome::Failed, None);
        if taken {
            self.park_failed(
                now,
                key,
                &parker,
                "the switch could not hold the call".into(),
            );
            return;
        }
        let Some(rec) = self.calls.get_mut(key) else {
            return;
        };
        rec.view.state = before.state;
        rec.peer = before.peer;
        rec.alerting = before.alerting;
        let event = match before.state {
            CallState::Ringing => EventName::CallRinging,
            CallState::Held => EventName::CallHeld,
            _ => EventName::CallAnswered,
        };
        if before.state == CallState::Held {
            self.held.push(key);
        }
        self.emit_call(event, key, Detail::default());
        if before.alerting == Some(LegId::Line) {
            self.list_in_groups(key);
        }
    }

    /// Moves a parked call's deadline by `seconds`; only while `parked`.
    pub(super) fn extend_park(
        &mut self,
        key: CallKey,
        seconds: u64,
        actor: &str,
    ) -> Option<Instant> {
        let park = self.calls.get_mut(key)?.park.as_mut()?;
        park.deadline = park.deadline + secs(seconds);
        park.expires_at = park.deadline;
        let deadline = park.deadline;
        self.arm(key, deadline, Due::Park);
        self.emit_park(EventName::ParkExtended, key, by(actor));
        Some(deadline)
    }
}

/// A detail naming who did it, if anyone.
fn by_or_none(who: Option<String>) -> Detail {
    Detail {
        by: who,
        ..Detail::default()
    }
}

/// The text a ringing phone shows: `parts` then the caller (`Park 705: Ada Lovelace`).
pub(super) fn ring_display(parts: &[&str], from: &super::switch::Party) -> String {
    let caller = caller_label(from);
    let mut text =
        String::with_capacity(parts.iter().map(|p| p.len()).sum::<usize>() + caller.len());
    for part in parts {
        text.push_str(part);
    }
    text.push_str(caller);
    text
}

/// How a caller is shown on a phone's display: the name, else the number.
pub(super) fn caller_label(from: &super::switch::Party) -> &str {
    if from.name.is_empty() {
        &from.number
    } else {
        &from.name
    }
}
