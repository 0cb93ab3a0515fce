//! Putting calls back after the process was replaced: each durable record is re-inserted
//! under the same code, its clock going on from where it was. A ring that was under way did
//! not survive the process, so it is rung again for the time left of it (same attempt).
//! Restoring is silent: no `park.started` again, no stage events (consoles get the missed
//! events replayed from the durable log).
//!
//! A record that cannot be carried on ends `lost`, exactly once: `park.ended` with outcome
//! `lost` and a reason (when it was parked), then `call.ended` with cause `lost`, and the
//! switch is told to release whatever it still holds of the call.

use super::Engine;
use super::arena::CallKey;
use super::clock::Instant;
use super::compiled::PolicyEntry;
use super::durable::{DurableCall, DurablePark};
use super::events::{Detail, EventName, Subject};
use super::lifecycle::ring_display;
use super::objects::{Call, CallState, ParkOutcome, ParkState, Parked};
use super::orbit::spoken;
use super::records::{CallRec, Due, ParkRec, Purpose, Stage};
use super::switch::{CallId, IntentId, LegId};
use std::sync::Arc;
use thiserror::Error;

/// A durable record that could not be read back: all that is known of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenRecord {
    /// The call it was about.
    pub call: CallId,
    /// Its park code, if that much could be read.
    pub code: Option<String>,
    /// Why it could not be read.
    pub reason: String,
}

/// Why a call could not be restored; each but [`RestoreError::CallExists`] ended it `lost`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RestoreError {
    /// The record could not be read.
    #[error("the durable record is broken: {0}")]
    Broken(String),
    /// The code is in no park range of the current setup.
    #[error("code {0} is no longer in a park range")]
    CodeGone(String),
    /// Another restored call already holds the code.
    #[error("code {code} is already held by call {holder}")]
    CodeTaken {
        /// The code.
        code: String,
        /// The call that holds it.
        holder: CallId,
    },
    /// The engine already has a call with this id (nothing was ended).
    #[error("the engine already has call {0}")]
    CallExists(CallId),
}

impl Engine {
    /// Puts calls back from their durable records, at `now` (every time in them already on
    /// this process's clock; a deadline already past fires at the next timeout). Records are
    /// taken in order: of two on one code the first keeps it. Returns the calls that could
    /// not be restored, and why; those ended `lost` (see the module docs).
    ///
    /// Drain [`Engine::poll_intent`] after it: a ring that was under way is rung again.
    pub fn restore(
        &mut self,
        now: Instant,
        records: Vec<Result<DurableCall, BrokenRecord>>,
    ) -> Vec<(CallId, RestoreError)> {
        let mut failed = Vec::new();
        for record in records {
            match record {
                Ok(record) => {
                    let call = record.call.clone();
                    if let Err(err) = self.restore_one(now, record) {
                        failed.push((call, err));
                    }
                }
                Err(broken) => {
                    let err = RestoreError::Broken(broken.reason.clone());
                    self.lost_unrestored(now, &broken.call, broken.code.as_deref(), &err);
                    failed.push((broken.call, err));
                }
            }
        }
        failed
    }

    /// A restored call whose switch side proves it cannot be carried on: its park ends
    /// `lost` with `reason`, the call ends, and the switch releases what is left of it.
    /// Returns false (and does nothing) for a call the engine no longer has, so a call ends
    /// `lost` at most once.
    pub fn end_lost(&mut self, now: Instant, call: &CallId, reason: &str) -> bool {
        let Some(&key) = self.by_id.get(call) else {
            return false;
        };
        self.release_all(key);
        let detail = Detail {
            reason: Some(reason.to_string()),
            ..Detail::default()
        };
        self.finish_park_as(now, key, ParkOutcome::Lost, detail.clone());
        let detail = Detail {
            cause: Some("lost".into()),
            ..detail
        };
        self.end_call_as(key, detail);
        true
    }

    /// Asks the switch to release the call and any other call its caller is bridged to.
    fn release_all(&mut self, key: CallKey) {
        let Some(rec) = self.calls.get(key) else {
            return;
        };
        let call = rec.view.call.clone();
        let other = rec.peer.as_ref().map(|p| p.call.clone());
        self.release(call.clone(), None);
        if let Some(other) = other.filter(|o| *o != call) {
            self.release(other, None);
        }
    }

