//! A phone number in the inventory: where it comes from, what it is for, where it is, and
//! whom it is assigned to.

use super::migration::Migration;
use serde::{Deserialize, Serialize};

/// Where a number comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Acquired from an operator (Operator Connect).
    OperatorConnect,
    /// A calling plan's number.
    CallingPlan,
    /// The customer's own trunk (direct routing); may carry `;ext=`.
    DirectRouting,
}

impl Source {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::OperatorConnect => "operator_connect",
            Source::CallingPlan => "calling_plan",
            Source::DirectRouting => "direct_routing",
        }
    }

    /// Parses a wire name.
    pub fn parse(text: &str) -> Option<Source> {
        match text.trim() {
            "operator_connect" => Some(Source::OperatorConnect),
            "calling_plan" => Some(Source::CallingPlan),
            "direct_routing" => Some(Source::DirectRouting),
            _ => None,
        }
    }
}

/// What a number is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// A user's number (the only kind assigned to a user).
    User,
    /// A conference bridge's number.
    Conference,
    /// A voice application's number (auto attendant, queue).
    VoiceApp,
}

impl Capability {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Capability::User => "user",
            Capability::Conference => "conference",
            Capability::VoiceApp => "voice_app",
        }
    }

    /// Parses a wire name.
    pub fn parse(text: &str) -> Option<Capability> {
        match text.trim() {
            "user" => Some(Capability::User),
            "conference" => Some(Capability::Conference),
            "voice_app" => Some(Capability::VoiceApp),
            _ => None,
        }
    }
}

/// A number's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberState {
    /// In the inventory, nobody's.
    Unassigned,
    /// A user's.
    Assigned,
    /// Out of service while it moves between sources.
    Pending,
    /// The move failed at the operator; it may be moved again.
    Failed,
}

impl NumberState {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            NumberState::Unassigned => "unassigned",
            NumberState::Assigned => "assigned",
            NumberState::Pending => "pending",
            NumberState::Failed => "failed",
        }
    }
}

/// Who set a number's emergency address last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SetBy {
    /// The operator.
    Operator,
    /// The customer (an admin).
    Customer,
}

/// A number in the inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberRecord {
    /// E.164 with `+`, maybe `;ext=`.
    pub number: String,
    /// Where it comes from.
    pub source: Source,
    /// The operator (always for `operator_connect`).
    #[serde(default)]
    pub operator: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// City.
    pub city: String,
    /// What it is for.
    pub capability: Capability,
    /// Its state.
    pub state: NumberState,
    /// The user it is assigned to.
    #[serde(default)]
    pub user: Option<String>,
    /// Its emergency address's id.
    #[serde(default)]
    pub address: Option<String>,
    /// Who set the emergency address.
    #[serde(default)]
    pub address_set_by: Option<SetBy>,
    /// A move between sources under way.
    #[serde(default)]
    pub migration: Option<Migration>,
}
