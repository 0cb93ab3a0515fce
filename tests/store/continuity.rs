//! What a new run picks up from the last: the epoch, the heartbeat, the id numbers, and the
//! parks the last process left open, closed `lost` at its last heartbeat and never twice.

use parkdesk::engine::ParkOutcome;
use parkdesk::engine::switch::{CallId, Party};
use parkdesk::protocol::Timestamp;
use parkdesk::store::{ParkRecord, Store};

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_unix_millis(1_700_000_000_000 + seconds * 1000)
}

fn parked(call: &str, code: &str, t: i64) -> ParkRecord {
    ParkRecord {
        call: CallId(call.into()),
        code: code.into(),
        range: "main".into(),
        caller: Party {
            number: "+4930123456".into(),
            name: format!("Caller {call}"),
        },
        parked_by: "reception".into(),
        for_note: None,
        policy: "global".into(),
        parked_at: at(t),
    }
}

#[tokio::test]
async fn the_epoch_is_drawn_once_per_store_and_changes_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("parkdesk.db");
    let store = Store::open(&path).unwrap();
    let first = store.epoch().await.unwrap();
    assert!(!first.is_empty());
    assert_eq!(store.epoch().await.unwrap(), first);
    store.close().await.unwrap();

    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.epoch().await.unwrap(),
        first,
        "a reopen keeps the epoch"
    );
    let renewed = store.new_epoch().await.unwrap();
    assert_ne!(renewed, first, "a restored store gets a new one");
    assert_eq!(store.epoch().await.unwrap(), renewed);

    let a = Store::open_in_memory().unwrap().epoch().await.unwrap();
    let b = Store::open_in_memory().unwrap().epoch().await.unwrap();
    assert_ne!(a, b, "a store in memory is new every run");
}

#[tokio::test]
async fn the_last_heartbeat_survives_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("parkdesk.db");
    let store = Store::open(&path).unwrap();
    assert_eq!(store.last_alive().await.unwrap(), None);
    store.alive_at(at(1));
    store.alive_at(at(2));
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.last_alive().await.unwrap(), Some(at(2)));
}

#[tokio::test]
async fn each_run_gets_its_own_block_of_id_numbers_and_a_raised_floor_never_drops() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("parkdesk.db");
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.reserve_ids(1000).await.unwrap(),
        1,
        "a new store starts at 1"
    );
    // A crash: no close, the reservation is already written.
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.reserve_ids(1000).await.unwrap(), 1001);
    store.raise_id_floor(5000);
    store.raise_id_floor(3000);
    assert_eq!(store.reserve_ids(1000).await.unwrap(), 5000);
    assert_eq!(store.reserve_ids(1000).await.unwrap(), 6000);
}

#[tokio::test]
async fn open_parks_end_lost_at_the_heartbeat_except_the_kept_ones_and_never_twice() {
    let store = Store::open_in_memory().unwrap();
    store.park_started(parked("c-1", "701", 0));
    store.park_started(parked("c-2", "702", 5));
    // Parked after the last heartbeat (at 7): it cannot end before it started.
    store.park_started(parked("c-3", "703", 9));
    let kept = [CallId("c-2".into())];
    assert_eq!(
        store
            .close_open_parks_as_lost_except(at(7), &kept)
            .await
            .unwrap(),
        2
    );
    let history = store.history(None, 10).await.unwrap();
    let ended: Vec<_> = history
        .iter()
        .map(|e| (e.call.0.as_str(), e.outcome, e.ended_at))
        .collect();
    assert_eq!(
        ended,
        [
            ("c-1", ParkOutcome::Lost, at(7)),
            ("c-3", ParkOutcome::Lost, at(9))
        ]
    );
    // A later start closes what is still open, and only that.
    assert_eq!(store.close_open_parks_as_lost(at(20)).await.unwrap(), 1);
    assert_eq!(store.close_open_parks_as_lost(at(30)).await.unwrap(), 0);
    let history = store.history(None, 10).await.unwrap();
    assert_eq!(history.len(), 3);
    assert_eq!(
        history[0].ended_at,
        at(7),
        "c-1 is not closed a second time"
    );
    assert_eq!(
        (history[2].call.0.as_str(), history[2].ended_at),
        ("c-2", at(20))
    );
}
