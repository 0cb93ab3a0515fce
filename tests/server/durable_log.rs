//! The epoch names an unbroken history: on the same store a restarted engine keeps its
//! epoch, `seq` goes on, a console re-subscribing with `since` + `epoch` gets the missed
//! events replayed from the store's log (not a snapshot), and call and announcement ids never
//! repeat. Process-level faults with the real binary: a second engine on one store is
//! refused naming the first's pid; after SIGKILL a park left open (with no durable record to
//! carry it on) ends `lost` at the last heartbeat, not at the restart.
#![allow(clippy::disallowed_methods)] // the process tests wait on wall time

use crate::support::process::{EngineProcess, parkdesk};
use crate::support::site::EngineConfig;
use crate::support::*;
use parkdesk::engine::{EngineSetup, ParkPolicy, User};
use parkdesk::protocol::Timestamp;
use parkdesk::server::start_server;
use parkdesk::store::Store;
use serde_json::{Value, json};
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

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
        ],
        policies: vec![ParkPolicy {
            allow_park: true,
            ..ParkPolicy::default()
        }],
        ..EngineSetup::default()
    }
}

async fn offer(p: &mut Peer, name: &str) -> String {
    let ok = p
        .ok(
            "sim.offer",
            json!({"from": {"number": "+442079460001", "name": name}, "to": "reception"}),
        )
        .await;
    ok["call"].as_str().expect("call id").to_string()
}

