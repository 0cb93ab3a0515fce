//! Client commands: the role check (always first: a monitor is refused whatever else is
//! wrong), then the command's own checks and effect.

use super::Engine;
use super::clock::Instant;
use super::command::{Command, CommandOk};
use super::directory::{Actor, Role};
use super::error::EngineError;

/// The op's wire name and the roles that may call it.
fn op_roles(command: &Command) -> (&'static str, &'static [Role]) {
    const DESK_OR_USER: &[Role] = &[Role::Receptionist, Role::User];
    const DESK: &[Role] = &[Role::Receptionist];
    match command {
        Command::Park(_) => ("park", DESK_OR_USER),
        Command::Retrieve(_) => ("retrieve", DESK_OR_USER),
        Command::Extend(_) => ("extend", DESK_OR_USER),
        Command::Pickup(_) => ("pickup", DESK_OR_USER),
        Command::Announce(_) => ("announce", DESK),
        Command::Transfer(_) => ("transfer", DESK),
        Command::Hangup(_) => ("hangup", DESK),
        Command::Report(_) => ("announcement.report", &[Role::Announcer]),
        Command::Admin(_) => ("admin", &[Role::Admin]),
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
