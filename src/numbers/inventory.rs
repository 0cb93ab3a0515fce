//! The inventory: operators, numbers and emergency addresses, with the rules that bind
//! them. Every change checks everything before it touches anything, so a refused change
//! changes nothing; it reports the rows it touched (for the store) and the directory users
//! it assigned or unassigned (for the engine).

use super::address::CivicAddress;
use super::e164::PhoneNumber;
use super::error::NumbersError;
use super::number::NumberRecord;
use super::operator::{Operator, OperatorState};
use super::routes::NumberRoutes;
use std::collections::BTreeMap;

/// Operators, numbers and addresses, each keyed by id (numbers by their E.164 form).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NumberInventory {
    pub(super) operators: BTreeMap<String, Operator>,
    pub(super) numbers: BTreeMap<String, NumberRecord>,
    pub(super) addresses: BTreeMap<String, CivicAddress>,
}

/// A directory user's number changed hands. The engine's directory user takes it in
/// (`engine::User::apply_number_change`): the engine reads numbers (E.164), so numbers never
/// name the engine's types and the two modules have no cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserChange {
    /// `number` was assigned to `user`: the user becomes voice-enabled.
    Assigned {
        /// The user.
        user: String,
        /// The number.
        number: String,
    },
    /// `number` was taken from `user`: with no number left the user is no longer
    /// voice-enabled (parks already running go on).
    Unassigned {
        /// The user.
        user: String,
        /// The number.
        number: String,
    },
}

impl UserChange {
    /// The user concerned.
    pub fn user(&self) -> &str {
        match self {
            UserChange::Assigned { user, .. } | UserChange::Unassigned { user, .. } => user,
        }
    }
}

/// What a change touched.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Change {
    /// Operators written or removed (by id).
    pub operators: Vec<String>,
    /// Numbers written or removed.
    pub numbers: Vec<String>,
    /// Addresses written or removed (by id).
    pub addresses: Vec<String>,
    /// Directory users to update, in order.
    pub users: Vec<UserChange>,
}

impl Change {
    pub(super) fn operator(id: &str) -> Change {
        Change {
            operators: vec![id.to_string()],
            ..Change::default()
        }
    }

    pub(super) fn number(number: &str) -> Change {
        Change {
            numbers: vec![number.to_string()],
            ..Change::default()
        }
    }

    pub(super) fn address(id: &str) -> Change {
        Change {
            addresses: vec![id.to_string()],
            ..Change::default()
        }
    }
}

/// The inventory's key for a number as given in a request, or a `bad_request` on `field`.
pub fn key_of(field: &str, number: &str) -> Result<String, NumbersError> {
    PhoneNumber::parse(number)
        .map(|n| n.to_string())
        .map_err(|e| NumbersError::bad(field, e.to_string()))
}

impl NumberInventory {
    /// An inventory from stored rows (trusted: they were checked when written).
    pub fn from_parts(
        operators: Vec<Operator>,
        numbers: Vec<NumberRecord>,
        addresses: Vec<CivicAddress>,
    ) -> NumberInventory {
        NumberInventory {
            operators: operators.into_iter().map(|o| (o.id.clone(), o)).collect(),
            numbers: numbers.into_iter().map(|n| (n.number.clone(), n)).collect(),
            addresses: addresses.into_iter().map(|a| (a.id.clone(), a)).collect(),
        }
    }

    /// Every operator, by id.
    pub fn operators(&self) -> impl Iterator<Item = &Operator> {
        self.operators.values()
    }

    /// Every number, in E.164 order.
    pub fn numbers(&self) -> impl Iterator<Item = &NumberRecord> {
        self.numbers.values()
    }

    /// Every address, by id.
    pub fn addresses(&self) -> impl Iterator<Item = &CivicAddress> {
        self.addresses.values()
    }

    /// An operator by id.
    pub fn operator(&self, id: &str) -> Option<&Operator> {
        self.operators.get(id)
    }

    /// A number by its E.164 form.
    pub fn number(&self, number: &str) -> Option<&NumberRecord> {
        self.numbers.get(number)
    }

    /// An address by id.
    pub fn address(&self, id: &str) -> Option<&CivicAddress> {
        self.addresses.get(id)
    }

    /// The numbers assigned to `user`.
    pub fn numbers_of<'a>(&'a self, user: &'a str) -> impl Iterator<Item = &'a NumberRecord> {
        self.numbers
            .values()
            .filter(move |n| n.user.as_deref() == Some(user))
    }

    /// Whether `number` (E.164 form) belongs to a suspended operator.
    pub fn is_suspended(&self, number: &str) -> bool {
        self.numbers
            .get(number)
            .and_then(|n| n.operator.as_deref())
            .and_then(|o| self.operators.get(o))
            .is_some_and(|o| o.state == OperatorState::Suspended)
    }

    /// Whether a number takes calls: its operator is active and it is not moving.
    pub fn in_service(&self, record: &NumberRecord) -> bool {
        !self.is_suspended(&record.number)
            && !matches!(
                record.state,
                super::NumberState::Pending | super::NumberState::Failed
            )
    }

    /// The read view the SIP side asks on every call.
    pub fn routes(&self) -> NumberRoutes {
        NumberRoutes::build(self)
    }

    /// The record for a number given in a request, or why there is none.
    pub(super) fn existing(
        &self,
        field: &str,
        number: &str,
    ) -> Result<&NumberRecord, NumbersError> {
        let key = key_of(field, number)?;
        self.numbers
            .get(&key)
            .ok_or_else(|| NumbersError::NotFound(format!("no number {key} in the inventory")))
    }

    /// The operator by id, or `not_found`.
    pub(super) fn existing_operator(&self, id: &str) -> Result<&Operator, NumbersError> {
        self.operators
            .get(id)
            .ok_or_else(|| NumbersError::NotFound(format!("no operator '{id}'")))
    }

    /// Takes every number from `user` (the user left the directory).
    pub fn user_removed(&mut self, user: &str) -> Change {
        let mut change = Change::default();
        for record in self.numbers.values_mut() {
            let mut touched = false;
            if record.user.as_deref() == Some(user) {
                record.user = None;
                if record.state == super::NumberState::Assigned {
                    record.state = super::NumberState::Unassigned;
                }
                touched = true;
            }
            if let Some(m) = &mut record.migration
                && m.user.as_deref() == Some(user)
            {
                m.user = None;
                touched = true;
            }
            if touched {
                change.numbers.push(record.number.clone());
            }
        }
        change
    }
}
