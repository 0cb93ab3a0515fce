//! The catalogue of op names: for each, its wire name, its family, the roles that may call
//! it and whether it changes state. The engine's commands take their roles from the
//! engine's own table (`engine::roles`, which the engine checks for direct callers too), so
//! each op's roles are written once.

use super::ProtocolError;
use crate::engine::Role;
use crate::engine::roles;
use Role::*;

/// Which family (and file) an op belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    Session,
    Desk,
    Query,
    Admin,
    Numbers,
    Sim,
    Engine,
}

const ALL: &[Role] = &[Receptionist, Admin, Monitor, Announcer, User];
const DESK_OR_ADMIN: &[Role] = &[Receptionist, Admin];
const ADMIN: &[Role] = roles::ADMIN;

macro_rules! op_names {
    ($( $variant:ident = $wire:literal, $family:ident, $roles:expr, $mutates:expr; )*) => {
        /// The name of an op, known before its args are read.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum OpName {
            $(
                #[doc = concat!("`", $wire, "`.")]
                $variant,
            )*
        }

        impl OpName {
            /// Every op, `hello` included.
            pub const ALL: &'static [OpName] = &[$(OpName::$variant),*];

            /// The name on the wire.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(OpName::$variant => $wire,)*
                }
            }

            /// Roles that may call it.
            pub fn roles(self) -> &'static [Role] {
                match self {
                    $(OpName::$variant => $roles,)*
                }
            }

            /// Whether it changes state (idempotency keys and the audit log apply).
            pub fn mutates(self) -> bool {
                match self {
                    $(OpName::$variant => $mutates,)*
                }
            }

            pub(crate) fn family(self) -> Family {
                match self {
                    $(OpName::$variant => Family::$family,)*
                }
            }
        }
    };
}

op_names! {
    Hello = "hello", Session, ALL, false;
    Ping = "ping", Session, ALL, false;
    Subscribe = "subscribe", Session, ALL, false;
    Health = "health", Query, ALL, false;
    Park = "park", Desk, roles::PARK, true;
    Retrieve = "retrieve", Desk, roles::RETRIEVE, true;
    Extend = "extend", Desk, roles::EXTEND, true;
    Announce = "announce", Desk, roles::ANNOUNCE, true;
    Pickup = "pickup", Desk, roles::PICKUP, true;
    Transfer = "transfer", Desk, roles::TRANSFER, true;
    Hangup = "hangup", Desk, roles::HANGUP, true;
    ParkedList = "parked.list", Query, &[Receptionist, Admin, Monitor, User], false;
    DirectorySearch = "directory.search", Query, &[Receptionist, Monitor, User, Admin], false;
    HistoryList = "history.list", Query, &[Receptionist, Admin, Monitor], false;
    AnnouncementReport = "announcement.report", Desk, roles::REPORT, true;
    SimOffer = "sim.offer", Sim, DESK_OR_ADMIN, true;
    SimHangup = "sim.hangup", Sim, DESK_OR_ADMIN, true;
    SimDial = "sim.dial", Sim, DESK_OR_ADMIN, true;
    SimPhone = "sim.phone", Sim, DESK_OR_ADMIN, true;
    RangeList = "range.list", Admin, &[Admin, Receptionist, Monitor], false;
    RangeSet = "range.set", Admin, ADMIN, true;
    RangeRemove = "range.remove", Admin, ADMIN, true;
    PolicyList = "policy.list", Admin, ADMIN, false;
    PolicySet = "policy.set", Admin, ADMIN, true;
    PolicyRemove = "policy.remove", Admin, ADMIN, true;
    PolicyAssignGroup = "policy.assign_group", Admin, ADMIN, true;
    PolicyUnassignGroup = "policy.unassign_group", Admin, ADMIN, true;
    UserList = "user.list", Admin, ADMIN, false;
    UserSet = "user.set", Admin, ADMIN, true;
    UserRemove = "user.remove", Admin, ADMIN, true;
    GroupList = "group.list", Admin, ADMIN, false;
    GroupSet = "group.set", Admin, ADMIN, true;
    GroupRemove = "group.remove", Admin, ADMIN, true;
    AllowList = "allow.list", Admin, ADMIN, false;
    AllowAdd = "allow.add", Admin, ADMIN, true;
    AllowRemove = "allow.remove", Admin, ADMIN, true;
    TokenList = "token.list", Admin, ADMIN, false;
    TokenCreate = "token.create", Admin, ADMIN, true;
    TokenRevoke = "token.revoke", Admin, ADMIN, true;
    AuditList = "audit.list", Admin, ADMIN, false;
    OperatorList = "operator.list", Numbers, ADMIN, false;
    OperatorEnable = "operator.enable", Numbers, ADMIN, true;
    OperatorEdit = "operator.edit", Numbers, ADMIN, true;
    OperatorSuspend = "operator.suspend", Numbers, ADMIN, true;
    OperatorResume = "operator.resume", Numbers, ADMIN, true;
    OperatorRemove = "operator.remove", Numbers, ADMIN, true;
    NumberList = "number.list", Numbers, ADMIN, false;
    NumberImport = "number.import", Numbers, ADMIN, true;
    NumberAssign = "number.assign", Numbers, ADMIN, true;
    NumberUnassign = "number.unassign", Numbers, ADMIN, true;
    NumberRelease = "number.release", Numbers, ADMIN, true;
    NumberMigrate = "number.migrate", Numbers, ADMIN, true;
    NumberSetAddress = "number.set_address", Numbers, ADMIN, true;
    AddressList = "address.list", Numbers, ADMIN, false;
    AddressSet = "address.set", Numbers, ADMIN, true;
    AddressRemove = "address.remove", Numbers, ADMIN, true;
    EngineRestart = "engine.restart", Engine, roles::ENGINE, true;
    EngineDrain = "engine.drain", Engine, roles::ENGINE, true;
    EngineReload = "engine.reload", Engine, roles::ENGINE, true;
}

impl OpName {
    /// The op of this wire name; `unknown_op` for any other.
    pub fn parse(name: &str) -> Result<OpName, ProtocolError> {
        OpName::ALL
            .iter()
            .copied()
            .find(|op| op.as_str() == name)
            .ok_or_else(|| ProtocolError::UnknownOp(name.to_string()))
    }

    /// Whether any of `roles` may call it.
    pub fn permits(self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.roles().contains(r))
    }
}

impl std::fmt::Display for OpName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
