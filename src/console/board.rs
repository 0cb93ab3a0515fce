//! What the engine has told this console: calls, parked calls, pickup groups and
//! announcements, kept exactly as the engine's events and snapshots describe them.

use crate::protocol::{
    Announcement, AnnouncementState, Call, CallState, EventFrame, Group, ParkState, Parked,
    Snapshot, Timestamp,
};
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;

/// A parked call with when its current phase began (for the bar toward the next transition).
#[derive(Debug, Clone, PartialEq)]
pub struct ParkedEntry {
    /// The engine's object.
    pub parked: Parked,
    /// When the current state began; `None` when unknown (a snapshot taken mid-ring-back).
    pub phase_started: Option<Timestamp>,
}

/// The board: every object the console shows, keyed by its id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Board {
    /// Calls not ended, by call id.
    pub calls: BTreeMap<String, Call>,
    /// Parked calls, by code.
    pub parked: BTreeMap<String, ParkedEntry>,
    /// Pickup groups, by group id.
    pub groups: BTreeMap<String, Group>,
    /// Announcements not done, by id.
    pub announcements: BTreeMap<String, Announcement>,
}

/// Why an event could not be applied (the board is left unchanged).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("event {event} (seq {seq}) has unreadable data: {detail}")]
pub struct ApplyError {
    /// The event name.
    pub event: String,
    /// Its seq.
    pub seq: u64,
    /// What was wrong.
    pub detail: String,
}

fn parse<T: DeserializeOwned>(frame: &EventFrame) -> Result<T, ApplyError> {
    serde_json::from_value(frame.data.clone()).map_err(|e| ApplyError {
        event: frame.event.clone(),
        seq: frame.seq,
        detail: e.to_string(),
    })
}

/// The phase start of a parked call whose state is `state`: its park time while parked.
fn phase_for_new(parked: &Parked) -> Option<Timestamp> {
    match parked.state {
        ParkState::Parked => Some(parked.parked_at),
        _ => None,
    }
}

impl Board {
    /// The board a snapshot describes, replacing everything known before.
    pub fn from_snapshot(snapshot: &Snapshot) -> Board {
        let mut board = Board::default();
        for call in &snapshot.calls {
            if call.state != CallState::Ended {
                board.calls.insert(call.call.0.clone(), call.clone());
            }
        }
        for parked in &snapshot.parked {
            let phase_started = phase_for_new(parked);
            board.parked.insert(
                parked.code.clone(),
                ParkedEntry {
                    parked: parked.clone(),
                    phase_started,
                },
            );
        }
        for group in &snapshot.pickup_groups {
            board.groups.insert(group.group.clone(), group.clone());
        }
        for a in &snapshot.announcements {
            if is_active(a.state) {
                board
                    .announcements
                    .insert(a.announcement.clone(), a.clone());
            }
        }
        board
    }

    /// Applies one event. Data that does not parse is refused whole: nothing changes.
    pub fn apply(&mut self, frame: &EventFrame) -> Result<(), ApplyError> {
        let family = frame.event.split('.').next().unwrap_or_default();
        match (family, frame.event.as_str()) {
            (_, "park.failed") => {
                // A failed park concerns a call taken from its phone; the call's own events
                // carry what happens to it. Nothing on the board is parked.
            }
            (_, "park.ended") => {
                let parked: Parked = parse(frame)?;
                self.parked.remove(&parked.code);
            }
            ("park", _) => {
                let parked: Parked = parse(frame)?;
                let phase_started = match self.parked.get(&parked.code) {
                    Some(old) if old.parked.state == parked.state => old.phase_started,
                    Some(_) if parked.state == ParkState::Parked => Some(parked.parked_at),
                    Some(_) => Some(frame.at),
                    None if parked.state == ParkState::Parked => Some(parked.parked_at),
                    None => Some(frame.at),
                };
                self.parked.insert(
                    parked.code.clone(),
                    ParkedEntry {
                        parked,
                        phase_started,
                    },
                );
            }
            ("call", _) => {
                let call: Call = parse(frame)?;
                if call.state == CallState::Ended || frame.event == "call.ended" {
                    self.calls.remove(&call.call.0);
                } else {
                    self.calls.insert(call.call.0.clone(), call);
                }
            }
            ("pickup", _) => {
                let group: Group = parse(frame)?;
                self.groups.insert(group.group.clone(), group);
            }
            ("announcement", _) => {
                let a: Announcement = parse(frame)?;
                if is_active(a.state) {
                    self.announcements.insert(a.announcement.clone(), a);
                } else {
                    self.announcements.remove(&a.announcement);
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Calls at `line` that a receptionist can act on: ringing, connected or held; ringing
    /// first, then oldest first.
    pub fn desk_calls(&self, line: &str) -> Vec<&Call> {
        let mut calls: Vec<&Call> = self
            .calls
            .values()
            .filter(|c| c.line == line)
            .filter(|c| {
                matches!(
                    c.state,
                    CallState::Ringing | CallState::Connected | CallState::Held
                )
            })
            .collect();
        // Ringing calls first (they need answering), then by age.
        calls.sort_by(|a, b| {
            (b.state == CallState::Ringing)
                .cmp(&(a.state == CallState::Ringing))
                .then_with(|| a.started_at.cmp(&b.started_at))
                .then_with(|| a.call.cmp(&b.call))
        });
        calls
    }

    /// Calls ringing in pickup groups.
    pub fn ringing_in_groups(&self) -> usize {
        self.groups.values().map(|g| g.ringing.len()).sum()
    }

    /// Desk calls ringing at `line`.
    pub fn ringing_at(&self, line: &str) -> usize {
        self.calls
            .values()
            .filter(|c| c.line == line && c.state == CallState::Ringing)
            .count()
    }
}

fn is_active(state: AnnouncementState) -> bool {
    matches!(
        state,
        AnnouncementState::Queued | AnnouncementState::Playing
    )
}
