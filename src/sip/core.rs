//! The SIP core: one task that owns every SIP call's legs, turns leg reports into the
//! engine's call events, and carries out the engine's intents on real calls (answer into
//! the park with music, bridge, ring, cancel, release with a prompt).
//!
//! It never awaits the network: leg tasks do, and report back here.

use super::dialplan::Served;
use super::identity::Identity;
use super::legs::{self, Fork, LegCmd, LegContext, LegEvent};
use super::shared::Shared;
use crate::engine::switch::{
    CallId, EndCause, FailCause, Intent, IntentId, LegId, LegRef, Party, Prompt, Refusal,
    SwitchEvent,
};
use crate::media::sdp::SdpSession;
use crate::media::{MediaEvent, StreamId};
use bytesstr::BytesStr;
use sip_types::uri::{NameAddr, SipUri};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::mpsc;

/// One leg (or fork of a leg) of a SIP call, as leg tasks name themselves.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LegAddr {
    /// The call.
    pub call: CallId,
    /// The leg.
    pub leg: LegId,
    /// The fork of an outgoing leg (0 for an incoming one).
    pub fork: u32,
}

impl std::fmt::Display for LegAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{:?}/{}", self.call, self.leg, self.fork)
    }
}

/// A new incoming call, checked and identified by the front layer.
#[derive(Debug)]
pub struct Incoming {
    /// Its id.
    pub call: CallId,
    /// Who is calling, as the board shows it.
    pub from: Party,
    /// What the dialled number is.
    pub served: Served,
    /// Who sent it.
    pub identity: Identity,
    /// Flagged as an emergency call: never parked.
    pub emergency: bool,
    /// The leg task's commands.
    pub cmd: mpsc::UnboundedSender<LegCmd>,
    /// Its media stream.
    pub stream: StreamId,
}

/// Messages into the core.
#[derive(Debug)]
pub enum CoreMsg {
    /// A new incoming call.
    Incoming(Box<Incoming>),
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
    /// A parting leg's grace is over: hang it up if it is still there.
    PartingOver {
        /// The call it belonged to.
        call: CallId,
        /// The leg.
        leg: LegId,
    },
}

/// How long a desk phone that held its call and parked it (an attended park) may still
/// complete with REFER/Replaces or BYE before the engine hangs it up.
const PARTING_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

#[derive(Debug, Default)]
struct ForkState {
    cmd: Option<mpsc::UnboundedSender<LegCmd>>,
    stream: Option<StreamId>,
    failed: Option<u16>,
}

#[derive(Debug)]
struct Leg {
    incoming: bool,
    /// The directory user on this leg, when known (the line's user, a rung user).
    user: Option<String>,
    forks: HashMap<u32, ForkState>,
    answered: bool,
    winner: Option<u32>,
    intent: Option<IntentId>,
    bridged: Option<(CallId, LegId)>,
    music: bool,
    /// The far end put this leg on hold.
    held_by_peer: bool,
}

impl Leg {
    fn new(incoming: bool) -> Leg {
        Leg {
            incoming,
            user: None,
            forks: HashMap::new(),
            answered: false,
            winner: None,
            intent: None,
            bridged: None,
            music: false,
            held_by_peer: false,
        }
    }

    fn stream(&self) -> Option<StreamId> {
        let fork = self.winner.unwrap_or(0);
        self.forks.get(&fork).and_then(|f| f.stream)
    }

    fn send(&self, cmd: LegCmd) {
        for fork in self.forks.values() {
            if let Some(tx) = &fork.cmd {
                let _ = tx.send(cmd.clone());
            }
        }
    }
}

#[derive(Debug)]
struct SipCall {
    from: Party,
    legs: HashMap<LegId, Leg>,
    /// A leg that sent a REFER and wants to hear how it went.
    referred_by: Option<LegId>,
    /// A release waiting for a prompt to finish.
    release_after_prompt: bool,
    playing: bool,
}

/// The core's state.
pub struct Core {
    shared: Arc<Shared>,
    ctx: LegContext,
    engine: mpsc::UnboundedSender<SwitchEvent>,
    calls: HashMap<CallId, SipCall>,
    streams: HashMap<StreamId, (CallId, LegId)>,
    prompts: HashMap<String, Arc<[i16]>>,
    /// Legs that held a call which is now parked (an attended park): they may still send
    /// REFER/Replaces or BYE; the code they parked it on.
    parting: HashMap<(CallId, LegId), (Leg, Option<String>)>,
}

