//! The numbers domain's typed refusals; each maps to one protocol error code.

use thiserror::Error;

/// One bad row of an import: its line in the file, the field and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    /// The line in the file (the header is line 1).
    pub line: usize,
    /// The column at fault.
    pub field: String,
    /// What is wrong.
    pub reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.field, self.reason)
    }
}

/// Why the inventory refused a change. A refused change changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NumbersError {
    /// An argument is wrong; names the field.
    #[error("{field}: {message}")]
    BadRequest {
        /// The offending field.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// No such operator, number or address.
    #[error("{0}")]
    NotFound(String),
    /// The change would break a rule about numbers in use; `numbers` names them.
    #[error("{message}")]
    InUse {
        /// What is refused and why.
        message: String,
        /// The numbers that stand in the way.
        numbers: Vec<String>,
    },
    /// A migration step out of order.
    #[error("{0}")]
    OutOfOrder(String),
    /// The operator locked the emergency address.
    #[error("{0}")]
    Locked(String),
    /// An import file with bad rows: nothing of it was applied.
    #[error("{} (and {} more bad row(s)); nothing was imported", .0.first().map(ToString::to_string).unwrap_or_default(), .0.len().saturating_sub(1))]
    Import(Vec<RowError>),
}

impl NumbersError {
    /// The protocol error code.
    pub fn code(&self) -> &'static str {
        match self {
            NumbersError::BadRequest { .. } | NumbersError::Import(_) => "bad_request",
            NumbersError::NotFound(_) => "not_found",
            NumbersError::InUse { .. } | NumbersError::OutOfOrder(_) => "conflict",
            NumbersError::Locked(_) => "policy_denied",
        }
    }

    /// Shorthand for a `bad_request` naming `field`.
    pub fn bad(field: &str, message: impl Into<String>) -> Self {
        NumbersError::BadRequest {
            field: field.into(),
            message: message.into(),
        }
    }
}
