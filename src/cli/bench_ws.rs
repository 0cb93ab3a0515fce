//! `parkdesk bench ws`: event fan-out. Many subscribers watch while a receptionist parks at
//! a steady rate; each `park.started` is timed from the park request to its delivery at
//! every subscriber, and the percentiles are printed.

use crate::engine::command::ParkArgs;
use crate::engine::switch::{CallId, Party};
use crate::engine::{EngineSetup, OrbitRange, ParkPolicy, RangeKind, Role, User};
use crate::protocol::op::sim::SimOffer;
use crate::protocol::op::{DeskOp, SessionOp, SimOp, SubscribeOp};
use crate::protocol::{HelloArgs, Op, PROTOCOL_VERSION};
use crate::server::auth::{TokenEntry, TokenRegistry, digest};
use crate::server::engine_task::TaskSettings;
use crate::server::{ServerOptions, start_server};
use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

/// `parkdesk bench ws` arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct BenchWsArgs {
    /// Subscribers watching.
    #[arg(long, default_value_t = 1000)]
    pub subscribers: usize,
    /// Parks per second.
    #[arg(long, default_value_t = 100)]
    pub rate: u32,
    /// How long to park for.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
}

#[allow(clippy::disallowed_methods)] // a benchmark measures wall time
fn clock() -> std::time::Instant {
    std::time::Instant::now()
}

/// The benchmark receptionist's token.
pub const RECEPTION: &str = "bench-reception";
const WATCHER: &str = "bench-monitor";

/// A directory for benchmarks: a receptionist who may park, and a park range of 50,000
/// codes with a 30-minute timeout, so nothing rings back while the benchmark runs.
pub fn bench_setup() -> EngineSetup {
    EngineSetup {
        ranges: vec![
            OrbitRange {
                name: "main".into(),
                kind: RangeKind::Park,
                start: "10000".into(),
                end: "59999".into(),
            },
            OrbitRange {
                name: "pickup".into(),
                kind: RangeKind::Pickup,
                start: "880".into(),
                end: "899".into(),
            },
        ],
        policies: vec![ParkPolicy {
            allow_park: true,
            park_timeout: 1800,
            ..ParkPolicy::default()
        }],
        users: vec![User {
            id: "reception".into(),
            name: "Reception".into(),
            numbers: vec!["100".into()],
            voice_enabled: true,
            ..User::default()
        }],
        ..EngineSetup::default()
    }
}

