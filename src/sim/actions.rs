//! What people do on the simulated switch: outside callers calling and hanging up, users'
//! phones answering, dialling, holding, pressing digits and transferring. For tests and the
//! demo traffic; each action emits the call event a real switch would.

use super::call::{Leg, LegState, Origin, SimCall};
use super::error::SimError;
use super::switch::SimSwitch;
use crate::engine::Instant;
use crate::engine::switch::{CallId, EndCause, LegId, LegRef, Party, SwitchEvent};

/// The digits a phone can send.
const DTMF_DIGITS: &str = "0123456789*#ABCD";

impl SimSwitch {
    /// A new outside call from `from` ringing at line `to` (a user id, also who the call is
    /// for): emits `Offered` then `Ringing` for the `Line` leg. The line's phone answers on
    /// its own only if set to answer offered calls and its behaviour answers.
    pub fn offer(&mut self, now: Instant, from: Party, to: &str) -> Result<CallId, SimError> {
        self.saw(now);
        let to = non_empty("to", to)?;
        let id = self.new_call_id();
        let behaviour = self.phones.behaviour(to);
        let answers = self.phones.answers_offered(to) && behaviour.answers();
        self.add_call(SimCall {
            id: id.clone(),
            from: from.clone(),
            to: to.to_owned(),
            origin: Origin::Offered {
                line: to.to_owned(),
            },
            started_at: now,
            legs: vec![
                leg(LegId::Caller, None, LegState::Calling, now),
                Leg {
                    behaviour: Some(behaviour),
                    ..leg(LegId::Line, Some(to.to_owned()), LegState::Ringing, now)
                },
            ],
            prompts: Vec::new(),
        });
        self.events.push_back(SwitchEvent::Offered {
            call: id.clone(),
            from,
            to: to.to_owned(),
            line: to.to_owned(),
        });
        self.events.push_back(SwitchEvent::Ringing {
            call: id.clone(),
            leg: LegId::Line,
        });
        if answers {
            self.plan_ring(
                now,
                LegRef {
                    call: id.clone(),
                    leg: LegId::Line,
                },
                behaviour,
            );
        }
        Ok(id)
    }

    /// A user's phone dials a number the engine serves (the park extension, a code, a
    /// group number): a new call whose `Caller` leg is that phone, up; emits `Dialed`.
    pub fn dial(&mut self, now: Instant, caller: &str, number: &str) -> Result<CallId, SimError> {
        self.saw(now);
        let caller = non_empty("caller", caller)?;
        let number = non_empty("number", number)?;
        let id = self.new_call_id();
        self.add_call(SimCall {
            id: id.clone(),
            from: Party {
                number: caller.to_owned(),
                name: String::new(),
            },
            to: number.to_owned(),
            origin: Origin::Dialed {
                caller: caller.to_owned(),
                number: number.to_owned(),
            },
            started_at: now,
            legs: vec![leg(
                LegId::Caller,
                Some(caller.to_owned()),
                LegState::Connected,
                now,
            )],
            prompts: Vec::new(),
        });
        self.events.push_back(SwitchEvent::Dialed {
            call: id.clone(),
            caller: caller.to_owned(),
            number: number.to_owned(),
        });
        Ok(id)
    }

    /// The phone on a ringing leg answers (a person picks up): emits `Answered`.
    pub fn answer(&mut self, now: Instant, call: &CallId, leg: LegId) -> Result<(), SimError> {
        self.saw(now);
        self.require(call, leg, &[LegState::Ringing], "ringing")?;
        self.answered(
            now,
            &LegRef {
                call: call.clone(),
                leg,
            },
        );
        Ok(())
    }

    /// The party on a leg hangs up: emits `Ended { cause: Hangup }`. When it is the caller
    /// of an offered call, the line still ringing for it or talking to it stops too, as a
    /// PBX would do (only the caller's `Ended` is reported); every other leg is left to the
    /// engine.
    pub fn hangup(&mut self, now: Instant, call: &CallId, leg: LegId) -> Result<(), SimError> {
        self.end(now, call, leg, EndCause::Hangup)
    }

    /// A leg dies (transport failure, no media, phone vanished): emits `Ended { cause: Dead }`.
    /// A dead caller takes its line along, as with [`SimSwitch::hangup`].
    pub fn dead_leg(&mut self, now: Instant, call: &CallId, leg: LegId) -> Result<(), SimError> {
        self.end(now, call, leg, EndCause::Dead)
    }

    /// The party on a connected leg puts the call on hold: emits `Held`.
    pub fn hold(&mut self, now: Instant, call: &CallId, leg: LegId) -> Result<(), SimError> {
        self.saw(now);
        self.require(call, leg, &[LegState::Connected], "connected")?;
        self.set_state(now, call, leg, LegState::Held);
        self.events.push_back(SwitchEvent::Held {
            call: call.clone(),
            leg,
        });
        Ok(())
    }

