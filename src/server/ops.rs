//! The operation catalogue: which roles may call each op, whether it changes state, and
//! decoding an op's `args` into an engine command with errors that name the field.

use crate::engine::command::{
    AnnounceArgs, ExtendArgs, HangupArgs, ParkArgs, PickupArgs, ReportArgs, RetrieveArgs,
    TransferArgs,
};
use crate::engine::{AdminCommand, Command, EngineError, Role};
use crate::protocol::{ErrorBody, ErrorCode};
use serde::de::DeserializeOwned;
use serde_json::Value;

use Role::*;

/// What the server knows of an op before it touches any state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpSpec {
    /// The op's name.
    pub name: &'static str,
    /// Roles allowed to call it.
    pub roles: &'static [Role],
    /// Whether it changes state (idempotency keys and the audit log apply).
    pub mutating: bool,
}

const ALL: &[Role] = &[Receptionist, Admin, Monitor, Announcer, User];

/// Every op this engine offers beside `hello`.
pub const OPS: &[OpSpec] = &[
    OpSpec {
        name: "ping",
        roles: ALL,
        mutating: false,
    },
    OpSpec {
        name: "subscribe",
        roles: ALL,
        mutating: false,
    },
    OpSpec {
        name: "health",
        roles: ALL,
        mutating: false,
    },
    OpSpec {
        name: "park",
        roles: &[Receptionist, User],
        mutating: true,
    },
    OpSpec {
        name: "retrieve",
        roles: &[Receptionist, User],
        mutating: true,
    },
    OpSpec {
        name: "extend",
        roles: &[Receptionist, User],
        mutating: true,
    },
    OpSpec {
        name: "announce",
        roles: &[Receptionist],
        mutating: true,
    },
    OpSpec {
        name: "pickup",
        roles: &[Receptionist, User],
        mutating: true,
    },
    OpSpec {
        name: "transfer",
        roles: &[Receptionist],
        mutating: true,
    },
    OpSpec {
        name: "hangup",
        roles: &[Receptionist],
        mutating: true,
    },
    OpSpec {
        name: "parked.list",
        roles: &[Receptionist, Admin, Monitor, User],
        mutating: false,
    },
    OpSpec {
        name: "directory.search",
        roles: &[Receptionist, Monitor, User, Admin],
        mutating: false,
    },
    OpSpec {
        name: "history.list",
        roles: &[Receptionist, Admin, Monitor],
        mutating: false,
    },
    OpSpec {
        name: "announcement.report",
        roles: &[Announcer],
        mutating: true,
    },
    OpSpec {
        name: "sim.offer",
        roles: &[Receptionist, Admin],
        mutating: true,
    },
    OpSpec {
        name: "sim.hangup",
        roles: &[Receptionist, Admin],
        mutating: true,
    },
    OpSpec {
        name: "sim.dial",
        roles: &[Receptionist, Admin],
        mutating: true,
    },
    OpSpec {
        name: "sim.phone",
        roles: &[Receptionist, Admin],
        mutating: true,
    },
    OpSpec {
        name: "range.list",
        roles: &[Admin, Receptionist, Monitor],
        mutating: false,
    },
    OpSpec {
        name: "range.set",
        roles: &[Admin],
        mutating: true,
    },
    OpSpec {
        name: "range.remove",
        roles: &[Admin],
        mutating: true,
    },
    OpSpec {
        name: "policy.list",
        roles: &[Admin],
        mutating: false,
    },
    OpSpec {
        name: "policy.set",
        roles: &[Admin],
        mutating: true,
    },
    OpSpec {
        name: "policy.remove",
        roles: &[Admin],
        mutating: true,
    },
    OpSpec {
        name: "policy.assign_group",
        roles: &[Admin],
        mutating: true,
    },
    OpSpec {
        name: "policy.unassign_group",
        roles: &[Admin],
        mutating: true,
    },
    OpSpec {
        name: "user.list",
        roles: &[Admin],
        mutating: false,
    },
    OpSpec {
        name: "user.set",
        roles: &[Admin],
        mutating: true,
    },
    OpSpec {
        name: "user.remove",
        roles: &[Admin],
        mutating: true,
    },
    OpSpec {
        name: "group.list",
        roles: &[Admin],
        mutating: false,
    },
    OpSpec {
        name: "group.set",
        roles: &[Admin],
        mutating: true,
    },
    OpSpec {
        name: "group.remove",
        roles: &[Admin],
        mutating: true,
    },
    OpSpec {
        name: "allow.list",
        roles: &[Admin],
        mutating: false,
    },
    OpSpec {
        name: "allow.add",
        roles: &[Admin],
        mutating: true,
    },
    OpSpec {
        name: "allow.remove",
        roles: &[Admin],
        mutating: true,
    },
    OpSpec {
        name: "token.list",
        roles: &[Admin],
        mutating: false,
    },
    OpSpec {
        name: "token.create",
        roles: &[Admin],
        mutating: true,
    },
    OpSpec {
        name: "token.revoke",
        roles: &[Admin],
        mutating: true,
    },
    OpSpec {
        name: "audit.list",
        roles: &[Admin],
        mutating: false,
    },
];

