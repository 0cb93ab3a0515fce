//! A small harness for engine scenario tests: a virtual clock, a standard directory, and
//! helpers that feed switch events and collect what each step emitted.
#![allow(dead_code)]

use parkdesk::engine::clock::secs;
use parkdesk::engine::command::{ParkArgs, RetrieveArgs};
use parkdesk::engine::directory::PickupBy;
use parkdesk::engine::objects::ParkOutcome;
use parkdesk::engine::policy::ParkPolicy;
use parkdesk::engine::switch::{EndCause, FailCause, IntentId, LegId, LegRef, Party, Prompt};
use parkdesk::engine::*;

/// An actor with one role.
pub fn actor(user: &str, role: Role) -> Actor {
    Actor {
        user: user.into(),
        roles: vec![role],
    }
}

/// An ordinary user.
pub fn user(id: &str) -> Actor {
    actor(id, Role::User)
}

/// The reception desk (receptionist role, line `reception`).
pub fn desk() -> Actor {
    actor("reception", Role::Receptionist)
}

/// A wallboard.
pub fn monitor() -> Actor {
    actor("wallboard", Role::Monitor)
}

/// An administrator.
pub fn admin() -> Actor {
    actor("admin", Role::Admin)
}

/// A PA station.
pub fn station() -> Actor {
    actor("pa-station", Role::Announcer)
}

/// A park range.
pub fn park_range(name: &str, start: &str, end: &str) -> OrbitRange {
    OrbitRange {
        name: name.into(),
        kind: RangeKind::Park,
        start: start.into(),
        end: end.into(),
    }
}

/// A policy allowing park from `range`.
pub fn allowing(name: &str, range: &str) -> ParkPolicy {
    ParkPolicy {
        name: name.into(),
        allow_park: true,
        park_range: range.into(),
        ..ParkPolicy::default()
    }
}

/// A voice-enabled user.
pub fn voice_user(id: &str, name: &str, number: &str) -> User {
    User {
        id: id.into(),
        name: name.into(),
        numbers: vec![number.into()],
        voice_enabled: true,
        ..User::default()
    }
}

/// The standard directory:
/// - ranges `main` 701–799, `stars` *100–*199, `teams` 10–99 (park), `pickup` 880–899;
/// - policies `global` (park off), `staff` (park from `main`), `desk` (park from `main`,
///   on_timeout none), `star` (park from `stars`), `teams` (park from `teams`);
/// - users `reception` (desk), `alice`, `bob` (group `sales` → `staff`), `carol`
///   (group `support`, no assignment → `global`), `dave` (not voice-enabled, `staff`),
///   `erin` (direct `star`), `frank` (direct `teams`);
/// - pickup groups `sales` (881: alice, bob) and `support` (882: carol, pickup by anyone).
pub fn standard_setup() -> EngineSetup {
    let mut setup = EngineSetup::default();
    setup.ranges.push(park_range("stars", "*100", "*199"));
    setup.ranges.push(park_range("teams", "10", "99"));
    setup.policies = vec![
        ParkPolicy::default(),
        allowing("staff", "main"),
        allowing("desk", "main"),
        allowing("star", "stars"),
        allowing("teams", "teams"),
    ];
    let mut reception = voice_user("reception", "Reception", "+4420700000");
    reception.policy = Some("desk".into());
    let mut dave = voice_user("dave", "Dave Driver", "+4420700004");
    dave.voice_enabled = false;
    dave.policy = Some("staff".into());
    let mut erin = voice_user("erin", "Erin Ellis", "+4420700005");
    erin.policy = Some("star".into());
    let mut frank = voice_user("frank", "Frank Fisher", "+4420700006");
    frank.policy = Some("teams".into());
    setup.users = vec![
        reception,
        voice_user("alice", "Alice Archer", "+4420700001"),
        voice_user("bob", "Bob Baker", "+4420700002"),
        voice_user("carol", "Carol Clark", "+4420700003"),
        dave,
        erin,
        frank,
    ];
    setup.groups = vec![
        Group {
            id: "sales".into(),
            name: "Sales".into(),
            members: vec!["alice".into(), "bob".into()],
            number: Some("881".into()),
            pickup_by: PickupBy::Members,
        },
        Group {
            id: "support".into(),
            name: "Support".into(),
            members: vec!["carol".into()],
            number: Some("882".into()),
            pickup_by: PickupBy::Anyone,
        },
    ];
    setup.assignments = vec![GroupAssignment {
        group: "sales".into(),
        policy: "staff".into(),
        rank: 1,
    }];
    setup.allow_list = vec!["+4420799999".into()];
    setup
}

