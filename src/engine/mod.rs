//! The park engine: a sans-IO core holding every rule of the domain.
//!
//! Input arrives as `handle_*(now, …)`; output is drained with [`Engine::poll_event`] and
//! [`Engine::poll_intent`] until `None`, then the driver re-arms its timer from
//! [`Engine::poll_timeout`]. Nothing in here reads a clock, touches a socket or draws from
//! a thread RNG; the seed for `random` allocation is passed in.

pub mod clock;
pub mod command;
pub mod directory;
pub mod error;
pub mod events;
pub mod objects;
pub mod orbit;
pub mod policy;
pub mod switch;

pub use clock::Instant;
pub use command::{AdminCommand, Command, CommandOk};
pub use directory::{Actor, Group, Role, User};
pub use error::EngineError;
pub use events::{Detail, EngineEvent, EventName, Subject};
pub use objects::{Announcement, Call, ParkOutcome, Parked, PickupGroupView};
pub use orbit::{OrbitRange, RangeKind};
pub use policy::{GroupAssignment, ParkPolicy};
pub use switch::{CallId, Intent, SwitchEvent};

use serde::{Deserialize, Serialize};

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
}

impl Engine {
    /// Builds an engine from a validated setup; refuses a setup that breaks a rule.
    pub fn new(setup: EngineSetup, _seed: u64, _now: Instant) -> Result<Engine, EngineError> {
        Ok(Engine { setup })
    }

    /// The current setup (directory, ranges, policies), as admin ops left it.
    pub fn setup(&self) -> &EngineSetup {
        &self.setup
    }

    /// A client's command. A refusal changes nothing.
    pub fn handle_command(
        &mut self,
        _now: Instant,
        _actor: &Actor,
        _command: Command,
    ) -> Result<CommandOk, EngineError> {
        Err(EngineError::Forbidden("not implemented".into()))
    }

    /// A call event from the switch.
    pub fn handle_switch(&mut self, _now: Instant, _event: SwitchEvent) {}

    /// Time passed; fires every timer due at `now`.
    pub fn handle_timeout(&mut self, _now: Instant) {}

    /// How many announcer stations serve `zone` now (0 = none: announcements fail at once).
    pub fn handle_stations(&mut self, _now: Instant, _zone: &str, _count: usize) {}

    /// Begin the shutdown drain: `engine.stopping`, no new parks, every parked call rung
    /// back (or sent to fallback) at once.
    pub fn handle_drain(&mut self, _now: Instant) {}

    /// Release every leg still up with the goodbye prompt; every open park ends `released`.
    pub fn handle_drain_deadline(&mut self, _now: Instant) {}

    /// The next event, or `None` when drained.
    pub fn poll_event(&mut self) -> Option<EngineEvent> {
        None
    }

    /// The next intent for the switch, or `None` when drained.
    pub fn poll_intent(&mut self) -> Option<Intent> {
        None
    }

    /// When the engine next needs `handle_timeout`.
    pub fn poll_timeout(&self) -> Option<Instant> {
        None
    }

    /// Calls not yet ended (desk calls, ringing, connected, parked).
    pub fn calls(&self) -> Vec<Call> {
        Vec::new()
    }

    /// Parked calls, in code order.
    pub fn parked(&self) -> Vec<Parked> {
        Vec::new()
    }

    /// Pickup groups with the calls ringing in them.
    pub fn pickup_groups(&self) -> Vec<PickupGroupView> {
        Vec::new()
    }

    /// Announcements not yet finished, failed or dropped.
    pub fn announcements(&self) -> Vec<Announcement> {
        Vec::new()
    }

    /// Users whose name, number, id or group matches `query` (case-insensitive).
    pub fn directory_search(&self, _query: &str) -> Vec<User> {
        Vec::new()
    }

    /// Whether `target` is a directory user, a group or an allow-listed number.
    pub fn is_allowed_target(&self, _target: &str) -> bool {
        false
    }
}
