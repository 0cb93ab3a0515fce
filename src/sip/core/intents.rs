//! The engine's intents carried out on SIP calls: ring, answer into the park, bridge,
//! cancel, release (after a prompt), play.

use super::output::MediaCmd;
use super::state::{Parting, RingHow};
use super::{Core, PARTING_GRACE, forget_streams, park_code_header, refusal_status};
use crate::engine::Instant;
use crate::engine::switch::{
    CallId, FailCause, Intent, LegId, LegRef, Prompt, Refusal, SwitchEvent,
};
use crate::sip::legs::LegCmd;
use std::sync::Arc;

impl Core {
    pub(super) fn intent(&mut self, now: Instant, intent: Intent) {
        match intent {
            Intent::Ring {
                id,
                call,
                target,
                display,
                caller_id,
                alert_info,
            } => {
                let how = RingHow {
                    display,
                    caller: caller_id,
                    alert_info,
                };
                if !self.calls.contains_key(&call)
                    || !self.ring(now, &call, LegId::Ring(id), Some(id), &target, &how)
                {
                    self.out.emit(SwitchEvent::Failed {
                        id,
                        leg: LegId::Ring(id),
                        cause: FailCause::Unreachable,
                    });
                }
            }
            Intent::AnswerWithHold {
                call, music, code, ..
            } => self.answer_with_hold(now, &call, music, code.as_deref()),
            Intent::Bridge { a, b, .. } => self.bridge(&a, &b),
            Intent::Cancel { leg, reason, .. } => self.cancel(&leg, &reason),
            Intent::Release {
                call,
                prompt,
                refusal,
                ..
            } => self.release(&call, prompt, refusal),
            Intent::Play { call, prompt, .. } => {
                self.play(&call, &prompt);
            }
        }
    }

    fn answer_with_hold(
        &mut self,
        now: Instant,
        call_id: &CallId,
        music: bool,
        code: Option<&str>,
    ) {
        self.refer_done(call_id, code);
        let Some(call) = self.calls.get_mut(call_id) else {
            return;
        };
        if let Some(line) = call.legs.remove(&LegId::Line) {
            forget_streams(&mut self.streams, &line);
            if line.held_by_peer && line.answered {
                // An attended park: the phone holds the call and dialled the park extension.
                // It may still complete with REFER/Replaces or hang up itself.
                let key = (call_id.clone(), LegId::Line);
                let parting = Parting {
                    leg: line,
                    code: code.map(str::to_string),
                    until: now + PARTING_GRACE,
                };
                if let Some(old) = self.parting.insert(key, parting) {
                    self.out.forget_leg(&old.leg);
                }
            } else {
                self.out.send(&line, LegCmd::Hangup);
                self.out.forget_leg(&line);
            }
        }
        let Some(call) = self.calls.get_mut(call_id) else {
            return;
        };
        let Some(caller) = call.legs.get_mut(&LegId::Caller) else {
            return;
        };
        // The parked caller's dialog and stream go to the store before it hears the `200 OK`
        // (or now, for a call answered before it was parked).
        if !caller.answered {
            self.out.send(
                caller,
                LegCmd::Answer {
                    durable: true,
                    music,
                    asserted: None,
                    headers: park_code_header(code),
                },
            );
        } else {
            self.out.send(caller, LegCmd::Persist { music });
        }
        caller.durable = true;
        caller.bridged = None;
        caller.music = music;
        if let Some(stream) = caller.stream() {
            if music {
                self.out.media(MediaCmd::Music(stream));
            } else {
                self.out.media(MediaCmd::Silence(stream));
            }
        }
    }

