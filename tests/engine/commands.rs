//! Commands: roles first, then arguments and state; desk actions; announcements.
#![allow(clippy::unwrap_used)] // test code: an unwrap states what must hold

use crate::support::engine::*;
use parkdesk::engine::command::*;
use parkdesk::engine::objects::{AnnouncementState, CallState, ParkOutcome};
use parkdesk::engine::policy::ParkPolicy;
use parkdesk::engine::switch::LegId;
use parkdesk::engine::*;

/// Everything the board shows, to compare before and after a refusal.
fn board(
    h: &Harness,
) -> (
    Vec<Call>,
    Vec<Parked>,
    Vec<Announcement>,
    Vec<PickupGroupView>,
) {
    (
        h.engine.calls(),
        h.engine.parked(),
        h.engine.announcements(),
        h.engine.pickup_groups(),
    )
}

fn every_command(code: &str, call: &str) -> Vec<Command> {
    vec![
        Command::Park(park_args(call)),
        Command::Retrieve(RetrieveArgs {
            code: code.into(),
            to: None,
        }),
        Command::Extend(ExtendArgs {
            code: code.into(),
            seconds: 60,
        }),
        Command::Announce(AnnounceArgs {
            code: Some(code.into()),
            ..AnnounceArgs::default()
        }),
        Command::Pickup(PickupArgs {
            group: "sales".into(),
            call: None,
        }),
        Command::Transfer(TransferArgs {
            call: cid(call),
            to: "bob".into(),
        }),
        Command::Hangup(HangupArgs { call: cid(call) }),
        Command::Report(ReportArgs {
            announcement: "a-1".into(),
            state: ReportState::Started,
            reason: None,
        }),
        Command::Admin(AdminCommand::AllowAdd {
            number: "+15551234".into(),
        }),
    ]
}

#[test]
fn a_monitor_is_forbidden_everything_whatever_else_is_wrong() {
    let mut h = Harness::standard();
    let code = h.parked("c1", "alice");
    h.offer("c2", "bob");
    h.engine.handle_stations(h.now, "default", 1);
    let before = board(&h);
    let wrong = every_command("nonsense", "no-such-call");
    let right = every_command(&code, "c2");
    for command in wrong.into_iter().chain(right) {
        let err = h.cmd(&monitor(), command.clone()).unwrap_err();
        assert_eq!(err.code(), "forbidden", "{command:?}");
        assert!(h.events.is_empty() && h.intents.is_empty());
    }
    assert_eq!(board(&h), before);
}

#[test]
fn each_op_names_the_roles_it_needs() {
    let mut h = Harness::standard();
    let cases = [
        (
            station(),
            Command::Park(park_args("c1")),
            "park needs the receptionist or user role",
        ),
        (
            user("alice"),
            Command::Hangup(HangupArgs { call: cid("c1") }),
            "hangup needs the receptionist role",
        ),
        (
            user("alice"),
            Command::Announce(AnnounceArgs {
                text: Some("hi".into()),
                ..AnnounceArgs::default()
            }),
            "announce needs the receptionist role",
        ),
        (
            desk(),
            Command::Admin(AdminCommand::AllowAdd { number: "1".into() }),
            "admin needs the admin role",
        ),
        (
            desk(),
            Command::Report(ReportArgs {
                announcement: "a-1".into(),
                state: ReportState::Finished,
                reason: None,
            }),
            "announcement.report needs the announcer role",
        ),
    ];
    for (who, command, message) in cases {
        assert_eq!(
            h.cmd(&who, command).unwrap_err(),
            EngineError::Forbidden(message.into())
        );
    }
}

