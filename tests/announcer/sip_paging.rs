//! The announcer's SIP paging sink, end to end: an engine, the real station process with
//! `--sink sip`, and SIPp standing in for the paging device. The test owns the RTP socket
//! the device's SDP points to, so it hears exactly what the PA would.
#![allow(clippy::disallowed_methods)] // SIPp and RTP run on wall time

use crate::support::process::StationProcess;
use crate::support::sipp::{self, Rtp, RtpPacket, Sipp, check_stream, decode, free_port, serial};
use crate::support::site::{line_user, parking_site};
use crate::support::{ANNOUNCER, Peer, RECEPTION};
use parkdesk::announcer::{Request, Say, setup};
use parkdesk::config::AnnouncerSettings;
use parkdesk::engine::EngineSetup;
use parkdesk::media::prompt_samples;
use parkdesk::server::ServerHandle;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Reception parks into 701-799 with the global policy.
fn site() -> EngineSetup {
    parking_site(vec![line_user("reception", "Reception", "100", None)])
}

/// A station config: logs in `dir`, `[announcer]` with `extra` lines.
fn write_config(dir: &Path, extra: &str) -> PathBuf {
    let path = dir.join("parkdesk.toml");
    let text = format!(
        "[log]\ndir = \"{}\"\n\n[announcer]\n{extra}\n",
        dir.join("logs").display()
    );
    std::fs::write(&path, text).expect("write config");
    path
}

/// `parkdesk --config CONFIG announcer --engine URL ARGS…`, waiting until it serves; its
/// status lines 30 s each.
async fn start_station(config: &Path, url: &str, args: &[&str]) -> StationProcess {
    let mut station = StationProcess::spawn(config, url, ANNOUNCER, args, Duration::from_secs(30));
    station.line("serving zone 'default'").await;
    station
}

/// The engine in this process and a receptionist subscribed to everything, reception
/// answering simulated calls at once.
async fn engine() -> (ServerHandle, Peer) {
    let server = crate::support::start(site()).await;
    let (mut p, _) = Peer::hello(&server.url(), RECEPTION).await;
    p.ok("subscribe", json!({})).await;
    p.ok(
        "sim.phone",
        json!({"user": "reception", "behaviour": "answer", "after_ms": 0}),
    )
    .await;
    (server, p)
}

/// Offers a call to reception and parks it with an announcement; its code.
async fn park_announced(p: &mut Peer) -> String {
    let call = p
        .ok(
            "sim.offer",
            json!({"from": {"number": "+15550100", "name": "Grace"}, "to": "reception"}),
        )
        .await["call"]
        .as_str()
        .expect("call")
        .to_string();
    p.ok("park", json!({"call": call, "announce": true})).await["code"]
        .as_str()
        .expect("code")
        .to_string()
}

/// The first `announcement.finished` or `announcement.failed` for `id`, with the
/// `announcement.*` events after `queued` seen up to it, within 40 s.
async fn outcome(p: &mut Peer, id: &str) -> (Value, Vec<String>) {
    let mut seen = Vec::new();
    let wait = async {
        loop {
            let frame = match p.events.is_empty() {
                true => p
                    .recv_within(Duration::from_secs(40))
                    .await
                    .expect("engine open"),
                false => p.events.remove(0),
            };
            let event = frame["event"].as_str().unwrap_or_default().to_string();
            let ours = event.starts_with("announcement.") && frame["data"]["announcement"] == id;
            if !ours || event == "announcement.queued" {
                continue;
            }
            seen.push(event.clone());
            if event == "announcement.finished" || event == "announcement.failed" {
                return frame;
            }
        }
    };
    let frame = tokio::time::timeout(Duration::from_secs(40), wait)
        .await
        .unwrap_or_else(|_| panic!("no end for {id}; saw {seen:?}"));
    (frame, seen)
}

