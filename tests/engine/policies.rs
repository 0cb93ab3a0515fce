//! Policies: settings validated, assignment precedence, voice-enabled users, the
//! receptionist's reach, and parks that outlive their parker's rights.
#![allow(clippy::unwrap_used)] // test code: an unwrap states what must hold

use crate::support::engine::*;
use parkdesk::engine::command::AdminCommand;
use parkdesk::engine::objects::ParkState;
use parkdesk::engine::policy::ParkPolicy;
use parkdesk::engine::*;

fn admin_cmd(h: &mut Harness, command: AdminCommand) -> Result<CommandOk, EngineError> {
    h.cmd(&admin(), Command::Admin(command))
}

fn assign(group: &str, policy: &str, rank: u32) -> AdminCommand {
    AdminCommand::PolicyAssignGroup(GroupAssignment {
        group: group.into(),
        policy: policy.into(),
        rank,
    })
}

fn group(id: &str, members: &[&str]) -> Group {
    Group {
        id: id.into(),
        name: id.into(),
        members: members.iter().map(|m| m.to_string()).collect(),
        ..Group::default()
    }
}

#[test]
fn a_group_assignment_beats_global_and_a_better_rank_beats_a_worse_one() {
    let mut h = Harness::standard();
    assert_eq!(h.parked("c1", "bob"), "701", "sales → staff (main)");
    admin_cmd(&mut h, AdminCommand::GroupSet(group("ops", &["bob"]))).unwrap();
    admin_cmd(&mut h, assign("ops", "star", 2)).unwrap();
    assert_eq!(h.parked("c2", "bob"), "702", "rank 1 (sales) still wins");
    admin_cmd(&mut h, assign("ops", "star", 1)).unwrap();
    assert_eq!(h.parked("c3", "bob"), "*100", "ops moved to rank 1");
}

#[test]
fn a_direct_policy_beats_every_group_assignment() {
    let mut h = Harness::standard();
    let mut bob = h
        .engine
        .setup()
        .users
        .iter()
        .find(|u| u.id == "bob")
        .unwrap()
        .clone();
    bob.policy = Some("teams".into());
    admin_cmd(&mut h, AdminCommand::UserSet(bob)).unwrap();
    assert_eq!(h.parked("c1", "bob"), "10");
}

#[test]
fn inserting_at_a_taken_rank_moves_the_others_down_keeping_ranks_contiguous() {
    let mut h = Harness::standard();
    for id in ["ops", "hr", "it"] {
        admin_cmd(&mut h, AdminCommand::GroupSet(group(id, &[]))).unwrap();
    }
    admin_cmd(&mut h, assign("ops", "star", 2)).unwrap();
    admin_cmd(&mut h, assign("hr", "teams", 1)).unwrap();
    admin_cmd(&mut h, assign("it", "desk", 9)).unwrap();
    let order = |h: &Harness| {
        h.engine
            .setup()
            .assignments
            .iter()
            .map(|a| (a.group.clone(), a.rank))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        order(&h),
        [
            ("hr".into(), 1),
            ("sales".into(), 2),
            ("ops".into(), 3),
            ("it".into(), 4)
        ]
    );
    admin_cmd(&mut h, assign("it", "desk", 2)).unwrap();
    assert_eq!(
        order(&h),
        [
            ("hr".into(), 1),
            ("it".into(), 2),
            ("sales".into(), 3),
            ("ops".into(), 4)
        ]
    );
    admin_cmd(
        &mut h,
        AdminCommand::PolicyUnassignGroup { group: "hr".into() },
    )
    .unwrap();
    assert_eq!(
        order(&h),
        [("it".into(), 1), ("sales".into(), 2), ("ops".into(), 3)]
    );
}

#[test]
fn without_any_assignment_the_global_policy_applies_and_parks_nothing() {
    let mut h = Harness::standard();
    h.connected("c1", "carol");
    let err = h.park(&user("carol"), "c1").unwrap_err();
    assert_eq!(
        err,
        EngineError::PolicyDenied("policy 'global' does not allow park".into())
    );
}

#[test]
fn a_user_who_is_not_voice_enabled_may_neither_park_nor_retrieve() {
    let mut h = Harness::standard();
    h.connected("c1", "dave");
    assert_eq!(
        h.park(&user("dave"), "c1").unwrap_err().code(),
        "policy_denied"
    );
    let code = h.parked("c2", "alice");
    assert_eq!(
        h.retrieve(&user("dave"), &code, None).unwrap_err().code(),
        "policy_denied"
    );
}

#[test]
fn a_user_missing_from_the_directory_is_treated_as_not_voice_enabled() {
    let mut h = Harness::standard();
    h.connected("c1", "ghost");
    assert_eq!(
        h.park(&user("ghost"), "c1").unwrap_err().code(),
        "policy_denied"
    );
}

