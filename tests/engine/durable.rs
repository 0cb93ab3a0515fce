//! Durable call state: the records the engine hands out for the calls it must carry on,
//! and a fresh engine carrying them on from those records (restart or crash), on the
//! virtual clock.
#![allow(clippy::unwrap_used)] // test code: an unwrap states what must hold

use crate::support::engine::*;
use parkdesk::engine::clock::secs;
use parkdesk::engine::command::ExtendArgs;
use parkdesk::engine::durable::Stage;
use parkdesk::engine::objects::{CallState, ParkOutcome, ParkState};
use parkdesk::engine::switch::{EndCause, FailCause, LegId, Party};
use parkdesk::engine::*;
use parkdesk::sim::{Behaviour, Pair, SimSwitch};
use std::time::Duration;

fn at(seconds: u64) -> Instant {
    Instant(seconds * 1000)
}

/// Moves the clock to `seconds`, one second at a time (each timer fires at its own second).
fn run_to(h: &mut Harness, seconds: u64) -> Vec<(u64, &'static str)> {
    let mut seen = Vec::new();
    while h.now < at(seconds) {
        h.advance(1);
        let now = h.now.as_millis() / 1000;
        seen.extend(h.names().into_iter().map(|name| (now, name)));
    }
    seen
}

#[test]
fn a_park_is_put_in_the_store_and_removed_when_it_ends() {
    let mut h = Harness::standard();
    h.offer("c1", "alice");
    assert!(h.store.is_empty(), "a call only ringing is not carried on");
    h.answer_line("c1");
    assert!(h.store.contains_key(&cid("c1")), "a connected call is");
    let code = h.park(&user("alice"), "c1").unwrap();
    let record = &h.store[&cid("c1")];
    let park = record.park.as_ref().expect("the record holds the park");
    assert_eq!(park.code, code);
    assert_eq!(park.parked_by, "alice");
    assert_eq!(park.deadline, at(300));
    assert_eq!(park.stage, Stage::Parked);
    assert_eq!(park.policy.name, "staff");
    assert_eq!(
        h.store.values().cloned().collect::<Vec<_>>(),
        h.engine.durable_calls()
    );
    h.caller_hangs_up("c1");
    assert_eq!(h.outcome(), Some(ParkOutcome::Abandoned));
    assert!(h.store.is_empty(), "{:?}", h.store);
}

#[test]
fn a_parked_call_restored_later_rings_back_at_its_original_deadline() {
    let mut h = Harness::standard();
    let code = h.parked("c1", "alice");
    let before = h.parked_on(&code).unwrap();
    run_to(&mut h, 100);
    // The process dies at 100 s; the next one restores at 250 s (clocks map to wall time).
    h.now = at(250);
    let (mut r, lost) = h.restored();
    assert!(lost.is_empty(), "{lost:?}");
    assert!(r.events.is_empty(), "restoring is silent: {:?}", r.names());
    assert!(r.intents.is_empty(), "{:?}", r.intents);
    assert_eq!(r.parked_on(&code).unwrap(), before);
    assert_eq!(r.engine.poll_timeout(), Some(at(300)));
    let seen = run_to(&mut r, 299);
    assert!(seen.is_empty(), "{seen:?}");
    r.advance(1);
    assert_eq!(r.names(), ["park.timeout", "park.ringback"]);
    assert_eq!(r.ring().2, "alice");
    let parked = r.parked_on(&code).unwrap();
    assert_eq!((parked.state, parked.ringback), (ParkState::RingingBack, 1));
}

#[test]
fn a_call_restored_mid_ring_back_rings_again_for_the_time_left_with_the_same_attempt() {
    let mut h = Harness::standard();
    let code = h.parked("c1", "alice");
    run_to(&mut h, 300);
    let (first_ring, _, _) = h.ring();
    run_to(&mut h, 310);
    let before = h.parked_on(&code).unwrap();
    assert_eq!(before.expires_at, at(320));
    let (mut r, lost) = h.restored();
    assert!(lost.is_empty(), "{lost:?}");
    assert!(r.events.is_empty(), "{:?}", r.names());
    let (ring, call, target) = r.ring();
    assert_eq!((call, target.as_str()), (cid("c1"), "alice"));
    assert!(
        ring > first_ring,
        "a new ring never takes an old leg's name"
    );
    assert_eq!(
        r.parked_on(&code).unwrap(),
        before,
        "same attempt, same expiry"
    );
    assert_eq!(r.engine.poll_timeout(), Some(at(320)));
    // Unanswered to the end of the attempt: the staff policy has one, and no fallback.
    let seen = run_to(&mut r, 320);
    assert!(seen.contains(&(320, "park.ended")), "{seen:?}");
    assert_eq!(r.outcome(), Some(ParkOutcome::Released));
}

