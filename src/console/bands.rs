//! Timer bands of a parked call: normal, warning from a share of its time, critical near
//! the end or once it is past its park timeout. Each band has a colour role **and** a glyph
//! and a word, so no state is told by colour alone.

use super::board::ParkedEntry;
use crate::protocol::{ParkState, Timestamp};

/// How urgent a parked call's timer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Band {
    /// Plenty of time left.
    Normal,
    /// Past the warning share of its time.
    Warning,
    /// Nearly out of time, or already ringing back / in fallback.
    Critical,
}

impl Band {
    /// The glyph shown beside the time.
    pub fn glyph(self) -> &'static str {
        match self {
            Band::Normal => "·",
            Band::Warning => "▲",
            Band::Critical => "‼",
        }
    }

    /// The word shown where there is room.
    pub fn word(self) -> &'static str {
        match self {
            Band::Normal => "ok",
            Band::Warning => "soon",
            Band::Critical => "due",
        }
    }
}

/// The share of its time at which a call turns critical: 90 %, or later than the warning.
fn critical_share(warning_share: f64) -> f64 {
    0.9_f64
        .max(warning_share + (1.0 - warning_share) / 2.0)
        .min(1.0)
}

/// Where a parked call stands against its next transition at `now`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timing {
    /// Seconds since it was parked.
    pub elapsed: i64,
    /// Seconds to the next transition (never negative).
    pub remaining: i64,
    /// Share of the current phase used, 0.0–1.0 (for the bar).
    pub used: f64,
    /// The band.
    pub band: Band,
}

/// The timing of `entry` at `now` with warnings from `warning_share` (0.0–1.0).
pub fn timing(entry: &ParkedEntry, now: Timestamp, warning_share: f64) -> Timing {
    let p = &entry.parked;
    let now_ms = now.unix_millis();
    let expires = p.expires_at.unix_millis();
    let start = entry.phase_started.unwrap_or(p.parked_at).unix_millis();
    let total = (expires - start).max(1) as f64;
    let used = ((now_ms - start) as f64 / total).clamp(0.0, 1.0);
    let remaining = (expires - now_ms).max(0).div_euclid(1000);
    let elapsed = (now_ms - p.parked_at.unix_millis()).max(0).div_euclid(1000);
    let past_timeout = matches!(p.state, ParkState::RingingBack | ParkState::Fallback);
    let band = if past_timeout || used >= critical_share(warning_share) {
        Band::Critical
    } else if used >= warning_share {
        Band::Warning
    } else {
        Band::Normal
    };
    Timing {
        elapsed,
        remaining,
        used,
        band,
    }
}

/// The state's word as the board shows it: `parked`, `retrieving`, `ringback 1/2`, `fallback`.
pub fn state_word(entry: &ParkedEntry) -> String {
    let p = &entry.parked;
    match p.state {
        ParkState::Parked => "parked".to_string(),
        ParkState::Retrieving => "retrieving".to_string(),
        ParkState::RingingBack => format!("ringback {}/{}", p.ringback, p.ringbacks_max),
        ParkState::Fallback => "fallback".to_string(),
    }
}

/// A bar of `width` cells filled to `used`.
pub fn bar(used: f64, width: usize) -> String {
    let filled = ((used.clamp(0.0, 1.0) * width as f64).round() as usize).min(width);
    let mut out = String::with_capacity(width * 3);
    out.extend(std::iter::repeat_n('█', filled));
    out.extend(std::iter::repeat_n('░', width - filled));
    out
}