#[test]
fn a_park_timeout_outside_10_to_1800_is_a_bad_request_naming_timeout() {
    let mut h = Harness::standard();
    h.connected("c1", "alice");
    for timeout in [0, 9, 1801, 86_400] {
        let args = ParkArgs {
            timeout: Some(timeout),
            ..park_args("c1")
        };
        let err = h.cmd(&user("alice"), Command::Park(args)).unwrap_err();
        assert!(
            matches!(err, EngineError::BadRequest { ref field, .. } if field == "timeout"),
            "{timeout}"
        );
        assert_eq!(h.call("c1").unwrap().state, CallState::Connected);
    }
    for (n, timeout) in [10u64, 1800].into_iter().enumerate() {
        let call = format!("t{n}");
        h.connected(&call, "alice");
        let args = ParkArgs {
            timeout: Some(timeout),
            ..park_args(&call)
        };
        let ok = h.cmd(&user("alice"), Command::Park(args)).unwrap();
        assert!(
            matches!(ok, CommandOk::Parked { expires_at, .. } if expires_at == h.now + parkdesk::engine::clock::secs(timeout))
        );
    }
}

#[test]
fn a_user_parks_only_calls_at_its_own_line() {
    let mut h = Harness::standard();
    h.connected("c1", "bob");
    let before = board(&h);
    assert_eq!(
        h.park(&user("alice"), "c1").unwrap_err().code(),
        "forbidden"
    );
    assert_eq!(
        h.park(&user("alice"), "nope").unwrap_err().code(),
        "not_found"
    );
    assert_eq!(board(&h), before);
}

#[test]
fn parking_a_call_the_same_user_already_parked_returns_its_code() {
    let mut h = Harness::standard();
    let code = h.parked("c1", "alice");
    assert_eq!(h.park(&user("alice"), "c1").unwrap(), code);
    assert!(
        h.events.is_empty() && h.intents.is_empty(),
        "nothing happens twice"
    );
    assert_eq!(h.park(&user("bob"), "c1").unwrap_err().code(), "conflict");
}

#[test]
fn a_retrieve_to_a_target_off_the_allow_list_is_forbidden() {
    let mut h = Harness::standard();
    let code = h.parked("c1", "alice");
    let before = board(&h);
    let err = h
        .retrieve(&desk(), &code, Some("+19005551234"))
        .unwrap_err();
    assert_eq!(err.code(), "forbidden");
    assert_eq!(board(&h), before);
    for to in ["bob", "+4420700002", "sales", "+4420799999"] {
        let code = h.parked(&format!("to-{to}"), "alice");
        h.retrieve(&desk(), &code, Some(to)).unwrap();
        assert_eq!(h.ring().2, to);
    }
}

#[test]
fn extend_is_for_the_parker_or_a_receptionist_while_parked() {
    let mut h = Harness::standard();
    let code = h.parked("c1", "alice");
    let extend = |seconds| {
        Command::Extend(ExtendArgs {
            code: code.clone(),
            seconds,
        })
    };
    assert_eq!(
        h.cmd(&user("bob"), extend(60)).unwrap_err().code(),
        "forbidden"
    );
    for seconds in [0, 1801] {
        let err = h.cmd(&user("alice"), extend(seconds)).unwrap_err();
        assert!(matches!(err, EngineError::BadRequest { ref field, .. } if field == "seconds"));
    }
    h.cmd(&desk(), extend(1800)).unwrap();
    h.cmd(&user("alice"), extend(1)).unwrap();
    assert_eq!(
        h.parked_on(&code).unwrap().expires_at,
        Instant((300 + 1800 + 1) * 1000)
    );
    let missing = Command::Extend(ExtendArgs {
        code: "799".into(),
        seconds: 5,
    });
    assert_eq!(h.cmd(&desk(), missing).unwrap_err().code(), "not_found");
    h.advance(2101);
    assert_eq!(
        h.cmd(&desk(), extend(60)).unwrap_err().code(),
        "conflict",
        "ringing back"
    );
}

