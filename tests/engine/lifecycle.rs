//! The lifecycle state table (`parkdesk::engine::lifecycle`), row by row, on a virtual clock.
#![allow(clippy::unwrap_used)] // test code: an unwrap states what must hold

use crate::support::engine::*;
use parkdesk::engine::clock::secs;
use parkdesk::engine::command::{ExtendArgs, HangupArgs};
use parkdesk::engine::objects::{CallState, ParkOutcome, ParkState};
use parkdesk::engine::policy::ParkPolicy;
use parkdesk::engine::switch::{EndCause, FailCause, LegId, Prompt};
use parkdesk::engine::*;

/// The standard setup with alice's policy (`staff`) changed.
fn staff(change: impl FnOnce(&mut ParkPolicy)) -> Harness {
    let mut setup = standard_setup();
    let policy = setup
        .policies
        .iter_mut()
        .find(|p| p.name == "staff")
        .unwrap();
    change(policy);
    Harness::with(setup)
}

#[test]
fn a_park_holds_the_caller_with_music_and_reports_it_started() {
    let mut h = Harness::standard();
    h.connected("c1", "alice");
    let ok = h
        .cmd(&user("alice"), Command::Park(park_args("c1")))
        .unwrap();
    assert_eq!(
        ok,
        CommandOk::Parked {
            code: "701".into(),
            spoken: "seven zero one".into(),
            expires_at: Instant(300_000)
        }
    );
    assert_eq!(h.holds(), vec![(h.holds()[0].0, cid("c1"), true)]);
    assert_eq!(h.names(), ["call.transferred", "park.started"]);
    let parked = h.parked_on("701").unwrap();
    assert_eq!(parked.state, ParkState::Parked);
    assert_eq!(parked.parked_by, "alice");
    assert_eq!(parked.policy, "staff");
    assert_eq!(h.call("c1").unwrap().state, CallState::Parked);
}

#[test]
fn a_ringing_call_is_answered_into_the_park() {
    let mut h = Harness::standard();
    h.offer("c1", "alice");
    let code = h.park(&user("alice"), "c1").unwrap();
    assert_eq!(code, "701");
    let call = h.call("c1").unwrap();
    assert_eq!(call.state, CallState::Parked);
    assert_eq!(call.answered_at, Some(Instant::ZERO));
}

#[test]
fn parked_times_out_into_ringback_attempt_one_of_the_parker() {
    let mut h = Harness::standard();
    let code = h.parked("c1", "alice");
    h.advance(299);
    assert!(h.events.is_empty(), "nothing fires before the timeout");
    h.advance(1);
    assert_eq!(h.names(), ["park.timeout", "park.ringback"]);
    let (_, call, target) = h.ring();
    assert_eq!((call, target.as_str()), (cid("c1"), "alice"));
    let parked = h.parked_on(&code).unwrap();
    assert_eq!(parked.state, ParkState::RingingBack);
    assert_eq!(parked.ringback, 1);
    assert_eq!(parked.expires_at, h.now + secs(20));
}

#[test]
fn parked_with_no_ringback_attempts_goes_straight_to_fallback() {
    let mut h = staff(|p| {
        p.ringback_attempts = 0;
        p.on_timeout = Some("reception".into());
    });
    let code = h.parked("c1", "alice");
    h.advance(300);
    assert_eq!(h.names(), ["park.timeout", "park.fallback"]);
    assert_eq!(h.ring().2, "reception");
    let parked = h.parked_on(&code).unwrap();
    assert_eq!(parked.state, ParkState::Fallback);
    assert_eq!(parked.expires_at, h.now + secs(30));
}

#[test]
fn parked_with_no_attempts_and_no_fallback_is_released_with_a_goodbye() {
    let mut h = staff(|p| p.ringback_attempts = 0);
    h.parked("c1", "alice");
    h.advance(300);
    assert_eq!(h.names(), ["park.timeout", "park.ended", "call.ended"]);
    assert_eq!(h.outcome(), Some(ParkOutcome::Released));
    assert_eq!(h.releases(), vec![(cid("c1"), Some(Prompt::Goodbye))]);
    assert!(h.engine.parked().is_empty());
}

