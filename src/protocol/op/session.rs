//! The session's own ops: `hello`, `ping`, `subscribe`.

use super::{OpName, ProtocolError, decode_args, empty, encode};
use crate::protocol::envelope::{HelloArgs, SubscribeArgs};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `subscribe` args: `since`/`epoch`, and the zone an announcer station serves (an
/// extension; other roles' zones are ignored).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscribeOp {
    /// Where to resume.
    #[serde(flatten)]
    pub sub: SubscribeArgs,
    /// An announcer station's zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
}

/// `hello`, `ping`, `subscribe`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionOp {
    /// `hello`: the first request of a session (ok: [`crate::protocol::HelloOk`]).
    Hello(HelloArgs),
    /// `ping` → `{}`.
    Ping,
    /// `subscribe` (ok: [`crate::protocol::SubscribeOk`]).
    Subscribe(SubscribeOp),
}

impl SessionOp {
    pub(super) fn decode(name: OpName, args: &Value) -> Result<SessionOp, ProtocolError> {
        Ok(match name {
            OpName::Hello => SessionOp::Hello(decode_args(args)?),
            OpName::Subscribe => SessionOp::Subscribe(decode_args(args)?),
            // Ping's args are ignored.
            _ => SessionOp::Ping,
        })
    }

    /// Its name.
    pub fn name(&self) -> OpName {
        match self {
            SessionOp::Hello(_) => OpName::Hello,
            SessionOp::Ping => OpName::Ping,
            SessionOp::Subscribe(_) => OpName::Subscribe,
        }
    }

    /// Its args as they travel.
    pub fn args(&self) -> Value {
        match self {
            SessionOp::Hello(a) => encode(a),
            SessionOp::Ping => empty(),
            SessionOp::Subscribe(a) => encode(a),
        }
    }
}
