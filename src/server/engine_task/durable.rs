//! Durable call state in the engine task: the engine's records written to the store as
//! wall-clock JSON, the rule that makes them durable before anything is acknowledged, and
//! the restore at start.
//!
//! The rule ("before a park is acknowledged, its record is in the store"):
//! - a pump's record changes are queued to the store before that pump's intents go to the
//!   SIP side (which awaits a store flush before its `200 OK`; the store is one ordered
//!   queue, so that flush covers these writes too);
//! - the events of a pump that changed records are published only once the store has
//!   written them: they wait, in order, in a FIFO of held batches that a flush releases.
//!   Events of later pumps queue behind them, so nothing is reordered, and the task's loop
//!   never waits. With no store, nothing is held.

use super::EngineTask;
use crate::engine::durable::DurableCall;
use crate::engine::{BrokenRecord, CallId, DurableChange, Instant, RestoreError};
use crate::protocol::UtcClock;
use crate::server::hub::Published;
use crate::store::DurableRow;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use tokio::sync::mpsc;

/// The version of the body this build writes (and the only one it reads).
pub const BODY_VERSION: u32 = 1;

/// The stored body: the engine's record with every time as UTC Unix milliseconds.
#[derive(Debug, Serialize, Deserialize)]
struct Body {
    version: u32,
    #[serde(flatten)]
    record: DurableCall<i64>,
}

/// The body of `record` for the store: JSON, times as UTC Unix milliseconds.
pub fn encode(record: &DurableCall, utc: &UtcClock) -> String {
    let body = Body {
        version: BODY_VERSION,
        record: record.clone().map_times(|at| utc.at(at).unix_millis()),
    };
    // A body of strings, numbers and enums always serializes.
    serde_json::to_string(&body).unwrap_or_default()
}

/// A stored row back as a record on this process's clock (`utc`): a wall-clock time before
/// the clock's start reads as its start. A row that does not read back is a
/// [`BrokenRecord`] naming what could be salvaged (its code) and why.
pub fn decode(row: &DurableRow, utc: &UtcClock) -> Result<DurableCall, BrokenRecord> {
    let broken = |reason: String| BrokenRecord {
        call: CallId(row.call.clone()),
        code: salvage_code(&row.body),
        reason,
    };
    let body: Body = serde_json::from_str(&row.body).map_err(|e| broken(e.to_string()))?;
    if body.version != BODY_VERSION {
        return Err(broken(format!(
            "version {} (this engine reads {BODY_VERSION})",
            body.version
        )));
    }
    if body.record.call.0 != row.call {
        return Err(broken(format!(
            "the row of call {} holds call {}",
            row.call, body.record.call
        )));
    }
    let origin = utc.origin_unix_ms;
    Ok(body
        .record
        .map_times(|ms| Instant(u64::try_from(ms.saturating_sub(origin)).unwrap_or(0))))
}

/// The park code of a body that does not parse (truncated, say), if its text still shows
/// one: the park comes right after the call's id, so a cut-off body usually still has it.
fn salvage_code(body: &str) -> Option<String> {
    let start = body.find("\"code\":\"")? + "\"code\":\"".len();
    let rest = &body[start..];
    let end = rest.find('"')?;
    let code = &rest[..end];
    (!code.is_empty() && code.len() <= 32).then(|| code.to_string())
}

/// The earliest wall-clock time (UTC Unix ms) the readable rows hold: a start-up builds its
/// clock to reach back that far ([`crate::runtime::DriverClock::start_reaching_back`]), so
/// that restored calls keep their `started_at` and `parked_at`.
pub fn oldest_time(rows: &[DurableRow]) -> Option<i64> {
    rows.iter()
        .filter_map(|row| serde_json::from_str::<Body>(&row.body).ok())
        .flat_map(|body| {
            let record = body.record;
            let parked = record.park.map(|p| p.parked_at);
            [Some(record.started_at), record.answered_at, parked]
        })
        .flatten()
        .min()
}

/// The row the store keeps for `record`, written at `now`.
pub fn row(record: &DurableCall, utc: &UtcClock, now: Instant) -> DurableRow {
    DurableRow {
        call: record.call.0.clone(),
        leg: String::new(),
        body: encode(record, utc),
        updated_at: utc.at(now).unix_millis(),
    }
}

