//! What people do on the simulated switch: hang up, die, dial, press digits, hold,
//! transfer, answer. Each emits its call event; bad input is a typed error that changes
//! nothing.

use parkdesk::engine::Instant;
use parkdesk::engine::switch::{
    CallId, EndCause, Intent, IntentId, LegId, LegRef, Party, SwitchEvent,
};
use parkdesk::sim::{Behaviour, LegState, Origin, SimError, SimSwitch};

fn at(seconds: u64) -> Instant {
    Instant(seconds * 1000)
}

fn caller() -> Party {
    Party {
        number: "+12025550143".into(),
        name: "Grace Hopper".into(),
    }
}

fn switch_with_call() -> (SimSwitch, CallId) {
    let mut switch = SimSwitch::new();
    let call = switch
        .offer(at(0), caller(), "reception")
        .expect("an offer to reception");
    switch.drain_events();
    (switch, call)
}

#[test]
fn a_caller_hanging_up_emits_ended_hangup_and_stops_its_line_ringing() {
    let (mut switch, call) = switch_with_call();
    switch.hangup(at(9), &call, LegId::Caller).unwrap();
    assert_eq!(
        switch.drain_events(),
        vec![SwitchEvent::Ended {
            call: call.clone(),
            leg: LegId::Caller,
            cause: EndCause::Hangup
        }]
    );
    assert!(
        switch.call(&call).is_none(),
        "the line rang for that caller only"
    );
}

#[test]
fn a_caller_hanging_up_leaves_legs_the_engine_made_to_the_engine() {
    let (mut switch, call) = switch_with_call();
    switch.set_behaviour("ben", Behaviour::NoAnswer);
    switch.handle_intent(
        at(1),
        Intent::Ring {
            id: IntentId(4),
            call: call.clone(),
            target: "ben".into(),
            display: String::new(),
            caller_id: caller(),
            alert_info: None,
        },
    );
    switch.drain_events();
    switch.dead_leg(at(9), &call, LegId::Caller).unwrap();
    assert_eq!(
        switch.drain_events(),
        vec![SwitchEvent::Ended {
            call: call.clone(),
            leg: LegId::Caller,
            cause: EndCause::Dead
        }]
    );
    assert_eq!(switch.leg_state(&call, LegId::Line), None);
    assert_eq!(
        switch.leg_state(&call, LegId::Ring(IntentId(4))),
        Some(LegState::Ringing),
        "the engine decides what happens to its own legs"
    );
}

#[test]
fn a_line_talking_to_someone_else_stays_when_the_caller_goes() {
    let (mut switch, call) = switch_with_call();
    switch.answer(at(1), &call, LegId::Line).unwrap();
    let other = switch.dial(at(2), "ben", "705").unwrap();
    switch.handle_intent(
        at(3),
        Intent::Bridge {
            id: IntentId(1),
            a: LegRef {
                call: call.clone(),
                leg: LegId::Line,
            },
            b: LegRef {
                call: other,
                leg: LegId::Caller,
            },
        },
    );
    switch.hangup(at(4), &call, LegId::Caller).unwrap();
    assert_eq!(
        switch.leg_state(&call, LegId::Line),
        Some(LegState::Connected)
    );
}

#[test]
fn a_dead_line_emits_ended_dead_and_leaves_the_caller_waiting() {
    let (mut switch, call) = switch_with_call();
    switch.dead_leg(at(9), &call, LegId::Line).unwrap();
    assert_eq!(
        switch.drain_events(),
        vec![SwitchEvent::Ended {
            call: call.clone(),
            leg: LegId::Line,
            cause: EndCause::Dead
        }]
    );
    assert_eq!(
        switch.leg_state(&call, LegId::Caller),
        Some(LegState::Calling)
    );
}

