//! What leg tasks and the media task report: rings, answers (the first fork wins),
//! failures, ends, holds, DTMF, REFERs, silent streams, played prompts.

use super::output::MediaCmd;
use super::{Core, LegAddr, fail_cause, find, forget_streams, park_code_header};
use crate::engine::switch::{CallId, EndCause, LegId, SwitchEvent};
use crate::media::{MediaEvent, StreamId};
use crate::sip::legs::{LegCmd, LegEvent};

impl Core {
    pub(super) fn fork_stream(&mut self, addr: LegAddr, stream: StreamId) {
        let leg = self
            .calls
            .get_mut(&addr.call)
            .and_then(|c| c.legs.get_mut(&addr.leg));
        match leg.and_then(|l| l.forks.get_mut(&addr.fork)) {
            Some(fork) => {
                fork.stream = Some(stream);
                self.streams.insert(stream, (addr.call, addr.leg));
            }
            None => self.out.media(MediaCmd::Close(stream)),
        }
    }

    pub(super) fn leg_event(&mut self, addr: LegAddr, event: LegEvent) {
        let parting_key = (addr.call.clone(), addr.leg);
        if let Some(parting) = self.parting.get(&parting_key) {
            // The attended park completes: a REFER/Replaces hears that the call is parked;
            // a BYE ends the leg; nothing else matters any more.
            match event {
                LegEvent::Refer { notify: true, .. } => {
                    self.out.send(
                        &parting.leg,
                        LegCmd::Notify {
                            frag: "SIP/2.0 200 OK".into(),
                            last: true,
                            headers: park_code_header(parting.code.as_deref()),
                        },
                    );
                }
                LegEvent::Ended { .. } | LegEvent::ProbeFailed => {
                    if let Some(parting) = self.parting.remove(&parting_key) {
                        self.out.forget_leg(&parting.leg);
                    }
                }
                _ => {}
            }
            return;
        }
        match event {
            LegEvent::Ringing => {
                let first = self
                    .calls
                    .get_mut(&addr.call)
                    .and_then(|c| c.legs.get_mut(&addr.leg))
                    .is_some_and(|leg| !leg.answered);
                if first && !matches!(addr.leg, LegId::Caller) {
                    self.out.emit(SwitchEvent::Ringing {
                        call: addr.call,
                        leg: addr.leg,
                    });
                }
            }
            LegEvent::Answered => self.answered(addr),
            LegEvent::Failed { status } => self.fork_failed(addr, status),
            LegEvent::Ended { cause } => self.ended(&addr, cause),
            LegEvent::Hold(held) => self.hold(&addr, held),
            LegEvent::Dtmf(digit) => self.out.emit(SwitchEvent::Dtmf {
                call: addr.call,
                digit,
            }),
            LegEvent::Refer {
                target,
                replaces,
                notify,
            } => self.refer(&addr, target, replaces, notify),
            LegEvent::ProbeFailed => {
                if let Some(leg) = find(&self.calls, &addr.call, addr.leg) {
                    self.out.send(leg, LegCmd::Hangup);
                }
                self.ended(&addr, EndCause::Dead);
            }
        }
    }

    /// A leg asked to transfer its call: the engine decides (park, directed park, a
    /// person); the leg hears `100` now and `200` once the call has left it.
    fn refer(&mut self, addr: &LegAddr, target: String, replaces: Option<String>, notify: bool) {
        let Some(call) = self.calls.get_mut(&addr.call) else {
            return;
        };
        let Some(leg) = call.legs.get(&addr.leg) else {
            return;
        };
        let Some(by) = leg.user.clone() else {
            if notify {
                self.out.send(
                    leg,
                    LegCmd::Notify {
                        frag: "SIP/2.0 403 Forbidden".into(),
                        last: true,
                        headers: Vec::new(),
                    },
                );
            }
            return;
        };
        if notify {
            self.out.send(
                leg,
                LegCmd::Notify {
                    frag: "SIP/2.0 100 Trying".into(),
                    last: false,
                    headers: Vec::new(),
                },
            );
            call.referred_by = Some(addr.leg);
        }
        if let Some(replaces) = &replaces {
            tracing::info!(call = %addr.call, replaces, "attended transfer asked for");
        }
        self.out.emit(SwitchEvent::TransferRequested {
            call: addr.call.clone(),
            by,
            target,
            replaces: None,
        });
    }

    /// Tells a leg that sent a REFER that the call has left it (with the code it was
    /// parked on, if it was).
    pub(super) fn refer_done(&mut self, call_id: &CallId, code: Option<&str>) {
        let Some(call) = self.calls.get_mut(call_id) else {
            return;
        };
        let Some(leg_id) = call.referred_by.take() else {
            return;
        };
        if let Some(leg) = call.legs.get(&leg_id) {
            self.out.send(
                leg,
                LegCmd::Notify {
                    frag: "SIP/2.0 200 OK".into(),
                    last: true,
                    headers: park_code_header(code),
                },
            );
        }
    }

    fn answered(&mut self, addr: LegAddr) {
        let Some(call) = self.calls.get_mut(&addr.call) else {
            return;
        };
        let Some(leg) = call.legs.get_mut(&addr.leg) else {
            return;
        };
        if leg.incoming {
            leg.answered = true;
            return;
        }
        if leg.answered {
            // A second fork answered after the first: it is not wanted.
            if leg.forks.get(&addr.fork).is_some_and(|fork| fork.open) {
                self.out.leg(addr, LegCmd::Hangup);
            }
            return;
        }
        leg.answered = true;
        leg.winner = Some(addr.fork);
        for (no, fork) in &leg.forks {
            if *no != addr.fork && fork.open {
                self.out.leg(leg.addr(*no), LegCmd::Hangup);
            }
        }
        if addr.leg == LegId::Line {
            // A call answered at its line is connected to it: answer the caller and
            // bridge the two.
            let line_stream = leg.stream();
            if let Some(caller) = call.legs.get(&LegId::Caller) {
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
                if let (Some(a), Some(b)) = (caller.stream(), line_stream) {
                    self.out.media(MediaCmd::Bridge(a, b));
                }
            }
            self.link(&addr.call, LegId::Caller, &addr.call, LegId::Line);
        }
        self.out.emit(SwitchEvent::Answered {
            call: addr.call,
            leg: addr.leg,
        });
    }

