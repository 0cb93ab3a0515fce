//! `engine.restart` and `engine.drain` over the WebSocket: admin only, handed to the
//! process's owner once; a restart (`ServerHandle::suspend`) sends `engine.restarting` and
//! leaves a parked call parked; a park while draining is refused with `internal`; a drain
//! relays a bridged call until the grace runs out.
#![allow(clippy::disallowed_methods)] // the grace is measured on wall time

use crate::support::*;
use parkdesk::engine::{EngineSetup, ParkPolicy, User};
use parkdesk::server::StopRequest;
use serde_json::json;
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

async fn offer(p: &mut Peer) -> String {
    let ok = p
        .ok(
            "sim.offer",
            json!({"from": {"number": "+15550100", "name": "Ada"}, "to": "reception"}),
        )
        .await;
    ok["call"].as_str().expect("call id").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_an_admin_may_restart_or_drain_and_a_second_request_is_a_conflict() {
    let mut server = start(setup()).await;
    let (mut desk, _) = Peer::hello(&server.url(), RECEPTION).await;
    assert_eq!(desk.err("engine.restart", json!({})).await, "forbidden");
    assert_eq!(desk.err("engine.drain", json!({})).await, "forbidden");
    let (mut admin, _) = Peer::hello(&server.url(), ADMIN).await;
    assert_eq!(
        admin.err("engine.drain", json!({"now": true})).await,
        "bad_request",
        "neither op takes args"
    );
    admin.ok("engine.drain", json!({})).await;
    let request = tokio::time::timeout(Duration::from_secs(2), server.stop_requested())
        .await
        .expect("the owner hears of it");
    assert_eq!(request, StopRequest::Drain);
    assert_eq!(admin.err("engine.restart", json!({})).await, "conflict");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_says_engine_restarting_and_leaves_a_parked_call_parked() {
    let store = parkdesk::store::Store::open_in_memory().expect("store");
    let mut opts = options(setup());
    opts.store = Some(store.clone());
    let server = parkdesk::server::start_server(opts)
        .await
        .expect("server starts");
    let (mut desk, _) = Peer::hello(&server.url(), RECEPTION).await;
    desk.ok("subscribe", json!({})).await;
    let call = offer(&mut desk).await;
    desk.ok("park", json!({"call": call})).await;
    desk.event("park.started").await;
    tokio::time::timeout(Duration::from_secs(2), server.suspend())
        .await
        .expect("a restart is prompt");
    let restarting = desk.event("engine.restarting").await;
    assert_eq!(restarting["data"], json!({}));
    for frame in &desk.events {
        assert!(
            !matches!(
                frame["event"].as_str(),
                Some("park.ringback" | "park.ended" | "engine.stopping")
            ),
            "a restart touches no call: {frame}"
        );
    }
    let history = store.history(None, 10).await.expect("history");
    assert!(history.is_empty(), "no park ended: {history:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_park_while_draining_is_refused_with_internal_saying_the_engine_is_draining() {
    let server = start(setup()).await;
    let (mut desk, _) = Peer::hello(&server.url(), RECEPTION).await;
    desk.ok("subscribe", json!({})).await;
    desk.ok(
        "sim.phone",
        json!({"user": "reception", "behaviour": "no_answer"}),
    )
    .await;
    let parked = offer(&mut desk).await;
    desk.ok("park", json!({"call": parked})).await;
    let waiting = offer(&mut desk).await;
    let drain = tokio::spawn(server.shutdown());
    desk.event("engine.stopping").await;
    let r = desk.call("park", json!({"call": waiting})).await;
    assert_eq!(r["error"]["code"], "internal", "{r}");
    let message = r["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("draining"), "{r}");
    tokio::time::timeout(Duration::from_secs(6), drain)
        .await
        .expect("the drain ends after the grace")
        .expect("join");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drain_lets_a_connected_call_go_on_until_the_grace_runs_out_then_releases_it() {
    let server = start(setup()).await;
    let (mut desk, _) = Peer::hello(&server.url(), RECEPTION).await;
    desk.ok("subscribe", json!({})).await;
    desk.ok(
        "sim.phone",
        json!({"user": "reception", "behaviour": "answer", "after_ms": 50}),
    )
    .await;
    // Parked, then retrieved to the desk phone (which answers): a call the engine bridges.
    let call = offer(&mut desk).await;
    let code = desk.ok("park", json!({"call": call})).await["code"].clone();
    desk.ok("retrieve", json!({"code": code})).await;
    let retrieved = desk.event("park.ended").await;
    assert_eq!(retrieved["data"]["outcome"], "retrieved", "{retrieved}");
    let started = std::time::Instant::now();
    let drain = tokio::spawn(server.shutdown());
    desk.event("engine.stopping").await;
    let ended = desk.event("call.ended").await;
    let after = started.elapsed();
    // The grace of `support::options` is 2 s: the call was relayed until then.
    assert!(
        after >= Duration::from_millis(1900),
        "a connected call is not cut before the grace: ended after {after:?}: {ended}"
    );
    tokio::time::timeout(Duration::from_secs(5), drain)
        .await
        .expect("the drain ends")
        .expect("join");
}
