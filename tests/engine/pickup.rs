//! Group call pickup: lists, atomic commits, and races both ways.
#![allow(clippy::unwrap_used)] // test code: an unwrap states what must hold

use crate::support::engine::*;
use parkdesk::engine::command::PickupArgs;
use parkdesk::engine::objects::CallState;
use parkdesk::engine::switch::{FailCause, LegId};
use parkdesk::engine::*;

fn pickup(
    h: &mut Harness,
    who: &Actor,
    group: &str,
    call: Option<&str>,
) -> Result<CommandOk, EngineError> {
    let args = PickupArgs {
        group: group.into(),
        call: call.map(cid),
    };
    h.cmd(who, Command::Pickup(args))
}

fn ringing_in(h: &Harness, group: &str) -> Vec<String> {
    let view = h
        .engine
        .pickup_groups()
        .into_iter()
        .find(|g| g.group == group)
        .unwrap();
    view.ringing.into_iter().map(|c| c.call.0).collect()
}

#[test]
fn a_call_offered_to_a_member_rings_in_the_group() {
    let mut h = Harness::standard();
    h.offer("c1", "alice");
    assert_eq!(h.names(), ["call.offered", "pickup.ringing"]);
    let Subject::Group(group) = &h.event(EventName::PickupRinging).subject else {
        panic!()
    };
    assert_eq!(
        (group.group.as_str(), group.number.as_str()),
        ("sales", "881")
    );
    assert_eq!(group.ringing[0].call, cid("c1"));
    assert_eq!(ringing_in(&h, "sales"), ["c1"]);
    assert!(ringing_in(&h, "support").is_empty());
}

#[test]
fn an_answered_call_leaves_the_group() {
    let mut h = Harness::standard();
    h.offer("c1", "alice");
    h.answer_line("c1");
    assert_eq!(h.names(), ["pickup.ringing", "call.answered"]);
    assert!(ringing_in(&h, "sales").is_empty());
}

#[test]
fn pickup_takes_the_longest_ringing_call_atomically() {
    let mut h = Harness::standard();
    h.offer("c1", "alice");
    h.advance(3);
    h.offer("c2", "alice");
    let ok = pickup(&mut h, &user("bob"), "881", None).unwrap();
    assert_eq!(ok, CommandOk::Call { call: cid("c1") });
    assert_eq!(ringing_in(&h, "sales"), ["c2"], "off the list at once");
    let (leg, reason) = h.cancels()[0].clone();
    assert_eq!((leg.call, leg.leg), (cid("c1"), LegId::Line));
    assert_eq!(reason, "Call completed elsewhere");
    let (id, call, target) = h.ring();
    assert_eq!(target, "bob");
    let picked = h.event(EventName::PickupPicked);
    assert_eq!(picked.detail.by.as_deref(), Some("bob"));
    assert_eq!(picked.detail.for_user.as_deref(), Some("alice"));
    assert_eq!(picked.detail.call, Some(cid("c1")));
    h.answer_ring(&call, id);
    let (a, b) = h.bridges()[0].clone();
    assert_eq!((a.leg, b.leg), (LegId::Caller, LegId::Ring(id)));
    let c1 = h.call("c1").unwrap();
    assert_eq!((c1.state, c1.line.as_str()), (CallState::Connected, "bob"));
}

#[test]
fn a_named_call_is_picked_up_by_group_id() {
    let mut h = Harness::standard();
    h.offer("c1", "alice");
    h.offer("c2", "bob");
    pickup(&mut h, &user("alice"), "sales", Some("c2")).unwrap();
    assert_eq!(ringing_in(&h, "sales"), ["c1"]);
}

#[test]
fn a_named_call_not_ringing_in_the_group_is_not_found_and_told() {
    let mut h = Harness::standard();
    h.offer("c1", "carol");
    let err = pickup(&mut h, &user("bob"), "sales", Some("c1")).unwrap_err();
    assert_eq!(err.code(), "not_found");
    let failed = h.event(EventName::PickupFailed);
    assert_eq!(failed.detail.by.as_deref(), Some("bob"));
    assert_eq!(ringing_in(&h, "support"), ["c1"], "nothing changed");
}

#[test]
fn nothing_ringing_is_not_found_and_told() {
    let mut h = Harness::standard();
    let err = pickup(&mut h, &user("bob"), "sales", None).unwrap_err();
    assert_eq!(err.code(), "not_found");
    assert_eq!(h.names(), ["pickup.failed"]);
    let err = pickup(&mut h, &user("bob"), "nogroup", None).unwrap_err();
    assert_eq!(err.code(), "not_found");
}

#[test]
fn only_members_pick_up_in_a_members_group_but_anyone_in_an_anyone_group() {
    let mut h = Harness::standard();
    h.offer("c1", "alice");
    h.offer("c2", "carol");
    let before = h.engine.pickup_groups();
    assert_eq!(
        pickup(&mut h, &user("carol"), "sales", None)
            .unwrap_err()
            .code(),
        "forbidden"
    );
    assert_eq!(h.engine.pickup_groups(), before);
    pickup(&mut h, &user("alice"), "support", None).unwrap();
}

#[test]
fn a_receptionist_picks_up_in_any_group() {
    let mut h = Harness::standard();
    h.offer("c1", "alice");
    pickup(&mut h, &desk(), "sales", None).unwrap();
    assert_eq!(h.ring().2, "reception");
}

