//! Park + retrieve cycles with 10,000 calls parked across four ranges.
//!
//! One cycle: a user parks the call connected at its line (next free code, sequential),
//! retrieves the longest-parked call of its range (`retrieve` rings its line), and the ring
//! is answered (bridge, `park.ended`). Every event and intent is drained, as a driver would.
#![allow(clippy::unwrap_used, missing_docs)] // bench code

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use parkdesk::engine::command::{ParkArgs, RetrieveArgs};
use parkdesk::engine::policy::ParkPolicy;
use parkdesk::engine::switch::{IntentId, LegId, Party};
use parkdesk::engine::*;
use std::collections::VecDeque;
use std::hint::black_box;

const PARKED: usize = 10_000;
const USERS: usize = 100;
const RANGES: [(&str, &str, &str); 4] = [
    ("a", "1000", "3999"),
    ("b", "*1000", "*3999"),
    ("c", "#1000", "#3999"),
    ("d", "40000", "42999"),
];

fn setup() -> EngineSetup {
    let mut setup = EngineSetup::default();
    for (name, start, end) in RANGES {
        setup.ranges.push(OrbitRange {
            name: name.into(),
            kind: RangeKind::Park,
            start: start.into(),
            end: end.into(),
        });
        setup.policies.push(ParkPolicy {
            name: format!("p-{name}"),
            allow_park: true,
            park_range: name.into(),
            park_timeout: 1800,
            ..ParkPolicy::default()
        });
    }
    setup.users = (0..USERS)
        .map(|n| User {
            id: format!("u{n}"),
            name: format!("User {n}"),
            numbers: vec![format!("+1555{n:04}")],
            voice_enabled: true,
            policy: Some(format!("p-{}", RANGES[n % RANGES.len()].0)),
            ..User::default()
        })
        .collect();
    setup
}

struct Bench {
    engine: Engine,
    now: Instant,
    /// Parked calls per range, oldest first: (code, call).
    parked: Vec<VecDeque<(String, CallId)>>,
    /// Per range: the connected call to park next and the user holding it.
    connected: Vec<(CallId, String)>,
}

fn drain(engine: &mut Engine) -> Option<IntentId> {
    while engine.poll_event().is_some() {}
    let mut ring = None;
    while let Some(intent) = engine.poll_intent() {
        if let Intent::Ring { id, .. } = intent {
            ring = Some(id);
        }
    }
    ring
}

fn actor(user: &str) -> Actor {
    Actor {
        user: user.into(),
        roles: vec![Role::User],
    }
}

fn park(engine: &mut Engine, now: Instant, user: &str, call: &CallId) -> String {
    let args = ParkArgs {
        call: call.clone(),
        code: None,
        for_note: None,
        announce: None,
        timeout: None,
    };
    match engine.handle_command(now, &actor(user), Command::Park(args)) {
        Ok(CommandOk::Parked { code, .. }) => code,
        other => panic!("park failed: {other:?}"),
    }
}

impl Bench {
    fn new() -> Bench {
        let mut engine = Engine::new(setup(), 7, Instant::ZERO).unwrap();
        let now = Instant::ZERO;
        let mut parked = vec![VecDeque::new(); RANGES.len()];
        let mut connected = Vec::new();
        for n in 0..PARKED + RANGES.len() {
            let user = format!("u{}", n % USERS);
            let call = CallId(format!("c-{n}"));
            engine.handle_switch(
                now,
                SwitchEvent::Offered {
                    call: call.clone(),
                    from: Party {
                        number: format!("+4420{n:07}"),
                        name: format!("Caller {n}"),
                    },
                    to: user.clone(),
                    line: user.clone(),
                },
            );
            engine.handle_switch(
                now,
                SwitchEvent::Answered {
                    call: call.clone(),
                    leg: LegId::Line,
                },
            );
            if n < PARKED {
                let code = park(&mut engine, now, &user, &call);
                parked[n % RANGES.len()].push_back((code, call));
            } else {
                connected.push((call, user));
            }
            drain(&mut engine);
        }
        assert_eq!(engine.parked().len(), PARKED);
        Bench {
            engine,
            now,
            parked,
            connected,
        }
    }

    /// One park + retrieve cycle in range `range`.
    fn cycle(&mut self, range: usize) {
        let (call, user) = self.connected[range].clone();
        let code = park(&mut self.engine, self.now, &user, &call);
        self.parked[range].push_back((code, call));
        drain(&mut self.engine);
        let (code, oldest) = self.parked[range].pop_front().unwrap();
        let args = RetrieveArgs { code, to: None };
        self.engine
            .handle_command(self.now, &actor(&user), Command::Retrieve(args))
            .unwrap();
        let ring = drain(&mut self.engine).unwrap();
        self.engine.handle_switch(
            self.now,
            SwitchEvent::Answered {
                call: oldest.clone(),
                leg: LegId::Ring(ring),
            },
        );
        drain(&mut self.engine);
        self.connected[range] = (oldest, user);
    }
}

fn park_retrieve_cycles(c: &mut Criterion) {
    let mut bench = Bench::new();
    let mut range = 0;
    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Elements(1));
    group.bench_function("park_retrieve_cycle_10k_parked", |b| {
        b.iter(|| {
            range = (range + 1) % RANGES.len();
            bench.cycle(black_box(range));
        })
    });
    group.finish();
    assert_eq!(bench.engine.parked().len(), PARKED);
}

criterion_group!(benches, park_retrieve_cycles);
criterion_main!(benches);
