//! The engine task's side of the store's history: where a run picks up (the epoch, the
//! last seq, the first id number), every published event appended to the durable log, and
//! the heartbeat that says when the engine was last alive. All of it fire-and-forget: the
//! engine task never waits on the store.

use super::EngineTask;
use super::hub::Published;
use crate::engine::EventName;
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
        self.published_seq = resume.last_seq;
        self.engine.number_announcements_from(resume.first_id);
        if let Some(sim) = &mut self.sim {
            sim.number_calls_from(resume.first_id);
        }
        self.id_ceiling = resume.first_id.saturating_add(ID_BLOCK);
        self
    }

    /// Starts the replay buffer (and a snapshot's `recent`) with the newest events of the
    /// runs before, so a client reconnecting right after a restart is answered from memory.
    pub(super) async fn seed_from_log(&mut self) {
        let Some(store) = &self.store else {
            return;
        };
        let logged = match store.newest_events(self.settings.event_buffer).await {
            Ok(logged) => logged,
            Err(e) => {
                tracing::warn!(error = %e, "reading the event log failed; replays read it later");
                return;
            }
        };
        // Only an unbroken run of events ending at this run's first seq is a replay buffer.
        let mut expected = self.seq;
        let mut seeded = Vec::new();
        for event in logged.into_iter().rev() {
            let Some(name) = EventName::from_wire(&event.name) else {
                break;
            };
            if event.seq != expected {
                break;
            }
            expected = expected.saturating_sub(1);
            seeded.push(Published {
                seq: event.seq,
                name,
                text: event.frame.into(),
                concerns: event.concerns,
            });
        }
        seeded.reverse();
        self.hub.seed(seeded);
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
        if let Some(floor) = raised_floor(next, self.id_ceiling) {
            self.id_ceiling = floor;
            store.raise_id_floor(floor);
        }
    }
}

/// The next run's new first id number, once this run's next number (`next`) has used half
/// of what is reserved below `ceiling`: a block beyond it, so the next run never meets
/// this one's numbers even if this one goes on for a while before it dies.
fn raised_floor(next: u64, ceiling: u64) -> Option<u64> {
    (next.saturating_add(ID_BLOCK / 2) > ceiling).then(|| next.saturating_add(ID_BLOCK))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_id_numbers_are_reserved_once_half_the_block_is_used() {
        let ceiling = 1 + ID_BLOCK;
        assert_eq!(raised_floor(1, ceiling), None);
        assert_eq!(raised_floor(ID_BLOCK / 2 + 1, ceiling), None);
        assert_eq!(
            raised_floor(ID_BLOCK / 2 + 2, ceiling),
            Some(ID_BLOCK / 2 + 2 + ID_BLOCK)
        );
    }
}
