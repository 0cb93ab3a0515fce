//! The park engine: a sans-IO core holding every rule of the domain.
//!
//! Input arrives as `handle_*(now, …)`; output is drained with [`Engine::poll_event`] and
//! [`Engine::poll_intent`] until `None`, then the driver re-arms its timer from
//! [`Engine::poll_timeout`]. Nothing in here reads a clock, touches a socket or draws from
//! a thread RNG; the seed for `random` allocation is passed in.
//!
//! The map:
//! - the boundary types (written first, shared with the server and the simulated switch):
//!   [`clock`], [`command`], [`directory`], [`error`], [`events`], [`objects`], [`orbit`],
//!   [`policy`], [`switch`];
//! - the dial plan: [`numbering`] (numbers, ranges, collisions), `codes` (allocation per
//!   range: a bitset, a holder table, rest times), `validate` + `compiled` (a setup checked
//!   as a whole, then indexed: users, groups, numbers, effective policies);
//! - the rules: `commands` (role check, dispatch), `parking`, `retrieve`, [`lifecycle`]
//!   (the state table), `pickup`, `announcements`, `desk` (transfer, hangup), `calls` and
//!   `requests` (switch events), `rescue` (calls that must not be dropped), `drain`, `admin`,
//!   `reload` (a changed configuration file);
//! - durable call state: [`durable`] (each call's record, changes out with
//!   [`Engine::poll_durable`]) and `restore` (records back in after a restart);
//! - the machinery: `arena` (calls by generational key), `records` (private call and park
//!   records), `timers` (one deadline per call), `output` (event and intent queues), `views`.

pub mod clock;
pub mod command;
pub mod directory;
pub mod durable;
pub mod error;
pub mod events;
pub mod lifecycle;
pub mod numbering;
pub mod objects;
pub mod orbit;
pub mod policy;
pub mod switch;

mod admin;
mod announcements;
mod arena;
mod calls;
mod codes;
mod commands;
mod compiled;
mod desk;
mod drain;
mod output;
mod parking;
mod pickup;
mod records;
mod reload;
mod requests;
mod rescue;
mod restore;
mod retrieve;
mod timers;
mod validate;
mod views;

pub use clock::Instant;
pub use command::{AdminCommand, Command, CommandOk};
pub use commands::{check_role, roles};
pub use directory::{Actor, Group, Role, User};
pub use drain::DRAIN_SPACING;
pub use durable::{DurableCall, DurableChange};
pub use error::EngineError;
pub use events::{Detail, EngineEvent, EventName, Subject};
pub use objects::{Announcement, Call, ParkOutcome, Parked, PickupGroupView};
pub use orbit::{OrbitRange, RangeKind};
pub use policy::{GroupAssignment, ParkPolicy};
pub use reload::merge_reload;
pub use requests::UNIDENTIFIED_PARKER;
pub use restore::{BrokenRecord, RestoreError};
pub use switch::{CallId, Intent, Refusal, SwitchEvent};
pub use validate::alert_info_is_valid;

use announcements::Announcements;
use arena::{Arena, CallKey};
use codes::RangeCodes;
use compiled::Compiled;
use foldhash::HashMap;
use output::Output;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use records::CallRec;
use serde::{Deserialize, Serialize};
use switch::IntentId;
use timers::Timers;

/// Everything the engine is configured with: numbering, directory, policies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EngineSetup {
    /// The park extension (default `700`).
    pub park_extension: String,
    /// The directed-park prefix (default `*70`).
    pub directed_prefix: String,
    /// The reception line: where a failed park goes when its policy names no fallback.
    pub reception: String,
    /// Seconds a console retrieve rings the desk before the call returns to its code.
    pub retrieve_ring_time: u64,
    /// Orbit ranges.
    pub ranges: Vec<OrbitRange>,
    /// Policies (a `global` one is added with the defaults if missing).
    pub policies: Vec<ParkPolicy>,
    /// Users.
    pub users: Vec<User>,
    /// Groups.
    pub groups: Vec<Group>,
    /// Group policy assignments.
    pub assignments: Vec<GroupAssignment>,
    /// Numbers allowed as targets besides users and groups.
    pub allow_list: Vec<String>,
}

impl Default for EngineSetup {
    fn default() -> Self {
        EngineSetup {
            park_extension: "700".into(),
            directed_prefix: "*70".into(),
            reception: "reception".into(),
            retrieve_ring_time: 30,
            ranges: vec![
                OrbitRange {
                    name: "main".into(),
                    kind: RangeKind::Park,
                    start: "701".into(),
                    end: "799".into(),
                },
                OrbitRange {
                    name: "pickup".into(),
                    kind: RangeKind::Pickup,
                    start: "880".into(),
                    end: "899".into(),
                },
            ],
            policies: vec![ParkPolicy::default()],
            users: Vec::new(),
            groups: Vec::new(),
            assignments: Vec::new(),
            allow_list: Vec::new(),
        }
    }
}

