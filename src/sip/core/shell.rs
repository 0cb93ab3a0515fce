//! The task around the sans-IO core: it owns the channel into the core, the clock, the
//! timer and the leg tasks' command senders, feeds every message to the core with the
//! time it arrived, and carries out what the core asks (sends, media commands, events for
//! the engine, new outgoing forks). After every input it drains the outputs, then re-arms
//! the timer from `poll_timeout` (str0m's rule).

use super::output::{MediaCmd, Output};
use super::{Core, Incoming, LegAddr};
use crate::engine::switch::{Intent, SwitchEvent};
use crate::media::sdp::SdpSession;
use crate::media::{MediaEvent, StreamId};
use crate::sip::legs::{self, Fork, LegCmd, LegContext, LegEvent};
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use tokio::sync::mpsc;

/// Messages into the core.
#[derive(Debug)]
pub enum CoreMsg {
    /// A new incoming call and its leg task's command sender.
    Incoming {
        /// The call.
        call: Box<Incoming>,
        /// The leg task's commands.
        cmd: mpsc::UnboundedSender<LegCmd>,
    },
    /// An outgoing fork has its media stream.
    ForkStream {
        /// The fork.
        addr: LegAddr,
        /// Its stream.
        stream: StreamId,
    },
    /// A leg task reports.
    Leg {
        /// Which leg.
        addr: LegAddr,
        /// What happened.
        event: LegEvent,
    },
    /// An intent from the engine.
    Intent(Intent),
    /// The media task reports.
    Media(MediaEvent),
    /// A leg the process before left, taken on again (a parked caller).
    Restored {
        /// The leg.
        addr: LegAddr,
        /// Who placed the call.
        from: crate::engine::switch::Party,
        /// Its resumed stream.
        stream: StreamId,
        /// It hears music.
        music: bool,
        /// Its peer holds it.
        held: bool,
        /// The restored leg task's commands.
        cmd: mpsc::UnboundedSender<LegCmd>,
    },
    /// Hang up a call (restored legs whose call the engine could not carry on).
    HangUp(crate::engine::switch::CallId),
}

/// The core's task.
pub struct CoreShell {
    core: Core,
    ctx: LegContext,
    engine: mpsc::UnboundedSender<SwitchEvent>,
    /// Each leg task's commands, by the address the core knows it by.
    legs: HashMap<LegAddr, mpsc::UnboundedSender<LegCmd>>,
}

impl CoreShell {
    /// A core whose leg tasks run with `ctx`, reporting to `engine`.
    pub fn new(ctx: LegContext, engine: mpsc::UnboundedSender<SwitchEvent>) -> CoreShell {
        CoreShell {
            core: Core::new(ctx.shared.clone()),
            ctx,
            engine,
            legs: HashMap::new(),
        }
    }

    /// Runs until every sender is gone.
    pub async fn run(mut self, mut rx: mpsc::UnboundedReceiver<CoreMsg>) {
        loop {
            let deadline = self
                .core
                .poll_timeout()
                .map(|at| self.ctx.shared.clock.deadline(at));
            // `None` inside: the timer fired.
            let input = match deadline {
                Some(deadline) => tokio::select! {
                    msg = rx.recv() => msg.map(Some),
                    () = tokio::time::sleep_until(deadline) => Some(None),
                },
                None => rx.recv().await.map(Some),
            };
            let Some(input) = input else {
                break;
            };
            let now = self.ctx.shared.clock.now();
            match input {
                Some(msg) => self.handle(now, msg),
                None => self.core.handle_timeout(now),
            }
            self.drain();
            self.ctx
                .shared
                .live_calls
                .store(self.core.live_calls(), Ordering::Relaxed);
        }
    }

    fn handle(&mut self, now: crate::engine::Instant, msg: CoreMsg) {
        match msg {
            CoreMsg::Incoming { call, cmd } => {
                let addr = LegAddr {
                    call: call.call.clone(),
                    leg: crate::engine::switch::LegId::Caller,
                    fork: 0,
                };
                self.legs.insert(addr, cmd);
                self.core.handle_incoming(now, *call);
            }
            CoreMsg::ForkStream { addr, stream } => self.core.handle_fork_stream(now, addr, stream),
            CoreMsg::Leg { addr, event } => self.core.handle_leg(now, addr, event),
            CoreMsg::Intent(intent) => self.core.handle_intent(now, intent),
            CoreMsg::Media(event) => self.core.handle_media(now, event),
            CoreMsg::Restored {
                addr,
                from,
                stream,
                music,
                held,
                cmd,
            } => {
                self.legs.insert(addr.clone(), cmd);
                self.core.handle_restored(addr, from, stream, music, held);
            }
            CoreMsg::HangUp(call) => self.core.hang_up_call(&call, None),
        }
    }

    /// Carries out everything the core asked for, in order.
    fn drain(&mut self) {
        while let Some(output) = self.core.poll_output() {
            match output {
                Output::Leg { addr, cmd } => {
                    if let Some(tx) = self.legs.get(&addr) {
                        let _ = tx.send(cmd);
                    }
                }
                Output::Forget(addr) => {
                    self.legs.remove(&addr);
                }
                Output::Dial { addr, fork } => self.dial(addr, *fork),
                Output::Media(cmd) => {
                    let media = &self.ctx.media;
                    match cmd {
                        MediaCmd::Bridge(a, b) => media.bridge(a, b),
                        MediaCmd::Music(stream) => media.music(stream),
                        MediaCmd::Silence(stream) => media.silence(stream),
                        MediaCmd::Play { stream, samples } => media.play(stream, samples, false),
                        MediaCmd::Close(stream) => media.close(stream),
                    }
                }
                Output::Switch(event) => {
                    let _ = self.engine.send(event);
                }
            }
        }
    }

    /// Starts an outgoing fork's task: its media stream first, then the INVITE.
    fn dial(&mut self, addr: LegAddr, fork: Fork) {
        let (tx, rx) = mpsc::unbounded_channel();
        self.legs.insert(addr.clone(), tx);
        let ctx = self.ctx.clone();
        tokio::spawn(async move {
            let stream = match ctx.media.open().await {
                Ok(stream) => stream,
                Err(e) => {
                    tracing::warn!(error = %e, "no RTP port for an outgoing leg");
                    let _ = ctx.core.send(CoreMsg::Leg {
                        addr,
                        event: LegEvent::Failed { status: 503 },
                    });
                    return;
                }
            };
            let _ = ctx.core.send(CoreMsg::ForkStream {
                addr: addr.clone(),
                stream: stream.id,
            });
            let sdp = SdpSession::new(stream.local);
            legs::outgoing(ctx, addr, fork, sdp, stream.id, rx).await;
        });
    }
}
