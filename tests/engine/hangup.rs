//! A caller who hangs up while connected to someone the engine rang leaves nobody on silence.

use crate::support::engine::*;
use parkdesk::engine::switch::{CallId, EndCause, LegId, SwitchEvent};

#[test]
fn a_caller_hanging_up_after_a_retrieve_releases_the_desk_leg() {
    let mut h = Harness::standard();
    let code = h.parked("c1", "alice");
    h.retrieve(&desk(), &code, Some("bob")).unwrap();
    let (id, call, _) = h.ring();
    h.answer_ring(&call, id);
    h.caller_hangs_up("c1");
    let released: Vec<CallId> = h.releases().into_iter().map(|(c, _)| c).collect();
    assert!(
        released.contains(&cid("c1")),
        "the desk's leg is hung up: {released:?}"
    );
    assert!(h.call("c1").is_none());
}

#[test]
fn a_caller_hanging_up_after_a_dialled_retrieve_releases_the_dialling_phone() {
    let mut h = Harness::standard();
    let code = h.parked("c1", "alice");
    h.switch(SwitchEvent::Dialed {
        call: cid("d1"),
        caller: "alice".into(),
        number: code,
    });
    assert!(!h.bridges().is_empty(), "the dialled code retrieves");
    h.switch(SwitchEvent::Ended {
        call: cid("c1"),
        leg: LegId::Caller,
        cause: EndCause::Hangup,
    });
    let released: Vec<CallId> = h.releases().into_iter().map(|(c, _)| c).collect();
    assert!(
        released.contains(&cid("d1")),
        "the dialling phone is hung up: {released:?}"
    );
}

#[test]
fn a_transfer_of_a_ringing_desk_call_tells_consoles_at_once_where_it_rings() {
    use parkdesk::engine::command::TransferArgs;
    use parkdesk::engine::{Command, objects::CallState};
    let mut h = Harness::standard();
    h.offer("c1", "reception");
    let _ = h.names();
    h.cmd(
        &desk(),
        Command::Transfer(TransferArgs {
            call: cid("c1"),
            to: "bob".into(),
        }),
    )
    .unwrap();
    assert!(h.names().contains(&"call.ringing"), "{:?}", h.names());
    let call = h.call("c1").unwrap();
    assert_eq!(
        (call.state, call.line.as_str()),
        (CallState::Ringing, "bob")
    );
}
