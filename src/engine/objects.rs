//! The objects the engine reports in its events: calls, parked calls, pickup groups and
//! announcements, each whole, as the protocol's `data` carries them.

use super::clock::Instant;
use super::directory::PickupBy;
use super::switch::{CallId, Party};
use serde::{Deserialize, Serialize};

/// Where a call stands, as the board shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallState {
    /// Ringing at its line.
    Ringing,
    /// Talking to someone.
    Connected,
    /// On hold at its line.
    Held,
    /// Held by the engine under a code.
    Parked,
    /// Over.
    Ended,
}

/// Which way a call goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From outside.
    Inbound,
    /// To outside.
    Outbound,
    /// Between users.
    Internal,
}

/// A call the engine knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    /// Id.
    pub call: CallId,
    /// The caller.
    pub from: Party,
    /// The user or line it is for.
    pub to: String,
    /// The line it is at now (a user id).
    pub line: String,
    /// Direction.
    pub direction: Direction,
    /// State.
    pub state: CallState,
    /// When it was offered.
    pub started_at: Instant,
    /// When it was first answered.
    pub answered_at: Option<Instant>,
}

/// Where a parked call is in its lifecycle (see `engine::lifecycle` for the state table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParkState {
    /// Holding, clock running toward the timeout.
    Parked,
    /// A console retrieve is ringing the desk.
    Retrieving,
    /// Ringing the parker back (attempt `ringback` of `ringbacks_max`).
    RingingBack,
    /// Ringing the policy's `on_timeout` target.
    Fallback,
}

/// How a parked call ended; every park ends exactly once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParkOutcome {
    /// Someone took it with its code or a console retrieve.
    Retrieved,
    /// The caller hung up or vanished.
    Abandoned,
    /// The parker answered a ring-back.
    AnsweredRingback,
    /// The fallback target answered.
    AnsweredFallback,
    /// Nobody answered; released with a goodbye (or released at shutdown).
    Released,
    /// The switch failed to hold it.
    Failed,
    /// The engine died while it was parked (recorded at next start).
    Lost,
}

impl ParkOutcome {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ParkOutcome::Retrieved => "retrieved",
            ParkOutcome::Abandoned => "abandoned",
            ParkOutcome::AnsweredRingback => "answered_ringback",
            ParkOutcome::AnsweredFallback => "answered_fallback",
            ParkOutcome::Released => "released",
            ParkOutcome::Failed => "failed",
            ParkOutcome::Lost => "lost",
        }
    }
}

/// A parked call as the board shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parked {
    /// The code, exactly as dialled.
    pub code: String,
    /// The code read out ("seven zero five").
    pub spoken: String,
    /// The range it came from.
    pub range: String,
    /// The call's id.
    pub call: CallId,
    /// The caller.
    pub caller: Party,
    /// Who parked it.
    pub parked_by: String,
    /// The "for" note (who the call is for).
    #[serde(rename = "for")]
    pub for_note: Option<String>,
    /// The policy it runs under.
    pub policy: String,
    /// When it was parked.
    pub parked_at: Instant,
    /// The next transition in the current state.
    pub expires_at: Instant,
    /// Lifecycle state.
    pub state: ParkState,
    /// The current ring-back attempt (0 before the first).
    pub ringback: u32,
    /// The policy's ring-back attempts.
    pub ringbacks_max: u32,
}

/// A pickup group with the calls ringing in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickupGroupView {
    /// The group's id.
    pub group: String,
    /// Its pickup number.
    pub number: String,
    /// Its display name.
    pub name: String,
    /// Member user ids.
    pub members: Vec<String>,
    /// Who may pick up.
    pub pickup_by: PickupBy,
    /// Calls ringing for members, longest-ringing first.
    pub ringing: Vec<Call>,
}

/// Where an announcement stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnnouncementState {
    /// Waiting for its zone's station.
    Queued,
    /// The station is playing it.
    Playing,
    /// Played.
    Finished,
    /// Could not be played (`reason` says why).
    Failed,
    /// No longer needed (its call was retrieved or ended first).
    Dropped,
}

/// A PA announcement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Announcement {
    /// Id (`a-3`).
    pub announcement: String,
    /// The park code it announces, if any.
    pub code: Option<String>,
    /// The "for" name, if any (the station composes the words from its template).
    #[serde(rename = "for")]
    pub for_note: Option<String>,
    /// What is said.
    pub text: String,
    /// The PA zone (`default` unless named).
    pub zone: String,
    /// Higher plays first.
    pub priority: i32,
    /// Times played, 1–5.
    pub repeat: u8,
    /// State.
    pub state: AnnouncementState,
    /// Why it failed or was dropped.
    pub reason: Option<String>,
    /// When it was queued.
    pub queued_at: Instant,
}
