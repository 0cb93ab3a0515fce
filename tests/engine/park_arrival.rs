//! A call that arrives at the park extension parks itself (a PBX transferred it there), and
//! a dialled park or retrieve that is refused says why, so SIP can answer 404/403/486/480.

use crate::support::engine::*;
use parkdesk::engine::events::{EventName, Subject};
use parkdesk::engine::switch::{Intent, LegId, Party, Refusal, SwitchEvent};
use parkdesk::engine::{ParkPolicy, UNIDENTIFIED_PARKER};

fn caller() -> Party {
    Party {
        number: "+15550100".into(),
        name: "Grace Hopper".into(),
    }
}

fn arrive(h: &mut Harness, call: &str, parker: Option<&str>, code: Option<&str>) {
    h.switch(SwitchEvent::ParkArrived {
        call: cid(call),
        from: caller(),
        parker: parker.map(String::from),
        policy: Some("pbx".into()),
        code: code.map(String::from),
    });
}

fn refusals(h: &Harness) -> Vec<Option<Refusal>> {
    h.intents
        .iter()
        .filter_map(|intent| match intent {
            Intent::Release { refusal, .. } => Some(*refusal),
            _ => None,
        })
        .collect()
}

/// The standard directory plus a `pbx` policy for unidentified parkers, falling back to
/// the reception.
fn with_pbx_policy() -> Harness {
    let mut setup = standard_setup();
    setup.policies.push(ParkPolicy {
        on_timeout: Some("reception".into()),
        ringback_attempts: 2,
        ..allowing("pbx", "main")
    });
    Harness::with(setup)
}

#[test]
fn a_call_sent_to_the_park_extension_by_a_known_user_parks_under_that_users_policy() {
    let mut h = with_pbx_policy();
    arrive(&mut h, "s-1", Some("erin"), None);
    let parked = h.parked_on("*100").expect("parked in erin's star range");
    assert_eq!(parked.parked_by, "erin");
    assert_eq!(parked.caller, caller());
    assert_eq!(h.holds().len(), 1, "the call is answered into the park");
    assert!(h.names().contains(&"park.started"));
}

#[test]
fn an_unidentified_park_uses_the_named_policy_and_is_never_rung_back() {
    let mut h = with_pbx_policy();
    arrive(&mut h, "s-1", None, None);
    let parked = h.parked_on("701").expect("parked under the pbx policy");
    assert_eq!(parked.parked_by, UNIDENTIFIED_PARKER);
    h.advance(300);
    assert!(h.names().contains(&"park.timeout"));
    assert!(
        !h.names().contains(&"park.ringback"),
        "nobody to ring back: {:?}",
        h.names()
    );
    assert!(h.names().contains(&"park.fallback"));
    let (_, _, target) = h.ring();
    assert_eq!(target, "reception");
}

#[test]
fn a_directed_park_into_a_taken_code_is_turned_away_busy_and_the_parked_call_stays() {
    let mut h = with_pbx_policy();
    arrive(&mut h, "s-1", None, Some("705"));
    assert!(h.parked_on("705").is_some());
    arrive(&mut h, "s-2", None, Some("705"));
    assert_eq!(refusals(&h), vec![Some(Refusal::Busy)]);
    assert!(h.holds().is_empty(), "the second call is not answered");
    assert_eq!(h.parked_on("705").expect("still parked").call, cid("s-1"));
    assert!(
        h.call("s-2").is_none(),
        "a refused arrival leaves no call behind"
    );
}

#[test]
fn an_unidentified_park_without_a_policy_is_forbidden() {
    let mut h = Harness::standard();
    arrive(&mut h, "s-1", None, None);
    assert_eq!(refusals(&h), vec![Some(Refusal::Forbidden)]);
    assert!(h.engine.parked().is_empty());
}

#[test]
fn a_full_range_turns_the_arrival_away_as_unavailable() {
    let mut setup = standard_setup();
    setup.ranges[0] = park_range("main", "701", "701");
    setup.policies.push(allowing("pbx", "main"));
    let mut h = Harness::with(setup);
    arrive(&mut h, "s-1", None, None);
    arrive(&mut h, "s-2", None, None);
    assert_eq!(refusals(&h), vec![Some(Refusal::Unavailable)]);
}

#[test]
fn dialling_an_empty_code_is_not_found_and_a_code_outside_the_retrieve_ranges_is_forbidden() {
    let mut h = with_pbx_policy();
    h.switch(SwitchEvent::Dialed {
        call: cid("d-1"),
        caller: "alice".into(),
        number: "705".into(),
    });
    assert_eq!(refusals(&h), vec![Some(Refusal::NotFound)]);

    arrive(&mut h, "s-1", Some("erin"), None);
    h.switch(SwitchEvent::Dialed {
        call: cid("d-2"),
        caller: "alice".into(),
        number: "*100".into(),
    });
    assert_eq!(refusals(&h), vec![Some(Refusal::Forbidden)]);
    assert!(h.parked_on("*100").is_some(), "the refusal changed nothing");

    h.switch(SwitchEvent::Dialed {
        call: cid("d-3"),
        caller: "erin".into(),
        number: "*100".into(),
    });
    assert!(refusals(&h).is_empty());
    let bridged = h.bridges();
    assert_eq!(bridged.len(), 1);
    assert_eq!(bridged[0].0.leg, LegId::Caller);
    let Subject::Parked(ended) = &h.event(EventName::ParkEnded).subject else {
        panic!("park.ended concerns the parked call")
    };
    assert_eq!(ended.code, "*100");
}

#[test]
fn a_transfer_to_a_free_code_parks_into_it_and_to_an_occupied_code_changes_nothing() {
    let mut h = with_pbx_policy();
    arrive(&mut h, "s-1", None, Some("705"));
    h.offer("c-2", "alice");
    h.answer_line("c-2");
    h.switch(SwitchEvent::TransferRequested {
        call: cid("c-2"),
        by: "alice".into(),
        target: "706".into(),
        replaces: None,
    });
    assert_eq!(
        h.parked_on("706").expect("parked into the free code").call,
        cid("c-2")
    );
    h.offer("c-3", "bob");
    h.answer_line("c-3");
    h.switch(SwitchEvent::TransferRequested {
        call: cid("c-3"),
        by: "bob".into(),
        target: "705".into(),
        replaces: None,
    });
    assert!(h.holds().is_empty(), "the occupied code takes nothing");
    assert_eq!(h.parked_on("705").expect("still there").call, cid("s-1"));
    assert!(h.call("c-3").is_some(), "bob keeps his call");
}
