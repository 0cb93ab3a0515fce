//! The directory round-trips through the store, in order, and merges with the configuration.

use parkdesk::engine::directory::PickupBy;
use parkdesk::engine::policy::Allocation;
use parkdesk::engine::{
    EngineSetup, Group, GroupAssignment, OrbitRange, ParkPolicy, RangeKind, User,
};
use parkdesk::store::Store;

fn range(name: &str, kind: RangeKind, start: &str, end: &str) -> OrbitRange {
    OrbitRange {
        name: name.into(),
        kind,
        start: start.into(),
        end: end.into(),
    }
}

fn user(id: &str, name: &str) -> User {
    User {
        id: id.into(),
        name: name.into(),
        numbers: vec!["+4930".into()],
        voice_enabled: true,
        ..Default::default()
    }
}

fn site() -> EngineSetup {
    EngineSetup {
        ranges: vec![
            range("teams", RangeKind::Park, "10", "99"),
            range("main", RangeKind::Park, "*100", "*199"),
            range("pickup", RangeKind::Pickup, "880", "899"),
        ],
        policies: vec![
            ParkPolicy {
                name: "global".into(),
                allow_park: true,
                ..Default::default()
            },
            ParkPolicy {
                name: "staff".into(),
                allocation: Allocation::Random,
                on_timeout: Some("reception".into()),
                caller_escape_digit: Some('#'),
                retrieve_ranges: vec!["main".into(), "teams".into()],
                ..Default::default()
            },
        ],
        users: vec![user("reception", "Front Desk"), user("alice", "Alice")],
        groups: vec![Group {
            id: "sales".into(),
            name: "Sales".into(),
            members: vec!["alice".into()],
            number: Some("881".into()),
            pickup_by: PickupBy::Anyone,
        }],
        assignments: vec![GroupAssignment {
            group: "sales".into(),
            policy: "staff".into(),
            rank: 1,
        }],
        allow_list: vec!["+4930555000".into(), "112".into()],
        ..EngineSetup::default()
    }
}

#[tokio::test]
async fn a_fresh_store_holds_no_directory_and_leaves_the_configuration_seed_in_place() {
    let store = Store::open_in_memory().unwrap();
    let stored = store.load_setup().await.unwrap();
    assert!(!stored.initialized);
    assert_eq!(stored.merge_into(site()), site());
}

#[tokio::test]
async fn a_saved_setup_loads_back_whole_and_in_order() {
    let store = Store::open_in_memory().unwrap();
    store.save_setup(&site()).await.unwrap();
    let stored = store.load_setup().await.unwrap();
    assert!(stored.initialized);
    let s = site();
    assert_eq!(stored.ranges, s.ranges);
    assert_eq!(stored.policies, s.policies);
    assert_eq!(stored.users, s.users);
    assert_eq!(stored.groups, s.groups);
    assert_eq!(stored.assignments, s.assignments);
    assert_eq!(stored.allow_list, s.allow_list);
}

#[tokio::test]
async fn saving_a_setup_replaces_every_table_and_forgets_what_it_lacks() {
    let store = Store::open_in_memory().unwrap();
    store.save_setup(&site()).await.unwrap();
    let mut smaller = site();
    smaller.users.retain(|u| u.id != "alice");
    smaller.groups.clear();
    smaller.assignments.clear();
    smaller.allow_list = vec!["999".into()];
    store.save_setup(&smaller).await.unwrap();
    let stored = store.load_setup().await.unwrap();
    assert_eq!(stored.users, smaller.users);
    assert!(stored.groups.is_empty() && stored.assignments.is_empty());
    assert_eq!(stored.allow_list, ["999"]);
    assert_eq!(stored.ranges, site().ranges);
}

#[tokio::test]
async fn a_stored_directory_wins_over_the_seed_but_numbering_stays_with_the_configuration() {
    let store = Store::open_in_memory().unwrap();
    store
        .save_setup(&EngineSetup {
            users: vec![user("bob", "Bob")],
            ..site()
        })
        .await
        .unwrap();
    let config = EngineSetup {
        park_extension: "*700".into(),
        retrieve_ring_time: 12,
        ..site()
    };
    let merged = store.load_setup().await.unwrap().merge_into(config);
    assert_eq!(merged.park_extension, "*700");
    assert_eq!(merged.retrieve_ring_time, 12);
    assert_eq!(merged.users, [user("bob", "Bob")]);
}

#[tokio::test]
async fn every_put_and_delete_round_trips_and_a_replaced_item_keeps_its_place() {
    let store = Store::open_in_memory().unwrap();
    store.put_range(range("a", RangeKind::Park, "10", "19"));
    store.put_range(range("b", RangeKind::Park, "20", "29"));
    store.put_range(range("a", RangeKind::Park, "30", "39"));
    store.put_policy(ParkPolicy {
        name: "p".into(),
        park_timeout: 60,
        ..Default::default()
    });
    store.put_policy(ParkPolicy {
        name: "q".into(),
        ..Default::default()
    });
    store.delete_policy("p");
    store.put_user(user("u1", "One"));
    store.put_user(user("u2", "Two"));
    store.delete_user("u1");
    store.put_user(user("u1", "One again"));
    store.put_group(Group {
        id: "g".into(),
        ..Default::default()
    });
    store.put_group(Group {
        id: "h".into(),
        ..Default::default()
    });
    store.delete_group("g");
    store.put_assignment(GroupAssignment {
        group: "h".into(),
        policy: "q".into(),
        rank: 2,
    });
    store.put_assignment(GroupAssignment {
        group: "h".into(),
        policy: "q".into(),
        rank: 1,
    });
    store.put_assignment(GroupAssignment {
        group: "x".into(),
        policy: "q".into(),
        rank: 3,
    });
    store.delete_assignment("x");
    store.allow_add("+1");
    store.allow_add("+2");
    store.allow_add("+1");
    store.allow_remove("+2");
    store.delete_range("nonexistent");
    store.flush().await.unwrap();

    let s = store.load_setup().await.unwrap();
    assert!(s.initialized);
    assert_eq!(
        s.ranges,
        [
            range("a", RangeKind::Park, "30", "39"),
            range("b", RangeKind::Park, "20", "29")
        ]
    );
    assert_eq!(
        s.policies
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        ["q"]
    );
    assert_eq!(s.users, [user("u2", "Two"), user("u1", "One again")]);
    assert_eq!(
        s.groups.iter().map(|g| g.id.as_str()).collect::<Vec<_>>(),
        ["h"]
    );
    assert_eq!(
        s.assignments,
        [GroupAssignment {
            group: "h".into(),
            policy: "q".into(),
            rank: 1
        }]
    );
    assert_eq!(s.allow_list, ["+1"]);
}

#[tokio::test]
async fn deleting_everything_still_counts_as_a_stored_directory() {
    let store = Store::open_in_memory().unwrap();
    store.put_user(user("u", "U"));
    store.delete_user("u");
    let stored = store.load_setup().await.unwrap();
    assert!(stored.initialized);
    assert!(stored.merge_into(site()).users.is_empty());
}
