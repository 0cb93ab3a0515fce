//! The real `parkdesk engine` process: drain on SIGUSR1, a planned restart on SIGTERM,
//! `lost` parks after a crash.
#![allow(clippy::disallowed_methods)] // a process test waits on wall time

use crate::support::process::EngineProcess;
use crate::support::site::EngineConfig;
use crate::support::*;
use serde_json::json;
use std::path::Path;
use std::time::{Duration, Instant};

fn config(dir: &Path, grace: u64) -> std::path::PathBuf {
    EngineConfig::new(dir)
        .shutdown_grace(grace)
        .reception_desk()
        .write()
}

/// Whether the store file holds a park on `code` (read beside the running engine).
fn park_written(db: &Path, code: &str) -> bool {
    let Ok(conn) =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return false;
    };
    conn.query_row(
        "SELECT count(*) FROM parks WHERE code = ?1",
        [code],
        |row| row.get::<_, i64>(0),
    )
    .is_ok_and(|n| n > 0)
}

async fn park_one(url: &str) -> (Peer, String) {
    let (mut p, _) = Peer::hello(url, RECEPTION).await;
    p.ok("subscribe", json!({})).await;
    let call = p
        .ok(
            "sim.offer",
            json!({"from": {"number": "+15550100", "name": "Ada"}, "to": "reception"}),
        )
        .await["call"]
        .as_str()
        .expect("call")
        .to_string();
    let code = p.ok("park", json!({"call": call})).await["code"]
        .as_str()
        .expect("code")
        .to_string();
    (p, code)
}

