//! The server with its store: park + retrieve cycles over one WebSocket.
//!
//! Each cycle is a call offered by the simulated switch, parked, retrieved to the desk (whose
//! simulated phone answers at once) and hung up; requests are pipelined in batches, as a
//! busy console or a PBX integration would send them. The store (SQLite, WAL) records every
//! park and audits every command. Run: `cargo bench --bench server`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures_util::{SinkExt, StreamExt};
use parkdesk::cli::bench_ws::{RECEPTION, bench_setup, bench_tokens};
use parkdesk::server::engine_task::TaskSettings;
use parkdesk::server::{ServerOptions, start_server};
use parkdesk::store::Store;
use serde_json::{Value, json};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const BATCH: usize = 256;

struct Desk {
    ws: Ws,
    id: u64,
}

impl Desk {
    /// Sends every request of a batch, then reads every reply; returns the `ok` bodies.
    async fn batch(&mut self, requests: Vec<(&str, Value)>) -> Vec<Value> {
        let first = self.id + 1;
        for (op, args) in &requests {
            self.id += 1;
            let frame = json!({"id": self.id, "op": op, "args": args}).to_string();
            self.ws.feed(Message::text(frame)).await.expect("send");
        }
        self.ws.flush().await.expect("flush");
        let mut out = vec![Value::Null; requests.len()];
        let mut left = requests.len();
        while left > 0 {
            let Some(Ok(Message::Text(t))) = self.ws.next().await else {
                continue;
            };
            let v: Value = serde_json::from_str(t.as_str()).expect("json");
            let Some(id) = v["id"].as_u64() else { continue };
            let ok = v
                .get("ok")
                .cloned()
                .unwrap_or_else(|| panic!("refused: {v}"));
            out[(id - first) as usize] = ok;
            left -= 1;
        }
        out
    }

    async fn cycles(&mut self, n: usize) {
        let mut done = 0;
        while done < n {
            let k = BATCH.min(n - done);
            let offers = (0..k)
                .map(|i| ("sim.offer", json!({"from": {"number": format!("+1555{i:07}"), "name": "Bench"}, "to": "reception"})))
                .collect();
            let calls: Vec<String> = self
                .batch(offers)
                .await
                .iter()
                .map(|v| v["call"].as_str().expect("call").to_string())
                .collect();
            let parks = calls.iter().map(|c| ("park", json!({"call": c}))).collect();
            let codes: Vec<String> = self
                .batch(parks)
                .await
                .iter()
                .map(|v| v["code"].as_str().expect("code").to_string())
                .collect();
            let retrieves = codes
                .iter()
                .map(|c| ("retrieve", json!({"code": c})))
                .collect();
            self.batch(retrieves).await;
            // Let the desk phone's answers land, then hang the calls up.
            self.batch(vec![("ping", json!({}))]).await;
            let hangups = calls
                .iter()
                .map(|c| ("hangup", json!({"call": c})))
                .collect();
            self.batch(hangups).await;
            done += k;
        }
    }
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let (server, mut desk) = rt.block_on(async {
        let store = Store::open(&dir.path().join("bench.db")).expect("store");
        let server = start_server(ServerOptions {
            listen: ([127, 0, 0, 1], 0).into(),
            setup: bench_setup(),
            tokens: bench_tokens(),
            store: Some(store),
            task: TaskSettings {
                name: "bench".into(),
                event_buffer: 10_000,
                recent: 50,
                subscriber_queue: 4096,
                sim_enabled: true,
                demo_seed: None,
                seed: 1,
            },
            max_connections: 16,
            shutdown_grace: Duration::ZERO,
            sip: None,
        })
        .await
        .expect("server");
        let (ws, _) = tokio_tungstenite::connect_async(server.url())
            .await
            .expect("connect");
        let mut desk = Desk { ws, id: 0 };
        desk.batch(vec![("hello", json!({"token": RECEPTION, "protocol": 1}))])
            .await;
        desk.batch(vec![(
            "sim.phone",
            json!({"user": "reception", "behaviour": "answer", "after_ms": 0}),
        )])
        .await;
        (server, desk)
    });
    let mut group = c.benchmark_group("server");
    group.throughput(Throughput::Elements(1));
    group.sample_size(10);
    group.bench_function("park_retrieve_cycle_over_one_websocket_with_store", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                #[allow(clippy::disallowed_methods)] // a benchmark measures wall time
                let start = std::time::Instant::now();
                desk.cycles(iters as usize).await;
                start.elapsed()
            })
        })
    });
    group.finish();
    rt.block_on(server.shutdown());
}

criterion_group!(benches, bench);
criterion_main!(benches);