#[test]
fn a_call_leaves_the_switch_when_its_last_leg_ends() {
    let (mut switch, call) = switch_with_call();
    switch.hangup(at(1), &call, LegId::Line).unwrap();
    assert!(switch.call(&call).is_some());
    switch.hangup(at(2), &call, LegId::Caller).unwrap();
    assert!(switch.call(&call).is_none());
    assert!(switch.active_calls().is_empty());
}

#[test]
fn hanging_up_a_leg_that_is_not_there_is_refused_and_emits_nothing() {
    let (mut switch, call) = switch_with_call();
    assert_eq!(
        switch.hangup(at(1), &CallId("c-99".into()), LegId::Caller),
        Err(SimError::UnknownCall(CallId("c-99".into())))
    );
    assert_eq!(
        switch.dead_leg(at(1), &call, LegId::Ring(IntentId(4))),
        Err(SimError::UnknownLeg {
            call: call.clone(),
            leg: LegId::Ring(IntentId(4))
        })
    );
    assert_eq!(switch.poll_event(), None);
    assert_eq!(switch.call(&call).unwrap().legs().len(), 2);
}

#[test]
fn a_user_dialling_emits_dialed_with_its_phone_up_on_the_caller_leg() {
    let mut switch = SimSwitch::new();
    let call = switch.dial(at(3), "ben", "705").unwrap();
    assert_eq!(
        switch.drain_events(),
        vec![SwitchEvent::Dialed {
            call: call.clone(),
            caller: "ben".into(),
            number: "705".into()
        }]
    );
    let dialled = switch.call(&call).unwrap();
    assert_eq!(
        dialled.origin(),
        &Origin::Dialed {
            caller: "ben".into(),
            number: "705".into()
        }
    );
    let leg = dialled.leg(LegId::Caller).unwrap();
    assert_eq!(leg.phone(), Some("ben"));
    assert_eq!(leg.state(), LegState::Connected);
}

#[test]
fn dialling_nothing_is_refused_and_creates_no_call() {
    let mut switch = SimSwitch::new();
    assert!(matches!(
        switch.dial(at(0), "ben", "  "),
        Err(SimError::BadArgument {
            field: "number",
            ..
        })
    ));
    assert!(matches!(
        switch.dial(at(0), "", "705"),
        Err(SimError::BadArgument {
            field: "caller",
            ..
        })
    ));
    assert!(matches!(
        switch.offer(at(0), caller(), ""),
        Err(SimError::BadArgument { field: "to", .. })
    ));
    assert!(switch.active_calls().is_empty());
    assert_eq!(switch.poll_event(), None);
    assert_eq!(switch.offer(at(0), caller(), "reception").unwrap().0, "c-1");
}

#[test]
fn a_caller_pressing_a_digit_emits_dtmf() {
    let (mut switch, call) = switch_with_call();
    switch.dtmf(at(4), &call, '#').unwrap();
    switch.dtmf(at(4), &call, '0').unwrap();
    assert_eq!(
        switch.drain_events(),
        vec![
            SwitchEvent::Dtmf {
                call: call.clone(),
                digit: '#'
            },
            SwitchEvent::Dtmf {
                call: call.clone(),
                digit: '0'
            },
        ]
    );
}

#[test]
fn a_digit_no_phone_can_send_is_refused() {
    let (mut switch, call) = switch_with_call();
    assert!(matches!(
        switch.dtmf(at(4), &call, 'x'),
        Err(SimError::BadArgument { field: "digit", .. })
    ));
    assert_eq!(switch.poll_event(), None);
}

#[test]
fn a_connected_party_can_hold_and_unhold() {
    let (mut switch, call) = switch_with_call();
    switch.answer(at(1), &call, LegId::Line).unwrap();
    switch.drain_events();
    switch.hold(at(5), &call, LegId::Line).unwrap();
    assert_eq!(
        switch.held_legs(),
        vec![LegRef {
            call: call.clone(),
            leg: LegId::Line
        }]
    );
    switch.unhold(at(8), &call, LegId::Line).unwrap();
    assert_eq!(
        switch.drain_events(),
        vec![
            SwitchEvent::Held {
                call: call.clone(),
                leg: LegId::Line
            },
            SwitchEvent::Unheld {
                call: call.clone(),
                leg: LegId::Line
            },
        ]
    );
    assert_eq!(
        switch.leg_state(&call, LegId::Line),
        Some(LegState::Connected)
    );
}

