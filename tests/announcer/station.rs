//! The real station process against the real engine process over WebSocket, with a WAV
//! sink: a park with announce is played and reported in order; a second announcement waits
//! for the first; a retrieve before playing drops it; zones keep to their stations.

use crate::support::process::{EngineProcess, Proc, StationProcess};
use crate::support::site::EngineConfig;
use crate::support::{Peer, RECEPTION};
use parkdesk::announcer::{Audio, Request, Say, setup};
use parkdesk::config::AnnouncerSettings;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;
use tokio::sync::mpsc;

const PA: &str = "pa-secret";

/// Share of real time the WAV sink keeps the PA busy: a ~6 s announcement holds it ~1.5 s.
const PACE: &str = "0.25";

fn write_config(dir: &Path) -> PathBuf {
    EngineConfig::new(dir)
        .store(":memory:")
        .logs("logs")
        .sim()
        .token(RECEPTION, "reception", "receptionist")
        .token(PA, "pa-station", "announcer")
        .reception_line()
        .write()
}

/// The engine process and its URL.
fn start_engine(config: &Path) -> (EngineProcess, String) {
    let engine = EngineProcess::start(config);
    let url = engine.url.clone();
    (engine, url)
}

/// A station process with a WAV sink into `out`, its status lines 10 s each.
struct Station {
    process: StationProcess,
    out: PathBuf,
}

impl std::ops::Deref for Station {
    type Target = StationProcess;
    fn deref(&self) -> &StationProcess {
        &self.process
    }
}

impl std::ops::DerefMut for Station {
    fn deref_mut(&mut self) -> &mut StationProcess {
        &mut self.process
    }
}

impl Station {
    async fn start(config: &Path, url: &str, zone: &str, out: &Path) -> Station {
        let mut station = Station::spawn(config, url, &["--zone", zone, "--pace", PACE], out);
        station.line(&format!("serving zone '{zone}'")).await;
        station
    }

    /// The station with `args` and `--sink wav --output OUT`, not waiting for it.
    fn spawn(config: &Path, url: &str, args: &[&str], out: &Path) -> Station {
        let mut all = vec!["--sink", "wav", "--output"];
        all.push(out.to_str().expect("a UTF-8 path"));
        all.extend_from_slice(args);
        Station {
            process: StationProcess::spawn(config, url, PA, &all, Duration::from_secs(10)),
            out: out.to_path_buf(),
        }
    }

    fn wav(&self, id: &str) -> Option<Audio> {
        let bytes = std::fs::read(self.out.join(format!("{id}.wav"))).ok()?;
        Some(Audio::from_wav_bytes(&bytes, id).expect("a readable WAV"))
    }
}

/// A receptionist subscribed to everything, with reception answering at once.
async fn receptionist(url: &str) -> Peer {
    let (mut p, _) = Peer::hello(url, RECEPTION).await;
    p.ok("subscribe", json!({})).await;
    p.ok(
        "sim.phone",
        json!({"user": "reception", "behaviour": "answer", "after_ms": 0}),
    )
    .await;
    p
}

/// Offers a call to reception and parks it for `name` with an announcement; its code.
async fn park_announced(p: &mut Peer, caller: &str, name: &str) -> String {
    let call = p
        .ok(
            "sim.offer",
            json!({"from": {"number": "+15550100", "name": caller}, "to": "reception"}),
        )
        .await["call"]
        .as_str()
        .expect("call")
        .to_string();
    p.ok("park", json!({"call": call, "for": name, "announce": true}))
        .await["code"]
        .as_str()
        .expect("code")
        .to_string()
}

/// `announcement.*` events as `(event, id)`, in order, until `done` holds for the list.
async fn announcements_until(
    p: &mut Peer,
    done: impl Fn(&[(String, String)]) -> bool,
) -> Vec<(String, String)> {
    let mut seen = Vec::new();
    let take = |frame: &Value, seen: &mut Vec<(String, String)>| {
        let name = frame["event"].as_str().unwrap_or_default();
        if name.starts_with("announcement.") {
            let id = frame["data"]["announcement"].as_str().unwrap_or_default();
            seen.push((name.to_string(), id.to_string()));
        }
    };
    for frame in std::mem::take(&mut p.events) {
        take(&frame, &mut seen);
    }
    let collect = async {
        while !done(&seen) {
            let frame = p.recv().await.expect("engine open");
            if frame.get("event").is_some() {
                take(&frame, &mut seen);
            }
        }
    };
    if tokio::time::timeout(Duration::from_secs(20), collect)
        .await
        .is_err()
    {
        panic!("announcements so far: {seen:?}");
    }
    seen
}

fn has(seen: &[(String, String)], event: &str, id: &str) -> bool {
    seen.iter().any(|(e, i)| e == event && i == id)
}

