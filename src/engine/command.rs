//! Commands into the engine from clients (the protocol's ops) and what they return.
//!
//! The argument structs use the protocol's field names, so the server decodes an op's
//! `args` straight into them; unknown fields are ignored.

use super::clock::Instant;
use super::directory::{Group, User};
use super::objects::Announcement;
use super::orbit::OrbitRange;
use super::policy::{GroupAssignment, ParkPolicy};
use super::switch::CallId;
use serde::{Deserialize, Serialize};

/// `park`: park a call ringing at or connected to the actor's line.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct ParkArgs {
    /// The call.
    pub call: CallId,
    /// A directed code; otherwise the next free code of the policy's range.
    pub code: Option<String>,
    /// Who the call is for.
    #[serde(rename = "for")]
    pub for_note: Option<String>,
    /// Queue a PA announcement (wins over the policy's `announce_on_park`).
    pub announce: Option<bool>,
    /// Seconds until ring-back for this call, 10–1800.
    pub timeout: Option<u64>,
}

/// `retrieve`: take a parked call to a line.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct RetrieveArgs {
    /// The code.
    pub code: String,
    /// A user or line; default the actor's own line.
    pub to: Option<String>,
}

/// `extend`: add time to a parked call.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct ExtendArgs {
    /// The code.
    pub code: String,
    /// Seconds to add to the time left, 1–1800.
    pub seconds: u64,
}

/// `announce`: queue a PA announcement for a code or of free text.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, Default)]
pub struct AnnounceArgs {
    /// A parked call's code.
    pub code: Option<String>,
    /// Free text.
    pub text: Option<String>,
    /// Times to play, 1–5 (default 1).
    pub repeat: Option<u8>,
    /// PA zone (default `default`).
    pub zone: Option<String>,
    /// Higher plays first (default 0).
    pub priority: Option<i32>,
}

/// `pickup`: take a call ringing in a pickup group.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct PickupArgs {
    /// The group's id or number.
    pub group: String,
    /// A particular call; default the longest-ringing.
    pub call: Option<CallId>,
}

/// `transfer`: send a call to a user, group or allow-listed number.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct TransferArgs {
    /// The call.
    pub call: CallId,
    /// Where to.
    pub to: String,
}

/// `hangup`: release a call.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct HangupArgs {
    /// The call.
    pub call: CallId,
}

/// What a station says of an announcement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportState {
    /// Playback began (object state `playing`).
    Started,
    /// Playback ended.
    Finished,
    /// Playback failed.
    Failed,
}

/// `announcement.report`: a station reports on an announcement.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct ReportArgs {
    /// The announcement's id.
    pub announcement: String,
    /// What happened.
    pub state: ReportState,
    /// Why, for `failed`.
    pub reason: Option<String>,
}

/// Administration of the engine's directory, ranges and policies (`range.*`, `policy.*`,
/// `user.*`, `group.*`, `allow.*`). Each is validated as a whole before anything changes.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(tag = "op", content = "args")]
pub enum AdminCommand {
    /// Add or replace a range.
    #[serde(rename = "range.set")]
    RangeSet(OrbitRange),
    /// Remove a range (refused while a policy or group uses it).
    #[serde(rename = "range.remove")]
    RangeRemove {
        /// The range.
        name: String,
    },
    /// Add or replace a policy.
    #[serde(rename = "policy.set")]
    PolicySet(ParkPolicy),
    /// Remove a policy (refused for `global` and while assigned).
    #[serde(rename = "policy.remove")]
    PolicyRemove {
        /// The policy.
        name: String,
    },
    /// Assign a policy to a group at a rank (ranks at or below move down).
    #[serde(rename = "policy.assign_group")]
    PolicyAssignGroup(GroupAssignment),
    /// Remove a group's policy assignment.
    #[serde(rename = "policy.unassign_group")]
    PolicyUnassignGroup {
        /// The group.
        group: String,
    },
    /// Add or replace a user.
    #[serde(rename = "user.set")]
    UserSet(User),
    /// Remove a user.
    #[serde(rename = "user.remove")]
    UserRemove {
        /// The user.
        id: String,
    },
    /// Add or replace a group.
    #[serde(rename = "group.set")]
    GroupSet(Group),
    /// Remove a group.
    #[serde(rename = "group.remove")]
    GroupRemove {
        /// The group.
        id: String,
    },
    /// Allow a number as a transfer/ring target.
    #[serde(rename = "allow.add")]
    AllowAdd {
        /// The number.
        number: String,
    },
    /// Take a number off the allow-list.
    #[serde(rename = "allow.remove")]
    AllowRemove {
        /// The number.
        number: String,
    },
}

/// A command into the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `park`.
    Park(ParkArgs),
    /// `retrieve`.
    Retrieve(RetrieveArgs),
    /// `extend`.
    Extend(ExtendArgs),
    /// `announce`.
    Announce(AnnounceArgs),
    /// `pickup`.
    Pickup(PickupArgs),
    /// `transfer`.
    Transfer(TransferArgs),
    /// `hangup`.
    Hangup(HangupArgs),
    /// `announcement.report`.
    Report(ReportArgs),
    /// Administration.
    Admin(AdminCommand),
}

/// What a command returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandOk {
    /// `park`: the code, read out, and when it rings back.
    Parked {
        /// The code.
        code: String,
        /// Read out.
        spoken: String,
        /// Ring-back time.
        expires_at: Instant,
    },
    /// `retrieve`, `pickup`: the call concerned.
    Call {
        /// The call.
        call: CallId,
    },
    /// `extend`: the new ring-back time.
    Extended {
        /// The new time.
        expires_at: Instant,
    },
    /// `announce`: the queued announcement.
    Announced(Announcement),
    /// Everything else.
    Done,
}