    /// The party on a held leg takes the call off hold: emits `Unheld`.
    pub fn unhold(&mut self, now: Instant, call: &CallId, leg: LegId) -> Result<(), SimError> {
        self.saw(now);
        self.require(call, leg, &[LegState::Held], "held")?;
        self.set_state(now, call, leg, LegState::Connected);
        self.events.push_back(SwitchEvent::Unheld {
            call: call.clone(),
            leg,
        });
        Ok(())
    }

    /// The caller (whoever is on the `Caller` leg) presses a DTMF digit (`0`–`9`, `*`, `#`,
    /// `A`–`D`): emits `Dtmf`.
    pub fn dtmf(&mut self, now: Instant, call: &CallId, digit: char) -> Result<(), SimError> {
        self.saw(now);
        if !DTMF_DIGITS.contains(digit) {
            return Err(SimError::BadArgument {
                field: "digit",
                message: format!("'{digit}' is not a DTMF digit (0-9, *, #, A-D)"),
            });
        }
        self.require_leg(call, LegId::Caller)?;
        self.events.push_back(SwitchEvent::Dtmf {
            call: call.clone(),
            digit,
        });
        Ok(())
    }

    /// User `by` asks to transfer `call` to `target` (a blind transfer, e.g. to the park
    /// extension or a code): emits `TransferRequested`.
    pub fn transfer(
        &mut self,
        now: Instant,
        call: &CallId,
        by: &str,
        target: &str,
    ) -> Result<(), SimError> {
        self.request_transfer(now, call, by, target, None)
    }

    /// User `by` asks to transfer `call` to `target`, replacing call `replaces` (an attended
    /// transfer): emits `TransferRequested` with `replaces`.
    pub fn attended_transfer(
        &mut self,
        now: Instant,
        call: &CallId,
        by: &str,
        target: &str,
        replaces: &CallId,
    ) -> Result<(), SimError> {
        if self.call(replaces).is_none() {
            return Err(SimError::UnknownCall(replaces.clone()));
        }
        self.request_transfer(now, call, by, target, Some(replaces.clone()))
    }

    fn request_transfer(
        &mut self,
        now: Instant,
        call: &CallId,
        by: &str,
        target: &str,
        replaces: Option<CallId>,
    ) -> Result<(), SimError> {
        self.saw(now);
        let by = non_empty("by", by)?;
        let target = non_empty("target", target)?;
        if self.call(call).is_none() {
            return Err(SimError::UnknownCall(call.clone()));
        }
        self.events.push_back(SwitchEvent::TransferRequested {
            call: call.clone(),
            by: by.to_owned(),
            target: target.to_owned(),
            replaces,
        });
        Ok(())
    }

    fn end(
        &mut self,
        now: Instant,
        call: &CallId,
        leg: LegId,
        cause: EndCause,
    ) -> Result<(), SimError> {
        self.saw(now);
        self.require_leg(call, leg)?;
        let ended = LegRef {
            call: call.clone(),
            leg,
        };
        let line = LegRef {
            call: call.clone(),
            leg: LegId::Line,
        };
        // The line of an offered call belongs with its caller: when the caller goes, the
        // switch stops the line ringing for it, or hangs up the line talking to it.
        let line_goes_too = leg == LegId::Caller
            && self
                .leg(&line)
                .is_some_and(|l| l.state == LegState::Ringing || l.peer.as_ref() == Some(&ended));
        self.remove_leg(&ended);
        if line_goes_too {
            self.remove_leg(&line);
        }
        self.events.push_back(SwitchEvent::Ended {
            call: call.clone(),
            leg,
            cause,
        });
        Ok(())
    }

    fn set_state(&mut self, now: Instant, call: &CallId, leg: LegId, state: LegState) {
        if let Some(l) = self.leg_mut(&LegRef {
            call: call.clone(),
            leg,
        }) {
            l.state = state;
            l.since = now;
        }
    }

    fn require_leg(&self, call: &CallId, leg: LegId) -> Result<&Leg, SimError> {
        let found = self
            .call(call)
            .ok_or_else(|| SimError::UnknownCall(call.clone()))?;
        found.leg(leg).ok_or_else(|| SimError::UnknownLeg {
            call: call.clone(),
            leg,
        })
    }

    fn require(
        &self,
        call: &CallId,
        leg: LegId,
        allowed: &[LegState],
        wanted: &'static str,
    ) -> Result<(), SimError> {
        let actual = self.require_leg(call, leg)?.state;
        if allowed.contains(&actual) {
            Ok(())
        } else {
            Err(SimError::WrongState {
                call: call.clone(),
                leg,
                actual: actual.as_str(),
                wanted,
            })
        }
    }
}

/// A fresh leg.
fn leg(id: LegId, phone: Option<String>, state: LegState, now: Instant) -> Leg {
    Leg {
        id,
        phone,
        state,
        peer: None,
        behaviour: None,
        display: String::new(),
        since: now,
    }
}

/// `value`, trimmed, unless it is empty.
fn non_empty<'a>(field: &'static str, value: &'a str) -> Result<&'a str, SimError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        Err(SimError::BadArgument {
            field,
            message: "must not be empty".into(),
        })
    } else {
        Ok(trimmed)
    }
}
