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

/// What a previous process left in the store: call `s-1` parked by the desk at 20 s on its
/// clock (which started at `origin`), with its park in the history.
async fn left_behind(store: &Store, origin: i64) -> Vec<DurableRow> {
    use parkdesk::engine::switch::{LegId, Party, SwitchEvent};
    use parkdesk::engine::{Actor, CallId, Command, DurableChange, Engine, Instant, Role};
    let before = parkdesk::protocol::UtcClock {
        origin_unix_ms: origin,
    };
    let mut engine = Engine::new(setup(), 7, Instant::ZERO).expect("setup");
    let call = CallId("s-1".into());
    engine.handle_switch(
        Instant(10_000),
        SwitchEvent::Offered {
            call: call.clone(),
            from: Party {
                number: "+442079460001".into(),
                name: "Ada".into(),
            },
            to: "reception".into(),
            line: "reception".into(),
        },
    );
    engine.handle_switch(
        Instant(11_000),
        SwitchEvent::Answered {
            call: call.clone(),
            leg: LegId::Line,
        },
    );
    let desk = Actor {
        user: "reception".into(),
        roles: vec![Role::Receptionist],
    };
    let park = parkdesk::engine::command::ParkArgs {
        call: call.clone(),
        code: None,
        for_note: None,
        announce: None,
        timeout: None,
    };
    engine
        .handle_command(Instant(20_000), &desk, Command::Park(park))
        .expect("parked");
    let parked = engine.parked().remove(0);
    store.park_started(parkdesk::store::ParkRecord::from_parked(&parked, &before));
    store.park_started(parkdesk::store::ParkRecord {
        call: CallId("s-2".into()),
        code: "702".into(),
        ..parkdesk::store::ParkRecord::from_parked(&parked, &before)
    });
    let mut rows = Vec::new();
    while let Some(change) = engine.poll_durable() {
        if let DurableChange::Put(record) = change {
            rows.push(parkdesk::server::engine_task::durable::row(
                &record,
                &before,
                Instant(20_000),
            ));
        }
    }
    // A second row, cut off mid-write.
    rows.push(DurableRow {
        call: "s-2".into(),
        leg: String::new(),
        body: r#"{"version":1,"call":"s-2","park":{"code":"702","ran"#.into(),
        updated_at: origin + 20_000,
    });
    for row in &rows {
        store.put_durable_call(row.clone());
    }
    rows
}

#[tokio::test]
async fn a_new_engine_task_restores_the_parked_calls_and_ends_a_broken_row_lost() {
    use parkdesk::engine::{Actor, CallId, Engine, Role};
    use parkdesk::protocol::op::{Op, QueryOp};
    use parkdesk::runtime::DriverClock;
    use parkdesk::server::engine_task::durable::oldest_time;
    use parkdesk::server::engine_task::{EngineHandle, EngineTask, OpRequest};
    let store = Store::open_in_memory().expect("store");
    let now = DriverClock::start().utc_now().unix_millis();
    // The previous process started 2 min ago.
    let rows = left_behind(&store, now - 120_000).await;
    let oldest = oldest_time(&rows).expect("a readable row");
    assert_eq!(
        oldest,
        now - 110_000,
        "the call was offered 10 s into that run"
    );
    let clock = DriverClock::start_reaching_back(oldest);
    let engine = Engine::new(setup(), 7, clock.now()).expect("setup");
    let settings = options(setup()).task;
    let mut task = EngineTask::new(
        engine,
        clock,
        "epoch".into(),
        tokens(),
        Some(store.clone()),
        settings,
        Default::default(),
    );
    let report = task.restore_calls(&rows);
    assert_eq!(report.restored, [CallId("s-1".into())]);
    assert_eq!(report.lost.len(), 1);
    assert_eq!(report.lost[0].0, CallId("s-2".into()));
    let (handle, rx) = EngineHandle::channel(8);
    tokio::spawn(task.run(rx));
    let desk = Actor {
        user: "reception".into(),
        roles: vec![Role::Receptionist],
    };
    let list = OpRequest::from_op(Op::Query(QueryOp::ParkedList));
    let result = handle
        .op(desk, list, None)
        .await
        .expect("the task runs")
        .await
        .expect("an answer");
    let parked = result.result.expect("parked.list")["parked"].clone();
    assert_eq!(parked.as_array().map(Vec::len), Some(1), "{parked}");
    assert_eq!(parked[0]["code"], "701");
    assert_eq!(parked[0]["call"], "s-1");
    // Its clock goes on: parked 100 s ago, 300 s to ring-back.
    assert_eq!(unix_ms(&parked[0]["parked_at"]), now - 100_000);
    assert_eq!(unix_ms(&parked[0]["expires_at"]), now + 200_000);

    store.flush().await.expect("written");
    let history = store.history(None, 10).await.expect("history");
    let lost: Vec<_> = history
        .iter()
        .map(|h| (h.call.0.as_str(), h.code.as_str(), h.outcome.as_str()))
        .collect();
    assert_eq!(lost, [("s-2", "702", "lost")]);
    let left: Vec<String> = rows_of(&store).await;
    assert_eq!(
        left,
        ["s-1"],
        "the lost call's row is gone, the restored one's kept"
    );
}

async fn rows_of(store: &Store) -> Vec<String> {
    rows(store).await.into_iter().map(|r| r.call).collect()
}

#[tokio::test]
async fn while_the_store_cannot_write_parks_are_refused_and_calls_already_parked_go_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("parkdesk.db");
    let store = Store::open(&path).expect("the store opens");
    let mut options = options(setup());
    options.store = Some(store.clone());
    let server = parkdesk::server::start_server(options)
        .await
        .expect("server starts");
    let mut desk = board(&server.url()).await;
    let offer = json!({"from": {"number": "+442079460001", "name": "Ada"}, "to": "reception"});
    let first = desk.ok("sim.offer", offer.clone()).await;
    let parked = desk.ok("park", json!({"call": first["call"]})).await;
    desk.event("park.started").await;

    // Another connection takes the write lock and keeps it past the busy timeout: the
    // store's next transaction fails.
    let lock = rusqlite::Connection::open(&path).expect("a second connection");
    lock.execute_batch("BEGIN EXCLUSIVE")
        .expect("the write lock");
    let second = desk.ok("sim.offer", offer.clone()).await;
    assert!(
        poll::until_async(Duration::from_secs(15), || async { !store.writable() }).await,
        "the store's write failed while the lock was held"
    );
    let refused = desk.call("park", json!({"call": second["call"]})).await;
    assert_eq!(refused["error"]["code"], "internal", "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("store cannot write")),
        "{refused}"
    );
    let list = desk.ok("parked.list", json!({})).await;
    let codes: Vec<&Value> = list["parked"]
        .as_array()
        .expect("parked")
        .iter()
        .map(|p| &p["code"])
        .collect();
    assert_eq!(
        codes,
        vec![&parked["code"]],
        "the call parked before goes on; no new one"
    );

    // The lock goes: the next write succeeds and parks are taken again.
    lock.execute_batch("COMMIT").expect("the lock is let go");
    desk.ok("sim.offer", offer).await;
    assert!(
        poll::until_async(Duration::from_secs(15), || async { store.writable() }).await,
        "the store writes again"
    );
    let again = desk.ok("park", json!({"call": second["call"]})).await;
    assert_ne!(again["code"], parked["code"]);
}