#[tokio::test(flavor = "multi_thread")]
async fn sigusr1_drains_parked_calls_then_exits_zero_within_the_grace() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = config(dir.path(), 3);
    let mut engine = EngineProcess::start(&cfg);
    let url = engine.url.clone();
    let (mut p, code) = park_one(&url).await;
    p.ok(
        "sim.phone",
        json!({"user": "reception", "behaviour": "no_answer"}),
    )
    .await;
    let started = Instant::now();
    engine.signal("-USR1");
    let stopping = p.event("engine.stopping").await;
    assert_eq!(stopping["event"], "engine.stopping");
    let ringback = p.event("park.ringback").await;
    assert_eq!(
        ringback["data"]["code"], code,
        "parked calls are rung back at once"
    );
    let ended = p.event("park.ended").await;
    assert_eq!(
        ended["data"]["outcome"], "released",
        "nobody answered within the grace"
    );
    let status = tokio::task::spawn_blocking(move || engine.wait_exit(Duration::from_secs(6)))
        .await
        .expect("join")
        .expect("exits within grace + 2 s");
    assert!(status.success(), "{status:?}");
    assert!(started.elapsed() < Duration::from_secs(5 + 1));

    // The history survived the restart.
    let mut engine = EngineProcess::start(&cfg);
    let url = engine.url.clone();
    let (mut p, _) = Peer::hello(&url, RECEPTION).await;
    let h = p.ok("history.list", json!({})).await;
    let entries = h["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 1, "{h}");
    assert_eq!(entries[0]["code"], code);
    assert_eq!(entries[0]["outcome"], "released");
    engine.signal("-TERM");
    let _ = engine.wait_exit(Duration::from_secs(6));
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_leaves_parked_calls_alone_and_exits_zero_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = config(dir.path(), 30);
    let mut engine = EngineProcess::start(&cfg);
    let url = engine.url.clone();
    let (mut p, _code) = park_one(&url).await;
    let started = Instant::now();
    engine.signal("-TERM");
    let restarting = p.event("engine.restarting").await;
    assert_eq!(restarting["event"], "engine.restarting");
    let status = tokio::task::spawn_blocking(move || engine.wait_exit(Duration::from_secs(5)))
        .await
        .expect("join")
        .expect("exits");
    assert!(status.success(), "{status:?}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "no drain, no grace: {:?}",
        started.elapsed()
    );
    let seen: Vec<String> = std::iter::from_fn(|| p.events.pop())
        .map(|e| e["event"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(
        !seen
            .iter()
            .any(|e| e == "park.ringback" || e == "park.ended"),
        "a restart rings nobody back and ends no park: {seen:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn engine_restart_over_the_api_execs_the_engine_again_on_the_same_port() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = crate::support::site::free_port();
    let cfg = EngineConfig::new(dir.path())
        .listen(&format!("127.0.0.1:{port}"))
        .reception_desk()
        .admin_token()
        .write();
    let mut engine = EngineProcess::start(&cfg);
    let url = engine.url.clone();
    let pid = engine.id();
    let (mut admin, _) = Peer::hello(&url, "admin-secret").await;
    let (mut desk, _) = Peer::hello(&url, RECEPTION).await;
    desk.ok("subscribe", json!({})).await;
    admin.ok("engine.restart", json!({})).await;
    desk.event("engine.restarting").await;
    // The same process (exec keeps the pid) listens again on the same address.
    let back = poll::until_async(Duration::from_secs(10), || async {
        tokio_tungstenite::connect_async(&url).await.is_ok()
    })
    .await;
    assert!(back, "the engine came back on {url}");
    assert_eq!(engine.id(), pid);
    assert!(
        engine.wait_exit(Duration::from_millis(100)).is_none(),
        "still running"
    );
    let (mut desk, _) = Peer::hello(&url, RECEPTION).await;
    let health = desk.ok("health", json!({})).await;
    assert_eq!(health["draining"], false, "{health}");
    engine.signal("-TERM");
    let _ = engine.wait_exit(Duration::from_secs(5));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_park_open_when_the_engine_died_is_recorded_as_lost_at_next_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = config(dir.path(), 3);
    let mut engine = EngineProcess::start(&cfg);
    let url = engine.url.clone();
    let (_p, code) = park_one(&url).await;
    // Kill without a drain once the store thread has written the park.
    let db = dir.path().join("parkdesk.db");
    let _ = poll::until(Duration::from_secs(5), || park_written(&db, &code));
    engine.signal("-KILL");
    let _ = engine.wait_exit(Duration::from_secs(5));

    let mut engine = EngineProcess::start(&cfg);
    let url = engine.url.clone();
    let (mut p, _) = Peer::hello(&url, RECEPTION).await;
    let h = p.ok("history.list", json!({})).await;
    let entries = h["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 1, "{h}");
    assert_eq!(entries[0]["code"], code);
    assert_eq!(entries[0]["outcome"], "lost");
    engine.signal("-TERM");
    let _ = engine.wait_exit(Duration::from_secs(6));
}

#[tokio::test(flavor = "multi_thread")]
async fn parkdesk_engine_drain_asks_the_engine_with_the_admin_token_and_the_engine_exits_zero() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = EngineConfig::new(dir.path())
        .shutdown_grace(1)
        .reception_desk()
        .admin_token()
        .write();
    let mut engine = EngineProcess::start(&cfg);
    let url = engine.url.clone();
    let (mut desk, _) = Peer::hello(&url, RECEPTION).await;
    desk.ok("subscribe", json!({})).await;
    let refused = std::process::Command::new(crate::support::process::parkdesk())
        .args(["engine", "drain", "--engine", &url])
        .env("PARKDESK_TOKEN", RECEPTION)
        .output()
        .expect("run parkdesk engine drain");
    assert!(
        !refused.status.success(),
        "a receptionist may not drain the engine"
    );
    let asked = std::process::Command::new(crate::support::process::parkdesk())
        .args(["engine", "drain", "--engine", &url])
        .env("PARKDESK_TOKEN", "admin-secret")
        .output()
        .expect("run parkdesk engine drain");
    assert!(
        asked.status.success(),
        "{}",
        String::from_utf8_lossy(&asked.stderr)
    );
    assert!(String::from_utf8_lossy(&asked.stdout).contains("draining"));
    desk.event("engine.stopping").await;
    let status = tokio::task::spawn_blocking(move || engine.wait_exit(Duration::from_secs(6)))
        .await
        .expect("join")
        .expect("the drained engine exits");
    assert!(status.success(), "{status:?}");
}