impl Core {
    /// A core reporting to `engine`.
    pub fn new(
        shared: Arc<Shared>,
        ctx: LegContext,
        engine: mpsc::UnboundedSender<SwitchEvent>,
    ) -> Core {
        Core {
            shared,
            ctx,
            engine,
            calls: HashMap::new(),
            streams: HashMap::new(),
            prompts: HashMap::new(),
            parting: HashMap::new(),
        }
    }

    /// Runs until every sender is gone.
    pub async fn run(mut self, mut rx: mpsc::UnboundedReceiver<CoreMsg>) {
        while let Some(msg) = rx.recv().await {
            match msg {
                CoreMsg::Incoming(incoming) => self.incoming(*incoming),
                CoreMsg::ForkStream { addr, stream } => self.fork_stream(addr, stream),
                CoreMsg::Leg { addr, event } => self.leg_event(addr, event),
                CoreMsg::Intent(intent) => self.intent(intent),
                CoreMsg::Media(event) => self.media_event(event),
                CoreMsg::PartingOver { call, leg } => {
                    if let Some((leg, _)) = self.parting.remove(&(call, leg)) {
                        leg.send(LegCmd::Hangup);
                    }
                }
            }
            self.shared
                .live_calls
                .store(self.calls.len(), std::sync::atomic::Ordering::Relaxed);
        }
    }

    fn emit(&self, event: SwitchEvent) {
        let _ = self.engine.send(event);
    }

    fn incoming(&mut self, incoming: Incoming) {
        let Incoming {
            call,
            from,
            served,
            identity,
            emergency,
            cmd,
            stream,
        } = incoming;
        let mut leg = Leg::new(true);
        leg.forks.insert(
            0,
            ForkState {
                cmd: Some(cmd.clone()),
                stream: Some(stream),
                failed: None,
            },
        );
        let reject = |code: u16| {
            let _ = cmd.send(LegCmd::Reject { code });
        };
        let user = identity.user().map(str::to_string);
        leg.user = user.clone();
        let trusted = matches!(identity, Identity::Trusted(_));
        let event = match served {
            Served::ParkExtension | Served::DirectedPark(_) if emergency => {
                tracing::warn!(call = %call, "an emergency call is never parked");
                reject(403);
                return;
            }
            Served::ParkExtension | Served::DirectedPark(_) if !trusted => {
                // A phone of ours dialling the park extension parks the call it holds.
                let number = match &served {
                    Served::DirectedPark(code) => {
                        format!("{}{code}", self.shared.plan().directed_prefix())
                    }
                    _ => self.shared.plan().park_extension().to_string(),
                };
                match user {
                    Some(caller) => SwitchEvent::Dialed {
                        call: call.clone(),
                        caller,
                        number,
                    },
                    None => {
                        reject(403);
                        return;
                    }
                }
            }
            Served::ParkExtension => SwitchEvent::ParkArrived {
                call: call.clone(),
                from: from.clone(),
                parker: user,
                policy: self.shared.settings.park_extension_policy.clone(),
                code: None,
            },
            Served::DirectedPark(code) => SwitchEvent::ParkArrived {
                call: call.clone(),
                from: from.clone(),
                parker: user,
                policy: self.shared.settings.park_extension_policy.clone(),
                code: Some(code),
            },
            Served::Code(number) | Served::PickupGroup(number) => match user {
                Some(caller) => SwitchEvent::Dialed {
                    call: call.clone(),
                    caller,
                    number,
                },
                None => {
                    // An unidentified caller may park, never retrieve or pick up.
                    reject(403);
                    return;
                }
            },
            Served::User(user) => {
                let _ = cmd.send(LegCmd::Ringing);
                SwitchEvent::Offered {
                    call: call.clone(),
                    from: from.clone(),
                    to: user.clone(),
                    line: user,
                }
            }
            Served::Nothing => {
                reject(404);
                return;
            }
        };
        let ring_line = match &event {
            SwitchEvent::Offered { line, .. } => Some(line.clone()),
            _ => None,
        };
        self.streams.insert(stream, (call.clone(), LegId::Caller));
        let mut legs = HashMap::new();
        legs.insert(LegId::Caller, leg);
        self.calls.insert(
            call.clone(),
            SipCall {
                from: from.clone(),
                legs,
                referred_by: None,
                release_after_prompt: false,
                playing: false,
            },
        );
        self.emit(event);
        if let Some(line) = ring_line {
            let display = if from.name.is_empty() {
                from.number.clone()
            } else {
                from.name.clone()
            };
            let how = RingHow {
                display,
                caller: from,
                alert_info: None,
            };
            self.ring(&call, LegId::Line, None, &line, &how);
        }
    }