/// What a restore did: the calls carried on, and those that ended `lost` (with why).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RestoreReport {
    /// Calls restored, in the order of the rows.
    pub restored: Vec<CallId>,
    /// Calls that could not be, and why (those ended `lost`, but for a call the engine
    /// already had).
    pub lost: Vec<(CallId, RestoreError)>,
}

/// Events held until the store has written the record changes before them.
#[derive(Debug)]
pub(super) struct Held {
    /// Held batches, oldest first: the flush that releases each, and its events.
    batches: VecDeque<(u64, Vec<Published>)>,
    next: u64,
    /// Told the number of each batch whose flush answered.
    flushed: mpsc::UnboundedSender<u64>,
}

impl Held {
    /// No batch held; flush answers are told on `flushed`.
    pub(super) fn new(flushed: mpsc::UnboundedSender<u64>) -> Held {
        Held {
            batches: VecDeque::new(),
            next: 0,
            flushed,
        }
    }

    /// Whether events must wait (a batch is held).
    pub(super) fn is_holding(&self) -> bool {
        !self.batches.is_empty()
    }

    /// Holds an event behind the batches already held.
    pub(super) fn hold(&mut self, event: Published) {
        if let Some((_, events)) = self.batches.back_mut() {
            events.push(event);
        }
    }

    /// Opens a batch released when `store` answers a flush sent now.
    fn open(&mut self, store: &crate::store::Store) {
        let id = self.next;
        self.next += 1;
        self.batches.push_back((id, Vec::new()));
        let store = store.clone();
        let flushed = self.flushed.clone();
        tokio::spawn(async move {
            if let Err(e) = store.flush().await {
                // The events go out all the same: what failed is already in the log, and
                // subscribers must not wait on a store that cannot write.
                tracing::error!(error = %e, "durable call records were not written");
            }
            let _ = flushed.send(id);
        });
    }

    /// The events released by the flush of batch `id` (and every batch before it: the
    /// store answers in order, so an answer covers every write sent before it).
    pub(super) fn release(&mut self, id: u64) -> Vec<Published> {
        let mut out = Vec::new();
        while self.batches.front().is_some_and(|(first, _)| *first <= id) {
            if let Some((_, events)) = self.batches.pop_front() {
                out.extend(events);
            }
        }
        out
    }

    /// Every held event, in order (at the end, after a last flush).
    pub(super) fn release_all(&mut self) -> Vec<Published> {
        self.batches
            .drain(..)
            .flat_map(|(_, events)| events)
            .collect()
    }
}

impl EngineTask {
    /// Queues a pump's record changes to the store; if there were any, the pump's events
    /// are held until the store has written them. Returns whether there were any.
    pub(super) fn write_durable(&mut self, changes: Vec<(Instant, DurableChange)>) -> bool {
        if changes.is_empty() {
            return false;
        }
        let Some(store) = &self.store else {
            return false;
        };
        let utc = *self.clock.utc();
        for (at, change) in changes {
            match change {
                DurableChange::Put(record) => store.put_durable_call(row(&record, &utc, at)),
                DurableChange::Remove(call) => store.remove_durable_call(&call.0),
            }
        }
        self.held.open(store);
        true
    }

    /// Ends a restored call `lost` with `reason` (its switch side could not be carried on),
    /// exactly once; then everything that set off goes out as after any input.
    pub fn end_lost(&mut self, call: &CallId, reason: &str) -> bool {
        let now = self.clock.now();
        let ended = self.engine.end_lost(now, call, reason);
        self.pump(now);
        ended
    }

