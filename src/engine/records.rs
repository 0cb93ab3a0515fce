//! The engine's private records of calls and parks, and the views built from them.

use super::clock::Instant;
use super::compiled::PolicyEntry;
use super::objects::{Call, ParkState, Parked};
use super::switch::{IntentId, LegId, LegRef};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Why the engine rang a leg, and so what its answer or failure means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// A console retrieve ringing the desk (`by` asked for it).
    Retrieve {
        /// Who retrieved.
        by: String,
    },
    /// A ring-back of the parker.
    Ringback,
    /// The policy's `on_timeout` target.
    Fallback,
    /// A pickup ringing the picker's line.
    Pickup {
        /// Who picked up.
        picker: String,
        /// The user the call first rang for.
        for_user: String,
        /// The pickup group.
        group: usize,
    },
    /// A receptionist's transfer.
    Transfer {
        /// Who transferred.
        by: String,
        /// The line the call was at (a ringing call goes back there if unanswered).
        from_line: String,
    },
    /// A call that must not be dropped (a failed park, an unanswered pickup or transfer)
    /// rings a line again and again until answered or the caller hangs up.
    Rescue,
}

/// A ring the engine placed and is waiting on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRing {
    /// The ring intent's id; the leg is `LegId::Ring(id)`.
    pub id: IntentId,
    /// Who it rings.
    pub target: String,
    /// What an answer means.
    pub purpose: Purpose,
}

/// What a call's timer means when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Due {
    /// The park's current state ends (timeout, or a ring unanswered).
    Park,
    /// The pending ring is unanswered.
    RingUnanswered,
    /// A rescue period ends: ring again.
    RescueAgain,
}

/// Where a call that must not be dropped rings next, and how often.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rescue {
    /// The next line to ring.
    pub next: String,
    /// Seconds per ring.
    pub period: u64,
}

/// Where a park stands in its lifecycle (`lifecycle` holds the state table).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Holding; the clock runs toward `ParkRec::deadline`.
    Parked,
    /// A console retrieve by `by` rings the desk.
    Retrieving {
        /// Who retrieves.
        by: String,
    },
    /// Ringing the parker back.
    RingingBack,
    /// Ringing the policy's `on_timeout` target.
    Fallback,
}

/// A parked call's park.
#[derive(Debug, Clone)]
pub struct ParkRec {
    /// The code as dialled.
    pub code: String,
    /// Read out.
    pub spoken: String,
    /// Index of its range.
    pub range: usize,
    /// Its range's name.
    pub range_name: String,
    /// Offset within the range.
    pub offset: u32,
    /// The parker.
    pub parked_by: String,
    /// Who the call is for.
    pub for_note: Option<String>,
    /// The policy it runs under (a snapshot: later admin changes do not stop it).
    pub policy: Arc<PolicyEntry>,
    /// When it was parked.
    pub parked_at: Instant,
    /// When the parked clock runs out (kept while a retrieve rings).
    pub deadline: Instant,
    /// The next transition in the current stage.
    pub expires_at: Instant,
    /// Lifecycle stage.
    pub stage: Stage,
    /// Current ring-back attempt (0 before the first).
    pub ringback: u32,
    /// The `answer_with_hold` intent (its failure ends the park `failed`).
    pub hold: IntentId,
    /// Taken from its phone (a transfer to the park extension): a failure must not drop it.
    pub taken: bool,
    /// How the call stood before the park (restored if the switch cannot hold it).
    pub before: Before,
}

/// How a call stood before it was parked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Before {
    /// Its state.
    pub state: super::objects::CallState,
    /// Its peer leg.
    pub peer: Option<LegRef>,
    /// Its alerting leg.
    pub alerting: Option<LegId>,
}

impl ParkRec {
    /// The protocol's state name for the stage.
    pub fn state(&self) -> ParkState {
        match self.stage {
            Stage::Parked => ParkState::Parked,
            Stage::Retrieving { .. } => ParkState::Retrieving,
            Stage::RingingBack => ParkState::RingingBack,
            Stage::Fallback => ParkState::Fallback,
        }
    }
}

/// A committed pickup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Picked {
    /// Who picked it up.
    pub by: String,
    /// The user it rang for.
    pub for_user: String,
    /// The pickup group.
    pub group: usize,
}

/// A call the engine knows, with its legs.
#[derive(Debug, Clone)]
pub struct CallRec {
    /// The public view, kept current.
    pub view: Call,
    /// The leg the caller is bridged to (a leg of this call or of a dialling call).
    pub peer: Option<LegRef>,
    /// The leg ringing the call's line for a desk or group call (`Line` at first).
    pub alerting: Option<LegId>,
    /// The ring the engine is waiting on.
    pub pending: Option<PendingRing>,
    /// The park, while parked.
    pub park: Option<ParkRec>,
    /// The single timer's deadline.
    pub timer: Option<Instant>,
    /// What the timer means.
    pub due: Due,
    /// A rescue in progress.
    pub rescue: Option<Rescue>,
    /// Pickup groups listing the call as ringing.
    pub groups: Vec<usize>,
    /// The pickup that took the call from its line (a late answer there is told).
    pub picked: Option<Picked>,
    /// A dialling call whose caller leg is bridged to this call.
    pub alias: Option<super::switch::CallId>,
}

impl CallRec {
    /// A new call, ringing at its line.
    pub fn new(view: Call) -> CallRec {
        CallRec {
            view,
            peer: None,
            alerting: Some(LegId::Line),
            pending: None,
            park: None,
            timer: None,
            due: Due::RingUnanswered,
            rescue: None,
            groups: Vec::new(),
            picked: None,
            alias: None,
        }
    }

    /// The parked view, if parked.
    pub fn parked_view(&self) -> Option<Parked> {
        let park = self.park.as_ref()?;
        Some(Parked {
            code: park.code.clone(),
            spoken: park.spoken.clone(),
            range: park.range_name.clone(),
            call: self.view.call.clone(),
            caller: self.view.from.clone(),
            parked_by: park.parked_by.clone(),
            for_note: park.for_note.clone(),
            policy: park.policy.policy.name.clone(),
            parked_at: park.parked_at,
            expires_at: park.expires_at,
            state: park.state(),
            ringback: park.ringback,
            ringbacks_max: park.policy.policy.ringback_attempts,
        })
    }

    /// A leg of this call.
    pub fn leg(&self, leg: LegId) -> LegRef {
        LegRef {
            call: self.view.call.clone(),
            leg,
        }
    }
}