#[test]
fn extend_adds_to_the_time_left_and_moves_the_timeout() {
    let mut h = Harness::standard();
    let code = h.parked("c1", "alice");
    h.advance(100);
    let ok = h
        .cmd(
            &user("alice"),
            Command::Extend(ExtendArgs {
                code: code.clone(),
                seconds: 60,
            }),
        )
        .unwrap();
    assert_eq!(
        ok,
        CommandOk::Extended {
            expires_at: Instant(360_000)
        }
    );
    assert_eq!(h.names(), ["park.extended"]);
    h.advance(200);
    assert!(h.events.is_empty(), "the old deadline no longer fires");
    h.advance(60);
    assert_eq!(h.names(), ["park.timeout", "park.ringback"]);
}

#[test]
fn the_callers_escape_digit_sends_a_parked_call_to_fallback_at_once() {
    let mut h = staff(|p| {
        p.caller_escape_digit = Some('0');
        p.on_timeout = Some("reception".into());
    });
    let code = h.parked("c1", "alice");
    h.switch(SwitchEvent::Dtmf {
        call: cid("c1"),
        digit: '5',
    });
    assert!(h.events.is_empty(), "another digit does nothing");
    h.switch(SwitchEvent::Dtmf {
        call: cid("c1"),
        digit: '0',
    });
    assert_eq!(h.names(), ["park.fallback"]);
    assert_eq!(h.ring().2, "reception");
    assert_eq!(h.parked_on(&code).unwrap().state, ParkState::Fallback);
}

#[test]
fn the_escape_digit_during_ringback_cancels_the_ringback() {
    let mut h = staff(|p| {
        p.caller_escape_digit = Some('#');
        p.on_timeout = Some("reception".into());
    });
    h.parked("c1", "alice");
    h.advance(300);
    let (ringback, _, _) = h.ring();
    h.switch(SwitchEvent::Dtmf {
        call: cid("c1"),
        digit: '#',
    });
    assert_eq!(h.cancels()[0].0.leg, LegId::Ring(ringback));
    assert_eq!(h.names(), ["park.fallback"]);
}

#[test]
fn retrieve_from_parked_rings_the_desk_and_is_retrieving() {
    let mut h = Harness::standard();
    let code = h.parked("c1", "alice");
    let ok = h.retrieve(&user("bob"), &code, None).unwrap();
    assert_eq!(ok, CommandOk::Call { call: cid("c1") });
    assert_eq!(h.names(), ["park.retrieving"]);
    assert_eq!(h.ring().2, "bob");
    let parked = h.parked_on(&code).unwrap();
    assert_eq!(parked.state, ParkState::Retrieving);
    assert_eq!(parked.expires_at, h.now + secs(30));
}

#[test]
fn retrieve_during_ringback_cancels_the_ringback() {
    let mut h = Harness::standard();
    let code = h.parked("c1", "alice");
    h.advance(300);
    let (ringback, _, _) = h.ring();
    h.retrieve(&desk(), &code, None).unwrap();
    assert_eq!(h.cancels()[0].0.leg, LegId::Ring(ringback));
    assert_eq!(h.ring().2, "reception");
    assert_eq!(h.parked_on(&code).unwrap().state, ParkState::Retrieving);
}

#[test]
fn retrieve_during_fallback_cancels_the_fallback_ring() {
    let mut h = staff(|p| {
        p.ringback_attempts = 0;
        p.on_timeout = Some("carol".into());
    });
    let code = h.parked("c1", "alice");
    h.advance(300);
    let (fallback, _, target) = h.ring();
    assert_eq!(target, "carol");
    h.retrieve(&desk(), &code, None).unwrap();
    assert_eq!(h.cancels()[0].0.leg, LegId::Ring(fallback));
    assert_eq!(h.parked_on(&code).unwrap().state, ParkState::Retrieving);
}

#[test]
fn a_dialled_code_during_ringback_bridges_at_once() {
    let mut h = Harness::standard();
    let code = h.parked("c1", "alice");
    h.advance(300);
    let (ringback, _, _) = h.ring();
    h.switch(SwitchEvent::Dialed {
        call: cid("d1"),
        caller: "bob".into(),
        number: code.clone(),
    });
    assert_eq!(h.cancels()[0].0.leg, LegId::Ring(ringback));
    let (a, b) = h.bridges()[0].clone();
    assert_eq!((a.call, a.leg), (cid("d1"), LegId::Caller));
    assert_eq!((b.call, b.leg), (cid("c1"), LegId::Caller));
    assert_eq!(h.outcome(), Some(ParkOutcome::Retrieved));
    assert_eq!(
        h.event(EventName::ParkEnded).detail.by.as_deref(),
        Some("bob")
    );
    let call = h.call("c1").unwrap();
    assert_eq!(
        (call.state, call.line.as_str()),
        (CallState::Connected, "bob")
    );
}

