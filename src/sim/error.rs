//! The simulator's typed refusals for caller-side actions (intents are never refused: an
//! intent the switch cannot carry out is ignored and logged, as a real switch would).

use crate::engine::switch::{CallId, LegId};
use thiserror::Error;

/// Why the simulated switch refused a caller-side action. A refused action changes nothing
/// and emits no event.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SimError {
    /// No call with this id is up on the switch.
    #[error("no call '{0}' on the simulated switch")]
    UnknownCall(CallId),
    /// The call exists but has no such leg (never had it, or it has ended).
    #[error("call '{call}' has no leg {leg:?}")]
    UnknownLeg {
        /// The call.
        call: CallId,
        /// The leg asked for.
        leg: LegId,
    },
    /// The leg is not in a state that allows the action (e.g. answering a connected leg).
    #[error("leg {leg:?} of call '{call}' is {actual}, it must be {wanted}")]
    WrongState {
        /// The call.
        call: CallId,
        /// The leg.
        leg: LegId,
        /// The state it is in.
        actual: &'static str,
        /// The state the action needs.
        wanted: &'static str,
    },
    /// An argument is malformed; names the field.
    #[error("{field}: {message}")]
    BadArgument {
        /// The offending argument.
        field: &'static str,
        /// What is wrong with it.
        message: String,
    },
}