/// What the PA should hear for a park on `code` announced without a name: the composition
/// at 8 kHz, as the station renders it with the default settings.
fn expected_samples(code: &str) -> Vec<i16> {
    let (composer, _) = setup::composer(&AnnouncerSettings::default()).expect("composer");
    let rendered = composer
        .render(&Request {
            say: Say::Park {
                code: code.into(),
                name: None,
            },
            repeat: 1,
        })
        .expect("render");
    prompt_samples(&rendered.audio).to_vec()
}

/// Every packet of one burst: from the first packet until 1.5 s pass without one (at most
/// `limit` in all).
async fn burst(rtp: &Rtp, limit: Duration) -> Vec<RtpPacket> {
    let deadline = Instant::now() + limit;
    let mut packets = Vec::new();
    while Instant::now() < deadline {
        let batch = rtp.receive_for(Duration::from_millis(1500)).await;
        if batch.is_empty() && !packets.is_empty() {
            break;
        }
        packets.extend(batch);
    }
    packets
}

/// Pearson correlation of two equally long signals.
fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len()) as f64;
    let mean = |x: &[f64]| x.iter().sum::<f64>() / n;
    let (ma, mb) = (mean(a), mean(b));
    let mut cov = 0.0;
    let (mut va, mut vb) = (0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        cov += (x - ma) * (y - mb);
        va += (x - ma).powi(2);
        vb += (y - mb).powi(2);
    }
    cov / (va.sqrt() * vb.sqrt()).max(f64::MIN_POSITIVE)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_park_announcement_is_paged_to_a_sipp_phone_as_rtp_and_reported_started_then_finished() {
    let _serial = serial().await;
    let (server, mut p) = engine().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), "");
    let rtp = Rtp::bind().await;
    let phone_port = free_port();
    let phone = Sipp::new("page_phone.xml", "")
        .key("rtp_port", rtp.port)
        .key("pt", 8)
        .key("codec", "PCMA")
        .args(["-d", "300"])
        .serve(phone_port);
    let page = format!("sip:paging@127.0.0.1:{phone_port}");
    let mut station =
        start_station(&config, &server.url(), &["--sink", "sip", "--page", &page]).await;
    let described = station.line("SIP paging to").await;
    assert!(described.contains(&page), "{described}");

    let code = park_announced(&mut p).await;
    let packets = burst(&rtp, Duration::from_secs(40)).await;
    let (end, seen) = outcome(&mut p, "a-1").await;
    assert_eq!(
        seen,
        ["announcement.started", "announcement.finished"],
        "{end}"
    );
    station.line("a-1 started").await;
    station.line("a-1 finished").await;
    let run = phone.finish().await;
    assert!(run.success, "{}\n{}", run.messages, run.errors);
    let invite = run.message("INVITE sip:paging@").expect("the INVITE");
    assert!(invite.contains(";answer-after=0"), "{invite}");
    assert!(invite.contains("Content-Type: application/sdp"), "{invite}");
    assert!(
        run.messages.contains("BYE sip:paging@"),
        "the station hung up"
    );

    // The phone heard the whole announcement, in PCMA, as one well-formed stream.
    let expected = expected_samples(&code);
    let frames = expected.len().div_ceil(160);
    check_stream(&packets, 8, frames.saturating_sub(3)).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        packets.len() <= frames,
        "{} packets for {frames} frames",
        packets.len()
    );
    let heard: Vec<f64> = packets
        .iter()
        .flat_map(|p| p.payload.iter().map(|b| f64::from(decode(*b, 8))))
        .collect();
    let said: Vec<f64> = expected.iter().map(|s| f64::from(*s)).collect();
    let n = heard.len().min(said.len());
    let r = correlation(&heard[..n], &said[..n]);
    assert!(
        r > 0.95,
        "what the phone heard correlates {r:.3} with the clip"
    );
    // And it is the chime and the words, not silence.
    let loudest = packets
        .iter()
        .map(|p| sipp::rms(&p.payload, 8))
        .fold(0.0, f64::max);
    assert!(loudest > 2000.0, "loudest packet RMS {loudest}");
    drop(station);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_paging_uri_that_is_busy_or_unknown_fails_the_announcement_with_its_status() {
    let _serial = serial().await;
    let (server, mut p) = engine().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let phone_port = free_port();
    let page = format!("sip:paging@127.0.0.1:{phone_port}");
    // The paging URI from the configuration file this time.
    let config = write_config(
        dir.path(),
        &format!("sink = \"sip\"\npage_uri = \"{page}\""),
    );
    let mut station = start_station(&config, &server.url(), &[]).await;

    for (n, scenario, status, reason) in [
        (1, "page_busy.xml", 486, "Busy Here"),
        (2, "page_unknown.xml", 404, "Not Found"),
    ] {
        let device = Sipp::new(scenario, "").serve(phone_port);
        sipp::until_listening(phone_port).await;
        let id = format!("a-{n}");
        park_announced(&mut p).await;
        let (end, seen) = outcome(&mut p, &id).await;
        assert_eq!(
            seen,
            ["announcement.started", "announcement.failed"],
            "{end}"
        );
        let run = device.finish().await;
        assert!(run.success, "{}\n{}", run.messages, run.errors);
        let why = end["data"]["reason"].as_str().expect("a reason");
        assert_eq!(
            why,
            format!("paging call to {page} refused: {status} {reason}"),
            "{}",
            run.messages
        );
        station.line(&format!("{id} failed: {why}")).await;
    }
    assert!(
        station.proc.0.try_wait().expect("wait").is_none(),
        "the station keeps serving"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_paging_uri_that_rings_and_never_answers_is_cancelled_after_the_ring_time() {
    let _serial = serial().await;
    let (server, mut p) = engine().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), "page_ring_time = 2");
    let phone_port = free_port();
    let device = Sipp::new("phone_unanswered.xml", "").serve(phone_port);
    let page = format!("sip:paging@127.0.0.1:{phone_port}");
    let mut station =
        start_station(&config, &server.url(), &["--sink", "sip", "--page", &page]).await;

    park_announced(&mut p).await;
    let asked = Instant::now();
    let (end, seen) = outcome(&mut p, "a-1").await;
    let took = asked.elapsed();
    // The station claims an announcement (`started`) before it places the call.
    assert_eq!(
        seen,
        ["announcement.started", "announcement.failed"],
        "{end}"
    );
    assert_eq!(
        end["data"]["reason"],
        format!("paging call to {page} not answered within 2 s")
    );
    assert!(took >= Duration::from_secs(2), "failed after {took:?}");
    assert!(took < Duration::from_secs(10), "failed after {took:?}");
    let run = device.finish().await;
    assert!(run.success, "{}\n{}", run.messages, run.errors);
    assert!(
        run.messages.contains("CANCEL sip:paging@"),
        "{}",
        run.messages
    );
    station.line("a-1 failed").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_paging_uri_where_nothing_answers_fails_within_the_ring_time_and_the_next_one_plays() {
    let _serial = serial().await;
    let (server, mut p) = engine().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), "page_ring_time = 2");
    let nobody = free_port();
    let page = format!("sip:paging@127.0.0.1:{nobody}");
    let mut station =
        start_station(&config, &server.url(), &["--sink", "sip", "--page", &page]).await;

    park_announced(&mut p).await;
    let asked = Instant::now();
    let (end, _) = outcome(&mut p, "a-1").await;
    assert!(
        asked.elapsed() < Duration::from_secs(10),
        "{:?}",
        asked.elapsed()
    );
    assert_eq!(
        end["data"]["reason"],
        format!("paging call to {page} got no response within 2 s (is a paging device there?)")
    );
    station.line("a-1 failed").await;

    // A device turns up at the address: the next announcement reaches it.
    let rtp = Rtp::bind().await;
    let phone = Sipp::new("page_phone.xml", "")
        .key("rtp_port", rtp.port)
        .key("pt", 0)
        .key("codec", "PCMU")
        .args(["-d", "0"])
        .serve(nobody);
    sipp::until_listening(nobody).await;
    park_announced(&mut p).await;
    let packets = burst(&rtp, Duration::from_secs(40)).await;
    let (end, seen) = outcome(&mut p, "a-2").await;
    assert_eq!(
        seen,
        ["announcement.started", "announcement.finished"],
        "{end}"
    );
    check_stream(&packets[..50.min(packets.len())], 0, 50).unwrap_or_else(|e| panic!("{e}"));
    let run = phone.finish().await;
    assert!(run.success, "{}\n{}", run.messages, run.errors);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_paging_device_that_hangs_up_early_fails_the_announcement_and_says_when() {
    let _serial = serial().await;
    let (server, mut p) = engine().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), "");
    let rtp = Rtp::bind().await;
    let phone_port = free_port();
    let device = Sipp::new("page_hangup.xml", "")
        .key("rtp_port", rtp.port)
        .args(["-d", "1000"])
        .serve(phone_port);
    let page = format!("sip:paging@127.0.0.1:{phone_port}");
    let mut station =
        start_station(&config, &server.url(), &["--sink", "sip", "--page", &page]).await;

    park_announced(&mut p).await;
    let (end, seen) = outcome(&mut p, "a-1").await;
    assert_eq!(
        seen,
        ["announcement.started", "announcement.failed"],
        "{end}"
    );
    let why = end["data"]["reason"].as_str().expect("a reason");
    assert!(
        why.starts_with(&format!(
            "paging call to {page} ended by the far end after "
        )),
        "{why}"
    );
    assert!(
        why.ends_with(" s, before the announcement finished"),
        "{why}"
    );
    station.line("a-1 failed").await;
    let run = device.finish().await;
    assert!(run.success, "{}\n{}", run.messages, run.errors);
    // Audio flowed until the device hung up, and then stopped.
    let packets = rtp.fresh_for(Duration::from_millis(500)).await;
    assert!(
        packets.is_empty(),
        "{} packets after the BYE",
        packets.len()
    );
}