/// Looks an op up by name.
pub fn spec(op: &str) -> Option<&'static OpSpec> {
    OPS.iter()
        .chain(super::numbers_ops::OPS)
        .find(|s| s.name == op)
}

/// Whether any of `roles` may call `spec`.
pub fn permitted(spec: &OpSpec, roles: &[Role]) -> bool {
    roles.iter().any(|r| spec.roles.contains(r))
}

/// Decodes `args` into `T`, naming the offending field on error.
pub fn decode<T: DeserializeOwned>(args: &Value) -> Result<T, ErrorBody> {
    let args = if args.is_null() {
        Value::Object(Default::default())
    } else {
        args.clone()
    };
    if !args.is_object() {
        return Err(ErrorBody::new(
            ErrorCode::BadRequest,
            "args: must be an object",
        ));
    }
    serde_path_to_error::deserialize(args).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        let message = if path == "." || path.is_empty() {
            // serde says "missing field `call`": name it first, as every other error does.
            match inner.split('`').nth(1) {
                Some(field) if inner.starts_with("missing field") => {
                    format!("{field}: missing field")
                }
                _ => inner,
            }
        } else {
            format!("{path}: {inner}")
        };
        ErrorBody::new(ErrorCode::BadRequest, message)
    })
}

/// The engine command for an engine op, or `None` when the op is not the engine's.
pub fn engine_command(op: &str, args: &Value) -> Option<Result<Command, ErrorBody>> {
    let cmd = match op {
        "park" => decode::<ParkArgs>(args).map(Command::Park),
        "retrieve" => decode::<RetrieveArgs>(args).map(Command::Retrieve),
        "extend" => decode::<ExtendArgs>(args).map(Command::Extend),
        "announce" => decode::<AnnounceArgs>(args).map(Command::Announce),
        "pickup" => decode::<PickupArgs>(args).map(Command::Pickup),
        "transfer" => decode::<TransferArgs>(args).map(Command::Transfer),
        "hangup" => decode::<HangupArgs>(args).map(Command::Hangup),
        "announcement.report" => decode::<ReportArgs>(args).map(Command::Report),
        "range.set"
        | "range.remove"
        | "policy.set"
        | "policy.remove"
        | "policy.assign_group"
        | "policy.unassign_group"
        | "user.set"
        | "user.remove"
        | "group.set"
        | "group.remove"
        | "allow.add"
        | "allow.remove" => {
            let args = if args.is_null() {
                Value::Object(Default::default())
            } else {
                args.clone()
            };
            let tagged = serde_json::json!({ "op": op, "args": args });
            decode::<AdminCommand>(&tagged)
                .map(Command::Admin)
                .map_err(|mut e| {
                    e.message = e.message.replacen("args.", "", 1);
                    e
                })
        }
        _ => return None,
    };
    Some(cmd)
}

/// The protocol error for an engine refusal.
pub fn engine_error(err: &EngineError) -> ErrorBody {
    let mut body = ErrorBody::new(ErrorCode::from_code(err.code()), err.to_string());
    if let EngineError::Conflict { by: Some(by), .. } = err {
        body.data = Some(serde_json::json!({ "by": by }));
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_wrong_type_names_the_field() {
        let err = engine_command("park", &json!({"call": 5})).and_then(|r| r.err());
        let err = err.expect("an error");
        assert_eq!(err.code, ErrorCode::BadRequest);
        assert!(err.message.starts_with("call:"), "{}", err.message);
    }

    #[test]
    fn a_missing_field_is_named() {
        let err = engine_command("retrieve", &json!({})).and_then(|r| r.err());
        let err = err.expect("an error");
        assert!(err.message.starts_with("code:"), "{}", err.message);
    }

    #[test]
    fn admin_args_decode_into_admin_commands() {
        let cmd = engine_command("range.remove", &json!({"name": "vip"}));
        assert!(matches!(
            cmd,
            Some(Ok(Command::Admin(AdminCommand::RangeRemove { .. })))
        ));
    }

    #[test]
    fn a_monitor_may_call_nothing_that_changes_state() {
        for op in OPS.iter().filter(|o| o.mutating) {
            assert!(!permitted(op, &[Role::Monitor]), "{}", op.name);
        }
    }
}
