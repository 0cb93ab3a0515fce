//! The engine's intents, carried out on the simulated switch.

use super::call::{Leg, LegState};
use super::phone::Behaviour;
use super::switch::SimSwitch;
use crate::engine::Instant;
use crate::engine::switch::SwitchEvent;
use crate::engine::switch::{CallId, FailCause, Intent, IntentId, LegId, LegRef, Prompt};

impl SimSwitch {
    /// An intent from the engine. Never fails: an intent for an unknown call or leg, or one
    /// the leg's state does not allow, is ignored and logged at debug level.
    pub fn handle_intent(&mut self, now: Instant, intent: Intent) {
        self.saw(now);
        match intent {
            Intent::Ring {
                id,
                call,
                target,
                display,
                ..
            } => self.ring(now, id, call, &target, display),
            Intent::AnswerWithHold { call, music, .. } => self.answer_with_hold(now, &call, music),
            Intent::Bridge { a, b, .. } => self.bridge(now, &a, &b),
            Intent::Cancel { leg, .. } => self.cancel(now, &leg),
            Intent::Release { call, prompt, .. } => self.release(&call, prompt),
            Intent::Play { call, prompt, .. } => self.play(&call, prompt),
        }
    }

    /// `Ring`: a new leg `Ring(id)` at the target's phone.
    fn ring(&mut self, now: Instant, id: IntentId, call: CallId, target: &str, display: String) {
        let leg = LegRef {
            call,
            leg: LegId::Ring(id),
        };
        let Some(existing) = self.call(&leg.call) else {
            tracing::debug!(call = %leg.call, target, "ring for an unknown call ignored");
            return;
        };
        if existing.leg(leg.leg).is_some() {
            tracing::debug!(call = %leg.call, id = id.0, "ring with an intent id in use ignored");
            return;
        }
        let Some(phone) = self.phones.resolve(target) else {
            tracing::debug!(call = %leg.call, target, "ring at a group without members");
            self.events.push_back(SwitchEvent::Failed {
                id,
                leg: leg.leg,
                cause: FailCause::Unreachable,
            });
            return;
        };
        let behaviour = self.phones.behaviour(&phone);
        if behaviour.fails_without_ringing() {
            let cause = match behaviour {
                Behaviour::Busy => FailCause::Busy,
                _ => FailCause::Unreachable,
            };
            self.events.push_back(SwitchEvent::Failed {
                id,
                leg: leg.leg,
                cause,
            });
            return;
        }
        if let Some(call) = self.call_mut(&leg.call) {
            call.legs.push(Leg {
                id: leg.leg,
                phone: Some(phone),
                state: LegState::Ringing,
                peer: None,
                behaviour: Some(behaviour),
                display,
                since: now,
            });
        }
        self.events.push_back(SwitchEvent::Ringing {
            call: leg.call.clone(),
            leg: leg.leg,
        });
        self.plan_ring(now, leg, behaviour);
    }

    /// `AnswerWithHold`: the caller is held by the engine; the line leg is let go.
    fn answer_with_hold(&mut self, now: Instant, call: &CallId, music: bool) {
        let caller = LegRef {
            call: call.clone(),
            leg: LegId::Caller,
        };
        if self.leg(&caller).is_none() {
            tracing::debug!(call = %call, "answer_with_hold for a call without a caller ignored");
            return;
        }
        self.unhook(&caller);
        if let Some(leg) = self.leg_mut(&caller) {
            leg.state = LegState::Parked { music };
            leg.since = now;
        }
        self.remove_leg(&LegRef {
            call: call.clone(),
            leg: LegId::Line,
        });
    }

    /// `Bridge`: two legs talk. A phone still ringing cannot talk, so such a bridge is
    /// ignored; a waiting caller or a parked one is answered into it.
    fn bridge(&mut self, now: Instant, a: &LegRef, b: &LegRef) {
        if a == b {
            tracing::debug!(call = %a.call, "bridge of a leg with itself ignored");
            return;
        }
        for leg in [a, b] {
            match self.leg(leg).map(|l| l.state) {
                None => {
                    tracing::debug!(call = %leg.call, leg = ?leg.leg, "bridge of an unknown leg ignored");
                    return;
                }
                Some(LegState::Ringing) => {
                    tracing::debug!(call = %leg.call, leg = ?leg.leg, "bridge of a ringing leg ignored");
                    return;
                }
                Some(_) => {}
            }
        }
        self.connect(now, a, b);
    }

    /// `Cancel`: a ringing leg stops ringing, an answered one is hung up; no event, except
    /// that the race phone's answer crosses the cancel.
    fn cancel(&mut self, now: Instant, leg: &LegRef) {
        let Some(existing) = self.leg(leg) else {
            tracing::debug!(call = %leg.call, leg = ?leg.leg, "cancel of an unknown leg ignored");
            return;
        };
        let crosses = existing.state == LegState::Ringing
            && matches!(
                existing.behaviour,
                Some(Behaviour::AnswerCrossingCancel { .. })
            );
        if crosses {
            // The 200 OK was already on the wire: the leg is up, connected to nothing.
            self.forget_timers(leg);
            if let Some(l) = self.leg_mut(leg) {
                l.state = LegState::Connected;
                l.since = now;
                // Later cancels hang the answered leg up like any other.
                l.behaviour = None;
            }
            self.events.push_back(SwitchEvent::Answered {
                call: leg.call.clone(),
                leg: leg.leg,
            });
            return;
        }
        self.remove_leg(leg);
    }

    /// `Release`: the whole call ends, after its prompt; no event.
    fn release(&mut self, call: &CallId, prompt: Option<Prompt>) {
        if self.remove_call(call).is_none() {
            tracing::debug!(call = %call, "release of an unknown call ignored");
            return;
        }
        self.remember_release(call.clone(), prompt);
    }

    /// `Play`: the prompt is recorded on the call.
    fn play(&mut self, call: &CallId, prompt: Prompt) {
        match self.call_mut(call) {
            Some(c) => c.prompts.push(prompt),
            None => tracing::debug!(call = %call, "play on an unknown call ignored"),
        }
    }
}