/// Runs `parkdesk --config CONFIG announcer ARGS…` to its end (it must end at once).
fn station_refuses(config: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_parkdesk"))
        .arg("--config")
        .arg(config)
        .args(["announcer", "--engine", "ws://127.0.0.1:9/v1"])
        .args(args)
        .env("PARKDESK_TOKEN", ANNOUNCER)
        .stdin(Stdio::null())
        .output()
        .expect("run station");
    assert!(!out.status.success(), "the station must not start");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_sip_sink_without_a_paging_uri_or_with_a_bad_one_stops_the_station_with_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), "");
    let err = station_refuses(&config, &["--sink", "sip"]);
    assert!(
        err.contains("--sink sip needs --page URI (or [announcer] page_uri)"),
        "{err}"
    );
    let err = station_refuses(&config, &["--sink", "sip", "--page", "http://pa.example"]);
    assert!(
        err.contains("page URI 'http://pa.example' is not a SIP URI"),
        "{err}"
    );
    let err = station_refuses(
        &config,
        &[
            "--sink",
            "sip",
            "--page",
            "sip:pa@127.0.0.1",
            "--sip-listen",
            "0.0.0.0:0",
        ],
    );
    assert!(err.contains("'0.0.0.0:0'"), "{err}");
    assert!(err.contains("not a wildcard"), "{err}");
}

#[test]
fn bad_paging_settings_in_the_file_are_named_with_their_key_and_value() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (line, key, value) in [
        ("page_uri = \"pa.example\"", "page_uri", "pa.example"),
        ("page_ring_time = 0", "page_ring_time", "0"),
        (
            "sip_listen = \"0.0.0.0:5070\"",
            "sip_listen",
            "0.0.0.0:5070",
        ),
        ("sink = \"pager\"", "sink", "pager"),
    ] {
        let config = write_config(dir.path(), line);
        let err = station_refuses(&config, &[]);
        assert!(err.contains(key) && err.contains(value), "{line}: {err}");
    }
}