#[test]
fn the_parker_answering_the_restored_ring_back_takes_the_call() {
    let mut h = Harness::standard();
    h.parked("c1", "alice");
    run_to(&mut h, 305);
    let (mut r, _) = h.restored();
    let (ring, call, _) = r.ring();
    r.answer_ring(&call, ring);
    assert_eq!(r.outcome(), Some(ParkOutcome::AnsweredRingback));
    // Now bridged to the ring leg: still carried on, and restored as such.
    let record = r.store[&cid("c1")].clone();
    assert_eq!(record.state, CallState::Connected);
    assert_eq!(record.peer.as_ref().map(|p| p.leg), Some(LegId::Ring(ring)));
    let (again, lost) = r.restored();
    assert!(lost.is_empty());
    assert_eq!(again.call("c1"), r.call("c1"));
    assert!(again.intents.is_empty(), "a connected call rings nobody");
}

#[test]
fn an_extension_survives_a_restart() {
    let mut h = Harness::standard();
    let code = h.parked("c1", "alice");
    run_to(&mut h, 50);
    let args = ExtendArgs {
        code: code.clone(),
        seconds: 60,
    };
    h.cmd(&user("alice"), Command::Extend(args)).unwrap();
    assert_eq!(h.store[&cid("c1")].park.as_ref().unwrap().deadline, at(360));
    let (mut r, _) = h.restored();
    assert_eq!(r.parked_on(&code).unwrap().expires_at, at(360));
    assert!(run_to(&mut r, 359).is_empty());
    r.advance(1);
    assert_eq!(r.names()[0], "park.timeout");
}

#[test]
fn a_deadline_passed_while_the_engine_was_down_fires_at_the_next_timeout() {
    let mut h = Harness::standard();
    let code = h.parked("c1", "alice");
    h.now = at(400);
    let (mut r, _) = h.restored();
    assert_eq!(r.engine.poll_timeout(), Some(at(300)));
    r.advance(0);
    assert_eq!(r.names(), ["park.timeout", "park.ringback"]);
    assert_eq!(r.parked_on(&code).unwrap().expires_at, at(420));
}

#[test]
fn a_retrieve_ringing_the_desk_at_the_restart_rings_it_again() {
    let mut h = Harness::standard();
    let code = h.parked("c1", "alice");
    run_to(&mut h, 20);
    h.retrieve(&desk(), &code, None).unwrap();
    run_to(&mut h, 30);
    let (mut r, _) = h.restored();
    let (ring, call, target) = r.ring();
    assert_eq!(target, "reception");
    let parked = r.parked_on(&code).unwrap();
    assert_eq!(
        (parked.state, parked.expires_at),
        (ParkState::Retrieving, at(50))
    );
    r.fail_ring(ring, FailCause::Busy);
    assert_eq!(r.names(), ["park.returned"]);
    assert_eq!(r.parked_on(&code).unwrap().expires_at, at(300));
    assert!(r.store[&call].park.as_ref().unwrap().stage == Stage::Parked);
}

#[test]
fn a_caller_who_hung_up_while_the_engine_was_down_ends_abandoned() {
    let mut h = Harness::standard();
    h.parked("c1", "alice");
    let (mut r, _) = h.restored();
    r.caller_hangs_up("c1");
    assert_eq!(r.outcome(), Some(ParkOutcome::Abandoned));
    assert!(r.store.is_empty());
}