/// Tokens for benchmarks: [`RECEPTION`] and a monitor.
pub fn bench_tokens() -> TokenRegistry {
    let mut t = TokenRegistry::default();
    for (id, token, user, role) in [
        ("b1", RECEPTION, "reception", Role::Receptionist),
        ("b2", WATCHER, "wall", Role::Monitor),
    ] {
        t.insert(TokenEntry {
            id: id.into(),
            hash: digest(token),
            user: user.into(),
            roles: vec![role],
            label: String::new(),
        });
    }
    t
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(url: &str, token: &str) -> anyhow::Result<Ws> {
    let (mut ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .context("connect")?;
    let hello = Op::Session(SessionOp::Hello(HelloArgs {
        token: token.to_string(),
        client: "bench".into(),
        protocol: PROTOCOL_VERSION,
    }));
    send(&mut ws, hello, 0).await?;
    expect_reply(&mut ws, 0).await?;
    Ok(ws)
}

/// Sends `op` as request `id`.
async fn send(ws: &mut Ws, op: Op, id: u64) -> anyhow::Result<()> {
    let request = serde_json::to_string(&op.into_request(id))?;
    ws.send(Message::text(request)).await?;
    Ok(())
}

async fn expect_reply(ws: &mut Ws, id: u64) -> anyhow::Result<Value> {
    while let Some(msg) = ws.next().await {
        if let Message::Text(t) = msg? {
            let v: Value = serde_json::from_str(t.as_str())?;
            if v["id"] == id {
                if v.get("error").is_some() {
                    bail!("refused: {v}");
                }
                return Ok(v["ok"].clone());
            }
        }
    }
    bail!("connection closed")
}

/// Runs the benchmark against an engine started in this process.
pub async fn run(args: BenchWsArgs) -> anyhow::Result<ExitCode> {
    let opts = ServerOptions {
        listen: ([127, 0, 0, 1], 0).into(),
        setup: bench_setup(),
        tokens: bench_tokens(),
        store: None,
        task: TaskSettings {
            name: "parkdesk-bench".into(),
            event_buffer: 10_000,
            recent: 50,
            subscriber_queue: 4096,
            sim_enabled: true,
            demo_seed: None,
            seed: 1,
        },
        max_connections: args.subscribers + 16,
        shutdown_grace: Duration::ZERO,
        sip: None,
    };
    let server = start_server(opts)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let url = server.url();
    let sent: Arc<Mutex<HashMap<String, std::time::Instant>>> = Arc::default();
    let latencies: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let expected = args.rate as u64 * args.seconds;

    eprintln!("connecting {} subscribers to {url}", args.subscribers);
    let mut watchers = Vec::new();
    for _ in 0..args.subscribers {
        let mut ws = connect(&url, WATCHER).await?;
        send(
            &mut ws,
            Op::Session(SessionOp::Subscribe(SubscribeOp::default())),
            1,
        )
        .await?;
        expect_reply(&mut ws, 1).await?;
        let sent = sent.clone();
        let latencies = latencies.clone();
        watchers.push(tokio::spawn(async move {
            let mut seen = 0u64;
            while let Some(Ok(msg)) = ws.next().await {
                let Message::Text(t) = msg else { continue };
                let at = clock();
                if !t.as_str().contains("\"park.started\"") {
                    continue;
                }
                let Ok(v) = serde_json::from_str::<Value>(t.as_str()) else {
                    continue;
                };
                let call = v["data"]["call"].as_str().unwrap_or_default().to_string();
                let start = sent.lock().ok().and_then(|m| m.get(&call).copied());
                if let (Some(start), Ok(mut l)) = (start, latencies.lock()) {
                    l.push(at.saturating_duration_since(start));
                }
                seen += 1;
                if seen == expected {
                    break;
                }
            }
        }));
    }

    let mut desk = connect(&url, RECEPTION).await?;
    let interval = Duration::from_secs_f64(1.0 / f64::from(args.rate.max(1)));
    let mut ticker = tokio::time::interval(interval);
    let began = clock();
    let mut id = 10u64;
    for n in 0..expected {
        ticker.tick().await;
        id += 1;
        let offer = Op::Sim(SimOp::Offer(SimOffer {
            from: Party {
                number: format!("+1555{n:07}"),
                name: "Bench".into(),
            },
            to: "reception".into(),
        }));
        send(&mut desk, offer, id).await?;
        let call = expect_reply(&mut desk, id).await?["call"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        id += 1;
        if let Ok(mut m) = sent.lock() {
            m.insert(call.clone(), clock());
        }
        let park = Op::Desk(DeskOp::Park(ParkArgs {
            call: CallId(call),
            code: None,
            for_note: None,
            announce: None,
            timeout: None,
        }));
        send(&mut desk, park, id).await?;
        expect_reply(&mut desk, id).await?;
    }
    let wall = began.elapsed();
    for w in watchers {
        let _ = tokio::time::timeout(Duration::from_secs(10), w).await;
    }
    let mut l = latencies.lock().map(|l| l.clone()).unwrap_or_default();
    l.sort();
    if l.is_empty() {
        bail!("no deliveries measured");
    }
    let pct = |p: f64| l[((l.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "bench ws: {} subscribers, {} parks at {}/s over {:.1}s; {} deliveries (expected {})",
        args.subscribers,
        expected,
        args.rate,
        wall.as_secs_f64(),
        l.len(),
        expected * args.subscribers as u64
    );
    println!(
        "park request -> park.started delivered: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        l[l.len() - 1].as_secs_f64() * 1e3
    );
    server.shutdown().await;
    Ok(ExitCode::SUCCESS)
}