    fn restore_one(&mut self, now: Instant, record: DurableCall) -> Result<(), RestoreError> {
        if self.by_id.contains_key(&record.call) || self.aliases.contains_key(&record.call) {
            return Err(RestoreError::CallExists(record.call));
        }
        let place = match &record.park {
            Some(park) => match self.free_code(&park.code) {
                Ok(place) => Some(place),
                Err(err) => {
                    self.lost_record(&record, &err);
                    return Err(err);
                }
            },
            None => None,
        };
        self.bump_intents(&record);
        let written = record.clone();
        let (rec, timer, pending) = self.rebuild(record, place);
        let state = rec.view.state;
        let call = rec.view.call.clone();
        let alias = rec.alias.clone();
        let key = self.calls.insert(rec);
        self.by_id.insert(call, key);
        if let Some(alias) = alias {
            self.aliases.insert(alias, key);
        }
        if let Some((range, offset)) = place
            && let Some(codes) = self.codes.get_mut(range)
        {
            codes.take(offset, key);
        }
        if state == CallState::Held {
            self.held.push(key);
        }
        self.durable_written(written);
        match (pending, timer) {
            (Some((target, purpose)), timer) => {
                // The ring's leg died with the process: ring again for the time it had left.
                let (at, due) = timer.unwrap_or((now, Due::RingUnanswered));
                let display = self.ring_text(key, &purpose);
                self.ring(key, &target, purpose, display, at, due);
            }
            (None, Some((at, due))) => self.arm(key, at, due),
            (None, None) => self.touch(key),
        }
        Ok(())
    }

    /// The range and offset of `code`, if it is in a park range and free.
    fn free_code(&self, code: &str) -> Result<(usize, u32), RestoreError> {
        let (range, offset) = self
            .compiled
            .locate_code(code)
            .ok_or_else(|| RestoreError::CodeGone(code.to_string()))?;
        if let Some(holder) = self.codes.get(range).and_then(|c| c.holder(offset)) {
            let holder = self
                .calls
                .get(holder)
                .map(|rec| rec.view.call.clone())
                .unwrap_or_else(|| CallId(String::new()));
            return Err(RestoreError::CodeTaken {
                code: code.to_string(),
                holder,
            });
        }
        Ok((range, offset))
    }

    /// Intent ids go on from the highest the record names, so a new ring never takes the
    /// name of a leg that survived.
    fn bump_intents(&mut self, record: &DurableCall) {
        let leg_id = |leg: &LegId| match leg {
            LegId::Ring(IntentId(id)) => *id,
            LegId::Caller | LegId::Line => 0,
        };
        let park = record.park.as_ref();
        let ids = [
            record.peer.as_ref().map_or(0, |p| leg_id(&p.leg)),
            record.alerting.as_ref().map_or(0, leg_id),
            record.pending.as_ref().map_or(0, |p| p.id.0),
            park.map_or(0, |p| p.hold.0),
            park.and_then(|p| p.before.peer.as_ref())
                .map_or(0, |p| leg_id(&p.leg)),
            park.and_then(|p| p.before.alerting.as_ref())
                .map_or(0, leg_id),
        ];
        let highest = ids.into_iter().max().unwrap_or(0);
        self.out.last_intent = self.out.last_intent.max(highest);
    }

    /// The call record, its timer and its pending ring (target, purpose), from a record.
    #[allow(clippy::type_complexity)]
    fn rebuild(
        &self,
        record: DurableCall,
        place: Option<(usize, u32)>,
    ) -> (CallRec, Option<(Instant, Due)>, Option<(String, Purpose)>) {
        let view = Call {
            call: record.call,
            from: record.from,
            to: record.to,
            line: record.line,
            direction: record.direction,
            state: record.state,
            started_at: record.started_at,
            answered_at: record.answered_at,
        };
        let park = match (record.park, place) {
            (Some(park), Some((range, offset))) => Some(self.rebuild_park(park, range, offset)),
            _ => None,
        };
        let mut rec = CallRec::new(view);
        rec.peer = record.peer;
        rec.alerting = record.alerting;
        rec.park = park;
        rec.rescue = record.rescue;
        rec.picked = record.picked;
        rec.alias = record.alias;
        let timer = record.timer.map(|t| (t.at, t.due));
        let pending = record.pending.map(|p| (p.target, p.purpose));
        (rec, timer, pending)
    }

    fn rebuild_park(&self, park: DurablePark, range: usize, offset: u32) -> ParkRec {
        let range_name = self
            .compiled
            .ranges
            .get(range)
            .map_or(park.range, |r| r.name.clone());
        ParkRec {
            spoken: spoken(&park.code),
            code: park.code,
            range,
            range_name,
            offset,
            parked_by: park.parked_by,
            for_note: park.for_note,
            policy: self.policy_entry(park.policy, range),
            parked_at: park.parked_at,
            deadline: park.deadline,
            expires_at: park.expires_at,
            stage: park.stage,
            ringback: park.ringback,
            hold: park.hold,
            taken: park.taken,
            before: park.before,
        }
    }

