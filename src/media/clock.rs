//! The media task's clock: time since the task started, read in one place.

use std::time::Duration;
use tokio::time::Instant;

/// Monotonic time for the media task, as a [`Duration`] since its start (so the pure parts —
/// the pacer, the outgoing stream state — take plain durations and test without a clock).
#[derive(Clone, Copy, Debug)]
pub struct MediaClock {
    epoch: Instant,
}

impl MediaClock {
    /// A clock whose zero is now.
    pub fn start() -> MediaClock {
        MediaClock { epoch: read() }
    }

    /// Time since the clock started.
    pub fn now(&self) -> Duration {
        read().saturating_duration_since(self.epoch)
    }

    /// The instant `at` after the start, for timers.
    pub fn instant(&self, at: Duration) -> Instant {
        self.epoch + at
    }
}

#[allow(clippy::disallowed_methods)] // the media driver reads the clock here and nowhere else
fn read() -> Instant {
    Instant::now()
}
