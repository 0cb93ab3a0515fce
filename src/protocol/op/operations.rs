//! Running the engine itself: `engine.reload` (re-read the configuration file the engine
//! was started with and apply what changed).

use super::{OpName, ProtocolError, empty};
use serde_json::Value;

/// An operations op.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OperationsOp {
    /// `engine.reload` → `changed` (what the reload changed: `ranges`, `policies`, `users`,
    /// `groups`, `assignments`, `allow_list`, `park` (numbering), `tokens`, `sip.trusted`) and
    /// `restart_needed` (keys that changed but apply only at the next start).
    Reload,
}

impl OperationsOp {
    pub(super) fn decode(name: OpName, _args: &Value) -> Result<OperationsOp, ProtocolError> {
        match name {
            OpName::EngineReload => Ok(OperationsOp::Reload),
            other => Err(ProtocolError::UnknownOp(other.as_str().to_string())),
        }
    }

    /// Its name.
    pub fn name(&self) -> OpName {
        match self {
            OperationsOp::Reload => OpName::EngineReload,
        }
    }

    /// Its args as they travel.
    pub fn args(&self) -> Value {
        empty()
    }
}
