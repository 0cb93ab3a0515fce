//! Durable call state: the engine's record of each call it must carry on if the process is
//! replaced (a parked call, a call it holds or keeps connected), and the changes to those
//! records, drained with [`Engine::poll_durable`] like events and intents.
//!
//! A record is built from the call as it stands, never patched: every rule that changes a
//! call marks it (`touch`), and [`Engine::poll_durable`] rebuilds the marked calls' records,
//! handing out only those that differ from what it handed out last. So a change can never be
//! missed by a rule that forgot to say so, as long as it touches the call (every event about
//! a call does).
//!
//! Times are engine [`Instant`]s; the records are generic over the time type so that the
//! driver can store them as wall-clock times ([`DurableCall::map_times`]).
//! [`Engine::restore`](super::Engine::restore) (in `restore`) puts records back.

use super::Engine;
use super::arena::CallKey;
use super::clock::Instant;
use super::objects::{CallState, Direction};
use super::policy::ParkPolicy;
use super::records::CallRec;
use super::switch::{CallId, IntentId, LegId, LegRef, Party};
use foldhash::{HashMap, HashSet};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

pub use super::records::{Before, Due, Picked, Purpose, Rescue, Stage};

/// Everything the engine needs to carry a call on after the process is replaced.
///
/// `T` is the time type: engine [`Instant`]s inside the engine, wall-clock times in the
/// store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DurableCall<T = Instant> {
    /// The call's id (first, so that a truncated record still names it).
    pub call: CallId,
    /// Its park, while parked.
    pub park: Option<DurablePark<T>>,
    /// The caller.
    pub from: Party,
    /// The user or line it is for.
    pub to: String,
    /// The line it is at.
    pub line: String,
    /// Which way it goes.
    pub direction: Direction,
    /// Where it stands.
    pub state: CallState,
    /// When it was offered.
    pub started_at: T,
    /// When it was first answered.
    pub answered_at: Option<T>,
    /// The leg the caller is bridged to.
    pub peer: Option<LegRef>,
    /// The leg ringing the call's line.
    pub alerting: Option<LegId>,
    /// A dialling call whose caller leg is bridged to this call (a dialled retrieve).
    pub alias: Option<CallId>,
    /// The ring the engine was waiting on (its leg did not survive: it is rung again).
    pub pending: Option<DurableRing>,
    /// The call's timer.
    pub timer: Option<DurableTimer<T>>,
    /// A rescue in progress.
    pub rescue: Option<Rescue>,
    /// The pickup that took the call from its line.
    pub picked: Option<Picked>,
}

/// A parked call's park: the code, the people, the clock, and the policy as it was when the
/// call was parked (a later admin change does not stop a park).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DurablePark<T = Instant> {
    /// The code, exactly as dialled.
    pub code: String,
    /// The range it came from.
    pub range: String,
    /// The parker.
    pub parked_by: String,
    /// Who the call is for.
    #[serde(rename = "for")]
    pub for_note: Option<String>,
    /// The policy it runs under, as it was at park time.
    pub policy: ParkPolicy,
    /// When it was parked.
    pub parked_at: T,
    /// When the parked clock runs out (kept while a retrieve rings).
    pub deadline: T,
    /// The next transition in the current stage.
    pub expires_at: T,
    /// Lifecycle stage.
    pub stage: Stage,
    /// Current ring-back attempt (0 before the first).
    pub ringback: u32,
    /// The `answer_with_hold` intent.
    pub hold: IntentId,
    /// Taken from its phone: a failure must not drop it.
    pub taken: bool,
    /// How the call stood before the park.
    pub before: Before,
}

/// A ring the engine placed and was waiting on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DurableRing {
    /// The ring intent's id.
    pub id: IntentId,
    /// Who it rang.
    pub target: String,
    /// What an answer means.
    pub purpose: Purpose,
}

/// A call's timer: when, and what it means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DurableTimer<T = Instant> {
    /// When it fires.
    pub at: T,
    /// What it means.
    pub due: Due,
}

/// A change to the durable records, in the order they must be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)] // short-lived in a queue
pub enum DurableChange {
    /// Insert or replace the call's record.
    Put(DurableCall),
    /// The call no longer needs carrying on (it ended, or is only ringing): forget it.
    Remove(CallId),
}

impl<T> DurableCall<T> {
    /// The same record with every time mapped by `f` (to wall-clock and back).
    pub fn map_times<U>(self, mut f: impl FnMut(T) -> U) -> DurableCall<U> {
        DurableCall {
            call: self.call,
            park: self.park.map(|p| DurablePark {
                code: p.code,
                range: p.range,
                parked_by: p.parked_by,
                for_note: p.for_note,
                policy: p.policy,
                parked_at: f(p.parked_at),
                deadline: f(p.deadline),
                expires_at: f(p.expires_at),
                stage: p.stage,
                ringback: p.ringback,
                hold: p.hold,
                taken: p.taken,
                before: p.before,
            }),
            from: self.from,
            to: self.to,
            line: self.line,
            direction: self.direction,
            state: self.state,
            started_at: f(self.started_at),
            answered_at: self.answered_at.map(&mut f),
            peer: self.peer,
            alerting: self.alerting,
            alias: self.alias,
            pending: self.pending,
            timer: self.timer.map(|t| DurableTimer {
                at: f(t.at),
                due: t.due,
            }),
            rescue: self.rescue,
            picked: self.picked,
        }
    }
}