#[test]
fn records_that_cannot_be_restored_end_lost_once_and_the_others_restore() {
    let mut h = Harness::standard();
    let kept = h.parked("c1", "alice");
    let gone = h.parked("c2", "bob");
    h.parked("c3", "alice");
    let mut records: Vec<Result<DurableCall, BrokenRecord>> = Vec::new();
    records.push(Ok(h.store[&cid("c1")].clone()));
    let mut orphan = h.store[&cid("c2")].clone();
    orphan.park.as_mut().unwrap().code = "999".into();
    records.push(Ok(orphan));
    records.push(Err(BrokenRecord {
        call: cid("c3"),
        code: Some("703".into()),
        reason: "EOF while parsing an object".into(),
    }));
    let mut r = Harness::with(h.engine.setup().clone());
    r.now = h.now;
    let lost = r.engine.restore(r.now, records);
    let lost_calls: Vec<&str> = lost.iter().map(|(c, _)| c.0.as_str()).collect();
    assert_eq!(lost_calls, ["c2", "c3"]);
    assert!(matches!(&lost[0].1, RestoreError::CodeGone(code) if code == "999"));
    assert!(matches!(&lost[1].1, RestoreError::Broken(_)));
    let events: Vec<EngineEvent> = std::iter::from_fn(|| r.engine.poll_event()).collect();
    let ended: Vec<(&str, Option<ParkOutcome>, Option<&str>)> = events
        .iter()
        .map(|e| {
            (
                e.name.as_str(),
                e.detail.outcome,
                e.detail.reason.as_deref(),
            )
        })
        .collect();
    assert_eq!(ended.len(), 4, "{ended:?}");
    assert_eq!(ended[0].0, "park.ended");
    assert_eq!(ended[0].1, Some(ParkOutcome::Lost));
    assert!(ended[0].2.unwrap().contains("999"), "{ended:?}");
    assert_eq!(ended[1].0, "call.ended");
    assert_eq!(ended[2].0, "park.ended");
    assert!(ended[2].2.unwrap().contains("EOF"), "{ended:?}");
    match &events[2].subject {
        Subject::Parked(p) => assert_eq!((p.code.as_str(), p.call.0.as_str()), ("703", "c3")),
        other => panic!("{other:?}"),
    }
    assert_eq!(r.engine.parked().len(), 1);
    assert!(r.parked_on(&kept).is_some());
    assert!(r.parked_on(&gone).is_none());
    // Lost calls are gone for good: nothing more about them, and end_lost finds nothing.
    assert!(!r.engine.end_lost(r.now, &cid("c2"), "again"));
    assert!(r.engine.poll_event().is_none());
}

#[test]
fn of_two_records_on_one_code_the_first_keeps_it_and_the_second_is_lost() {
    let mut h = Harness::standard();
    let code = h.parked("c1", "alice");
    h.parked("c2", "bob");
    let mut twin = h.store[&cid("c2")].clone();
    twin.park.as_mut().unwrap().code = code.clone();
    let mut r = Harness::with(h.engine.setup().clone());
    r.now = h.now;
    let lost = r
        .engine
        .restore(r.now, vec![Ok(h.store[&cid("c1")].clone()), Ok(twin)]);
    assert_eq!(lost.len(), 1);
    assert_eq!(lost[0].0, cid("c2"));
    assert!(
        matches!(&lost[0].1, RestoreError::CodeTaken { code: c, holder } if *c == code && holder.0 == "c1")
    );
    assert_eq!(r.parked_on(&code).unwrap().call, cid("c1"));
    let names: Vec<&str> = std::iter::from_fn(|| r.engine.poll_event())
        .map(|e| e.name.as_str())
        .collect();
    assert_eq!(names, ["park.ended", "call.ended"]);
}

