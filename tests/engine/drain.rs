//! The drain on a virtual clock: parked calls are handed back to their parkers staggered,
//! at most one ring-back starting every two seconds per parker, parkers side by side.
#![allow(clippy::unwrap_used)] // test code: an unwrap states what must hold

use crate::support::engine::*;
use parkdesk::engine::objects::ParkState;
use parkdesk::engine::*;

/// The virtual second (since the drain began) each ring-back of `calls` started at, by
/// running the clock one second at a time for `seconds`.
fn ring_back_times(h: &mut Harness, seconds: u64) -> Vec<(u64, String, String)> {
    let start = h.now;
    let mut started = Vec::new();
    h.events.clear();
    h.intents.clear();
    h.engine.handle_drain(h.now);
    let mut collect = |h: &mut Harness| {
        while let Some(event) = h.engine.poll_event() {
            h.events.push(event);
        }
        while let Some(intent) = h.engine.poll_intent() {
            h.intents.push(intent);
        }
        let at = h.now.saturating_since(start).as_secs();
        for (_, call, target) in h.rings() {
            started.push((at, call.0, target));
        }
    };
    collect(h);
    for _ in 0..seconds {
        h.advance(1);
        collect(h);
    }
    started
}

#[test]
fn a_drain_rings_one_parker_back_with_one_call_every_two_seconds_oldest_first() {
    let mut h = Harness::standard();
    h.parked("c1", "alice");
    h.advance(1);
    h.parked("c2", "alice");
    h.advance(1);
    h.parked("c3", "alice");
    h.advance(5);
    let times = ring_back_times(&mut h, 6);
    assert_eq!(
        times,
        [
            (0, "c1".to_string(), "alice".to_string()),
            (2, "c2".to_string(), "alice".to_string()),
            (4, "c3".to_string(), "alice".to_string()),
        ]
    );
}

#[test]
fn a_drain_rings_two_parkers_back_at_the_same_moment() {
    let mut h = Harness::standard();
    h.parked("c1", "alice");
    h.parked("c2", "bob");
    let times = ring_back_times(&mut h, 3);
    assert_eq!(
        times,
        [
            (0, "c1".to_string(), "alice".to_string()),
            (0, "c2".to_string(), "bob".to_string()),
        ]
    );
}

#[test]
fn a_call_waiting_for_its_parkers_turn_shows_when_it_will_ring_back() {
    let mut h = Harness::standard();
    h.parked("c1", "alice");
    let second = h.parked("c2", "alice");
    h.engine.handle_drain(h.now);
    let waiting = h.parked_on(&second).unwrap();
    assert_eq!(waiting.state, ParkState::Parked);
    assert_eq!(
        h.engine.poll_timeout(),
        Some(h.now + DRAIN_SPACING),
        "the second call's timer is its turn"
    );
}

#[test]
fn a_call_that_ends_while_waiting_for_its_turn_is_not_rung_back() {
    let mut h = Harness::standard();
    h.parked("c1", "alice");
    h.parked("c2", "alice");
    h.engine.handle_drain(h.now);
    while h.engine.poll_intent().is_some() {}
    h.caller_hangs_up("c2");
    assert_eq!(h.outcome(), Some(ParkOutcome::Abandoned));
    h.advance(3);
    assert!(
        h.rings().is_empty(),
        "nobody is rung back for a call that ended: {:?}",
        h.rings()
    );
}

#[test]
fn a_park_during_the_drain_is_refused_with_a_message_that_says_the_engine_is_draining() {
    let mut h = Harness::standard();
    h.connected("c1", "alice");
    h.engine.handle_drain(h.now);
    let err = h.park(&user("alice"), "c1").unwrap_err();
    assert_eq!(err, EngineError::Stopping);
    assert_eq!(err.code(), "internal", "PROTOCOL.md's codes are fixed");
    assert!(err.to_string().contains("draining"), "{err}");
}