/// A call id.
pub fn cid(id: &str) -> CallId {
    CallId(id.into())
}

/// An engine on a virtual clock, with the output of the last step.
pub struct Harness {
    pub engine: Engine,
    pub now: Instant,
    pub events: Vec<EngineEvent>,
    pub intents: Vec<Intent>,
    /// The durable records as a store holding every change so far would have them.
    pub store: std::collections::BTreeMap<CallId, DurableCall>,
}

impl Harness {
    /// The standard directory at time 0.
    pub fn standard() -> Harness {
        Harness::with(standard_setup())
    }

    /// A given setup at time 0.
    pub fn with(setup: EngineSetup) -> Harness {
        let engine = Engine::new(setup, 42, Instant::ZERO).expect("valid setup");
        Harness {
            engine,
            now: Instant::ZERO,
            events: Vec::new(),
            intents: Vec::new(),
            store: Default::default(),
        }
    }

    /// A fresh engine with this one's setup at this instant, restoring what the store
    /// holds; returns it with the calls that could not be restored.
    pub fn restored(&self) -> (Harness, Vec<(CallId, RestoreError)>) {
        let mut fresh = Harness::with(self.engine.setup().clone());
        fresh.now = self.now;
        fresh.store = self.store.clone();
        let records = self.store.values().cloned().map(Ok).collect();
        fresh.step();
        let lost = fresh.engine.restore(fresh.now, records);
        fresh.collect();
        (fresh, lost)
    }

    /// Takes the engine's durable changes into `store`, in order.
    pub fn collect_durable(&mut self) {
        while let Some(change) = self.engine.poll_durable() {
            match change {
                DurableChange::Put(record) => {
                    self.store.insert(record.call.clone(), record);
                }
                DurableChange::Remove(call) => {
                    self.store.remove(&call);
                }
            }
        }
    }

    fn step(&mut self) {
        self.events.clear();
        self.intents.clear();
    }

    fn collect(&mut self) {
        while let Some(event) = self.engine.poll_event() {
            self.events.push(event);
        }
        while let Some(intent) = self.engine.poll_intent() {
            self.intents.push(intent);
        }
        self.collect_durable();
    }

    /// Feeds a switch event.
    pub fn switch(&mut self, event: SwitchEvent) {
        self.step();
        self.engine.handle_switch(self.now, event);
        self.collect();
    }

    /// Runs a command.
    pub fn cmd(&mut self, who: &Actor, command: Command) -> Result<CommandOk, EngineError> {
        self.step();
        let result = self.engine.handle_command(self.now, who, command);
        self.collect();
        result
    }

    /// Moves the clock on and fires due timers.
    pub fn advance(&mut self, seconds: u64) {
        self.step();
        self.now = self.now + secs(seconds);
        self.engine.handle_timeout(self.now);
        self.collect();
    }

    /// Moves the clock to just before the next timer, checking nothing fires early.
    pub fn advance_to_next_timer(&mut self) {
        let next = self.engine.poll_timeout().expect("a timer is armed");
        self.step();
        self.now = next;
        self.engine.handle_timeout(self.now);
        self.collect();
    }

    /// A call from an outside caller rings at `line`.
    pub fn offer(&mut self, call: &str, line: &str) {
        self.switch(SwitchEvent::Offered {
            call: cid(call),
            from: Party {
                number: format!("+1555{call}"),
                name: format!("Caller {call}"),
            },
            to: line.into(),
            line: line.into(),
        });
    }

    /// The line leg of `call` answers.
    pub fn answer_line(&mut self, call: &str) {
        self.switch(SwitchEvent::Answered {
            call: cid(call),
            leg: LegId::Line,
        });
    }

    /// A call connected at `line`.
    pub fn connected(&mut self, call: &str, line: &str) {
        self.offer(call, line);
        self.answer_line(call);
    }

    /// `who` parks `call`; returns the code.
    pub fn park(&mut self, who: &Actor, call: &str) -> Result<String, EngineError> {
        let result = self.cmd(who, Command::Park(park_args(call)))?;
        match result {
            CommandOk::Parked { code, .. } => Ok(code),
            other => panic!("park returned {other:?}"),
        }
    }

