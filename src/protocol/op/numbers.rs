//! The numbers inventory (`operator.*`, `number.*`, `address.*`): all admin-only. Args are
//! strict (an unknown field is a `bad_request`), except `address.set`'s, which carry a
//! whole address.

use super::{OpName, ProtocolError, decode_args, empty, encode, encode_set};
pub use crate::numbers::{CivicAddress, MigrateArgs, NumberQuery, OperatorArgs};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `operator.suspend`, `operator.resume` args.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperatorRef {
    /// The operator's id.
    pub operator: String,
}

/// `operator.remove` args.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperatorRemove {
    /// The operator's id.
    pub operator: String,
    /// Only this country; none: every country.
    #[serde(default)]
    pub country: Option<String>,
}

/// `number.import` args.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumberImport {
    /// The CSV file's text.
    pub csv: String,
}

/// `number.assign` args.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumberAssign {
    /// The number.
    pub number: String,
    /// The user's id.
    pub user: String,
}

/// `number.unassign` args.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumberRef {
    /// The number.
    pub number: String,
}

/// `number.release` args.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumberRelease {
    /// The numbers (all or none are released).
    pub numbers: Vec<String>,
}

/// `number.set_address` args.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumberSetAddress {
    /// The number.
    pub number: String,
    /// The address's id; `null` clears it.
    pub address: Option<String>,
    /// Act as the operator (the only one who changes a locked address).
    #[serde(default)]
    pub as_operator: bool,
}

/// `address.set` args: the whole address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressSet {
    /// The address.
    #[serde(flatten)]
    pub address: CivicAddress,
    /// Act as the operator.
    #[serde(default)]
    pub as_operator: bool,
}

/// `address.remove` args.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddressRemove {
    /// The address's id.
    pub id: String,
}

/// A numbers op.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumbersOp {
    /// `operator.list` → `operators`.
    OperatorList,
    /// `operator.enable` → `operator`.
    OperatorEnable(OperatorArgs),
    /// `operator.edit` → `operator`.
    OperatorEdit(OperatorArgs),
    /// `operator.suspend` → `operator`.
    OperatorSuspend(OperatorRef),
    /// `operator.resume` → `operator`.
    OperatorResume(OperatorRef),
    /// `operator.remove` → `operator_removed`, `released`.
    OperatorRemove(OperatorRemove),
    /// `number.list` → `numbers`, `total`, `offset`, `limit`.
    NumberList(NumberQuery),
    /// `number.import` → `added`, `updated`, `unchanged`.
    NumberImport(NumberImport),
    /// `number.assign` → `number`.
    NumberAssign(NumberAssign),
    /// `number.unassign` → `number`.
    NumberUnassign(NumberRef),
    /// `number.release` → `released`.
    NumberRelease(NumberRelease),
    /// `number.migrate` → `number`.
    NumberMigrate(MigrateArgs),
    /// `number.set_address` → `number`.
    NumberSetAddress(NumberSetAddress),
    /// `address.list` → `addresses`.
    AddressList,
    /// `address.set` → `address`.
    AddressSet(AddressSet),
    /// `address.remove` → `{}`.
    AddressRemove(AddressRemove),
}

impl NumbersOp {
    pub(super) fn decode(name: OpName, args: &Value) -> Result<NumbersOp, ProtocolError> {
        use NumbersOp as N;
        Ok(match name {
            // The lists but `number.list` take no args; whatever is sent is ignored.
            OpName::OperatorList => N::OperatorList,
            OpName::AddressList => N::AddressList,
            OpName::OperatorEnable => N::OperatorEnable(decode_args(args)?),
            OpName::OperatorEdit => N::OperatorEdit(decode_args(args)?),
            OpName::OperatorSuspend => N::OperatorSuspend(decode_args(args)?),
            OpName::OperatorResume => N::OperatorResume(decode_args(args)?),
            OpName::OperatorRemove => N::OperatorRemove(decode_args(args)?),
            OpName::NumberList => N::NumberList(decode_args(args)?),
            OpName::NumberImport => N::NumberImport(decode_args(args)?),
            OpName::NumberAssign => N::NumberAssign(decode_args(args)?),
            OpName::NumberUnassign => N::NumberUnassign(decode_args(args)?),
            OpName::NumberRelease => N::NumberRelease(decode_args(args)?),
            OpName::NumberMigrate => N::NumberMigrate(decode_args(args)?),
            OpName::NumberSetAddress => N::NumberSetAddress(decode_args(args)?),
            OpName::AddressSet => N::AddressSet(decode_args(args)?),
            OpName::AddressRemove => N::AddressRemove(decode_args(args)?),
            other => return Err(ProtocolError::UnknownOp(other.to_string())),
        })
    }

    /// Its name.
    pub fn name(&self) -> OpName {
        use NumbersOp as N;
        match self {
            N::OperatorList => OpName::OperatorList,
            N::OperatorEnable(_) => OpName::OperatorEnable,
            N::OperatorEdit(_) => OpName::OperatorEdit,
            N::OperatorSuspend(_) => OpName::OperatorSuspend,
            N::OperatorResume(_) => OpName::OperatorResume,
            N::OperatorRemove(_) => OpName::OperatorRemove,
            N::NumberList(_) => OpName::NumberList,
            N::NumberImport(_) => OpName::NumberImport,
            N::NumberAssign(_) => OpName::NumberAssign,
            N::NumberUnassign(_) => OpName::NumberUnassign,
            N::NumberRelease(_) => OpName::NumberRelease,
            N::NumberMigrate(_) => OpName::NumberMigrate,
            N::NumberSetAddress(_) => OpName::NumberSetAddress,
            N::AddressList => OpName::AddressList,
            N::AddressSet(_) => OpName::AddressSet,
            N::AddressRemove(_) => OpName::AddressRemove,
        }
    }

    /// Its args as they travel.
    pub fn args(&self) -> Value {
        use NumbersOp as N;
        match self {
            N::OperatorList | N::AddressList => empty(),
            N::OperatorEnable(a) | N::OperatorEdit(a) => encode(a),
            N::OperatorSuspend(a) | N::OperatorResume(a) => encode(a),
            N::OperatorRemove(a) => encode_set(a),
            N::NumberList(a) => encode_set(a),
            N::NumberImport(a) => encode(a),
            N::NumberAssign(a) => encode(a),
            N::NumberUnassign(a) => encode(a),
            N::NumberRelease(a) => encode(a),
            N::NumberMigrate(a) => encode(a),
            N::NumberSetAddress(a) => encode(a),
            N::AddressSet(a) => encode(a),
            N::AddressRemove(a) => encode(a),
        }
    }
}