    /// The policy a park ran under, resolved against the current ranges: the current entry
    /// when the policy is unchanged (shared), else a snapshot of its own.
    fn policy_entry(
        &self,
        policy: super::policy::ParkPolicy,
        code_range: usize,
    ) -> Arc<PolicyEntry> {
        if let Some(entry) = self.compiled.policies.get(&policy.name)
            && entry.policy == policy
        {
            return entry.clone();
        }
        let index_of = |name: &str| self.compiled.ranges.iter().position(|r| r.name == name);
        let park_range = index_of(&policy.park_range).unwrap_or(code_range);
        let retrieve = policy
            .effective_retrieve_ranges()
            .iter()
            .filter_map(|name| index_of(name))
            .collect();
        Arc::new(PolicyEntry {
            policy,
            park_range,
            retrieve,
        })
    }

    /// What a ring for `purpose` shows on the phone (as when it was first rung).
    fn ring_text(&self, key: CallKey, purpose: &Purpose) -> String {
        let Some(rec) = self.calls.get(key) else {
            return String::new();
        };
        let code = rec.park.as_ref().map_or("", |p| p.code.as_str());
        match purpose {
            Purpose::Retrieve { .. } | Purpose::Ringback | Purpose::Fallback => {
                ring_display(&["Park ", code, ": "], &rec.view.from)
            }
            Purpose::Pickup { .. } => ring_display(&["Pickup: "], &rec.view.from),
            Purpose::Transfer { .. } => ring_display(&["Transfer: "], &rec.view.from),
            Purpose::Rescue => ring_display(&["Call for you: "], &rec.view.from),
        }
    }

    /// A record that read back but cannot be carried on: its park and call end `lost`.
    fn lost_record(&mut self, record: &DurableCall, err: &RestoreError) {
        let view = Call {
            call: record.call.clone(),
            from: record.from.clone(),
            to: record.to.clone(),
            line: record.line.clone(),
            direction: record.direction,
            state: CallState::Ended,
            started_at: record.started_at,
            answered_at: record.answered_at,
        };
        let parked = record.park.as_ref().map(|park| Parked {
            code: park.code.clone(),
            spoken: spoken(&park.code),
            range: park.range.clone(),
            call: record.call.clone(),
            caller: record.from.clone(),
            parked_by: park.parked_by.clone(),
            for_note: park.for_note.clone(),
            policy: park.policy.name.clone(),
            parked_at: park.parked_at,
            expires_at: park.expires_at,
            state: park_state(&park.stage),
            ringback: park.ringback,
            ringbacks_max: park.policy.ringback_attempts,
        });
        let other = record.peer.as_ref().map(|p| p.call.clone());
        self.emit_lost(view, parked, other, err);
    }

    /// A record that could not be read: what is known of it ends `lost`.
    fn lost_unrestored(
        &mut self,
        now: Instant,
        call: &CallId,
        code: Option<&str>,
        err: &RestoreError,
    ) {
        let view = Call {
            call: call.clone(),
            from: Default::default(),
            to: String::new(),
            line: String::new(),
            direction: super::objects::Direction::Inbound,
            state: CallState::Ended,
            started_at: now,
            answered_at: None,
        };
        let parked = code.map(|code| Parked {
            code: code.to_string(),
            spoken: spoken(code),
            range: String::new(),
            call: call.clone(),
            caller: Default::default(),
            parked_by: String::new(),
            for_note: None,
            policy: String::new(),
            parked_at: now,
            expires_at: now,
            state: ParkState::Parked,
            ringback: 0,
            ringbacks_max: 0,
        });
        self.emit_lost(view, parked, None, err);
    }

    /// `park.ended` `lost` (if parked), `call.ended` `lost`, and a release of the call (and
    /// of `other`, a call it was bridged to) for whatever the switch still holds.
    fn emit_lost(
        &mut self,
        view: Call,
        parked: Option<Parked>,
        other: Option<CallId>,
        err: &RestoreError,
    ) {
        let reason = err.to_string();
        tracing::warn!(call = %view.call, %reason, "call lost");
        self.release(view.call.clone(), None);
        if let Some(other) = other.filter(|o| *o != view.call) {
            self.release(other, None);
        }
        if let Some(parked) = parked {
            let detail = Detail {
                outcome: Some(ParkOutcome::Lost),
                reason: Some(reason.clone()),
                ..Detail::default()
            };
            self.emit(EventName::ParkEnded, Subject::Parked(parked), detail);
        }
        let detail = Detail {
            cause: Some("lost".into()),
            reason: Some(reason),
            ..Detail::default()
        };
        self.emit(EventName::CallEnded, Subject::Call(view), detail);
    }
}

fn park_state(stage: &Stage) -> ParkState {
    match stage {
        Stage::Parked => ParkState::Parked,
        Stage::Retrieving { .. } => ParkState::Retrieving,
        Stage::RingingBack => ParkState::RingingBack,
        Stage::Fallback => ParkState::Fallback,
    }
}