/// The park engine. One owner drives it; see the module docs for the loop.
#[derive(Debug)]
pub struct Engine {
    setup: EngineSetup,
    compiled: Compiled,
    /// Code tables, one per range of `compiled.ranges` (empty for pickup ranges).
    codes: Vec<RangeCodes>,
    calls: Arena<CallRec>,
    by_id: HashMap<CallId, CallKey>,
    /// Dialling calls whose caller leg is bridged into one of our calls.
    aliases: HashMap<CallId, CallKey>,
    /// Which call a ring or hold intent belongs to (for `failed`, which names only the id).
    intent_owner: HashMap<IntentId, CallKey>,
    /// Calls ringing in each pickup group, longest-ringing first.
    group_ringing: Vec<Vec<CallKey>>,
    /// Calls on hold at their line (a dialled park takes the latest one).
    held: Vec<CallKey>,
    timers: Timers,
    announcements: Announcements,
    out: Output,
    rng: ChaCha8Rng,
    draining: bool,
    /// The store reported it cannot write: new parks are refused.
    store_failing: bool,
    /// During the drain: when each parker's next ring-back may start.
    drain_turns: HashMap<String, Instant>,
    /// Calls whose durable record may have changed (see [`Engine::poll_durable`]).
    durable: durable::DurableLog,
}

impl Engine {
    /// Builds an engine from a validated setup; refuses a setup that breaks a rule.
    ///
    /// The setup is normalized first: a `global` policy is added with the defaults if
    /// missing, and group-assignment ranks are renumbered 1..n.
    pub fn new(mut setup: EngineSetup, seed: u64, _now: Instant) -> Result<Engine, EngineError> {
        let compiled = Compiled::build(&mut setup)?;
        for warning in validate::warnings(&compiled.ranges) {
            tracing::warn!("{warning}");
        }
        let codes = compiled
            .ranges
            .iter()
            .map(|r| RangeCodes::new(r.park_len()))
            .collect();
        let group_ringing = vec![Vec::new(); compiled.pickup_groups.len()];
        Ok(Engine {
            setup,
            compiled,
            codes,
            calls: Arena::default(),
            by_id: HashMap::default(),
            aliases: HashMap::default(),
            intent_owner: HashMap::default(),
            group_ringing,
            held: Vec::new(),
            timers: Timers::default(),
            announcements: Announcements::default(),
            out: Output::default(),
            rng: ChaCha8Rng::seed_from_u64(seed),
            draining: false,
            store_failing: false,
            drain_turns: HashMap::default(),
            durable: durable::DurableLog::default(),
        })
    }

    /// Whether the store writes (the shell tells; the engine reads no store): while it
    /// cannot, new parks are refused with [`EngineError::StoreUnavailable`].
    pub fn set_store_writable(&mut self, writable: bool) {
        self.store_failing = !writable;
    }

    /// The current setup (directory, ranges, policies), as admin ops left it.
    pub fn setup(&self) -> &EngineSetup {
        &self.setup
    }

    /// What the current setup holds that is valid but deserves a warning (ranges of `#`
    /// codes), one sentence each naming the range.
    pub fn warnings(&self) -> Vec<String> {
        validate::warnings(&self.compiled.ranges)
    }

    /// A client's command. Roles are checked first, then arguments, then state; a refusal
    /// changes nothing.
    pub fn handle_command(
        &mut self,
        now: Instant,
        actor: &Actor,
        command: Command,
    ) -> Result<CommandOk, EngineError> {
        self.dispatch(now, actor, command)
    }

    /// A call event from the switch. Stray events (unknown calls, legs or intents) are
    /// ignored.
    pub fn handle_switch(&mut self, now: Instant, event: SwitchEvent) {
        self.on_switch(now, event);
    }

    /// Time passed; fires every timer due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some((_, key)) = self.timers.pop_due(now) {
            self.on_timer(now, key);
        }
    }

    /// How many announcer stations serve `zone` now (0 = none: announcements fail at once,
    /// and those waiting in the zone fail).
    pub fn handle_stations(&mut self, now: Instant, zone: &str, count: usize) {
        self.on_stations(now, zone, count);
    }

    /// Begin the drain: `engine.stopping`, no new parks, every parked call handed back to
    /// its parker, staggered: at most one ring-back (or fallback) starts every
    /// [`DRAIN_SPACING`] per parker, the first at once.
    pub fn handle_drain(&mut self, now: Instant) {
        self.on_drain(now);
    }

    /// Release every leg still up with the goodbye prompt; every open park ends `released`.
    pub fn handle_drain_deadline(&mut self, now: Instant) {
        self.on_drain_deadline(now);
    }

    /// The next event, or `None` when drained.
    pub fn poll_event(&mut self) -> Option<EngineEvent> {
        self.out.events.pop_front()
    }

    /// The next intent for the switch, or `None` when drained.
    pub fn poll_intent(&mut self) -> Option<Intent> {
        self.out.intents.pop_front()
    }

    /// When the engine next needs `handle_timeout`.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.next_deadline()
    }

    /// Whether `target` is a directory user, a group or an allow-listed number.
    pub fn is_allowed_target(&self, target: &str) -> bool {
        self.compiled.is_allowed_target(target)
    }
}