fn pos(seen: &[(String, String)], event: &str, id: &str) -> usize {
    seen.iter()
        .position(|(e, i)| e == event && i == id)
        .unwrap_or_else(|| panic!("no {event} for {id} in {seen:?}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_park_with_announce_is_played_by_the_station_and_reported_started_then_finished() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path());
    let (_engine, url) = start_engine(&config);
    let out = dir.path().join("pa");
    std::fs::create_dir_all(&out).expect("out dir");
    let mut station = Station::start(&config, &url, "default", &out).await;
    let mut p = receptionist(&url).await;

    let code = park_announced(&mut p, "Grace", "Ada").await;
    let seen = announcements_until(&mut p, |s| has(s, "announcement.finished", "a-1")).await;
    assert_eq!(
        seen,
        [
            ("announcement.queued".to_string(), "a-1".to_string()),
            ("announcement.started".into(), "a-1".into()),
            ("announcement.finished".into(), "a-1".into()),
        ]
    );

    let started = station.line("a-1 started").await;
    eprintln!("station: {started}");
    let queued_ms: u64 = started
        .split("first sample ")
        .nth(1)
        .and_then(|s| s.split(" ms").next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("a latency in '{started}'"));
    assert!(
        queued_ms < 2_000,
        "first sample {queued_ms} ms after the park"
    );
    station.line("a-1 finished").await;

    // The written audio is exactly the composition of this park, name spoken by espeak-ng.
    let written = station.wav("a-1").expect("a-1.wav written");
    let (composer, _) = setup::composer(&AnnouncerSettings::default()).expect("composer");
    let expected = composer
        .render(&Request {
            say: Say::Park {
                code: code.clone(),
                name: Some("Ada".into()),
            },
            repeat: 1,
        })
        .expect("render");
    assert!(
        expected.outline().contains(&"name:Ada".to_string()),
        "{:?}",
        expected.outline()
    );
    assert_eq!(written.len(), expected.audio.len());
    let worst = written
        .samples()
        .iter()
        .zip(expected.audio.samples())
        .map(|(a, b)| (a - b).abs())
        .fold(0.0_f32, f32::max);
    assert!(worst < 0.001, "differs by {worst}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_announcement_waits_while_the_first_plays_and_a_retrieve_drops_a_third() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path());
    let (_engine, url) = start_engine(&config);
    let out = dir.path().join("pa");
    std::fs::create_dir_all(&out).expect("out dir");
    let mut station = Station::start(&config, &url, "default", &out).await;
    let mut p = receptionist(&url).await;

    park_announced(&mut p, "Grace", "Ada").await;
    // a-1 is playing (about 1.5 s); park two more while it does.
    let seen = announcements_until(&mut p, |s| has(s, "announcement.started", "a-1")).await;
    assert_eq!(seen.len(), 2, "{seen:?}");
    park_announced(&mut p, "Linus", "Bob").await;
    let third = park_announced(&mut p, "Ken", "Carol").await;
    p.ok("retrieve", json!({"code": third})).await;

    let rest = announcements_until(&mut p, |s| has(s, "announcement.finished", "a-2")).await;
    let all: Vec<_> = seen.into_iter().chain(rest).collect();
    // The second waited for the first to finish.
    assert!(pos(&all, "announcement.queued", "a-2") < pos(&all, "announcement.finished", "a-1"));
    assert!(pos(&all, "announcement.finished", "a-1") < pos(&all, "announcement.started", "a-2"));
    // The third was dropped before it could play, and never was.
    assert!(has(&all, "announcement.dropped", "a-3"), "{all:?}");
    assert!(!has(&all, "announcement.started", "a-3"), "{all:?}");
    station.line("a-2 finished").await;
    assert!(station.wav("a-1").is_some() && station.wav("a-2").is_some());
    assert!(
        station.wav("a-3").is_none(),
        "a dropped announcement is never written"
    );
    assert!(
        !station.seen.iter().any(|l| l.contains("a-3 started")),
        "{:?}",
        station.seen
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn each_zone_plays_on_its_own_station_and_a_zone_without_one_fails_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path());
    let (_engine, url) = start_engine(&config);
    let lobby_out = dir.path().join("lobby");
    let floor_out = dir.path().join("floor");
    std::fs::create_dir_all(&lobby_out).expect("dir");
    std::fs::create_dir_all(&floor_out).expect("dir");
    let mut lobby = Station::start(&config, &url, "lobby", &lobby_out).await;
    let mut floor = Station::start(&config, &url, "default", &floor_out).await;
    let mut p = receptionist(&url).await;

    let lobby_text = p
        .ok(
            "announce",
            json!({"text": "please dial 7 0 1", "zone": "lobby"}),
        )
        .await;
    assert_eq!(lobby_text["announcement"]["state"], "queued");
    let nowhere = p
        .ok("announce", json!({"text": "hello", "zone": "garage"}))
        .await;
    assert_eq!(nowhere["announcement"]["state"], "failed");
    assert_eq!(
        nowhere["announcement"]["reason"],
        "no announcer station for zone 'garage'"
    );
    let seen = announcements_until(&mut p, |s| has(s, "announcement.finished", "a-1")).await;
    assert!(has(&seen, "announcement.failed", "a-2"), "{seen:?}");
    lobby.line("a-1 finished").await;
    assert!(lobby.wav("a-1").is_some());
    assert!(floor.wav("a-1").is_none(), "not the default zone's");
    assert!(!floor.seen.iter().any(|l| l.contains("a-1")));
    let _ = floor.line("serving").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_station_without_an_audio_device_reports_each_announcement_failed_and_keeps_serving() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path());
    let (_engine, url) = start_engine(&config);
    let mut child = Command::new(env!("CARGO_BIN_EXE_parkdesk"))
        .arg("--config")
        .arg(&config)
        .args([
            "announcer",
            "--engine",
            &url,
            "--sink",
            "device",
            "--device",
        ])
        .arg("parkdesk-test-no-such-output")
        .env("PARKDESK_TOKEN", PA)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn station");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, mut lines) = mpsc::unbounded_channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let proc = Proc(child);
    loop {
        let line = tokio::time::timeout(Duration::from_secs(10), lines.recv())
            .await
            .expect("station says it serves")
            .expect("running");
        if line.starts_with("serving") {
            break;
        }
    }
    let mut p = receptionist(&url).await;
    for n in 1..=2 {
        let id = format!("a-{n}");
        p.ok("announce", json!({"text": "please dial 7 0 1"})).await;
        let failed = p.event("announcement.failed").await;
        assert_eq!(failed["data"]["announcement"], id.as_str());
        let reason = failed["data"]["reason"].as_str().expect("reason");
        assert!(reason.starts_with("no audio output device: "), "{reason}");
        assert!(reason.contains("parkdesk-test-no-such-output"), "{reason}");
    }
    let mut me = proc;
    assert!(me.0.try_wait().expect("wait").is_none(), "still running");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_station_waits_for_its_engine_and_reconnects_after_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let text = std::fs::read_to_string(&config).expect("config");
    std::fs::write(
        &config,
        text.replace("127.0.0.1:0", &format!("127.0.0.1:{port}")),
    )
    .expect("config");
    let url = format!("ws://127.0.0.1:{port}/v1");
    let out = dir.path().join("pa");
    std::fs::create_dir_all(&out).expect("out dir");

    // No engine yet: the station retries with backoff instead of giving up.
    let mut station = Station::spawn(&config, &url, &["--pace", "0"], &out);
    station.line("disconnected").await;

    let (engine, _) = start_engine(&config);
    station.line("serving zone 'default'").await;
    drop(engine);
    // The station notices, and serves the restarted engine.
    station.seen.clear();
    station.line("disconnected").await;
    let (_engine, _) = start_engine(&config);
    station.line("serving zone 'default'").await;
    let mut p = receptionist(&url).await;
    p.ok("announce", json!({"text": "please dial 7 0 1"})).await;
    let seen = announcements_until(&mut p, |s| has(s, "announcement.finished", "a-1")).await;
    assert!(has(&seen, "announcement.started", "a-1"), "{seen:?}");
    station.line("a-1 finished").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_station_without_espeak_leaves_the_name_out_and_says_so_in_the_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path());
    let (_engine, url) = start_engine(&config);
    let station_config = dir.path().join("station.toml");
    std::fs::write(
        &station_config,
        format!(
            "[log]\ndir = \"{}\"\n\n[announcer]\nespeak = \"parkdesk-no-such-espeak\"\n",
            dir.path().join("logs").display()
        ),
    )
    .expect("station config");
    let out = dir.path().join("pa");
    std::fs::create_dir_all(&out).expect("out dir");
    let mut station = Station::start(&station_config, &url, "default", &out).await;
    let mut p = receptionist(&url).await;

    park_announced(&mut p, "Grace", "Ada").await;
    let started = p.event("announcement.started").await;
    let why = "name 'Ada' left out: parkdesk-no-such-espeak is not installed";
    assert_eq!(started["data"]["reason"], why, "{started}");
    let finished = p.event("announcement.finished").await;
    assert_eq!(finished["data"]["reason"], why, "{finished}");
    assert!(station.line("a-1 started").await.ends_with(why));
    // The code is still spoken: the nameless template from the pack.
    let written = station.wav("a-1").expect("written");
    let (composer, _) = setup::composer(&AnnouncerSettings {
        espeak: String::new(),
        ..AnnouncerSettings::default()
    })
    .expect("composer");
    let code = finished["data"]["code"].as_str().expect("code").to_string();
    let nameless = composer
        .render(&Request {
            say: Say::Park { code, name: None },
            repeat: 1,
        })
        .expect("render");
    assert_eq!(written.len(), nameless.audio.len());
}
