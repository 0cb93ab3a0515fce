//! The protocol's objects (call, parked, group, announcement) with UTC times, and their
//! construction from the engine's objects.

use super::time::{Timestamp, UtcClock};
use crate::engine::directory::PickupBy;
use crate::engine::objects::{AnnouncementState, CallState, Direction, ParkState};
use crate::engine::switch::{CallId, Party};
use crate::engine::{self, EngineEvent, Subject};
use serde::{Deserialize, Serialize};

/// A call (`call` in PROTOCOL.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    /// Id.
    pub call: CallId,
    /// The caller.
    pub from: Party,
    /// The user or line it is for.
    pub to: String,
    /// The line it is at.
    pub line: String,
    /// Direction.
    pub direction: Direction,
    /// State.
    pub state: CallState,
    /// When it was offered.
    pub started_at: Timestamp,
    /// When it was answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<Timestamp>,
}

impl Call {
    /// The wire form of an engine call.
    pub fn from_engine(c: &engine::Call, clock: &UtcClock) -> Call {
        Call {
            call: c.call.clone(),
            from: c.from.clone(),
            to: c.to.clone(),
            line: c.line.clone(),
            direction: c.direction,
            state: c.state,
            started_at: clock.at(c.started_at),
            answered_at: c.answered_at.map(|t| clock.at(t)),
        }
    }
}

/// A parked call (`parked` in PROTOCOL.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parked {
    /// The code exactly as dialled.
    pub code: String,
    /// Read out.
    pub spoken: String,
    /// Its range.
    pub range: String,
    /// The call's id.
    pub call: CallId,
    /// The caller.
    pub caller: Party,
    /// Who parked it.
    pub parked_by: String,
    /// Who it is for.
    #[serde(rename = "for")]
    pub for_note: Option<String>,
    /// The policy it runs under.
    pub policy: String,
    /// When it was parked.
    pub parked_at: Timestamp,
    /// The next transition in the current state.
    pub expires_at: Timestamp,
    /// Lifecycle state.
    pub state: ParkState,
    /// Current ring-back attempt.
    pub ringback: u32,
    /// Attempts the policy allows.
    pub ringbacks_max: u32,
}

impl Parked {
    /// The wire form of an engine parked call.
    pub fn from_engine(p: &engine::Parked, clock: &UtcClock) -> Parked {
        Parked {
            code: p.code.clone(),
            spoken: p.spoken.clone(),
            range: p.range.clone(),
            call: p.call.clone(),
            caller: p.caller.clone(),
            parked_by: p.parked_by.clone(),
            for_note: p.for_note.clone(),
            policy: p.policy.clone(),
            parked_at: clock.at(p.parked_at),
            expires_at: clock.at(p.expires_at),
            state: p.state,
            ringback: p.ringback,
            ringbacks_max: p.ringbacks_max,
        }
    }
}

/// A pickup group (`group` in PROTOCOL.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// Id.
    pub group: String,
    /// Pickup number.
    pub number: String,
    /// Name.
    pub name: String,
    /// Member user ids.
    pub members: Vec<String>,
    /// Who may pick up.
    #[serde(default)]
    pub pickup_by: PickupBy,
    /// Calls ringing for members, longest-ringing first.
    pub ringing: Vec<Call>,
}

impl Group {
    /// The wire form of an engine pickup group.
    pub fn from_engine(g: &engine::PickupGroupView, clock: &UtcClock) -> Group {
        Group {
            group: g.group.clone(),
            number: g.number.clone(),
            name: g.name.clone(),
            members: g.members.clone(),
            pickup_by: g.pickup_by,
            ringing: g
                .ringing
                .iter()
                .map(|c| Call::from_engine(c, clock))
                .collect(),
        }
    }
}

/// An announcement (`announcement` in PROTOCOL.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Announcement {
    /// Id.
    pub announcement: String,
    /// The code announced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Who the call is for (the station's template uses it).
    #[serde(rename = "for", default, skip_serializing_if = "Option::is_none")]
    pub for_note: Option<String>,
    /// What is said.
    pub text: String,
    /// PA zone.
    pub zone: String,
    /// Higher first.
    pub priority: i32,
    /// Times played.
    pub repeat: u8,
    /// State.
    pub state: AnnouncementState,
    /// Why it failed or was dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When it was queued.
    pub queued_at: Timestamp,
}

impl Announcement {
    /// The wire form of an engine announcement.
    pub fn from_engine(a: &engine::Announcement, clock: &UtcClock) -> Announcement {
        Announcement {
            announcement: a.announcement.clone(),
            code: a.code.clone(),
            for_note: a.for_note.clone(),
            text: a.text.clone(),
            zone: a.zone.clone(),
            priority: a.priority,
            repeat: a.repeat,
            state: a.state,
            reason: a.reason.clone(),
            queued_at: clock.at(a.queued_at),
        }
    }
}

/// The `data` of an engine event: the whole object, with `outcome`, `by`, `cause`, `reason`,
/// `for` and `call` beside its fields where they apply.
pub fn event_data(event: &EngineEvent, clock: &UtcClock) -> serde_json::Value {
    let mut data = match &event.subject {
        Subject::Call(c) => serde_json::to_value(Call::from_engine(c, clock)),
        Subject::Parked(p) => serde_json::to_value(Parked::from_engine(p, clock)),
        Subject::Group(g) => serde_json::to_value(Group::from_engine(g, clock)),
        Subject::Announcement(a) => serde_json::to_value(Announcement::from_engine(a, clock)),
        Subject::Engine => Ok(serde_json::json!({})),
    }
    .unwrap_or_else(|_| serde_json::json!({}));
    if let (Some(map), Ok(serde_json::Value::Object(extra))) =
        (data.as_object_mut(), serde_json::to_value(&event.detail))
    {
        for (k, v) in extra {
            if v.is_null() {
                continue;
            }
            // A detail's `call` names the call of a group event; a call object keeps its own.
            map.entry(k).or_insert(v);
        }
    }
    data
}
