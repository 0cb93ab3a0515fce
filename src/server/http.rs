//! `[http] listen`: a small HTTP/1.1 endpoint for monitoring, on its own task.
//!
//! - `GET /health`: `200` and `{"status": "ok", …}` while the engine serves; `503` while it
//!   drains or stops, or when the engine task or the store does not answer within two
//!   seconds (a stuck engine is unhealthy, not slow).
//! - `GET /metrics`: Prometheus text: parked calls, calls, SIP legs, RTP streams, events
//!   (a counter: Prometheus derives the rate), store write latency, restarts, build info.
//!
//! Any other path is `404`, any other method `405`. One request per connection (`Connection:
//! close`): monitoring polls every few seconds, so keep-alive buys nothing.

use super::engine_task::{EngineHandle, OpRequest};
use crate::engine::{Actor, Role};
use crate::protocol::Op;
use crate::protocol::op::QueryOp;
use crate::store::Store;
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

/// How long the engine task and the store get to answer a probe.
const PROBE: Duration = Duration::from_secs(2);
/// How long a client gets to send its request head.
const READ_HEAD: Duration = Duration::from_secs(5);
/// The longest request head read.
const MAX_HEAD: usize = 8 * 1024;
/// Connections served at once; more wait.
const MAX_CONNECTIONS: usize = 32;

/// What the endpoint reads from.
#[derive(Debug, Clone)]
pub struct HttpState {
    /// The engine task (its `health` op).
    pub engine: EngineHandle,
    /// The store, for its latency.
    pub store: Option<Store>,
    /// Starts of this store before this one (`meta` `starts` − 1).
    pub restarts: u64,
}

/// The running endpoint.
#[derive(Debug)]
pub struct HttpServer {
    /// The bound address.
    pub addr: SocketAddr,
    stopping: Arc<AtomicBool>,
    task: JoinHandle<()>,
}

impl HttpServer {
    /// From now on `/health` answers `503 stopping`.
    pub fn set_stopping(&self) {
        self.stopping.store(true, Ordering::SeqCst);
    }

    /// Stops serving.
    pub fn stop(self) {
        self.task.abort();
    }
}

/// Binds `listen` and serves until stopped.
pub async fn start_http(listen: SocketAddr, state: HttpState) -> std::io::Result<HttpServer> {
    let listener = TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let stopping = Arc::new(AtomicBool::new(false));
    let shared = Arc::new((state, stopping.clone()));
    let limit = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                // Out of descriptors and the like: wait a little rather than spin.
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            };
            let Ok(permit) = limit.clone().acquire_owned().await else {
                return;
            };
            let shared = shared.clone();
            tokio::spawn(async move {
                let (state, stopping) = &*shared;
                if let Err(e) = serve(stream, state, stopping.load(Ordering::SeqCst)).await {
                    tracing::debug!(error = %e, "http connection");
                }
                drop(permit);
            });
        }
    });
    tracing::info!(%addr, "http health and metrics");
    Ok(HttpServer {
        addr,
        stopping,
        task,
    })
}

/// A response: status line, content type, body.
struct Response {
    status: &'static str,
    content_type: &'static str,
    body: String,
    allow: bool,
}

impl Response {
    fn text(status: &'static str, body: impl Into<String>) -> Response {
        Response {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.into(),
            allow: false,
        }
    }
}

async fn serve(mut stream: TcpStream, state: &HttpState, stopping: bool) -> std::io::Result<()> {
    let head = match tokio::time::timeout(READ_HEAD, read_head(&mut stream)).await {
        Ok(head) => head?,
        Err(_) => return Ok(()),
    };
    let response = route(&head, state, stopping).await;
    let mut out = format!(
        "HTTP/1.1 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        response.status,
        response.content_type,
        response.body.len()
    );
    if response.allow {
        out.push_str("Allow: GET\r\n");
    }
    out.push_str("\r\n");
    out.push_str(&response.body);
    stream.write_all(out.as_bytes()).await?;
    stream.shutdown().await
}