#[test]
fn a_user_retrieves_only_within_its_policys_retrieve_ranges() {
    let mut h = Harness::standard();
    let star_code = h.parked("c1", "erin");
    let err = h.retrieve(&user("alice"), &star_code, None).unwrap_err();
    assert_eq!(
        err,
        EngineError::PolicyDenied(
            "range 'stars' is outside policy 'staff''s retrieve ranges".into()
        )
    );
    let widened = ParkPolicy {
        retrieve_ranges: vec!["main".into(), "stars".into()],
        ..allowing("staff", "main")
    };
    admin_cmd(&mut h, AdminCommand::PolicySet(widened)).unwrap();
    h.retrieve(&user("alice"), &star_code, None).unwrap();
}

#[test]
fn the_receptionist_retrieves_from_every_range() {
    let mut h = Harness::standard();
    let codes = [
        h.parked("c1", "alice"),
        h.parked("c2", "erin"),
        h.parked("c3", "frank"),
    ];
    for code in codes {
        h.retrieve(&desk(), &code, None).unwrap();
    }
}

#[test]
fn the_receptionist_parks_under_its_own_policy() {
    let mut h = Harness::standard();
    h.connected("c1", "reception");
    assert_eq!(h.park(&desk(), "c1").unwrap(), "701", "desk → main");
    admin_cmd(
        &mut h,
        AdminCommand::PolicySet(ParkPolicy {
            allow_park: false,
            ..allowing("desk", "main")
        }),
    )
    .unwrap();
    h.connected("c2", "reception");
    assert_eq!(h.park(&desk(), "c2").unwrap_err().code(), "policy_denied");
}

#[test]
fn a_park_keeps_running_when_the_parker_loses_its_rights() {
    let mut h = Harness::standard();
    let code = h.parked("c1", "alice");
    let mut alice = h
        .engine
        .setup()
        .users
        .iter()
        .find(|u| u.id == "alice")
        .unwrap()
        .clone();
    alice.voice_enabled = false;
    admin_cmd(&mut h, AdminCommand::UserSet(alice)).unwrap();
    admin_cmd(
        &mut h,
        AdminCommand::PolicySet(ParkPolicy {
            park_timeout: 900,
            ..allowing("staff", "main")
        }),
    )
    .unwrap();
    h.advance(300);
    assert_eq!(
        h.names(),
        ["park.timeout", "park.ringback"],
        "the original policy's timeout"
    );
    assert_eq!(h.parked_on(&code).unwrap().state, ParkState::RingingBack);
}

#[test]
fn every_policy_setting_is_checked_against_its_bounds() {
    let cases: Vec<(ParkPolicy, &str)> = vec![
        (
            ParkPolicy {
                park_timeout: 9,
                ..allowing("p", "main")
            },
            "park_timeout 9 is outside 10-1800",
        ),
        (
            ParkPolicy {
                park_timeout: 1801,
                ..allowing("p", "main")
            },
            "park_timeout 1801",
        ),
        (
            ParkPolicy {
                ringback_attempts: 11,
                ..allowing("p", "main")
            },
            "ringback_attempts 11",
        ),
        (
            ParkPolicy {
                ringback_ring_time: 4,
                ..allowing("p", "main")
            },
            "ringback_ring_time 4",
        ),
        (
            ParkPolicy {
                ringback_ring_time: 121,
                ..allowing("p", "main")
            },
            "ringback_ring_time 121",
        ),
        (
            ParkPolicy {
                fallback_ring_time: 4,
                ..allowing("p", "main")
            },
            "fallback_ring_time 4",
        ),
        (
            ParkPolicy {
                fallback_ring_time: 301,
                ..allowing("p", "main")
            },
            "fallback_ring_time 301",
        ),
        (
            allowing("p", "pickup"),
            "park_range 'pickup' is not a park range",
        ),
        (
            allowing("p", "nowhere"),
            "park_range 'nowhere' is not a park range",
        ),
        (
            ParkPolicy {
                retrieve_ranges: vec!["gone".into()],
                ..allowing("p", "main")
            },
            "retrieve_ranges names 'gone'",
        ),
        (
            ParkPolicy {
                on_timeout: Some("nobody".into()),
                ..allowing("p", "main")
            },
            "on_timeout 'nobody' is not a directory user or group",
        ),
        (
            ParkPolicy {
                caller_escape_digit: Some('x'),
                ..allowing("p", "main")
            },
            "caller_escape_digit 'x'",
        ),
    ];
    let mut h = Harness::standard();
    for (policy, message) in cases {
        let before = h.engine.setup().clone();
        let err = admin_cmd(&mut h, AdminCommand::PolicySet(policy)).unwrap_err();
        assert_eq!(err.code(), "bad_request");
        assert!(
            err.to_string().contains(message),
            "{err} should say {message}"
        );
        assert_eq!(
            h.engine.setup(),
            &before,
            "a refused change changes nothing"
        );
    }
    let edges = ParkPolicy {
        park_timeout: 1800,
        ringback_attempts: 10,
        ringback_ring_time: 120,
        fallback_ring_time: 300,
        on_timeout: Some("support".into()),
        caller_escape_digit: Some('*'),
        ..allowing("p", "main")
    };
    admin_cmd(&mut h, AdminCommand::PolicySet(edges)).unwrap();
}

