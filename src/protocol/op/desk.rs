//! The receptionist's verbs (`park`, `retrieve`, `extend`, `announce`, `pickup`,
//! `transfer`, `hangup`) and the announcer's `announcement.report`: the engine's commands,
//! with the engine's argument structs, and their results.

use super::{OpName, ProtocolError, decode_args, encode_set};
use crate::engine::Command;
pub use crate::engine::command::{
    AnnounceArgs, ExtendArgs, HangupArgs, ParkArgs, PickupArgs, ReportArgs, ReportState,
    RetrieveArgs, TransferArgs,
};
pub use crate::engine::switch::CallId;
use crate::protocol::objects::Announcement;
use crate::protocol::time::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A desk op.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeskOp {
    /// `park` → [`ParkOk`].
    Park(ParkArgs),
    /// `retrieve` → [`CallOk`].
    Retrieve(RetrieveArgs),
    /// `extend` → [`ExtendOk`].
    Extend(ExtendArgs),
    /// `announce` → [`AnnounceOk`].
    Announce(AnnounceArgs),
    /// `pickup` → [`CallOk`].
    Pickup(PickupArgs),
    /// `transfer` → [`Done`].
    Transfer(TransferArgs),
    /// `hangup` → [`Done`].
    Hangup(HangupArgs),
    /// `announcement.report` → [`Done`].
    Report(ReportArgs),
}

impl DeskOp {
    pub(super) fn decode(name: OpName, args: &Value) -> Result<DeskOp, ProtocolError> {
        Ok(match name {
            OpName::Park => DeskOp::Park(decode_args(args)?),
            OpName::Retrieve => DeskOp::Retrieve(decode_args(args)?),
            OpName::Extend => DeskOp::Extend(decode_args(args)?),
            OpName::Announce => DeskOp::Announce(decode_args(args)?),
            OpName::Pickup => DeskOp::Pickup(decode_args(args)?),
            OpName::Transfer => DeskOp::Transfer(decode_args(args)?),
            OpName::Hangup => DeskOp::Hangup(decode_args(args)?),
            OpName::AnnouncementReport => DeskOp::Report(decode_args(args)?),
            other => return Err(ProtocolError::UnknownOp(other.to_string())),
        })
    }

    /// Its name.
    pub fn name(&self) -> OpName {
        match self {
            DeskOp::Park(_) => OpName::Park,
            DeskOp::Retrieve(_) => OpName::Retrieve,
            DeskOp::Extend(_) => OpName::Extend,
            DeskOp::Announce(_) => OpName::Announce,
            DeskOp::Pickup(_) => OpName::Pickup,
            DeskOp::Transfer(_) => OpName::Transfer,
            DeskOp::Hangup(_) => OpName::Hangup,
            DeskOp::Report(_) => OpName::AnnouncementReport,
        }
    }

    /// Its args as they travel.
    pub fn args(&self) -> Value {
        match self {
            DeskOp::Park(a) => encode_set(a),
            DeskOp::Retrieve(a) => encode_set(a),
            DeskOp::Extend(a) => encode_set(a),
            DeskOp::Announce(a) => encode_set(a),
            DeskOp::Pickup(a) => encode_set(a),
            DeskOp::Transfer(a) => encode_set(a),
            DeskOp::Hangup(a) => encode_set(a),
            DeskOp::Report(a) => encode_set(a),
        }
    }

    /// The engine command it is.
    pub fn into_command(self) -> Command {
        match self {
            DeskOp::Park(a) => Command::Park(a),
            DeskOp::Retrieve(a) => Command::Retrieve(a),
            DeskOp::Extend(a) => Command::Extend(a),
            DeskOp::Announce(a) => Command::Announce(a),
            DeskOp::Pickup(a) => Command::Pickup(a),
            DeskOp::Transfer(a) => Command::Transfer(a),
            DeskOp::Hangup(a) => Command::Hangup(a),
            DeskOp::Report(a) => Command::Report(a),
        }
    }
}

/// `park` ok: the code, read out, and when it rings back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParkOk {
    /// The code, exactly as dialled.
    pub code: String,
    /// Read out.
    pub spoken: String,
    /// The ring-back time.
    pub expires_at: Timestamp,
}

/// `retrieve`, `pickup`, `sim.offer`, `sim.dial` ok: the call concerned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallOk {
    /// The call's id.
    pub call: CallId,
}

/// `extend` ok: the new ring-back time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtendOk {
    /// The new time.
    pub expires_at: Timestamp,
}

/// `announce` ok: the queued announcement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnnounceOk {
    /// The announcement.
    pub announcement: Announcement,
}

/// `{}`: the ok of `transfer`, `hangup`, `announcement.report`, `ping` and others.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Done {}
