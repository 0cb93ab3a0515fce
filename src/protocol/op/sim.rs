//! The simulated switch's ops (`sim.*`), served only when `[demo]` or `[sim]` is enabled.

use super::{OpName, ProtocolError, decode_args, encode_set};
use crate::engine::switch::{CallId, Party};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `sim.offer` args: a simulated caller rings a user or group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimOffer {
    /// The caller.
    pub from: Party,
    /// A directory user or group.
    pub to: String,
}

/// `sim.hangup` args: the simulated caller hangs up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimHangup {
    /// The call.
    pub call: CallId,
}

/// `sim.dial` args: a simulated phone dials a number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimDial {
    /// The user whose phone dials.
    pub caller: String,
    /// What it dials.
    pub number: String,
}

/// `sim.phone` args: how a simulated phone answers what rings it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimPhone {
    /// The user.
    pub user: String,
    /// `answer`, `busy`, `decline`, `no_answer`, `unreachable` or
    /// `answer_crossing_cancel` (checked by the engine, after the sim is known to be on).
    pub behaviour: String,
    /// Delay of `answer`, `decline`, `answer_crossing_cancel` (default 2000 ms).
    #[serde(default)]
    pub after_ms: Option<u64>,
}

/// A `sim.*` op.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimOp {
    /// `sim.offer` → [`super::CallOk`].
    Offer(SimOffer),
    /// `sim.hangup` → `{}`.
    Hangup(SimHangup),
    /// `sim.dial` → [`super::CallOk`].
    Dial(SimDial),
    /// `sim.phone` → `{}`.
    Phone(SimPhone),
}

impl SimOp {
    pub(super) fn decode(name: OpName, args: &Value) -> Result<SimOp, ProtocolError> {
        Ok(match name {
            OpName::SimOffer => SimOp::Offer(decode_args(args)?),
            OpName::SimHangup => SimOp::Hangup(decode_args(args)?),
            OpName::SimDial => SimOp::Dial(decode_args(args)?),
            OpName::SimPhone => SimOp::Phone(decode_args(args)?),
            other => return Err(ProtocolError::UnknownOp(other.to_string())),
        })
    }

    /// Its name.
    pub fn name(&self) -> OpName {
        match self {
            SimOp::Offer(_) => OpName::SimOffer,
            SimOp::Hangup(_) => OpName::SimHangup,
            SimOp::Dial(_) => OpName::SimDial,
            SimOp::Phone(_) => OpName::SimPhone,
        }
    }

    /// Its args as they travel.
    pub fn args(&self) -> Value {
        match self {
            SimOp::Offer(a) => encode_set(a),
            SimOp::Hangup(a) => encode_set(a),
            SimOp::Dial(a) => encode_set(a),
            SimOp::Phone(a) => encode_set(a),
        }
    }
}