/// Reads until the blank line ending the request head (a GET has no body).
async fn read_head(stream: &mut TcpStream) -> std::io::Result<String> {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_HEAD {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    Ok(String::from_utf8_lossy(&head).into_owned())
}

async fn route(head: &str, state: &HttpState, stopping: bool) -> Response {
    let mut words = head.lines().next().unwrap_or_default().split_whitespace();
    let (Some(method), Some(target)) = (words.next(), words.next()) else {
        return Response::text("400 Bad Request", "bad request\n");
    };
    let path = target.split('?').next().unwrap_or_default();
    if !matches!(path, "/health" | "/metrics") {
        return Response::text("404 Not Found", "not found: try /health or /metrics\n");
    }
    if method != "GET" {
        let mut response = Response::text("405 Method Not Allowed", "only GET\n");
        response.allow = true;
        return response;
    }
    let probe = probe(state).await;
    if path == "/health" {
        health(&probe, stopping)
    } else {
        metrics(&probe, state)
    }
}

/// What the engine task and the store said, or that they did not answer.
struct Probe {
    engine: Option<Value>,
    store_latency: Option<Duration>,
}

#[allow(clippy::disallowed_methods)] // a driver: the store's round trip is measured in wall time
async fn probe(state: &HttpState) -> Probe {
    let actor = Actor {
        user: "http".into(),
        roles: vec![Role::Monitor],
    };
    let request = OpRequest::from_op(Op::Query(QueryOp::Health));
    let engine = async {
        let rx = state.engine.op(actor, request, None).await.ok()?;
        rx.await.ok()?.result.ok()
    };
    let engine = tokio::time::timeout(PROBE, engine).await.ok().flatten();
    let store_latency = match &state.store {
        Some(store) => {
            let started = Instant::now();
            match tokio::time::timeout(PROBE, store.ping()).await {
                Ok(Ok(())) => Some(started.elapsed()),
                _ => None,
            }
        }
        None => Some(Duration::ZERO),
    };
    Probe {
        engine,
        store_latency,
    }
}

fn health(probe: &Probe, stopping: bool) -> Response {
    let engine = probe.engine.as_ref();
    let draining = engine
        .and_then(|e| e["draining"].as_bool())
        .unwrap_or(false);
    let status = match (engine, probe.store_latency) {
        _ if stopping => "stopping",
        (None, _) => "engine not answering",
        (_, None) => "store not answering",
        _ if draining => "draining",
        _ => "ok",
    };
    let body = json!({
        "status": status,
        "uptime_s": engine.map(|e| e["uptime_s"].clone()),
        "parked": engine.map(|e| e["parked"].clone()),
        "calls": engine.map(|e| e["calls"].clone()),
        "store_latency_ms": probe.store_latency.map(|d| d.as_secs_f64() * 1000.0),
    });
    Response {
        status: if status == "ok" {
            "200 OK"
        } else {
            "503 Service Unavailable"
        },
        content_type: "application/json",
        body: body.to_string() + "\n",
        allow: false,
    }
}

/// Appends one metric: its help, its type and its sample (`labels` with their braces).
fn metric(out: &mut String, name: &str, kind: &str, help: &str, labels: &str, value: f64) {
    let _ = writeln!(
        out,
        "# HELP {name} {help}\n# TYPE {name} {kind}\n{name}{labels} {value}"
    );
}

fn metrics(probe: &Probe, state: &HttpState) -> Response {
    let Some(engine) = &probe.engine else {
        return Response::text("503 Service Unavailable", "engine not answering\n");
    };
    let number = |v: &Value| v.as_f64().unwrap_or(0.0);
    let mut out = String::new();
    let version = format!("{{version=\"{}\"}}", env!("CARGO_PKG_VERSION"));
    let draining = engine["draining"].as_bool().unwrap_or(false);
    let gauges = [
        (
            "parkdesk_build_info",
            "The running build, as labels.",
            version.as_str(),
            1.0,
        ),
        (
            "parkdesk_uptime_seconds",
            "Seconds since the engine started.",
            "",
            number(&engine["uptime_s"]),
        ),
        (
            "parkdesk_parked_calls",
            "Calls parked now.",
            "",
            number(&engine["parked"]),
        ),
        (
            "parkdesk_calls",
            "Calls the engine holds now.",
            "",
            number(&engine["calls"]),
        ),
        (
            "parkdesk_sip_legs",
            "SIP legs (dialogs) alive now.",
            "",
            number(&engine["sip"]["legs"]),
        ),
        (
            "parkdesk_rtp_streams",
            "RTP streams open now.",
            "",
            number(&engine["sip"]["rtp_streams"]),
        ),
        (
            "parkdesk_draining",
            "1 while the engine drains.",
            "",
            if draining { 1.0 } else { 0.0 },
        ),
    ];
    for (name, help, labels, value) in gauges {
        metric(&mut out, name, "gauge", help, labels, value);
    }
    let counters = [
        (
            "parkdesk_events_total",
            "Events published (the last seq).",
            number(&engine["seq"]),
        ),
        (
            "parkdesk_restarts_total",
            "Starts of this store before this one.",
            state.restarts as f64,
        ),
    ];
    for (name, help, value) in counters {
        metric(&mut out, name, "counter", help, "", value);
    }
    if let Some(store) = &state.store {
        let w = store.write_latency();
        let _ = writeln!(
            out,
            "# HELP parkdesk_store_write_seconds Time of each store write transaction.\n\
             # TYPE parkdesk_store_write_seconds summary\n\
             parkdesk_store_write_seconds_sum {}\n\
             parkdesk_store_write_seconds_count {}",
            w.total.as_secs_f64(),
            w.commits
        );
        let help = "Time of the last store write transaction.";
        let last = w.last.as_secs_f64();
        metric(
            &mut out,
            "parkdesk_store_last_write_seconds",
            "gauge",
            help,
            "",
            last,
        );
        if let Some(latency) = probe.store_latency {
            let help = "Round trip through the store's queue, measured for this scrape.";
            let secs = latency.as_secs_f64();
            metric(
                &mut out,
                "parkdesk_store_queue_seconds",
                "gauge",
                help,
                "",
                secs,
            );
        }
    }
    Response {
        status: "200 OK",
        content_type: "text/plain; version=0.0.4; charset=utf-8",
        body: out,
        allow: false,
    }
}
