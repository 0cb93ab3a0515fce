//! Administration: the engine's directory, ranges, policies and allow-list (`range.*`,
//! `policy.*`, `user.*`, `group.*`, `allow.*`), and the API tokens (`token.*`).

use super::{OpName, ProtocolError, decode_args, empty, encode};
use crate::engine::{AdminCommand, Role};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `token.create` args.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenCreate {
    /// The user it acts as.
    pub user: String,
    /// Its roles (at least one).
    pub roles: Vec<Role>,
    /// A label.
    #[serde(default)]
    pub label: String,
}

/// `token.revoke` args.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRevoke {
    /// The token's id.
    pub id: String,
}

/// An admin op.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminOp {
    /// A change of the engine's setup (`range.set` … `allow.remove`) → `{}`.
    Change(AdminCommand),
    /// `range.list` → `ranges`.
    RangeList,
    /// `policy.list` → `policies`, `assignments`.
    PolicyList,
    /// `user.list` → `users`.
    UserList,
    /// `group.list` → `groups`.
    GroupList,
    /// `allow.list` → `allow_list`.
    AllowList,
    /// `token.list` → `tokens` (never the secrets).
    TokenList,
    /// `token.create` → `id`, `token`, `user`, `roles`.
    TokenCreate(TokenCreate),
    /// `token.revoke` → `{}`.
    TokenRevoke(TokenRevoke),
    /// `audit.list`: named and admin-only, but not served (`unknown_op`).
    AuditList,
}

impl AdminOp {
    pub(super) fn decode(name: OpName, args: &Value) -> Result<AdminOp, ProtocolError> {
        Ok(match name {
            OpName::RangeList => AdminOp::RangeList,
            OpName::PolicyList => AdminOp::PolicyList,
            OpName::UserList => AdminOp::UserList,
            OpName::GroupList => AdminOp::GroupList,
            OpName::AllowList => AdminOp::AllowList,
            OpName::TokenList => AdminOp::TokenList,
            OpName::AuditList => AdminOp::AuditList,
            OpName::TokenCreate => AdminOp::TokenCreate(decode_args(args)?),
            OpName::TokenRevoke => AdminOp::TokenRevoke(decode_args(args)?),
            change => AdminOp::Change(decode_change(change, args)?),
        })
    }

    /// Its name.
    pub fn name(&self) -> OpName {
        match self {
            AdminOp::Change(c) => change_name(c),
            AdminOp::RangeList => OpName::RangeList,
            AdminOp::PolicyList => OpName::PolicyList,
            AdminOp::UserList => OpName::UserList,
            AdminOp::GroupList => OpName::GroupList,
            AdminOp::AllowList => OpName::AllowList,
            AdminOp::TokenList => OpName::TokenList,
            AdminOp::TokenCreate(_) => OpName::TokenCreate,
            AdminOp::TokenRevoke(_) => OpName::TokenRevoke,
            AdminOp::AuditList => OpName::AuditList,
        }
    }

    /// Its args as they travel.
    pub fn args(&self) -> Value {
        match self {
            AdminOp::Change(c) => match encode(c) {
                Value::Object(mut o) => o.remove("args").unwrap_or_else(empty),
                _ => empty(),
            },
            AdminOp::TokenCreate(a) => encode(a),
            AdminOp::TokenRevoke(a) => encode(a),
            _ => empty(),
        }
    }
}

/// The engine's admin command: decoded as `{"op", "args"}`, as the engine's enum is
/// tagged, with the error naming the field inside the args.
fn decode_change(name: OpName, args: &Value) -> Result<AdminCommand, ProtocolError> {
    let args = if args.is_null() {
        empty()
    } else {
        args.clone()
    };
    let tagged = serde_json::json!({ "op": name.as_str(), "args": args });
    decode_args::<AdminCommand>(&tagged).map_err(|e| match e {
        ProtocolError::BadRequest(m) => ProtocolError::BadRequest(m.replacen("args.", "", 1)),
        other => other,
    })
}

fn change_name(c: &AdminCommand) -> OpName {
    match c {
        AdminCommand::RangeSet(_) => OpName::RangeSet,
        AdminCommand::RangeRemove { .. } => OpName::RangeRemove,
        AdminCommand::PolicySet(_) => OpName::PolicySet,
        AdminCommand::PolicyRemove { .. } => OpName::PolicyRemove,
        AdminCommand::PolicyAssignGroup(_) => OpName::PolicyAssignGroup,
        AdminCommand::PolicyUnassignGroup { .. } => OpName::PolicyUnassignGroup,
        AdminCommand::UserSet(_) => OpName::UserSet,
        AdminCommand::UserRemove { .. } => OpName::UserRemove,
        AdminCommand::GroupSet(_) => OpName::GroupSet,
        AdminCommand::GroupRemove { .. } => OpName::GroupRemove,
        AdminCommand::AllowAdd { .. } => OpName::AllowAdd,
        AdminCommand::AllowRemove { .. } => OpName::AllowRemove,
    }
}
