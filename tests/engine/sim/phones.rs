//! Simulated phones: each behaviour produces the right call events at the right virtual
//! times, including the answer that crosses a cancel.

use parkdesk::engine::Instant;
use parkdesk::engine::clock::secs;
use parkdesk::engine::directory::Group;
use parkdesk::engine::switch::{
    CallId, FailCause, Intent, IntentId, LegId, LegRef, Party, SwitchEvent,
};
use parkdesk::sim::{Behaviour, LegState, SimSwitch};

fn at(seconds: u64) -> Instant {
    Instant(seconds * 1000)
}

fn caller() -> Party {
    Party {
        number: "+442079460123".into(),
        name: "Ada Lovelace".into(),
    }
}

fn ring(id: u64, call: &CallId, target: &str) -> Intent {
    Intent::Ring {
        id: IntentId(id),
        call: call.clone(),
        target: target.into(),
        display: "Park 705: Ada Lovelace".into(),
        caller_id: caller(),
        alert_info: None,
    }
}

fn cancel(id: u64, call: &CallId, leg: LegId) -> Intent {
    Intent::Cancel {
        id: IntentId(id),
        leg: LegRef {
            call: call.clone(),
            leg,
        },
        reason: "Call completed elsewhere".into(),
    }
}

/// A switch with one call offered to reception at t=0, its offer events drained.
fn switch_with_call() -> (SimSwitch, CallId) {
    let mut switch = SimSwitch::new();
    let call = switch
        .offer(at(0), caller(), "reception")
        .expect("an offer to reception");
    switch.drain_events();
    (switch, call)
}

#[test]
fn an_offered_call_emits_offered_then_ringing_for_its_line() {
    let mut switch = SimSwitch::new();
    let call = switch.offer(at(0), caller(), "reception").unwrap();
    assert_eq!(call, CallId("c-1".into()));
    assert_eq!(
        switch.drain_events(),
        vec![
            SwitchEvent::Offered {
                call: call.clone(),
                from: caller(),
                to: "reception".into(),
                line: "reception".into(),
            },
            SwitchEvent::Ringing {
                call: call.clone(),
                leg: LegId::Line
            },
        ]
    );
    assert_eq!(
        switch.leg_state(&call, LegId::Caller),
        Some(LegState::Calling)
    );
    assert_eq!(
        switch.leg_state(&call, LegId::Line),
        Some(LegState::Ringing)
    );
    assert_eq!(
        switch.ringing_legs(),
        vec![LegRef {
            call,
            leg: LegId::Line
        }]
    );
}

#[test]
fn offered_calls_are_not_answered_by_the_line_on_its_own_by_default() {
    let (mut switch, call) = switch_with_call();
    assert_eq!(switch.poll_timeout(), None);
    assert!(switch.advance_to(at(3600)).is_empty());
    assert_eq!(
        switch.leg_state(&call, LegId::Line),
        Some(LegState::Ringing)
    );
}

#[test]
fn a_line_set_to_answer_offered_calls_answers_and_connects_its_caller() {
    let mut switch = SimSwitch::new();
    switch.set_behaviour("ben", Behaviour::Answer { after: secs(4) });
    switch.set_answer_offered("ben", true);
    let call = switch.offer(at(10), caller(), "ben").unwrap();
    let events = switch.advance_to(at(60));
    assert_eq!(
        events.last(),
        Some(&(
            at(14),
            SwitchEvent::Answered {
                call: call.clone(),
                leg: LegId::Line
            }
        ))
    );
    assert_eq!(events.len(), 3, "offered, ringing, answered: {events:?}");
    let line = LegRef {
        call: call.clone(),
        leg: LegId::Line,
    };
    let caller_leg = LegRef {
        call: call.clone(),
        leg: LegId::Caller,
    };
    assert_eq!(
        switch.leg_state(&call, LegId::Caller),
        Some(LegState::Connected)
    );
    assert_eq!(switch.peer_of(&caller_leg), Some(line.clone()));
    assert_eq!(switch.peer_of(&line), Some(caller_leg));
}

