//! Property tests over random sequences of commands and switch events:
//! no code is held twice; every park ends exactly once; nothing happens to a call after it
//! ended (no timer fires for it); a refused command changes nothing.
#![allow(clippy::unwrap_used)] // test code: an unwrap states what must hold

use crate::support::engine::*;
use parkdesk::engine::clock::secs;
use parkdesk::engine::command::*;
use parkdesk::engine::switch::{EndCause, FailCause, IntentId, LegId};
use parkdesk::engine::*;
use parkdesk::sip::blf::board::{LampBoard, changes_lamps};
use proptest::prelude::*;
use std::collections::HashSet;

const USERS: [&str; 7] = [
    "reception",
    "alice",
    "bob",
    "carol",
    "dave",
    "erin",
    "frank",
];
const NUMBERS: [&str; 12] = [
    "700", "701", "702", "705", "*100", "*101", "10", "11", "881", "882", "*70703", "999",
];
const TARGETS: [&str; 6] = ["bob", "sales", "+4420799999", "+1900", "700", "*70701"];

#[derive(Debug, Clone)]
pub(crate) enum Op {
    Offer {
        line: usize,
    },
    AnswerLine {
        call: usize,
    },
    CallerHangsUp {
        call: usize,
    },
    LineHangsUp {
        call: usize,
    },
    Hold {
        call: usize,
        on: bool,
    },
    Park {
        who: usize,
        call: usize,
        code: Option<usize>,
        timeout: Option<u64>,
        announce: Option<bool>,
    },
    Retrieve {
        who: usize,
        code: usize,
        to: Option<usize>,
    },
    Extend {
        who: usize,
        code: usize,
        seconds: u64,
    },
    Pickup {
        who: usize,
        group: bool,
        call: Option<usize>,
    },
    Transfer {
        call: usize,
        to: usize,
    },
    Hangup {
        call: usize,
    },
    Announce {
        code: usize,
    },
    Report {
        started: bool,
    },
    AnswerRing {
        ring: usize,
    },
    FailRing {
        ring: usize,
        cause: usize,
    },
    FailHold {
        hold: usize,
    },
    Dial {
        who: usize,
        number: usize,
    },
    TransferRequest {
        call: usize,
        who: usize,
        target: usize,
    },
    Dtmf {
        call: usize,
        digit: bool,
    },
    Advance {
        seconds: u64,
    },
    MonitorMeddles {
        call: usize,
    },
    Admin {
        change: usize,
    },
    Drain,
}

pub(crate) fn op() -> impl Strategy<Value = Op> {
    let n = 0usize..40;
    prop_oneof![
        5 => (0..USERS.len()).prop_map(|line| Op::Offer { line }),
        2 => n.clone().prop_map(|call| Op::AnswerLine { call }),
        1 => n.clone().prop_map(|call| Op::CallerHangsUp { call }),
        1 => n.clone().prop_map(|call| Op::LineHangsUp { call }),
        1 => (n.clone(), any::<bool>()).prop_map(|(call, on)| Op::Hold { call, on }),
        9 => (0..USERS.len() + 1, n.clone(), proptest::option::of(0..NUMBERS.len()),
              proptest::option::of(prop_oneof![Just(5u64), Just(10), Just(60), Just(1800), Just(1801)]),
              proptest::option::of(any::<bool>()))
            .prop_map(|(who, call, code, timeout, announce)| Op::Park { who, call, code, timeout, announce }),
        3 => (0..USERS.len() + 1, 0..NUMBERS.len(), proptest::option::of(0..TARGETS.len()))
            .prop_map(|(who, code, to)| Op::Retrieve { who, code, to }),
        1 => (0..USERS.len() + 1, 0..NUMBERS.len(), prop_oneof![Just(0u64), Just(30), Just(1801)])
            .prop_map(|(who, code, seconds)| Op::Extend { who, code, seconds }),
        2 => (0..USERS.len() + 1, any::<bool>(), proptest::option::of(n.clone()))
            .prop_map(|(who, group, call)| Op::Pickup { who, group, call }),
        1 => (n.clone(), 0..TARGETS.len()).prop_map(|(call, to)| Op::Transfer { call, to }),
        1 => n.clone().prop_map(|call| Op::Hangup { call }),
        1 => (0..NUMBERS.len()).prop_map(|code| Op::Announce { code }),
        1 => any::<bool>().prop_map(|started| Op::Report { started }),
        4 => (0usize..8).prop_map(|ring| Op::AnswerRing { ring }),
        3 => (0usize..8, 0usize..4).prop_map(|(ring, cause)| Op::FailRing { ring, cause }),
        1 => (0usize..8).prop_map(|hold| Op::FailHold { hold }),
        2 => (0..USERS.len(), 0..NUMBERS.len()).prop_map(|(who, number)| Op::Dial { who, number }),
        2 => (n.clone(), 0..USERS.len(), 0..TARGETS.len())
            .prop_map(|(call, who, target)| Op::TransferRequest { call, who, target }),
        1 => (n.clone(), any::<bool>()).prop_map(|(call, digit)| Op::Dtmf { call, digit }),
        4 => prop_oneof![Just(1u64), Just(5), Just(20), Just(31), Just(300), Just(900)]
            .prop_map(|seconds| Op::Advance { seconds }),
        1 => n.prop_map(|call| Op::MonitorMeddles { call }),
        1 => Just(Op::Drain),
        2 => (0usize..6).prop_map(|change| Op::Admin { change }),
    ]
}

