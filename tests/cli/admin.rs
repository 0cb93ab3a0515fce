//! `parkdesk admin` against a real engine process: scripts get JSON, people get tables,
//! refusals get a clear message and a failing exit code.

use crate::support::process::{EngineProcess, parkdesk};
use crate::support::site::EngineConfig;
use crate::support::{Peer, RECEPTION, poll};
use serde_json::json;
use std::process::{Command, Output};
use std::time::Duration;

struct Engine {
    process: EngineProcess,
    _dir: tempfile::TempDir,
}

fn engine() -> Engine {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = EngineConfig::new(dir.path()).admin_token().write();
    Engine {
        process: EngineProcess::start(&cfg),
        _dir: dir,
    }
}

/// An engine with the admin token and the reception desk on the simulated switch.
fn desk_engine() -> Engine {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = EngineConfig::new(dir.path())
        .admin_token()
        .reception_desk()
        .write();
    Engine {
        process: EngineProcess::start(&cfg),
        _dir: dir,
    }
}

fn admin(e: &Engine, args: &[&str]) -> Output {
    Command::new(parkdesk())
        .args(["admin", "--engine", &e.process.url])
        .args(args)
        .env("PARKDESK_TOKEN", "admin-secret")
        .output()
        .expect("admin runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn admin_changes_a_policy_setting_and_keeps_the_rest() {
    let e = engine();
    let o = admin(
        &e,
        &[
            "policies",
            "set",
            "name=global",
            "allow_park=true",
            "park_timeout=120",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = admin(&e, &["--json", "policies", "list"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let global = &v["policies"][0];
    assert_eq!(global["name"], "global");
    assert_eq!(global["allow_park"], true);
    assert_eq!(global["park_timeout"], 120);
    assert_eq!(
        global["ringback_attempts"], 1,
        "unchanged settings keep their values"
    );
    let table = stdout(&admin(&e, &["policies", "list"]));
    assert!(table.starts_with("NAME"), "{table}");
    assert!(table.contains("global"), "{table}");
}

#[test]
fn a_colliding_range_is_refused_by_name_and_exits_non_zero() {
    let e = engine();
    let o = admin(
        &e,
        &[
            "ranges",
            "set",
            "name=vip",
            "kind=park",
            "start=750",
            "end=760",
        ],
    );
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("main"),
        "names the range it collides with: {err}"
    );
    let o = admin(
        &e,
        &[
            "ranges",
            "set",
            "name=vip",
            "kind=park",
            "start=*100",
            "end=*199",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let table = stdout(&admin(&e, &["ranges", "list"]));
    assert!(table.contains("*100"), "{table}");
}

#[test]
fn a_token_is_never_read_from_the_command_line() {
    let e = engine();
    let o = Command::new(parkdesk())
        .args(["admin", "--engine", &e.process.url, "health"])
        .env_remove("PARKDESK_TOKEN")
        .output()
        .expect("runs");
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("PARKDESK_TOKEN"));
}

#[test]
fn health_and_an_empty_history_export_work_for_scripts() {
    let e = engine();
    let o = admin(&e, &["--json", "health"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["parked"], 0);
    let csv = stdout(&admin(&e, &["history", "export", "--format", "csv"]));
    assert!(
        csv.lines().next().unwrap_or("").contains("code"),
        "a header: {csv}"
    );
}

/// A call from `number` / `name` parked at reception, then hung up: an `abandoned` park.
async fn park_and_abandon(e: &Engine, number: &str, name: &str) {
    let (mut desk, _) = Peer::hello(&e.process.url, RECEPTION).await;
    desk.ok("subscribe", json!({})).await;
    let offer = json!({"from": {"number": number, "name": name}, "to": "reception"});
    let call = desk.ok("sim.offer", offer).await["call"].clone();
    desk.ok("park", json!({ "call": call })).await;
    desk.ok("sim.hangup", json!({ "call": call })).await;
    desk.event("park.ended").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn history_list_shows_each_callers_number_and_name() {
    let e = desk_engine();
    park_and_abandon(&e, "+15550100", "Ada Lovelace").await;
    let table = poll::find(Duration::from_secs(5), || {
        let o = admin(&e, &["history", "list"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let text = stdout(&o);
        (text.lines().count() > 1).then_some(text)
    })
    .expect("the ended park reaches the history");
    let row = table.lines().nth(1).unwrap_or("");
    assert!(row.contains("+15550100"), "the caller's number:\n{table}");
    assert!(row.contains("Ada Lovelace"), "the caller's name:\n{table}");
    let csv = stdout(&admin(&e, &["history", "export", "--format", "csv"]));
    assert!(csv.contains("+15550100,Ada Lovelace"), "{csv}");
}

#[test]
fn the_shipped_example_config_passes_config_check() {
    let o = Command::new(parkdesk())
        .args([
            "config",
            "check",
            concat!(env!("CARGO_MANIFEST_DIR"), "/config/example.toml"),
        ])
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn config_check_names_the_file_line_and_key_of_a_typo() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("typo.toml");
    std::fs::write(
        &path,
        "[server]\nlisten = \"127.0.0.1:7370\"\nshutdown_grase = 5\n",
    )
    .expect("write");
    let o = Command::new(parkdesk())
        .args(["config", "check"])
        .arg(&path)
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("typo.toml:3"), "{err}");
    assert!(
        err.contains("shutdown_grase") && err.contains("shutdown_grace"),
        "{err}"
    );
}
