//! Parked calls survive the engine: the real `parkdesk engine` process is stopped (SIGTERM,
//! a planned restart) or killed (SIGKILL, a crash) with SIPp callers parked, and a new
//! process on the same config, store and ports carries every call on. The callers' RTP is
//! received on sockets the test owns: the music goes on, same SSRC, after a gap under a
//! second; no caller gets a BYE; each hangs up into the new process, or is retrieved by its
//! code and both directions of audio flow.
#![allow(clippy::disallowed_methods)] // SIPp, RTP and the processes run on wall time

use crate::support::process::EngineProcess;
use crate::support::sipp::{self, Rtp, RtpPacket, Sipp, serial};
use crate::support::site::{EngineConfig, free_port};
use crate::support::{Peer, RECEPTION, board};
use serde_json::json;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::time::Instant;

/// An engine on fixed ports (WebSocket, SIP, an RTP range of its own), its store in `dir`,
/// the reception desk's tokens and line, and Ada (201) who may retrieve.
fn config(dir: &Path, ws: u16, sip: u16) -> PathBuf {
    let (rtp, rtp_max) = sipp::rtp_block();
    EngineConfig::new(dir)
        .listen(&format!("127.0.0.1:{ws}"))
        .shutdown_grace(1)
        .reception_desk()
        .section(&format!(
            r#"
[sip]
listen = "127.0.0.1:{sip}"
trusted = ["127.0.0.1/32"]
park_extension_policy = "global"
rtp_port_min = {rtp}
rtp_port_max = {rtp_max}

[[users]]
id = "ada"
name = "Ada Lovelace"
numbers = ["201"]
voice_enabled = true
"#
        ))
        .write()
}

struct Rig {
    _dir: tempfile::TempDir,
    config: PathBuf,
    sip: SocketAddr,
}

fn rig() -> Rig {
    let dir = tempfile::tempdir().expect("tempdir");
    let sip_port = sipp::free_port();
    let config = config(dir.path(), free_port(), sip_port);
    Rig {
        _dir: dir,
        config,
        sip: SocketAddr::from(([127, 0, 0, 1], sip_port)),
    }
}

/// A PBX caller parked through `700`, held `hold_ms` before hanging up.
fn parked_caller(scenario: &str, rtp: &Rtp, name: &str, pai: &str, hold_ms: u64) -> Sipp {
    Sipp::new(scenario, "700")
        .key("rtp_port", rtp.port)
        .arg("-d")
        .arg(&hold_ms.to_string())
        .key("pai", pai)
        .key("name", name)
        .key("codec", 0)
        .key("codec_name", "PCMU")
}

/// The longest silence in `packets`.
fn longest_gap(packets: &[(Instant, RtpPacket)]) -> Duration {
    packets
        .windows(2)
        .map(|w| w[1].0.duration_since(w[0].0))
        .max()
        .unwrap_or_default()
}

