//! Ops in the engine task: the idempotency cache and the audit log around each, then the
//! typed op to the engine, the numbers desk, the token registry or the simulated switch.

use super::EngineTask;
use super::handle::{OpRequest, OpResult};
use crate::engine::switch::LegId;
use crate::engine::{Actor, AdminCommand, Command, CommandOk, Instant};
use crate::protocol::op::admin::TokenRevoke;
use crate::protocol::op::{
    AdminOp, AnnounceOk, CallOk, DirectoryEntry, Done, EngineOp, ExtendOk, ParkOk, QueryOp, SimOp,
    TokenCreate,
};
use crate::protocol::{self, ErrorBody, ErrorCode, Op, OpName};
use crate::server::auth::TokenEntry;
use crate::server::{StopRequest, ops};
use crate::sim::{Behaviour, SimError};
use crate::store::{AuditEntry, TokenRecord, redact_args};
use serde::Serialize;
use serde_json::{Value, json};
use std::sync::atomic::Ordering;
use std::time::Duration;

/// An op's `ok` value.
fn ok<T: Serialize>(value: T) -> Result<Value, ErrorBody> {
    serde_json::to_value(value).map_err(|e| ErrorBody::new(ErrorCode::Internal, e.to_string()))
}

fn unknown(name: OpName) -> ErrorBody {
    ErrorBody::new(ErrorCode::UnknownOp, format!("unknown op '{name}'"))
}

impl EngineTask {
    /// An op, with the idempotency cache around mutating ones and the audit log after.
    pub(super) fn op(
        &mut self,
        now: Instant,
        actor: &Actor,
        request: OpRequest,
        key: Option<&str>,
    ) -> OpResult {
        let OpRequest { name, op, args } = request;
        let mutating = name.mutates();
        if let (true, Some(key)) = (mutating, key)
            && let Some(first) = self.idempotency.get(now, &actor.user, key)
        {
            return first;
        }
        let result = match op {
            Ok(op) => self.dispatch(now, actor, op),
            // Without the sim, a `sim.*` op is refused whatever its args.
            Err(_) if self.sim.is_none() && name.as_str().starts_with("sim.") => Err(sim_off(name)),
            Err(e) => Err(e.body()),
        };
        let seq = self.pump(now);
        let out = OpResult { result, seq };
        if mutating {
            if let Some(key) = key {
                self.idempotency.put(now, &actor.user, key, out.clone());
            }
            self.audit(now, actor, name, &args, &out);
        }
        out
    }

    fn audit(&self, now: Instant, actor: &Actor, op: OpName, args: &Value, out: &OpResult) {
        let Some(store) = &self.store else { return };
        store.audit(AuditEntry {
            at: self.clock.utc().at(now),
            user: actor.user.clone(),
            op: op.as_str().to_string(),
            args_json: redact_args(args),
            result: match &out.result {
                Ok(_) => "ok".into(),
                Err(e) => serde_json::to_value(e.code)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_else(|| "internal".into()),
            },
        });
    }

    fn dispatch(&mut self, now: Instant, actor: &Actor, op: Op) -> Result<Value, ErrorBody> {
        let name = op.name();
        match op {
            Op::Desk(desk) => self.command(now, actor, desk.into_command()),
            Op::Admin(AdminOp::Change(change)) => self.command(now, actor, Command::Admin(change)),
            Op::Numbers(numbers) => {
                let result =
                    self.numbers
                        .handle(&mut self.engine, now, actor, self.store.as_ref(), numbers);
                if result.is_ok()
                    && let Some(sip) = &self.sip
                {
                    // Assigning numbers changes users: the SIP side's dial plan follows.
                    sip.update_directory(self.engine.setup());
                }
                result
            }
            Op::Query(query) => self.query(now, query),
            Op::Admin(admin) => self.admin(now, admin),
            Op::Sim(sim) => self.sim_op(now, sim),
            // The session answers these itself.
            Op::Session(_) | Op::Engine(EngineOp::Reload) => Err(unknown(name)),
            Op::Engine(op) => self.stop_request(op),
        }
    }