    /// A connected call at `line`, parked by the user `line`; returns the code.
    pub fn parked(&mut self, call: &str, line: &str) -> String {
        self.connected(call, line);
        self.park(&user(line), call).expect("park")
    }

    /// `who` retrieves `code` (to their own line unless `to`).
    pub fn retrieve(
        &mut self,
        who: &Actor,
        code: &str,
        to: Option<&str>,
    ) -> Result<CommandOk, EngineError> {
        let args = RetrieveArgs {
            code: code.into(),
            to: to.map(Into::into),
        };
        self.cmd(who, Command::Retrieve(args))
    }

    /// The last ring of this step: (intent id, call, target).
    pub fn ring(&self) -> (IntentId, CallId, String) {
        self.rings().last().cloned().expect("a ring intent")
    }

    /// Every ring of this step.
    pub fn rings(&self) -> Vec<(IntentId, CallId, String)> {
        self.intents
            .iter()
            .filter_map(|intent| match intent {
                Intent::Ring {
                    id, call, target, ..
                } => Some((*id, call.clone(), target.clone())),
                _ => None,
            })
            .collect()
    }

    /// Every leg cancelled in this step, with the reason.
    pub fn cancels(&self) -> Vec<(LegRef, String)> {
        self.intents
            .iter()
            .filter_map(|intent| match intent {
                Intent::Cancel { leg, reason, .. } => Some((leg.clone(), reason.clone())),
                _ => None,
            })
            .collect()
    }

    /// Every bridge of this step.
    pub fn bridges(&self) -> Vec<(LegRef, LegRef)> {
        self.intents
            .iter()
            .filter_map(|intent| match intent {
                Intent::Bridge { a, b, .. } => Some((a.clone(), b.clone())),
                _ => None,
            })
            .collect()
    }

    /// Every release of this step.
    pub fn releases(&self) -> Vec<(CallId, Option<Prompt>)> {
        self.intents
            .iter()
            .filter_map(|intent| match intent {
                Intent::Release { call, prompt, .. } => Some((call.clone(), prompt.clone())),
                _ => None,
            })
            .collect()
    }

    /// The `answer_with_hold` intents of this step: (id, call, music).
    pub fn holds(&self) -> Vec<(IntentId, CallId, bool)> {
        self.intents
            .iter()
            .filter_map(|intent| match intent {
                Intent::AnswerWithHold {
                    id, call, music, ..
                } => Some((*id, call.clone(), *music)),
                _ => None,
            })
            .collect()
    }

    /// The names of this step's events, in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.events.iter().map(|e| e.name.as_str()).collect()
    }

    /// The first event of this step with `name`.
    pub fn event(&self, name: EventName) -> &EngineEvent {
        self.events
            .iter()
            .find(|e| e.name == name)
            .unwrap_or_else(|| panic!("no {} in {:?}", name.as_str(), self.names()))
    }

    /// The outcome of this step's `park.ended`.
    pub fn outcome(&self) -> Option<ParkOutcome> {
        self.events
            .iter()
            .find(|e| e.name == EventName::ParkEnded)
            .and_then(|e| e.detail.outcome)
    }

    /// The ring leg `id` of `call` answers.
    pub fn answer_ring(&mut self, call: &CallId, id: IntentId) {
        self.switch(SwitchEvent::Answered {
            call: call.clone(),
            leg: LegId::Ring(id),
        });
    }

    /// The ring `id` fails with `cause`.
    pub fn fail_ring(&mut self, id: IntentId, cause: FailCause) {
        self.switch(SwitchEvent::Failed {
            id,
            leg: LegId::Ring(id),
            cause,
        });
    }

    /// The caller of `call` hangs up.
    pub fn caller_hangs_up(&mut self, call: &str) {
        self.switch(SwitchEvent::Ended {
            call: cid(call),
            leg: LegId::Caller,
            cause: EndCause::Hangup,
        });
    }

    /// The parked call on `code`, as the board shows it.
    pub fn parked_on(&self, code: &str) -> Option<Parked> {
        self.engine.parked().into_iter().find(|p| p.code == code)
    }

    /// The call `id`, as the board shows it.
    pub fn call(&self, id: &str) -> Option<Call> {
        self.engine.calls().into_iter().find(|c| c.call.0 == id)
    }
}

/// `park` args for a call.
pub fn park_args(call: &str) -> ParkArgs {
    ParkArgs {
        call: cid(call),
        code: None,
        for_note: None,
        announce: None,
        timeout: None,
    }
}
