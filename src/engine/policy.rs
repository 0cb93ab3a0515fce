//! Park policies: who may park, where codes come from, and what happens on timeout.

use serde::{Deserialize, Serialize};

/// How a free code is chosen within a park range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Allocation {
    /// After the last code handed out in the range, wrapping, skipping occupied codes.
    #[default]
    Sequential,
    /// The lowest free code.
    Lowest,
    /// A free code chosen by the engine's seeded RNG.
    Random,
}

/// A park policy, with every setting of DESIGN.md's table. Missing fields take the defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ParkPolicy {
    /// Unique name; `global` applies to everyone without another policy.
    pub name: String,
    /// The user may park.
    pub allow_park: bool,
    /// The `park` range codes come from.
    pub park_range: String,
    /// Ranges the policy's users may retrieve from; empty means `[park_range]`.
    pub retrieve_ranges: Vec<String>,
    /// How a code is chosen.
    pub allocation: Allocation,
    /// Seconds a freed code rests before reuse (soft: used before `range_full`).
    pub reuse_after: u64,
    /// Seconds until ring-back, 10–1800.
    pub park_timeout: u64,
    /// Ring-back attempts, 0–10.
    pub ringback_attempts: u32,
    /// Seconds per ring-back attempt, 5–120.
    pub ringback_ring_time: u64,
    /// Fallback target (directory user or group); `None` = goodbye and release.
    pub on_timeout: Option<String>,
    /// Seconds the fallback target rings, 5–300.
    pub fallback_ring_time: u64,
    /// The parked caller hears music.
    pub music_on_hold: bool,
    /// Queue one PA announcement per park unless the request says otherwise.
    pub announce_on_park: bool,
    /// DTMF digit with which a parked caller goes to fallback at once.
    pub caller_escape_digit: Option<char>,
    /// The `Alert-Info` a ring-back or fallback ring carries (a distinctive ring), if any.
    pub ringback_alert_info: Option<String>,
}

impl Default for ParkPolicy {
    fn default() -> Self {
        ParkPolicy {
            name: "global".into(),
            allow_park: false,
            park_range: "main".into(),
            retrieve_ranges: Vec::new(),
            allocation: Allocation::Sequential,
            reuse_after: 0,
            park_timeout: 300,
            ringback_attempts: 1,
            ringback_ring_time: 20,
            on_timeout: None,
            fallback_ring_time: 30,
            music_on_hold: true,
            announce_on_park: false,
            caller_escape_digit: None,
            ringback_alert_info: None,
        }
    }
}

impl ParkPolicy {
    /// The ranges this policy retrieves from (its park range when none are listed).
    pub fn effective_retrieve_ranges(&self) -> Vec<String> {
        if self.retrieve_ranges.is_empty() {
            vec![self.park_range.clone()]
        } else {
            self.retrieve_ranges.clone()
        }
    }
}

/// A policy given to every member of a group, ranked against the member's other groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupAssignment {
    /// The directory group.
    pub group: String,
    /// The policy it gives.
    pub policy: String,
    /// 1 wins; inserting at a taken rank moves the others down.
    pub rank: u32,
}
