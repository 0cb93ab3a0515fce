//! The real `parkdesk engine` process: drain on SIGTERM, `lost` parks after a crash.
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
async fn sigterm_drains_parked_calls_then_exits_zero_within_the_grace() {
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
    engine.signal("-TERM");
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
