//! The engine's typed refusals; each maps to one protocol error code.

use super::switch::Refusal;
use thiserror::Error;

/// Why the engine refused a command. A refused command changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EngineError {
    /// The actor's roles do not allow the operation.
    #[error("{0}")]
    Forbidden(String),
    /// An argument is wrong; names the field.
    #[error("{field}: {message}")]
    BadRequest {
        /// The offending field.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// No such code, call, user, group, range, policy or announcement.
    #[error("{0}")]
    NotFound(String),
    /// No free code in the range.
    #[error("no free code in range '{range}' ({start}-{end})")]
    RangeFull {
        /// The range.
        range: String,
        /// Its first code.
        start: String,
        /// Its last code.
        end: String,
    },
    /// The directed code is occupied.
    #[error("code {0} is taken")]
    CodeTaken(String),
    /// The actor's policy does not allow it.
    #[error("{0}")]
    PolicyDenied(String),
    /// The thing is busy with someone else's action; `by` names who.
    #[error("{message}")]
    Conflict {
        /// What conflicts.
        message: String,
        /// Who holds it.
        by: Option<String>,
    },
    /// The engine is draining (taken out of service): it takes no new parks. PROTOCOL.md's
    /// error codes are fixed, so the wire code is `internal` and the message says why.
    #[error("the engine is draining: it takes no new parks; park on another node")]
    Stopping,
    /// The store cannot write (read-only, full, stalled): a park could not be made durable,
    /// so none is made; calls already parked go on. The wire code is `internal`.
    #[error("the store cannot write: parks are refused until it can (calls already parked go on)")]
    StoreUnavailable,
}

impl EngineError {
    /// The protocol error code.
    pub fn code(&self) -> &'static str {
        match self {
            EngineError::Forbidden(_) => "forbidden",
            EngineError::BadRequest { .. } => "bad_request",
            EngineError::NotFound(_) => "not_found",
            EngineError::RangeFull { .. } => "range_full",
            EngineError::CodeTaken(_) => "code_taken",
            EngineError::PolicyDenied(_) => "policy_denied",
            EngineError::Conflict { .. } => "conflict",
            EngineError::Stopping | EngineError::StoreUnavailable => "internal",
        }
    }

    /// How a switch turns a call away for this refusal (a dialled park or retrieve).
    pub fn refusal(&self) -> Refusal {
        match self {
            EngineError::NotFound(_) => Refusal::NotFound,
            EngineError::Forbidden(_) | EngineError::PolicyDenied(_) => Refusal::Forbidden,
            EngineError::BadRequest { .. } => Refusal::Forbidden,
            EngineError::CodeTaken(_) | EngineError::Conflict { .. } => Refusal::Busy,
            EngineError::RangeFull { .. }
            | EngineError::Stopping
            | EngineError::StoreUnavailable => Refusal::Unavailable,
        }
    }

    /// Shorthand for a `bad_request` naming `field`.
    pub fn bad(field: &str, message: impl Into<String>) -> Self {
        EngineError::BadRequest {
            field: field.into(),
            message: message.into(),
        }
    }
}
