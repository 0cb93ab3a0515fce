//! The engine's owner: one task that holds the engine, the simulated switch and the demo,
//! turns requests into commands, drains events and intents after every input, numbers and
//! fans out the events, and re-arms its timer from `poll_timeout` (str0m's rule).

use super::auth::{TokenEntry, TokenRegistry};
use super::hub::{self, Attached, Filter, Hub, Published};
use super::idempotency::IdempotencyCache;
use super::numbers_ops::NumbersDesk;
use super::ops;
use crate::engine::switch::{CallId, LegId, Party, SwitchEvent};
use crate::engine::{Actor, Command, CommandOk, Engine, EngineEvent, EventName, Instant, Role};
use crate::protocol::{
    self, ErrorBody, ErrorCode, EventFrame, Snapshot, SubscribeArgs, SubscribeOk, Timestamp,
};
use crate::runtime::DriverClock;
use crate::sim::{
    Behaviour, DemoDirectory, DemoTraffic, Output, SimError, SimSwitch, Switchboard, Wiring,
};
use crate::sip::blf::board::{LampBoard, changes_lamps};
use crate::store::{AuditEntry, ParkEnded, ParkRecord, Store, TokenRecord, redact_args};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// A request's outcome: the `ok` value or the error, and the seq of the last event caused.
#[derive(Debug, Clone)]
pub struct OpResult {
    /// `ok` or `error`.
    pub result: Result<Value, ErrorBody>,
    /// The last event's seq, when the request caused any.
    pub seq: Option<u64>,
}

/// A new subscription, handed to the session.
#[derive(Debug)]
pub struct Subscription {
    /// The reply to send.
    pub ok: SubscribeOk,
    /// Events to send right after the reply (a replay).
    pub replay: Vec<Arc<str>>,
    /// Live events.
    pub events: mpsc::Receiver<Arc<str>>,
    /// Set when the hub dropped it for being slow.
    pub slow: Arc<AtomicBool>,
    /// Its id, for detaching.
    pub id: u64,
}

/// Messages from sessions and the server to the engine task.
#[derive(Debug)]
pub enum Msg {
    /// `hello`: who does this token stand for?
    Hello {
        /// The token.
        token: String,
        /// The actor, if the token is known.
        reply: oneshot::Sender<Option<Actor>>,
    },
    /// Any op but `hello`, `ping` and the store's reads.
    Op {
        /// Who.
        actor: Actor,
        /// The op.
        op: String,
        /// Its args.
        args: Value,
        /// Idempotency key.
        key: Option<String>,
        /// Where the result goes.
        reply: oneshot::Sender<OpResult>,
    },
    /// `subscribe`.
    Subscribe {
        /// Who.
        actor: Actor,
        /// `since`/`epoch`.
        args: SubscribeArgs,
        /// For an announcer station: the zone it serves.
        zone: Option<String>,
        /// The subscription or an error.
        reply: oneshot::Sender<Result<Subscription, ErrorBody>>,
    },
    /// A session ended.
    Unsubscribe {
        /// The subscription.
        id: u64,
    },
    /// A call event from the SIP side.
    Switch(SwitchEvent),
    /// Start the shutdown drain; the reply comes when it is over.
    Drain {
        /// How long parked calls get before every leg is released.
        grace: Duration,
        /// Answered when the drain is complete.
        reply: oneshot::Sender<()>,
    },
}

/// How the engine task is set up.
#[derive(Debug, Clone)]
pub struct TaskSettings {
    /// Engine name and version for `hello`.
    pub name: String,
    /// Events kept for replay.
    pub event_buffer: usize,
    /// Events in a snapshot's `recent`.
    pub recent: usize,
    /// Queue per subscriber before it is closed with `resync`.
    pub subscriber_queue: usize,
    /// `sim.*` ops allowed.
    pub sim_enabled: bool,
    /// Demo traffic with this seed.
    pub demo_seed: Option<u64>,
    /// Seed for the engine's `random` allocation.
    pub seed: u64,
}

