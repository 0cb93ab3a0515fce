//! The one place the server reads the wall clock and the monotonic clock, and maps the
//! engine's instants to UTC.

use crate::engine::Instant;
use crate::protocol::{Timestamp, UtcClock};

/// The driver's clock: monotonic instants for the engine, UTC for the wire.
#[derive(Debug, Clone, Copy)]
pub struct DriverClock {
    start: std::time::Instant,
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
            start: std::time::Instant::now(),
            utc: UtcClock {
                origin_unix_ms: unix_ms,
            },
        }
    }

    /// The engine's `now`.
    #[allow(clippy::disallowed_methods)] // the driver is where time enters the system
    pub fn now(&self) -> Instant {
        Instant(u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX))
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
        tokio::time::Instant::from_std(self.start + std::time::Duration::from_millis(at.0))
    }
}