    /// Puts calls back from the store's rows at start, before [`EngineTask::run`]: each row
    /// read on this process's clock and restored under its code (a row that does not read
    /// back, or cannot be carried on, ends `lost` with the reason), then everything the
    /// restore set off (rings again for rings under way, `lost` events, record rewrites)
    /// goes out as after any input.
    pub fn restore_calls(&mut self, rows: &[DurableRow]) -> RestoreReport {
        let now = self.clock.now();
        let utc = *self.clock.utc();
        let records: Vec<Result<DurableCall, BrokenRecord>> =
            rows.iter().map(|row| decode(row, &utc)).collect();
        let lost = self.engine.restore(now, records);
        if let Some(store) = &self.store {
            // A call ended `lost` must not be lost again at the next start.
            for (call, err) in &lost {
                if !matches!(err, RestoreError::CallExists(_)) {
                    store.remove_durable_call(&call.0);
                }
            }
        }
        let restored = rows
            .iter()
            .map(|row| CallId(row.call.clone()))
            .filter(|call| !lost.iter().any(|(c, _)| c == call))
            .collect();
        self.pump(now);
        RestoreReport { restored, lost }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::EventName;
    use crate::engine::objects::{CallState, Direction};
    use crate::engine::switch::Party;

    fn record() -> DurableCall {
        DurableCall {
            call: CallId("s-4".into()),
            park: None,
            from: Party::default(),
            to: "reception".into(),
            line: "reception".into(),
            direction: Direction::Inbound,
            state: CallState::Connected,
            started_at: Instant(5_000),
            answered_at: Some(Instant(7_000)),
            peer: None,
            alerting: None,
            alias: None,
            pending: None,
            timer: None,
            rescue: None,
            picked: None,
        }
    }

    #[test]
    fn a_record_goes_to_wall_clock_and_back_onto_the_next_processs_clock() {
        let first = UtcClock {
            origin_unix_ms: 1_000_000,
        };
        let row = row(&record(), &first, Instant(9_000));
        assert_eq!(row.updated_at, 1_009_000);
        let body: serde_json::Value = serde_json::from_str(&row.body).unwrap();
        assert_eq!(body["version"], BODY_VERSION);
        assert_eq!(body["started_at"], 1_005_000);
        // The next process started 3 s after the first.
        let next = UtcClock {
            origin_unix_ms: 1_003_000,
        };
        let back = decode(&row, &next).unwrap();
        assert_eq!(back.started_at, Instant(2_000));
        assert_eq!(back.answered_at, Some(Instant(4_000)));
        let later = UtcClock {
            origin_unix_ms: 1_006_000,
        };
        assert_eq!(decode(&row, &later).unwrap().started_at, Instant::ZERO);
    }

    #[test]
    fn a_row_that_does_not_read_back_is_broken_with_the_reason() {
        let utc = UtcClock { origin_unix_ms: 0 };
        let mut row = row(&record(), &utc, Instant::ZERO);
        row.body.truncate(30);
        let broken = decode(&row, &utc).unwrap_err();
        assert_eq!(broken.call, CallId("s-4".into()));
        assert!(broken.reason.contains("EOF"), "{}", broken.reason);
        let other = DurableRow {
            call: "s-5".into(),
            ..super::row(&record(), &utc, Instant::ZERO)
        };
        assert!(decode(&other, &utc).unwrap_err().reason.contains("s-5"));
    }

    fn event(seq: u64) -> Published {
        Published {
            seq,
            name: EventName::ParkStarted,
            text: format!("{seq}").into(),
            concerns: Vec::new(),
        }
    }

    #[tokio::test]
    async fn held_events_go_out_in_order_once_the_store_wrote_what_came_before_them() {
        let store = crate::store::Store::open_in_memory().unwrap();
        let (tx, mut rx) = mpsc::unbounded_channel();
        let mut held = Held::new(tx);
        assert!(!held.is_holding());
        held.open(&store);
        held.hold(event(1));
        held.open(&store);
        held.hold(event(2));
        held.hold(event(3));
        assert!(held.is_holding());
        let mut out = Vec::new();
        while held.is_holding() {
            let batch = rx.recv().await.unwrap();
            out.extend(held.release(batch).into_iter().map(|e| e.seq));
        }
        assert_eq!(out, [1, 2, 3]);
        assert!(held.release_all().is_empty());
    }

    #[test]
    fn a_truncated_body_still_names_its_code() {
        let body = r#"{"version":1,"call":"s-4","park":{"code":"705","range":"ma"#;
        assert_eq!(salvage_code(body).as_deref(), Some("705"));
        assert_eq!(salvage_code(r#"{"version":1,"call":"s-4","pa"#), None);
    }
}
