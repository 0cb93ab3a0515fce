//! Fire-and-forget writes are applied in the order sent, from any handle, and failures
//! surface at the next flush.

use parkdesk::engine::switch::CallId;
use parkdesk::engine::{ParkOutcome, User};
use parkdesk::protocol::Timestamp;
use parkdesk::store::{ParkEnded, Store, StoreError};
use proptest::prelude::*;

fn user(id: &str, name: &str) -> User {
    User {
        id: id.into(),
        name: name.into(),
        ..Default::default()
    }
}

#[derive(Debug, Clone)]
enum Step {
    Put(u8, u8),
    Delete(u8),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0u8..5, 0u8..4).prop_map(|(i, v)| Step::Put(i, v)),
        (0u8..5).prop_map(Step::Delete)
    ]
}

/// What the users table should hold after `steps`: insertion order, replacements in place.
fn model(steps: &[Step]) -> Vec<User> {
    let mut users: Vec<User> = Vec::new();
    for s in steps {
        match s {
            Step::Put(i, v) => {
                let u = user(&format!("u{i}"), &format!("v{v}"));
                match users.iter_mut().find(|x| x.id == u.id) {
                    Some(x) => *x = u,
                    None => users.push(u),
                }
            }
            Step::Delete(i) => users.retain(|x| x.id != format!("u{i}")),
        }
    }
    users
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn writes_from_two_handles_land_in_the_order_they_were_sent(
        steps in proptest::collection::vec(step(), 0..40)
    ) {
        let rt = runtime();
        let store = Store::open_in_memory().unwrap();
        let other = store.clone();
        for (n, s) in steps.iter().enumerate() {
            // Alternate handles: order is the order of sending, whichever handle sends.
            let h = if n % 2 == 0 { &store } else { &other };
            match s {
                Step::Put(i, v) => h.put_user(user(&format!("u{i}"), &format!("v{v}"))),
                Step::Delete(i) => h.delete_user(&format!("u{i}")),
            }
        }
        let stored = rt.block_on(store.load_setup()).unwrap();
        prop_assert_eq!(stored.users, model(&steps));
    }
}

#[tokio::test]
async fn a_read_sees_every_write_sent_before_it_without_a_flush() {
    let store = Store::open_in_memory().unwrap();
    for i in 0..2000 {
        store.allow_add(&format!("{i}"));
    }
    store.allow_remove("0");
    let stored = store.load_setup().await.unwrap();
    assert_eq!(stored.allow_list.len(), 1999);
    assert_eq!(stored.allow_list.first().map(String::as_str), Some("1"));
    assert_eq!(stored.allow_list.last().map(String::as_str), Some("1999"));
}

#[tokio::test]
async fn a_failed_write_is_reported_once_by_the_next_flush_and_the_others_still_land() {
    let store = Store::open_in_memory().unwrap();
    store.put_user(user("a", "A"));
    store.park_ended(ParkEnded {
        call: CallId("c-1".into()),
        code: "701".into(),
        outcome: ParkOutcome::Retrieved,
        by: None,
        ended_at: Timestamp::from_unix_millis(1),
    });
    store.put_user(user("b", "B"));
    match store.flush().await {
        Err(StoreError::WritesFailed { count: 1, first }) => {
            assert!(
                first.contains("no open park for call c-1 on code 701"),
                "{first}"
            )
        }
        other => panic!("expected one failure, got {other:?}"),
    }
    store.flush().await.unwrap();
    assert_eq!(
        store.load_setup().await.unwrap().users,
        [user("a", "A"), user("b", "B")]
    );
}

#[tokio::test]
async fn after_close_every_handle_gets_closed_and_writes_are_dropped() {
    let store = Store::open_in_memory().unwrap();
    let other = store.clone();
    store.put_user(user("a", "A"));
    store.close().await.unwrap();
    other.put_user(user("b", "B"));
    assert!(matches!(other.flush().await, Err(StoreError::Closed)));
    assert!(matches!(other.load_setup().await, Err(StoreError::Closed)));
}

#[tokio::test]
async fn closing_applies_everything_sent_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.db");
    let store = Store::open(&path).unwrap();
    for i in 0..300 {
        store.put_user(user(&format!("u{i:03}"), "x"));
    }
    store.close().await.unwrap();
    let store = Store::open(&path).unwrap();
    assert_eq!(store.load_setup().await.unwrap().users.len(), 300);
}

#[test]
fn a_store_handle_can_be_shared_across_tasks_and_threads() {
    fn shareable<T: Send + Sync + Clone + 'static>() {}
    shareable::<Store>();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_writing_at_once_lose_nothing_and_each_tasks_order_holds() {
    use parkdesk::engine::switch::Party;
    use parkdesk::store::ParkRecord;
    let store = Store::open_in_memory().unwrap();
    let mut tasks = Vec::new();
    for t in 0..4 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for n in 0..100 {
                let call = CallId(format!("c-{t}-{n}"));
                let code = format!("{}", 700 + n);
                store.park_started(ParkRecord {
                    call: call.clone(),
                    code: code.clone(),
                    range: "main".into(),
                    caller: Party::default(),
                    parked_by: format!("desk{t}"),
                    for_note: None,
                    policy: "global".into(),
                    parked_at: Timestamp::from_unix_millis(n),
                });
                // Ended right after being started, from the same task: must find its start.
                store.park_ended(ParkEnded {
                    call,
                    code,
                    outcome: ParkOutcome::Retrieved,
                    by: None,
                    ended_at: Timestamp::from_unix_millis(n + 1),
                });
            }
            store.flush().await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(store.history(None, usize::MAX).await.unwrap().len(), 400);
}
