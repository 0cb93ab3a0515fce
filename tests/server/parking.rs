//! Park, retrieve, replay and retries over a real WebSocket, with the simulated switch.

use crate::support::*;
use parkdesk::engine::{EngineSetup, ParkPolicy, User};
use serde_json::{Value, json};

fn setup() -> EngineSetup {
    let user = |id: &str, name: &str, number: &str| User {
        id: id.into(),
        name: name.into(),
        numbers: vec![number.into()],
        voice_enabled: true,
        ..User::default()
    };
    EngineSetup {
        users: vec![
            user("reception", "Reception", "100"),
            user("alice", "Alice Martin", "201"),
            user("bob", "Bob Stone", "202"),
        ],
        policies: vec![ParkPolicy {
            allow_park: true,
            ..ParkPolicy::default()
        }],
        ..EngineSetup::default()
    }
}

async fn reception(url: &str) -> Peer {
    let (mut p, _) = Peer::hello(url, RECEPTION).await;
    let _ = p.ok("subscribe", json!({})).await;
    // The simulated reception phone answers quickly, so retrieves complete fast.
    p.ok(
        "sim.phone",
        json!({"user": "reception", "behaviour": "answer", "after_ms": 50}),
    )
    .await;
    p
}

async fn offer(p: &mut Peer, name: &str, number: &str) -> String {
    let ok = p
        .ok(
            "sim.offer",
            json!({"from": {"number": number, "name": name}, "to": "reception"}),
        )
        .await;
    ok["call"].as_str().expect("call id").to_string()
}

#[tokio::test]
async fn a_desk_call_is_parked_on_the_first_code_and_retrieved_to_the_desk() {
    let server = start(setup()).await;
    let mut p = reception(&server.url()).await;
    let call = offer(&mut p, "Ada Lovelace", "+442079460001").await;
    let offered = p.event("call.offered").await;
    assert_eq!(offered["data"]["call"], call);
    assert_eq!(offered["data"]["from"]["name"], "Ada Lovelace");

    let r = p.call("park", json!({"call": call, "for": "Grace"})).await;
    assert_eq!(r["ok"]["code"], "701", "{r}");
    assert_eq!(r["ok"]["spoken"], "seven zero one");
    assert!(r["ok"]["expires_at"].is_string());
    let seq = r["seq"]
        .as_u64()
        .expect("a state-changing reply carries seq");
    let started = p.event("park.started").await;
    assert!(started["seq"].as_u64().expect("seq") <= seq);
    assert_eq!(started["data"]["code"], "701");
    assert_eq!(started["data"]["for"], "Grace");
    assert_eq!(started["data"]["state"], "parked");
    assert_eq!(started["data"]["caller"]["number"], "+442079460001");

    let listed = p.ok("parked.list", json!({})).await;
    assert_eq!(listed["parked"][0]["code"], "701");

    let r = p.ok("retrieve", json!({"code": "701"})).await;
    assert_eq!(r["call"], call);
    let retrieving = p.event("park.retrieving").await;
    assert_eq!(retrieving["data"]["state"], "retrieving");
    let ended = p.event("park.ended").await;
    assert_eq!(ended["data"]["outcome"], "retrieved");
    assert_eq!(ended["data"]["by"], "reception");
    assert!(
        p.ok("parked.list", json!({})).await["parked"]
            .as_array()
            .expect("list")
            .is_empty()
    );
}

#[tokio::test]
async fn refused_parks_and_retrieves_get_typed_errors_and_change_nothing() {
    let server = start(setup()).await;
    let mut p = reception(&server.url()).await;
    let call = offer(&mut p, "Ada", "+15550100").await;
    assert_eq!(p.err("retrieve", json!({"code": "755"})).await, "not_found");
    assert_eq!(
        p.err("retrieve", json!({"code": "12345"})).await,
        "not_found"
    );
    assert_eq!(
        p.err("park", json!({"call": call, "code": "999"})).await,
        "bad_request"
    );
    assert_eq!(
        p.err("park", json!({"call": call, "timeout": 5})).await,
        "bad_request"
    );
    assert_eq!(
        p.err("park", json!({"call": call, "timeout": 1801})).await,
        "bad_request"
    );
    assert_eq!(
        p.err("transfer", json!({"call": call, "to": "+19005551234"}))
            .await,
        "forbidden"
    );
    assert!(
        p.ok("parked.list", json!({})).await["parked"]
            .as_array()
            .expect("list")
            .is_empty()
    );
    let r = p.ok("park", json!({"call": call, "code": "742"})).await;
    assert_eq!(r["code"], "742");
    let other = offer(&mut p, "Bob", "+15550101").await;
    assert_eq!(
        p.err("park", json!({"call": other, "code": "742"})).await,
        "code_taken"
    );
}