pub(crate) fn setup() -> EngineSetup {
    let mut setup = standard_setup();
    setup.ranges[0] = park_range("main", "701", "705");
    setup.ranges[2] = park_range("stars", "*100", "*102");
    for policy in &mut setup.policies {
        if policy.name == "staff" {
            policy.on_timeout = Some("reception".into());
            policy.caller_escape_digit = Some('0');
            policy.ringback_attempts = 2;
            policy.reuse_after = 30;
        }
        if policy.name == "star" {
            policy.ringback_attempts = 0;
            policy.allocation = parkdesk::engine::policy::Allocation::Random;
            policy.announce_on_park = true;
        }
        if policy.name == "desk" {
            policy.retrieve_ranges = vec!["main".into(), "stars".into(), "teams".into()];
            policy.allocation = parkdesk::engine::policy::Allocation::Lowest;
        }
    }
    setup
}

/// The model's bookkeeping, checked after every step.
#[derive(Default)]
pub(crate) struct Ledger {
    offered: usize,
    dialled: usize,
    open_parks: HashSet<CallId>,
    ended_calls: HashSet<CallId>,
    rings: Vec<(IntentId, CallId)>,
    holds: Vec<IntentId>,
    announcements: Vec<String>,
}

impl Ledger {
    fn call(&self, n: usize) -> CallId {
        cid(&format!("c{}", n % self.offered.max(1)))
    }

    /// Mostly one of the last few rings (live ones), sometimes an old one (stale).
    fn recent_ring(&self, pick: usize) -> (IntentId, CallId) {
        let len = self.rings.len();
        let back = if pick == 7 {
            len - 1
        } else {
            pick % len.min(3)
        };
        self.rings[len - 1 - back].clone()
    }

    pub(crate) fn absorb(&mut self, h: &Harness) -> Result<(), TestCaseError> {
        for event in &h.events {
            let concerned = match &event.subject {
                Subject::Call(call) => Some(call.call.clone()),
                Subject::Parked(parked) => Some(parked.call.clone()),
                _ => None,
            };
            if let Some(call) = &concerned {
                prop_assert!(
                    !self.ended_calls.contains(call),
                    "{} about {call} after it ended",
                    event.name.as_str()
                );
            }
            match event.name {
                EventName::ParkStarted => {
                    let call = concerned.unwrap();
                    prop_assert!(self.open_parks.insert(call.clone()), "{call} parked twice");
                }
                EventName::ParkEnded => {
                    let call = concerned.unwrap();
                    prop_assert!(
                        self.open_parks.remove(&call),
                        "{call} ended a park it did not have"
                    );
                    prop_assert!(event.detail.outcome.is_some());
                }
                EventName::CallEnded => {
                    let call = concerned.unwrap();
                    prop_assert!(
                        !self.open_parks.contains(&call),
                        "{call} ended with its park open"
                    );
                    self.ended_calls.insert(call);
                }
                EventName::AnnouncementQueued => {
                    if let Subject::Announcement(a) = &event.subject {
                        self.announcements.push(a.announcement.clone());
                    }
                }
                _ => {}
            }
        }
        for intent in &h.intents {
            match intent {
                Intent::Ring { id, call, .. } => self.rings.push((*id, call.clone())),
                Intent::AnswerWithHold { id, .. } => self.holds.push(*id),
                _ => {}
            }
        }
        Ok(())
    }
}

