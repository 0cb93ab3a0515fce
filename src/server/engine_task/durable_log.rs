//! The engine task's side of the store's history: where a run picks up (the epoch, the
//! last seq, the first id number), every published event appended to the durable log, and
//! the heartbeat that says when the engine was last alive. All of it fire-and-forget: the
//! engine task never waits on the store.

use super::EngineTask;
use super::hub::Published;
use crate::protocol::Timestamp;
use crate::store::{Store, StoreError, StoredEvent};
use std::time::Duration;

/// Id numbers reserved per run (and again whenever a run nears the end of its block).
pub const ID_BLOCK: u64 = 1_000_000;

/// How often the engine writes its heartbeat.
pub const HEARTBEAT: Duration = Duration::from_secs(1);

/// Where a run picks up the history of its store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resume {
    /// The epoch naming the history (the same as the last run's unless the store is new).
    pub epoch: String,
    /// The last seq the store logged: this run's first event is the next.
    pub last_seq: u64,
    /// The first number this run's call and announcement ids (`s-N`, `c-N`, `a-N`) carry.
    pub first_id: u64,
}

impl Resume {
    /// A run without a store: a random epoch, seq and ids from 1.
    pub fn fresh() -> Resume {
        Resume {
            epoch: crate::runtime::entropy::random_hex(8),
            last_seq: 0,
            first_id: 1,
        }
    }

    /// Reads the store's epoch (a new store gets one) and last seq, and reserves this run's
    /// block of id numbers; all written before it returns, so a crash right after start
    /// still never reuses an id.
    pub async fn load(store: &Store) -> Result<Resume, StoreError> {
        Ok(Resume {
            epoch: store.epoch().await?,
            last_seq: store.last_seq().await?,
            first_id: store.reserve_ids(ID_BLOCK).await?,
        })
    }
}

impl EngineTask {
    /// Picks up the store's history: seq goes on from the last logged event; the simulated
    /// switch's calls and the engine's announcements are numbered from this run's block.
    pub fn resume(mut self, resume: &Resume) -> EngineTask {
        self.seq = resume.last_seq;
        self.engine.number_announcements_from(resume.first_id);
        if let Some(sim) = &mut self.sim {
            sim.number_calls_from(resume.first_id);
        }
        self.id_ceiling = resume.first_id.saturating_add(ID_BLOCK);
        self
    }

    /// Appends a published event to the store's log.
    pub(super) fn log_event(&self, event: &Published, at: Timestamp) {
        if let Some(store) = &self.store {
            store.append_event(StoredEvent {
                seq: event.seq,
                at: at.unix_millis(),
                name: event.name.as_str().to_string(),
                concerns: event.concerns.clone(),
                frame: event.text.to_string(),
            });
        }
    }

    /// Once a second: the heartbeat, and more id numbers once half the block is used.
    pub(super) fn heartbeat(&mut self) {
        let Some(store) = &self.store else {
            return;
        };
        store.alive_at(self.clock.utc_now());
        let next = [
            Some(self.engine.next_announcement_number()),
            self.sim.as_ref().map(|s| s.next_call_number()),
            self.sip.as_ref().map(|s| s.next_call_number()),
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(1);
        if next.saturating_add(ID_BLOCK / 2) > self.id_ceiling {
            self.id_ceiling = next.saturating_add(ID_BLOCK);
            store.raise_id_floor(self.id_ceiling);
        }
    }
}