/// The engine task's state.
pub struct EngineTask {
    engine: Engine,
    sim: Option<SimSwitch>,
    sip: Option<Arc<crate::sip::SipService>>,
    demo: Option<DemoTraffic>,
    /// The loop between the engine, the simulated switch, the demo and the SIP side.
    board: Switchboard,
    clock: DriverClock,
    epoch: String,
    seq: u64,
    hub: Hub,
    tokens: TokenRegistry,
    idempotency: IdempotencyCache,
    store: Option<Store>,
    settings: TaskSettings,
    stations: HashMap<String, usize>,
    connections: Arc<AtomicUsize>,
    drain: Option<(Instant, oneshot::Sender<()>)>,
    numbers: NumbersDesk,
    /// An input changed what a busy lamp may show since the lamps were last shown.
    lamps_changed: bool,
}

impl std::fmt::Debug for EngineTask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineTask")
            .field("epoch", &self.epoch)
            .field("seq", &self.seq)
            .finish()
    }
}

/// Events that belong in a console's activity log.
fn is_activity(name: EventName) -> bool {
    let n = name.as_str();
    n.starts_with("park.") || n.starts_with("pickup.") || n.starts_with("announcement.")
}

impl EngineTask {
    /// A task around a built engine.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        engine: Engine,
        clock: DriverClock,
        epoch: String,
        tokens: TokenRegistry,
        store: Option<Store>,
        settings: TaskSettings,
        connections: Arc<AtomicUsize>,
    ) -> EngineTask {
        let sim_on = settings.sim_enabled || settings.demo_seed.is_some();
        let sim = sim_on.then(|| SimSwitch::for_setup(engine.setup()));
        let demo = settings
            .demo_seed
            .map(|seed| DemoTraffic::new(seed, DemoDirectory::from_setup(engine.setup())));
        let board = Switchboard::new(clock.now());
        EngineTask {
            engine,
            sim,
            sip: None,
            demo,
            board,
            clock,
            epoch,
            seq: 0,
            hub: Hub::new(settings.event_buffer, settings.subscriber_queue),
            tokens,
            idempotency: IdempotencyCache::default(),
            store,
            settings,
            stations: HashMap::new(),
            connections,
            drain: None,
            numbers: NumbersDesk::default(),
            lamps_changed: false,
        }
    }

    /// Serves real calls through `sip` as well (calls it created are `s-…`).
    pub fn with_sip(mut self, sip: Option<Arc<crate::sip::SipService>>) -> EngineTask {
        if sip.is_some() {
            // The SIP side's calls are `s-…`; the switchboard hands their intents out.
            self.board = Switchboard::new(self.board.now()).with_outside_calls("s-");
        }
        self.sip = sip;
        self
    }

    /// The parts the switchboard connects, lent for one input.
    fn wiring(&mut self) -> (&mut Switchboard, Wiring<'_>) {
        let wiring = Wiring {
            engine: &mut self.engine,
            switch: self.sim.as_mut(),
            demo: self.demo.as_mut(),
        };
        (&mut self.board, wiring)
    }

    /// What the switchboard handed out: events published (returns the last seq), intents
    /// for SIP calls (or for no switch at all) forwarded to the SIP side.
    fn forward_outputs(&mut self) -> Option<u64> {
        let mut last = None;
        while let Some(output) = self.board.poll_output() {
            match output {
                Output::Event(at, event) => last = Some(self.publish(at, &event)),
                Output::Intent(_, intent) => match &self.sip {
                    Some(sip) => sip.intent(intent),
                    None => tracing::debug!(?intent, "no switch for intent"),
                },
                Output::SwitchEvent(..) => {}
            }
        }
        last
    }

    /// The numbers desk: the inventory and its read view for SIP
    /// ([`NumbersDesk::routes`], [`NumbersDesk::is_suspended_number`],
    /// [`NumbersDesk::user_of_number`]).
    pub fn numbers(&self) -> &NumbersDesk {
        &self.numbers
    }

    /// Runs until every sender is gone or a drain completes.
    pub async fn run(mut self, mut rx: mpsc::Receiver<Msg>) {
        if let Some(store) = &self.store {
            match store.load_numbers().await {
                Ok(stored) => self.numbers.load(stored.into_inventory()),
                Err(e) => tracing::error!(error = %e, "reading the numbers inventory failed"),
            }
        }
        let now = self.clock.now();
        self.pump(now);
        self.show_lamps();
        let sip = self.sip.clone();
        loop {
            let next = self.next_deadline();
            let sleep = async {
                match next {
                    Some(at) => tokio::time::sleep_until(self.clock.deadline(at)).await,
                    None => std::future::pending().await,
                }
            };
            let lamps_wanted = async {
                match &sip {
                    Some(sip) => sip.lamps_wanted().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                msg = rx.recv() => match msg {
                    Some(msg) => self.handle_msg(msg),
                    None => break,
                },
                () = sleep => {
                    let now = self.clock.now();
                    self.on_timer(now);
                }
                () = lamps_wanted => self.show_lamps(),
            }
            if self.drain_complete() {
                break;
            }
        }
        if let Some(store) = &self.store
            && let Err(e) = store.flush().await
        {
            tracing::error!(error = %e, "store writes failed");
        }
        self.hub.detach_all();
        if let Some((_, reply)) = self.drain.take() {
            let _ = reply.send(());
        }
    }

    /// The earliest timer of the engine, the switch, the demo and the drain.
    fn next_deadline(&mut self) -> Option<Instant> {
        let drain = self.drain.as_ref().map(|(deadline, _)| *deadline);
        let (_, wiring) = self.wiring();
        [wiring.poll_timeout(), drain].into_iter().flatten().min()
    }

    /// Fires what is due by `now`, one timer at a time with a pump after each (the
    /// switchboard's rule), then the drain's deadline.
    fn on_timer(&mut self, now: Instant) {
        let (board, mut wiring) = self.wiring();
        board.advance_to(&mut wiring, now);
        if let Some((deadline, _)) = &self.drain
            && now >= *deadline
        {
            self.engine.handle_drain_deadline(now);
        }
        self.pump(now);
    }

    /// The drain is over when nothing is parked or ringing any more, or its deadline passed
    /// (and the deadline's releases were drained).
    fn drain_complete(&self) -> bool {
        match &self.drain {
            Some((deadline, _)) => self.engine.parked().is_empty() || self.clock.now() >= *deadline,
            None => false,
        }
    }

    /// After every input: the switchboard passes events and intents around until all is
    /// quiet; its events go to the subscribers, its SIP intents to the SIP side. Returns the
    /// seq of the last event published.
    fn pump(&mut self, now: Instant) -> Option<u64> {
        let (board, mut wiring) = self.wiring();
        board.pump(&mut wiring, now);
        let last = self.forward_outputs();
        if self.lamps_changed {
            self.show_lamps();
        }
        self.sync_stations(now);
        last
    }

    /// Busy lamps follow the engine's parked calls and ringing groups (the SIP side reads
    /// the board only while a phone watches a lamp, and sends a NOTIFY only for the lamps
    /// that changed).
    fn show_lamps(&mut self) {
        self.lamps_changed = false;
        if let Some(sip) = &self.sip {
            sip.show_lamps(|| LampBoard::read(&self.engine));
        }
    }

    fn publish(&mut self, now: Instant, event: &EngineEvent) -> u64 {
        self.lamps_changed |= changes_lamps(event.name);
        self.seq += 1;
        let at = self.clock.utc().at(now);
        self.record(event, at);
        // The frame of PROTOCOL.md, written once and shared by every subscriber.
        let text = format!(
            "{{\"event\":\"{}\",\"seq\":{},\"at\":\"{}\",\"data\":{}}}",
            event.name.as_str(),
            self.seq,
            at,
            protocol::event_data_json(event, self.clock.utc())
        );
        self.hub.publish(Published {
            seq: self.seq,
            name: event.name,
            text: text.into(),
            concerns: hub::concerns(event),
        });
        self.seq
    }

    /// Park history for the store.
    fn record(&self, event: &EngineEvent, at: Timestamp) {
        let (Some(store), crate::engine::Subject::Parked(p)) = (&self.store, &event.subject) else {
            return;
        };
        match event.name {
            EventName::ParkStarted => {
                store.park_started(ParkRecord::from_parked(p, self.clock.utc()))
            }
            EventName::ParkEnded => store.park_ended(ParkEnded {
                call: p.call.clone(),
                code: p.code.clone(),
                outcome: event
                    .detail
                    .outcome
                    .unwrap_or(crate::engine::ParkOutcome::Released),
                by: event.detail.by.clone(),
                ended_at: at,
            }),
            _ => {}
        }
    }

    /// Tells the engine when a zone gains or loses its last station.
    fn sync_stations(&mut self, now: Instant) {
        let Some(current) = self.hub.stations_if_changed() else {
            return;
        };
        let zones: Vec<String> = current
            .keys()
            .chain(self.stations.keys())
            .cloned()
            .collect::<Vec<_>>();
        let mut changed = false;
        for zone in zones {
            let n = current.get(&zone).copied().unwrap_or(0);
            if self.stations.get(&zone).copied().unwrap_or(0) != n {
                self.engine.handle_stations(now, &zone, n);
                changed = true;
            }
        }
        self.stations = current;
        if changed {
            // The engine may have failed announcements for a zone that lost its station:
            // through the switchboard like every other input.
            let (board, mut wiring) = self.wiring();
            board.pump(&mut wiring, now);
            self.forward_outputs();
        }
    }

    fn handle_msg(&mut self, msg: Msg) {
        match msg {
            Msg::Hello { token, reply } => {
                let _ = reply.send(self.tokens.authenticate(&token));
            }
            Msg::Op {
                actor,
                op,
                args,
                key,
                reply,
            } => {
                let now = self.clock.now();
                let result = self.op(now, &actor, &op, &args, key.as_deref());
                let _ = reply.send(result);
            }
            Msg::Subscribe {
                actor,
                args,
                zone,
                reply,
            } => {
                let now = self.clock.now();
                let _ = reply.send(self.subscribe(&actor, args, zone));
                self.sync_stations(now);
            }
            Msg::Switch(event) => {
                let now = self.clock.now();
                self.engine.handle_switch(now, event);
                self.pump(now);
            }
            Msg::Unsubscribe { id } => {
                let now = self.clock.now();
                self.hub.detach(id);
                self.sync_stations(now);
            }
            Msg::Drain { grace, reply } => {
                let now = self.clock.now();
                self.engine.handle_drain(now);
                self.drain = Some((now + grace, reply));
                if grace.is_zero() {
                    self.engine.handle_drain_deadline(now);
                }
                self.pump(now);
            }
        }
    }

    fn subscribe(
        &mut self,
        actor: &Actor,
        args: SubscribeArgs,
        zone: Option<String>,
    ) -> Result<Subscription, ErrorBody> {
        let filter = Filter::for_roles(&actor.user, &actor.roles);
        let zone = if actor.has(Role::Announcer) {
            Some(zone.unwrap_or_else(|| "default".into()))
        } else {
            None
        };
        let replay = match (args.since, &args.epoch) {
            (Some(since), Some(epoch)) if *epoch == self.epoch => {
                self.hub.replay(since, self.seq, &filter)
            }
            (Some(since), None) => self.hub.replay(since, self.seq, &filter),
            _ => None,
        };
        let Attached { id, events, slow } = self.hub.attach(filter, zone);
        let (ok, replay) = match replay {
            Some(frames) => (
                SubscribeOk {
                    snapshot: None,
                    replayed: Some(frames.len() as u64),
                    seq: self.seq,
                },
                frames,
            ),
            None => (
                SubscribeOk {
                    snapshot: Some(self.snapshot(actor)),
                    replayed: None,
                    seq: self.seq,
                },
                Vec::new(),
            ),
        };
        Ok(Subscription {
            ok,
            replay,
            events,
            slow,
            id,
        })
    }

    fn snapshot(&self, actor: &Actor) -> Snapshot {
        let utc = self.clock.utc();
        let filter = Filter::for_roles(&actor.user, &actor.roles);
        let mine = |users: &[&str]| match &filter {
            Filter::Everything => true,
            Filter::Announcements => false,
            Filter::User(u) => users.contains(&u.as_str()),
        };
        let recent = self
            .hub
            .recent(self.settings.recent, |e| {
                is_activity(e.name) && filter.admits(e)
            })
            .into_iter()
            .filter_map(|e| serde_json::from_str::<EventFrame>(&e.text).ok())
            .collect();
        Snapshot {
            calls: self
                .engine
                .calls()
                .iter()
                .filter(|c| mine(&[c.line.as_str(), c.to.as_str()]))
                .map(|c| protocol::Call::from_engine(c, utc))
                .collect(),
            parked: self
                .engine
                .parked()
                .iter()
                .filter(|p| {
                    filter != Filter::Announcements
                        && (mine(&[p.parked_by.as_str()])
                            || p.for_note.as_deref().is_some_and(|f| mine(&[f])))
                })
                .map(|p| protocol::Parked::from_engine(p, utc))
                .collect(),
            pickup_groups: self
                .engine
                .pickup_groups()
                .iter()
                .filter(|g| {
                    let members: Vec<&str> = g.members.iter().map(String::as_str).collect();
                    mine(&members)
                })
                .map(|g| protocol::Group::from_engine(g, utc))
                .collect(),
            announcements: self
                .engine
                .announcements()
                .iter()
                .filter(|_| filter != Filter::User(actor.user.clone()))
                .map(|a| protocol::Announcement::from_engine(a, utc))
                .collect(),
            recent,
        }
    }

    /// An op, with the idempotency cache around mutating ones and the audit log after.
    fn op(
        &mut self,
        now: Instant,
        actor: &Actor,
        op: &str,
        args: &Value,
        key: Option<&str>,
    ) -> OpResult {
        let mutating = ops::spec(op).is_some_and(|s| s.mutating);
        if let (true, Some(key)) = (mutating, key)
            && let Some(first) = self.idempotency.get(now, &actor.user, key)
        {
            return first;
        }
        let result = self.dispatch(now, actor, op, args);
        let seq = self.pump(now);
        let out = OpResult { result, seq };
        if mutating {
            if let Some(key) = key {
                self.idempotency.put(now, &actor.user, key, out.clone());
            }
            self.audit(now, actor, op, args, &out);
        }
        out
    }

    fn audit(&self, now: Instant, actor: &Actor, op: &str, args: &Value, out: &OpResult) {
        let Some(store) = &self.store else { return };
        store.audit(AuditEntry {
            at: self.clock.utc().at(now),
            user: actor.user.clone(),
            op: op.to_string(),
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

    fn dispatch(
        &mut self,
        now: Instant,
        actor: &Actor,
        op: &str,
        args: &Value,
    ) -> Result<Value, ErrorBody> {
        let utc = *self.clock.utc();
        if let Some(command) = ops::engine_command(op, args) {
            let command = command?;
            let admin = matches!(command, Command::Admin(_));
            let ok = self
                .engine
                .handle_command(now, actor, command)
                .map_err(|e| ops::engine_error(&e))?;
            if op == "user.remove"
                && let Some(id) = args.get("id").and_then(Value::as_str)
            {
                self.numbers.user_removed(id, self.store.as_ref());
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
            return Ok(match ok {
                CommandOk::Parked {
                    code,
                    spoken,
                    expires_at,
                } => {
                    json!({"code": code, "spoken": spoken, "expires_at": utc.at(expires_at)})
                }
                CommandOk::Call { call } => json!({ "call": call }),
                CommandOk::Extended { expires_at } => json!({ "expires_at": utc.at(expires_at) }),
                CommandOk::Announced(a) => {
                    json!({ "announcement": protocol::Announcement::from_engine(&a, &utc) })
                }
                CommandOk::Done => json!({}),
            });
        }
        if let Some(result) =
            self.numbers
                .handle(&mut self.engine, now, actor, self.store.as_ref(), op, args)
        {
            if result.is_ok()
                && let Some(sip) = &self.sip
            {
                // Assigning numbers changes users: the SIP side's dial plan follows.
                sip.update_directory(self.engine.setup());
            }
            return result;
        }
        match op {
            "health" => {
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
            "parked.list" => {
                let parked: Vec<_> = self
                    .engine
                    .parked()
                    .iter()
                    .map(|p| protocol::Parked::from_engine(p, &utc))
                    .collect();
                Ok(json!({ "parked": parked }))
            }
            "directory.search" => {
                #[derive(Deserialize)]
                struct Args {
                    query: String,
                }
                let args: Args = ops::decode(args)?;
                Ok(json!({ "users": self.directory_search(&args.query) }))
            }
            "range.list" => Ok(json!({ "ranges": self.engine.setup().ranges })),
            "policy.list" => Ok(json!({
                "policies": self.engine.setup().policies,
                "assignments": self.engine.setup().assignments,
            })),
            "user.list" => Ok(json!({ "users": self.engine.setup().users })),
            "group.list" => Ok(json!({ "groups": self.engine.setup().groups })),
            "allow.list" => Ok(json!({ "allow_list": self.engine.setup().allow_list })),
            "token.list" => Ok(
                json!({ "tokens": self.tokens.entries().iter().map(|t| json!({
                "id": t.id, "user": t.user, "roles": t.roles, "label": t.label,
            })).collect::<Vec<_>>() }),
            ),
            "token.create" => self.token_create(now, args),
            "token.revoke" => self.token_revoke(args),
            op if op.starts_with("sim.") => self.sim_op(now, op, args),
            other => Err(ErrorBody::new(
                ErrorCode::UnknownOp,
                format!("unknown op '{other}'"),
            )),
        }
    }

    fn directory_search(&self, query: &str) -> Vec<Value> {
        let setup = self.engine.setup();
        self.engine
            .directory_search(query)
            .into_iter()
            .map(|u| {
                let groups: Vec<&str> = setup
                    .groups
                    .iter()
                    .filter(|g| g.members.contains(&u.id))
                    .map(|g| g.id.as_str())
                    .collect();
                json!({
                    "id": u.id, "name": u.name, "numbers": u.numbers,
                    "voice_enabled": u.voice_enabled, "groups": groups,
                })
            })
            .collect()
    }

    fn token_create(&mut self, now: Instant, args: &Value) -> Result<Value, ErrorBody> {
        #[derive(Deserialize)]
        struct Args {
            user: String,
            roles: Vec<Role>,
            #[serde(default)]
            label: String,
        }
        let args: Args = ops::decode(args)?;
        if args.roles.is_empty() {
            return Err(ErrorBody::new(
                ErrorCode::BadRequest,
                "roles: at least one role",
            ));
        }
        let token = random_hex(24)
            .ok_or_else(|| ErrorBody::new(ErrorCode::Internal, "no system randomness"))?;
        let id = format!(
            "t-{}",
            random_hex(6).unwrap_or_else(|| now.as_millis().to_string())
        );
        let hash = super::auth::digest(&token);
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

    fn token_revoke(&mut self, args: &Value) -> Result<Value, ErrorBody> {
        #[derive(Deserialize)]
        struct Args {
            id: String,
        }
        let args: Args = ops::decode(args)?;
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

    fn sim_op(&mut self, now: Instant, op: &str, args: &Value) -> Result<Value, ErrorBody> {
        let Some(sim) = &mut self.sim else {
            return Err(ErrorBody::new(
                ErrorCode::Forbidden,
                format!("{op} needs [demo] or [sim] enabled in the engine's config"),
            ));
        };
        match op {
            "sim.offer" => {
                #[derive(Deserialize)]
                struct Args {
                    from: Party,
                    to: String,
                }
                let args: Args = ops::decode(args)?;
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
                Ok(json!({ "call": call }))
            }
            "sim.hangup" => {
                #[derive(Deserialize)]
                struct Args {
                    call: CallId,
                }
                let args: Args = ops::decode(args)?;
                sim.hangup(now, &args.call, LegId::Caller)
                    .map_err(sim_error)?;
                Ok(json!({}))
            }
            "sim.dial" => {
                #[derive(Deserialize)]
                struct Args {
                    caller: String,
                    number: String,
                }
                let args: Args = ops::decode(args)?;
                let call = sim
                    .dial(now, &args.caller, &args.number)
                    .map_err(sim_error)?;
                Ok(json!({ "call": call }))
            }
            "sim.phone" => {
                #[derive(Deserialize)]
                struct Args {
                    user: String,
                    behaviour: String,
                    #[serde(default)]
                    after_ms: Option<u64>,
                }
                let args: Args = ops::decode(args)?;
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
                Ok(json!({}))
            }
            other => Err(ErrorBody::new(
                ErrorCode::UnknownOp,
                format!("unknown op '{other}'"),
            )),
        }
    }
}

/// A simulated switch's refusal (unknown call, leg gone) as a protocol error.
fn sim_error(e: SimError) -> ErrorBody {
    ErrorBody::new(ErrorCode::NotFound, e.to_string())
}

/// `n` random bytes as hex, from [`crate::runtime::entropy`] (seeded at the server's start,
/// so never `None`; the `Option` stays for the op dispatch's callers).
pub fn random_hex(n: usize) -> Option<String> {
    Some(crate::runtime::entropy::random_hex(n))
}
