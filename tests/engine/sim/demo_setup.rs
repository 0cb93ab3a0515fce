//! The demo's directory satisfies PROTOCOL.md `[demo]`: token users voice-enabled and
//! covered by a `global` policy on DESIGN's defaults that allows park; colleagues with
//! names and extensions; two pickup groups numbered from the default pickup range.

use parkdesk::engine::directory::{PickupBy, Role};
use parkdesk::engine::orbit::RangeKind;
use parkdesk::engine::policy::ParkPolicy;
use parkdesk::engine::{EngineSetup, Group, User};
use parkdesk::sim::{DemoDirectory, DemoGroup, demo_setup};
use std::collections::BTreeSet;

fn tokens() -> Vec<(String, Vec<Role>)> {
    vec![
        ("reception".into(), vec![Role::Receptionist]),
        ("wallboard".into(), vec![Role::Monitor]),
        ("pa-station".into(), vec![Role::Announcer]),
        ("admin".into(), vec![Role::Admin]),
        ("ben".into(), vec![Role::User]),
    ]
}

fn user<'a>(setup: &'a EngineSetup, id: &str) -> &'a User {
    setup
        .users
        .iter()
        .find(|u| u.id == id)
        .expect("the user is in the directory")
}

fn group<'a>(setup: &'a EngineSetup, id: &str) -> &'a Group {
    setup
        .groups
        .iter()
        .find(|g| g.id == id)
        .expect("the group is in the directory")
}

#[test]
fn every_token_user_is_voice_enabled() {
    let setup = demo_setup(&tokens());
    for (id, _) in tokens() {
        assert!(
            user(&setup, &id).voice_enabled,
            "{id} must be voice-enabled"
        );
    }
}

#[test]
fn a_token_user_the_demo_does_not_know_is_added_with_a_name_and_an_extension() {
    let setup = demo_setup(&tokens());
    let pa = user(&setup, "pa-station");
    assert_eq!(pa.name, "Pa Station");
    assert_eq!(pa.numbers, vec!["211".to_string()]);
    assert_eq!(user(&setup, "wallboard").numbers, vec!["210".to_string()]);
    assert_eq!(user(&setup, "admin").numbers, vec!["212".to_string()]);
}

#[test]
fn a_token_user_the_demo_knows_keeps_its_entry() {
    let setup = demo_setup(&tokens());
    let ben = user(&setup, "ben");
    assert_eq!(ben.name, "Ben Hartley");
    assert_eq!(ben.numbers, vec!["202".to_string()]);
    assert_eq!(setup.users.iter().filter(|u| u.id == "ben").count(), 1);
    assert_eq!(
        setup.users.iter().filter(|u| u.id == "reception").count(),
        1
    );
}

#[test]
fn the_global_policy_allows_park_and_otherwise_keeps_designs_defaults() {
    let setup = demo_setup(&tokens());
    assert_eq!(
        setup.policies,
        vec![ParkPolicy {
            allow_park: true,
            ..ParkPolicy::default()
        }]
    );
    assert_eq!(setup.policies[0].name, "global");
    assert!(
        setup.users.iter().all(|u| u.policy.is_none()),
        "everyone falls to global"
    );
    assert!(setup.assignments.is_empty());
}

#[test]
fn the_numbering_is_designs_default() {
    let setup = demo_setup(&[]);
    let default = EngineSetup::default();
    assert_eq!(setup.park_extension, default.park_extension);
    assert_eq!(setup.directed_prefix, default.directed_prefix);
    assert_eq!(setup.ranges, default.ranges);
    assert_eq!(setup.reception, "reception");
    assert_eq!(user(&setup, "reception").name, "Reception");
}

