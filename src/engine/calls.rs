//! Calls through the switch boundary: offered, ringing, answered, failed, ended, held,
//! DTMF; and the two ways a call leaves the engine's care (connected somewhere, or ended).
//!
//! A leg answer is read by what the engine was waiting for on that call: its line ringing
//! (a desk or group call), or a ring the engine placed (see `records::Purpose`). An answer
//! the engine no longer wants (it crossed a cancel) is hung up at once.

use super::Engine;
use super::arena::CallKey;
use super::clock::Instant;
use super::events::{Detail, EventName};
use super::objects::{Call, CallState, Direction, ParkOutcome};
use super::output::by;
use super::records::{CallRec, Due, PendingRing, Purpose, Stage};
use super::switch::{CallId, EndCause, FailCause, IntentId, LegId, LegRef, Party, SwitchEvent};

/// The words a fail cause is reported with.
pub fn fail_reason(cause: FailCause) -> &'static str {
    match cause {
        FailCause::Busy => "busy",
        FailCause::Declined => "declined",
        FailCause::Unreachable => "unreachable",
        FailCause::NoAnswer => "no answer",
    }
}

fn end_cause(cause: EndCause) -> &'static str {
    match cause {
        EndCause::Hangup => "hangup",
        EndCause::Dead => "dead",
        EndCause::Released => "released",
    }
}

impl Engine {
    /// Routes one switch event.
    pub(super) fn on_switch(&mut self, now: Instant, event: SwitchEvent) {
        match event {
            SwitchEvent::Offered {
                call,
                from,
                to,
                line,
            } => {
                self.on_offered(now, call, from, to, line);
            }
            SwitchEvent::Ringing { call, leg } => self.on_ringing(&call, leg),
            SwitchEvent::Answered { call, leg } => self.on_answered(now, &call, leg),
            SwitchEvent::Failed { id, cause, .. } => self.on_failed(now, id, cause),
            SwitchEvent::Ended { call, leg, cause } => self.on_ended(now, &call, leg, cause),
            SwitchEvent::TransferRequested {
                call,
                by,
                target,
                replaces,
            } => {
                self.on_transfer_requested(now, &call, &by, &target, replaces.as_ref());
            }
            SwitchEvent::Dialed {
                call,
                caller,
                number,
            } => {
                self.on_dialed(now, call, &caller, &number);
            }
            SwitchEvent::ParkArrived {
                call,
                from,
                parker,
                policy,
                code,
            } => {
                let arrival = super::requests::ParkArrival {
                    call,
                    from,
                    parker,
                    policy,
                    code,
                };
                self.on_park_arrived(now, arrival);
            }
            SwitchEvent::Held { call, leg } => self.on_hold(&call, leg, true),
            SwitchEvent::Unheld { call, leg } => self.on_hold(&call, leg, false),
            SwitchEvent::Dtmf { call, digit } => self.on_dtmf(now, &call, digit),
        }
    }

    /// The user's name for a number in the directory (as given, or in its E.164 form).
    pub(super) fn directory_name(&self, number: &str) -> Option<&str> {
        let owner = self.compiled.user_numbers.get(number).or_else(|| {
            crate::numbers::e164::canonical(number).and_then(|n| self.compiled.user_numbers.get(&n))
        })?;
        let user = self.setup.users.iter().find(|u| &u.id == owner)?;
        (!user.name.trim().is_empty()).then_some(user.name.as_str())
    }

    pub(super) fn on_offered(
        &mut self,
        now: Instant,
        call: CallId,
        from: Party,
        to: String,
        line: String,
    ) {
        // The console, history and announcements show the directory's name for a number.
        let mut from = from;
        if let Some(name) = self.directory_name(&from.number) {
            from.name = name.to_string();
        }
        if self.by_id.contains_key(&call) || self.aliases.contains_key(&call) {
            tracing::warn!(call = %call, "offered twice; ignored");
            return;
        }
        let direction = if self.compiled.user_numbers.contains_key(&from.number) {
            Direction::Internal
        } else {
            Direction::Inbound
        };
        let view = Call {
            call: call.clone(),
            from,
            to,
            line,
            direction,
            state: CallState::Ringing,
            started_at: now,
            answered_at: None,
        };
        let key = self.calls.insert(CallRec::new(view));
        self.by_id.insert(call, key);
        self.emit_call(EventName::CallOffered, key, Detail::default());
        self.list_in_groups(key);
    }