fn board(
    h: &Harness,
) -> (
    Vec<Call>,
    Vec<Parked>,
    Vec<Announcement>,
    Vec<PickupGroupView>,
) {
    (
        h.engine.calls(),
        h.engine.parked(),
        h.engine.announcements(),
        h.engine.pickup_groups(),
    )
}

fn check_invariants(h: &Harness, ledger: &Ledger) -> Result<(), TestCaseError> {
    let parked = h.engine.parked();
    let codes: HashSet<&str> = parked.iter().map(|p| p.code.as_str()).collect();
    prop_assert_eq!(codes.len(), parked.len(), "a code is held twice");
    let parked_calls: HashSet<CallId> = parked.iter().map(|p| p.call.clone()).collect();
    prop_assert_eq!(
        &parked_calls,
        &ledger.open_parks,
        "parked() agrees with the open parks"
    );
    for p in &parked {
        prop_assert!(p.expires_at > h.now, "{} has a transition overdue", p.code);
    }
    let calls = h.engine.calls();
    for call in &calls {
        prop_assert!(!ledger.ended_calls.contains(&call.call));
    }
    if let Some(next) = h.engine.poll_timeout() {
        prop_assert!(next > h.now, "a due timer was not fired");
        prop_assert!(!calls.is_empty(), "a timer is armed with no call left");
    }
    Ok(())
}

fn who(index: usize) -> Actor {
    match USERS.get(index) {
        Some(&"reception") => desk(),
        Some(name) => user(name),
        None => monitor(),
    }
}

