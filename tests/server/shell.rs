//! The server's shell in mini-redis's shape: directory saves in order, shutdown that waits
//! for every session (and cuts the stuck ones), and the driver clock on tokio's paused time.
//! (The accept loop's back-off is unit-tested in `src/server/listener.rs`.)

use crate::support::*;
use parkdesk::engine::{EngineSetup, ParkPolicy, User};
use parkdesk::server::start_server;
use parkdesk::store::Store;
use serde_json::{Value, json};
use std::time::Duration;
use tokio::io::AsyncReadExt;

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

/// Reads frames until the reply to `id`, keeping nothing else.
async fn reply_to(peer: &mut Peer, id: u64) -> Value {
    loop {
        let frame = peer.recv().await.expect("a reply");
        if frame["id"] == json!(id) {
            return frame;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn directory_changes_reach_the_store_in_the_order_the_engine_made_them() {
    let store = Store::open_in_memory().expect("store");
    let mut directory = setup();
    let admins = 4;
    for a in 0..admins {
        directory.users.push(User {
            id: format!("u{a}"),
            name: "unchanged".into(),
            numbers: vec![format!("30{a}")],
            ..User::default()
        });
    }
    let mut opts = options(directory);
    opts.store = Some(store.clone());
    let server = start_server(opts).await.expect("server starts");
    // Several admins, each pipelining renames of its own user, so the engine takes several
    // changes in one go: each change's save must still land after the ones before it.
    let changes = 50u64;
    let mut sessions = Vec::new();
    for a in 0..admins {
        let url = server.url();
        sessions.push(tokio::spawn(async move {
            let (mut admin, _) = Peer::hello(&url, ADMIN).await;
            for i in 0..changes {
                let request = json!({
                    "id": 100 + i,
                    "op": "user.set",
                    "args": {"id": format!("u{a}"), "name": format!("name {i}"), "numbers": [format!("30{a}")]},
                });
                admin.send_text(&request.to_string()).await;
            }
            for i in 0..changes {
                let reply = reply_to(&mut admin, 100 + i).await;
                assert!(reply.get("ok").is_some(), "{reply}");
            }
        }));
    }
    for session in sessions {
        session.await.expect("an admin session");
    }
    // The engine's last say, through the engine: its own later read.
    let (mut admin, _) = Peer::hello(&server.url(), ADMIN).await;
    let _ = admin.ok("user.list", json!({})).await;
    store.flush().await.expect("writes succeed");
    let stored = store.load_setup().await.expect("directory");
    for a in 0..admins {
        let user = stored
            .users
            .iter()
            .find(|u| u.id == format!("u{a}"))
            .expect("user stored");
        assert_eq!(user.name, format!("name {}", changes - 1), "u{a}");
    }
}

#[tokio::test]
async fn shutdown_leaves_no_session_open_even_one_stuck_in_its_handshake() {
    let server = start(setup()).await;
    // A client that connects and never says anything.
    let mut silent = tokio::net::TcpStream::connect(server.addr)
        .await
        .expect("connect");
    // Connections are accepted in order: once a later one is served, the silent one has
    // its session.
    let (mut console, _) = Peer::hello(&server.url(), RECEPTION).await;
    server.shutdown().await;
    assert_eq!(
        console.closed_reason().await.as_deref(),
        Some("engine stopping")
    );
    let mut buf = [0u8; 64];
    let read = tokio::time::timeout(Duration::from_millis(500), silent.read(&mut buf)).await;
    assert!(
        matches!(read, Ok(Ok(0)) | Ok(Err(_))),
        "the silent client's connection is still open after shutdown: {read:?}"
    );
}

/// Runs `body` on a runtime whose clock is tokio's paused one, failing if it takes more
/// than `limit` of real time.
fn on_paused_time<F>(limit: Duration, body: impl FnOnce() -> F + Send + 'static)
where
    F: std::future::Future<Output = ()>,
{
    let (done, finished) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .expect("runtime");
        runtime.block_on(body());
        let _ = done.send(());
    });
    match finished.recv_timeout(limit) {
        Ok(()) => thread.join().expect("the test body"),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            if let Err(panic) = thread.join() {
                std::panic::resume_unwind(panic);
            }
        }
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            panic!("still running after {limit:?} of real time")
        }
    }
}

#[test]
fn a_parked_call_rings_back_after_300_virtual_seconds_in_a_moment_of_real_time() {
    on_paused_time(Duration::from_secs(30), || async {
        let server = start(setup()).await;
        let (mut p, _) = Peer::hello(&server.url(), RECEPTION).await;
        let _ = p.ok("subscribe", json!({})).await;
        let offered = p
            .ok(
                "sim.offer",
                json!({"from": {"number": "+442079460001", "name": "Ada"}, "to": "reception"}),
            )
            .await;
        let call = offered["call"].as_str().expect("call").to_string();
        let _ = p.event("call.offered").await;
        let parked = p.ok("park", json!({"call": call})).await;
        assert_eq!(parked["code"], "701");
        let started = p.event("park.started").await;
        // The policy's 300 s park timeout, on the virtual clock.
        tokio::time::advance(Duration::from_secs(301)).await;
        let ringback = p.event("park.ringback").await;
        let at = |e: &Value| {
            parkdesk::protocol::Timestamp::parse(e["at"].as_str().expect("at"))
                .expect("timestamp")
                .unix_millis()
        };
        let waited = at(&ringback) - at(&started);
        assert!(
            (300_000..301_000).contains(&waited),
            "rang back after {waited} ms"
        );
        server.shutdown().await;
    });
}