#[test]
fn an_answering_phone_rings_at_once_and_answers_after_its_delay() {
    let (mut switch, call) = switch_with_call();
    switch.set_behaviour("ben", Behaviour::Answer { after: secs(3) });
    switch.handle_intent(at(5), ring(7, &call, "ben"));
    assert_eq!(
        switch.drain_events(),
        vec![SwitchEvent::Ringing {
            call: call.clone(),
            leg: LegId::Ring(IntentId(7))
        }]
    );
    assert_eq!(switch.poll_timeout(), Some(at(8)));
    switch.handle_timeout(Instant(7999));
    assert_eq!(switch.poll_event(), None, "nothing before the delay");
    switch.handle_timeout(at(8));
    assert_eq!(
        switch.drain_events(),
        vec![SwitchEvent::Answered {
            call: call.clone(),
            leg: LegId::Ring(IntentId(7))
        }]
    );
    let leg = switch
        .leg(&LegRef {
            call,
            leg: LegId::Ring(IntentId(7)),
        })
        .unwrap();
    assert_eq!(leg.state(), LegState::Connected);
    assert_eq!(leg.phone(), Some("ben"));
    assert_eq!(leg.display(), "Park 705: Ada Lovelace");
    assert_eq!(
        leg.peer(),
        None,
        "an engine-made leg talks only once bridged"
    );
}

#[test]
fn a_busy_phone_fails_busy_at_once_without_ringing() {
    let (mut switch, call) = switch_with_call();
    switch.set_behaviour("ben", Behaviour::Busy);
    switch.handle_intent(at(5), ring(3, &call, "ben"));
    assert_eq!(
        switch.drain_events(),
        vec![SwitchEvent::Failed {
            id: IntentId(3),
            leg: LegId::Ring(IntentId(3)),
            cause: FailCause::Busy
        }]
    );
    assert!(
        switch
            .call(&call)
            .unwrap()
            .leg(LegId::Ring(IntentId(3)))
            .is_none()
    );
    assert_eq!(switch.poll_timeout(), None);
}

#[test]
fn an_unreachable_phone_fails_unreachable_at_once_without_ringing() {
    let (mut switch, call) = switch_with_call();
    switch.set_behaviour("ben", Behaviour::Unreachable);
    switch.handle_intent(at(5), ring(3, &call, "ben"));
    assert_eq!(
        switch.drain_events(),
        vec![SwitchEvent::Failed {
            id: IntentId(3),
            leg: LegId::Ring(IntentId(3)),
            cause: FailCause::Unreachable
        }]
    );
}

#[test]
fn a_declining_phone_rings_then_fails_declined_after_its_delay() {
    let (mut switch, call) = switch_with_call();
    switch.set_behaviour("ben", Behaviour::Decline { after: secs(6) });
    switch.handle_intent(at(5), ring(4, &call, "ben"));
    let events = switch.advance_to(at(100));
    assert_eq!(
        events,
        vec![
            (
                at(5),
                SwitchEvent::Ringing {
                    call: call.clone(),
                    leg: LegId::Ring(IntentId(4))
                }
            ),
            (
                at(11),
                SwitchEvent::Failed {
                    id: IntentId(4),
                    leg: LegId::Ring(IntentId(4)),
                    cause: FailCause::Declined
                }
            ),
        ]
    );
    assert!(
        switch
            .call(&call)
            .unwrap()
            .leg(LegId::Ring(IntentId(4)))
            .is_none()
    );
}