/// Parks two callers, stops the engine with `signal`, starts it again, and checks that the
/// music went on for both; returns the new process, its board, the callers and their RTP.
async fn park_two_and_restart(
    rig: &Rig,
    signal: &str,
    scenario: &str,
) -> (
    EngineProcess,
    Peer,
    String,
    [sipp::RunningSipp; 2],
    [Rtp; 2],
) {
    let mut engine = EngineProcess::start(&rig.config);
    let mut desk = board(&engine.url).await;
    let (charles_rtp, dora_rtp) = (Rtp::bind().await, Rtp::bind().await);
    let charles =
        parked_caller(scenario, &charles_rtp, "Charles Babbage", "+15550100", 9000).spawn(rig.sip);
    let first = desk.event("park.started").await;
    let dora = parked_caller(scenario, &dora_rtp, "Dora Hart", "+15550101", 30_000).spawn(rig.sip);
    let second = desk.event("park.started").await;
    let dora_code = if second["data"]["caller"]["number"] == "+15550101" {
        second["data"]["code"].as_str().expect("code").to_string()
    } else {
        first["data"]["code"].as_str().expect("code").to_string()
    };
    let before = charles_rtp.fresh_for(Duration::from_millis(600)).await;
    assert!(
        before.len() >= 20,
        "music before the restart: {}",
        before.len()
    );
    let ssrc = before[0].ssrc;

    // Record Charles's stream across the stop and the start.
    let recording = tokio::spawn(async move {
        let packets = charles_rtp.receive_timed(Duration::from_secs(5)).await;
        (charles_rtp, packets)
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let stopped_at = Instant::now();
    engine.signal(signal);
    let status = engine
        .wait_exit(Duration::from_secs(3))
        .expect("the engine exits within 3 s");
    if signal == "-TERM" {
        assert!(status.success(), "a planned restart exits 0: {status:?}");
    }
    let engine = EngineProcess::start(&rig.config);
    let started_again = stopped_at.elapsed();
    let (charles_rtp, packets) = recording.await.expect("recording");
    let after: Vec<&(Instant, RtpPacket)> = packets
        .iter()
        .filter(|(at, _)| *at > stopped_at + started_again)
        .collect();
    assert!(
        after.len() >= 40,
        "the music goes on after the restart: {} packets after it",
        after.len()
    );
    assert!(
        packets.iter().all(|(_, p)| p.ssrc == ssrc),
        "one stream to the phone: the SSRC never changes"
    );
    let gap = longest_gap(&packets);
    assert!(
        gap < Duration::from_millis(1000),
        "the longest silence across the restart is {gap:?} (the new process listened \
         {started_again:?} after the signal)"
    );
    // The old board's connection closed with the old process.
    drop(desk);
    let desk = board(&engine.url).await;
    (
        engine,
        desk,
        dora_code,
        [charles, dora],
        [charles_rtp, dora_rtp],
    )
}

/// Ada retrieves `code` by dialling it; the restored caller and Ada hear each other.
async fn retrieve_and_talk(rig: &Rig, desk: &mut Peer, code: &str, parked_rtp: &Rtp) {
    let music = parked_rtp.fresh_for(Duration::from_millis(400)).await;
    let parked_engine_port = music.first().expect("music reaches Dora").from;
    let ada_rtp = Rtp::bind().await;
    let ada = Sipp::new("call.xml", code)
        .key("rtp_port", ada_rtp.port)
        .arg("-d")
        .arg("2500")
        .key("pai", "201")
        .key("name", "Ada Lovelace")
        .key("codec", 0)
        .key("codec_name", "PCMU")
        .spawn(rig.sip);
    let ended = desk.event("park.ended").await;
    assert_eq!(ended["data"]["outcome"], "retrieved", "{ended}");
    assert_eq!(ended["data"]["code"], code, "{ended}");
    let (heard_by_ada, ()) = tokio::join!(
        ada_rtp.receive_for(Duration::from_millis(900)),
        parked_rtp.send_tone(parked_engine_port, 0, 40)
    );
    let ada_engine_port = heard_by_ada.first().expect("Ada hears something").from;
    let (heard_by_dora, ()) = tokio::join!(
        parked_rtp.receive_for(Duration::from_millis(900)),
        ada_rtp.send_tone(ada_engine_port, 0, 40)
    );
    let loud = |packets: &[RtpPacket]| {
        packets
            .iter()
            .filter(|p| sipp::rms(&p.payload, 0) > 1000.0)
            .count()
    };
    assert!(loud(&heard_by_ada) >= 10, "Ada hears the restored caller");
    assert!(loud(&heard_by_dora) >= 10, "the restored caller hears Ada");
    let run = ada.finish().await;
    assert!(run.success, "{}\n{}", run.errors, run.messages);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_planned_restart_is_invisible_to_parked_callers_who_then_hang_up_or_are_retrieved() {
    let _serial = serial().await;
    let rig = rig();
    let (_engine, mut desk, dora_code, [charles, dora], [_charles_rtp, dora_rtp]) =
        park_two_and_restart(&rig, "-TERM", "call.xml").await;
    // Charles hangs up into the new process: his BYE is answered, no BYE ever reached him.
    let run = charles.finish().await;
    assert!(run.success, "{}\n{}", run.errors, run.messages);
    assert!(
        run.message("BYE sip:pbx").is_none(),
        "the engine never hung up on Charles"
    );
    let ended = desk.event("park.ended").await;
    assert_eq!(ended["data"]["outcome"], "abandoned", "{ended}");
    assert_eq!(ended["data"]["caller"]["number"], "+15550100", "{ended}");
    retrieve_and_talk(&rig, &mut desk, &dora_code, &dora_rtp).await;
    let _ = dora.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_crash_the_next_process_probes_each_parked_caller_and_carries_it_on() {
    let _serial = serial().await;
    let rig = rig();
    let (_engine, mut desk, dora_code, [charles, dora], [_charles_rtp, dora_rtp]) =
        park_two_and_restart(&rig, "-KILL", "parked_crash.xml").await;
    let run = charles.finish().await;
    assert!(run.success, "{}\n{}", run.errors, run.messages);
    assert!(
        run.message("OPTIONS sip:").is_some(),
        "the new process asked whether Charles was still there"
    );
    let ended = desk.event("park.ended").await;
    assert_eq!(ended["data"]["outcome"], "abandoned", "{ended}");
    retrieve_and_talk(&rig, &mut desk, &dora_code, &dora_rtp).await;
    let _ = dora.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_monitor_reconnecting_across_a_restart_gets_the_missed_events_replayed() {
    let _serial = serial().await;
    let rig = rig();
    let engine = EngineProcess::start(&rig.config);
    let (mut desk, hello) = Peer::hello(&engine.url, RECEPTION).await;
    let epoch = hello["epoch"].as_str().expect("epoch").to_string();
    let subscribed = desk.ok("subscribe", json!({})).await;
    let seq = subscribed["seq"].as_u64().expect("seq");
    let rtp = Rtp::bind().await;
    let caller =
        parked_caller("call.xml", &rtp, "Charles Babbage", "+15550100", 6000).spawn(rig.sip);
    let started = desk.event("park.started").await;
    drop(desk);
    engine.stop();
    let engine = EngineProcess::start(&rig.config);
    let (mut desk, hello) = Peer::hello(&engine.url, RECEPTION).await;
    assert_eq!(
        hello["epoch"],
        epoch.as_str(),
        "the history goes on: same epoch"
    );
    let replay = desk
        .ok("subscribe", json!({"since": seq, "epoch": epoch}))
        .await;
    assert!(
        replay.get("snapshot").is_none() && replay["replayed"].as_u64() >= Some(1),
        "missed events replayed, not a snapshot: {replay}"
    );
    let again = desk.event("park.started").await;
    assert_eq!(again["seq"], started["seq"], "{again}");
    let run = caller.finish().await;
    assert!(run.success, "{}\n{}", run.errors, run.messages);
    let ended = desk.event("park.ended").await;
    assert_eq!(ended["data"]["outcome"], "abandoned", "{ended}");
    assert!(ended["seq"].as_u64() > started["seq"].as_u64());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn baresip_parked_across_a_restart_hears_music_again_and_hangs_up_into_the_new_process() {
    let _serial = serial().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let sip_port = sipp::free_port();
    let sip = SocketAddr::from(([127, 0, 0, 1], sip_port));
    let ha1 = parkdesk::sip::digest::ha1("grace", "parkdesk", "grace-secret");
    let (rtp, rtp_max) = sipp::rtp_block();
    let config = EngineConfig::new(dir.path())
        .listen(&format!("127.0.0.1:{}", free_port()))
        .reception_desk()
        .section(&format!(
            r#"
[sip]
listen = "127.0.0.1:{sip_port}"
trusted = ["127.0.0.1/32"]
rtp_port_min = {rtp}
rtp_port_max = {rtp_max}

[[users]]
id = "grace"
name = "Grace Hopper"
numbers = ["202"]
voice_enabled = true
sip_ha1 = "{ha1}"
"#,
        ))
        .write();
    let engine = EngineProcess::start(&config);
    let mut desk = board(&engine.url).await;
    let phone = tempfile::tempdir().expect("tempdir");
    crate::calls::baresip_config(phone.path(), "grace", "grace-secret", sip);
    let mut baresip = std::process::Command::new("baresip")
        .arg("-f")
        .arg(phone.path())
        .arg("-e")
        .arg(format!("/dial sip:700@{sip}"))
        .args(["-t", "8"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("baresip runs (the test command installs baresip-core)");
    let started = desk.event("park.started").await;
    assert_eq!(started["data"]["parked_by"], "grace", "{started}");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    drop(desk);
    engine.stop();
    let engine = EngineProcess::start(&config);
    let mut desk = board(&engine.url).await;
    // baresip quits after 8 s: its BYE reaches the restored dialog, so the park ends as a
    // caller hanging up, not `lost`.
    let ended = loop {
        match desk.recv_within(Duration::from_secs(12)).await {
            Some(frame) if frame["event"] == "park.ended" => break frame,
            Some(_) => continue,
            None => {
                let _ = baresip.kill();
                panic!("the park never ended in the new process");
            }
        }
    };
    let _ = baresip.wait();
    assert_eq!(ended["data"]["outcome"], "abandoned", "{ended}");
    assert_eq!(ended["data"]["code"], started["data"]["code"], "{ended}");
    // What baresip heard: music at its end too, well after the restart.
    let reader = hound::WavReader::open(phone.path().join("heard.wav"))
        .expect("baresip recorded what it heard");
    let rate = reader.spec().sample_rate as usize * usize::from(reader.spec().channels);
    let heard = reader
        .into_samples::<i16>()
        .map_while(Result::ok)
        .collect::<Vec<i16>>();
    assert!(heard.len() > rate * 5, "{} samples heard", heard.len());
    let tail = &heard[heard.len() - rate * 2..heard.len() - rate / 2];
    let rms = (tail.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / tail.len() as f64).sqrt();
    assert!(rms > 300.0, "music in baresip's last seconds: rms {rms:.0}");
}
