//! The protocol's objects (call, parked, group, announcement) with UTC times, and their
//! construction from the engine's objects.

use super::time::{Timestamp, UtcClock};
// The wire enums are the engine's own (one serde spelling), re-exported so a client reads
// them from the protocol and never reaches down into the engine.
pub use crate::engine::directory::PickupBy;
pub use crate::engine::objects::{AnnouncementState, CallState, Direction, ParkState};
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
/// `for` and `call` beside its fields where they apply (a field of the object wins).
pub fn event_data(event: &EngineEvent, clock: &UtcClock) -> serde_json::Value {
    serde_json::from_str(&event_data_json(event, clock)).unwrap_or_else(|_| serde_json::json!({}))
}

/// [`event_data`] as JSON text, written straight from the objects: the server serialises
/// every event once, for every subscriber, so this path avoids building a JSON tree.
pub fn event_data_json(event: &EngineEvent, clock: &UtcClock) -> String {
    // The keys each object always writes; a detail field of the same name is left out.
    let (object, own_keys): (Result<String, serde_json::Error>, &[&str]) = match &event.subject {
        Subject::Call(c) => (
            serde_json::to_string(&Call::from_engine(c, clock)),
            &["call"],
        ),
        Subject::Parked(p) => (
            serde_json::to_string(&Parked::from_engine(p, clock)),
            &["call", "for"],
        ),
        Subject::Group(g) => (serde_json::to_string(&Group::from_engine(g, clock)), &[]),
        Subject::Announcement(a) => {
            let keys: &[&str] = match (&a.for_note, &a.reason) {
                (Some(_), Some(_)) => &["for", "reason"],
                (Some(_), None) => &["for"],
                (None, Some(_)) => &["reason"],
                (None, None) => &[],
            };
            (
                serde_json::to_string(&Announcement::from_engine(a, clock)),
                keys,
            )
        }
        Subject::Engine => (Ok("{}".to_string()), &[]),
    };
    let mut out = object.unwrap_or_else(|_| "{}".to_string());
    let d = &event.detail;
    let extra: [(&str, Option<String>); 6] = [
        ("outcome", d.outcome.map(|o| format!("\"{}\"", o.as_str()))),
        (
            "by",
            d.by.as_ref().and_then(|v| serde_json::to_string(v).ok()),
        ),
        (
            "cause",
            d.cause.as_ref().and_then(|v| serde_json::to_string(v).ok()),
        ),
        (
            "reason",
            d.reason
                .as_ref()
                .and_then(|v| serde_json::to_string(v).ok()),
        ),
        (
            "for",
            d.for_user
                .as_ref()
                .and_then(|v| serde_json::to_string(v).ok()),
        ),
        (
            "call",
            d.call
                .as_ref()
                .and_then(|v| serde_json::to_string(&v.0).ok()),
        ),
    ];
    for (key, value) in extra {
        let Some(value) = value else { continue };
        if own_keys.contains(&key) {
            continue;
        }
        // `out` is a JSON object: drop its closing brace, add the field, close it again.
        out.pop();
        if out.len() > 1 {
            out.push(',');
        }
        out.push('"');
        out.push_str(key);
        out.push_str("\":");
        out.push_str(&value);
        out.push('}');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::events::{Detail, EventName};
    use crate::engine::objects::ParkOutcome;
    use crate::engine::{Instant, PickupGroupView};

    fn clock() -> UtcClock {
        UtcClock {
            origin_unix_ms: 1_795_000_000_000,
        }
    }

    fn parked() -> engine::Parked {
        engine::Parked {
            code: "705".into(),
            spoken: "seven zero five".into(),
            range: "main".into(),
            call: CallId("c-1".into()),
            caller: Party {
                number: "+15550100".into(),
                name: "Ada \"A\" Lovelace".into(),
            },
            parked_by: "reception".into(),
            for_note: Some("Grace".into()),
            policy: "global".into(),
            parked_at: Instant(1000),
            expires_at: Instant(301_000),
            state: ParkState::Parked,
            ringback: 0,
            ringbacks_max: 1,
        }
    }

    #[test]
    fn a_park_ended_event_carries_the_object_with_outcome_and_by_beside_it() {
        let event = EngineEvent {
            name: EventName::ParkEnded,
            subject: Subject::Parked(parked()),
            detail: Detail {
                outcome: Some(ParkOutcome::Retrieved),
                by: Some("ada".into()),
                for_user: Some("someone else".into()),
                ..Detail::default()
            },
        };
        let data = event_data(&event, &clock());
        assert_eq!(data["code"], "705");
        assert_eq!(data["caller"]["name"], "Ada \"A\" Lovelace");
        assert_eq!(data["outcome"], "retrieved");
        assert_eq!(data["by"], "ada");
        assert_eq!(data["for"], "Grace", "the object's own field wins");
        assert!(
            data["expires_at"]
                .as_str()
                .is_some_and(|t| t.ends_with('Z'))
        );
        let back: Parked = serde_json::from_value(data).expect("a whole parked object");
        assert_eq!(back.code, "705");
    }

    #[test]
    fn a_pickup_event_names_the_call_and_who_picked_it_beside_the_group() {
        let event = EngineEvent {
            name: EventName::PickupPicked,
            subject: Subject::Group(PickupGroupView {
                group: "sales".into(),
                number: "880".into(),
                name: "Sales".into(),
                members: vec!["ada".into()],
                pickup_by: Default::default(),
                ringing: Vec::new(),
            }),
            detail: Detail {
                by: Some("grace".into()),
                for_user: Some("ada".into()),
                call: Some(CallId("c-9".into())),
                ..Detail::default()
            },
        };
        let data = event_data(&event, &clock());
        assert_eq!(data["group"], "sales");
        assert_eq!(data["call"], "c-9");
        assert_eq!(data["by"], "grace");
        assert_eq!(data["for"], "ada");
        assert_eq!(data["ringing"], serde_json::json!([]));
    }
}
