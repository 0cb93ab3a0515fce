//! Running the engine as a service, with the real binary: reload (SIGHUP, `admin reload`),
//! systemd's notifications on a real unix datagram socket, backup and restore of the store,
//! and the HTTP health and metrics endpoint.
#![allow(clippy::disallowed_methods)] // process tests wait on wall time

use crate::support::process::{EngineProcess, parkdesk};
use crate::support::site::{EngineConfig, free_port};
use crate::support::{ADMIN, Peer, RECEPTION, poll};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// The reception desk with the admin token, as `EngineConfig` writes it, plus `extra`.
fn desk(dir: &Path, extra: &str) -> EngineConfig {
    EngineConfig::new(dir)
        .shutdown_grace(1)
        .admin_token()
        .reception_desk()
        .section(extra)
}

fn admin(url: &str, args: &[&str]) -> Output {
    Command::new(parkdesk())
        .args(["admin", "--engine", url])
        .args(args)
        .env("PARKDESK_TOKEN", ADMIN)
        .output()
        .expect("admin runs")
}

/// `parkdesk --config CONFIG admin ARGS` (backup and restore need no engine).
fn admin_on_file(config: &Path, args: &[&str]) -> Output {
    Command::new(parkdesk())
        .arg("--config")
        .arg(config)
        .arg("admin")
        .args(args)
        .output()
        .expect("admin runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Offers a call to the reception line and parks it; its code.
async fn park_one(p: &mut Peer) -> String {
    let call = p
        .ok(
            "sim.offer",
            json!({"from": {"number": "+15550100", "name": "Ada"}, "to": "reception"}),
        )
        .await["call"]
        .as_str()
        .expect("call")
        .to_string();
    p.ok("park", json!({"call": call})).await["code"]
        .as_str()
        .expect("code")
        .to_string()
}

async fn parked_codes(url: &str) -> Vec<String> {
    let (mut p, _) = Peer::hello(url, RECEPTION).await;
    let list = p.ok("parked.list", json!({})).await;
    list["parked"]
        .as_array()
        .expect("parked")
        .iter()
        .map(|x| x["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Whether `token` is accepted now.
async fn accepted(url: &str, token: &str) -> bool {
    let mut p = Peer::connect(url).await;
    let r = p
        .call(
            "hello",
            json!({"token": token, "client": "test", "protocol": 1}),
        )
        .await;
    r.get("ok").is_some()
}

#[tokio::test(flavor = "multi_thread")]
async fn sighup_applies_a_new_token_and_user_and_the_parked_call_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = desk(dir.path(), "").write();
    let engine = EngineProcess::start(&cfg);
    let url = engine.url.clone();
    let (mut p, _) = Peer::hello(&url, RECEPTION).await;
    let code = park_one(&mut p).await;
    assert!(!accepted(&url, "late-secret").await);

    desk(
        dir.path(),
        r#"
[[users]]
id = "zoe"
name = "Zoe Zimmer"
numbers = ["109"]
voice_enabled = true

[[tokens]]
token = "late-secret"
user = "zoe"
roles = ["receptionist"]
"#,
    )
    .write();
    engine.signal("-HUP");
    let deadline = Instant::now() + Duration::from_secs(5);
    while !accepted(&url, "late-secret").await {
        assert!(
            Instant::now() < deadline,
            "the new token was never accepted"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (mut zoe, hello) = Peer::hello(&url, "late-secret").await;
    assert_eq!(hello["user"], "zoe");
    let found = zoe.ok("directory.search", json!({"query": "Zoe"})).await;
    assert_eq!(found["users"][0]["id"], "zoe", "{found}");
    assert_eq!(
        parked_codes(&url).await,
        std::slice::from_ref(&code),
        "no call was dropped"
    );
    // The old session lives on, and its park is still retrievable.
    assert_eq!(
        p.ok("parked.list", json!({})).await["parked"][0]["code"],
        code
    );
    engine.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn admin_reload_refuses_an_orphaning_or_invalid_config_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = desk(dir.path(), "").write();
    let engine = EngineProcess::start(&cfg);
    let url = engine.url.clone();
    let (mut p, _) = Peer::hello(&url, RECEPTION).await;
    let code = park_one(&mut p).await;
    assert_eq!(code, "701");

    // The range shrinks past the parked code.
    desk(
        dir.path(),
        r#"
[[ranges]]
name = "main"
kind = "park"
start = "750"
end = "799"
"#,
    )
    .write();
    let o = admin(&url, &["reload"]);
    assert!(!o.status.success(), "refused: {}", text(&o.stdout));
    let said = text(&o.stderr);
    assert!(
        said.contains("range 'main'") && said.contains("code 701"),
        "{said}"
    );

    // A file `config check` refuses: the same words, file and line.
    desk(
        dir.path(),
        "\n[[policies]]\nname = \"desk\"\npark_timeout = 5\n",
    )
    .write();
    let check = Command::new(parkdesk())
        .args(["config", "check"])
        .arg(&cfg)
        .output()
        .expect("config check runs");
    let checked = text(&check.stderr);
    assert!(checked.contains("engine.toml:"), "{checked}");
    let o = admin(&url, &["reload"]);
    assert!(!o.status.success());
    let said = text(&o.stderr);
    assert!(said.contains(checked.trim()), "{said}\nvs\n{checked}");

    // Nothing changed: the call is parked on its code, the range as it was.
    assert_eq!(parked_codes(&url).await, ["701"]);
    let o = admin(&url, &["--json", "ranges", "list"]);
    let ranges: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(ranges["ranges"][0]["start"], "701", "{ranges}");

    // A good file applies, and says what changed.
    std::fs::write(
        &cfg,
        format!(
            "allow_list = [\"+15550199\"]\n{}",
            desk(dir.path(), "").text()
        ),
    )
    .expect("write");
    let o = admin(&url, &["reload"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("allow_list"),
        "{}",
        text(&o.stdout)
    );
    engine.stop();
}

/// The next datagram on `socket` that is not a watchdog ping, within 5 s.
fn next_state(socket: &UnixDatagram) -> String {
    let mut buf = [0u8; 512];
    loop {
        let n = socket.recv(&mut buf).expect("a notification within 5 s");
        let state = text(&buf[..n]);
        if !state.starts_with("WATCHDOG=1") {
            return state;
        }
    }
}

#[test]
fn systemd_hears_ready_the_watchdog_reloading_and_stopping() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = desk(dir.path(), "").write();
    let path = dir.path().join("notify.sock");
    let socket = UnixDatagram::bind(&path).expect("bind the notify socket");
    socket
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let notify = path.display().to_string();
    let mut engine = EngineProcess::start_with_env(
        &cfg,
        &[("NOTIFY_SOCKET", &notify), ("WATCHDOG_USEC", "200000")],
    );
    assert!(next_state(&socket).starts_with("READY=1"));
    // Pings every 100 ms: two arrive well within a second.
    let mut pings = 0;
    let mut buf = [0u8; 512];
    let started = Instant::now();
    while pings < 2 {
        let n = socket.recv(&mut buf).expect("a watchdog ping");
        pings += usize::from(&buf[..n] == b"WATCHDOG=1");
    }
    assert!(started.elapsed() < Duration::from_secs(2));
    engine.signal("-HUP");
    assert!(next_state(&socket).starts_with("RELOADING=1"));
    assert!(next_state(&socket).starts_with("READY=1"));
    engine.signal("-TERM");
    assert!(next_state(&socket).starts_with("STOPPING=1"));
    assert!(engine.wait_exit(Duration::from_secs(10)).is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_taken_while_running_restores_the_directory_and_history_into_a_new_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = desk(dir.path(), "").write();
    let engine = EngineProcess::start(&cfg);
    let url = engine.url.clone();
    let o = admin(&url, &["users", "set", "id=zoe", "name=Zoe Zimmer"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let (mut p, _) = Peer::hello(&url, RECEPTION).await;
    let code = park_one(&mut p).await;
    let call = p.ok("parked.list", json!({})).await["parked"][0]["call"].clone();
    p.ok("sim.hangup", json!({"call": call})).await;
    // The park ends with the hang-up; its history row is written in order behind it.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let ended = p.ok("history.list", json!({})).await;
        if ended["entries"].as_array().map(Vec::len) == Some(1) {
            break;
        }
        assert!(Instant::now() < deadline, "the park never ended: {ended}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let backup = dir.path().join("backup.db");
    let o = admin_on_file(&cfg, &["backup", &backup.display().to_string()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("backed up"), "{}", text(&o.stdout));

    // Restoring over the store of a running engine is refused.
    let o = admin_on_file(&cfg, &["restore", &backup.display().to_string()]);
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("in use"), "{}", text(&o.stderr));
    engine.stop();

    // The backup carries an epoch, as a store that ran does: the restore must drop it.
    let conn = rusqlite::Connection::open(&backup).expect("open backup");
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('epoch', 'old')",
        [],
    )
    .expect("epoch");
    drop(conn);

    let other = tempfile::tempdir().expect("tempdir");
    let restored_cfg = EngineConfig::new(other.path()).write();
    let o = admin_on_file(&restored_cfg, &["restore", &backup.display().to_string()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let db = other.path().join("parkdesk.db");
    let store = parkdesk::store::Store::open(&db).expect("open restored");
    let setup = store.load_setup().await.expect("directory");
    assert!(
        setup.users.iter().any(|u| u.id == "zoe"),
        "{:?}",
        setup.users
    );
    let history = store.history(None, 10).await.expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].code, code);
    store.close().await.expect("close");
    let conn = rusqlite::Connection::open(&db).expect("open restored");
    let epoch: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'epoch'", [], |r| {
            r.get(0)
        })
        .ok();
    assert_eq!(epoch, None, "the next start draws a new epoch");
}

/// `METHOD PATH` on `addr`: the status code and the body.
fn http(addr: &str, method: &str, path: &str) -> (u16, String) {
    let mut stream = std::net::TcpStream::connect(addr).expect("connect http");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// The value of the sample `name` (no labels) in a Prometheus text body.
fn sample(body: &str, name: &str) -> Option<f64> {
    body.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .and_then(|v| v.trim().parse().ok())
}

#[tokio::test(flavor = "multi_thread")]
async fn health_and_metrics_are_served_and_health_fails_while_stopping() {
    let dir = tempfile::tempdir().expect("tempdir");
    let addr = format!("127.0.0.1:{}", free_port());
    let cfg = EngineConfig::new(dir.path())
        .shutdown_grace(3)
        .admin_token()
        .reception_desk()
        .section(&format!("\n[http]\nlisten = \"{addr}\"\n"))
        .write();
    let mut engine = EngineProcess::start(&cfg);
    let url = engine.url.clone();
    let (status, body) = http(&addr, "GET", "/health");
    assert_eq!(status, 200, "{body}");
    let health: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(health["status"], "ok");
    assert_eq!(health["parked"], 0);
    assert!(health["store_latency_ms"].as_f64().is_some(), "{health}");

    let (mut p, _) = Peer::hello(&url, RECEPTION).await;
    park_one(&mut p).await;
    let (status, body) = http(&addr, "GET", "/metrics");
    assert_eq!(status, 200);
    assert_eq!(sample(&body, "parkdesk_parked_calls"), Some(1.0), "{body}");
    assert_eq!(sample(&body, "parkdesk_calls"), Some(1.0), "{body}");
    assert_eq!(sample(&body, "parkdesk_restarts_total"), Some(0.0));
    assert!(sample(&body, "parkdesk_events_total").is_some_and(|n| n >= 2.0));
    assert!(sample(&body, "parkdesk_store_write_seconds_count").is_some_and(|n| n >= 1.0));
    assert!(
        body.contains("# TYPE parkdesk_events_total counter"),
        "{body}"
    );
    assert!(
        body.contains(&format!(
            "parkdesk_build_info{{version=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION")
        )),
        "{body}"
    );
    assert_eq!(http(&addr, "GET", "/nowhere").0, 404);
    assert_eq!(http(&addr, "POST", "/health").0, 405);

    // Stopping: the parked call is rung back for the 3 s grace, and health says so.
    p.ok(
        "sim.phone",
        json!({"user": "reception", "behaviour": "no_answer"}),
    )
    .await;
    engine.signal("-TERM");
    let unhealthy = poll::until(Duration::from_secs(3), || {
        http(&addr, "GET", "/health").0 == 503
    });
    assert!(unhealthy, "/health kept answering 200 while stopping");
    assert!(engine.wait_exit(Duration::from_secs(10)).is_some());

    // The next start counts a restart.
    let engine = EngineProcess::start(&cfg);
    let (_, body) = http(&addr, "GET", "/metrics");
    assert_eq!(
        sample(&body, "parkdesk_restarts_total"),
        Some(1.0),
        "{body}"
    );
    engine.stop();
}
