//! A reloaded configuration file (`Engine::handle_reload`, `merge_reload`): what the file
//! changed is applied, what admins changed stays, and a parked call's range is never
//! orphaned.

use crate::support::engine::*;
use parkdesk::engine::{EngineSetup, merge_reload};

#[test]
fn a_reload_applies_what_the_file_changed_and_keeps_what_an_admin_changed() {
    let seed = standard_setup();
    // The running directory: an admin removed bob and added zoe since the start.
    let mut current = seed.clone();
    current.users.retain(|u| u.id != "bob");
    current
        .users
        .push(voice_user("zoe", "Zoe Zimmer", "+4420700009"));
    // The file now: carol renamed, frank gone, yann new; bob still listed as before.
    let mut file = seed.clone();
    file.users
        .iter_mut()
        .find(|u| u.id == "carol")
        .unwrap()
        .name = "Carol Cole".into();
    file.users.retain(|u| u.id != "frank");
    file.users
        .push(voice_user("yann", "Yann Young", "+4420700010"));
    file.park_extension = "600".into();

    let next = merge_reload(&current, &seed, &file);
    let ids: Vec<&str> = next.users.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(
        ids,
        ["reception", "alice", "carol", "dave", "erin", "zoe", "yann"],
        "bob stays removed (the file did not change him), zoe stays, frank goes, yann comes"
    );
    let carol = next.users.iter().find(|u| u.id == "carol").unwrap();
    assert_eq!(carol.name, "Carol Cole");
    assert_eq!(next.park_extension, "600", "numbering is the file's");
    assert_eq!(merge_reload(&current, &seed, &seed), {
        let mut same = current.clone();
        same.park_extension = seed.park_extension.clone();
        same
    });
}

fn reload(h: &mut Harness, next: EngineSetup) -> Result<(), parkdesk::engine::EngineError> {
    let now = h.now;
    h.engine.handle_reload(now, next)
}

#[test]
fn a_reload_that_shrinks_a_parked_calls_range_past_its_code_is_refused_naming_both() {
    let mut h = Harness::standard();
    assert_eq!(h.parked("c1", "alice"), "701");
    let before = h.engine.setup().clone();
    let mut next = before.clone();
    next.ranges[0] = park_range("main", "750", "799");
    let err = reload(&mut h, next).unwrap_err();
    assert_eq!(err.code(), "conflict");
    assert_eq!(
        err.to_string(),
        "range 'main' would no longer hold code 701, which is parked"
    );
    assert_eq!(h.engine.setup(), &before, "nothing changed");
    assert_eq!(h.parked_on("701").unwrap().call, cid("c1"));
}

#[test]
fn a_reload_that_removes_a_parked_calls_range_is_refused_even_if_another_range_holds_the_code() {
    let mut h = Harness::standard();
    assert_eq!(h.parked("c1", "alice"), "701");
    let before = h.engine.setup().clone();
    let mut next = before.clone();
    // 'main' renamed 'lobby' with the same codes: an admin command could move the park,
    // a reload may not take its range away.
    next.ranges[0] = park_range("lobby", "701", "799");
    for p in &mut next.policies {
        p.park_range = "lobby".into();
        p.retrieve_ranges.iter_mut().for_each(|r| {
            if r == "main" {
                *r = "lobby".into()
            }
        });
    }
    let err = reload(&mut h, next).unwrap_err();
    assert_eq!(
        err.to_string(),
        "range 'main' would be removed while code 701 is parked in it"
    );
    assert_eq!(h.engine.setup(), &before);
}

#[test]
fn a_parked_call_keeps_its_policy_snapshot_and_code_across_a_reload() {
    let mut h = Harness::standard();
    assert_eq!(h.parked("c1", "alice"), "701");
    let expires = h.parked_on("701").unwrap().expires_at;
    let mut next = h.engine.setup().clone();
    // Alice's policy (staff, through the sales group) now times out after 20 s; the range
    // grows.
    let staff = next
        .policies
        .iter_mut()
        .find(|p| p.name == "staff")
        .unwrap();
    staff.park_timeout = 20;
    next.ranges[0] = park_range("main", "701", "749");
    reload(&mut h, next).unwrap();
    assert_eq!(h.engine.setup().ranges[0].end, "749");
    let parked = h.parked_on("701").unwrap();
    assert_eq!(parked.call, cid("c1"));
    assert_eq!(
        parked.expires_at, expires,
        "the running park keeps its clock"
    );
    h.advance(21);
    assert!(
        h.parked_on("701").is_some_and(|p| p.ringback == 0),
        "the park runs under the policy it was parked with"
    );
    // A new park gets the new policy's timeout.
    h.parked("c2", "bob");
    let second = h.parked_on("702").unwrap();
    assert_eq!(second.expires_at.as_millis() - h.now.as_millis(), 20_000);
}

#[test]
fn an_invalid_setup_is_refused_by_a_reload_and_changes_nothing() {
    let mut h = Harness::standard();
    let before = h.engine.setup().clone();
    let mut next = before.clone();
    next.ranges.push(park_range("vip", "790", "810"));
    let err = reload(&mut h, next).unwrap_err();
    assert!(err.to_string().contains("overlaps range 'main'"), "{err}");
    assert_eq!(h.engine.setup(), &before);
}
