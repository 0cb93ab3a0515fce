//! The station's own queue: the announcements waiting for its zone, higher priority first,
//! then in the order they arrived (the engine's order).

use crate::protocol::Announcement;
use std::time::Instant;

/// An announcement waiting to be played, with when the station heard of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiting {
    /// The announcement as the engine sent it.
    pub announcement: Announcement,
    /// When its `announcement.queued` event (or the snapshot holding it) arrived.
    pub heard_at: Instant,
    /// Arrival order.
    order: u64,
}

/// Waiting announcements.
#[derive(Debug, Default)]
pub struct Queue {
    waiting: Vec<Waiting>,
    arrivals: u64,
}

impl Queue {
    /// Adds `announcement` unless it is already waiting. Returns whether it was added.
    pub fn offer(&mut self, announcement: Announcement, heard_at: Instant) -> bool {
        if self.contains(&announcement.announcement) {
            return false;
        }
        self.arrivals += 1;
        self.waiting.push(Waiting {
            announcement,
            heard_at,
            order: self.arrivals,
        });
        true
    }

    /// Takes `id` out (it was dropped, failed or finished elsewhere). Returns whether it
    /// was waiting.
    pub fn remove(&mut self, id: &str) -> bool {
        let before = self.waiting.len();
        self.waiting.retain(|w| w.announcement.announcement != id);
        self.waiting.len() != before
    }

    /// Whether `id` is waiting.
    pub fn contains(&self, id: &str) -> bool {
        self.waiting
            .iter()
            .any(|w| w.announcement.announcement == id)
    }

    /// Takes the one to play next: the highest priority, the earliest among equals.
    pub fn take_next(&mut self) -> Option<Waiting> {
        let best = self
            .waiting
            .iter()
            .enumerate()
            .min_by_key(|(_, w)| (-i64::from(w.announcement.priority), w.order))
            .map(|(i, _)| i)?;
        Some(self.waiting.remove(best))
    }

    /// How many wait.
    pub fn len(&self) -> usize {
        self.waiting.len()
    }

    /// Whether none waits.
    pub fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }

    /// Forgets every waiting announcement (after a reconnect the snapshot says what waits).
    pub fn clear(&mut self) {
        self.waiting.clear();
    }
}
