//! The WebSocket side: a console subscribed like the receptionist's (every event; the time
//! each probe code's `park.started` arrived, counts of parks started and ended), and a
//! monitor that asks `health`.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::clock;

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// What the console saw.
#[derive(Default)]
pub struct Seen {
    /// When `park.started` arrived, by code, for codes at or above the probe threshold.
    pub probe_started: HashMap<String, Instant>,
    /// `park.started` events.
    pub started: u64,
    /// `park.ended` events with outcome `retrieved`.
    pub retrieved: u64,
    /// `park.ended` events with another outcome.
    pub ended_otherwise: u64,
    /// Why the connection closed, if it did.
    pub closed: Option<String>,
}

/// A subscribed console reading every event in the background.
pub struct Console {
    /// What it saw so far.
    pub seen: Arc<Mutex<Seen>>,
    task: tokio::task::JoinHandle<()>,
}

async fn connect(url: &str, token: &str) -> Result<Ws, String> {
    let (mut ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .map_err(|e| format!("connect {url}: {e}"))?;
    request(
        &mut ws,
        1,
        "hello",
        json!({"token": token, "client": "sip-load-bench", "protocol": 1}),
    )
    .await?;
    Ok(ws)
}

/// Sends one request and returns its `ok` body (frames before the reply are skipped).
async fn request(ws: &mut Ws, id: u64, op: &str, args: Value) -> Result<Value, String> {
    let frame = json!({"id": id, "op": op, "args": args}).to_string();
    ws.send(Message::text(frame))
        .await
        .map_err(|e| format!("{op}: {e}"))?;
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .map_err(|_| format!("no reply to {op} within 10 s"))?;
        let Some(Ok(Message::Text(text))) = msg else {
            match msg {
                Some(Ok(_)) => continue,
                _ => return Err(format!("closed waiting for {op}")),
            }
        };
        let v: Value = serde_json::from_str(text.as_str()).map_err(|e| e.to_string())?;
        if v["id"] != json!(id) {
            continue;
        }
        return v
            .get("ok")
            .cloned()
            .ok_or_else(|| format!("{op} refused: {v}"));
    }
}

impl Console {
    /// Connects as the receptionist, subscribes, and reads events until dropped; the
    /// arrival of `park.started` is noted for codes `>= probe_from`.
    pub async fn start(url: &str, token: &str, probe_from: u32) -> Result<Console, String> {
        let mut ws = connect(url, token).await?;
        request(&mut ws, 2, "subscribe", json!({})).await?;
        let seen = Arc::new(Mutex::new(Seen::default()));
        let sink = Arc::clone(&seen);
        let task = tokio::spawn(async move {
            while let Some(msg) = ws.next().await {
                let text = match msg {
                    Ok(Message::Text(text)) => text,
                    Ok(Message::Close(frame)) => {
                        sink.lock().expect("seen").closed =
                            Some(frame.map(|f| f.reason.to_string()).unwrap_or_default());
                        return;
                    }
                    Ok(_) => continue,
                    Err(e) => {
                        sink.lock().expect("seen").closed = Some(e.to_string());
                        return;
                    }
                };
                let at = clock();
                let Ok(v) = serde_json::from_str::<Value>(text.as_str()) else {
                    continue;
                };
                let mut seen = sink.lock().expect("seen");
                match v["event"].as_str() {
                    Some("park.started") => {
                        seen.started += 1;
                        if let Some(code) = v["data"]["code"].as_str()
                            && code.parse::<u32>().is_ok_and(|c| c >= probe_from)
                        {
                            seen.probe_started.insert(code.to_string(), at);
                        }
                    }
                    Some("park.ended") => {
                        if v["data"]["outcome"] == "retrieved" {
                            seen.retrieved += 1;
                        } else {
                            seen.ended_otherwise += 1;
                        }
                    }
                    _ => {}
                }
            }
            sink.lock().expect("seen").closed = Some("end of stream".into());
        });
        Ok(Console { seen, task })
    }

    /// Counts of (parks started, retrieved, ended otherwise) so far.
    pub fn counts(&self) -> (u64, u64, u64) {
        let seen = self.seen.lock().expect("seen");
        (seen.started, seen.retrieved, seen.ended_otherwise)
    }

    /// Why the connection closed, if it did.
    pub fn closed(&self) -> Option<String> {
        self.seen.lock().expect("seen").closed.clone()
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A monitor connection for `health`.
pub struct Monitor {
    ws: Ws,
    id: u64,
}

/// The engine's `health`: parked calls and calls.
#[derive(Debug, Clone, Copy, Default)]
pub struct Health {
    /// Parked calls.
    pub parked: u64,
    /// Calls.
    pub calls: u64,
}

impl Monitor {
    /// Connects with the monitor's token.
    pub async fn start(url: &str, token: &str) -> Result<Monitor, String> {
        Ok(Monitor {
            ws: connect(url, token).await?,
            id: 1,
        })
    }

    /// Asks `health`.
    pub async fn health(&mut self) -> Result<Health, String> {
        self.id += 1;
        let ok = request(&mut self.ws, self.id, "health", json!({})).await?;
        Ok(Health {
            parked: ok["parked"].as_u64().unwrap_or(0),
            calls: ok["calls"].as_u64().unwrap_or(0),
        })
    }

    /// Polls `health` every 200 ms until `done` holds, for at most `limit`; the last answer.
    pub async fn until(
        &mut self,
        limit: Duration,
        done: impl Fn(&Health) -> bool,
    ) -> Result<Health, Health> {
        let deadline = clock() + limit;
        loop {
            let health = self.health().await.unwrap_or_default();
            if done(&health) {
                return Ok(health);
            }
            if clock() >= deadline {
                return Err(health);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}