#[test]
fn eight_colleagues_have_names_extensions_and_voice() {
    let setup = demo_setup(&[]);
    let colleagues: Vec<&User> = setup.users.iter().filter(|u| u.id != "reception").collect();
    assert_eq!(colleagues.len(), 8);
    for colleague in colleagues {
        assert!(colleague.voice_enabled);
        assert!(
            colleague.name.contains(' '),
            "{} has a full name",
            colleague.id
        );
        assert_eq!(colleague.numbers.len(), 1);
    }
    let numbers: BTreeSet<&String> = setup.users.iter().flat_map(|u| &u.numbers).collect();
    let count: usize = setup.users.iter().map(|u| u.numbers.len()).sum();
    assert_eq!(numbers.len(), count, "no two users share a number");
}

#[test]
fn two_pickup_groups_take_880_and_881_from_the_pickup_range() {
    let setup = demo_setup(&[]);
    let pickup = setup
        .ranges
        .iter()
        .find(|r| r.kind == RangeKind::Pickup)
        .expect("a pickup range");
    let (start, end): (u32, u32) = (pickup.start.parse().unwrap(), pickup.end.parse().unwrap());
    for (id, number) in [("sales", "880"), ("workshop", "881")] {
        let group = group(&setup, id);
        assert_eq!(group.number.as_deref(), Some(number));
        assert!((start..=end).contains(&number.parse().unwrap()));
        assert_eq!(group.pickup_by, PickupBy::Members);
        assert_eq!(group.members.len(), 4);
        for member in &group.members {
            assert!(
                user(&setup, member).voice_enabled,
                "{member} is a voice-enabled user"
            );
        }
    }
    let sales: BTreeSet<&String> = group(&setup, "sales").members.iter().collect();
    let workshop: BTreeSet<&String> = group(&setup, "workshop").members.iter().collect();
    assert!(sales.is_disjoint(&workshop), "one pickup group each");
}

#[test]
fn no_user_number_collides_with_the_park_numbering() {
    let setup = demo_setup(&tokens());
    for number in setup.users.iter().flat_map(|u| &u.numbers) {
        assert_ne!(number, &setup.park_extension);
        assert!(!number.starts_with(&setup.directed_prefix));
        let n: u32 = number.parse().unwrap();
        for range in &setup.ranges {
            let (start, end): (u32, u32) =
                (range.start.parse().unwrap(), range.end.parse().unwrap());
            assert!(
                !(start..=end).contains(&n),
                "{number} is inside range {}",
                range.name
            );
        }
    }
}

#[test]
fn the_demo_directory_reads_the_setup() {
    let setup = demo_setup(&tokens());
    let directory = DemoDirectory::from_setup(&setup);
    assert_eq!(directory.reception, "reception");
    assert_eq!(directory.park_extension, "700");
    assert_eq!(directory.colleagues.len(), 8);
    assert!(!directory.colleagues.contains(&"reception".to_string()));
    assert_eq!(
        directory.pickup_groups[0],
        DemoGroup {
            id: "sales".into(),
            number: "880".into(),
            members: vec![
                "amara".into(),
                "ben".into(),
                "chen".into(),
                "dolores".into()
            ],
        }
    );
    assert_eq!(
        DemoDirectory::standard(),
        DemoDirectory::from_setup(&demo_setup(&[]))
    );
}

#[test]
fn a_group_without_a_number_or_members_is_not_a_demo_pickup_group() {
    let mut setup = demo_setup(&[]);
    setup.groups.push(Group {
        id: "board".into(),
        members: vec!["ben".into()],
        ..Group::default()
    });
    setup.groups.push(Group {
        id: "empty".into(),
        number: Some("882".into()),
        ..Group::default()
    });
    let directory = DemoDirectory::from_setup(&setup);
    let ids: Vec<&str> = directory
        .pickup_groups
        .iter()
        .map(|g| g.id.as_str())
        .collect();
    assert_eq!(ids, vec!["sales", "workshop"]);
}

#[test]
fn a_blank_token_user_is_ignored() {
    let setup = demo_setup(&[(" ".into(), vec![Role::Monitor])]);
    assert_eq!(setup.users.len(), 9);
}
