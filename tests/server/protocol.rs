//! The WebSocket contract at the session level: hello, errors, limits, roles.

use crate::support::*;
use parkdesk::engine::EngineSetup;
use serde_json::json;

#[tokio::test]
async fn hello_returns_the_user_roles_epoch_and_engine_clock() {
    let server = start(EngineSetup::default()).await;
    let (_p, ok) = Peer::hello(&server.url(), RECEPTION).await;
    assert_eq!(ok["user"], "reception");
    assert_eq!(ok["roles"], json!(["receptionist"]));
    assert_eq!(ok["protocol"], 1);
    assert!(!ok["epoch"].as_str().expect("epoch").is_empty());
    let now = ok["now"].as_str().expect("now");
    assert!(parkdesk::protocol::Timestamp::parse(now).is_ok(), "{now}");
    assert!(
        now.ends_with('Z') && now.contains('.'),
        "RFC 3339 UTC with millis: {now}"
    );
}

#[tokio::test]
async fn an_unknown_token_is_unauthenticated_and_the_connection_closes() {
    let server = start(EngineSetup::default()).await;
    let mut p = Peer::connect(&server.url()).await;
    let r = p
        .call("hello", json!({"token": "nope", "protocol": 1}))
        .await;
    assert_eq!(r["error"]["code"], "unauthenticated");
    assert!(p.closed_reason().await.is_some());
}

#[tokio::test]
async fn any_other_first_request_is_unauthenticated() {
    let server = start(EngineSetup::default()).await;
    let mut p = Peer::connect(&server.url()).await;
    let r = p.call("parked.list", json!({})).await;
    assert_eq!(r["error"]["code"], "unauthenticated");
    assert!(p.closed_reason().await.is_some());
}

#[tokio::test]
async fn an_unsupported_protocol_lists_the_supported_ones_and_stays_open() {
    let server = start(EngineSetup::default()).await;
    let mut p = Peer::connect(&server.url()).await;
    let r = p
        .call("hello", json!({"token": RECEPTION, "protocol": 9}))
        .await;
    assert_eq!(r["error"]["code"], "unsupported_protocol");
    assert_eq!(r["error"]["data"]["supported"], json!([1]));
    let r = p
        .call("hello", json!({"token": RECEPTION, "protocol": 1}))
        .await;
    assert!(r.get("ok").is_some(), "{r}");
}

#[tokio::test]
async fn a_frame_that_is_not_json_gets_a_null_id_bad_request_and_three_close() {
    let server = start(EngineSetup::default()).await;
    let (mut p, _) = Peer::hello(&server.url(), RECEPTION).await;
    p.send_text("{not json").await;
    let r = p.recv().await.expect("reply");
    assert_eq!(r["id"], serde_json::Value::Null);
    assert_eq!(r["error"]["code"], "bad_request");
    // Still open after one.
    assert_eq!(p.ok("ping", json!({})).await, json!({}));
    p.send_text("nope").await;
    let _ = p.recv().await;
    p.send_text("nope again").await;
    let _ = p.recv().await;
    assert!(
        p.closed_reason().await.is_some(),
        "third abusive frame closes"
    );
}

#[tokio::test]
async fn an_oversized_frame_is_refused_and_the_connection_stays_open() {
    let server = start(EngineSetup::default()).await;
    let (mut p, _) = Peer::hello(&server.url(), RECEPTION).await;
    let big = json!({"id": 1, "op": "ping", "args": {"pad": "x".repeat(70 * 1024)}}).to_string();
    p.send_text(&big).await;
    let r = p.recv().await.expect("reply");
    assert_eq!(r["error"]["code"], "bad_request");
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("64 KiB")
    );
    assert_eq!(p.ok("ping", json!({})).await, json!({}));
}

#[tokio::test]
async fn an_unknown_op_is_unknown_op() {
    let server = start(EngineSetup::default()).await;
    let (mut p, _) = Peer::hello(&server.url(), RECEPTION).await;
    assert_eq!(p.err("teleport", json!({})).await, "unknown_op");
}

#[tokio::test]
async fn a_monitor_is_forbidden_to_change_anything_whatever_else_is_wrong() {
    let server = start(EngineSetup::default()).await;
    let (mut p, _) = Peer::hello(&server.url(), MONITOR).await;
    for op in [
        "park",
        "retrieve",
        "extend",
        "announce",
        "pickup",
        "transfer",
        "hangup",
        "policy.set",
        "range.set",
        "user.set",
        "token.create",
        "sim.offer",
    ] {
        // Arguments are missing or wrong on purpose: roles are checked first.
        assert_eq!(p.err(op, json!({"bogus": true})).await, "forbidden", "{op}");
    }
    assert!(p.ok("parked.list", json!({})).await["parked"].is_array());
}

