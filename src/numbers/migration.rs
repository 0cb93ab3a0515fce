//! Moving a number between sources (calling plan → operator connect, direct routing →
//! operator connect): unassign, out of service, move, reassign, in that order. A small
//! state machine; a step out of order is refused with what comes next.

use super::number::{NumberState, Source};
use serde::{Deserialize, Serialize};

/// Where a migration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Started: the number still works as before.
    Started,
    /// Taken from its user.
    Unassigned,
    /// Out of service, ready to move.
    OutOfService,
    /// The operator reported the move failed; it may be moved again.
    Failed,
    /// Moved to the new source; out of service until reassigned.
    Moved,
}

impl Stage {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Started => "started",
            Stage::Unassigned => "unassigned",
            Stage::OutOfService => "out_of_service",
            Stage::Failed => "failed",
            Stage::Moved => "moved",
        }
    }
}

/// A step of a migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Begin: name the new source and operator.
    Start,
    /// Take the number from its user (remembered for `reassign`).
    Unassign,
    /// Take it out of service.
    OutOfService,
    /// Move it to the new source and operator.
    Move,
    /// The operator reports the move failed.
    Fail,
    /// Put it back in service, assigned to its user again (or another).
    Reassign,
}

impl Step {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Start => "start",
            Step::Unassign => "unassign",
            Step::OutOfService => "out_of_service",
            Step::Move => "move",
            Step::Fail => "fail",
            Step::Reassign => "reassign",
        }
    }

    /// Every step.
    pub const ALL: [Step; 6] = [
        Step::Start,
        Step::Unassign,
        Step::OutOfService,
        Step::Move,
        Step::Fail,
        Step::Reassign,
    ];
}

/// A migration under way, kept on the number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Migration {
    /// The source it leaves.
    pub from: Source,
    /// The source it moves to.
    pub to: Source,
    /// The operator it moves to.
    pub operator: String,
    /// Where it stands.
    pub stage: Stage,
    /// The user it was taken from, to give it back.
    #[serde(default)]
    pub user: Option<String>,
    /// Why the last move failed.
    #[serde(default)]
    pub reason: Option<String>,
}

/// A step out of order: the stage it was tried at and the steps that would be in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutOfOrder {
    /// The step tried.
    pub step: Step,
    /// The stage (none: no migration).
    pub stage: Option<Stage>,
    /// The steps allowed now.
    pub expected: Vec<Step>,
}

impl std::fmt::Display for OutOfOrder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let expected: Vec<&str> = self.expected.iter().map(|s| s.as_str()).collect();
        match self.stage {
            None => write!(
                f,
                "step '{}' is out of order: no migration is under way; next is '{}'",
                self.step.as_str(),
                expected.join("' or '")
            ),
            Some(stage) => write!(
                f,
                "step '{}' is out of order: the migration is at '{}'; next is '{}'",
                self.step.as_str(),
                stage.as_str(),
                expected.join("' or '")
            ),
        }
    }
}

/// The steps allowed at `stage` (none: no migration).
pub fn expected(stage: Option<Stage>) -> Vec<Step> {
    match stage {
        None => vec![Step::Start],
        Some(Stage::Started) => vec![Step::Unassign],
        Some(Stage::Unassigned) => vec![Step::OutOfService],
        Some(Stage::OutOfService) => vec![Step::Move, Step::Fail],
        Some(Stage::Failed) => vec![Step::Move],
        Some(Stage::Moved) => vec![Step::Reassign],
    }
}

/// The stage after `step` at `stage` (`Ok(None)`: the migration is complete).
pub fn advance(stage: Option<Stage>, step: Step) -> Result<Option<Stage>, OutOfOrder> {
    let next = match (stage, step) {
        (None, Step::Start) => Some(Stage::Started),
        (Some(Stage::Started), Step::Unassign) => Some(Stage::Unassigned),
        (Some(Stage::Unassigned), Step::OutOfService) => Some(Stage::OutOfService),
        (Some(Stage::OutOfService), Step::Fail) => Some(Stage::Failed),
        (Some(Stage::OutOfService | Stage::Failed), Step::Move) => Some(Stage::Moved),
        (Some(Stage::Moved), Step::Reassign) => None,
        _ => {
            return Err(OutOfOrder {
                step,
                stage,
                expected: expected(stage),
            });
        }
    };
    Ok(next)
}

/// Whether a move from `from` to `to` is one parkdesk knows.
pub fn supported(from: Source, to: Source) -> bool {
    matches!(
        (from, to),
        (Source::CallingPlan, Source::OperatorConnect)
            | (Source::DirectRouting, Source::OperatorConnect)
    )
}

/// The number's state while the migration is at `stage` (`Started` keeps what it had).
pub fn number_state(stage: Stage, before: NumberState) -> NumberState {
    match stage {
        Stage::Started => before,
        Stage::Unassigned => NumberState::Unassigned,
        Stage::OutOfService | Stage::Moved => NumberState::Pending,
        Stage::Failed => NumberState::Failed,
    }
}
