//! The switch boundary: calls, transfers, dialled numbers, hold, rescue, stray events.
#![allow(clippy::unwrap_used)] // test code: an unwrap states what must hold

use crate::support::engine::*;
use parkdesk::engine::objects::{CallState, Direction, ParkOutcome};
use parkdesk::engine::switch::{EndCause, FailCause, IntentId, LegId, Party, Prompt};
use parkdesk::engine::*;

fn transfer(h: &mut Harness, call: &str, by: &str, target: &str) {
    h.switch(SwitchEvent::TransferRequested {
        call: cid(call),
        by: by.into(),
        target: target.into(),
        replaces: None,
    });
}

fn dial(h: &mut Harness, call: &str, caller: &str, number: &str) {
    h.switch(SwitchEvent::Dialed {
        call: cid(call),
        caller: caller.into(),
        number: number.into(),
    });
}

#[test]
fn an_offered_call_is_reported_ringing_at_its_line() {
    let mut h = Harness::standard();
    h.offer("c1", "reception");
    let Subject::Call(call) = &h.event(EventName::CallOffered).subject else {
        panic!()
    };
    assert_eq!(
        (call.state, call.line.as_str(), call.to.as_str()),
        (CallState::Ringing, "reception", "reception")
    );
    assert_eq!(call.direction, Direction::Inbound);
    h.switch(SwitchEvent::Ringing {
        call: cid("c1"),
        leg: LegId::Line,
    });
    assert_eq!(h.names(), ["call.ringing"]);
    h.answer_line("c1");
    assert_eq!(h.names(), ["call.answered"]);
    assert_eq!(h.call("c1").unwrap().answered_at, Some(h.now));
}

#[test]
fn a_call_from_a_directory_number_is_internal() {
    let mut h = Harness::standard();
    h.switch(SwitchEvent::Offered {
        call: cid("c1"),
        from: Party {
            number: "+4420700001".into(),
            name: "Alice".into(),
        },
        to: "bob".into(),
        line: "bob".into(),
    });
    assert_eq!(h.call("c1").unwrap().direction, Direction::Internal);
}

#[test]
fn hold_and_unhold_are_reported() {
    let mut h = Harness::standard();
    h.connected("c1", "bob");
    h.switch(SwitchEvent::Held {
        call: cid("c1"),
        leg: LegId::Line,
    });
    assert_eq!(h.names(), ["call.held"]);
    assert_eq!(h.call("c1").unwrap().state, CallState::Held);
    h.switch(SwitchEvent::Unheld {
        call: cid("c1"),
        leg: LegId::Line,
    });
    assert_eq!(h.names(), ["call.unheld"]);
    assert_eq!(h.call("c1").unwrap().state, CallState::Connected);
}

#[test]
fn a_transfer_to_the_park_extension_parks_under_the_transferors_policy() {
    let mut h = Harness::standard();
    h.connected("c1", "erin");
    transfer(&mut h, "c1", "erin", "700");
    assert_eq!(h.names(), ["call.transferred", "park.started"]);
    let parked = h.parked_on("*100").unwrap();
    assert_eq!(
        (parked.parked_by.as_str(), parked.policy.as_str()),
        ("erin", "star")
    );
}

#[test]
fn a_transfer_to_the_directed_prefix_parks_on_that_code() {
    let mut h = Harness::standard();
    h.connected("c1", "alice");
    transfer(&mut h, "c1", "alice", "*70750");
    assert!(h.parked_on("750").is_some());
    h.connected("c2", "erin");
    transfer(&mut h, "c2", "erin", "*70*150");
    assert!(h.parked_on("*150").is_some());
}

#[test]
fn a_transfer_to_a_user_rings_them() {
    let mut h = Harness::standard();
    h.connected("c1", "alice");
    transfer(&mut h, "c1", "alice", "bob");
    let (id, call, target) = h.ring();
    assert_eq!(target, "bob");
    h.answer_ring(&call, id);
    assert_eq!(h.names(), ["call.transferred"]);
    assert_eq!(h.call("c1").unwrap().line, "bob");
}