#[tokio::test]
async fn the_same_idempotency_key_parks_once_and_returns_the_first_result() {
    let server = start(setup()).await;
    let mut p = reception(&server.url()).await;
    let call = offer(&mut p, "Ada", "+15550100").await;
    let first = p
        .call_keyed("park", json!({"call": call}), Some("k-1"))
        .await;
    let again = p
        .call_keyed("park", json!({"call": call}), Some("k-1"))
        .await;
    assert_eq!(first["ok"], again["ok"]);
    assert_eq!(first["seq"], again["seq"]);
    let _ = p.event("park.started").await;
    let _ = p.ok("ping", json!({})).await;
    assert!(
        !p.events.iter().any(|e| e["event"] == "park.started"),
        "a retried park must not park twice"
    );
}

#[tokio::test]
async fn a_second_retrieve_of_a_code_being_retrieved_is_a_conflict_naming_who() {
    let server = start(setup()).await;
    let mut p = reception(&server.url()).await;
    p.ok(
        "sim.phone",
        json!({"user": "reception", "behaviour": "no_answer"}),
    )
    .await;
    let call = offer(&mut p, "Ada", "+15550100").await;
    let code = p.ok("park", json!({"call": call})).await["code"].clone();
    p.ok("retrieve", json!({"code": code})).await;
    let r = p.call("retrieve", json!({"code": code})).await;
    assert_eq!(r["error"]["code"], "conflict", "{r}");
    assert_eq!(r["error"]["data"]["by"], "reception");
}

#[tokio::test]
async fn a_reconnecting_client_gets_exactly_the_events_it_missed() {
    let server = start(setup()).await;
    let (mut watcher, hello) = Peer::hello(&server.url(), MONITOR).await;
    let epoch = hello["epoch"].clone();
    let sub = watcher.ok("subscribe", json!({})).await;
    let seen = sub["seq"].as_u64().expect("seq");
    drop(watcher);

    let mut p = reception(&server.url()).await;
    let call = offer(&mut p, "Ada", "+15550100").await;
    let last = p.call("park", json!({"call": call})).await["seq"]
        .as_u64()
        .expect("seq");

    let (mut back, _) = Peer::hello(&server.url(), MONITOR).await;
    let r = back
        .ok("subscribe", json!({"since": seen, "epoch": epoch}))
        .await;
    let n = r["replayed"].as_u64().expect("replayed, not a snapshot");
    assert_eq!(n, last - seen);
    let mut seqs = Vec::new();
    for _ in 0..n {
        let e = back.recv().await.expect("event");
        seqs.push(e["seq"].as_u64().expect("seq"));
    }
    assert_eq!(seqs, ((seen + 1)..=last).collect::<Vec<_>>());

    let (mut other, _) = Peer::hello(&server.url(), MONITOR).await;
    let r = other
        .ok("subscribe", json!({"since": seen, "epoch": "another-run"}))
        .await;
    assert!(
        r["snapshot"]["parked"].is_array(),
        "a new epoch means a fresh snapshot: {r}"
    );
}

#[tokio::test]
async fn a_snapshot_after_activity_carries_recent_events_for_the_log() {
    let server = start(setup()).await;
    let mut p = reception(&server.url()).await;
    let call = offer(&mut p, "Ada", "+15550100").await;
    p.ok("park", json!({"call": call})).await;
    let (mut late, _) = Peer::hello(&server.url(), MONITOR).await;
    let snap = late.ok("subscribe", json!({})).await["snapshot"].clone();
    let recent: Vec<&Value> = snap["recent"].as_array().expect("recent").iter().collect();
    assert!(
        recent.iter().any(|e| e["event"] == "park.started"),
        "{snap}"
    );
    assert_eq!(snap["parked"][0]["call"], call);
}

#[tokio::test]
async fn sim_offer_to_someone_outside_the_directory_is_forbidden() {
    let server = start(setup()).await;
    let mut p = reception(&server.url()).await;
    let r = p
        .call(
            "sim.offer",
            json!({"from": {"number": "1", "name": "x"}, "to": "+18005550000"}),
        )
        .await;
    assert_eq!(r["error"]["code"], "forbidden");
}
