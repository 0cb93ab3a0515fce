//! The `[demo]` contract of PROTOCOL.md, on a real server.
#![allow(clippy::disallowed_methods)] // measures wall time against the 15 s contract

use crate::support::*;
use parkdesk::engine::Role;
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test]
async fn the_demo_rings_the_reception_line_within_15_seconds_and_its_users_may_park() {
    let users: Vec<(String, Vec<Role>)> = vec![
        ("reception".into(), vec![Role::Receptionist]),
        ("wallboard".into(), vec![Role::Monitor]),
    ];
    let mut opts = options(parkdesk::sim::demo_setup(&users));
    opts.task.demo_seed = Some(42);
    let server = parkdesk::server::start_server(opts).await.expect("server");
    let (mut p, _) = Peer::hello(&server.url(), RECEPTION).await;
    let _ = p.ok("subscribe", json!({})).await;
    let started = Instant::now();
    let offered = loop {
        let e = p
            .recv_within(Duration::from_secs(16))
            .await
            .expect("an event");
        if e["event"] == "call.offered" && e["data"]["line"] == "reception" {
            break e;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "no reception call within 15 s"
        );
    };
    assert!(started.elapsed() <= Duration::from_secs(15));
    let call = offered["data"]["call"].clone();
    // The token user is voice-enabled and covered by a policy that allows park.
    let r = p.call("park", json!({"call": call})).await;
    assert!(r["ok"]["code"].is_string(), "{r}");
}