#[tokio::test]
async fn wrong_types_and_missing_fields_name_the_field() {
    let server = start(EngineSetup::default()).await;
    let (mut p, _) = Peer::hello(&server.url(), RECEPTION).await;
    let r = p.call("park", json!({"call": 17})).await;
    assert_eq!(r["error"]["code"], "bad_request");
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap_or("")
            .starts_with("call"),
        "{r}"
    );
    let r = p.call("retrieve", json!({})).await;
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap_or("")
            .starts_with("code"),
        "{r}"
    );
}

#[tokio::test]
async fn the_endpoint_is_v1_only() {
    let server = start(EngineSetup::default()).await;
    let url = format!("ws://{}/v2", server.addr);
    assert!(tokio_tungstenite::connect_async(&url).await.is_err());
}

#[tokio::test]
async fn subscribe_gives_a_snapshot_with_every_section() {
    let server = start(EngineSetup::default()).await;
    let (mut p, _) = Peer::hello(&server.url(), RECEPTION).await;
    let ok = p.ok("subscribe", json!({})).await;
    let snap = &ok["snapshot"];
    for key in [
        "calls",
        "parked",
        "pickup_groups",
        "announcements",
        "recent",
    ] {
        assert!(snap[key].is_array(), "{key} in {ok}");
    }
    assert!(ok["seq"].is_u64());
}

#[tokio::test]
async fn health_reports_uptime_parked_and_subscribers() {
    let server = start(EngineSetup::default()).await;
    let (mut p, _) = Peer::hello(&server.url(), ADMIN).await;
    let _ = p.ok("subscribe", json!({})).await;
    let h = p.ok("health", json!({})).await;
    assert_eq!(h["parked"], 0);
    assert_eq!(h["subscribers"], 1);
    assert!(h["uptime_s"].is_u64());
}

#[tokio::test]
async fn admin_tokens_can_be_created_used_and_revoked() {
    let mut setup = EngineSetup::default();
    setup.users.push(parkdesk::engine::User {
        id: "wall2".into(),
        name: "Lobby wall".into(),
        ..Default::default()
    });
    let server = start(setup).await;
    let (mut admin, _) = Peer::hello(&server.url(), ADMIN).await;
    let created = admin
        .ok(
            "token.create",
            json!({"user": "wall2", "roles": ["monitor"], "label": "lobby"}),
        )
        .await;
    let token = created["token"].as_str().expect("token").to_string();
    let id = created["id"].as_str().expect("id").to_string();
    let (_p, ok) = Peer::hello(&server.url(), &token).await;
    assert_eq!(ok["user"], "wall2");
    let listed = admin.ok("token.list", json!({})).await;
    assert!(
        !listed.to_string().contains(&token),
        "tokens are never listed in clear"
    );
    admin.ok("token.revoke", json!({"id": id})).await;
    let mut p = Peer::connect(&server.url()).await;
    let r = p
        .call("hello", json!({"token": token, "protocol": 1}))
        .await;
    assert_eq!(r["error"]["code"], "unauthenticated");
}

#[tokio::test]
async fn a_token_for_a_user_not_in_the_directory_is_refused_by_name() {
    let server = start(EngineSetup::default()).await;
    let (mut admin, _) = Peer::hello(&server.url(), ADMIN).await;
    let r = admin
        .call(
            "token.create",
            json!({"user": "ghost", "roles": ["monitor"], "label": "lobby"}),
        )
        .await;
    assert_eq!(r["error"]["code"], "bad_request", "{r}");
    assert_eq!(
        r["error"]["message"], "user: 'ghost' is not a directory user",
        "{r}"
    );
    let listed = admin.ok("token.list", json!({})).await;
    assert!(!listed.to_string().contains("ghost"), "{listed}");
}

#[tokio::test]
async fn pipelined_requests_are_answered_in_the_order_they_were_sent() {
    let server = start(EngineSetup::default()).await;
    let (mut p, _) = Peer::hello(&server.url(), RECEPTION).await;
    for id in 100..200 {
        let op = if id % 3 == 0 { "ping" } else { "parked.list" };
        p.send_text(&json!({"id": id, "op": op, "args": {}}).to_string())
            .await;
    }
    for id in 100..200 {
        let r = p.recv().await.expect("reply");
        assert_eq!(r["id"], id, "replies keep request order");
        assert!(r.get("ok").is_some(), "{r}");
    }
}

#[tokio::test]
async fn connections_beyond_the_cap_are_closed_with_a_reason() {
    let mut opts = options(EngineSetup::default());
    opts.max_connections = 2;
    let server = parkdesk::server::start_server(opts).await.expect("server");
    let (_a, _) = Peer::hello(&server.url(), RECEPTION).await;
    let (_b, _) = Peer::hello(&server.url(), MONITOR).await;
    let mut c = Peer::connect(&server.url()).await;
    assert_eq!(
        c.closed_reason().await.as_deref(),
        Some("connection limit reached")
    );
}
