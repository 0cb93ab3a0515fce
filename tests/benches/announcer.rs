//! The announcement figure: time from the park request to the first sample handed to the
//! sink, through the real server and a real station (composer with the built-in pack and
//! espeak-ng, player thread, `announcement.report` round trip), both in this process so one
//! clock measures both ends. Run: `cargo bench --bench announcer` (aim: under 250 ms).
//!
//! Half the parks name someone (espeak-ng speaks the name), half do not (pack words only).

use parkdesk::announcer::AnnouncerError;
use parkdesk::announcer::setup;
use parkdesk::announcer::sink::{Clip, Sink};
use parkdesk::announcer::station::{Backoff, Player, Station, StationNote, StationOptions};
use parkdesk::client::Client;
use parkdesk::config::AnnouncerSettings;
use parkdesk::engine::{EngineSetup, ParkPolicy, Role, User};
use parkdesk::server::auth::{TokenEntry, TokenRegistry, digest};
use parkdesk::server::engine_task::TaskSettings;
use parkdesk::server::{ServerOptions, start_server};
use serde_json::json;
use std::sync::mpsc;
use std::time::{Duration, Instant};

const RECEPTION: &str = "bench-reception";
const PA: &str = "bench-pa";

#[allow(clippy::disallowed_methods)] // a benchmark measures wall time
fn clock() -> Instant {
    Instant::now()
}

/// A sink that plays nothing and tells the bench when the first sample came.
struct Probe(mpsc::Sender<Instant>);

impl Sink for Probe {
    fn describe(&self) -> String {
        "probe".into()
    }

    fn play(&mut self, _clip: Clip<'_>, first: &mut dyn FnMut()) -> Result<(), AnnouncerError> {
        first();
        let _ = self.0.send(clock());
        Ok(())
    }
}

fn tokens() -> TokenRegistry {
    let mut reg = TokenRegistry::default();
    for (i, (token, user, role)) in [
        (RECEPTION, "reception", Role::Receptionist),
        (PA, "pa-station", Role::Announcer),
    ]
    .into_iter()
    .enumerate()
    {
        reg.insert(TokenEntry {
            id: format!("bench:{i}"),
            hash: digest(token),
            user: user.into(),
            roles: vec![role],
            label: String::new(),
        });
    }
    reg
}

fn summary(label: &str, mut ms: Vec<f64>) {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    println!(
        "{label:<28} n={:<3} min {:>6.1} ms  median {:>6.1} ms  p95 {:>6.1} ms  max {:>6.1} ms",
        ms.len(),
        at(0.0),
        at(0.5),
        at(0.95),
        at(1.0)
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run());
}

async fn run() {
    let rounds: usize = std::env::var("ANNOUNCER_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let setup_ = EngineSetup {
        policies: vec![ParkPolicy {
            allow_park: true,
            park_timeout: 1800,
            ..ParkPolicy::default()
        }],
        users: vec![User {
            id: "reception".into(),
            name: "Reception".into(),
            voice_enabled: true,
            ..User::default()
        }],
        ..EngineSetup::default()
    };
    let server = start_server(ServerOptions {
        listen: "127.0.0.1:0".parse().expect("addr"),
        setup: setup_,
        tokens: tokens(),
        store: None,
        task: TaskSettings {
            name: "parkdesk-bench".into(),
            event_buffer: 10_000,
            recent: 20,
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
    let url = server.url();

    let (composer, warnings) = setup::composer(&AnnouncerSettings::default()).expect("composer");
    for w in warnings {
        println!("warning: {w}");
    }
    let (first_tx, first_rx) = mpsc::channel();
    let player = Player::start(Box::new(move || Box::new(Probe(first_tx)) as Box<dyn Sink>))
        .expect("player");
    let (notes_tx, mut notes) = tokio::sync::mpsc::unbounded_channel();
    let station = Station::new(
        StationOptions {
            url: url.clone(),
            token: PA.into(),
            zone: "default".into(),
            client_name: "bench-station".into(),
            backoff: Backoff::default(),
        },
        composer,
        player,
    )
    .with_notes(notes_tx);
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let station = tokio::spawn(station.run(async {
        let _ = stop_rx.await;
    }));
    loop {
        if let Some(StationNote::Serving { .. }) = notes.recv().await {
            break;
        }
    }

    let (desk, _) = Client::connect(&url, RECEPTION, "bench-desk")
        .await
        .expect("desk");
    desk.request(
        "sim.phone",
        json!({"user": "reception", "behaviour": "answer", "after_ms": 0}),
    )
    .await
    .expect("sim.phone");
    let mut named = Vec::new();
    let mut plain = Vec::new();
    let mut in_station = Vec::new();
    for round in 0..rounds {
        let call = desk
            .request(
                "sim.offer",
                json!({"from": {"number": "+15550100", "name": "Caller"}, "to": "reception"}),
            )
            .await
            .expect("offer")["call"]
            .clone();
        let mut args = json!({"call": call, "announce": true});
        if round % 2 == 0 {
            args["for"] = json!("Ada Lovelace");
        }
        let sent = clock();
        let ok = desk.request("park", args).await.expect("park");
        let first = tokio::task::block_in_place(|| first_rx.recv_timeout(Duration::from_secs(10)))
            .expect("the first sample within 10 s");
        let ms = first.duration_since(sent).as_secs_f64() * 1000.0;
        if round % 2 == 0 {
            named.push(ms);
        } else {
            plain.push(ms);
        }
        loop {
            match notes.recv().await.expect("station notes") {
                StationNote::Started {
                    since_queued: Some(d),
                    ..
                } => in_station.push(d.as_secs_f64() * 1000.0),
                StationNote::Finished { .. } => break,
                StationNote::Failed { reason, .. } => panic!("failed: {reason}"),
                _ => {}
            }
        }
        let code = ok["code"].clone();
        desk.request("retrieve", json!({"code": code}))
            .await
            .expect("retrieve");
    }
    println!("park request -> first sample handed to the sink (aim < 250 ms):");
    summary("with a name (espeak-ng)", named);
    summary("code only (sound pack)", plain);
    summary("station's own figure", in_station);
    let _ = stop_tx.send(());
    let _ = station.await;
    server.shutdown().await;
}