    pub(super) fn link(&mut self, a_call: &CallId, a: LegId, b_call: &CallId, b: LegId) {
        if let Some(leg) = self.calls.get_mut(a_call).and_then(|c| c.legs.get_mut(&a)) {
            leg.bridged = Some((b_call.clone(), b));
            leg.music = false;
        }
        if let Some(leg) = self.calls.get_mut(b_call).and_then(|c| c.legs.get_mut(&b)) {
            leg.bridged = Some((a_call.clone(), a));
            leg.music = false;
        }
    }

    fn fork_failed(&mut self, addr: LegAddr, status: u16) {
        let Some(leg) = self
            .calls
            .get_mut(&addr.call)
            .and_then(|c| c.legs.get_mut(&addr.leg))
        else {
            return;
        };
        if let Some(fork) = leg.forks.get_mut(&addr.fork) {
            fork.failed = Some(status);
            if fork.open {
                fork.open = false;
                self.out.forget(addr.clone());
            }
        }
        if leg.answered || leg.forks.values().any(|f| f.failed.is_none()) {
            return;
        }
        let statuses: Vec<u16> = leg.forks.values().filter_map(|f| f.failed).collect();
        let intent = leg.intent;
        if let Some(call) = self.calls.get_mut(&addr.call)
            && let Some(leg) = call.legs.remove(&addr.leg)
        {
            self.out.forget_leg(&leg);
        }
        if let Some(id) = intent {
            self.out.emit(SwitchEvent::Failed {
                id,
                leg: addr.leg,
                cause: fail_cause(&statuses),
            });
        }
    }

    fn ended(&mut self, addr: &LegAddr, cause: EndCause) {
        let Some(call) = self.calls.get_mut(&addr.call) else {
            return;
        };
        let Some(leg) = call.legs.get(&addr.leg) else {
            return;
        };
        if !leg.incoming && leg.winner != Some(addr.fork) {
            return;
        }
        let Some(leg) = call.legs.remove(&addr.leg) else {
            return;
        };
        forget_streams(&mut self.streams, &leg);
        self.out.forget_leg(&leg);
        // The line's phones were rung by this side, not by an engine intent: when the caller
        // gives up while they ring, they are cancelled here, or they would ring on.
        let line_ringing = call
            .legs
            .get(&LegId::Line)
            .is_some_and(|line| !line.answered);
        if addr.leg == LegId::Caller
            && line_ringing
            && let Some(line) = call.legs.remove(&LegId::Line)
        {
            self.out.send(&line, LegCmd::Hangup);
            self.out.forget_leg(&line);
            forget_streams(&mut self.streams, &line);
        }
        let empty = call.legs.is_empty();
        if empty {
            self.calls.remove(&addr.call);
        }
        if let Some((peer_call, peer_leg)) = &leg.bridged
            && let Some(peer) = self.leg(peer_call, *peer_leg)
            && let Some(stream) = peer.stream()
        {
            self.out.media(MediaCmd::Silence(stream));
        }
        self.out.emit(SwitchEvent::Ended {
            call: addr.call.clone(),
            leg: addr.leg,
            cause,
        });
    }

    fn hold(&mut self, addr: &LegAddr, held: bool) {
        let Some(leg) = self.leg(&addr.call, addr.leg) else {
            return;
        };
        let own = leg.stream();
        if let Some(leg) = self
            .calls
            .get_mut(&addr.call)
            .and_then(|c| c.legs.get_mut(&addr.leg))
        {
            leg.held_by_peer = held;
        }
        let Some(leg) = self.leg(&addr.call, addr.leg) else {
            return;
        };
        if let Some((peer_call, peer_leg)) = leg.bridged.clone()
            && let Some(peer) = self.leg(&peer_call, peer_leg)
            && let Some(peer_stream) = peer.stream()
        {
            if held {
                self.out.media(MediaCmd::Music(peer_stream));
            } else if let Some(own) = own {
                self.out.media(MediaCmd::Bridge(own, peer_stream));
            }
        }
        self.out.emit(if held {
            SwitchEvent::Held {
                call: addr.call.clone(),
                leg: addr.leg,
            }
        } else {
            SwitchEvent::Unheld {
                call: addr.call.clone(),
                leg: addr.leg,
            }
        });
    }

    pub(super) fn media_event(&mut self, event: MediaEvent) {
        match event {
            MediaEvent::Silent(stream) => {
                if let Some((call, leg)) = self.streams.get(&stream)
                    && let Some(leg) = find(&self.calls, call, *leg)
                {
                    self.out.send(leg, LegCmd::Probe);
                }
            }
            MediaEvent::Dtmf { stream, digit } => {
                if let Some((call, LegId::Caller)) = self.streams.get(&stream) {
                    self.out.emit(SwitchEvent::Dtmf {
                        call: call.clone(),
                        digit,
                    });
                }
            }
            MediaEvent::Played(stream) => {
                let Some((call, _)) = self.streams.get(&stream).cloned() else {
                    return;
                };
                let release = self.calls.get_mut(&call).is_some_and(|c| {
                    c.playing = false;
                    c.release_after_prompt
                });
                if release {
                    self.hang_up_call(&call, None);
                }
            }
        }
    }
}