    fn on_ringing(&mut self, call: &CallId, leg: LegId) {
        let Some(&key) = self.by_id.get(call) else {
            return;
        };
        let alerting = self
            .calls
            .get(key)
            .is_some_and(|rec| rec.alerting == Some(leg));
        if alerting {
            self.emit_call(EventName::CallRinging, key, Detail::default());
        }
    }

    fn on_answered(&mut self, now: Instant, call: &CallId, leg: LegId) {
        let Some(&key) = self.by_id.get(call) else {
            return;
        };
        let Some(rec) = self.calls.get(key) else {
            return;
        };
        if leg == LegId::Caller {
            return;
        }
        let pending_leg = rec.pending.as_ref().map(|p| LegId::Ring(p.id));
        let answered = rec.leg(leg);
        if pending_leg == Some(leg) {
            if let Some(pending) = self.settle_pending(key) {
                self.on_ring_answered(now, key, pending);
            }
        } else if rec.alerting == Some(leg) {
            self.unlist_from_groups(key);
            self.connect(now, key, answered);
            self.emit_call(EventName::CallAnswered, key, Detail::default());
        } else if rec.peer.as_ref().map(|p| &p.leg) != Some(&leg) {
            self.on_stale_answer(key, leg);
        }
    }

    /// An answer that crossed a cancel: hang the leg up, and tell the member whose phone
    /// answered after a pickup committed.
    fn on_stale_answer(&mut self, key: CallKey, leg: LegId) {
        let Some(rec) = self.calls.get(key) else {
            return;
        };
        let picked = if leg == LegId::Line {
            rec.picked.clone()
        } else {
            None
        };
        let call = rec.view.call.clone();
        self.cancel_leg(rec.leg(leg), "Call completed elsewhere");
        if let Some(picked) = picked {
            let detail = Detail {
                by: Some(picked.for_user.clone()),
                reason: Some(format!("the call was picked up by {}", picked.by)),
                call: Some(call),
                ..Detail::default()
            };
            self.emit_group(EventName::PickupFailed, picked.group, detail);
        }
    }

    /// The call is now connected through `peer`, at the peer's line.
    pub(super) fn connect(&mut self, now: Instant, key: CallKey, peer: LegRef) {
        let Some(rec) = self.calls.get_mut(key) else {
            return;
        };
        rec.peer = Some(peer);
        rec.alerting = None;
        rec.rescue = None;
        rec.view.state = CallState::Connected;
        rec.view.answered_at.get_or_insert(now);
        if rec.due != Due::Park {
            self.timers.disarm(key, &mut rec.timer);
        }
    }

    /// A ring the engine placed was answered.
    fn on_ring_answered(&mut self, now: Instant, key: CallKey, pending: PendingRing) {
        let Some(rec) = self.calls.get(key) else {
            return;
        };
        let ring_leg = rec.leg(LegId::Ring(pending.id));
        let caller = rec.leg(LegId::Caller);
        let old_peer = rec.peer.clone();
        let parker = rec.park.as_ref().map(|p| p.parked_by.clone());
        self.bridge(caller, ring_leg.clone());
        let mut event = EventName::CallAnswered;
        let mut detail = Detail::default();
        match &pending.purpose {
            Purpose::Retrieve { by: who } => {
                self.finish_park(now, key, ParkOutcome::Retrieved, Some(who.clone()));
            }
            Purpose::Ringback => {
                self.finish_park(now, key, ParkOutcome::AnsweredRingback, parker);
            }
            Purpose::Fallback => {
                self.finish_park(
                    now,
                    key,
                    ParkOutcome::AnsweredFallback,
                    Some(pending.target.clone()),
                );
            }
            Purpose::Transfer { by: who, .. } => {
                if let Some(old) = old_peer {
                    self.cancel_leg(old, "transferred");
                }
                event = EventName::CallTransferred;
                detail = by(who);
            }
            Purpose::Pickup { .. } | Purpose::Rescue => {}
        }
        self.connect(now, key, ring_leg);
        if let Some(rec) = self.calls.get_mut(key) {
            rec.view.line = pending.target;
        }
        self.emit_call(event, key, detail);
    }

