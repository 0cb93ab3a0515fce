//! What the engine has to say: the event and intent queues, and the small helpers every
//! rule uses to emit an event about an object or to ask the switch for something.

use super::Engine;
use super::arena::CallKey;
use super::clock::Instant;
use super::events::{Detail, EngineEvent, EventName, Subject};
use super::objects::PickupGroupView;
use super::records::{Due, PendingRing, Purpose};
use super::switch::{CallId, Intent, IntentId, LegId, LegRef, Prompt, Refusal};
use std::collections::VecDeque;

/// Queued output, drained by `poll_event` and `poll_intent`.
#[derive(Debug, Default)]
pub struct Output {
    /// Events not yet polled.
    pub events: VecDeque<EngineEvent>,
    /// Intents not yet polled.
    pub intents: VecDeque<Intent>,
    /// The last intent id handed out.
    pub last_intent: u64,
}

impl Output {
    /// A fresh intent id.
    pub fn next_id(&mut self) -> IntentId {
        self.last_intent += 1;
        IntentId(self.last_intent)
    }
}

/// A detail naming who did it.
pub fn by(who: &str) -> Detail {
    Detail {
        by: Some(who.to_string()),
        ..Detail::default()
    }
}

impl Engine {
    /// Queues an event.
    pub(super) fn emit(&mut self, name: EventName, subject: Subject, detail: Detail) {
        tracing::debug!(event = name.as_str(), "engine event");
        self.out.events.push_back(EngineEvent {
            name,
            subject,
            detail,
        });
    }

    /// Queues an event about a call, carrying the call as it is now.
    pub(super) fn emit_call(&mut self, name: EventName, key: CallKey, detail: Detail) {
        self.touch(key);
        if let Some(rec) = self.calls.get(key) {
            let subject = Subject::Call(rec.view.clone());
            self.out.events.push_back(EngineEvent {
                name,
                subject,
                detail,
            });
        }
    }

    /// Queues an event about a call's park, carrying the park as it is now.
    pub(super) fn emit_park(&mut self, name: EventName, key: CallKey, detail: Detail) {
        self.touch(key);
        if let Some(view) = self.calls.get(key).and_then(|rec| rec.parked_view()) {
            let subject = Subject::Parked(view);
            self.out.events.push_back(EngineEvent {
                name,
                subject,
                detail,
            });
        }
    }

    /// Queues an event about a pickup group, carrying the group as it is now.
    pub(super) fn emit_group(&mut self, name: EventName, group: usize, detail: Detail) {
        if let Some(view) = self.group_view(group) {
            self.emit(name, Subject::Group(view), detail);
        }
    }

    /// The pickup group's current view.
    pub(super) fn group_view(&self, group: usize) -> Option<PickupGroupView> {
        let spec = self.compiled.pickup_groups.get(group)?;
        let ringing = self
            .group_ringing
            .get(group)
            .map(|keys| {
                keys.iter()
                    .filter_map(|key| self.calls.get(*key).map(|rec| rec.view.clone()))
                    .collect()
            })
            .unwrap_or_default();
        Some(PickupGroupView {
            group: spec.id.clone(),
            number: spec.number.clone(),
            name: spec.name.clone(),
            members: spec.members.clone(),
            pickup_by: spec.pickup_by,
            ringing,
        })
    }

    /// Rings `target` for the call; the answer or failure is read by `purpose`. The call's
    /// timer is armed to `expires` with `due`.
    pub(super) fn ring(
        &mut self,
        key: CallKey,
        target: &str,
        purpose: Purpose,
        display: String,
        expires: Instant,
        due: Due,
    ) {
        let id = self.out.next_id();
        self.touch(key);
        let Some(rec) = self.calls.get_mut(key) else {
            return;
        };
        let alert_info = match &purpose {
            Purpose::Ringback | Purpose::Fallback => rec
                .park
                .as_ref()
                .and_then(|park| park.policy.policy.ringback_alert_info.clone()),
            _ => None,
        };
        self.out.intents.push_back(Intent::Ring {
            id,
            call: rec.view.call.clone(),
            target: target.to_string(),
            display,
            caller_id: rec.view.from.clone(),
            alert_info,
        });
        rec.pending = Some(PendingRing {
            id,
            target: target.to_string(),
            purpose,
        });
        rec.due = due;
        self.timers.arm(key, &mut rec.timer, expires);
        self.intent_owner.insert(id, key);
    }

    /// Stops the pending ring, if any, telling the switch why; returns what it was for.
    pub(super) fn cancel_pending(&mut self, key: CallKey, reason: &str) -> Option<PendingRing> {
        self.touch(key);
        let rec = self.calls.get_mut(key)?;
        let pending = rec.pending.take()?;
        let leg = LegRef {
            call: rec.view.call.clone(),
            leg: LegId::Ring(pending.id),
        };
        if rec.due == Due::RingUnanswered {
            self.timers.disarm(key, &mut rec.timer);
        }
        self.intent_owner.remove(&pending.id);
        let id = self.out.next_id();
        self.out.intents.push_back(Intent::Cancel {
            id,
            leg,
            reason: reason.to_string(),
        });
        Some(pending)
    }

    /// Forgets the pending ring after the switch reported its end (no cancel needed).
    pub(super) fn settle_pending(&mut self, key: CallKey) -> Option<PendingRing> {
        self.touch(key);
        let rec = self.calls.get_mut(key)?;
        let pending = rec.pending.take()?;
        if rec.due == Due::RingUnanswered {
            self.timers.disarm(key, &mut rec.timer);
        }
        self.intent_owner.remove(&pending.id);
        Some(pending)
    }

    /// Arms the call's timer.
    pub(super) fn arm(&mut self, key: CallKey, at: Instant, due: Due) {
        self.touch(key);
        if let Some(rec) = self.calls.get_mut(key) {
            rec.due = due;
            self.timers.arm(key, &mut rec.timer, at);
        }
    }

    /// Disarms the call's timer.
    pub(super) fn disarm(&mut self, key: CallKey) {
        self.touch(key);
        if let Some(rec) = self.calls.get_mut(key) {
            self.timers.disarm(key, &mut rec.timer);
        }
    }

    /// Asks the switch to hang up or stop ringing a leg.
    pub(super) fn cancel_leg(&mut self, leg: LegRef, reason: &str) {
        let id = self.out.next_id();
        self.out.intents.push_back(Intent::Cancel {
            id,
            leg,
            reason: reason.to_string(),
        });
    }

    /// Asks the switch to connect two legs.
    pub(super) fn bridge(&mut self, a: LegRef, b: LegRef) {
        let id = self.out.next_id();
        self.out.intents.push_back(Intent::Bridge { id, a, b });
    }

    /// Asks the switch to release a whole call, optionally after a prompt.
    pub(super) fn release(&mut self, call: CallId, prompt: Option<Prompt>) {
        let id = self.out.next_id();
        self.out.intents.push_back(Intent::Release {
            id,
            call,
            prompt,
            refusal: None,
        });
    }

    /// Turns a call away: released after `prompt`, saying why (an unanswered call is
    /// answered with the refusal instead).
    pub(super) fn refuse(&mut self, call: CallId, prompt: Option<Prompt>, refusal: Refusal) {
        let id = self.out.next_id();
        self.out.intents.push_back(Intent::Release {
            id,
            call,
            prompt,
            refusal: Some(refusal),
        });
    }

    /// Asks the switch to play a prompt on a call.
    pub(super) fn play(&mut self, call: CallId, prompt: Prompt) {
        let id = self.out.next_id();
        self.out
            .intents
            .push_back(Intent::Play { id, call, prompt });
    }
}