#[test]
fn retrieving_ends_retrieved_when_the_desk_answers() {
    let mut h = Harness::standard();
    let code = h.parked("c1", "alice");
    h.retrieve(&desk(), &code, Some("bob")).unwrap();
    let (id, call, _) = h.ring();
    h.answer_ring(&call, id);
    let (a, b) = h.bridges()[0].clone();
    assert_eq!(a.leg, LegId::Caller);
    assert_eq!(b.leg, LegId::Ring(id));
    assert_eq!(h.names(), ["park.ended", "call.answered"]);
    assert_eq!(h.outcome(), Some(ParkOutcome::Retrieved));
    assert_eq!(
        h.event(EventName::ParkEnded).detail.by.as_deref(),
        Some("reception")
    );
    let call = h.call("c1").unwrap();
    assert_eq!(
        (call.state, call.line.as_str()),
        (CallState::Connected, "bob")
    );
    assert!(h.engine.parked().is_empty());
}

#[test]
fn an_unanswered_retrieve_returns_to_parked_under_the_same_code_with_its_clock() {
    for cause in [
        FailCause::Busy,
        FailCause::Declined,
        FailCause::Unreachable,
        FailCause::NoAnswer,
    ] {
        let mut h = Harness::standard();
        let code = h.parked("c1", "alice");
        h.advance(100);
        h.retrieve(&desk(), &code, None).unwrap();
        let (id, _, _) = h.ring();
        h.advance(5);
        h.fail_ring(id, cause);
        assert_eq!(h.names(), ["park.returned"], "{cause:?}");
        let parked = h.parked_on(&code).unwrap();
        assert_eq!(parked.state, ParkState::Parked);
        assert_eq!(parked.expires_at, Instant(300_000), "the original deadline");
        h.advance(194);
        assert!(h.events.is_empty());
        h.advance(1);
        assert_eq!(h.names(), ["park.timeout", "park.ringback"]);
    }
}

#[test]
fn a_retrieve_ring_that_times_out_is_cancelled_and_returns() {
    let mut h = Harness::standard();
    let code = h.parked("c1", "alice");
    h.retrieve(&desk(), &code, None).unwrap();
    let (id, call, _) = h.ring();
    h.advance(30);
    assert_eq!(h.cancels()[0].0.leg, LegId::Ring(id));
    assert_eq!(h.cancels()[0].0.call, call);
    assert_eq!(h.names(), ["park.returned"]);
}

#[test]
fn an_unanswered_retrieve_past_the_deadline_times_out_at_once() {
    let mut h = Harness::standard();
    let code = h.parked("c1", "alice");
    h.advance(290);
    h.retrieve(&desk(), &code, None).unwrap();
    h.advance(30);
    assert_eq!(
        h.names(),
        ["park.returned", "park.timeout", "park.ringback"]
    );
    assert_eq!(h.ring().2, "alice");
}

#[test]
fn a_second_retrieve_while_retrieving_is_a_conflict_naming_the_retriever() {
    let mut h = Harness::standard();
    let code = h.parked("c1", "alice");
    h.retrieve(&desk(), &code, None).unwrap();
    let before = h.engine.parked();
    let err = h.retrieve(&user("alice"), &code, None).unwrap_err();
    assert_eq!(err.code(), "conflict");
    assert!(matches!(err, EngineError::Conflict { by: Some(ref who), .. } if who == "reception"));
    assert_eq!(h.engine.parked(), before);
    assert!(h.intents.is_empty());
}

#[test]
fn the_parker_answering_a_ringback_ends_answered_ringback() {
    let mut h = Harness::standard();
    h.parked("c1", "alice");
    h.advance(300);
    let (id, call, _) = h.ring();
    h.answer_ring(&call, id);
    assert_eq!(h.outcome(), Some(ParkOutcome::AnsweredRingback));
    assert_eq!(
        h.event(EventName::ParkEnded).detail.by.as_deref(),
        Some("alice")
    );
    assert_eq!(h.call("c1").unwrap().line, "alice");
}