#[test]
fn holding_a_ringing_leg_or_unholding_a_connected_one_is_refused() {
    let (mut switch, call) = switch_with_call();
    assert_eq!(
        switch.hold(at(1), &call, LegId::Line),
        Err(SimError::WrongState {
            call: call.clone(),
            leg: LegId::Line,
            actual: "ringing",
            wanted: "connected"
        })
    );
    switch.answer(at(1), &call, LegId::Line).unwrap();
    switch.drain_events();
    assert!(matches!(
        switch.unhold(at(2), &call, LegId::Line),
        Err(SimError::WrongState {
            actual: "connected",
            ..
        })
    ));
    assert_eq!(switch.poll_event(), None);
}

#[test]
fn a_person_answering_a_ringing_line_connects_the_waiting_caller() {
    let (mut switch, call) = switch_with_call();
    switch.answer(at(6), &call, LegId::Line).unwrap();
    assert_eq!(
        switch.drain_events(),
        vec![SwitchEvent::Answered {
            call: call.clone(),
            leg: LegId::Line
        }]
    );
    assert_eq!(
        switch.leg_state(&call, LegId::Caller),
        Some(LegState::Connected)
    );
    assert!(matches!(
        switch.answer(at(7), &call, LegId::Line),
        Err(SimError::WrongState {
            actual: "connected",
            wanted: "ringing",
            ..
        })
    ));
}

#[test]
fn a_user_asking_to_transfer_emits_transfer_requested() {
    let (mut switch, call) = switch_with_call();
    let other = switch.dial(at(1), "ben", "880").unwrap();
    switch.drain_events();
    switch.transfer(at(2), &call, "reception", "700").unwrap();
    switch
        .attended_transfer(at(3), &call, "reception", "ben", &other)
        .unwrap();
    assert_eq!(
        switch.drain_events(),
        vec![
            SwitchEvent::TransferRequested {
                call: call.clone(),
                by: "reception".into(),
                target: "700".into(),
                replaces: None,
            },
            SwitchEvent::TransferRequested {
                call: call.clone(),
                by: "reception".into(),
                target: "ben".into(),
                replaces: Some(other),
            },
        ]
    );
}

#[test]
fn a_transfer_of_an_unknown_call_or_to_nowhere_is_refused() {
    let (mut switch, call) = switch_with_call();
    assert!(matches!(
        switch.transfer(at(2), &call, "reception", ""),
        Err(SimError::BadArgument {
            field: "target",
            ..
        })
    ));
    assert_eq!(
        switch.transfer(at(2), &CallId("c-7".into()), "reception", "700"),
        Err(SimError::UnknownCall(CallId("c-7".into())))
    );
    assert_eq!(
        switch.attended_transfer(at(2), &call, "reception", "ben", &CallId("c-8".into())),
        Err(SimError::UnknownCall(CallId("c-8".into())))
    );
    assert_eq!(switch.poll_event(), None);
}

#[test]
fn a_parked_caller_hanging_up_is_reported_like_any_other() {
    let (mut switch, call) = switch_with_call();
    switch.handle_intent(
        at(3),
        Intent::AnswerWithHold {
            id: IntentId(1),
            call: call.clone(),
            music: true,
            code: None,
        },
    );
    switch.hangup(at(40), &call, LegId::Caller).unwrap();
    assert_eq!(
        switch.drain_events(),
        vec![SwitchEvent::Ended {
            call: call.clone(),
            leg: LegId::Caller,
            cause: EndCause::Hangup
        }]
    );
    assert!(
        switch.call(&call).is_none(),
        "the parked caller was the last leg"
    );
}