#[test]
fn a_failed_park_of_a_call_taken_from_its_phone_goes_to_reception_and_is_never_dropped() {
    let mut h = Harness::standard();
    h.connected("c1", "carol");
    transfer(&mut h, "c1", "carol", "700");
    let failed = h.event(EventName::ParkFailed);
    assert_eq!(
        failed.detail.reason.as_deref(),
        Some("policy 'global' does not allow park")
    );
    assert!(matches!(failed.subject, Subject::Call(ref c) if c.call == cid("c1")));
    assert_eq!(h.holds().len(), 1, "the caller hears music meanwhile");
    let (first, _, target) = h.ring();
    assert_eq!(target, "reception");
    // Reception is busy: nothing happens until the period ends.
    h.fail_ring(first, FailCause::Busy);
    assert!(h.rings().is_empty());
    h.advance(30);
    let (second, call, target) = h.ring();
    assert_eq!(target, "reception");
    h.advance(30);
    assert_eq!(
        h.cancels()[0].0.leg,
        LegId::Ring(second),
        "an unanswered ring is cancelled"
    );
    let (third, _, _) = h.ring();
    h.answer_ring(&call, third);
    let c1 = h.call("c1").unwrap();
    assert_eq!(
        (c1.state, c1.line.as_str()),
        (CallState::Connected, "reception")
    );
    h.advance(600);
    assert!(h.rings().is_empty(), "no more rings once answered");
}

#[test]
fn a_failed_park_rings_the_policys_fallback_first() {
    let mut setup = standard_setup();
    setup.ranges[0] = park_range("main", "701", "701");
    let staff = setup
        .policies
        .iter_mut()
        .find(|p| p.name == "staff")
        .unwrap();
    staff.on_timeout = Some("carol".into());
    let mut h = Harness::with(setup);
    h.parked("c1", "alice");
    h.connected("c2", "alice");
    transfer(&mut h, "c2", "alice", "700");
    assert_eq!(
        h.event(EventName::ParkFailed).detail.reason.as_deref(),
        Some("no free code in range 'main' (701-701)")
    );
    assert_eq!(h.ring().2, "carol");
    h.advance(30);
    assert_eq!(h.ring().2, "reception", "then the reception");
}

#[test]
fn a_rescued_caller_hanging_up_stops_the_rescue() {
    let mut h = Harness::standard();
    h.connected("c1", "carol");
    transfer(&mut h, "c1", "carol", "700");
    let (id, _, _) = h.ring();
    h.caller_hangs_up("c1");
    assert_eq!(h.cancels()[0].0.leg, LegId::Ring(id));
    assert_eq!(h.engine.poll_timeout(), None);
}

#[test]
fn dialling_the_park_extension_parks_the_call_on_hold_and_reads_the_code() {
    let mut h = Harness::standard();
    h.connected("c1", "alice");
    h.switch(SwitchEvent::Held {
        call: cid("c1"),
        leg: LegId::Line,
    });
    dial(&mut h, "d1", "alice", "700");
    assert!(h.parked_on("701").is_some());
    let plays: Vec<&Intent> = h
        .intents
        .iter()
        .filter(|i| matches!(i, Intent::Play { .. }))
        .collect();
    assert!(
        matches!(plays[0], Intent::Play { call, prompt: Prompt::ParkedOn { code }, .. } if call == &cid("d1") && code == "701")
    );
    assert_eq!(h.releases(), vec![(cid("d1"), None)]);
}

#[test]
fn dialling_the_park_extension_with_nothing_to_park_is_released() {
    let mut h = Harness::standard();
    dial(&mut h, "d1", "alice", "700");
    assert_eq!(h.releases(), vec![(cid("d1"), None)]);
    assert!(h.events.is_empty());
}

#[test]
fn a_dialled_code_retrieves_under_the_same_permission_rules() {
    let mut h = Harness::standard();
    let star = h.parked("c1", "erin");
    dial(&mut h, "d1", "alice", &star);
    assert_eq!(
        h.releases(),
        vec![(cid("d1"), Some(Prompt::Goodbye))],
        "outside alice's ranges"
    );
    assert!(h.parked_on(&star).is_some());
    dial(&mut h, "d2", "erin", &star);
    assert_eq!(h.outcome(), Some(ParkOutcome::Retrieved));
    dial(&mut h, "d3", "erin", "*199");
    assert_eq!(
        h.releases(),
        vec![(cid("d3"), Some(Prompt::Goodbye))],
        "nothing parked there"
    );
}

#[test]
fn a_dialled_retrieve_during_a_console_retrieve_is_refused() {
    let mut h = Harness::standard();
    let code = h.parked("c1", "alice");
    h.retrieve(&desk(), &code, None).unwrap();
    dial(&mut h, "d1", "bob", &code);
    assert_eq!(h.releases(), vec![(cid("d1"), Some(Prompt::Goodbye))]);
}