#[test]
fn a_phone_that_never_answers_rings_until_the_engine_cancels_it() {
    let (mut switch, call) = switch_with_call();
    switch.set_behaviour("ben", Behaviour::NoAnswer);
    switch.handle_intent(at(5), ring(4, &call, "ben"));
    let events = switch.advance_to(at(3600));
    assert_eq!(events.len(), 1, "only the ringing: {events:?}");
    assert_eq!(
        switch.leg_state(&call, LegId::Ring(IntentId(4))),
        Some(LegState::Ringing)
    );
    switch.handle_intent(at(3600), cancel(5, &call, LegId::Ring(IntentId(4))));
    assert_eq!(switch.poll_event(), None, "a cancel is not reported back");
    assert_eq!(switch.leg_state(&call, LegId::Ring(IntentId(4))), None);
}

#[test]
fn a_cancelled_ring_never_answers_later() {
    let (mut switch, call) = switch_with_call();
    switch.set_behaviour("ben", Behaviour::Answer { after: secs(5) });
    switch.handle_intent(at(0), ring(4, &call, "ben"));
    switch.drain_events();
    switch.handle_intent(at(2), cancel(5, &call, LegId::Ring(IntentId(4))));
    assert_eq!(switch.poll_timeout(), None, "the planned answer is dropped");
    assert!(switch.advance_to(at(60)).is_empty());
}

#[test]
fn the_race_phone_answers_across_the_engines_cancel() {
    let (mut switch, call) = switch_with_call();
    switch.set_behaviour(
        "reception",
        Behaviour::AnswerCrossingCancel { after: secs(60) },
    );
    switch.handle_intent(at(0), ring(9, &call, "reception"));
    switch.drain_events();
    let leg = LegId::Ring(IntentId(9));
    switch.handle_intent(at(20), cancel(10, &call, leg));
    assert_eq!(
        switch.drain_events(),
        vec![SwitchEvent::Answered {
            call: call.clone(),
            leg
        }],
        "the answer crossed the cancel and arrives right after it"
    );
    assert_eq!(switch.leg_state(&call, leg), Some(LegState::Connected));
    assert_eq!(switch.poll_timeout(), None, "and it does not answer twice");
    // The engine copes by hanging the late leg up: that ends it quietly.
    switch.handle_intent(at(20), cancel(11, &call, leg));
    assert_eq!(switch.poll_event(), None);
    assert_eq!(switch.leg_state(&call, leg), None);
}

#[test]
fn the_race_phone_answers_on_its_own_when_nobody_cancels() {
    let (mut switch, call) = switch_with_call();
    switch.set_behaviour(
        "reception",
        Behaviour::AnswerCrossingCancel { after: secs(2) },
    );
    switch.handle_intent(at(0), ring(9, &call, "reception"));
    let events = switch.advance_to(at(10));
    assert_eq!(
        events.last(),
        Some(&(
            at(2),
            SwitchEvent::Answered {
                call,
                leg: LegId::Ring(IntentId(9))
            }
        ))
    );
}

#[test]
fn a_line_whose_phone_races_answers_across_a_cancel_without_taking_the_caller() {
    let mut switch = SimSwitch::new();
    switch.set_behaviour("amara", Behaviour::AnswerCrossingCancel { after: secs(30) });
    switch.set_answer_offered("amara", true);
    let call = switch.offer(at(0), caller(), "amara").unwrap();
    switch.drain_events();
    // A colleague picked the call up: the engine cancels the line, whose answer crosses.
    switch.handle_intent(at(8), cancel(1, &call, LegId::Line));
    assert_eq!(
        switch.drain_events(),
        vec![SwitchEvent::Answered {
            call: call.clone(),
            leg: LegId::Line
        }]
    );
    assert_eq!(
        switch.leg_state(&call, LegId::Caller),
        Some(LegState::Calling)
    );
    assert_eq!(
        switch.peer_of(&LegRef {
            call,
            leg: LegId::Line
        }),
        None
    );
}