    /// An engine command; an admin change is then passed on to the switches and the store.
    fn command(
        &mut self,
        now: Instant,
        actor: &Actor,
        command: Command,
    ) -> Result<Value, ErrorBody> {
        let utc = *self.clock.utc();
        let admin = matches!(command, Command::Admin(_));
        let removed_user = match &command {
            Command::Admin(AdminCommand::UserRemove { id }) => Some(id.clone()),
            _ => None,
        };
        let done = self
            .engine
            .handle_command(now, actor, command)
            .map_err(|e| ops::engine_error(&e))?;
        if let Some(id) = removed_user {
            self.numbers.user_removed(&id, self.store.as_ref());
        }
        if admin && let Some(sim) = &mut self.sim {
            sim.set_groups(&self.engine.setup().groups);
        }
        if admin && let Some(sip) = &self.sip {
            sip.update_directory(self.engine.setup());
        }
        // A group's number or members may have changed with no event: lamps follow.
        self.lamps_changed |= admin;
        if admin && let Some(store) = &self.store {
            // Queued now, in order with every other write; flush() reports failures.
            store.put_setup(self.engine.setup());
        }
        match done {
            CommandOk::Parked {
                code,
                spoken,
                expires_at,
            } => ok(ParkOk {
                code,
                spoken,
                expires_at: utc.at(expires_at),
            }),
            CommandOk::Call { call } => ok(CallOk { call }),
            CommandOk::Extended { expires_at } => ok(ExtendOk {
                expires_at: utc.at(expires_at),
            }),
            CommandOk::Announced(a) => ok(AnnounceOk {
                announcement: protocol::Announcement::from_engine(&a, &utc),
            }),
            CommandOk::Done => ok(Done {}),
        }
    }

    /// `engine.restart` / `engine.drain`: handed to the process's owner, which carries it
    /// out after this reply has gone.
    fn stop_request(&mut self, op: EngineOp) -> Result<Value, ErrorBody> {
        if self.stop_requested || self.drain.is_some() {
            return Err(ErrorBody::new(
                ErrorCode::Conflict,
                "the engine is already stopping",
            ));
        }
        let request = match op {
            EngineOp::Restart => StopRequest::Restart,
            EngineOp::Drain => StopRequest::Drain,
            EngineOp::Reload => return Err(unknown(op.name())),
        };
        let sent = self
            .stop_requests
            .as_ref()
            .is_some_and(|requests| requests.send(request).is_ok());
        if !sent {
            return Err(ErrorBody::new(
                ErrorCode::Internal,
                "this engine is not run by `parkdesk engine`: nothing carries out a restart or a drain",
            ));
        }
        self.stop_requested = true;
        ok(Done {})
    }

    fn query(&mut self, now: Instant, query: QueryOp) -> Result<Value, ErrorBody> {
        match query {
            QueryOp::Health => {
                let mut health = json!({
                    "engine": self.settings.name,
                    "epoch": self.epoch,
                    "seq": self.seq,
                    "uptime_s": now.as_millis() / 1000,
                    "parked": self.engine.parked().len(),
                    "calls": self.engine.calls().len(),
                    "subscribers": self.hub.len(),
                    "connections": self.connections.load(Ordering::Relaxed),
                    "draining": self.drain.is_some(),
                });
                if let Some(sip) = &self.sip {
                    // What the SIP side holds: a soak run checks each returns to its baseline.
                    let (legs, calls) = sip.live();
                    health["sip"] = json!({
                        "legs": legs,
                        "calls": calls,
                        "rtp_streams": sip.active_streams(),
                        "registrations": sip.registrations(),
                        "subscriptions": sip.subscriptions(),
                    });
                }
                Ok(health)
            }
            QueryOp::ParkedList => {
                let utc = *self.clock.utc();
                let parked: Vec<_> = self
                    .engine
                    .parked()
                    .iter()
                    .map(|p| protocol::Parked::from_engine(p, &utc))
                    .collect();
                Ok(json!({ "parked": parked }))
            }
            QueryOp::DirectorySearch(args) => {
                Ok(json!({ "users": self.directory_search(&args.query) }))
            }
            // The session reads the history from the store itself.
            QueryOp::HistoryList(_) => Err(unknown(OpName::HistoryList)),
        }
    }

    fn admin(&mut self, now: Instant, admin: AdminOp) -> Result<Value, ErrorBody> {
        let setup = self.engine.setup();
        match admin {
            AdminOp::RangeList => Ok(json!({ "ranges": setup.ranges })),
            AdminOp::PolicyList => Ok(json!({
                "policies": setup.policies,
                "assignments": setup.assignments,
            })),
            AdminOp::UserList => Ok(json!({ "users": setup.users })),
            AdminOp::GroupList => Ok(json!({ "groups": setup.groups })),
            AdminOp::AllowList => Ok(json!({ "allow_list": setup.allow_list })),
            AdminOp::TokenList => Ok(
                json!({ "tokens": self.tokens.entries().iter().map(|t| json!({
                "id": t.id, "user": t.user, "roles": t.roles, "label": t.label,
            })).collect::<Vec<_>>() }),
            ),
            AdminOp::TokenCreate(args) => self.token_create(now, args),
            AdminOp::TokenRevoke(args) => self.token_revoke(args),
            other => Err(unknown(other.name())),
        }
    }

    fn directory_search(&self, query: &str) -> Vec<DirectoryEntry> {
        let setup = self.engine.setup();
        self.engine
            .directory_search(query)
            .into_iter()
            .map(|u| DirectoryEntry {
                id: u.id.clone(),
                name: u.name.clone(),
                numbers: u.numbers.clone(),
                voice_enabled: u.voice_enabled,
                groups: setup
                    .groups
                    .iter()
                    .filter(|g| g.members.contains(&u.id))
                    .map(|g| g.id.clone())
                    .collect(),
            })
            .collect()
    }