#[test]
fn end_lost_ends_a_restored_call_lost_exactly_once() {
    let mut h = Harness::standard();
    h.parked("c1", "alice");
    let (mut r, _) = h.restored();
    r.events.clear();
    assert!(
        r.engine
            .end_lost(r.now, &cid("c1"), "RTP port 30000 is taken")
    );
    let events: Vec<EngineEvent> = std::iter::from_fn(|| r.engine.poll_event()).collect();
    let names: Vec<&str> = events.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["park.ended", "call.ended"]);
    assert_eq!(events[0].detail.outcome, Some(ParkOutcome::Lost));
    assert_eq!(
        events[0].detail.reason.as_deref(),
        Some("RTP port 30000 is taken")
    );
    assert_eq!(events[1].detail.cause.as_deref(), Some("lost"));
    let releases: Vec<Intent> = std::iter::from_fn(|| r.engine.poll_intent()).collect();
    assert!(
        releases
            .iter()
            .any(|i| matches!(i, Intent::Release { call, .. } if call.0 == "c1")),
        "{releases:?}"
    );
    assert!(!r.engine.end_lost(r.now, &cid("c1"), "again"));
    assert!(r.engine.poll_event().is_none());
    r.collect_durable();
    assert!(r.store.is_empty());
}

#[test]
fn a_policy_changed_after_the_park_still_governs_the_restored_park() {
    let mut h = Harness::standard();
    let code = h.parked("c1", "alice");
    let mut staff = h
        .engine
        .setup()
        .policies
        .iter()
        .find(|p| p.name == "staff")
        .unwrap()
        .clone();
    staff.ringback_attempts = 0;
    h.cmd(&admin(), Command::Admin(AdminCommand::PolicySet(staff)))
        .unwrap();
    let (mut r, _) = h.restored();
    assert_eq!(r.parked_on(&code).unwrap().ringbacks_max, 1);
    run_to(&mut r, 300);
    assert!(
        r.rings().iter().any(|(_, _, t)| t == "alice"),
        "rung back under its own policy"
    );
}

/// The whole conversation on the simulated switch: the parker does not answer before the
/// restart, answers the ring-back rung again after it.
#[test]
fn on_the_simulated_switch_a_restored_ring_back_is_answered() {
    let setup = standard_setup();
    let mut switch = SimSwitch::for_setup(&setup);
    switch.set_behaviour("alice", Behaviour::NoAnswer);
    let engine = Engine::new(setup.clone(), 42, Instant::ZERO).unwrap();
    let mut pair = Pair::new(engine, switch, Instant::ZERO);
    let from = Party {
        number: "+15550001".into(),
        name: "Ada".into(),
    };
    let call = pair.offer(from, "alice").unwrap();
    pair.on_switch(|switch, now| switch.answer(now, &call, LegId::Line))
        .unwrap();
    pair.command(&user("alice"), Command::Park(park_args(&call.0)))
        .unwrap();
    pair.advance(secs(305));
    let mut store = std::collections::BTreeMap::new();
    for (_, change) in pair.take_durable() {
        match change {
            DurableChange::Put(r) => {
                store.insert(r.call.clone(), r);
            }
            DurableChange::Remove(c) => {
                store.remove(&c);
            }
        }
    }
    assert_eq!(
        store.values().cloned().collect::<Vec<_>>(),
        pair.engine.durable_calls()
    );
    let parked = pair.engine.parked();
    let now = pair.now();
    // The switch side carries on (the lead's part); the engine is replaced.
    let mut switch = pair.switch;
    switch.set_behaviour(
        "alice",
        Behaviour::Answer {
            after: Duration::from_secs(2),
        },
    );
    let mut engine = Engine::new(setup, 42, now).unwrap();
    let lost = engine.restore(now, store.into_values().map(Ok).collect());
    assert!(lost.is_empty());
    assert_eq!(engine.parked(), parked);
    let mut pair = Pair::new(engine, switch, now);
    pair.pump();
    pair.advance(secs(3));
    let ended = pair
        .take_events()
        .into_iter()
        .find(|(_, e)| e.name == EventName::ParkEnded)
        .expect("the park ended");
    assert_eq!(ended.0, now + secs(2));
    assert_eq!(ended.1.detail.outcome, Some(ParkOutcome::AnsweredRingback));
    let durable = pair.take_durable();
    assert!(
        matches!(durable.last(), Some((_, DurableChange::Put(r))) if r.state == CallState::Connected),
        "{durable:?}"
    );
    pair.on_switch(|switch, now| switch.hangup(now, &call, LegId::Caller))
        .unwrap();
    assert!(
        pair.take_durable()
            .iter()
            .any(|(_, c)| *c == DurableChange::Remove(call.clone()))
    );
    let _ = EndCause::Hangup;
}