pub(crate) fn run(h: &mut Harness, ledger: &mut Ledger, op: Op) -> Result<(), TestCaseError> {
    let mut command = None;
    h.events.clear();
    h.intents.clear();
    let lamps_before = LampBoard::read(&h.engine);
    let admin_op = matches!(op, Op::Admin { .. });
    match op {
        Op::Offer { line } => {
            let call = format!("c{}", ledger.offered);
            ledger.offered += 1;
            h.offer(&call, USERS[line]);
        }
        Op::AnswerLine { call } => {
            h.switch(SwitchEvent::Answered {
                call: ledger.call(call),
                leg: LegId::Line,
            });
        }
        Op::CallerHangsUp { call } => {
            let cause = if call % 2 == 0 {
                EndCause::Hangup
            } else {
                EndCause::Dead
            };
            h.switch(SwitchEvent::Ended {
                call: ledger.call(call),
                leg: LegId::Caller,
                cause,
            });
        }
        Op::LineHangsUp { call } => {
            h.switch(SwitchEvent::Ended {
                call: ledger.call(call),
                leg: LegId::Line,
                cause: EndCause::Hangup,
            });
        }
        Op::Hold { call, on } => {
            let call = ledger.call(call);
            let leg = LegId::Line;
            h.switch(if on {
                SwitchEvent::Held { call, leg }
            } else {
                SwitchEvent::Unheld { call, leg }
            });
        }
        Op::Park {
            who: w,
            call,
            code,
            timeout,
            announce,
        } => {
            let call = ledger.call(call);
            // Mostly the user at the call's line, who may park it.
            let actor = match h.call(&call.0) {
                Some(c) if w < USERS.len() => {
                    if c.line == "reception" {
                        desk()
                    } else {
                        user(&c.line)
                    }
                }
                _ => who(w),
            };
            let code = code.filter(|c| c % 3 == 0);
            let args = ParkArgs {
                call,
                code: code.map(|c| NUMBERS[c].to_string()),
                for_note: Some("Ada".into()),
                announce,
                timeout,
            };
            command = Some((actor, Command::Park(args)));
        }
        Op::Retrieve { who: w, code, to } => {
            let parked = h.engine.parked();
            let code = match parked.get(code % parked.len().max(1)) {
                Some(p) if code % 4 != 0 => p.code.clone(),
                _ => NUMBERS[code].to_string(),
            };
            let args = RetrieveArgs {
                code,
                to: to.map(|t| TARGETS[t].to_string()),
            };
            command = Some((who(w), Command::Retrieve(args)));
        }
        Op::Extend {
            who: w,
            code,
            seconds,
        } => {
            command = Some((
                who(w),
                Command::Extend(ExtendArgs {
                    code: NUMBERS[code].into(),
                    seconds,
                }),
            ));
        }
        Op::Pickup {
            who: w,
            group,
            call,
        } => {
            let group = if group { "sales" } else { "882" };
            let args = PickupArgs {
                group: group.into(),
                call: call.map(|c| ledger.call(c)),
            };
            command = Some((who(w), Command::Pickup(args)));
        }
        Op::Transfer { call, to } => {
            let args = TransferArgs {
                call: ledger.call(call),
                to: TARGETS[to].into(),
            };
            command = Some((desk(), Command::Transfer(args)));
        }
        Op::Hangup { call } => {
            command = Some((
                desk(),
                Command::Hangup(HangupArgs {
                    call: ledger.call(call),
                }),
            ));
        }
        Op::Announce { code } => {
            let args = AnnounceArgs {
                code: Some(NUMBERS[code].into()),
                ..AnnounceArgs::default()
            };
            command = Some((desk(), Command::Announce(args)));
        }
        Op::Report { started } => {
            if let Some(id) = ledger.announcements.last().cloned() {
                let state = if started {
                    ReportState::Started
                } else {
                    ReportState::Finished
                };
                let args = ReportArgs {
                    announcement: id,
                    state,
                    reason: None,
                };
                command = Some((station(), Command::Report(args)));
            }
        }
        Op::AnswerRing { ring } => {
            if !ledger.rings.is_empty() {
                let (id, call) = ledger.recent_ring(ring);
                h.switch(SwitchEvent::Answered {
                    call,
                    leg: LegId::Ring(id),
                });
            }
        }
        Op::FailRing { ring, cause } => {
            if !ledger.rings.is_empty() {
                let (id, _) = ledger.recent_ring(ring);
                let cause = [
                    FailCause::Busy,
                    FailCause::Declined,
                    FailCause::Unreachable,
                    FailCause::NoAnswer,
                ][cause];
                h.switch(SwitchEvent::Failed {
                    id,
                    leg: LegId::Ring(id),
                    cause,
                });
            }
        }
        Op::FailHold { hold } => {
            if !ledger.holds.is_empty() {
                let id = ledger.holds[hold % ledger.holds.len()];
                h.switch(SwitchEvent::Failed {
                    id,
                    leg: LegId::Caller,
                    cause: FailCause::Unreachable,
                });
            }
        }
        Op::Dial { who, number } => {
            let call = format!("d{}", ledger.dialled);
            ledger.dialled += 1;
            h.switch(SwitchEvent::Dialed {
                call: cid(&call),
                caller: USERS[who].into(),
                number: NUMBERS[number].into(),
            });
        }
        Op::TransferRequest { call, who, target } => {
            let call = ledger.call(call);
            let by = match h.call(&call.0) {
                Some(c) if who % 2 == 0 => c.line,
                _ => USERS[who].to_string(),
            };
            h.switch(SwitchEvent::TransferRequested {
                call,
                by,
                target: TARGETS[target].into(),
                replaces: None,
            });
        }
        Op::Dtmf { call, digit } => {
            h.switch(SwitchEvent::Dtmf {
                call: ledger.call(call),
                digit: if digit { '0' } else { '5' },
            });
        }
        Op::Advance { seconds } => h.advance(seconds),
        Op::MonitorMeddles { call } => {
            command = Some((
                monitor(),
                Command::Hangup(HangupArgs {
                    call: ledger.call(call),
                }),
            ));
        }
        Op::Admin { change } => {
            let setup = h.engine.setup().clone();
            let staff = setup
                .policies
                .iter()
                .find(|p| p.name == "staff")
                .unwrap()
                .clone();
            let bob = setup.users.iter().find(|u| u.id == "bob").unwrap().clone();
            let sales = setup
                .groups
                .iter()
                .find(|g| g.id == "sales")
                .unwrap()
                .clone();
            let admin_command = match change {
                0 => AdminCommand::PolicySet(parkdesk::engine::policy::ParkPolicy {
                    allow_park: !staff.allow_park,
                    ..staff
                }),
                1 => AdminCommand::RangeSet(park_range("main", "701", "703")),
                2 => AdminCommand::RangeSet(park_range("main", "701", "705")),
                3 => AdminCommand::GroupSet(Group {
                    members: if sales.members.len() == 2 {
                        vec!["alice".into()]
                    } else {
                        vec!["alice".into(), "bob".into()]
                    },
                    ..sales
                }),
                4 => AdminCommand::UserSet(User {
                    voice_enabled: !bob.voice_enabled,
                    ..bob
                }),
                _ => AdminCommand::RangeRemove {
                    name: "stars".into(),
                },
            };
            command = Some((admin(), Command::Admin(admin_command)));
        }
        Op::Drain => {
            h.events.clear();
            h.intents.clear();
            h.engine.handle_drain(h.now);
            while let Some(e) = h.engine.poll_event() {
                h.events.push(e);
            }
            while let Some(i) = h.engine.poll_intent() {
                h.intents.push(i);
            }
        }
    }
    if let Some((actor, command)) = command {
        let before = board(h);
        let result = h.cmd(&actor, command.clone());
        if let Err(err) = &result {
            prop_assert_eq!(
                &board(h),
                &before,
                "refused {:?} ({}) changed the board",
                command,
                err
            );
            prop_assert!(h.intents.is_empty(), "refused {:?} sent intents", command);
            prop_assert!(
                h.events.iter().all(|e| e.name == EventName::PickupFailed),
                "refused {:?} emitted {:?}",
                command,
                h.names()
            );
        }
    }
    check_lamps(h, &lamps_before, admin_op)?;
    ledger.absorb(h)?;
    check_invariants(h, ledger)
}