    fn token_create(&mut self, now: Instant, args: TokenCreate) -> Result<Value, ErrorBody> {
        if args.roles.is_empty() {
            return Err(ErrorBody::new(
                ErrorCode::BadRequest,
                "roles: at least one role",
            ));
        }
        // A token acts as a directory user: one for a user who is not there would act as
        // nobody (no line, no policy) and is refused by name.
        if !self.engine.setup().users.iter().any(|u| u.id == args.user) {
            return Err(ErrorBody::new(
                ErrorCode::BadRequest,
                format!("user: '{}' is not a directory user", args.user),
            ));
        }
        // The generator was seeded at startup (runtime::entropy::init), so it cannot fail.
        let token = crate::runtime::entropy::random_hex(24);
        let id = format!("t-{}", crate::runtime::entropy::random_hex(6));
        let hash = crate::server::auth::digest(&token);
        self.tokens.insert(TokenEntry {
            id: id.clone(),
            hash,
            user: args.user.clone(),
            roles: args.roles.clone(),
            label: args.label.clone(),
        });
        if let Some(store) = &self.store {
            store.put_token(TokenRecord {
                id: id.clone(),
                hash: hex::encode(hash),
                user: args.user.clone(),
                roles: args.roles.clone(),
                label: args.label,
                created_at: self.clock.utc().at(now),
            });
        }
        Ok(json!({ "id": id, "token": token, "user": args.user, "roles": args.roles }))
    }

    fn token_revoke(&mut self, args: TokenRevoke) -> Result<Value, ErrorBody> {
        if args.id.starts_with("config:") {
            return Err(ErrorBody::new(
                ErrorCode::BadRequest,
                "id: tokens from the config file are revoked by editing the file",
            ));
        }
        if !self.tokens.remove(&args.id) {
            return Err(ErrorBody::new(
                ErrorCode::NotFound,
                format!("no token '{}'", args.id),
            ));
        }
        if let Some(store) = &self.store {
            store.revoke_token(&args.id);
        }
        Ok(json!({}))
    }

    fn sim_op(&mut self, now: Instant, op: SimOp) -> Result<Value, ErrorBody> {
        let Some(sim) = &mut self.sim else {
            return Err(sim_off(op.name()));
        };
        match op {
            SimOp::Offer(args) => {
                if !self.engine.is_allowed_target(&args.to) {
                    return Err(ErrorBody::new(
                        ErrorCode::Forbidden,
                        format!("to: '{}' is not a directory user or group", args.to),
                    ));
                }
                if self.numbers.is_suspended_number(&args.to) {
                    // What SIP answers such a call: 480 Temporarily Unavailable.
                    return Err(ErrorBody::new(
                        ErrorCode::PolicyDenied,
                        format!("to: {} belongs to a suspended operator (480)", args.to),
                    ));
                }
                let call = sim.offer(now, args.from, &args.to).map_err(sim_error)?;
                ok(CallOk { call })
            }
            SimOp::Hangup(args) => {
                sim.hangup(now, &args.call, LegId::Caller)
                    .map_err(sim_error)?;
                ok(Done {})
            }
            SimOp::Dial(args) => {
                let call = sim
                    .dial(now, &args.caller, &args.number)
                    .map_err(sim_error)?;
                ok(CallOk { call })
            }
            SimOp::Phone(args) => {
                let after = Duration::from_millis(args.after_ms.unwrap_or(2000));
                let behaviour = match args.behaviour.as_str() {
                    "answer" => Behaviour::Answer { after },
                    "busy" => Behaviour::Busy,
                    "decline" => Behaviour::Decline { after },
                    "no_answer" => Behaviour::NoAnswer,
                    "unreachable" => Behaviour::Unreachable,
                    "answer_crossing_cancel" => Behaviour::AnswerCrossingCancel { after },
                    other => {
                        return Err(ErrorBody::new(
                            ErrorCode::BadRequest,
                            format!(
                                "behaviour: '{other}' is not one of answer, busy, decline, \
                                 no_answer, unreachable, answer_crossing_cancel"
                            ),
                        ));
                    }
                };
                sim.set_behaviour(&args.user, behaviour);
                ok(Done {})
            }
        }
    }
}

/// `sim.*` on an engine without `[demo]` or `[sim]`.
fn sim_off(name: OpName) -> ErrorBody {
    ErrorBody::new(
        ErrorCode::Forbidden,
        format!("{name} needs [demo] or [sim] enabled in the engine's config"),
    )
}

/// A simulated switch's refusal (unknown call, leg gone) as a protocol error.
fn sim_error(e: SimError) -> ErrorBody {
    ErrorBody::new(ErrorCode::NotFound, e.to_string())
}