fn seq(frame: &Value) -> u64 {
    frame["seq"].as_u64().expect("seq")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_restart_on_the_same_store_keeps_the_epoch_goes_on_with_seq_and_replays_what_was_missed()
{
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("parkdesk.db")).expect("store");
    let mut opts = options(setup());
    opts.store = Some(store.clone());
    opts.shutdown_grace = Duration::ZERO;

    let server = start_server(opts.clone()).await.expect("first run");
    let (mut desk, hello) = Peer::hello(&server.url(), RECEPTION).await;
    let epoch = hello["epoch"].as_str().expect("epoch").to_string();
    desk.ok("subscribe", json!({})).await;
    let (mut alice, _) = Peer::hello(&server.url(), ALICE).await;
    alice.ok("subscribe", json!({})).await;
    let first_call = offer(&mut desk, "Ada").await;
    desk.ok("park", json!({"call": first_call, "for": "alice"}))
        .await;
    let first_announcement =
        desk.ok("announce", json!({"text": "Hello"})).await["announcement"]["announcement"]
            .as_str()
            .expect("announcement id")
            .to_string();
    let seen = seq(&desk.event("park.started").await);
    let alice_seen = seq(&alice.event("park.started").await);
    drop(desk);
    drop(alice);
    // Missed by the console: another call, then the shutdown's events.
    let (mut other, _) = Peer::hello(&server.url(), RECEPTION).await;
    other.ok("subscribe", json!({})).await;
    offer(&mut other, "Grace").await;
    let last_before = seq(&other.event("call.offered").await);
    drop(other);
    server.shutdown().await;

    // A replay buffer of 4: the console's missed events are older, so they come from the
    // store's log; the buffer starts with the newest events of the run before.
    opts.task.event_buffer = 4;
    let server = start_server(opts).await.expect("second run");
    let (mut fresh, _) = Peer::hello(&server.url(), RECEPTION).await;
    let ok = fresh.ok("subscribe", json!({})).await;
    let recent = ok["snapshot"]["recent"].as_array().expect("recent");
    assert!(
        recent.iter().any(|e| e["event"] == "park.ended"),
        "a snapshot's recent activity survives the restart: {ok}"
    );
    let (mut desk, hello) = Peer::hello(&server.url(), RECEPTION).await;
    assert_eq!(
        hello["epoch"],
        epoch.as_str(),
        "the epoch survives the restart"
    );
    let ok = desk
        .ok("subscribe", json!({"since": seen, "epoch": epoch}))
        .await;
    assert!(
        ok.get("snapshot").is_none(),
        "a replay, not a snapshot: {ok}"
    );
    let replayed = ok["replayed"].as_u64().expect("replayed");
    let last = ok["seq"].as_u64().expect("seq");
    assert!(last >= last_before, "seq went on: {last} < {last_before}");
    assert_eq!(
        replayed,
        last - seen,
        "a receptionist gets every missed event"
    );
    assert!(
        replayed > 4,
        "more than the buffer holds: read from the store's log"
    );
    let mut frames = Vec::new();
    for _ in 0..replayed {
        frames.push(desk.recv().await.expect("a replayed event"));
    }
    let seqs: Vec<u64> = frames.iter().map(seq).collect();
    assert_eq!(seqs, (seen + 1..=last).collect::<Vec<_>>());
    assert!(
        frames.iter().any(|f| f["event"] == "engine.stopping"),
        "the shutdown's events are replayed too"
    );

    // A user's replay from the log is filtered as the live stream is.
    let (mut alice, _) = Peer::hello(&server.url(), ALICE).await;
    let ok = alice
        .ok("subscribe", json!({"since": alice_seen, "epoch": epoch}))
        .await;
    assert!(ok.get("snapshot").is_none(), "{ok}");
    let alice_replayed = ok["replayed"].as_u64().expect("replayed");
    assert!(
        alice_replayed < replayed,
        "alice sees only what concerns her"
    );
    for _ in 0..alice_replayed {
        let frame = alice.recv().await.expect("a replayed event");
        assert_ne!(frame["event"], "call.offered", "not alice's call: {frame}");
    }

    // The first new event goes on from the last one; ids do not repeat.
    let call = offer(&mut desk, "Linus").await;
    assert_ne!(call, first_call);
    let offered = desk.event("call.offered").await;
    assert_eq!(seq(&offered), last + 1);
    let announcement =
        desk.ok("announce", json!({"text": "Hello"})).await["announcement"]["announcement"]
            .as_str()
            .expect("announcement id")
            .to_string();
    assert_ne!(announcement, first_announcement);
    assert!(call.starts_with("c-") && announcement.starts_with("a-"));

    // A `since` from the future, or of another epoch, gets a snapshot.
    let (mut late, _) = Peer::hello(&server.url(), RECEPTION).await;
    let ok = late
        .ok("subscribe", json!({"since": last + 100, "epoch": epoch}))
        .await;
    assert!(ok.get("snapshot").is_some(), "{ok}");
    let (mut stranger, _) = Peer::hello(&server.url(), RECEPTION).await;
    let ok = stranger
        .ok("subscribe", json!({"since": seen, "epoch": "another"}))
        .await;
    assert!(ok.get("snapshot").is_some(), "{ok}");
    server.shutdown().await;
}

/// The Unix milliseconds now.
fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_millis() as i64
}

