//! Orbit ranges, collisions and code allocation.
#![allow(clippy::unwrap_used)] // test code: an unwrap states what must hold

use crate::support::engine::*;
use parkdesk::engine::command::{AdminCommand, ParkArgs};
use parkdesk::engine::policy::Allocation;
use parkdesk::engine::*;
use std::collections::HashSet;

fn refused(setup: EngineSetup) -> String {
    match Engine::new(setup, 1, Instant::ZERO) {
        Ok(_) => panic!("setup accepted"),
        Err(err) => {
            assert_eq!(err.code(), "bad_request");
            err.to_string()
        }
    }
}

/// The standard setup where alice's `staff` policy allocates with `allocation`.
fn allocating(allocation: Allocation, reuse_after: u64) -> Harness {
    let mut setup = standard_setup();
    let staff = setup
        .policies
        .iter_mut()
        .find(|p| p.name == "staff")
        .unwrap();
    staff.allocation = allocation;
    staff.reuse_after = reuse_after;
    Harness::with(setup)
}

fn park_directed(
    h: &mut Harness,
    who: &str,
    call: &str,
    code: &str,
) -> Result<CommandOk, EngineError> {
    h.connected(call, who);
    let args = ParkArgs {
        code: Some(code.into()),
        ..park_args(call)
    };
    h.cmd(&user(who), Command::Park(args))
}

#[test]
fn an_overlapping_range_is_refused_by_name() {
    let mut setup = standard_setup();
    setup.ranges.push(park_range("vip", "750", "760"));
    assert_eq!(
        refused(setup),
        "ranges: range 'vip' (750-760) overlaps range 'main' (701-799)"
    );
}

#[test]
fn a_range_holding_the_park_extension_is_refused() {
    let mut setup = standard_setup();
    setup.ranges.push(park_range("low", "600", "700"));
    assert!(refused(setup).contains("collides with the park extension '700'"));
}

#[test]
fn a_range_whose_codes_start_with_the_directed_prefix_is_refused() {
    let mut setup = standard_setup();
    setup.ranges.push(park_range("bad", "*700", "*799"));
    assert!(refused(setup).contains("collides with the directed-park prefix '*70'"));
}

#[test]
fn a_code_that_is_a_prefix_of_the_directed_prefix_is_refused() {
    let mut setup = standard_setup();
    setup.ranges.push(park_range("short", "*1", "*9"));
    assert!(refused(setup).contains("directed-park prefix"));
}

#[test]
fn a_park_extension_starting_with_the_directed_prefix_is_refused() {
    let mut setup = standard_setup();
    setup.park_extension = "*701".into();
    assert!(refused(setup).contains("collides with the directed-park prefix"));
}

#[test]
fn a_group_number_outside_every_pickup_range_is_refused() {
    let mut setup = standard_setup();
    setup.groups[0].number = Some("705".into());
    assert_eq!(
        refused(setup),
        "groups: group 'sales' number '705' is in park range 'main' (701-799)"
    );
}

#[test]
fn two_groups_with_one_number_are_refused() {
    let mut setup = standard_setup();
    setup.groups[1].number = Some("881".into());
    assert!(refused(setup).contains("number '881' is already group 'sales''s number"));
}

#[test]
fn malformed_ranges_are_refused() {
    for (start, end) in [
        ("701", "7999"),
        ("*100", "#199"),
        ("799", "701"),
        ("7x1", "799"),
    ] {
        let mut setup = standard_setup();
        setup.ranges.push(park_range("odd", start, end));
        let message = refused(setup);
        assert!(message.starts_with("ranges: range 'odd'"), "{message}");
    }
}

#[test]
fn a_refused_range_change_changes_nothing() {
    let mut h = Harness::standard();
    let before = h.engine.setup().clone();
    let err = h
        .cmd(
            &admin(),
            Command::Admin(AdminCommand::RangeSet(park_range("vip", "790", "810"))),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "ranges: range 'vip' (790-810) overlaps range 'main' (701-799)"
    );
    assert_eq!(h.engine.setup(), &before);
}

#[test]
fn a_range_still_holding_a_parked_code_cannot_shrink_past_it() {
    let mut h = Harness::standard();
    h.parked("c1", "alice");
    let shrink = park_range("main", "750", "799");
    let err = h
        .cmd(&admin(), Command::Admin(AdminCommand::RangeSet(shrink)))
        .unwrap_err();
    assert_eq!(err.code(), "conflict");
    assert_eq!(h.parked_on("701").unwrap().call, cid("c1"));
    // Growing it keeps the park and its code.
    let grow = park_range("main", "701", "750");
    h.cmd(&admin(), Command::Admin(AdminCommand::RangeSet(grow)))
        .unwrap();
    assert_eq!(h.parked_on("701").unwrap().call, cid("c1"));
    assert_eq!(
        h.park(&user("alice"), "c1").unwrap(),
        "701",
        "still held by the same park"
    );
}