#[test]
fn the_default_behaviour_applies_to_every_phone_without_its_own() {
    let (mut switch, call) = switch_with_call();
    assert_eq!(
        switch.default_behaviour(),
        Behaviour::Answer { after: secs(2) }
    );
    switch.set_default_behaviour(Behaviour::Busy);
    switch.set_behaviour("ben", Behaviour::NoAnswer);
    assert_eq!(switch.behaviour("+15555550100"), Behaviour::Busy);
    switch.handle_intent(at(1), ring(1, &call, "+15555550100"));
    switch.handle_intent(at(1), ring(2, &call, "ben"));
    let events = switch.drain_events();
    assert!(matches!(
        events[0],
        SwitchEvent::Failed {
            cause: FailCause::Busy,
            ..
        }
    ));
    assert!(matches!(events[1], SwitchEvent::Ringing { .. }));
    switch.clear_behaviour("ben");
    assert_eq!(switch.behaviour("ben"), Behaviour::Busy);
}

#[test]
fn a_behaviour_change_affects_new_rings_only() {
    let (mut switch, call) = switch_with_call();
    switch.set_behaviour("ben", Behaviour::Answer { after: secs(5) });
    switch.handle_intent(at(0), ring(1, &call, "ben"));
    switch.set_behaviour("ben", Behaviour::NoAnswer);
    let events = switch.advance_to(at(10));
    assert_eq!(
        events.last(),
        Some(&(
            at(5),
            SwitchEvent::Answered {
                call,
                leg: LegId::Ring(IntentId(1))
            }
        ))
    );
}

#[test]
fn a_ring_at_a_group_rings_its_first_member_by_id_or_number() {
    let mut switch = SimSwitch::new();
    switch.set_groups(&[
        Group {
            id: "sales".into(),
            members: vec!["amara".into(), "ben".into()],
            number: Some("880".into()),
            ..Group::default()
        },
        Group {
            id: "empty".into(),
            ..Group::default()
        },
    ]);
    let call = switch.offer(at(0), caller(), "reception").unwrap();
    switch.drain_events();
    switch.handle_intent(at(1), ring(1, &call, "sales"));
    switch.handle_intent(at(1), ring(2, &call, "880"));
    switch.handle_intent(at(1), ring(3, &call, "empty"));
    let legs = switch.call(&call).unwrap().legs();
    let phones: Vec<_> = legs.iter().filter_map(|leg| leg.phone()).collect();
    assert_eq!(phones, vec!["reception", "amara", "amara"]);
    let events = switch.drain_events();
    assert_eq!(
        events[2],
        SwitchEvent::Failed {
            id: IntentId(3),
            leg: LegId::Ring(IntentId(3)),
            cause: FailCause::Unreachable
        }
    );
}

#[test]
fn call_ids_count_up_from_c_1_across_offers_and_dials() {
    let mut switch = SimSwitch::new();
    let a = switch.offer(at(0), caller(), "reception").unwrap();
    let b = switch.dial(at(0), "ben", "705").unwrap();
    let c = switch.offer(at(0), caller(), "amara").unwrap();
    assert_eq!([a.0, b.0, c.0], ["c-1", "c-2", "c-3"]);
}

#[test]
fn phone_actions_due_at_the_same_instant_happen_in_the_order_they_were_planned() {
    let (mut switch, call) = switch_with_call();
    switch.set_behaviour("ben", Behaviour::Answer { after: secs(4) });
    switch.set_behaviour("amara", Behaviour::Decline { after: secs(2) });
    switch.handle_intent(at(0), ring(1, &call, "ben"));
    switch.handle_intent(at(2), ring(2, &call, "amara"));
    switch.drain_events();
    switch.handle_timeout(at(4));
    let events = switch.drain_events();
    assert_eq!(
        events,
        vec![
            SwitchEvent::Answered {
                call: call.clone(),
                leg: LegId::Ring(IntentId(1))
            },
            SwitchEvent::Failed {
                id: IntentId(2),
                leg: LegId::Ring(IntentId(2)),
                cause: FailCause::Declined
            },
        ]
    );
}