/// A number from the store's `meta`, read beside the running engine.
fn meta(db: &Path, key: &str) -> Option<i64> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .ok()?;
    conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| {
        r.get::<_, String>(0)
    })
    .ok()?
    .parse()
    .ok()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_engine_on_the_same_store_refuses_to_start_naming_the_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = EngineConfig::new(dir.path()).reception_desk().write();
    let first = EngineProcess::start(&cfg);
    let second = std::process::Command::new(parkdesk())
        .args(["engine", "--config"])
        .arg(&cfg)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run a second engine");
    assert!(!second.status.success(), "{:?}", second.status);
    let said = String::from_utf8_lossy(&second.stderr);
    assert!(
        said.contains(&format!("in use by parkdesk pid {}", first.id())),
        "{said}"
    );
    // The first one still serves.
    let (_p, hello) = Peer::hello(&first.url, RECEPTION).await;
    assert!(hello["epoch"].is_string());
    first.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn after_sigkill_a_park_no_record_carries_on_ends_lost_at_the_last_heartbeat_and_ids_go_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = EngineConfig::new(dir.path()).reception_desk().write();
    let db = dir.path().join("parkdesk.db");
    let mut engine = EngineProcess::start(&cfg);
    let (mut p, hello) = Peer::hello(&engine.url, RECEPTION).await;
    let epoch = hello["epoch"].as_str().expect("epoch").to_string();
    p.ok("subscribe", json!({})).await;
    let call = offer(&mut p, "Ada").await;
    let code = p.ok("park", json!({"call": call})).await["code"]
        .as_str()
        .expect("code")
        .to_string();
    let parked_at = unix_now();
    // A heartbeat after the park is in the store: the engine was alive with it parked.
    let beat = poll::find(Duration::from_secs(5), || {
        meta(&db, "alive_at").filter(|at| *at >= parked_at)
    });
    assert!(beat.is_some(), "no heartbeat within 5 s of the park");
    engine.signal("-KILL");
    let killed_at = unix_now();
    let _ = engine.wait_exit(Duration::from_secs(5));
    let last_alive = meta(&db, "alive_at").expect("a heartbeat");
    assert!(
        killed_at - last_alive <= 2000,
        "the last heartbeat is {} ms before the kill",
        killed_at - last_alive
    );

    // The park's durable record is gone (never written, or removed): nothing carries it
    // on, so the start closes it `lost` in the history.
    rusqlite::Connection::open(&db)
        .expect("the store")
        .execute("DELETE FROM durable_calls", [])
        .expect("records removed");
    let restarted_at = unix_now();
    let mut engine = EngineProcess::start(&cfg);
    let (mut p, hello) = Peer::hello(&engine.url, RECEPTION).await;
    // The park ended with no event, so replaying the log cannot bring a console up to date.
    let renewed = hello["epoch"].as_str().expect("epoch").to_string();
    assert_ne!(renewed, epoch, "a park closed lost starts a new history");
    let h = p.ok("history.list", json!({})).await;
    let entries = h["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 1, "{h}");
    assert_eq!(entries[0]["code"], code.as_str());
    assert_eq!(entries[0]["outcome"], "lost");
    let ended = Timestamp::parse(entries[0]["ended_at"].as_str().expect("ended_at"))
        .expect("a time")
        .unix_millis();
    assert_eq!(ended, last_alive, "stamped with the last heartbeat");
    assert!(ended < restarted_at, "not with the restart time");
    // The next call's id is new, though the crash left no time to say so.
    let ok = p.ok("subscribe", json!({})).await;
    let seen = ok["seq"].as_u64().expect("seq");
    let next = offer(&mut p, "Grace").await;
    assert_ne!(next, call);
    let offered = seq(&p.event("call.offered").await);
    assert_eq!(offered, seen + 1);
    // Logged by the time the heartbeat after it is: then a crash with nothing parked.
    let logged_at = unix_now();
    let beat = poll::find(Duration::from_secs(5), || {
        meta(&db, "alive_at").filter(|at| *at >= logged_at + 100)
    });
    assert!(beat.is_some(), "no heartbeat within 5 s");
    engine.signal("-KILL");
    let _ = engine.wait_exit(Duration::from_secs(5));
    let engine = EngineProcess::start(&cfg);
    let (mut p, hello) = Peer::hello(&engine.url, RECEPTION).await;
    assert_eq!(
        hello["epoch"],
        renewed.as_str(),
        "a crash with nothing lost keeps the epoch"
    );
    let ok = p
        .ok("subscribe", json!({"since": seen, "epoch": renewed}))
        .await;
    assert!(
        ok.get("snapshot").is_none(),
        "replayed after the crash: {ok}"
    );
    // Everything logged before the crash (the offer, and what the phone did since).
    let last = ok["seq"].as_u64().expect("seq");
    assert!(last >= offered, "seq goes on from the log");
    assert_eq!(ok["replayed"].as_u64(), Some(last - seen));
    let frame = p.recv().await.expect("the replayed offer");
    assert_eq!(seq(&frame), offered);
    assert_eq!(frame["event"], "call.offered");
    assert_eq!(frame["data"]["call"], next.as_str());
    engine.stop();
}