#[test]
fn a_transfer_rings_the_target_and_moves_the_call_on_answer() {
    let mut h = Harness::standard();
    h.connected("c1", "reception");
    h.cmd(
        &desk(),
        Command::Transfer(TransferArgs {
            call: cid("c1"),
            to: "bob".into(),
        }),
    )
    .unwrap();
    let (id, call, target) = h.ring();
    assert_eq!(target, "bob");
    assert_eq!(
        h.call("c1").unwrap().line,
        "reception",
        "still with the desk while it rings"
    );
    h.answer_ring(&call, id);
    assert_eq!(h.names(), ["call.transferred"]);
    assert_eq!(
        h.event(EventName::CallTransferred).detail.by.as_deref(),
        Some("reception")
    );
    assert_eq!(
        h.cancels()[0].0.leg,
        LegId::Line,
        "the desk's leg is let go"
    );
    let moved = h.call("c1").unwrap();
    assert_eq!(
        (moved.line.as_str(), moved.state),
        ("bob", CallState::Connected)
    );
}

#[test]
fn a_transfer_off_the_allow_list_or_of_a_parked_call_is_refused() {
    let mut h = Harness::standard();
    h.connected("c1", "reception");
    let err = h
        .cmd(
            &desk(),
            Command::Transfer(TransferArgs {
                call: cid("c1"),
                to: "+1900".into(),
            }),
        )
        .unwrap_err();
    assert_eq!(err.code(), "forbidden");
    h.parked("c2", "alice");
    let err = h
        .cmd(
            &desk(),
            Command::Transfer(TransferArgs {
                call: cid("c2"),
                to: "bob".into(),
            }),
        )
        .unwrap_err();
    assert_eq!(err.code(), "conflict");
}

#[test]
fn an_unanswered_transfer_of_a_ringing_call_comes_back_to_its_line() {
    let mut h = Harness::standard();
    h.offer("c1", "reception");
    h.cmd(
        &desk(),
        Command::Transfer(TransferArgs {
            call: cid("c1"),
            to: "bob".into(),
        }),
    )
    .unwrap();
    assert_eq!(h.cancels()[0].0.leg, LegId::Line);
    h.advance(30);
    assert_eq!(h.ring().2, "reception");
    assert_eq!(h.call("c1").unwrap().line, "reception");
}

#[test]
fn an_announcement_without_a_station_fails_at_once_but_is_returned() {
    let mut h = Harness::standard();
    let args = AnnounceArgs {
        text: Some("Fire drill".into()),
        zone: Some("yard".into()),
        ..AnnounceArgs::default()
    };
    let ok = h.cmd(&desk(), Command::Announce(args)).unwrap();
    let CommandOk::Announced(announcement) = ok else {
        panic!("{ok:?}")
    };
    assert_eq!(announcement.state, AnnouncementState::Failed);
    assert_eq!(
        announcement.reason.as_deref(),
        Some("no announcer station for zone 'yard'")
    );
    assert_eq!(h.names(), ["announcement.failed"]);
    assert!(h.engine.announcements().is_empty());
}

#[test]
fn an_announcement_of_a_code_says_who_it_is_for_and_plays_through() {
    let mut h = Harness::standard();
    h.engine.handle_stations(h.now, "default", 1);
    h.connected("c1", "alice");
    let args = ParkArgs {
        for_note: Some("Ada Lovelace".into()),
        ..park_args("c1")
    };
    h.cmd(&user("alice"), Command::Park(args)).unwrap();
    let ok = h
        .cmd(
            &desk(),
            Command::Announce(AnnounceArgs {
                code: Some("701".into()),
                repeat: Some(2),
                ..AnnounceArgs::default()
            }),
        )
        .unwrap();
    let CommandOk::Announced(announcement) = ok else {
        panic!()
    };
    assert_eq!(
        announcement.text,
        "Call for Ada Lovelace, on park seven zero one"
    );
    assert_eq!(
        (announcement.zone.as_str(), announcement.repeat),
        ("default", 2)
    );
    assert_eq!(h.names(), ["announcement.queued"]);
    let report = |state| {
        Command::Report(ReportArgs {
            announcement: announcement.announcement.clone(),
            state,
            reason: None,
        })
    };
    h.cmd(&station(), report(ReportState::Started)).unwrap();
    assert_eq!(h.names(), ["announcement.started"]);
    assert_eq!(
        h.engine.announcements()[0].state,
        AnnouncementState::Playing
    );
    h.cmd(&station(), report(ReportState::Finished)).unwrap();
    assert_eq!(h.names(), ["announcement.finished"]);
    assert!(h.engine.announcements().is_empty());
    assert_eq!(
        h.cmd(&station(), report(ReportState::Finished))
            .unwrap_err()
            .code(),
        "not_found"
    );
}