    fn on_failed(&mut self, now: Instant, id: IntentId, cause: FailCause) {
        let Some(&key) = self.intent_owner.get(&id) else {
            return;
        };
        let Some(rec) = self.calls.get(key) else {
            self.intent_owner.remove(&id);
            return;
        };
        if rec.pending.as_ref().is_some_and(|p| p.id == id) {
            if let Some(pending) = self.settle_pending(key) {
                self.on_ring_failed(now, key, pending, cause);
            }
        } else if rec.park.as_ref().is_some_and(|p| p.hold == id) {
            self.intent_owner.remove(&id);
            self.on_hold_failed(now, key);
        } else {
            self.intent_owner.remove(&id);
        }
    }

    /// A ring the engine placed ended unanswered (busy, declined, unreachable, no answer).
    pub(super) fn on_ring_failed(
        &mut self,
        now: Instant,
        key: CallKey,
        pending: PendingRing,
        cause: FailCause,
    ) {
        match pending.purpose {
            Purpose::Retrieve { .. } => self.return_to_parked(now, key),
            Purpose::Ringback => self.next_ringback(now, key),
            Purpose::Fallback => self.release_unanswered(now, key),
            Purpose::Pickup {
                picker,
                for_user,
                group,
            } => {
                let call = self.calls.get(key).map(|rec| rec.view.call.clone());
                let detail = Detail {
                    by: Some(picker),
                    reason: Some(format!(
                        "the picking phone did not answer ({})",
                        fail_reason(cause)
                    )),
                    call,
                    ..Detail::default()
                };
                self.emit_group(EventName::PickupFailed, group, detail);
                let period = self.setup.retrieve_ring_time;
                self.start_rescue(now, key, &for_user, for_user.clone(), period);
            }
            Purpose::Transfer { from_line, .. } => {
                let connected = self.calls.get(key).is_some_and(|rec| rec.peer.is_some());
                if !connected {
                    let period = self.setup.retrieve_ring_time;
                    self.start_rescue(now, key, &from_line, from_line.clone(), period);
                }
            }
            // The rescue timer rings again when its period ends.
            Purpose::Rescue => {}
        }
    }

    fn on_ended(&mut self, now: Instant, call: &CallId, leg: LegId, cause: EndCause) {
        if let Some(&key) = self.by_id.get(call) {
            let Some(rec) = self.calls.get(key) else {
                return;
            };
            let pending_leg = rec.pending.as_ref().map(|p| LegId::Ring(p.id));
            let peer = rec
                .peer
                .as_ref()
                .is_some_and(|p| &p.call == call && p.leg == leg);
            if leg == LegId::Caller {
                // Whoever the caller was talking to is hung up too, never left on silence.
                if let Some(p) = rec.peer.clone() {
                    self.release(call.clone(), None);
                    if &p.call != call {
                        self.release(p.call, None);
                    }
                }
                self.end_call(now, key, cause);
            } else if peer {
                self.release(call.clone(), None);
                self.end_call(now, key, cause);
            } else if pending_leg == Some(leg) {
                if let Some(pending) = self.settle_pending(key) {
                    self.on_ring_failed(now, key, pending, FailCause::Unreachable);
                }
            } else if rec.alerting == Some(leg) && rec.park.is_none() {
                // The line it rang at is gone; nobody else is ringing for it.
                self.release(call.clone(), None);
                self.end_call(now, key, cause);
            }
        } else if let Some(key) = self.aliases.remove(call) {
            let peer = self.calls.get(key).and_then(|rec| rec.peer.clone());
            if peer.is_some_and(|p| &p.call == call && p.leg == leg) {
                if let Some(main) = self.calls.get(key).map(|rec| rec.view.call.clone()) {
                    self.release(main, None);
                }
                self.end_call(now, key, cause);
            } else {
                self.aliases.insert(call.clone(), key);
            }
        }
    }

