//! Each SIP call's dialog and media state as plain data: which legs and forks it has, which
//! are answered, bridged or on music, which media stream each fork uses. No channels: the
//! leg tasks are named by [`LegAddr`], and their command senders live in the shell.

use super::LegAddr;
use crate::engine::Instant;
use crate::engine::switch::{CallId, IntentId, LegId, Party};
use crate::media::StreamId;
use std::collections::{BTreeMap, HashMap};

/// One fork of a leg (an incoming leg has one, fork 0).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ForkState {
    /// A leg task runs for this fork and the shell holds its command sender.
    pub open: bool,
    /// Its media stream, once known.
    pub stream: Option<StreamId>,
    /// Its final failure status, once it failed.
    pub failed: Option<u16>,
}

/// One leg of a SIP call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leg {
    /// The call it belongs to.
    pub call: CallId,
    /// Which leg it is.
    pub id: LegId,
    /// An incoming leg (the caller) rather than one this side rang.
    pub incoming: bool,
    /// The directory user on this leg, when known (the line's user, a rung user).
    pub user: Option<String>,
    /// Its forks, by number.
    pub forks: BTreeMap<u32, ForkState>,
    /// Answered (by the winning fork, for an outgoing leg).
    pub answered: bool,
    /// The fork that answered.
    pub winner: Option<u32>,
    /// The engine intent that rang it.
    pub intent: Option<IntentId>,
    /// The leg it is bridged to.
    pub bridged: Option<(CallId, LegId)>,
    /// It hears music on hold.
    pub music: bool,
    /// The far end put this leg on hold.
    pub held_by_peer: bool,
    /// Its dialog and stream are in the store (a parked caller): it outlives the process.
    pub durable: bool,
}

impl Leg {
    /// A leg with no forks yet.
    pub fn new(call: CallId, id: LegId, incoming: bool) -> Leg {
        Leg {
            call,
            id,
            incoming,
            user: None,
            forks: BTreeMap::new(),
            answered: false,
            winner: None,
            intent: None,
            bridged: None,
            music: false,
            held_by_peer: false,
            durable: false,
        }
    }

    /// The stream of the winning fork (fork 0 before an answer).
    pub fn stream(&self) -> Option<StreamId> {
        let fork = self.winner.unwrap_or(0);
        self.forks.get(&fork).and_then(|f| f.stream)
    }

    /// The address of fork `fork`.
    pub fn addr(&self, fork: u32) -> LegAddr {
        LegAddr {
            call: self.call.clone(),
            leg: self.id,
            fork,
        }
    }

    /// The forks whose tasks still take commands.
    pub fn open_forks(&self) -> impl Iterator<Item = LegAddr> + '_ {
        self.forks
            .iter()
            .filter(|(_, f)| f.open)
            .map(|(no, _)| self.addr(*no))
    }
}

/// One SIP call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SipCall {
    /// Who placed it.
    pub from: Party,
    /// Its legs.
    pub legs: HashMap<LegId, Leg>,
    /// A leg that sent a REFER and wants to hear how it went.
    pub referred_by: Option<LegId>,
    /// A release waiting for a prompt to finish.
    pub release_after_prompt: bool,
    /// A prompt is playing to the caller.
    pub playing: bool,
}

/// A desk leg that held a call which is now parked (an attended park): it may still send
/// REFER/Replaces or BYE until `until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parting {
    /// The leg.
    pub leg: Leg,
    /// The code the call was parked on.
    pub code: Option<String>,
    /// When the engine hangs it up if it is still there.
    pub until: Instant,
}

/// How a ring presents the call on the phone.
#[derive(Debug, Clone)]
pub struct RingHow {
    /// The display name (`Park 705: Ada Lovelace`).
    pub display: String,
    /// The caller shown.
    pub caller: Party,
    /// A distinctive ring.
    pub alert_info: Option<String>,
}