#[test]
fn an_announcement_without_a_for_name_says_the_code() {
    let mut h = Harness::standard();
    h.engine.handle_stations(h.now, "default", 1);
    let code = h.parked("c1", "erin");
    let ok = h
        .cmd(
            &desk(),
            Command::Announce(AnnounceArgs {
                code: Some(code),
                ..AnnounceArgs::default()
            }),
        )
        .unwrap();
    let CommandOk::Announced(announcement) = ok else {
        panic!()
    };
    assert_eq!(announcement.text, "Call on park star one zero zero");
}

#[test]
fn announce_arguments_are_checked() {
    let mut h = Harness::standard();
    h.engine.handle_stations(h.now, "default", 1);
    for repeat in [0, 6] {
        let args = AnnounceArgs {
            text: Some("x".into()),
            repeat: Some(repeat),
            ..AnnounceArgs::default()
        };
        let err = h.cmd(&desk(), Command::Announce(args)).unwrap_err();
        assert!(matches!(err, EngineError::BadRequest { ref field, .. } if field == "repeat"));
    }
    let err = h
        .cmd(&desk(), Command::Announce(AnnounceArgs::default()))
        .unwrap_err();
    assert_eq!(err.code(), "bad_request");
    let err = h
        .cmd(
            &desk(),
            Command::Announce(AnnounceArgs {
                code: Some("750".into()),
                ..AnnounceArgs::default()
            }),
        )
        .unwrap_err();
    assert_eq!(err.code(), "not_found");
    assert!(h.engine.announcements().is_empty());
}

#[test]
fn a_queued_announcement_is_dropped_when_its_call_is_retrieved_first() {
    let mut h = Harness::standard();
    h.engine.handle_stations(h.now, "default", 1);
    h.connected("c1", "alice");
    h.cmd(
        &user("alice"),
        Command::Park(ParkArgs {
            announce: Some(true),
            ..park_args("c1")
        }),
    )
    .unwrap();
    assert_eq!(
        h.names(),
        ["call.transferred", "park.started", "announcement.queued"]
    );
    h.retrieve(&user("bob"), "701", None).unwrap();
    let (id, call, _) = h.ring();
    h.answer_ring(&call, id);
    let dropped = h.event(EventName::AnnouncementDropped);
    assert_eq!(dropped.detail.reason.as_deref(), Some("call retrieved"));
    assert!(h.engine.announcements().is_empty());
}

#[test]
fn a_queued_announcement_is_dropped_when_its_caller_hangs_up() {
    let mut h = Harness::standard();
    h.engine.handle_stations(h.now, "default", 1);
    h.connected("c1", "alice");
    h.cmd(
        &user("alice"),
        Command::Park(ParkArgs {
            announce: Some(true),
            ..park_args("c1")
        }),
    )
    .unwrap();
    h.caller_hangs_up("c1");
    assert_eq!(
        h.event(EventName::AnnouncementDropped)
            .detail
            .reason
            .as_deref(),
        Some("call ended")
    );
}

#[test]
fn announce_on_park_queues_one_announcement_and_the_request_can_say_no() {
    let mut setup = standard_setup();
    setup
        .policies
        .iter_mut()
        .find(|p| p.name == "staff")
        .unwrap()
        .announce_on_park = true;
    let mut h = Harness::with(setup);
    h.engine.handle_stations(h.now, "default", 1);
    let code = h.parked("c1", "alice");
    assert_eq!(h.engine.announcements().len(), 1);
    h.connected("c2", "alice");
    h.cmd(
        &user("alice"),
        Command::Park(ParkArgs {
            announce: Some(false),
            ..park_args("c2")
        }),
    )
    .unwrap();
    assert_eq!(h.engine.announcements().len(), 1, "announce: false wins");
    let again = h
        .cmd(
            &desk(),
            Command::Announce(AnnounceArgs {
                code: Some(code),
                ..AnnounceArgs::default()
            }),
        )
        .unwrap();
    assert!(
        matches!(again, CommandOk::Announced(ref a) if a.announcement == "a-1"),
        "one per park"
    );
    assert_eq!(h.engine.announcements().len(), 1);
}