#[test]
fn codes_come_from_each_range_style() {
    let mut h = Harness::standard();
    assert_eq!(h.parked("c1", "alice"), "701");
    assert_eq!(h.parked("c2", "erin"), "*100");
    assert_eq!(h.parked("c3", "frank"), "10");
    let spoken: Vec<String> = h.engine.parked().into_iter().map(|p| p.spoken).collect();
    assert_eq!(spoken, ["seven zero one", "star one zero zero", "one zero"]);
    let ranges: Vec<String> = h.engine.parked().into_iter().map(|p| p.range).collect();
    assert_eq!(ranges, ["main", "stars", "teams"]);
}

#[test]
fn a_hash_range_hands_out_hash_codes() {
    let mut setup = standard_setup();
    setup.ranges.push(park_range("hash", "#1000", "#1999"));
    setup
        .policies
        .iter_mut()
        .find(|p| p.name == "staff")
        .unwrap()
        .park_range = "hash".into();
    let mut h = Harness::with(setup);
    assert_eq!(h.parked("c1", "alice"), "#1000");
}

#[test]
fn sequential_continues_after_the_last_code_handed_out_and_wraps() {
    let mut setup = standard_setup();
    setup.ranges[0] = park_range("main", "701", "705");
    let mut h = Harness::with(setup);
    let codes: Vec<String> = (1..=3)
        .map(|n| h.parked(&format!("c{n}"), "alice"))
        .collect();
    assert_eq!(codes, ["701", "702", "703"]);
    h.caller_hangs_up("c1");
    assert_eq!(
        h.parked("c4", "alice"),
        "704",
        "after the last code, not the lowest"
    );
    assert_eq!(h.parked("c5", "alice"), "705");
    assert_eq!(h.parked("c6", "alice"), "701", "wraps around");
    h.caller_hangs_up("c3");
    assert_eq!(h.parked("c7", "alice"), "703", "skips occupied codes");
}

#[test]
fn lowest_takes_the_lowest_free_code() {
    let mut h = allocating(Allocation::Lowest, 0);
    for n in 1..=4 {
        h.parked(&format!("c{n}"), "alice");
    }
    h.caller_hangs_up("c2");
    assert_eq!(h.parked("c5", "alice"), "702");
    assert_eq!(h.parked("c6", "alice"), "705");
}

#[test]
fn random_is_repeatable_from_the_seed_and_never_hands_out_a_held_code() {
    let run = || {
        let mut h = allocating(Allocation::Random, 0);
        (0..60)
            .map(|n| h.parked(&format!("c{n}"), "alice"))
            .collect::<Vec<_>>()
    };
    let first = run();
    assert_eq!(first, run(), "same seed, same codes");
    let unique: HashSet<&String> = first.iter().collect();
    assert_eq!(unique.len(), 60);
    assert!(
        first
            .iter()
            .all(|c| ("701".."799").contains(&c.as_str()) || c == "799")
    );
    let sorted = {
        let mut s = first.clone();
        s.sort();
        s
    };
    assert_ne!(first, sorted, "not handed out in order");
}

#[test]
fn a_freed_code_rests_while_other_codes_are_free() {
    let mut setup = standard_setup();
    setup.ranges[0] = park_range("main", "701", "703");
    let staff = setup
        .policies
        .iter_mut()
        .find(|p| p.name == "staff")
        .unwrap();
    staff.allocation = Allocation::Lowest;
    staff.reuse_after = 60;
    let mut h = Harness::with(setup);
    assert_eq!(h.parked("c1", "alice"), "701");
    h.caller_hangs_up("c1");
    assert_eq!(h.parked("c2", "alice"), "702", "701 rests");
    h.advance(61);
    h.caller_hangs_up("c2");
    assert_eq!(
        h.parked("c3", "alice"),
        "701",
        "701 has rested; 702 now rests"
    );
}

#[test]
fn a_resting_code_is_used_before_range_full() {
    let mut setup = standard_setup();
    setup.ranges[0] = park_range("main", "701", "702");
    let staff = setup
        .policies
        .iter_mut()
        .find(|p| p.name == "staff")
        .unwrap();
    staff.reuse_after = 600;
    let mut h = Harness::with(setup);
    h.parked("c1", "alice");
    h.parked("c2", "alice");
    h.caller_hangs_up("c1");
    assert_eq!(
        h.parked("c3", "alice"),
        "701",
        "soft: resting beats range_full"
    );
}

#[test]
fn a_full_range_is_range_full_and_leaves_the_call_alone() {
    let mut setup = standard_setup();
    setup.ranges[0] = park_range("main", "701", "702");
    let mut h = Harness::with(setup);
    h.parked("c1", "alice");
    h.parked("c2", "alice");
    h.connected("c3", "alice");
    let before = (h.engine.calls(), h.engine.parked());
    let err = h.park(&user("alice"), "c3").unwrap_err();
    assert_eq!(
        err,
        EngineError::RangeFull {
            range: "main".into(),
            start: "701".into(),
            end: "702".into()
        }
    );
    assert_eq!(err.to_string(), "no free code in range 'main' (701-702)");
    assert_eq!((h.engine.calls(), h.engine.parked()), before);
    assert!(h.intents.is_empty() && h.events.is_empty());
}

