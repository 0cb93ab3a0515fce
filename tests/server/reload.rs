//! `engine.reload` over the WebSocket, in the test's process: only for admins, only for an
//! engine started from a file, all or nothing, and the SIP side's trusted peers follow.

use crate::support::*;
use parkdesk::config::{Cidr, SipSettings};
use parkdesk::engine::EngineSetup;
use parkdesk::runtime::Notifier;
use parkdesk::server::auth::{TokenEntry, digest};
use parkdesk::server::reload::{ConfigSource, ReloadPlan};
use parkdesk::server::start_server;
use serde_json::json;
use std::sync::{Arc, Mutex};

/// A config source answering whatever the test put in `next`.
fn source(next: Arc<Mutex<Result<ReloadPlan, String>>>) -> ConfigSource {
    Arc::new(move || next.lock().expect("plan").clone())
}

fn plan(seed: EngineSetup) -> ReloadPlan {
    ReloadPlan {
        seed,
        tokens: tokens(),
        trusted: None,
        restart_needed: Vec::new(),
    }
}

#[tokio::test]
async fn engine_reload_is_for_admins_and_for_an_engine_started_from_a_file() {
    let server = start(EngineSetup::default()).await;
    let (mut monitor, _) = Peer::hello(&server.url(), MONITOR).await;
    assert_eq!(monitor.err("engine.reload", json!({})).await, "forbidden");
    let (mut admin, _) = Peer::hello(&server.url(), ADMIN).await;
    let r = admin.call("engine.reload", json!({})).await;
    assert_eq!(r["error"]["code"], "bad_request", "{r}");
    assert!(
        r["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("not started from a configuration file")),
        "{r}"
    );
}

#[tokio::test]
async fn engine_reload_applies_the_files_changes_and_a_refused_file_changes_nothing() {
    let seed = EngineSetup::default();
    let server = start(seed.clone()).await;
    let next = Arc::new(Mutex::new(Ok(plan(seed.clone()))));
    server.enable_reload(source(next.clone()), seed.clone(), Notifier::default());
    let (mut admin, _) = Peer::hello(&server.url(), ADMIN).await;

    let ok = admin.ok("engine.reload", json!({})).await;
    assert_eq!(ok["changed"], json!([]), "the same file changes nothing");

    let mut grown = seed.clone();
    grown
        .users
        .push(crate::support::site::line_user("zoe", "Zoe", "109", None));
    let mut with_zoe = plan(grown);
    with_zoe.tokens.insert(TokenEntry {
        id: "config:9".into(),
        hash: digest("zoe-secret"),
        user: "zoe".into(),
        roles: vec![parkdesk::engine::Role::User],
        label: "config".into(),
    });
    *next.lock().expect("plan") = Ok(with_zoe);
    let ok = admin.ok("engine.reload", json!({})).await;
    assert_eq!(ok["changed"], json!(["users", "tokens"]), "{ok}");
    let (_, hello) = Peer::hello(&server.url(), "zoe-secret").await;
    assert_eq!(hello["user"], "zoe");

    *next.lock().expect("plan") = Err("config error: engine.toml:3: bad".into());
    let r = admin.call("engine.reload", json!({})).await;
    assert_eq!(r["error"]["code"], "bad_request");
    assert_eq!(r["error"]["message"], "config error: engine.toml:3: bad");
    let users = admin.ok("user.list", json!({})).await;
    assert!(
        users["users"]
            .as_array()
            .is_some_and(|u| u.iter().any(|u| u["id"] == "zoe")),
        "a refused reload undoes nothing: {users}"
    );
    // The server's own handle reloads too (what SIGHUP calls).
    *next.lock().expect("plan") = Ok(plan(seed));
    let ok = server.reload("sighup").await.expect("reload");
    assert_eq!(
        ok["changed"],
        json!(["users", "tokens"]),
        "zoe and her token go"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_reload_replaces_the_sip_sides_trusted_peers() {
    let mut options = options(EngineSetup::default());
    options.sip = Some(SipSettings {
        listen: "127.0.0.1:0".parse().expect("addr"),
        trusted: vec!["127.0.0.1/32".parse::<Cidr>().expect("cidr")],
        rtp_port_min: 47_000,
        rtp_port_max: 47_019,
        ..SipSettings::default()
    });
    let server = start_server(options).await.expect("engine with SIP starts");
    let pbx: Cidr = "10.1.2.0/24".parse().expect("cidr");
    let mut new_plan = plan(EngineSetup::default());
    new_plan.trusted = Some(vec![pbx]);
    let next = Arc::new(Mutex::new(Ok(new_plan)));
    server.enable_reload(source(next), EngineSetup::default(), Notifier::default());
    let ok = server.reload("test").await.expect("reload");
    assert_eq!(ok["changed"], json!(["sip.trusted"]), "{ok}");
    let sip = server.sip.as_ref().expect("SIP is on");
    assert_eq!(sip.trusted(), vec![pbx]);
    server.shutdown().await;
}
