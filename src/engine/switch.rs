//! The switch boundary: call events into the engine, intents out of it.
//!
//! Served first by the simulated switch (`crate::sim`) and later by `sip/`; the engine never
//! knows which. Every intent carries an id that the switch's answer refers to.

use serde::{Deserialize, Serialize};

/// A call's id, unique within an engine run (`c-19`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CallId(pub String);

impl std::fmt::Display for CallId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An intent's id, allocated by the engine; a leg the intent created is named after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IntentId(pub u64);

/// One side of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegId {
    /// The party who placed the call (the outside caller).
    Caller,
    /// The line the call was offered to (the phone it first rang).
    Line,
    /// A leg the engine created with a `ring` intent.
    Ring(IntentId),
}

/// A leg of a particular call.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LegRef {
    /// The call.
    pub call: CallId,
    /// The leg within it.
    pub leg: LegId,
}

/// A caller's identity as shown on the board.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Party {
    /// The number, as received.
    pub number: String,
    /// The display name, possibly empty.
    pub name: String,
}

/// Why an outgoing ring ended without an answer; each ends one ring-back attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailCause {
    /// The target was busy.
    Busy,
    /// The target declined.
    Declined,
    /// The target could not be reached.
    Unreachable,
    /// Nobody answered.
    NoAnswer,
}

/// Why a leg ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndCause {
    /// The party hung up.
    Hangup,
    /// The leg died (transport failure, no media, phone vanished).
    Dead,
    /// The engine released it.
    Released,
}

/// Call events, from the switch into the engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SwitchEvent {
    /// A new call rings at `line` (a user id, e.g. `reception`). `to` is who it is for.
    Offered {
        /// The new call's id.
        call: CallId,
        /// The caller.
        from: Party,
        /// The user or line the call is for.
        to: String,
        /// The line it rings at.
        line: String,
    },
    /// A leg is ringing.
    Ringing {
        /// The call.
        call: CallId,
        /// The leg.
        leg: LegId,
    },
    /// A leg answered.
    Answered {
        /// The call.
        call: CallId,
        /// The leg.
        leg: LegId,
    },
    /// An intent failed; for a `ring`, the leg it would have created.
    Failed {
        /// The intent that failed.
        id: IntentId,
        /// The leg concerned.
        leg: LegId,
        /// Why.
        cause: FailCause,
    },
    /// A leg ended (including a dead leg).
    Ended {
        /// The call.
        call: CallId,
        /// The leg.
        leg: LegId,
        /// Why.
        cause: EndCause,
    },
    /// A party asked to transfer the call (e.g. REFER to the park extension or a code).
    TransferRequested {
        /// The call to transfer.
        call: CallId,
        /// The user asking.
        by: String,
        /// Where to: the park extension, a code, a user, a group.
        target: String,
        /// For an attended transfer, the call it replaces.
        replaces: Option<CallId>,
    },
    /// A user's phone dialled a number the engine serves (park extension, a code, a group).
    /// `call` is the dialling call; its `Caller` leg is the user's phone.
    Dialed {
        /// The dialling call.
        call: CallId,
        /// The user dialling.
        caller: String,
        /// The number dialled.
        number: String,
    },
    /// A call arrived at the park extension or a directed-park number (a PBX transferred
    /// the caller there): park this call itself, answered into the park.
    ParkArrived {
        /// The arriving call's id.
        call: CallId,
        /// The caller being parked.
        from: Party,
        /// The identified user who parks, if any. Without one the call parks under
        /// `policy`, nobody is rung back, and the call goes to the policy's fallback.
        parker: Option<String>,
        /// The policy for an unidentified parker (e.g. `sip.park_extension_policy`).
        policy: Option<String>,
        /// A directed park's code.
        code: Option<String>,
    },
    /// A leg put the call on hold.
    Held {
        /// The call.
        call: CallId,
        /// The leg.
        leg: LegId,
    },
    /// A leg took the call off hold.
    Unheld {
        /// The call.
        call: CallId,
        /// The leg.
        leg: LegId,
    },
    /// The caller pressed a DTMF digit.
    Dtmf {
        /// The call.
        call: CallId,
        /// The digit.
        digit: char,
    },
}

/// A prompt the switch plays (the announcer's sound pack serves the same names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "prompt", rename_all = "snake_case")]
pub enum Prompt {
    /// "Goodbye" before a release.
    Goodbye,
    /// "Parked on seven zero five", read to the parker.
    ParkedOn {
        /// The code.
        code: String,
    },
}

/// Why the engine turned a call away; the switch answers an unanswered call with it
/// (SIP: `404`, `403`, `486`, `480`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// Nothing there: an empty code, a number the engine does not serve.
    NotFound,
    /// Not allowed: outside the caller's retrieve ranges, no park policy.
    Forbidden,
    /// Taken: the code is occupied or being retrieved.
    Busy,
    /// Cannot now: the range is full, the engine is stopping.
    Unavailable,
}

/// Intents, from the engine to the switch. Each carries an id that answers refer to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Intent {
    /// Ring `target` (a user, a group or an allow-listed number) for `call`, creating leg
    /// `LegId::Ring(id)`.
    Ring {
        /// Intent id; names the new leg.
        id: IntentId,
        /// The call the leg belongs to.
        call: CallId,
        /// Who to ring.
        target: String,
        /// Display text, e.g. `Park 705: Ada Lovelace`.
        display: String,
        /// The caller id to present.
        caller_id: Party,
        /// An `Alert-Info` for the ring (a ring-back's distinctive ring), if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        alert_info: Option<String>,
    },
    /// Answer the caller's leg into the park: hold music (if `music`), the line leg released.
    AnswerWithHold {
        /// Intent id.
        id: IntentId,
        /// The call.
        call: CallId,
        /// Play music on hold.
        music: bool,
        /// The code it is parked on (the switch may tell the caller's side, e.g. in an
        /// `X-Park-Code` header); none for a park that failed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code: Option<String>,
    },
    /// Connect two legs.
    Bridge {
        /// Intent id.
        id: IntentId,
        /// One leg.
        a: LegRef,
        /// The other.
        b: LegRef,
    },
    /// Stop ringing (or hang up) a leg.
    Cancel {
        /// Intent id.
        id: IntentId,
        /// The leg.
        leg: LegRef,
        /// Why, e.g. `Call completed elsewhere`.
        reason: String,
    },
    /// Release the whole call, optionally after a prompt.
    Release {
        /// Intent id.
        id: IntentId,
        /// The call.
        call: CallId,
        /// A prompt played first.
        prompt: Option<Prompt>,
        /// Why the call was turned away, when it was (a refused dial or park).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        refusal: Option<Refusal>,
    },
    /// Play a prompt on a call.
    Play {
        /// Intent id.
        id: IntentId,
        /// The call.
        call: CallId,
        /// The prompt.
        prompt: Prompt,
    },
}