    /// The SIP URIs to ring for a target: a user's registered phones or static contact,
    /// or every member's for a group.
    fn contacts(&self, target: &str) -> Vec<SipUri> {
        let plan = self.shared.plan();
        let users: Vec<String> = match plan.group_members(target) {
            Some(members) => members.to_vec(),
            None => plan
                .user_of_number(target)
                .map(|u| vec![u.to_string()])
                .unwrap_or_default(),
        };
        let now = self.shared.now_secs();
        let registrar = self.shared.registrar();
        let mut uris = Vec::new();
        for user in users {
            let mut texts: Vec<String> = registrar
                .contacts(&user, now)
                .into_iter()
                .map(|b| b.contact)
                .collect();
            if texts.is_empty()
                && let Some(contact) = plan.user(&user).and_then(|u| u.static_contact.clone())
            {
                texts.push(contact);
            }
            uris.extend(texts.iter().filter_map(|t| t.parse::<SipUri>().ok()));
        }
        uris
    }

    /// Rings `target` as leg `leg` of `call`, one fork per contact.
    fn ring(
        &mut self,
        call: &CallId,
        leg_id: LegId,
        intent: Option<IntentId>,
        target: &str,
        how: &RingHow,
    ) -> bool {
        let (display, caller) = (how.display.as_str(), &how.caller);
        let targets = self.contacts(target);
        if targets.is_empty() {
            tracing::info!(call = %call, target, "nobody to ring: no registered or static contact");
            return false;
        }
        let Some(sip_call) = self.calls.get_mut(call) else {
            return false;
        };
        let mut leg = Leg::new(false);
        leg.intent = intent;
        leg.user = self
            .shared
            .plan()
            .user_of_number(target)
            .map(str::to_string);
        let host = self.shared.advertised_host();
        let number = if caller.number.is_empty() {
            "anonymous".to_string()
        } else {
            caller.number.replace('#', "%23")
        };
        let from_uri: Option<SipUri> = format!("sip:{number}@{host}").parse().ok();
        let Some(from_uri) = from_uri else {
            return false;
        };
        let from = NameAddr::new(BytesStr::from(display.to_string()), from_uri);
        let asserted = format!("\"{}\" <sip:{number}@{host}>", caller.name.replace('"', ""));
        for (i, target) in targets.into_iter().enumerate() {
            let fork_no = u32::try_from(i).unwrap_or(u32::MAX);
            let (tx, rx) = mpsc::unbounded_channel();
            leg.forks.insert(
                fork_no,
                ForkState {
                    cmd: Some(tx),
                    stream: None,
                    failed: None,
                },
            );
            let addr = LegAddr {
                call: call.clone(),
                leg: leg_id,
                fork: fork_no,
            };
            let mut headers = vec![("P-Asserted-Identity".into(), asserted.clone())];
            if let Some(alert) = &how.alert_info {
                headers.push(("Alert-Info".into(), alert.clone()));
            }
            let fork = Fork {
                from: from.clone(),
                target,
                headers,
            };
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
        sip_call.legs.insert(leg_id, leg);
        true
    }

    fn fork_stream(&mut self, addr: LegAddr, stream: StreamId) {
        let leg = self
            .calls
            .get_mut(&addr.call)
            .and_then(|c| c.legs.get_mut(&addr.leg));
        match leg.and_then(|l| l.forks.get_mut(&addr.fork)) {
            Some(fork) => {
                fork.stream = Some(stream);
                self.streams.insert(stream, (addr.call, addr.leg));
            }
            None => self.ctx.media.close(stream),
        }
    }

    fn leg_event(&mut self, addr: LegAddr, event: LegEvent) {
        let parting_key = (addr.call.clone(), addr.leg);
        if let Some((leg, code)) = self.parting.get(&parting_key) {
            // The attended park completes: a REFER/Replaces hears that the call is parked;
            // a BYE ends the leg; nothing else matters any more.
            match event {
                LegEvent::Refer { notify: true, .. } => {
                    leg.send(LegCmd::Notify {
                        frag: "SIP/2.0 200 OK".into(),
                        last: true,
                        headers: park_code_header(code.as_deref()),
                    });
                }
                LegEvent::Ended { .. } | LegEvent::ProbeFailed => {
                    self.parting.remove(&parting_key);
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
                    self.emit(SwitchEvent::Ringing {
                        call: addr.call,
                        leg: addr.leg,
                    });
                }
            }
            LegEvent::Answered => self.answered(addr),
            LegEvent::Failed { status } => self.fork_failed(addr, status),
            LegEvent::Ended { cause } => self.ended(&addr, cause),
            LegEvent::Hold(held) => self.hold(&addr, held),
            LegEvent::Dtmf(digit) => self.emit(SwitchEvent::Dtmf {
                call: addr.call,
                digit,
            }),
            LegEvent::Refer {
                target,
                replaces,
                notify,
            } => self.refer(&addr, target, replaces, notify),
            LegEvent::ProbeFailed => {
                if let Some(leg) = self.leg(&addr.call, addr.leg) {
                    leg.send(LegCmd::Hangup);
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
                leg.send(LegCmd::Notify {
                    frag: "SIP/2.0 403 Forbidden".into(),
                    last: true,
                    headers: Vec::new(),
                });
            }
            return;
        };
        if notify {
            leg.send(LegCmd::Notify {
                frag: "SIP/2.0 100 Trying".into(),
                last: false,
                headers: Vec::new(),
            });
            call.referred_by = Some(addr.leg);
        }
        if let Some(replaces) = &replaces {
            tracing::info!(call = %addr.call, replaces, "attended transfer asked for");
        }
        self.emit(SwitchEvent::TransferRequested {
            call: addr.call.clone(),
            by,
            target,
            replaces: None,
        });
    }

    /// Tells a leg that sent a REFER that the call has left it (with the code it was
    /// parked on, if it was).
    fn refer_done(&mut self, call_id: &CallId, code: Option<&str>) {
        let Some(call) = self.calls.get_mut(call_id) else {
            return;
        };
        let Some(leg_id) = call.referred_by.take() else {
            return;
        };
        if let Some(leg) = call.legs.get(&leg_id) {
            leg.send(LegCmd::Notify {
                frag: "SIP/2.0 200 OK".into(),
                last: true,
                headers: park_code_header(code),
            });
        }
    }

    fn leg(&self, call: &CallId, leg: LegId) -> Option<&Leg> {
        self.calls.get(call).and_then(|c| c.legs.get(&leg))
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
            if let Some(fork) = leg.forks.get(&addr.fork)
                && let Some(tx) = &fork.cmd
            {
                let _ = tx.send(LegCmd::Hangup);
            }
            return;
        }
        leg.answered = true;
        leg.winner = Some(addr.fork);
        for (no, fork) in &leg.forks {
            if *no != addr.fork
                && let Some(tx) = &fork.cmd
            {
                let _ = tx.send(LegCmd::Hangup);
            }
        }
        if addr.leg == LegId::Line {
            // A call answered at its line is connected to it: answer the caller and
            // bridge the two.
            let line_stream = leg.stream();
            if let Some(caller) = call.legs.get(&LegId::Caller) {
                if !caller.answered {
                    caller.send(LegCmd::Answer {
                        asserted: None,
                        headers: Vec::new(),
                    });
                }
                if let (Some(a), Some(b)) = (caller.stream(), line_stream) {
                    self.ctx.media.bridge(a, b);
                }
            }
            self.link(&addr.call, LegId::Caller, &addr.call, LegId::Line);
        }
        self.emit(SwitchEvent::Answered {
            call: addr.call,
            leg: addr.leg,
        });
    }

    fn link(&mut self, a_call: &CallId, a: LegId, b_call: &CallId, b: LegId) {
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
            fork.cmd = None;
        }
        if leg.answered || leg.forks.values().any(|f| f.failed.is_none()) {
            return;
        }
        let statuses: Vec<u16> = leg.forks.values().filter_map(|f| f.failed).collect();
        let intent = leg.intent;
        if let Some(call) = self.calls.get_mut(&addr.call) {
            call.legs.remove(&addr.leg);
        }
        if let Some(id) = intent {
            self.emit(SwitchEvent::Failed {
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
            line.send(LegCmd::Hangup);
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
            self.ctx.media.silence(stream);
        }
        self.emit(SwitchEvent::Ended {
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
                self.ctx.media.music(peer_stream);
            } else if let Some(own) = own {
                self.ctx.media.bridge(own, peer_stream);
            }
        }
        self.emit(if held {
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

    fn media_event(&mut self, event: MediaEvent) {
        match event {
            MediaEvent::Silent(stream) => {
                if let Some((call, leg)) = self.streams.get(&stream)
                    && let Some(leg) = self.leg(call, *leg)
                {
                    leg.send(LegCmd::Probe);
                }
            }
            MediaEvent::Dtmf { stream, digit } => {
                if let Some((call, LegId::Caller)) = self.streams.get(&stream) {
                    self.emit(SwitchEvent::Dtmf {
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

    fn intent(&mut self, intent: Intent) {
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
                    || !self.ring(&call, LegId::Ring(id), Some(id), &target, &how)
                {
                    self.emit(SwitchEvent::Failed {
                        id,
                        leg: LegId::Ring(id),
                        cause: FailCause::Unreachable,
                    });
                }
            }
            Intent::AnswerWithHold {
                call, music, code, ..
            } => self.answer_with_hold(&call, music, code.as_deref()),
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

    fn answer_with_hold(&mut self, call_id: &CallId, music: bool, code: Option<&str>) {
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
                self.parting.insert(key, (line, code.map(str::to_string)));
                let core = self.ctx.core.clone();
                let (call, leg) = (call_id.clone(), LegId::Line);
                tokio::spawn(async move {
                    tokio::time::sleep(PARTING_GRACE).await;
                    let _ = core.send(CoreMsg::PartingOver { call, leg });
                });
            } else {
                line.send(LegCmd::Hangup);
            }
        }
        let Some(call) = self.calls.get_mut(call_id) else {
            return;
        };
        let Some(caller) = call.legs.get_mut(&LegId::Caller) else {
            return;
        };
        if !caller.answered {
            caller.send(LegCmd::Answer {
                asserted: None,
                headers: park_code_header(code),
            });
        }
        caller.bridged = None;
        caller.music = music;
        if let Some(stream) = caller.stream() {
            if music {
                self.ctx.media.music(stream);
            } else {
                self.ctx.media.silence(stream);
            }
        }
    }

    fn bridge(&mut self, a: &LegRef, b: &LegRef) {
        self.refer_done(&a.call, None);
        self.refer_done(&b.call, None);
        let party_of =
            |core: &Core, leg: &LegRef| core.calls.get(&leg.call).map(|c| c.from.clone());
        let (a_party, b_party) = (party_of(self, a), party_of(self, b));
        let host = self.shared.advertised_host();
        let mut streams = Vec::new();
        for (leg_ref, other) in [(a, &b_party), (b, &a_party)] {
            let Some(leg) = self.leg(&leg_ref.call, leg_ref.leg) else {
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
                leg.send(LegCmd::Answer {
                    asserted,
                    headers: Vec::new(),
                });
            }
            streams.push(leg.stream());
        }
        if let [Some(sa), Some(sb)] = streams[..] {
            self.ctx.media.bridge(sa, sb);
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
            leg.send(LegCmd::CompletedElsewhere);
        } else {
            leg.send(LegCmd::Hangup);
        }
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

    fn hang_up_call(&mut self, call_id: &CallId, refusal: Option<Refusal>) {
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
            leg.send(cmd);
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
            caller.send(LegCmd::Answer {
                asserted: None,
                headers: Vec::new(),
            });
        }
        let Some(stream) = caller.stream() else {
            return false;
        };
        call.playing = true;
        self.ctx.media.play(stream, samples, false);
        true
    }

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

/// Drops a leg's media streams from the stream index (the leg is gone or going).
fn forget_streams(streams: &mut HashMap<StreamId, (CallId, LegId)>, leg: &Leg) {
    for stream in leg.forks.values().filter_map(|fork| fork.stream) {
        streams.remove(&stream);
    }
}

/// How a ring presents the call on the phone.
#[derive(Debug, Clone)]
struct RingHow {
    /// The display name (`Park 705: Ada Lovelace`).
    display: String,
    /// The caller shown.
    caller: Party,
    /// A distinctive ring.
    alert_info: Option<String>,
}

/// `X-Park-Code: 705`, for automation, when there is a code.
fn park_code_header(code: Option<&str>) -> Vec<(String, String)> {
    code.map(|c| vec![("X-Park-Code".to_string(), c.to_string())])
        .unwrap_or_default()
}

/// The status an unanswered call is turned away with.
pub fn refusal_status(refusal: Refusal) -> u16 {
    match refusal {
        Refusal::NotFound => 404,
        Refusal::Forbidden => 403,
        Refusal::Busy => 486,
        Refusal::Unavailable => 480,
    }
}

/// Why a ring failed, from its forks' final statuses: busy wins, then declined, then no
/// answer; anything else is unreachable.
pub fn fail_cause(statuses: &[u16]) -> FailCause {
    if statuses.iter().any(|s| matches!(s, 486 | 600)) {
        FailCause::Busy
    } else if statuses.iter().any(|s| matches!(s, 603 | 403)) {
        FailCause::Declined
    } else if statuses.iter().any(|s| matches!(s, 408 | 487)) {
        FailCause::NoAnswer
    } else {
        FailCause::Unreachable
    }
}