#[test]
fn a_directed_park_takes_the_code_asked_for() {
    let mut h = Harness::standard();
    let ok = park_directed(&mut h, "alice", "c1", "750").unwrap();
    assert!(matches!(ok, CommandOk::Parked { ref code, .. } if code == "750"));
    assert_eq!(
        h.parked("c2", "alice"),
        "701",
        "directed parks do not move the cursor"
    );
}

#[test]
fn a_directed_park_into_a_held_code_is_code_taken() {
    let mut h = Harness::standard();
    park_directed(&mut h, "alice", "c1", "750").unwrap();
    let err = park_directed(&mut h, "bob", "c2", "750").unwrap_err();
    assert_eq!(err, EngineError::CodeTaken("750".into()));
    assert_eq!(
        h.call("c2").unwrap().state,
        parkdesk::engine::objects::CallState::Connected
    );
}

#[test]
fn a_directed_park_outside_the_policys_range_is_a_bad_request_naming_code() {
    let mut h = Harness::standard();
    for code in ["800", "*150", "15"] {
        let err = park_directed(&mut h, "alice", &format!("c{code}"), code).unwrap_err();
        assert!(
            matches!(err, EngineError::BadRequest { ref field, .. } if field == "code"),
            "{code}"
        );
    }
    let err = park_directed(&mut h, "alice", "cx", "7o5").unwrap_err();
    assert!(matches!(err, EngineError::BadRequest { ref field, .. } if field == "code"));
}

#[test]
fn retrieving_an_unknown_or_empty_code_is_not_found() {
    let mut h = Harness::standard();
    h.parked("c1", "alice");
    for code in ["702", "800", "garbage", ""] {
        let err = h.retrieve(&desk(), code, None).unwrap_err();
        assert_eq!(err.code(), "not_found", "{code}");
    }
}

#[test]
fn codes_are_unique_across_the_engine() {
    let mut h = Harness::standard();
    let mut seen = HashSet::new();
    for n in 0..30 {
        let who = ["alice", "erin", "frank"][n % 3];
        let code = h.parked(&format!("c{n}"), who);
        assert!(seen.insert(code));
    }
}

#[test]
fn a_range_in_use_cannot_be_removed() {
    let mut h = Harness::standard();
    let err = h
        .cmd(
            &admin(),
            Command::Admin(AdminCommand::RangeRemove {
                name: "stars".into(),
            }),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "name: range 'stars' is used by policy 'star'"
    );
    let err = h
        .cmd(
            &admin(),
            Command::Admin(AdminCommand::RangeRemove {
                name: "pickup".into(),
            }),
        )
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("group 'sales' number '881' is not in a pickup range"),
        "{err}"
    );
    let err = h
        .cmd(
            &admin(),
            Command::Admin(AdminCommand::RangeRemove {
                name: "nope".into(),
            }),
        )
        .unwrap_err();
    assert_eq!(err.code(), "not_found");
    assert_eq!(h.engine.setup().ranges.len(), 4);
}

#[test]
fn a_park_range_over_a_users_extension_is_refused_naming_range_user_and_number() {
    let mut setup = standard_setup();
    setup
        .users
        .push(voice_user("emil", "Emil Lindqvist", "205"));
    setup.ranges.push(park_range("front", "200", "219"));
    assert_eq!(
        refused(setup),
        "ranges: range 'front' (200-219) covers user 'emil''s number '205'"
    );
}

#[test]
fn a_pickup_range_over_a_users_extension_is_refused() {
    let mut setup = standard_setup();
    setup
        .users
        .push(voice_user("emil", "Emil Lindqvist", "885"));
    let message = refused(setup);
    assert!(
        message.contains("range 'pickup' (880-899) covers user 'emil''s number '885'"),
        "{message}"
    );
}

#[test]
fn a_range_set_over_a_users_extension_is_refused_and_changes_nothing() {
    let mut h = Harness::standard();
    h.cmd(
        &admin(),
        Command::Admin(AdminCommand::UserSet(voice_user("emil", "Emil", "205"))),
    )
    .unwrap();
    let before = h.engine.setup().clone();
    let err = h
        .cmd(
            &admin(),
            Command::Admin(AdminCommand::RangeSet(park_range("front", "200", "219"))),
        )
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("range 'front' (200-219) covers user 'emil''s number '205'"),
        "{err}"
    );
    assert_eq!(h.engine.setup(), &before);
}

#[test]
fn a_range_of_hash_codes_is_accepted_with_a_warning_naming_it() {
    let mut setup = standard_setup();
    setup.ranges.push(park_range("hash", "#100", "#199"));
    let engine = Engine::new(setup, 1, Instant::ZERO).unwrap();
    let warnings = engine.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("range 'hash' (#100-#199)") && warnings[0].contains("%23"),
        "{warnings:?}"
    );
    let plain = Engine::new(standard_setup(), 1, Instant::ZERO).unwrap();
    assert!(plain.warnings().is_empty());
}
