//! Counts abusive frames (not JSON, over 64 KiB): three within a minute close the connection.

use crate::engine::Instant;
use std::collections::VecDeque;
use std::time::Duration;

/// The window abusive frames are counted in.
pub const WINDOW: Duration = Duration::from_secs(60);

/// How many abusive frames within [`WINDOW`] close the connection.
pub const LIMIT: usize = 3;

/// Recent abusive frames of one connection.
#[derive(Debug, Default)]
pub struct AbuseCounter {
    seen: VecDeque<Instant>,
}

impl AbuseCounter {
    /// Records one abusive frame at `now`; whether the connection must now close.
    pub fn record(&mut self, now: Instant) -> bool {
        while self
            .seen
            .front()
            .is_some_and(|t| now.saturating_since(*t) >= WINDOW)
        {
            self.seen.pop_front();
        }
        self.seen.push_back(now);
        self.seen.len() >= LIMIT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_bad_frames_within_a_minute_close_but_spread_out_they_do_not() {
        let mut c = AbuseCounter::default();
        assert!(!c.record(Instant(0)));
        assert!(!c.record(Instant(30_000)));
        assert!(
            !c.record(Instant(61_000)),
            "the first one has left the window"
        );
        assert!(c.record(Instant(62_000)));
    }
}