    fn bridge(&mut self, a: &LegRef, b: &LegRef) {
        self.refer_done(&a.call, None);
        self.refer_done(&b.call, None);
        // A bridged call is no longer parked: its legs are not carried over a restart.
        for leg_ref in [a, b] {
            if let Some(leg) = self
                .calls
                .get_mut(&leg_ref.call)
                .and_then(|c| c.legs.get_mut(&leg_ref.leg))
                && leg.durable
            {
                leg.durable = false;
                self.out.send(leg, LegCmd::Unpersist);
            }
        }
        let party_of =
            |core: &Core, leg: &LegRef| core.calls.get(&leg.call).map(|c| c.from.clone());
        let (a_party, b_party) = (party_of(self, a), party_of(self, b));
        let host = self.shared.advertised_host();
        let mut streams = Vec::new();
        for (leg_ref, other) in [(a, &b_party), (b, &a_party)] {
            let Some(leg) = self
                .calls
                .get(&leg_ref.call)
                .and_then(|c| c.legs.get(&leg_ref.leg))
            else {
                tracing::info!(call = %leg_ref.call, "bridge to a leg that is gone");
                return;
            };
            if leg.incoming && !leg.answered {
                // The retrieving phone sees the parked caller's identity.
                let asserted = other.as_ref().map(|p| {
                    format!(
                        "\"{}\" <sip:{}@{host}>",
                        p.name.replace('"', ""),
                        p.number.replace('#', "%23")
                    )
                });
                self.out.send(
                    leg,
                    LegCmd::Answer {
                        durable: false,
                        music: false,
                        asserted,
                        headers: Vec::new(),
                    },
                );
            }
            streams.push(leg.stream());
        }
        if let [Some(sa), Some(sb)] = streams[..] {
            self.out.media(MediaCmd::Bridge(sa, sb));
        }
        self.link(&a.call, a.leg, &b.call, b.leg);
    }

    fn cancel(&mut self, leg_ref: &LegRef, reason: &str) {
        let Some(call) = self.calls.get_mut(&leg_ref.call) else {
            return;
        };
        let Some(leg) = call.legs.remove(&leg_ref.leg) else {
            return;
        };
        if reason.eq_ignore_ascii_case("call completed elsewhere") {
            self.out.send(&leg, LegCmd::CompletedElsewhere);
        } else {
            self.out.send(&leg, LegCmd::Hangup);
        }
        self.out.forget_leg(&leg);
        forget_streams(&mut self.streams, &leg);
        let empty = call.legs.is_empty();
        if empty {
            self.calls.remove(&leg_ref.call);
        }
    }

    fn release(&mut self, call_id: &CallId, prompt: Option<Prompt>, refusal: Option<Refusal>) {
        let Some(call) = self.calls.get(call_id) else {
            return;
        };
        let caller = call.legs.get(&LegId::Caller);
        let answered = caller.is_some_and(|c| c.answered);
        if let (Some(prompt), true) = (&prompt, answered)
            && self.play(call_id, prompt)
        {
            if let Some(call) = self.calls.get_mut(call_id) {
                call.release_after_prompt = true;
            }
            return;
        }
        if let Some(call) = self.calls.get(call_id)
            && call.playing
        {
            if let Some(call) = self.calls.get_mut(call_id) {
                call.release_after_prompt = true;
            }
            return;
        }
        self.hang_up_call(call_id, refusal);
    }

    pub(crate) fn hang_up_call(&mut self, call_id: &CallId, refusal: Option<Refusal>) {
        let Some(call) = self.calls.remove(call_id) else {
            return;
        };
        for (id, leg) in &call.legs {
            let cmd = match (id, leg.answered, refusal) {
                (LegId::Caller, false, Some(refusal)) => LegCmd::Reject {
                    code: refusal_status(refusal),
                },
                _ => LegCmd::Hangup,
            };
            self.out.send(leg, cmd);
            self.out.forget_leg(leg);
            forget_streams(&mut self.streams, leg);
        }
    }

    /// Plays `prompt` to the caller of `call`, answering it first. False when the prompt
    /// cannot be played (no sound pack, no leg).
    fn play(&mut self, call_id: &CallId, prompt: &Prompt) -> bool {
        let Some(samples) = self.prompt(prompt) else {
            return false;
        };
        let Some(call) = self.calls.get_mut(call_id) else {
            return false;
        };
        let Some(caller) = call.legs.get(&LegId::Caller) else {
            return false;
        };
        if !caller.answered {
            self.out.send(
                caller,
                LegCmd::Answer {
                    durable: false,
                    music: false,
                    asserted: None,
                    headers: Vec::new(),
                },
            );
        }
        let Some(stream) = caller.stream() else {
            return false;
        };
        call.playing = true;
        self.out.media(MediaCmd::Play { stream, samples });
        true
    }

    /// A prompt's samples, decoded once from the sound pack.
    fn prompt(&mut self, prompt: &Prompt) -> Option<Arc<[i16]>> {
        let key = format!("{prompt:?}");
        if let Some(samples) = self.prompts.get(&key) {
            return Some(samples.clone());
        }
        let audio = self.shared.sounds.as_ref()?.prompt(prompt).ok()?;
        let samples = crate::media::prompt_samples(&audio);
        self.prompts.insert(key, samples.clone());
        Some(samples)
    }
}
