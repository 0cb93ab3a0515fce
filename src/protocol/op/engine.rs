//! Ops on the engine process itself (a project extension, documented in the README):
//! `engine.restart` (a planned restart that leaves every call as it is), `engine.drain`
//! (take the node out of service: every parked call handed back, every leg hung up) and
//! `engine.reload` (re-read the configuration file the engine was started with and apply
//! what changed).

use super::{OpName, ProtocolError, decode_args, empty};
use serde::Deserialize;
use serde_json::Value;

/// Neither op takes args; unknown fields are refused like everywhere else.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NoArgs {}

/// An `engine.*` op.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineOp {
    /// `engine.restart` → `{}`: stop accepting, write the state, close every session with
    /// `engine.restarting`, and start again in place; calls stay up untouched.
    Restart,
    /// `engine.drain` → `{}`: `engine.stopping`, no new parks, parked calls handed back,
    /// every leg hung up before the process exits.
    Drain,
    /// `engine.reload` → `changed` (what the reload changed: `ranges`, `policies`, `users`,
    /// `groups`, `assignments`, `allow_list`, `park` (numbering), `tokens`, `sip.trusted`) and
    /// `restart_needed` (keys that changed but apply only at the next start). Its args are
    /// ignored.
    Reload,
}

impl EngineOp {
    pub(super) fn decode(name: OpName, args: &Value) -> Result<EngineOp, ProtocolError> {
        if name == OpName::EngineReload {
            return Ok(EngineOp::Reload);
        }
        let NoArgs {} = decode_args(args)?;
        Ok(match name {
            OpName::EngineRestart => EngineOp::Restart,
            OpName::EngineDrain => EngineOp::Drain,
            other => return Err(ProtocolError::UnknownOp(other.to_string())),
        })
    }

    /// Its name.
    pub fn name(&self) -> OpName {
        match self {
            EngineOp::Restart => OpName::EngineRestart,
            EngineOp::Drain => OpName::EngineDrain,
            EngineOp::Reload => OpName::EngineReload,
        }
    }

    /// Its args as they travel (none).
    pub fn args(&self) -> Value {
        empty()
    }
}
