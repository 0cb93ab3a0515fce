//! The one place the server reads the wall clock and the monotonic clock, and maps the
//! engine's instants to UTC.
//!
//! The monotonic clock is tokio's: outside tests it is the OS's, and under tokio's paused
//! time (`#[tokio::test(start_paused = true)]`, `tokio::time::pause`) it is the virtual clock
//! the test advances, so a server test runs a 300 s ring-back in milliseconds.

use crate::engine::Instant;
use crate::protocol::{Timestamp, UtcClock};
use std::time::Duration;

/// The driver's clock: monotonic instants for the engine, UTC for the wire.
#[derive(Debug, Clone, Copy)]
pub struct DriverClock {
    start: tokio::time::Instant,
    utc: UtcClock,
}

impl DriverClock {
    /// Starts the clock now: `Instant::ZERO` is this moment.
    #[allow(clippy::disallowed_methods)] // the driver is where time enters the system
    pub fn start() -> DriverClock {
        let unix_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        DriverClock {
            start: tokio::time::Instant::now(),
            utc: UtcClock {
                origin_unix_ms: unix_ms,
            },
        }
    }

    /// Starts the clock now with `Instant::ZERO` at `unix_ms` (if that is in the past and
    /// the monotonic clock reaches that far back), so that instants restored from an earlier
    /// process (a parked call's `parked_at`) are representable; else as [`DriverClock::start`].
    #[allow(clippy::disallowed_methods)] // the driver is where time enters the system
    pub fn start_reaching_back(unix_ms: i64) -> DriverClock {
        let clock = DriverClock::start();
        let back = clock.utc.origin_unix_ms.saturating_sub(unix_ms);
        let Ok(back) = u64::try_from(back) else {
            return clock;
        };
        match clock.start.checked_sub(Duration::from_millis(back)) {
            Some(start) => DriverClock {
                start,
                utc: UtcClock {
                    origin_unix_ms: unix_ms,
                },
            },
            None => clock,
        }
    }

    /// The engine's `now`.
    #[allow(clippy::disallowed_methods)] // the driver is where time enters the system
    pub fn now(&self) -> Instant {
        let elapsed = tokio::time::Instant::now().saturating_duration_since(self.start);
        Instant(u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX))
    }

    /// The map from instants to UTC.
    pub fn utc(&self) -> &UtcClock {
        &self.utc
    }

    /// UTC now.
    pub fn utc_now(&self) -> Timestamp {
        self.utc.at(self.now())
    }

    /// The tokio instant at which the engine's clock reads `at`.
    pub fn deadline(&self, at: Instant) -> tokio::time::Instant {
        self.start + Duration::from_millis(at.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn under_paused_time_the_clock_reads_the_virtual_time() {
        let clock = DriverClock::start();
        tokio::time::sleep(Duration::from_secs(300)).await;
        assert_eq!(clock.now(), Instant(300_000));
        assert_eq!(
            clock.deadline(Instant(300_000)),
            clock.start + Duration::from_secs(300)
        );
    }

    #[tokio::test(start_paused = true)]
    #[allow(clippy::disallowed_methods)] // the test compares with tokio's clock itself
    async fn a_clock_reaching_back_reads_the_time_since_then() {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        let now = DriverClock::start().utc_now().unix_millis();
        let clock = DriverClock::start_reaching_back(now - 60_000);
        assert!((clock.now().as_millis() as i64 - 60_000).abs() < 50);
        assert_eq!(clock.utc().origin_unix_ms, now - 60_000);
        let deadline = clock.deadline(Instant(clock.now().as_millis() + 1000));
        assert_eq!(
            deadline,
            tokio::time::Instant::now() + Duration::from_secs(1)
        );
    }
}
