//! The switch's bookkeeping of one call: its legs, what each is doing and whom it talks to.

use super::phone::Behaviour;
use crate::engine::Instant;
use crate::engine::switch::{CallId, LegId, LegRef, Party, Prompt};

/// Where a leg stands on the simulated switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegState {
    /// The outside caller of an offered call waits for an answer (hears ringing).
    Calling,
    /// A phone is ringing for the call.
    Ringing,
    /// The leg is up: answered, bridged, or a user's phone that dialled.
    Connected,
    /// The party on this leg put the call on hold.
    Held,
    /// The engine holds the caller here after `AnswerWithHold` (with or without music).
    Parked {
        /// Whether the caller hears music on hold.
        music: bool,
    },
}

impl LegState {
    /// A short name for messages.
    pub fn as_str(self) -> &'static str {
        match self {
            LegState::Calling => "calling",
            LegState::Ringing => "ringing",
            LegState::Connected => "connected",
            LegState::Held => "held",
            LegState::Parked { .. } => "parked",
        }
    }
}

/// One side of a call on the simulated switch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leg {
    pub(crate) id: LegId,
    pub(crate) phone: Option<String>,
    pub(crate) state: LegState,
    pub(crate) peer: Option<LegRef>,
    /// The phone's behaviour when the ring started (later changes affect new rings only).
    pub(crate) behaviour: Option<Behaviour>,
    pub(crate) display: String,
    pub(crate) since: Instant,
}

impl Leg {
    /// Which leg of its call this is.
    pub fn id(&self) -> LegId {
        self.id
    }

    /// The phone on this leg (a user id or a number); `None` for an outside caller.
    pub fn phone(&self) -> Option<&str> {
        self.phone.as_deref()
    }

    /// What the leg is doing.
    pub fn state(&self) -> LegState {
        self.state
    }

    /// The leg it is bridged to, if any (possibly of another call).
    pub fn peer(&self) -> Option<&LegRef> {
        self.peer.as_ref()
    }

    /// What the ringing phone shows (a `Ring` intent's display text; empty otherwise).
    pub fn display(&self) -> &str {
        &self.display
    }

    /// When the leg entered its current state.
    pub fn since(&self) -> Instant {
        self.since
    }
}

/// How a call came to the switch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// An outside call offered to a line.
    Offered {
        /// The line it rang first.
        line: String,
    },
    /// A user's phone dialled a number the engine serves.
    Dialed {
        /// The user dialling.
        caller: String,
        /// The number dialled.
        number: String,
    },
}

/// A call up on the simulated switch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimCall {
    pub(crate) id: CallId,
    pub(crate) from: Party,
    pub(crate) to: String,
    pub(crate) origin: Origin,
    pub(crate) started_at: Instant,
    pub(crate) legs: Vec<Leg>,
    pub(crate) prompts: Vec<Prompt>,
}

impl SimCall {
    /// The call's id.
    pub fn id(&self) -> &CallId {
        &self.id
    }

    /// The caller.
    pub fn from(&self) -> &Party {
        &self.from
    }

    /// Who the call is for (the offered line's user, or the number dialled).
    pub fn to(&self) -> &str {
        &self.to
    }

    /// How the call came.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// When it reached the switch.
    pub fn started_at(&self) -> Instant {
        self.started_at
    }

    /// Its legs still up, in the order they were created.
    pub fn legs(&self) -> &[Leg] {
        &self.legs
    }

    /// One of its legs, if still up.
    pub fn leg(&self, leg: LegId) -> Option<&Leg> {
        self.legs.iter().find(|l| l.id == leg)
    }

    /// The prompts the engine had played on it (`Play`, and a `Release`'s prompt).
    pub fn prompts(&self) -> &[Prompt] {
        &self.prompts
    }

    pub(crate) fn leg_mut(&mut self, leg: LegId) -> Option<&mut Leg> {
        self.legs.iter_mut().find(|l| l.id == leg)
    }

    /// Removes a leg, returning it.
    pub(crate) fn take_leg(&mut self, leg: LegId) -> Option<Leg> {
        let index = self.legs.iter().position(|l| l.id == leg)?;
        Some(self.legs.remove(index))
    }
}
