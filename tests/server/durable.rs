//! Durable call state through the server: a parked call's record is in the store, with
//! wall-clock times, before `park.started` reaches a subscriber, and is gone when the park
//! ends.

use crate::support::*;
use parkdesk::engine::{EngineSetup, ParkPolicy, User};
use parkdesk::protocol::Timestamp;
use parkdesk::store::{DurableRow, Store};
use serde_json::{Value, json};
use std::time::Duration;

fn setup() -> EngineSetup {
    EngineSetup {
        users: vec![User {
            id: "reception".into(),
            name: "Reception".into(),
            numbers: vec!["100".into()],
            voice_enabled: true,
            ..User::default()
        }],
        policies: vec![ParkPolicy {
            allow_park: true,
            ..ParkPolicy::default()
        }],
        ..EngineSetup::default()
    }
}

fn unix_ms(text: &Value) -> i64 {
    Timestamp::parse(text.as_str().expect("a time"))
        .expect("RFC 3339")
        .unix_millis()
}

async fn rows(store: &Store) -> Vec<DurableRow> {
    store.load_durable().await.expect("the store reads").calls
}

#[tokio::test]
async fn a_parked_calls_record_is_stored_before_park_started_is_published_and_goes_when_it_ends() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("parkdesk.db");
    let store = Store::open(&path).expect("the store opens");
    let mut options = options(setup());
    options.store = Some(store.clone());
    let server = parkdesk::server::start_server(options)
        .await
        .expect("server starts");
    let mut desk = board(&server.url()).await;
    let offered = desk
        .ok(
            "sim.offer",
            json!({"from": {"number": "+442079460001", "name": "Ada"}, "to": "reception"}),
        )
        .await;
    let call = offered["call"].as_str().expect("call id").to_string();
    let offered_event = desk.event("call.offered").await;
    desk.ok(
        "sim.phone",
        json!({"user": "reception", "behaviour": "answer", "after_ms": 0}),
    )
    .await;

    // Another connection holds the database's write lock: the store cannot write yet.
    let lock = rusqlite::Connection::open(&path).expect("a second connection");
    lock.execute_batch("BEGIN EXCLUSIVE")
        .expect("the write lock");
    let parked = desk.ok("park", json!({"call": call})).await;
    let early = tokio::time::timeout(Duration::from_millis(500), desk.event("park.started")).await;
    assert!(
        early.is_err(),
        "park.started was published before its record was written: {early:?}"
    );
    lock.execute_batch("COMMIT").expect("the lock is let go");
    let started = desk.event("park.started").await;
    assert_eq!(started["data"]["code"], parked["code"]);

    let stored = rows(&store).await;
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0].call, call);
    let body: Value = serde_json::from_str(&stored[0].body).expect("JSON");
    assert_eq!(body["version"], 1);
    assert_eq!(body["park"]["code"], parked["code"]);
    assert_eq!(body["park"]["parked_by"], "reception");
    // Times are wall-clock (UTC ms), the same instants the wire shows.
    assert_eq!(
        body["park"]["parked_at"].as_i64(),
        Some(unix_ms(&started["data"]["parked_at"]))
    );
    assert_eq!(
        body["park"]["deadline"].as_i64(),
        Some(unix_ms(&parked["expires_at"]))
    );
    assert_eq!(
        body["started_at"].as_i64(),
        Some(unix_ms(&offered_event["data"]["started_at"]))
    );
    assert!((stored[0].updated_at - unix_ms(&started["at"])).abs() < 1000);

    desk.ok("hangup", json!({"call": call})).await;
    let ended = desk.event("park.ended").await;
    assert_eq!(ended["data"]["outcome"], "released");
    assert!(
        rows(&store).await.is_empty(),
        "the record goes with the park"
    );
}