    /// The call is over: its park ends (`abandoned`, or `released` when the engine let it
    /// go), rings stop, it leaves every list, its timer is disarmed, and `call.ended` says so.
    pub(super) fn end_call(&mut self, now: Instant, key: CallKey, cause: EndCause) {
        let outcome = match cause {
            EndCause::Released => ParkOutcome::Released,
            EndCause::Hangup | EndCause::Dead => ParkOutcome::Abandoned,
        };
        self.finish_park(now, key, outcome, None);
        let detail = Detail {
            cause: Some(end_cause(cause).to_string()),
            ..Detail::default()
        };
        self.end_call_as(key, detail);
    }

    /// Ends the call (its park, if any, already ended): rings stop, it leaves every list,
    /// its timer is disarmed, and `call.ended` carries `detail`.
    pub(super) fn end_call_as(&mut self, key: CallKey, detail: Detail) {
        self.cancel_pending(key, "the caller hung up");
        self.unlist_from_groups(key);
        self.held.retain(|k| *k != key);
        self.disarm(key);
        let Some(mut rec) = self.calls.remove(key) else {
            return;
        };
        self.by_id.remove(&rec.view.call);
        self.touch_ended(key, &rec.view.call);
        if let Some(alias) = rec.alias.take() {
            self.aliases.remove(&alias);
        }
        rec.view.state = CallState::Ended;
        self.emit(
            EventName::CallEnded,
            super::events::Subject::Call(rec.view),
            detail,
        );
    }

    fn on_hold(&mut self, call: &CallId, leg: LegId, hold: bool) {
        let Some(&key) = self.by_id.get(call) else {
            return;
        };
        let Some(rec) = self.calls.get_mut(key) else {
            return;
        };
        let involved = leg == LegId::Caller || rec.peer.as_ref().is_some_and(|p| p.leg == leg);
        if !involved {
            return;
        }
        let (from, to, name) = if hold {
            (CallState::Connected, CallState::Held, EventName::CallHeld)
        } else {
            (CallState::Held, CallState::Connected, EventName::CallUnheld)
        };
        if rec.view.state != from {
            return;
        }
        rec.view.state = to;
        if hold {
            self.held.push(key);
        } else {
            self.held.retain(|k| *k != key);
        }
        self.emit_call(name, key, Detail::default());
    }

    fn on_dtmf(&mut self, now: Instant, call: &CallId, digit: char) {
        let Some(&key) = self.by_id.get(call) else {
            return;
        };
        let Some(park) = self.calls.get(key).and_then(|rec| rec.park.as_ref()) else {
            return;
        };
        let escapes = park.policy.policy.caller_escape_digit == Some(digit)
            && matches!(park.stage, Stage::Parked | Stage::RingingBack);
        if escapes {
            self.escape_to_fallback(now, key);
        }
    }

    /// Runs the call's due timer.
    pub(super) fn on_timer(&mut self, now: Instant, key: CallKey) {
        let Some(rec) = self.calls.get_mut(key) else {
            return;
        };
        rec.timer = None;
        match rec.due {
            Due::Park => self.park_timed_out(now, key),
            Due::RingUnanswered => {
                if let Some(pending) = self.cancel_pending(key, "no answer") {
                    self.on_ring_failed(now, key, pending, FailCause::NoAnswer);
                }
            }
            Due::RescueAgain => self.rescue_again(now, key),
        }
    }
}
