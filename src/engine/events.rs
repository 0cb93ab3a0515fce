//! What the engine reports: every change as a named event carrying the whole object.

use super::objects::{Announcement, Call, ParkOutcome, Parked, PickupGroupView};
use super::switch::CallId;
use serde::Serialize;

/// The protocol's event names (PROTOCOL.md, "Events").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[allow(missing_docs)]
pub enum EventName {
    CallOffered,
    CallRinging,
    CallAnswered,
    CallHeld,
    CallUnheld,
    CallEnded,
    CallTransferred,
    ParkStarted,
    ParkRetrieving,
    ParkReturned,
    ParkTimeout,
    ParkRingback,
    ParkFallback,
    ParkExtended,
    ParkFailed,
    ParkEnded,
    PickupRinging,
    PickupPicked,
    PickupFailed,
    AnnouncementQueued,
    AnnouncementStarted,
    AnnouncementFinished,
    AnnouncementFailed,
    AnnouncementDropped,
    EngineStopping,
    EngineRestarting,
}

impl EventName {
    /// Every event name.
    pub const ALL: [EventName; 26] = {
        use EventName::*;
        [
            CallOffered,
            CallRinging,
            CallAnswered,
            CallHeld,
            CallUnheld,
            CallEnded,
            CallTransferred,
            ParkStarted,
            ParkRetrieving,
            ParkReturned,
            ParkTimeout,
            ParkRingback,
            ParkFallback,
            ParkExtended,
            ParkFailed,
            ParkEnded,
            PickupRinging,
            PickupPicked,
            PickupFailed,
            AnnouncementQueued,
            AnnouncementStarted,
            AnnouncementFinished,
            AnnouncementFailed,
            AnnouncementDropped,
            EngineStopping,
            EngineRestarting,
        ]
    };

    /// The name whose wire name is `name` (an event read back from a log).
    pub fn from_wire(name: &str) -> Option<EventName> {
        EventName::ALL.into_iter().find(|n| n.as_str() == name)
    }

    /// The wire name, e.g. `park.started`.
    pub fn as_str(self) -> &'static str {
        use EventName::*;
        match self {
            CallOffered => "call.offered",
            CallRinging => "call.ringing",
            CallAnswered => "call.answered",
            CallHeld => "call.held",
            CallUnheld => "call.unheld",
            CallEnded => "call.ended",
            CallTransferred => "call.transferred",
            ParkStarted => "park.started",
            ParkRetrieving => "park.retrieving",
            ParkReturned => "park.returned",
            ParkTimeout => "park.timeout",
            ParkRingback => "park.ringback",
            ParkFallback => "park.fallback",
            ParkExtended => "park.extended",
            ParkFailed => "park.failed",
            ParkEnded => "park.ended",
            PickupRinging => "pickup.ringing",
            PickupPicked => "pickup.picked",
            PickupFailed => "pickup.failed",
            AnnouncementQueued => "announcement.queued",
            AnnouncementStarted => "announcement.started",
            AnnouncementFinished => "announcement.finished",
            AnnouncementFailed => "announcement.failed",
            AnnouncementDropped => "announcement.dropped",
            EngineStopping => "engine.stopping",
            EngineRestarting => "engine.restarting",
        }
    }
}

/// The object an event concerns, whole and current.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Subject {
    /// A call.
    Call(Call),
    /// A parked call.
    Parked(Parked),
    /// A pickup group.
    Group(PickupGroupView),
    /// An announcement.
    Announcement(Announcement),
    /// The engine itself (`engine.stopping`, `engine.restarting`).
    Engine,
}

/// Fields added beside the object where they apply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Detail {
    /// How a park ended.
    pub outcome: Option<ParkOutcome>,
    /// Who took or did it.
    pub by: Option<String>,
    /// Why (a failure cause, an end cause).
    pub cause: Option<String>,
    /// A human-readable reason.
    pub reason: Option<String>,
    /// The user a picked-up call rang for.
    #[serde(rename = "for")]
    pub for_user: Option<String>,
    /// The call concerned, where the subject is a group.
    pub call: Option<CallId>,
}

/// One event out of the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineEvent {
    /// Its name.
    pub name: EventName,
    /// The object it concerns.
    pub subject: Subject,
    /// Extra fields.
    pub detail: Detail,
}

#[cfg(test)]
mod tests {
    use super::EventName;

    /// Its place in [`EventName::ALL`]; no wildcard, so a new event name does not compile
    /// until it has one.
    fn place(name: EventName) -> usize {
        use EventName::*;
        match name {
            CallOffered => 0,
            CallRinging => 1,
            CallAnswered => 2,
            CallHeld => 3,
            CallUnheld => 4,
            CallEnded => 5,
            CallTransferred => 6,
            ParkStarted => 7,
            ParkRetrieving => 8,
            ParkReturned => 9,
            ParkTimeout => 10,
            ParkRingback => 11,
            ParkFallback => 12,
            ParkExtended => 13,
            ParkFailed => 14,
            ParkEnded => 15,
            PickupRinging => 16,
            PickupPicked => 17,
            PickupFailed => 18,
            AnnouncementQueued => 19,
            AnnouncementStarted => 20,
            AnnouncementFinished => 21,
            AnnouncementFailed => 22,
            AnnouncementDropped => 23,
            EngineStopping => 24,
            EngineRestarting => 25,
        }
    }

    #[test]
    fn every_event_name_is_in_all_and_reads_back_from_its_wire_name() {
        for (i, name) in EventName::ALL.into_iter().enumerate() {
            assert_eq!(place(name), i, "{name:?} out of place in ALL");
            assert_eq!(EventName::from_wire(name.as_str()), Some(name));
        }
        assert_eq!(
            EventName::from_wire("engine.restarting"),
            Some(EventName::EngineRestarting)
        );
    }
}
