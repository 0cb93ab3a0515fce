//! The engine's timers: at most one per call, ordered by deadline.
//!
//! Every lifecycle state that waits (parked, retrieving, ringing back, fallback, a ring the
//! engine placed, a rescue re-ring) arms its call's single timer; leaving the state or ending
//! the call disarms it, so no timer ever fires for a call that is gone.

use super::arena::CallKey;
use super::clock::Instant;
use std::collections::BTreeSet;

/// Deadlines by call.
#[derive(Debug, Default)]
pub struct Timers {
    queue: BTreeSet<(Instant, CallKey)>,
}

impl Timers {
    /// Arms `call`'s timer at `at`, replacing the one in `slot`.
    pub fn arm(&mut self, call: CallKey, slot: &mut Option<Instant>, at: Instant) {
        if let Some(old) = slot.replace(at) {
            self.queue.remove(&(old, call));
        }
        self.queue.insert((at, call));
    }

    /// Disarms `call`'s timer, if any.
    pub fn disarm(&mut self, call: CallKey, slot: &mut Option<Instant>) {
        if let Some(old) = slot.take() {
            self.queue.remove(&(old, call));
        }
    }

    /// The earliest deadline.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.queue.first().map(|(at, _)| *at)
    }

    /// Removes and returns the earliest timer due at `now`. The caller clears the call's slot.
    pub fn pop_due(&mut self, now: Instant) -> Option<(Instant, CallKey)> {
        let first = *self.queue.first()?;
        if first.0 > now {
            return None;
        }
        self.queue.pop_first()
    }
}
