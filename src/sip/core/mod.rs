//! The SIP core: it owns every SIP call's legs, turns leg reports into the engine's call
//! events, and carries out the engine's intents on real calls (answer into the park with
//! music, bridge, ring, cancel, release with a prompt).
//!
//! It is sans-IO, in the quinn-proto/str0m shape: it never reads a clock, never awaits and
//! never sends on a channel. Inputs arrive through `handle_*(now, …)`; what to do comes out
//! of [`Core::poll_output`] in order (commands to leg tasks, media commands, events for the
//! engine, outgoing forks to start), and [`Core::poll_timeout`] says when
//! [`Core::handle_timeout`] is due. The async [`shell`] owns the channel, the clock, the
//! timer and the leg tasks' senders, and carries the outputs out.
//!
//! - `state`: each call's legs, forks and media streams as plain data;
//! - `classify`: what a new incoming call is to the engine (a pure function);
//! - `output`: the output queue;
//! - `arrive`: new incoming calls and the forks this side rings;
//! - `reports`: what leg tasks and the media task report;
//! - `intents`: the engine's intents;
//! - `shell`: the task around the core.

mod arrive;
pub mod classify;
mod intents;
pub mod output;
mod reports;
pub mod shell;
pub mod state;

#[cfg(test)]
mod tests;

pub use self::output::Output;
pub use self::shell::{CoreMsg, CoreShell};

use self::output::Outbox;
use self::state::{Leg, Parting, SipCall};
use super::dialplan::Served;
use super::identity::Identity;
use super::legs::LegEvent;
use super::shared::Shared;
use crate::engine::Instant;
use crate::engine::switch::{CallId, FailCause, Intent, LegId, Party, Refusal};
use crate::media::{MediaEvent, StreamId};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

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

/// A new incoming call, checked and identified by the front layer; its leg task is fork 0
/// of leg `Caller`.
#[derive(Debug, Clone)]
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
    /// Its media stream.
    pub stream: StreamId,
}

/// How long a desk phone that held its call and parked it (an attended park) may still
/// complete with REFER/Replaces or BYE before the engine hangs it up.
pub const PARTING_GRACE: Duration = Duration::from_secs(10);

/// The core's state.
pub struct Core {
    shared: Arc<Shared>,
    calls: HashMap<CallId, SipCall>,
    streams: HashMap<StreamId, (CallId, LegId)>,
    prompts: HashMap<String, Arc<[i16]>>,
    /// Legs that held a call which is now parked (an attended park): they may still send
    /// REFER/Replaces or BYE.
    parting: HashMap<(CallId, LegId), Parting>,
    out: Outbox,
}

impl Core {
    /// A core reading the dial plan, registrar and settings from `shared`.
    pub fn new(shared: Arc<Shared>) -> Core {
        Core {
            shared,
            calls: HashMap::new(),
            streams: HashMap::new(),
            prompts: HashMap::new(),
            parting: HashMap::new(),
            out: Outbox::default(),
        }
    }

    /// Calls held now.
    pub fn live_calls(&self) -> usize {
        self.calls.len()
    }

    /// A new incoming call.
    pub fn handle_incoming(&mut self, now: Instant, incoming: Incoming) {
        self.incoming(now, incoming);
    }

    /// An outgoing fork has its media stream.
    pub fn handle_fork_stream(&mut self, _now: Instant, addr: LegAddr, stream: StreamId) {
        self.fork_stream(addr, stream);
    }

    /// A leg task reports.
    pub fn handle_leg(&mut self, _now: Instant, addr: LegAddr, event: LegEvent) {
        self.leg_event(addr, event);
    }

    /// An intent from the engine.
    pub fn handle_intent(&mut self, now: Instant, intent: Intent) {
        self.intent(now, intent);
    }

    /// The media task reports.
    pub fn handle_media(&mut self, _now: Instant, event: MediaEvent) {
        self.media_event(event);
    }

    /// A leg the process before left, taken on again: an answered leg on its resumed stream,
    /// on music (or silence) as it was.
    pub fn handle_restored(
        &mut self,
        addr: LegAddr,
        from: Party,
        stream: StreamId,
        music: bool,
        held: bool,
    ) {
        let mut leg = Leg::new(addr.call.clone(), addr.leg, addr.leg == LegId::Caller);
        leg.forks.insert(
            addr.fork,
            state::ForkState {
                open: true,
                stream: Some(stream),
                failed: None,
            },
        );
        leg.answered = true;
        leg.winner = Some(addr.fork);
        leg.music = music;
        leg.held_by_peer = held;
        leg.durable = true;
        self.streams.insert(stream, (addr.call.clone(), addr.leg));
        let call = self
            .calls
            .entry(addr.call.clone())
            .or_insert_with(|| SipCall {
                from,
                legs: HashMap::new(),
                referred_by: None,
                release_after_prompt: false,
                playing: false,
            });
        call.legs.insert(addr.leg, leg);
    }

    /// Time passed: parting legs whose grace is over are hung up.
    pub fn handle_timeout(&mut self, now: Instant) {
        let due: Vec<(CallId, LegId)> = self
            .parting
            .iter()
            .filter(|(_, parting)| parting.until <= now)
            .map(|(key, _)| key.clone())
            .collect();
        for key in due {
            if let Some(parting) = self.parting.remove(&key) {
                self.out.send(&parting.leg, super::legs::LegCmd::Hangup);
                self.out.forget_leg(&parting.leg);
            }
        }
    }

    /// The next thing to do, oldest first; `None` when there is nothing left.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.out.pop()
    }

    /// When [`Core::handle_timeout`] is next due, if ever.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.parting.values().map(|parting| parting.until).min()
    }

    fn leg(&self, call: &CallId, leg: LegId) -> Option<&Leg> {
        find(&self.calls, call, leg)
    }
}

/// A leg of a call, if both are there.
fn find<'a>(calls: &'a HashMap<CallId, SipCall>, call: &CallId, leg: LegId) -> Option<&'a Leg> {
    calls.get(call).and_then(|c| c.legs.get(&leg))
}

/// Drops a leg's media streams from the stream index (the leg is gone or going).
fn forget_streams(streams: &mut HashMap<StreamId, (CallId, LegId)>, leg: &Leg) {
    for stream in leg.forks.values().filter_map(|fork| fork.stream) {
        streams.remove(&stream);
    }
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
