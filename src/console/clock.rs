//! The engine's clock on the console: `hello.now` plus the local monotonic time since, so
//! countdowns stay right on a machine whose wall clock is wrong.

use crate::protocol::Timestamp;
use std::time::Instant;

/// The engine's time, anchored at `hello` and advanced by the local monotonic clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EngineClock {
    engine_at_anchor: Timestamp,
    anchor: Instant,
}

impl EngineClock {
    /// Anchors the engine's `now` (from `hello`) at the local instant it arrived.
    pub fn anchored(engine_now: Timestamp, local: Instant) -> EngineClock {
        EngineClock {
            engine_at_anchor: engine_now,
            anchor: local,
        }
    }

    /// The engine's time at local instant `local`.
    pub fn now_at(&self, local: Instant) -> Timestamp {
        let since = local.saturating_duration_since(self.anchor);
        let ms = i64::try_from(since.as_millis()).unwrap_or(i64::MAX);
        Timestamp::from_unix_millis(self.engine_at_anchor.unix_millis().saturating_add(ms))
    }
}

/// The local monotonic clock: the one place the console reads it.
#[allow(clippy::disallowed_methods)]
pub fn local_now() -> Instant {
    Instant::now()
}

/// Whole seconds from `from` to `to` (negative when `to` is earlier).
pub fn seconds_between(from: Timestamp, to: Timestamp) -> i64 {
    (to.unix_millis() - from.unix_millis()).div_euclid(1000)
}

/// `m:ss` under an hour, `h:mm:ss` above; negative durations show as `0:00`.
pub fn format_duration(seconds: i64) -> String {
    let s = seconds.max(0);
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, (s % 3600) / 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// `HH:MM:SS` of a timestamp (UTC, as the engine sends it).
pub fn format_clock(at: Timestamp) -> String {
    let t = at.0.to_offset(time::UtcOffset::UTC);
    format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_engine_clock_advances_with_local_monotonic_time_from_the_hello_anchor() {
        let local = local_now();
        let hello = Timestamp::parse("2026-11-21T10:00:00.000Z").unwrap();
        let clock = EngineClock::anchored(hello, local);
        let later = clock.now_at(local + Duration::from_millis(61_500));
        assert_eq!(later.to_rfc3339(), "2026-11-21T10:01:01.500Z");
    }

    #[test]
    fn durations_format_as_minutes_or_hours() {
        assert_eq!(format_duration(5), "0:05");
        assert_eq!(format_duration(305), "5:05");
        assert_eq!(format_duration(3725), "1:02:05");
        assert_eq!(format_duration(-3), "0:00");
    }
}
