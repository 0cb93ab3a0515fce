//! Client commands: the role check (always first: a monitor is refused whatever else is
//! wrong), then the command's own checks and effect.

use super::Engine;
use super::clock::Instant;
use super::command::{Command, CommandOk};
use super::directory::{Actor, Role};
use super::error::EngineError;

/// Who may call each command: defined once, read by the engine's own check and by the
/// protocol's op catalogue (`protocol::op::OpName::roles`), so the two cannot drift.
pub mod roles {
    use super::Role::{self, Admin, Announcer, Receptionist, User};

    /// `park`: the desk, or a user with a park policy (own calls).
    pub const PARK: &[Role] = &[Receptionist, User];
    /// `retrieve`: the desk, or a user within their `retrieve_ranges`.
    pub const RETRIEVE: &[Role] = &[Receptionist, User];
    /// `extend`: the desk, or the parker.
    pub const EXTEND: &[Role] = &[Receptionist, User];
    /// `pickup`: the desk, or a group member (or anyone, per group).
    pub const PICKUP: &[Role] = &[Receptionist, User];
    /// `announce`: the desk.
    pub const ANNOUNCE: &[Role] = &[Receptionist];
    /// `transfer`: the desk.
    pub const TRANSFER: &[Role] = &[Receptionist];
    /// `hangup`: the desk.
    pub const HANGUP: &[Role] = &[Receptionist];
    /// `announcement.report`: a PA station.
    pub const REPORT: &[Role] = &[Announcer];
    /// Administration of the directory, ranges and policies.
    pub const ADMIN: &[Role] = &[Admin];
    /// `engine.restart`, `engine.drain` and `engine.reload`: the engine process is an
    /// admin's.
    pub const ENGINE: &[Role] = &[Admin];
}

/// The op's wire name and the roles that may call it.
fn op_roles(command: &Command) -> (&'static str, &'static [Role]) {
    match command {
        Command::Park(_) => ("park", roles::PARK),
        Command::Retrieve(_) => ("retrieve", roles::RETRIEVE),
        Command::Extend(_) => ("extend", roles::EXTEND),
        Command::Pickup(_) => ("pickup", roles::PICKUP),
        Command::Announce(_) => ("announce", roles::ANNOUNCE),
        Command::Transfer(_) => ("transfer", roles::TRANSFER),
        Command::Hangup(_) => ("hangup", roles::HANGUP),
        Command::Report(_) => ("announcement.report", roles::REPORT),
        Command::Admin(_) => ("admin", roles::ADMIN),
    }
}

/// Refuses an actor none of whose roles may call the op.
pub fn check_role(actor: &Actor, command: &Command) -> Result<(), EngineError> {
    let (op, roles) = op_roles(command);
    if roles.iter().any(|role| actor.has(*role)) {
        return Ok(());
    }
    let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    Err(EngineError::Forbidden(format!(
        "{op} needs the {} role",
        names.join(" or ")
    )))
}

impl Engine {
    /// Runs a client command.
    pub(super) fn dispatch(
        &mut self,
        now: Instant,
        actor: &Actor,
        command: Command,
    ) -> Result<CommandOk, EngineError> {
        check_role(actor, &command)?;
        match command {
            Command::Park(args) => self.cmd_park(now, actor, args),
            Command::Retrieve(args) => self.cmd_retrieve(now, actor, args),
            Command::Extend(args) => self.cmd_extend(actor, args),
            Command::Announce(args) => self.cmd_announce(now, args),
            Command::Pickup(args) => self.cmd_pickup(now, actor, args),
            Command::Transfer(args) => self.cmd_transfer(now, actor, args),
            Command::Hangup(args) => self.cmd_hangup(now, actor, args),
            Command::Report(args) => self.cmd_report(args),
            Command::Admin(admin) => self.cmd_admin(now, admin),
        }
    }
}