#[test]
fn each_unanswered_ringback_cause_ends_an_attempt_and_starts_the_next() {
    let causes = [FailCause::Busy, FailCause::Declined, FailCause::Unreachable];
    let mut h = staff(|p| p.ringback_attempts = 4);
    let code = h.parked("c1", "alice");
    h.advance(300);
    for (n, cause) in causes.into_iter().enumerate() {
        let (id, _, _) = h.ring();
        h.fail_ring(id, cause);
        assert_eq!(h.names(), ["park.ringback"], "{cause:?}");
        assert_eq!(h.parked_on(&code).unwrap().ringback, n as u32 + 2);
    }
    // No answer: the ring timer cancels the leg and ends the attempt.
    let (id, _, _) = h.ring();
    h.advance(20);
    assert_eq!(h.cancels()[0].0.leg, LegId::Ring(id));
    assert_eq!(
        h.names(),
        ["park.ended", "call.ended"],
        "four attempts used, no fallback"
    );
    assert_eq!(h.outcome(), Some(ParkOutcome::Released));
}

#[test]
fn exhausted_ringbacks_go_to_the_fallback_target_with_its_own_ring_time() {
    let mut h = staff(|p| {
        p.on_timeout = Some("support".into());
        p.fallback_ring_time = 45;
    });
    let code = h.parked("c1", "alice");
    h.advance(300);
    h.advance(20);
    assert_eq!(h.names(), ["park.fallback"]);
    assert_eq!(h.ring().2, "support");
    assert_eq!(h.parked_on(&code).unwrap().expires_at, h.now + secs(45));
}

#[test]
fn exhausted_ringbacks_without_fallback_release_with_a_goodbye() {
    let mut h = Harness::standard();
    h.parked("c1", "alice");
    h.advance(300);
    let (id, _, _) = h.ring();
    h.fail_ring(id, FailCause::Busy);
    assert_eq!(h.outcome(), Some(ParkOutcome::Released));
    assert_eq!(h.releases(), vec![(cid("c1"), Some(Prompt::Goodbye))]);
    assert!(h.call("c1").is_none());
}

#[test]
fn the_fallback_target_answering_ends_answered_fallback() {
    let mut h = staff(|p| {
        p.ringback_attempts = 0;
        p.on_timeout = Some("carol".into());
    });
    h.parked("c1", "alice");
    h.advance(300);
    let (id, call, _) = h.ring();
    h.answer_ring(&call, id);
    assert_eq!(h.outcome(), Some(ParkOutcome::AnsweredFallback));
    assert_eq!(
        h.event(EventName::ParkEnded).detail.by.as_deref(),
        Some("carol")
    );
}

#[test]
fn an_unanswered_fallback_releases_with_a_goodbye() {
    for fail in [Some(FailCause::Declined), None] {
        let mut h = staff(|p| {
            p.ringback_attempts = 0;
            p.on_timeout = Some("carol".into());
        });
        h.parked("c1", "alice");
        h.advance(300);
        let (id, _, _) = h.ring();
        match fail {
            Some(cause) => h.fail_ring(id, cause),
            None => h.advance(30),
        }
        assert_eq!(h.outcome(), Some(ParkOutcome::Released));
        assert_eq!(h.releases(), vec![(cid("c1"), Some(Prompt::Goodbye))]);
    }
}

#[test]
fn the_caller_hanging_up_in_any_state_ends_abandoned_and_stops_rings() {
    // parked, retrieving, ringing back, fallback
    for state in 0..4 {
        let mut h = staff(|p| p.on_timeout = Some("reception".into()));
        let code = h.parked("c1", "alice");
        match state {
            1 => {
                h.retrieve(&desk(), &code, None).unwrap();
            }
            2 => h.advance(300),
            3 => h.advance(320),
            _ => {}
        }
        let ring = h.rings().last().map(|r| r.0);
        h.caller_hangs_up("c1");
        assert_eq!(h.outcome(), Some(ParkOutcome::Abandoned), "state {state}");
        assert_eq!(h.names().iter().filter(|n| **n == "park.ended").count(), 1);
        if let Some(id) = ring {
            assert_eq!(h.cancels()[0].0.leg, LegId::Ring(id), "state {state}");
        }
        assert_eq!(
            h.engine.poll_timeout(),
            None,
            "no timer is left for the call"
        );
        h.caller_hangs_up("c1");
        assert!(h.events.is_empty(), "a call ends once");
    }
}

#[test]
fn a_dead_caller_leg_ends_the_park_abandoned() {
    let mut h = Harness::standard();
    h.parked("c1", "alice");
    h.switch(SwitchEvent::Ended {
        call: cid("c1"),
        leg: LegId::Caller,
        cause: EndCause::Dead,
    });
    assert_eq!(h.outcome(), Some(ParkOutcome::Abandoned));
    assert_eq!(
        h.event(EventName::CallEnded).detail.cause.as_deref(),
        Some("dead")
    );
}