/// The busy lamps read straight from the engine agree with its views, and they change only
/// in a step that emitted an event the engine's task reads the lamps again after (or an
/// admin change, after which it reads them too).
fn check_lamps(h: &Harness, before: &LampBoard, admin_op: bool) -> Result<(), TestCaseError> {
    let after = LampBoard::read(&h.engine);
    prop_assert_eq!(
        &after,
        &LampBoard::from_engine(&h.engine.parked(), &h.engine.pickup_groups()),
        "the borrowed lamps differ from the views'"
    );
    if after != *before && !admin_op {
        prop_assert!(
            h.events.iter().any(|e| changes_lamps(e.name)),
            "the lamps changed after {:?}",
            h.names()
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(300),
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_traffic_keeps_every_engine_invariant(ops in proptest::collection::vec(op(), 1..80)) {
        let mut h = Harness::with(setup());
        h.engine.handle_stations(h.now, "default", 1);
        let mut ledger = Ledger::default();
        for op in ops {
            run(&mut h, &mut ledger, op)?;
        }
        // Let every timer run out: every park ends, by ring-back, fallback or release.
        for _ in 0..200 {
            let Some(next) = h.engine.poll_timeout() else { break };
            h.advance(next.saturating_since(h.now).as_secs().max(1));
            ledger.absorb(&h)?;
            check_invariants(&h, &ledger)?;
        }
        h.events.clear();
        h.intents.clear();
        h.engine.handle_drain_deadline(h.now + secs(1));
        while let Some(e) = h.engine.poll_event() { h.events.push(e); }
        ledger.absorb(&h)?;
        prop_assert!(ledger.open_parks.is_empty(), "parks left open: {:?}", ledger.open_parks);
        prop_assert!(h.engine.calls().is_empty());
        prop_assert!(h.engine.parked().is_empty());
        prop_assert_eq!(h.engine.poll_timeout(), None);
    }
}
