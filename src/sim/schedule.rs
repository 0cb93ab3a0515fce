//! A queue of actions due at virtual instants: the simulator's only notion of time.

use crate::engine::Instant;
use std::collections::BTreeMap;

/// Actions keyed by when they are due; equal instants keep insertion order, so two runs
/// with the same inputs fire the same actions in the same order.
#[derive(Debug, Clone)]
pub(crate) struct Schedule<T> {
    entries: BTreeMap<(Instant, u64), T>,
    inserted: u64,
}

impl<T> Default for Schedule<T> {
    fn default() -> Self {
        Schedule {
            entries: BTreeMap::new(),
            inserted: 0,
        }
    }
}

impl<T> Schedule<T> {
    /// Queues `action` to be due at `at`.
    pub(crate) fn push(&mut self, at: Instant, action: T) {
        self.entries.insert((at, self.inserted), action);
        self.inserted += 1;
    }

    /// When the earliest action is due.
    pub(crate) fn next_due(&self) -> Option<Instant> {
        self.entries.keys().next().map(|(at, _)| *at)
    }

    /// Takes the earliest action if it is due at `now`, with the instant it was due.
    pub(crate) fn pop_due(&mut self, now: Instant) -> Option<(Instant, T)> {
        let first = self.entries.first_entry()?;
        if first.key().0 > now {
            return None;
        }
        let ((at, _), action) = first.remove_entry();
        Some((at, action))
    }

    /// Drops every action for which `keep` says false.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        self.entries.retain(|_, action| keep(action));
    }

    /// How many actions are queued.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_come_out_in_time_order_then_insertion_order() {
        let mut schedule = Schedule::default();
        schedule.push(Instant(20), "late");
        schedule.push(Instant(10), "first");
        schedule.push(Instant(10), "second");
        assert_eq!(schedule.next_due(), Some(Instant(10)));
        assert_eq!(schedule.pop_due(Instant(5)), None);
        assert_eq!(schedule.pop_due(Instant(30)), Some((Instant(10), "first")));
        assert_eq!(schedule.pop_due(Instant(30)), Some((Instant(10), "second")));
        assert_eq!(schedule.pop_due(Instant(30)), Some((Instant(20), "late")));
        assert_eq!(schedule.pop_due(Instant(30)), None);
        assert_eq!(schedule.len(), 0);
    }

    #[test]
    fn retain_drops_only_the_rejected_actions() {
        let mut schedule = Schedule::default();
        schedule.push(Instant(1), 1);
        schedule.push(Instant(2), 2);
        schedule.push(Instant(3), 3);
        schedule.retain(|n| n % 2 == 1);
        assert_eq!(schedule.len(), 2);
        assert_eq!(schedule.pop_due(Instant(9)), Some((Instant(1), 1)));
        assert_eq!(schedule.pop_due(Instant(9)), Some((Instant(3), 3)));
    }
}
