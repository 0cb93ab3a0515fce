//! The engine's intents carried out on the simulated switch: hold, bridge, cancel, release,
//! play; and intents the switch cannot carry out are ignored, never a panic.

use parkdesk::engine::Instant;
use parkdesk::engine::switch::{
    CallId, Intent, IntentId, LegId, LegRef, Party, Prompt, SwitchEvent,
};
use parkdesk::sim::{Behaviour, LegState, SimSwitch};

fn at(seconds: u64) -> Instant {
    Instant(seconds * 1000)
}

fn caller() -> Party {
    Party {
        number: "+61491570156".into(),
        name: "Keiko Tanaka".into(),
    }
}

fn leg(call: &CallId, leg: LegId) -> LegRef {
    LegRef {
        call: call.clone(),
        leg,
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
fn answer_with_hold_parks_the_caller_and_lets_the_line_go() {
    let (mut switch, call) = switch_with_call();
    switch.handle_intent(
        at(4),
        Intent::AnswerWithHold {
            id: IntentId(1),
            call: call.clone(),
            music: false,
            code: None,
        },
    );
    assert_eq!(switch.poll_event(), None, "bookkeeping only");
    assert_eq!(
        switch.leg_state(&call, LegId::Caller),
        Some(LegState::Parked { music: false })
    );
    assert_eq!(switch.leg_state(&call, LegId::Line), None);
    assert_eq!(switch.parked_legs(), vec![leg(&call, LegId::Caller)]);
    assert!(switch.ringing_legs().is_empty());
}

#[test]
fn answer_with_hold_drops_what_the_line_phone_was_about_to_do() {
    let mut switch = SimSwitch::new();
    switch.set_answer_offered("reception", true);
    let call = switch.offer(at(0), caller(), "reception").unwrap();
    switch.drain_events();
    assert!(switch.poll_timeout().is_some());
    switch.handle_intent(
        at(1),
        Intent::AnswerWithHold {
            id: IntentId(1),
            call: call.clone(),
            music: true,
            code: None,
        },
    );
    assert_eq!(switch.poll_timeout(), None);
    assert!(switch.advance_to(at(10)).is_empty());
}

#[test]
fn a_bridge_connects_a_parked_caller_to_a_phone_that_dialled_its_code() {
    let (mut switch, parked) = switch_with_call();
    switch.handle_intent(
        at(1),
        Intent::AnswerWithHold {
            id: IntentId(1),
            call: parked.clone(),
            music: true,
            code: None,
        },
    );
    let dialling = switch.dial(at(30), "ben", "701").unwrap();
    switch.drain_events();
    switch.handle_intent(
        at(30),
        Intent::Bridge {
            id: IntentId(2),
            a: leg(&parked, LegId::Caller),
            b: leg(&dialling, LegId::Caller),
        },
    );
    assert_eq!(switch.poll_event(), None);
    assert_eq!(
        switch.leg_state(&parked, LegId::Caller),
        Some(LegState::Connected)
    );
    assert_eq!(
        switch.peer_of(&leg(&parked, LegId::Caller)),
        Some(leg(&dialling, LegId::Caller))
    );
    assert_eq!(
        switch.peer_of(&leg(&dialling, LegId::Caller)),
        Some(leg(&parked, LegId::Caller))
    );
}

#[test]
fn a_new_bridge_unhooks_the_old_peer() {
    let (mut switch, call) = switch_with_call();
    switch.answer(at(1), &call, LegId::Line).unwrap();
    switch.set_behaviour(
        "ben",
        Behaviour::Answer {
            after: std::time::Duration::ZERO,
        },
    );
    switch.handle_intent(
        at(2),
        Intent::Ring {
            id: IntentId(5),
            call: call.clone(),
            target: "ben".into(),
            display: String::new(),
            caller_id: caller(),
            alert_info: None,
        },
    );
    switch.handle_timeout(at(2));
    switch.handle_intent(
        at(3),
        Intent::Bridge {
            id: IntentId(6),
            a: leg(&call, LegId::Caller),
            b: leg(&call, LegId::Ring(IntentId(5))),
        },
    );
    assert_eq!(switch.peer_of(&leg(&call, LegId::Line)), None);
    assert_eq!(
        switch.peer_of(&leg(&call, LegId::Caller)),
        Some(leg(&call, LegId::Ring(IntentId(5))))
    );
}

#[test]
fn a_bridge_to_a_phone_still_ringing_is_ignored() {
    let (mut switch, call) = switch_with_call();
    let dialling = switch.dial(at(1), "ben", "880").unwrap();
    switch.handle_intent(
        at(2),
        Intent::Bridge {
            id: IntentId(1),
            a: leg(&call, LegId::Line),
            b: leg(&dialling, LegId::Caller),
        },
    );
    assert_eq!(
        switch.leg_state(&call, LegId::Line),
        Some(LegState::Ringing)
    );
    assert_eq!(switch.peer_of(&leg(&dialling, LegId::Caller)), None);
}

#[test]
fn a_pickup_bridges_the_waiting_caller_to_the_picker_once_the_line_is_cancelled() {
    let mut switch = SimSwitch::new();
    let call = switch.offer(at(0), caller(), "amara").unwrap();
    let picker = switch.dial(at(5), "ben", "880").unwrap();
    switch.drain_events();
    switch.handle_intent(
        at(5),
        Intent::Cancel {
            id: IntentId(1),
            leg: leg(&call, LegId::Line),
            reason: "Call completed elsewhere".into(),
        },
    );
    switch.handle_intent(
        at(5),
        Intent::Bridge {
            id: IntentId(2),
            a: leg(&call, LegId::Caller),
            b: leg(&picker, LegId::Caller),
        },
    );
    assert_eq!(switch.poll_event(), None);
    assert_eq!(
        switch.leg_state(&call, LegId::Caller),
        Some(LegState::Connected)
    );
    assert_eq!(switch.leg_state(&call, LegId::Line), None);
}

#[test]
fn cancelling_an_answered_leg_hangs_it_up_quietly_and_unhooks_its_peer() {
    let (mut switch, call) = switch_with_call();
    switch.answer(at(1), &call, LegId::Line).unwrap();
    switch.drain_events();
    switch.handle_intent(
        at(2),
        Intent::Cancel {
            id: IntentId(1),
            leg: leg(&call, LegId::Line),
            reason: String::new(),
        },
    );
    assert_eq!(switch.poll_event(), None);
    assert_eq!(switch.leg_state(&call, LegId::Line), None);
    assert_eq!(switch.peer_of(&leg(&call, LegId::Caller)), None);
    assert_eq!(
        switch.leg_state(&call, LegId::Caller),
        Some(LegState::Connected),
        "the caller's side is the engine's to end"
    );
}

#[test]
fn a_release_ends_the_whole_call_quietly_and_remembers_its_prompt() {
    let (mut switch, call) = switch_with_call();
    switch.set_behaviour("ben", Behaviour::NoAnswer);
    switch.handle_intent(
        at(1),
        Intent::Ring {
            id: IntentId(1),
            call: call.clone(),
            target: "ben".into(),
            display: String::new(),
            caller_id: caller(),
            alert_info: None,
        },
    );
    switch.drain_events();
    switch.handle_intent(
        at(2),
        Intent::Release {
            id: IntentId(2),
            call: call.clone(),
            prompt: Some(Prompt::Goodbye),
            refusal: None,
        },
    );
    assert_eq!(switch.poll_event(), None);
    assert!(switch.call(&call).is_none());
    assert!(switch.ringing_legs().is_empty());
    assert_eq!(
        switch.released().collect::<Vec<_>>(),
        vec![(&call, Some(&Prompt::Goodbye))]
    );
}

#[test]
fn a_release_unhooks_legs_of_other_calls_bridged_to_it() {
    let (mut switch, parked) = switch_with_call();
    let dialling = switch.dial(at(1), "ben", "701").unwrap();
    switch.handle_intent(
        at(1),
        Intent::Bridge {
            id: IntentId(1),
            a: leg(&parked, LegId::Caller),
            b: leg(&dialling, LegId::Caller),
        },
    );
    switch.handle_intent(
        at(9),
        Intent::Release {
            id: IntentId(2),
            call: parked,
            prompt: None,
            refusal: None,
        },
    );
    assert_eq!(switch.peer_of(&leg(&dialling, LegId::Caller)), None);
    assert_eq!(
        switch.leg_state(&dialling, LegId::Caller),
        Some(LegState::Connected)
    );
}

#[test]
fn play_records_the_prompt_on_the_call() {
    let (mut switch, call) = switch_with_call();
    let prompt = Prompt::ParkedOn { code: "705".into() };
    switch.handle_intent(
        at(1),
        Intent::Play {
            id: IntentId(1),
            call: call.clone(),
            prompt: prompt.clone(),
        },
    );
    assert_eq!(switch.call(&call).unwrap().prompts(), &[prompt]);
    assert_eq!(switch.poll_event(), None);
}

#[test]
fn intents_for_unknown_calls_or_legs_are_ignored() {
    let (mut switch, call) = switch_with_call();
    let ghost = CallId("c-404".into());
    let intents = vec![
        Intent::Ring {
            id: IntentId(1),
            call: ghost.clone(),
            target: "ben".into(),
            display: String::new(),
            caller_id: caller(),
            alert_info: None,
        },
        Intent::AnswerWithHold {
            id: IntentId(2),
            call: ghost.clone(),
            music: true,
            code: None,
        },
        Intent::Bridge {
            id: IntentId(3),
            a: leg(&ghost, LegId::Caller),
            b: leg(&call, LegId::Caller),
        },
        Intent::Bridge {
            id: IntentId(4),
            a: leg(&call, LegId::Caller),
            b: leg(&call, LegId::Caller),
        },
        Intent::Bridge {
            id: IntentId(5),
            a: leg(&call, LegId::Caller),
            b: leg(&call, LegId::Ring(IntentId(77))),
        },
        Intent::Cancel {
            id: IntentId(6),
            leg: leg(&call, LegId::Ring(IntentId(9))),
            reason: String::new(),
        },
        Intent::Cancel {
            id: IntentId(7),
            leg: leg(&ghost, LegId::Line),
            reason: String::new(),
        },
        Intent::Release {
            id: IntentId(8),
            call: ghost.clone(),
            prompt: Some(Prompt::Goodbye),
            refusal: None,
        },
        Intent::Play {
            id: IntentId(9),
            call: ghost.clone(),
            prompt: Prompt::Goodbye,
        },
    ];
    let before = switch.call(&call).cloned();
    for intent in intents {
        switch.handle_intent(at(1), intent);
    }
    assert_eq!(switch.poll_event(), None);
    assert_eq!(
        switch.call(&call).cloned(),
        before,
        "the real call is untouched"
    );
    assert_eq!(switch.active_calls(), vec![call]);
    assert_eq!(switch.released().count(), 0);
}

#[test]
fn a_second_ring_with_an_intent_id_in_use_is_ignored() {
    let (mut switch, call) = switch_with_call();
    switch.set_behaviour("ben", Behaviour::NoAnswer);
    let ring = Intent::Ring {
        id: IntentId(1),
        call: call.clone(),
        target: "ben".into(),
        display: String::new(),
        caller_id: caller(),
        alert_info: None,
    };
    switch.handle_intent(at(1), ring.clone());
    switch.handle_intent(at(2), ring);
    assert_eq!(
        switch.drain_events(),
        vec![SwitchEvent::Ringing {
            call: call.clone(),
            leg: LegId::Ring(IntentId(1))
        }]
    );
    assert_eq!(switch.call(&call).unwrap().legs().len(), 3);
}
