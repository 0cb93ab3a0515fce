//! The real `parkdesk engine` process: drain on SIGTERM, `lost` parks after a crash.
#![allow(clippy::disallowed_methods)] // a process test waits on wall time

mod support;

use serde_json::json;
use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};
use support::*;

fn config(dir: &Path, grace: u64) -> std::path::PathBuf {
    let path = dir.join("engine.toml");
    let db = dir.join("parkdesk.db");
    let text = format!(
        r#"
[server]
listen = "127.0.0.1:0"
shutdown_grace = {grace}

[store]
path = "{db}"

[log]
dir = "{logs}"

[sim]
enabled = true

[[tokens]]
token = "{RECEPTION}"
user = "reception"
roles = ["receptionist"]

[[tokens]]
token = "{MONITOR}"
user = "wallboard"
roles = ["monitor"]

[[users]]
id = "reception"
name = "Reception"
numbers = ["100"]
voice_enabled = true

[[policies]]
name = "global"
allow_park = true
"#,
        db = db.display(),
        logs = dir.join("logs").display(),
    );
    std::fs::write(&path, text).expect("write config");
    path
}

fn signal(child: &Child, sig: &str) {
    let status = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
}

fn wait_exit(child: &mut Child, within: Duration) -> Option<std::process::ExitStatus> {
    let start = Instant::now();
    while start.elapsed() < within {
        if let Some(status) = child.try_wait().expect("wait") {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
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
    let (mut child, url) = spawn_engine(&cfg);
    let (mut p, code) = park_one(&url).await;
    p.ok(
        "sim.phone",
        json!({"user": "reception", "behaviour": "no_answer"}),
    )
    .await;
    let started = Instant::now();
    signal(&child, "-TERM");
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
    let status = tokio::task::spawn_blocking(move || wait_exit(&mut child, Duration::from_secs(6)))
        .await
        .expect("join")
        .expect("exits within grace + 2 s");
    assert!(status.success(), "{status:?}");
    assert!(started.elapsed() < Duration::from_secs(5 + 1));

    // The history survived the restart.
    let (mut child, url) = spawn_engine(&cfg);
    let (mut p, _) = Peer::hello(&url, RECEPTION).await;
    let h = p.ok("history.list", json!({})).await;
    let entries = h["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 1, "{h}");
    assert_eq!(entries[0]["code"], code);
    assert_eq!(entries[0]["outcome"], "released");
    signal(&child, "-TERM");
    let _ = wait_exit(&mut child, Duration::from_secs(6));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_park_open_when_the_engine_died_is_recorded_as_lost_at_next_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = config(dir.path(), 3);
    let (mut child, url) = spawn_engine(&cfg);
    let (_p, code) = park_one(&url).await;
    // Give the store thread a moment to write the park, then kill without a drain.
    tokio::time::sleep(Duration::from_millis(300)).await;
    signal(&child, "-KILL");
    let _ = wait_exit(&mut child, Duration::from_secs(5));

    let (mut child, url) = spawn_engine(&cfg);
    let (mut p, _) = Peer::hello(&url, RECEPTION).await;
    let h = p.ok("history.list", json!({})).await;
    let entries = h["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 1, "{h}");
    assert_eq!(entries[0]["code"], code);
    assert_eq!(entries[0]["outcome"], "lost");
    signal(&child, "-TERM");
    let _ = wait_exit(&mut child, Duration::from_secs(6));
}