#[test]
fn an_answer_at_the_original_phone_crossing_the_cancel_is_hung_up_and_told() {
    let mut h = Harness::standard();
    h.offer("c1", "alice");
    pickup(&mut h, &user("bob"), "sales", None).unwrap();
    let (id, call, _) = h.ring();
    // Alice's phone answered before the cancel reached it.
    h.answer_line("c1");
    let (leg, _) = h.cancels()[0].clone();
    assert_eq!(leg.leg, LegId::Line);
    let failed = h.event(EventName::PickupFailed);
    assert_eq!(failed.detail.by.as_deref(), Some("alice"));
    assert_eq!(
        failed.detail.reason.as_deref(),
        Some("the call was picked up by bob")
    );
    assert_eq!(h.call("c1").unwrap().line, "bob", "the pickup stands");
    h.answer_ring(&call, id);
    assert_eq!(h.call("c1").unwrap().state, CallState::Connected);
}

#[test]
fn a_pickup_after_the_original_phone_answered_is_refused_and_told() {
    let mut h = Harness::standard();
    h.offer("c1", "alice");
    h.answer_line("c1");
    let before = (h.engine.calls(), h.engine.pickup_groups());
    let err = pickup(&mut h, &user("bob"), "sales", Some("c1")).unwrap_err();
    assert_eq!(err.code(), "conflict");
    assert_eq!(
        h.event(EventName::PickupFailed).detail.by.as_deref(),
        Some("bob")
    );
    assert!(h.intents.is_empty());
    assert_eq!((h.engine.calls(), h.engine.pickup_groups()), before);
    let err = pickup(&mut h, &user("bob"), "sales", None).unwrap_err();
    assert_eq!(err.code(), "not_found");
}

#[test]
fn a_second_pickup_of_the_same_call_loses() {
    let mut h = Harness::standard();
    h.offer("c1", "alice");
    pickup(&mut h, &user("bob"), "sales", Some("c1")).unwrap();
    let err = pickup(&mut h, &user("alice"), "sales", Some("c1")).unwrap_err();
    assert_eq!(err.code(), "conflict");
}

#[test]
fn a_dialled_group_number_bridges_the_dialling_phone_directly() {
    let mut h = Harness::standard();
    h.offer("c1", "alice");
    h.switch(SwitchEvent::Dialed {
        call: cid("d1"),
        caller: "bob".into(),
        number: "881".into(),
    });
    let (leg, reason) = h.cancels()[0].clone();
    assert_eq!(
        (leg.leg, reason.as_str()),
        (LegId::Line, "Call completed elsewhere")
    );
    let (a, b) = h.bridges()[0].clone();
    assert_eq!((a.call, a.leg), (cid("d1"), LegId::Caller));
    assert_eq!((b.call, b.leg), (cid("c1"), LegId::Caller));
    assert!(h.names().contains(&"pickup.picked"));
    let c1 = h.call("c1").unwrap();
    assert_eq!((c1.state, c1.line.as_str()), (CallState::Connected, "bob"));
    // The picker hangs up: the call is over.
    h.switch(SwitchEvent::Ended {
        call: cid("d1"),
        leg: LegId::Caller,
        cause: parkdesk::engine::switch::EndCause::Hangup,
    });
    assert_eq!(h.releases()[0].0, cid("c1"));
    assert!(h.call("c1").is_none());
}

#[test]
fn a_dialled_group_number_with_nothing_ringing_is_told_and_released() {
    let mut h = Harness::standard();
    h.switch(SwitchEvent::Dialed {
        call: cid("d1"),
        caller: "bob".into(),
        number: "881".into(),
    });
    assert_eq!(h.names(), ["pickup.failed"]);
    assert_eq!(h.releases()[0].0, cid("d1"));
}

#[test]
fn an_unanswered_pickup_rings_the_original_user_again() {
    let mut h = Harness::standard();
    h.offer("c1", "alice");
    pickup(&mut h, &user("bob"), "sales", None).unwrap();
    let (id, _, _) = h.ring();
    h.fail_ring(id, FailCause::Busy);
    assert_eq!(
        h.event(EventName::PickupFailed).detail.by.as_deref(),
        Some("bob")
    );
    assert_eq!(h.ring().2, "alice");
    let (id, call, _) = h.ring();
    h.answer_ring(&call, id);
    assert_eq!(h.call("c1").unwrap().line, "alice");
}

#[test]
fn a_ringing_call_whose_park_the_switch_could_not_hold_rings_in_its_group_again() {
    let mut h = Harness::standard();
    h.offer("c1", "alice");
    h.park(&user("alice"), "c1").unwrap();
    assert!(ringing_in(&h, "sales").is_empty());
    let (hold, _, _) = h.holds()[0].clone();
    h.switch(SwitchEvent::Failed {
        id: hold,
        leg: LegId::Caller,
        cause: FailCause::Unreachable,
    });
    assert_eq!(h.call("c1").unwrap().state, CallState::Ringing);
    assert_eq!(ringing_in(&h, "sales"), ["c1"]);
}

#[test]
fn a_new_member_sees_the_calls_already_ringing_for_them() {
    let mut h = Harness::standard();
    h.offer("c1", "carol");
    let sales = h
        .engine
        .setup()
        .groups
        .iter()
        .find(|g| g.id == "sales")
        .unwrap()
        .clone();
    let grown = Group {
        members: vec!["alice".into(), "bob".into(), "carol".into()],
        ..sales
    };
    h.cmd(
        &admin(),
        Command::Admin(parkdesk::engine::command::AdminCommand::GroupSet(grown)),
    )
    .unwrap();
    assert_eq!(ringing_in(&h, "sales"), ["c1"]);
    pickup(&mut h, &user("bob"), "881", None).unwrap();
    assert!(
        ringing_in(&h, "support").is_empty(),
        "gone from every group"
    );
}