#[test]
fn a_number_the_engine_does_not_serve_is_released() {
    let mut h = Harness::standard();
    dial(&mut h, "d1", "alice", "12345");
    assert_eq!(h.releases(), vec![(cid("d1"), None)]);
}

#[test]
fn the_line_hanging_up_a_connected_call_ends_it() {
    let mut h = Harness::standard();
    h.connected("c1", "bob");
    h.switch(SwitchEvent::Ended {
        call: cid("c1"),
        leg: LegId::Line,
        cause: EndCause::Hangup,
    });
    assert_eq!(h.releases(), vec![(cid("c1"), None)]);
    assert_eq!(h.names(), ["call.ended"]);
}

#[test]
fn the_line_leg_released_by_a_park_does_not_end_the_call() {
    let mut h = Harness::standard();
    h.parked("c1", "alice");
    h.switch(SwitchEvent::Ended {
        call: cid("c1"),
        leg: LegId::Line,
        cause: EndCause::Released,
    });
    assert!(h.events.is_empty());
    assert!(h.parked_on("701").is_some());
}

#[test]
fn a_dead_ring_leg_ends_the_attempt() {
    let mut h = Harness::standard();
    h.parked("c1", "alice");
    h.advance(300);
    let (id, _, _) = h.ring();
    h.switch(SwitchEvent::Ended {
        call: cid("c1"),
        leg: LegId::Ring(id),
        cause: EndCause::Dead,
    });
    assert_eq!(
        h.outcome(),
        Some(ParkOutcome::Released),
        "one attempt, no fallback"
    );
}

#[test]
fn stray_events_are_ignored() {
    let mut h = Harness::standard();
    h.parked("c1", "alice");
    let before = (h.engine.calls(), h.engine.parked());
    let strays = vec![
        SwitchEvent::Answered {
            call: cid("zz"),
            leg: LegId::Line,
        },
        SwitchEvent::Ringing {
            call: cid("zz"),
            leg: LegId::Ring(IntentId(999)),
        },
        SwitchEvent::Failed {
            id: IntentId(999),
            leg: LegId::Ring(IntentId(999)),
            cause: FailCause::Busy,
        },
        SwitchEvent::Ended {
            call: cid("zz"),
            leg: LegId::Caller,
            cause: EndCause::Hangup,
        },
        SwitchEvent::Ended {
            call: cid("c1"),
            leg: LegId::Ring(IntentId(999)),
            cause: EndCause::Dead,
        },
        SwitchEvent::Dtmf {
            call: cid("zz"),
            digit: '1',
        },
        SwitchEvent::Held {
            call: cid("zz"),
            leg: LegId::Line,
        },
        SwitchEvent::Unheld {
            call: cid("c1"),
            leg: LegId::Line,
        },
        SwitchEvent::TransferRequested {
            call: cid("zz"),
            by: "x".into(),
            target: "700".into(),
            replaces: None,
        },
        SwitchEvent::Offered {
            call: cid("c1"),
            from: Party::default(),
            to: "bob".into(),
            line: "bob".into(),
        },
    ];
    for event in strays {
        h.switch(event.clone());
        assert!(h.events.is_empty() && h.intents.is_empty(), "{event:?}");
    }
    assert_eq!((h.engine.calls(), h.engine.parked()), before);
}

#[test]
fn a_ring_answer_crossing_a_cancel_is_hung_up() {
    let mut h = Harness::standard();
    let code = h.parked("c1", "alice");
    h.advance(300);
    let (ringback, call, _) = h.ring();
    h.retrieve(&desk(), &code, None).unwrap();
    // The parker's phone answered before the cancel arrived.
    h.answer_ring(&call, ringback);
    assert_eq!(h.cancels()[0].0.leg, LegId::Ring(ringback));
    assert!(h.events.is_empty());
    assert!(h.parked_on(&code).is_some(), "the retrieve carries on");
}

#[test]
fn the_call_line_moves_when_it_is_connected_elsewhere() {
    let mut h = Harness::standard();
    let code = h.parked("c1", "alice");
    assert_eq!(h.call("c1").unwrap().line, "alice");
    dial(&mut h, "d1", "bob", &code);
    let Subject::Call(call) = &h.event(EventName::CallAnswered).subject else {
        panic!()
    };
    assert_eq!(call.line, "bob");
}
