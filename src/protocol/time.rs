//! Wire times: RFC 3339 UTC with milliseconds, and the map from engine instants to UTC.

use crate::engine::Instant;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A UTC time on the wire, e.g. `2026-11-21T10:00:00.123Z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub OffsetDateTime);

impl Timestamp {
    /// Milliseconds since the Unix epoch.
    pub fn unix_millis(self) -> i64 {
        i64::try_from(self.0.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
    }

    /// From milliseconds since the Unix epoch.
    pub fn from_unix_millis(ms: i64) -> Timestamp {
        Timestamp(
            OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
                .unwrap_or(OffsetDateTime::UNIX_EPOCH),
        )
    }

    /// The RFC 3339 text with milliseconds and `Z`.
    pub fn to_rfc3339(self) -> String {
        let t = self.0.to_offset(time::UtcOffset::UTC);
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.millisecond()
        )
    }

    /// Parses RFC 3339 text.
    pub fn parse(text: &str) -> Result<Timestamp, time::error::Parse> {
        OffsetDateTime::parse(text, &Rfc3339).map(Timestamp)
    }
}

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let text = String::deserialize(d)?;
        Timestamp::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Maps the engine's monotonic instants to UTC: the UTC time of `Instant::ZERO`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UtcClock {
    /// Unix milliseconds at `Instant::ZERO`.
    pub origin_unix_ms: i64,
}

impl UtcClock {
    /// The UTC time of an engine instant.
    pub fn at(&self, instant: Instant) -> Timestamp {
        let ms = i64::try_from(instant.as_millis()).unwrap_or(i64::MAX);
        Timestamp::from_unix_millis(self.origin_unix_ms.saturating_add(ms))
    }
}
