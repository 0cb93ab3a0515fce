//! A real server on `127.0.0.1:0` in the test's process, and a raw WebSocket peer.

use futures_util::{SinkExt, StreamExt};
use parkdesk::engine::{EngineSetup, Role};
use parkdesk::server::auth::{TokenEntry, TokenRegistry, digest};
use parkdesk::server::engine_task::TaskSettings;
use parkdesk::server::{ServerHandle, ServerOptions, start_server};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Tokens every test server accepts.
pub const RECEPTION: &str = "reception-secret";
pub const MONITOR: &str = "wall-secret";
pub const ANNOUNCER: &str = "pa-secret";
pub const ADMIN: &str = "admin-secret";
pub const ALICE: &str = "alice-secret";

pub fn tokens() -> TokenRegistry {
    let mut reg = TokenRegistry::default();
    for (i, (token, user, role)) in [
        (RECEPTION, "reception", Role::Receptionist),
        (MONITOR, "wallboard", Role::Monitor),
        (ANNOUNCER, "pa-station", Role::Announcer),
        (ADMIN, "admin", Role::Admin),
        (ALICE, "alice", Role::User),
    ]
    .into_iter()
    .enumerate()
    {
        reg.insert(TokenEntry {
            id: format!("config:{i}"),
            hash: digest(token),
            user: user.into(),
            roles: vec![role],
            label: String::new(),
        });
    }
    reg
}

pub fn options(setup: EngineSetup) -> ServerOptions {
    ServerOptions {
        listen: "127.0.0.1:0".parse().expect("addr"),
        setup,
        tokens: tokens(),
        store: None,
        task: TaskSettings {
            name: "parkdesk-test".into(),
            event_buffer: 1000,
            recent: 20,
            subscriber_queue: 1024,
            sim_enabled: true,
            demo_seed: None,
            seed: 7,
        },
        max_connections: 64,
        shutdown_grace: Duration::from_secs(2),
        sip: None,
    }
}

pub async fn start(setup: EngineSetup) -> ServerHandle {
    start_server(options(setup)).await.expect("server starts")
}

/// A raw protocol peer.
pub struct Peer {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    /// Events received while waiting for replies.
    pub events: Vec<Value>,
}

impl Peer {
    pub async fn connect(url: &str) -> Peer {
        let (ws, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("connect");
        Peer {
            ws,
            next_id: 1,
            events: Vec::new(),
        }
    }

    /// Connects and says hello with `token`; panics unless it succeeds.
    pub async fn hello(url: &str, token: &str) -> (Peer, Value) {
        let mut p = Peer::connect(url).await;
        let r = p
            .call(
                "hello",
                json!({"token": token, "client": "test", "protocol": 1}),
            )
            .await;
        let ok = r
            .get("ok")
            .cloned()
            .unwrap_or_else(|| panic!("hello refused: {r}"));
        (p, ok)
    }

    pub async fn send_text(&mut self, text: &str) {
        self.ws
            .send(Message::text(text.to_string()))
            .await
            .expect("send");
    }

    /// The next frame as JSON (None when closed), within 5 s.
    pub async fn recv(&mut self) -> Option<Value> {
        self.recv_within(Duration::from_secs(5)).await
    }

    /// The next frame as JSON (None when closed), within `limit`.
    pub async fn recv_within(&mut self, limit: Duration) -> Option<Value> {
        loop {
            let msg = tokio::time::timeout(limit, self.ws.next())
                .await
                .expect("a frame in time")?;
            match msg {
                Ok(Message::Text(t)) => return serde_json::from_str(t.as_str()).ok(),
                Ok(Message::Close(_)) | Err(_) => return None,
                Ok(_) => continue,
            }
        }
    }

    /// The close frame's reason, waiting up to 5 s.
    pub async fn closed_reason(&mut self) -> Option<String> {
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(5), self.ws.next())
                .await
                .ok()??;
            match msg {
                Ok(Message::Close(Some(f))) => return Some(f.reason.to_string()),
                Ok(Message::Close(None)) | Err(_) => return Some(String::new()),
                Ok(_) => continue,
            }
        }
    }

    /// Sends a request and returns its reply, keeping events that arrive meanwhile.
    pub async fn call(&mut self, op: &str, args: Value) -> Value {
        self.call_keyed(op, args, None).await
    }

    pub async fn call_keyed(&mut self, op: &str, args: Value, key: Option<&str>) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let mut req = json!({"id": id, "op": op, "args": args});
        if let Some(k) = key {
            req["key"] = json!(k);
        }
        self.send_text(&req.to_string()).await;
        loop {
            let frame = self
                .recv()
                .await
                .unwrap_or_else(|| panic!("closed waiting for {op}"));
            if frame.get("event").is_some() {
                self.events.push(frame);
                continue;
            }
            if frame.get("id") == Some(&json!(id)) {
                return frame;
            }
        }
    }

    /// The ok body, panicking with the error otherwise.
    pub async fn ok(&mut self, op: &str, args: Value) -> Value {
        let r = self.call(op, args).await;
        r.get("ok")
            .cloned()
            .unwrap_or_else(|| panic!("{op} refused: {r}"))
    }

    /// The error code of a refused request, panicking if it succeeded.
    pub async fn err(&mut self, op: &str, args: Value) -> String {
        let r = self.call(op, args).await;
        r["error"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("{op} succeeded: {r}"))
            .to_string()
    }

    /// Waits for an event named `name` (already received or arriving within 5 s).
    pub async fn event(&mut self, name: &str) -> Value {
        if let Some(pos) = self.events.iter().position(|e| e["event"] == name) {
            return self.events.remove(pos);
        }
        loop {
            let frame = self
                .recv()
                .await
                .unwrap_or_else(|| panic!("closed waiting for {name}"));
            if frame["event"] == name {
                return frame;
            }
            if frame.get("event").is_some() {
                self.events.push(frame);
            }
        }
    }
}

/// The reception desk's board: a receptionist subscribed to everything.
pub async fn board(url: &str) -> Peer {
    let (mut desk, _) = Peer::hello(url, RECEPTION).await;
    desk.ok("subscribe", json!({})).await;
    desk
}