#[test]
fn a_global_policy_is_added_when_missing_and_cannot_be_removed() {
    let mut setup = standard_setup();
    setup.policies.retain(|p| p.name != "global");
    let mut h = Harness::with(setup);
    let global = h
        .engine
        .setup()
        .policies
        .iter()
        .find(|p| p.name == "global")
        .unwrap()
        .clone();
    assert_eq!(global, ParkPolicy::default());
    let err = admin_cmd(
        &mut h,
        AdminCommand::PolicyRemove {
            name: "global".into(),
        },
    )
    .unwrap_err();
    assert_eq!(err.code(), "bad_request");
}

#[test]
fn an_assigned_policy_cannot_be_removed() {
    let mut h = Harness::standard();
    let err = admin_cmd(
        &mut h,
        AdminCommand::PolicyRemove {
            name: "staff".into(),
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("assigned to user 'dave'"), "{err}");
    let err = admin_cmd(
        &mut h,
        AdminCommand::PolicyRemove {
            name: "nope".into(),
        },
    )
    .unwrap_err();
    assert_eq!(err.code(), "not_found");
}

#[test]
fn removing_a_user_takes_it_out_of_its_groups() {
    let mut h = Harness::standard();
    admin_cmd(&mut h, AdminCommand::UserRemove { id: "bob".into() }).unwrap();
    let sales = h
        .engine
        .pickup_groups()
        .into_iter()
        .find(|g| g.group == "sales")
        .unwrap();
    assert_eq!(sales.members, ["alice"]);
    assert!(!h.engine.is_allowed_target("bob"));
}

#[test]
fn removing_a_fallback_target_is_refused() {
    let mut h = Harness::standard();
    let policy = ParkPolicy {
        on_timeout: Some("carol".into()),
        ..allowing("staff", "main")
    };
    admin_cmd(&mut h, AdminCommand::PolicySet(policy)).unwrap();
    let err = admin_cmd(&mut h, AdminCommand::UserRemove { id: "carol".into() }).unwrap_err();
    assert!(err.to_string().contains("on_timeout 'carol'"), "{err}");
    assert!(h.engine.is_allowed_target("carol"));
}

#[test]
fn the_allow_list_is_administered() {
    let mut h = Harness::standard();
    assert!(!h.engine.is_allowed_target("+15550000"));
    admin_cmd(
        &mut h,
        AdminCommand::AllowAdd {
            number: "+15550000".into(),
        },
    )
    .unwrap();
    assert!(h.engine.is_allowed_target("+15550000"));
    admin_cmd(
        &mut h,
        AdminCommand::AllowRemove {
            number: "+15550000".into(),
        },
    )
    .unwrap();
    assert!(!h.engine.is_allowed_target("+15550000"));
    let err = admin_cmd(
        &mut h,
        AdminCommand::AllowRemove {
            number: "+15550000".into(),
        },
    )
    .unwrap_err();
    assert_eq!(err.code(), "not_found");
}

#[test]
fn two_users_with_the_same_number_are_refused_naming_both_and_the_number() {
    let mut setup = standard_setup();
    setup
        .users
        .push(voice_user("alicia", "Alicia Archer", "+4420700001"));
    let err = Engine::new(setup, 1, Instant::ZERO).unwrap_err();
    assert_eq!(err.code(), "bad_request");
    assert_eq!(
        err.to_string(),
        "users: user 'alicia' number '+4420700001' is already user 'alice''s number"
    );
}

#[test]
fn a_user_set_taking_anothers_number_is_refused_and_changes_nothing() {
    let mut h = Harness::standard();
    let before = h.engine.setup().clone();
    let err = admin_cmd(
        &mut h,
        AdminCommand::UserSet(voice_user("zed", "Zed", "+4420700002")),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "users: user 'zed' number '+4420700002' is already user 'bob''s number"
    );
    assert_eq!(h.engine.setup(), &before);
}