/// Whether the engine must carry `rec` on across a restart: a park, a rescue (the caller is
/// held by the engine), or a call answered and kept connected or on hold. A call only
/// ringing at its line is not: its offer does not outlive the process.
pub(super) fn is_durable(rec: &CallRec) -> bool {
    rec.park.is_some()
        || rec.rescue.is_some()
        || matches!(rec.view.state, CallState::Connected | CallState::Held)
}

/// The record of `rec` as it stands.
pub(super) fn record_of(rec: &CallRec) -> DurableCall {
    let view = &rec.view;
    DurableCall {
        call: view.call.clone(),
        park: rec.park.as_ref().map(|p| DurablePark {
            code: p.code.clone(),
            range: p.range_name.clone(),
            parked_by: p.parked_by.clone(),
            for_note: p.for_note.clone(),
            policy: p.policy.policy.clone(),
            parked_at: p.parked_at,
            deadline: p.deadline,
            expires_at: p.expires_at,
            stage: p.stage.clone(),
            ringback: p.ringback,
            hold: p.hold,
            taken: p.taken,
            before: p.before.clone(),
        }),
        from: view.from.clone(),
        to: view.to.clone(),
        line: view.line.clone(),
        direction: view.direction,
        state: view.state,
        started_at: view.started_at,
        answered_at: view.answered_at,
        peer: rec.peer.clone(),
        alerting: rec.alerting,
        alias: rec.alias.clone(),
        pending: rec.pending.as_ref().map(|p| DurableRing {
            id: p.id,
            target: p.target.clone(),
            purpose: p.purpose.clone(),
        }),
        timer: rec.timer.map(|at| DurableTimer { at, due: rec.due }),
        rescue: rec.rescue.clone(),
        picked: rec.picked.clone(),
    }
}

/// Calls whose record may have changed, and the records last handed out.
#[derive(Debug, Default)]
pub struct DurableLog {
    /// Marked calls, oldest mark first.
    marked: VecDeque<(CallKey, CallId)>,
    /// The keys in `marked` (a call is marked once until polled).
    marked_keys: HashSet<CallKey>,
    /// The last record handed out per call (a call absent here has none in the store).
    written: HashMap<CallId, DurableCall>,
}

impl Engine {
    /// Marks the call under `key`: its durable record is rebuilt at the next
    /// [`Engine::poll_durable`].
    pub(super) fn touch(&mut self, key: CallKey) {
        if self.durable.marked_keys.contains(&key) {
            return;
        }
        if let Some(rec) = self.calls.get(key) {
            let id = rec.view.call.clone();
            self.durable.marked_keys.insert(key);
            self.durable.marked.push_back((key, id));
        }
    }

    /// Marks a call that is ending (its record goes, if it had one).
    pub(super) fn touch_ended(&mut self, key: CallKey, call: &CallId) {
        if self.durable.written.contains_key(call) && self.durable.marked_keys.insert(key) {
            self.durable.marked.push_back((key, call.clone()));
        }
    }

    /// The next change to the durable records, or `None` when there is none. The driver
    /// writes each before it acknowledges what caused it (see the server's engine task).
    pub fn poll_durable(&mut self) -> Option<DurableChange> {
        while let Some((key, call)) = self.durable.marked.pop_front() {
            self.durable.marked_keys.remove(&key);
            let record = self
                .calls
                .get(key)
                .filter(|rec| is_durable(rec))
                .map(record_of);
            match record {
                Some(record) => {
                    if self.durable.written.get(&call) != Some(&record) {
                        self.durable.written.insert(call, record.clone());
                        return Some(DurableChange::Put(record));
                    }
                }
                None => {
                    if self.durable.written.remove(&call).is_some() {
                        return Some(DurableChange::Remove(call));
                    }
                }
            }
        }
        None
    }

    /// The durable record of every call that needs one, as it stands now (what the store
    /// holds once every [`Engine::poll_durable`] change is applied).
    pub fn durable_calls(&self) -> Vec<DurableCall> {
        let mut records: Vec<DurableCall> = self
            .calls
            .iter()
            .filter(|(_, rec)| is_durable(rec))
            .map(|(_, rec)| record_of(rec))
            .collect();
        records.sort_by(|a, b| a.call.cmp(&b.call));
        records
    }

    /// Says that `call`'s record is in the store as `record` (after a restore, so that an
    /// unchanged call is not written again).
    pub(super) fn durable_written(&mut self, record: DurableCall) {
        self.durable.written.insert(record.call.clone(), record);
    }
}