#[test]
fn announcements_wait_in_priority_order_and_fail_when_the_last_station_leaves() {
    let mut h = Harness::standard();
    h.engine.handle_stations(h.now, "default", 1);
    for (text, priority) in [("low", 0), ("high", 5), ("mid", 2)] {
        let args = AnnounceArgs {
            text: Some(text.into()),
            priority: Some(priority),
            ..AnnounceArgs::default()
        };
        h.cmd(&desk(), Command::Announce(args)).unwrap();
    }
    let order: Vec<String> = h
        .engine
        .announcements()
        .into_iter()
        .map(|a| a.text)
        .collect();
    assert_eq!(order, ["high", "mid", "low"]);
    h.engine.handle_stations(h.now, "default", 0);
    let mut failed = 0;
    while let Some(event) = h.engine.poll_event() {
        assert_eq!(event.name, EventName::AnnouncementFailed);
        failed += 1;
    }
    assert_eq!(failed, 3);
    assert!(h.engine.announcements().is_empty());
}

#[test]
fn a_station_reports_a_failure_with_its_reason() {
    let mut h = Harness::standard();
    h.engine.handle_stations(h.now, "default", 1);
    let args = AnnounceArgs {
        text: Some("x".into()),
        ..AnnounceArgs::default()
    };
    let CommandOk::Announced(a) = h.cmd(&desk(), Command::Announce(args)).unwrap() else {
        panic!()
    };
    let report = ReportArgs {
        announcement: a.announcement,
        state: ReportState::Failed,
        reason: Some("amp off".into()),
    };
    h.cmd(&station(), Command::Report(report)).unwrap();
    assert_eq!(
        h.event(EventName::AnnouncementFailed)
            .detail
            .reason
            .as_deref(),
        Some("amp off")
    );
}

#[test]
fn hangup_of_an_unknown_call_is_not_found_and_a_desk_call_ends_released() {
    let mut h = Harness::standard();
    let err = h
        .cmd(&desk(), Command::Hangup(HangupArgs { call: cid("zz") }))
        .unwrap_err();
    assert_eq!(err.code(), "not_found");
    h.connected("c1", "reception");
    h.cmd(&desk(), Command::Hangup(HangupArgs { call: cid("c1") }))
        .unwrap();
    assert_eq!(h.names(), ["call.ended"]);
    assert_eq!(h.outcome(), None::<ParkOutcome>);
}

#[test]
fn directory_search_matches_names_numbers_and_groups_case_insensitively() {
    let h = Harness::standard();
    let ids = |query: &str| -> Vec<String> {
        h.engine
            .directory_search(query)
            .into_iter()
            .map(|u| u.id)
            .collect()
    };
    assert_eq!(ids("ALICE"), ["alice"]);
    assert_eq!(ids("700003"), ["carol"]);
    assert_eq!(ids("sales"), ["alice", "bob"]);
    assert_eq!(ids("882"), ["carol"]);
    assert!(ids("zebra").is_empty());
}

#[test]
fn admin_changes_apply_to_new_parks() {
    let mut h = Harness::standard();
    let stricter = ParkPolicy {
        allow_park: false,
        ..allowing("staff", "main")
    };
    h.cmd(&admin(), Command::Admin(AdminCommand::PolicySet(stricter)))
        .unwrap();
    h.connected("c1", "alice");
    assert_eq!(
        h.park(&user("alice"), "c1").unwrap_err().code(),
        "policy_denied"
    );
}