#[test]
fn a_receptionist_hangup_releases_the_park_by_name() {
    let mut h = Harness::standard();
    h.parked("c1", "alice");
    h.cmd(&desk(), Command::Hangup(HangupArgs { call: cid("c1") }))
        .unwrap();
    assert_eq!(h.releases(), vec![(cid("c1"), None)]);
    assert_eq!(h.outcome(), Some(ParkOutcome::Released));
    assert_eq!(
        h.event(EventName::ParkEnded).detail.by.as_deref(),
        Some("reception")
    );
    assert_eq!(h.names(), ["park.ended", "call.ended"]);
}

#[test]
fn a_failed_hold_ends_the_park_failed_and_puts_the_call_back() {
    let mut h = Harness::standard();
    h.connected("c1", "alice");
    h.park(&user("alice"), "c1").unwrap();
    let (hold, _, _) = h.holds()[0].clone();
    h.switch(SwitchEvent::Failed {
        id: hold,
        leg: LegId::Caller,
        cause: FailCause::Unreachable,
    });
    assert_eq!(h.outcome(), Some(ParkOutcome::Failed));
    let call = h.call("c1").unwrap();
    assert_eq!(
        (call.state, call.line.as_str()),
        (CallState::Connected, "alice")
    );
    assert!(h.engine.parked().is_empty());
    // The code is free again.
    assert_eq!(
        h.park(&user("alice"), "c1").unwrap(),
        "702",
        "sequential moves on"
    );
}

#[test]
fn a_failed_hold_of_a_call_taken_from_its_phone_rescues_it() {
    let mut h = Harness::standard();
    h.connected("c1", "alice");
    h.switch(SwitchEvent::TransferRequested {
        call: cid("c1"),
        by: "alice".into(),
        target: "700".into(),
        replaces: None,
    });
    let (hold, _, _) = h.holds()[0].clone();
    h.switch(SwitchEvent::Failed {
        id: hold,
        leg: LegId::Caller,
        cause: FailCause::Unreachable,
    });
    assert_eq!(h.outcome(), Some(ParkOutcome::Failed));
    assert!(h.names().contains(&"park.failed"));
    assert_eq!(h.ring().2, "reception");
}

#[test]
fn drain_rings_every_parked_call_back_at_once_and_refuses_new_parks() {
    let mut h = Harness::standard();
    h.parked("c1", "alice");
    h.parked("c2", "bob");
    h.connected("c3", "alice");
    h.step_drain();
    assert_eq!(
        h.names(),
        ["engine.stopping", "park.ringback", "park.ringback"]
    );
    let targets: Vec<String> = h.rings().into_iter().map(|r| r.2).collect();
    assert_eq!(targets, ["alice", "bob"]);
    assert_eq!(
        h.park(&user("alice"), "c3").unwrap_err(),
        EngineError::Stopping
    );
}

#[test]
fn drain_sends_parks_without_ringback_attempts_to_fallback() {
    let mut h = staff(|p| {
        p.ringback_attempts = 0;
        p.on_timeout = Some("reception".into());
    });
    h.parked("c1", "alice");
    h.step_drain();
    assert_eq!(h.names(), ["engine.stopping", "park.fallback"]);
}

#[test]
fn the_drain_deadline_releases_everything_with_a_goodbye() {
    let mut h = Harness::standard();
    h.parked("c1", "alice");
    h.connected("c2", "bob");
    h.events.clear();
    h.intents.clear();
    h.engine.handle_drain_deadline(h.now);
    let mut released = Vec::new();
    while let Some(intent) = h.engine.poll_intent() {
        if let Intent::Release { call, prompt, .. } = intent {
            released.push((call, prompt));
        }
    }
    let mut outcomes = Vec::new();
    while let Some(event) = h.engine.poll_event() {
        if event.name == EventName::ParkEnded {
            outcomes.push(event.detail.outcome);
        }
    }
    assert_eq!(released.len(), 2);
    assert!(released.iter().all(|(_, p)| *p == Some(Prompt::Goodbye)));
    assert_eq!(outcomes, [Some(ParkOutcome::Released)]);
    assert!(h.engine.calls().is_empty());
    assert_eq!(h.engine.poll_timeout(), None);
}

trait Drain {
    fn step_drain(&mut self);
}

impl Drain for Harness {
    fn step_drain(&mut self) {
        self.events.clear();
        self.intents.clear();
        self.engine.handle_drain(self.now);
        while let Some(event) = self.engine.poll_event() {
            self.events.push(event);
        }
        while let Some(intent) = self.engine.poll_intent() {
            self.intents.push(intent);
        }
    }
}
