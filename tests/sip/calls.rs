//! Real calls: the engine as a park server behind a PBX, driven by SIPp (Debian's
//! `sip-tester`) with scenarios from this folder, media checked on RTP sockets the test owns.
#![allow(clippy::disallowed_methods)] // SIPp and RTP run on wall time

use crate::support::sipp::{self, Rtp, Sipp, check_stream, serial};
use crate::support::site::line_user;
use crate::support::{Peer, board};
use parkdesk::engine::{EngineSetup, OrbitRange, ParkPolicy, RangeKind};
use parkdesk::sip::digest::ha1;
use serde_json::json;
use std::time::Duration;

/// A site: codes 701–799 (`main`) and *100–*199 (`vip`), `global` parks into `main` and
/// retrieves from `main` only; users reception (100), ada (201), grace (202).
fn site() -> EngineSetup {
    let mut setup = EngineSetup::default();
    setup.ranges.push(OrbitRange {
        name: "vip".into(),
        kind: RangeKind::Park,
        start: "*100".into(),
        end: "*199".into(),
    });
    setup.policies = vec![
        ParkPolicy {
            allow_park: true,
            ..ParkPolicy::default()
        },
        ParkPolicy {
            name: "vip".into(),
            allow_park: true,
            park_range: "vip".into(),
            ..ParkPolicy::default()
        },
    ];
    let user = |id: &str, name: &str, number: &str| line_user(id, name, number, None);
    let mut boss = user("boss", "Big Boss", "300");
    boss.policy = Some("vip".into());
    setup.users = vec![
        user("reception", "Reception", "100"),
        user("ada", "Ada Lovelace", "201"),
        user("grace", "Grace Hopper", "202"),
        boss,
    ];
    setup
}

/// A PBX call from Charles Babbage (+15550100) to `service`, offering PCMU (`pcma`: PCMA),
/// held `hold_ms` before hanging up.
fn caller(service: &str, rtp: &Rtp, hold_ms: u64) -> Sipp {
    caller_with(service, rtp, hold_ms, "+15550100", false)
}

fn caller_with(service: &str, rtp: &Rtp, hold_ms: u64, pai: &str, pcma: bool) -> Sipp {
    let (codec, name) = if pcma { (8, "PCMA") } else { (0, "PCMU") };
    Sipp::new("call.xml", service)
        .key("rtp_port", rtp.port)
        .arg("-d")
        .arg(&hold_ms.to_string())
        .key("pai", pai)
        .key("name", "Charles Babbage")
        .key("codec", codec)
        .key("codec_name", name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_sent_to_the_park_extension_is_parked_and_hears_music_until_hanging_up() {
    let _serial = serial().await;
    let engine = sipp::start(site(), |_| {}).await;
    let mut desk = board(&engine.url).await;
    let rtp = Rtp::bind().await;
    let sipp = caller("700", &rtp, 3000).spawn(engine.sip);

    let started = desk.event("park.started").await;
    assert_eq!(started["data"]["code"], "701", "{started}");
    assert_eq!(started["data"]["caller"]["number"], "+15550100");
    assert_eq!(started["data"]["caller"]["name"], "Charles Babbage");
    let music = rtp.receive_for(Duration::from_millis(1500)).await;
    check_stream(&music, 0, 40).unwrap_or_else(|e| panic!("music on hold: {e}"));

    let run = sipp.finish().await;
    assert!(run.success, "SIPp failed: {}\n{}", run.errors, run.messages);
    let ended = desk.event("park.ended").await;
    assert_eq!(ended["data"]["outcome"], "abandoned", "{ended}");
    assert_eq!(ended["data"]["code"], "701");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pcma_caller_gets_music_in_pcma_and_a_directed_park_takes_its_code() {
    let _serial = serial().await;
    let engine = sipp::start(site(), |_| {}).await;
    let mut desk = board(&engine.url).await;
    let rtp = Rtp::bind().await;
    let sipp = caller_with("*70742", &rtp, 2000, "+15550100", true).spawn(engine.sip);

    let started = desk.event("park.started").await;
    assert_eq!(started["data"]["code"], "742", "{started}");
    let music = rtp.receive_for(Duration::from_millis(1000)).await;
    check_stream(&music, 8, 25).unwrap_or_else(|e| panic!("music on hold: {e}"));
    let run = sipp.finish().await;
    assert!(run.success, "SIPp failed: {}\n{}", run.errors, run.messages);
    let ok = run.message("SIP/2.0 200").expect("a 200 OK");
    assert!(ok.contains("RTP/AVP 8"), "answered in PCMA: {ok}");
    assert!(
        ok.contains("X-Park-Code: 742"),
        "the code travels for automation: {ok}"
    );
    assert!(!ok.contains("c=IN IP4 0.0.0.0"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parked_call_is_retrieved_by_dialling_its_code_and_both_directions_are_relayed() {
    let _serial = serial().await;
    let engine = sipp::start(site(), |_| {}).await;
    let mut desk = board(&engine.url).await;
    let parked_rtp = Rtp::bind().await;
    let parked = caller("700", &parked_rtp, 6000).spawn(engine.sip);
    let started = desk.event("park.started").await;
    let code = started["data"]["code"].as_str().expect("code").to_string();
    // Music reaches the parked caller; its source is the engine's port for this leg.
    let music = parked_rtp.receive_for(Duration::from_millis(600)).await;
    let parked_engine_port = music.first().expect("music arrives").from;

    let ada_rtp = Rtp::bind().await;
    let ada = Sipp::new("call.xml", &code)
        .key("rtp_port", ada_rtp.port)
        .arg("-d")
        .arg("2500")
        .key("pai", "201")
        .key("name", "Ada Lovelace")
        .key("codec", 8)
        .key("codec_name", "PCMA")
        .spawn(engine.sip);
    let ended = desk.event("park.ended").await;
    assert_eq!(ended["data"]["outcome"], "retrieved", "{ended}");
    assert_eq!(ended["data"]["by"], "ada", "{ended}");

    // The parked caller talks (PCMU): Ada hears it transcoded to PCMA, from the engine's
    // port for her leg; then Ada talks back and the caller hears her in PCMU.
    let (heard_by_ada, ()) = tokio::join!(
        ada_rtp.receive_for(Duration::from_millis(900)),
        parked_rtp.send_tone(parked_engine_port, 0, 40)
    );
    let ada_engine_port = heard_by_ada.first().expect("Ada hears something").from;
    let (heard_by_caller, ()) = tokio::join!(
        parked_rtp.receive_for(Duration::from_millis(900)),
        ada_rtp.send_tone(ada_engine_port, 8, 40)
    );
    let loud = |packets: &[sipp::RtpPacket], pt: u8| {
        packets
            .iter()
            .filter(|p| p.payload_type == pt && sipp::rms(&p.payload, pt) > 1000.0)
            .count()
    };
    assert!(
        loud(&heard_by_caller, 0) >= 10,
        "the parked caller hears Ada: {} loud PCMU packets of {}",
        loud(&heard_by_caller, 0),
        heard_by_caller.len()
    );
    assert!(
        loud(&heard_by_ada, 8) >= 10,
        "Ada hears the caller: {} loud PCMA packets of {}",
        loud(&heard_by_ada, 8),
        heard_by_ada.len()
    );
    let ada_run = ada.finish().await;
    assert!(ada_run.success, "{}\n{}", ada_run.errors, ada_run.messages);
    let ok = ada_run.message("SIP/2.0 200").expect("Ada's 200 OK");
    assert!(
        ok.contains("P-Asserted-Identity") && ok.contains("+15550100"),
        "the retrieving phone sees who was parked: {ok}"
    );
    let _ = parked.finish().await;
}

async fn refused_status(engine: &sipp::SipEngine, sipp: Sipp) -> Vec<u16> {
    let run = sipp.spawn(engine.sip).finish().await;
    assert!(run.success, "SIPp failed: {}\n{}", run.errors, run.messages);
    run.statuses()
}

fn refused(service: &str, pai: &str) -> Sipp {
    Sipp::new("refused.xml", service)
        .key("rtp_port", sipp::free_port())
        .key("pai", pai)
        .key("name", "Tester")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_number_the_engine_does_not_serve_is_404_before_any_identity_check() {
    let _serial = serial().await;
    let engine = sipp::start(site(), |_| {}).await;
    let statuses = refused_status(&engine, refused("555", "201").source_ip("127.0.0.2")).await;
    assert_eq!(statuses.last(), Some(&404), "{statuses:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_code_is_404_and_a_code_outside_the_callers_retrieve_ranges_is_403() {
    let _serial = serial().await;
    let engine = sipp::start(site(), |_| {}).await;
    let mut desk = board(&engine.url).await;
    let statuses = refused_status(&engine, refused("705", "201")).await;
    assert_eq!(statuses.last(), Some(&404), "empty code: {statuses:?}");

    // A call parked into the vip range; Ada's policy retrieves from main only.
    let rtp = Rtp::bind().await;
    // The boss (300) transfers a caller to *70*150: parked under the boss's vip policy.
    let parked = caller_with("*70*150", &rtp, 4000, "300", false).spawn(engine.sip);
    let started = desk.event("park.started").await;
    assert_eq!(started["data"]["code"], "*150", "{started}");
    let statuses = refused_status(&engine, refused("*150", "201")).await;
    assert_eq!(
        statuses.last(),
        Some(&403),
        "outside retrieve ranges: {statuses:?}"
    );
    let _ = parked.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_caller_is_challenged_with_407_and_the_from_header_identifies_nobody() {
    let _serial = serial().await;
    let engine = sipp::start(site(), |_| {}).await;
    let statuses = refused_status(&engine, refused("700", "201").source_ip("127.0.0.2")).await;
    assert_eq!(statuses.last(), Some(&407), "{statuses:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_emergency_call_is_never_parked() {
    let _serial = serial().await;
    let engine = sipp::start(site(), |_| {}).await;
    let statuses = refused_status(&engine, refused("700", "911")).await;
    assert_eq!(statuses.last(), Some(&403), "{statuses:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_number_of_a_suspended_operator_takes_no_calls_until_the_operator_resumes() {
    let _serial = serial().await;
    let engine = sipp::start(site(), |_| {}).await;
    let (mut admin, _) = Peer::hello(&engine.url, crate::support::ADMIN).await;
    admin
        .ok(
            "operator.enable",
            json!({
                "operator": "contoso", "name": "Contoso Telecom", "countries": ["US"],
                "full_name": "Dana Reyes", "email": "dana@contoso.example",
                "company_size": "51-250",
            }),
        )
        .await;
    let csv = "number,source,operator,country,city,capability\n\
               +14255550123,operator_connect,contoso,US,Redmond,user\n";
    admin.ok("number.import", json!({ "csv": csv })).await;
    admin
        .ok(
            "number.assign",
            json!({"number": "+14255550123", "user": "grace"}),
        )
        .await;
    admin
        .ok("operator.suspend", json!({"operator": "contoso"}))
        .await;
    let statuses = refused_status(&engine, refused("+14255550123", "+15550100")).await;
    assert_eq!(statuses.last(), Some(&480), "suspended: {statuses:?}");

    admin
        .ok("operator.resume", json!({"operator": "contoso"}))
        .await;
    // Resumed, the number is Grace's again: the call is offered to her line.
    let mut desk = board(&engine.url).await;
    let rtp = Rtp::bind().await;
    let call = caller("+14255550123", &rtp, 500).spawn(engine.sip);
    let offered = desk.event("call.offered").await;
    assert_eq!(offered["data"]["to"], "grace", "{offered}");
    // Nobody's phone is registered for Grace: the desk lets the call go.
    desk.ok("hangup", json!({"call": offered["data"]["call"]}))
        .await;
    let run = call.finish().await;
    assert_eq!(run.statuses().last(), Some(&480), "{:?}", run.statuses());
}

/// The site with the reception's phone able to register (password `desk-secret`).
fn site_with_desk_phone() -> EngineSetup {
    let mut setup = site();
    setup.users[0].sip_ha1 = Some(ha1("reception", "parkdesk", "desk-secret"));
    setup
}

/// Registers the reception's phone from 127.0.0.2, its UAS listening on `phone_port`.
async fn register_desk_phone(engine: &sipp::SipEngine, phone_port: u16) {
    let run = Sipp::new("register.xml", "reception")
        .source_ip("127.0.0.2")
        .key("user", "reception")
        .key("contact_port", phone_port)
        .arg("-au")
        .arg("reception")
        .arg("-ap")
        .arg("desk-secret")
        .spawn(engine.sip)
        .finish()
        .await;
    assert!(run.success, "REGISTER: {}\n{}", run.errors, run.messages);
    assert_eq!(
        run.statuses(),
        vec![401, 200],
        "challenged, then registered"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reception_call_rings_the_registered_desk_phone_is_parked_from_the_console_and_retrieved_by_a_colleague()
 {
    let _serial = serial().await;
    let engine = sipp::start(site_with_desk_phone(), |_| {}).await;
    let mut desk = board(&engine.url).await;
    let phone_port = sipp::free_port();
    let phone_rtp = Rtp::bind().await;
    let phone = Sipp::new("phone.xml", "")
        .source_ip("127.0.0.2")
        .key("rtp_port", phone_rtp.port)
        .arg("-d")
        .arg("300")
        .serve(phone_port);
    register_desk_phone(&engine, phone_port).await;

    let caller_rtp = Rtp::bind().await;
    let caller = caller("100", &caller_rtp, 9000).spawn(engine.sip);
    let offered = desk.event("call.offered").await;
    assert_eq!(offered["data"]["line"], "reception", "{offered}");
    let answered = desk.event("call.answered").await;
    let call = answered["data"]["call"].clone();
    assert_eq!(call, offered["data"]["call"]);

    // The receptionist parks it with a keystroke's worth of protocol.
    let parked = desk.ok("park", json!({ "call": call })).await;
    let code = parked["code"].as_str().expect("a code").to_string();
    let phone_run = phone.finish().await;
    assert!(
        phone_run.success,
        "the desk phone is released by the park: {}\n{}",
        phone_run.errors, phone_run.messages
    );
    let music = caller_rtp.fresh_for(Duration::from_millis(1200)).await;
    check_stream(&music, 0, 30).unwrap_or_else(|e| panic!("music after the park: {e}"));

    let ada_rtp = Rtp::bind().await;
    let ada = Sipp::new("call.xml", &code)
        .key("rtp_port", ada_rtp.port)
        .key("pai", "201")
        .key("name", "Ada Lovelace")
        .key("codec", 0)
        .key("codec_name", "PCMU")
        .arg("-d")
        .arg("1500")
        .spawn(engine.sip);
    let ended = desk.event("park.ended").await;
    assert_eq!(ended["data"]["outcome"], "retrieved", "{ended}");
    assert_eq!(ended["data"]["by"], "ada");
    let ada_run = ada.finish().await;
    assert!(ada_run.success, "{}\n{}", ada_run.errors, ada_run.messages);
    let _ = caller.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_retrieve_rings_the_desk_phone_and_bridges_when_it_answers() {
    let _serial = serial().await;
    let engine = sipp::start(site_with_desk_phone(), |_| {}).await;
    let mut desk = board(&engine.url).await;
    let caller_rtp = Rtp::bind().await;
    let caller = caller("700", &caller_rtp, 5000).spawn(engine.sip);
    let started = desk.event("park.started").await;
    let code = started["data"]["code"].clone();

    let phone_port = sipp::free_port();
    let phone_rtp = Rtp::bind().await;
    let phone = Sipp::new("phone.xml", "")
        .source_ip("127.0.0.2")
        .key("rtp_port", phone_rtp.port)
        .arg("-d")
        .arg("500")
        .serve(phone_port);
    register_desk_phone(&engine, phone_port).await;

    desk.ok("retrieve", json!({ "code": code })).await;
    let retrieving = desk.event("park.retrieving").await;
    assert_eq!(retrieving["data"]["state"], "retrieving", "{retrieving}");
    let ended = desk.event("park.ended").await;
    assert_eq!(ended["data"]["outcome"], "retrieved", "{ended}");
    // The desk phone now hears the caller, relayed.
    let from_phone = phone_rtp.receive_for(Duration::from_millis(300)).await;
    assert!(
        from_phone.iter().all(|p| p.payload_type == 0),
        "nothing but the caller's codec reaches the desk phone"
    );
    let run = caller.finish().await;
    assert!(run.success, "{}\n{}", run.errors, run.messages);
    // The caller hung up: the engine hangs up the desk phone.
    let phone_run = phone.finish().await;
    assert!(
        phone_run.success,
        "{}\n{}",
        phone_run.errors, phone_run.messages
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unanswered_console_retrieve_cancels_the_desk_phone_and_puts_the_call_back_on_its_code()
{
    let _serial = serial().await;
    let mut setup = site_with_desk_phone();
    setup.retrieve_ring_time = 5;
    let engine = sipp::start(setup, |_| {}).await;
    let mut desk = board(&engine.url).await;
    let caller_rtp = Rtp::bind().await;
    let caller = caller("700", &caller_rtp, 9000).spawn(engine.sip);
    let started = desk.event("park.started").await;
    let code = started["data"]["code"].clone();

    let phone_port = sipp::free_port();
    let phone = Sipp::new("phone_unanswered.xml", "")
        .source_ip("127.0.0.2")
        .serve(phone_port);
    register_desk_phone(&engine, phone_port).await;

    desk.ok("retrieve", json!({ "code": code })).await;
    desk.event("park.retrieving").await;
    let returned = loop {
        match desk.recv_within(Duration::from_secs(10)).await {
            Some(frame) if frame["event"] == "park.returned" => break frame,
            Some(_) => continue,
            None => panic!("no park.returned within 10 s"),
        }
    };
    assert_eq!(returned["data"]["code"], code, "{returned}");
    assert_eq!(returned["data"]["state"], "parked");
    let phone_run = phone.finish().await;
    assert!(
        phone_run.success,
        "the desk phone was cancelled: {}\n{}",
        phone_run.errors, phone_run.messages
    );
    // Back on its code, the caller hears music again.
    let music = caller_rtp.fresh_for(Duration::from_millis(800)).await;
    check_stream(&music, 0, 20).unwrap_or_else(|e| panic!("music after the return: {e}"));
    let _ = caller.finish().await;
}

/// The `o=` versions of the SDPs the engine sent, in order.
fn sdp_versions(messages: &str) -> Vec<u64> {
    messages
        .lines()
        .filter_map(|l| l.trim().strip_prefix("o=parkdesk "))
        .filter_map(|rest| rest.split_whitespace().nth(1)?.parse().ok())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parked_caller_who_holds_gets_no_music_until_unholding_and_each_answer_raises_the_sdp_version()
 {
    let _serial = serial().await;
    let engine = sipp::start(site(), |_| {}).await;
    let mut desk = board(&engine.url).await;
    let rtp = Rtp::bind().await;
    let sipp = Sipp::new("call_hold.xml", "700")
        .key("rtp_port", rtp.port)
        .key("pai", "+15550100")
        .key("name", "Charles Babbage")
        .arg("-d")
        .arg("1500")
        .spawn(engine.sip);
    desk.event("park.started").await;
    let before = rtp.fresh_for(Duration::from_millis(800)).await;
    check_stream(&before, 0, 20).unwrap_or_else(|e| panic!("music before the hold: {e}"));
    // The hold (a re-INVITE with a=sendonly) stops the music; taking it off starts it again.
    let mut quiet = false;
    for _ in 0..50 {
        if rtp.receive_for(Duration::from_millis(120)).await.is_empty() {
            quiet = true;
            break;
        }
    }
    assert!(quiet, "the music stops while the caller holds");
    let during = rtp.receive_for(Duration::from_millis(500)).await;
    assert!(
        during.is_empty(),
        "{} packets during the hold",
        during.len()
    );
    let mut resumed = Vec::new();
    for _ in 0..50 {
        resumed = rtp.receive_for(Duration::from_millis(100)).await;
        if !resumed.is_empty() {
            break;
        }
    }
    assert!(!resumed.is_empty(), "the music comes back after the hold");
    let after = rtp.fresh_for(Duration::from_millis(500)).await;
    check_stream(&after, 0, 15).unwrap_or_else(|e| panic!("music after the hold: {e}"));
    let parked = desk.ok("parked.list", json!({})).await;
    assert_eq!(parked["parked"][0]["state"], "parked", "{parked}");
    let run = sipp.finish().await;
    assert!(run.success, "{}\n{}", run.errors, run.messages);
    let versions = sdp_versions(&run.messages);
    assert_eq!(versions.len(), 3, "three answers: {versions:?}");
    assert!(
        versions.windows(2).all(|w| w[1] > w[0]),
        "the SDP version rises: {versions:?}"
    );
    assert!(
        run.messages.contains("a=recvonly"),
        "the hold is answered recvonly"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parked_caller_who_goes_silent_and_does_not_answer_a_probe_ends_abandoned() {
    let _serial = serial().await;
    let engine = sipp::start(site(), |sip| sip.media_timeout = 5).await;
    let mut desk = board(&engine.url).await;
    let rtp = Rtp::bind().await;
    // The caller's phone vanishes after the answer: it sends no RTP and answers nothing.
    let sipp = caller("700", &rtp, 30_000)
        .arg("-default_behaviors")
        .arg("none")
        .spawn(engine.sip);
    desk.event("park.started").await;
    let ended = loop {
        match desk.recv_within(Duration::from_secs(20)).await {
            Some(frame) if frame["event"] == "park.ended" => break frame,
            Some(_) => continue,
            None => panic!("the silent caller was never found dead"),
        }
    };
    assert_eq!(ended["data"]["outcome"], "abandoned", "{ended}");
    let run = sipp.stop().await;
    assert!(
        run.messages.contains("OPTIONS sip:"),
        "the engine probed the silent leg before giving up"
    );
}

/// A headless baresip (Debian's `baresip-core`) for `user` with `secret`, on 127.0.0.3,
/// sending a tone from a WAV file (`aufile`). Its config lives in `dir`.
pub(crate) fn baresip_config(
    dir: &std::path::Path,
    user: &str,
    secret: &str,
    engine: std::net::SocketAddr,
) {
    let port = sipp::free_port();
    let tone = dir.join("tone.wav");
    let samples: Vec<f32> = (0..8000 * 6)
        .map(|i| (f64::from(i) / 8000.0 * 440.0 * std::f64::consts::TAU).sin() as f32 * 0.3)
        .collect();
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut wav = hound::WavWriter::create(&tone, spec).expect("tone.wav");
    for s in samples {
        wav.write_sample((s * 32767.0) as i16).expect("sample");
    }
    wav.finalize().expect("tone.wav written");
    let config = format!(
        "module_path /usr/lib/baresip/modules\n\
         sip_listen 127.0.0.3:{port}\n\
         audio_player aufile,{heard}\n\
         audio_source aufile,{tone}\n\
         audio_alert aufile,{tone}\n\
         module_app menu.so\n\
         module g711.so\n\
         module aufile.so\n\
         module_app account.so\n",
        heard = dir.join("heard.wav").display(),
        tone = tone.display(),
    );
    std::fs::write(dir.join("config"), config).expect("baresip config");
    std::fs::write(
        dir.join("accounts"),
        format!("<sip:{user}@{engine}>;auth_pass={secret};regint=0;audio_codecs=PCMU\n"),
    )
    .expect("baresip accounts");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn baresip_dials_a_parked_code_authenticates_with_digest_and_takes_the_call() {
    let _serial = serial().await;
    let mut setup = site();
    setup.users[2].sip_ha1 = Some(ha1("grace", "parkdesk", "grace-secret"));
    let engine = sipp::start(setup, |_| {}).await;
    let mut desk = board(&engine.url).await;
    let caller_rtp = Rtp::bind().await;
    let parked = caller("700", &caller_rtp, 8000).spawn(engine.sip);
    let started = desk.event("park.started").await;
    let code = started["data"]["code"].as_str().expect("code").to_string();

    let dir = tempfile::tempdir().expect("tempdir");
    baresip_config(dir.path(), "grace", "grace-secret", engine.sip);
    let mut baresip = std::process::Command::new("baresip")
        .arg("-f")
        .arg(dir.path())
        .arg("-e")
        .arg(format!("/dial sip:{code}@{}", engine.sip))
        .args(["-t", "6"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("baresip runs (the test command installs baresip-core)");

    let ended = loop {
        match desk.recv_within(Duration::from_secs(10)).await {
            Some(frame) if frame["event"] == "park.ended" => break frame,
            Some(_) => continue,
            None => {
                let _ = baresip.kill();
                panic!("baresip never took the parked call");
            }
        }
    };
    assert_eq!(ended["data"]["outcome"], "retrieved", "{ended}");
    assert_eq!(ended["data"]["by"], "grace", "{ended}");
    // baresip's tone reaches the parked caller through the relay.
    let heard = caller_rtp.fresh_for(Duration::from_millis(1500)).await;
    let loud = heard
        .iter()
        .filter(|p| p.payload_type == 0 && sipp::rms(&p.payload, 0) > 1000.0)
        .count();
    assert!(loud >= 10, "{loud} loud packets of {}", heard.len());
    let _ = baresip.wait();
    let _ = parked.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pbx_on_tcp_parks_and_retrieves_over_one_reused_connection_each() {
    let _serial = serial().await;
    let engine = sipp::start(site(), |_| {}).await;
    let mut desk = board(&engine.url).await;
    let rtp = Rtp::bind().await;
    let parked = caller("700", &rtp, 4000)
        .arg("-t")
        .arg("t1")
        .spawn(engine.sip);
    let started = desk.event("park.started").await;
    let code = started["data"]["code"].as_str().expect("code").to_string();
    let music = rtp.fresh_for(Duration::from_millis(600)).await;
    check_stream(&music, 0, 15).unwrap_or_else(|e| panic!("music over a TCP call: {e}"));
    let ada_rtp = Rtp::bind().await;
    let ada = Sipp::new("call.xml", &code)
        .key("rtp_port", ada_rtp.port)
        .key("pai", "201")
        .key("name", "Ada Lovelace")
        .key("codec", 0)
        .key("codec_name", "PCMU")
        .args(["-d", "1000", "-t", "t1"])
        .spawn(engine.sip);
    let ended = desk.event("park.ended").await;
    assert_eq!(ended["data"]["outcome"], "retrieved", "{ended}");
    let run = ada.finish().await;
    assert!(run.success, "{}\n{}", run.errors, run.messages);
    assert!(
        run.messages.contains("SIP/2.0/TCP"),
        "the signalling went over TCP"
    );
    let _ = parked.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desk_phone_parks_its_call_with_a_refer_to_the_park_extension_and_hears_how_it_went() {
    let _serial = serial().await;
    let engine = sipp::start(site_with_desk_phone(), |_| {}).await;
    let mut desk = board(&engine.url).await;
    let phone_port = sipp::free_port();
    let phone_rtp = Rtp::bind().await;
    let phone = Sipp::new("phone_refer.xml", "")
        .source_ip("127.0.0.2")
        .key("rtp_port", phone_rtp.port)
        .key("refer_to", "700")
        .args(["-d", "500"])
        .serve(phone_port);
    register_desk_phone(&engine, phone_port).await;
    let caller_rtp = Rtp::bind().await;
    let caller = caller("100", &caller_rtp, 5000).spawn(engine.sip);

    let started = desk.event("park.started").await;
    assert_eq!(started["data"]["parked_by"], "reception", "{started}");
    assert_eq!(started["data"]["caller"]["number"], "+15550100");
    let run = phone.finish().await;
    assert!(
        run.success,
        "202, NOTIFY 100, NOTIFY 200, BYE: {}\n{}",
        run.errors, run.messages
    );
    assert!(run.messages.contains("Event: refer"));
    assert!(
        run.messages.contains("X-Park-Code: 701"),
        "the final NOTIFY names the code"
    );
    let music = caller_rtp.fresh_for(Duration::from_millis(600)).await;
    check_stream(&music, 0, 15).unwrap_or_else(|e| panic!("music after the REFER: {e}"));
    let _ = caller.stop().await;
}

/// A site for ring-backs: parks time out after 10 s, one ring-back of 5 s with a distinctive
/// ring, then the reception for 5 s; Ada and the reception can register phones.
fn ringback_site() -> EngineSetup {
    let mut setup = site();
    setup.policies[0] = ParkPolicy {
        allow_park: true,
        park_timeout: 10,
        ringback_attempts: 1,
        ringback_ring_time: 5,
        on_timeout: Some("reception".into()),
        fallback_ring_time: 5,
        ringback_alert_info: Some("<http://127.0.0.1/Bellcore-dr2>".into()),
        ..ParkPolicy::default()
    };
    setup.users[0].sip_ha1 = Some(ha1("reception", "parkdesk", "desk-secret"));
    setup.users[1].sip_ha1 = Some(ha1("ada", "parkdesk", "ada-secret"));
    setup
}

/// A phone for `user` (password `secret`): its UAS runs `scenario` on 127.0.0.2, then it
/// registers.
async fn phone_for(
    engine: &sipp::SipEngine,
    user: &str,
    secret: &str,
    scenario: &str,
    rtp: &Rtp,
) -> sipp::RunningSipp {
    let port = sipp::free_port();
    let phone = Sipp::new(scenario, "")
        .source_ip("127.0.0.2")
        .key("rtp_port", rtp.port)
        .args(["-d", "300"])
        .serve(port);
    let run = Sipp::new("register.xml", user)
        .source_ip("127.0.0.2")
        .key("user", user)
        .key("contact_port", port)
        .args(["-au", user, "-ap", secret])
        .spawn(engine.sip)
        .finish()
        .await;
    assert!(
        run.success,
        "REGISTER {user}: {}\n{}",
        run.errors, run.messages
    );
    phone
}

/// A caller Ada transfers to the park extension through the PBX.
fn parked_by_ada(rtp: &Rtp, scenario: &str) -> Sipp {
    Sipp::new(scenario, "700")
        .key("rtp_port", rtp.port)
        .key("pai", "+15550100")
        .key("name", "Charles Babbage")
        .key("referrer", "201")
        .key("codec", 0)
        .key("codec_name", "PCMU")
        .args(["-d", "20000"])
}

async fn next_event(desk: &mut Peer, name: &str, within: Duration) -> serde_json::Value {
    loop {
        match desk.recv_within(within).await {
            Some(frame) if frame["event"] == name => return frame,
            Some(_) => continue,
            None => panic!("no {name} within {within:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timed_out_park_rings_the_parker_back_with_a_distinctive_ring_and_the_parker_answers() {
    let _serial = serial().await;
    let engine = sipp::start(ringback_site(), |_| {}).await;
    let mut desk = board(&engine.url).await;
    let ada_rtp = Rtp::bind().await;
    let ada = phone_for(&engine, "ada", "ada-secret", "phone.xml", &ada_rtp).await;
    let caller_rtp = Rtp::bind().await;
    let caller = parked_by_ada(&caller_rtp, "transferred.xml").spawn(engine.sip);
    let started = desk.event("park.started").await;
    assert_eq!(started["data"]["parked_by"], "ada", "{started}");
    let ringback = next_event(&mut desk, "park.ringback", Duration::from_secs(15)).await;
    assert_eq!(ringback["data"]["ringback"], 1, "{ringback}");
    let ended = next_event(&mut desk, "park.ended", Duration::from_secs(10)).await;
    assert_eq!(ended["data"]["outcome"], "answered_ringback", "{ended}");
    let _ = caller.stop().await;
    let ada_run = ada.stop().await;
    let invite = ada_run
        .message("INVITE sip:")
        .expect("Ada's phone was rung");
    assert!(
        invite.contains("\"Park 701: Charles Babbage\""),
        "the ring-back shows the code and the caller: {invite}"
    );
    assert!(
        invite.contains("Alert-Info: <http://127.0.0.1/Bellcore-dr2>"),
        "with the policy's distinctive ring: {invite}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_parker_sends_the_ring_back_to_the_fallback_which_answers() {
    let _serial = serial().await;
    let engine = sipp::start(ringback_site(), |_| {}).await;
    let mut desk = board(&engine.url).await;
    let ada_rtp = Rtp::bind().await;
    let ada = phone_for(&engine, "ada", "ada-secret", "phone_busy.xml", &ada_rtp).await;
    let desk_rtp = Rtp::bind().await;
    let reception = phone_for(&engine, "reception", "desk-secret", "phone.xml", &desk_rtp).await;
    let caller_rtp = Rtp::bind().await;
    let caller = parked_by_ada(&caller_rtp, "transferred.xml").spawn(engine.sip);
    desk.event("park.started").await;
    next_event(&mut desk, "park.ringback", Duration::from_secs(15)).await;
    let fallback = next_event(&mut desk, "park.fallback", Duration::from_secs(5)).await;
    assert_eq!(fallback["data"]["state"], "fallback", "{fallback}");
    let ended = next_event(&mut desk, "park.ended", Duration::from_secs(10)).await;
    assert_eq!(ended["data"]["outcome"], "answered_fallback", "{ended}");
    let ada_run = ada.finish().await;
    assert!(ada_run.success, "{}\n{}", ada_run.errors, ada_run.messages);
    let _ = caller.stop().await;
    let _ = reception.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_nobody_answers_the_ring_back_or_the_fallback_the_caller_hears_goodbye_and_is_released()
 {
    let _serial = serial().await;
    let engine = sipp::start(ringback_site(), |_| {}).await;
    let mut desk = board(&engine.url).await;
    let ada_rtp = Rtp::bind().await;
    let ada = phone_for(
        &engine,
        "ada",
        "ada-secret",
        "phone_unanswered.xml",
        &ada_rtp,
    )
    .await;
    let desk_rtp = Rtp::bind().await;
    let reception = phone_for(
        &engine,
        "reception",
        "desk-secret",
        "phone_unanswered.xml",
        &desk_rtp,
    )
    .await;
    let caller_rtp = Rtp::bind().await;
    let caller = parked_by_ada(&caller_rtp, "transferred_until_bye.xml").spawn(engine.sip);
    desk.event("park.started").await;
    next_event(&mut desk, "park.fallback", Duration::from_secs(20)).await;
    caller_rtp.drain();
    let ended = next_event(&mut desk, "park.ended", Duration::from_secs(10)).await;
    assert_eq!(ended["data"]["outcome"], "released", "{ended}");
    // The goodbye: speech after the music, before the engine's BYE.
    let goodbye = caller_rtp.receive_for(Duration::from_millis(1500)).await;
    assert!(
        goodbye
            .iter()
            .filter(|p| sipp::rms(&p.payload, 0) > 300.0)
            .count()
            >= 5,
        "the goodbye is heard: {} packets",
        goodbye.len()
    );
    let run = caller.finish().await;
    assert!(
        run.success,
        "the engine hung up the caller: {}\n{}",
        run.errors, run.messages
    );
    for phone in [ada, reception] {
        let run = phone.finish().await;
        assert!(
            run.success,
            "a phone was cancelled: {}\n{}",
            run.errors, run.messages
        );
    }
}

/// The site with a pickup group `sales` (881: Ada and Grace); Ada can register a phone.
fn pickup_site() -> EngineSetup {
    let mut setup = site();
    setup.groups = vec![parkdesk::engine::Group {
        id: "sales".into(),
        name: "Sales".into(),
        members: vec!["ada".into(), "grace".into()],
        number: Some("881".into()),
        ..parkdesk::engine::Group::default()
    }];
    setup.users[1].sip_ha1 = Some(ha1("ada", "parkdesk", "ada-secret"));
    setup
}

/// Grace (202) dials `number` through the PBX.
fn grace_dials(number: &str, rtp: &Rtp, scenario: &str) -> Sipp {
    Sipp::new(scenario, number)
        .key("rtp_port", rtp.port)
        .key("pai", "202")
        .key("name", "Grace Hopper")
        .key("codec", 0)
        .key("codec_name", "PCMU")
        .args(["-d", "1000"])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_dialling_the_group_number_picks_up_and_the_ringing_phone_is_cancelled_as_completed_elsewhere()
 {
    let _serial = serial().await;
    let engine = sipp::start(pickup_site(), |_| {}).await;
    let mut desk = board(&engine.url).await;
    let ada_rtp = Rtp::bind().await;
    let ada = phone_for(
        &engine,
        "ada",
        "ada-secret",
        "phone_unanswered.xml",
        &ada_rtp,
    )
    .await;
    let caller_rtp = Rtp::bind().await;
    let caller = caller("201", &caller_rtp, 4000).spawn(engine.sip);
    let ringing = desk.event("pickup.ringing").await;
    assert_eq!(ringing["data"]["number"], "881", "{ringing}");

    let grace_rtp = Rtp::bind().await;
    let grace = grace_dials("881", &grace_rtp, "call.xml").spawn(engine.sip);
    let picked = desk.event("pickup.picked").await;
    assert_eq!(picked["data"]["by"], "grace", "{picked}");
    let ada_run = ada.finish().await;
    assert!(ada_run.success, "{}\n{}", ada_run.errors, ada_run.messages);
    let cancel = ada_run
        .message("CANCEL sip:")
        .expect("Ada's phone got a CANCEL");
    assert!(
        cancel.contains("Reason: SIP;cause=200;text=\"Call completed elsewhere\""),
        "no missed call on Ada's phone: {cancel}"
    );
    let run = grace.finish().await;
    assert!(
        run.success,
        "Grace took the call: {}\n{}",
        run.errors, run.messages
    );
    let _ = caller.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_who_gives_up_while_the_line_rings_cancels_the_phone_and_leaves_nothing_behind() {
    let _serial = serial().await;
    let engine = sipp::start(pickup_site(), |_| {}).await;
    let mut desk = board(&engine.url).await;
    let ada_rtp = Rtp::bind().await;
    let ada = phone_for(
        &engine,
        "ada",
        "ada-secret",
        "phone_unanswered.xml",
        &ada_rtp,
    )
    .await;
    let caller_rtp = Rtp::bind().await;
    let caller = Sipp::new("call_cancelled.xml", "201")
        .key("rtp_port", caller_rtp.port)
        .key("pai", "+15550100")
        .key("name", "Charles Babbage")
        .args(["-d", "1000"])
        .spawn(engine.sip);
    desk.event("pickup.ringing").await;
    let run = caller.finish().await;
    assert!(run.success, "{}\n{}", run.errors, run.messages);
    desk.event("call.ended").await;
    let ada_run = ada.finish().await;
    assert!(
        ada_run.success,
        "Ada's phone stops ringing: {}\n{}",
        ada_run.errors, ada_run.messages
    );
    let health = desk.ok("health", json!({})).await;
    assert_eq!(health["sip"]["legs"], 0, "{health}");
    assert_eq!(health["sip"]["calls"], 0, "{health}");
    assert_eq!(health["sip"]["rtp_streams"], 0, "{health}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_that_crosses_the_pickups_cancel_is_acknowledged_and_hung_up() {
    let _serial = serial().await;
    let engine = sipp::start(pickup_site(), |_| {}).await;
    let mut desk = board(&engine.url).await;
    let ada_rtp = Rtp::bind().await;
    let ada = phone_for(&engine, "ada", "ada-secret", "phone_crossing.xml", &ada_rtp).await;
    let caller_rtp = Rtp::bind().await;
    let caller = caller("201", &caller_rtp, 4000).spawn(engine.sip);
    desk.event("pickup.ringing").await;
    let grace_rtp = Rtp::bind().await;
    let grace = grace_dials("881", &grace_rtp, "call.xml").spawn(engine.sip);
    let picked = desk.event("pickup.picked").await;
    assert_eq!(picked["data"]["by"], "grace", "{picked}");
    let ada_run = ada.finish().await;
    assert!(
        ada_run.success,
        "the crossing 200 OK was ACKed and hung up: {}\n{}",
        ada_run.errors, ada_run.messages
    );
    let run = grace.finish().await;
    assert!(run.success, "{}\n{}", run.errors, run.messages);
    let _ = caller.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pickup_that_loses_to_the_phone_answering_first_gets_480_and_pickup_failed() {
    let _serial = serial().await;
    let engine = sipp::start(pickup_site(), |_| {}).await;
    let mut desk = board(&engine.url).await;
    let ada_rtp = Rtp::bind().await;
    let ada = phone_for(&engine, "ada", "ada-secret", "phone.xml", &ada_rtp).await;
    let caller_rtp = Rtp::bind().await;
    let caller = caller("201", &caller_rtp, 3000).spawn(engine.sip);
    desk.event("call.answered").await;
    let statuses = refused_status(&engine, refused("881", "202")).await;
    assert_eq!(statuses.last(), Some(&480), "{statuses:?}");
    let failed = desk.event("pickup.failed").await;
    assert_eq!(failed["data"]["by"], "grace", "{failed}");
    let _ = caller.finish().await;
    let _ = ada.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parked_caller_pressing_the_escape_digit_goes_to_the_fallback_at_once() {
    let _serial = serial().await;
    let mut setup = ringback_site();
    setup.policies[0].park_timeout = 300;
    setup.policies[0].caller_escape_digit = Some('0');
    let engine = sipp::start(setup, |_| {}).await;
    let mut desk = board(&engine.url).await;
    let desk_rtp = Rtp::bind().await;
    let reception = phone_for(&engine, "reception", "desk-secret", "phone.xml", &desk_rtp).await;
    let caller_rtp = Rtp::bind().await;
    let caller = parked_by_ada(&caller_rtp, "transferred.xml").spawn(engine.sip);
    desk.event("park.started").await;
    let music = caller_rtp.fresh_for(Duration::from_millis(300)).await;
    let engine_port = music.first().expect("music arrives").from;
    // RFC 4733: the caller presses 0 (telephone-event, payload type 101 as offered).
    caller_rtp.press(engine_port, '0', 101).await;
    let fallback = next_event(&mut desk, "park.fallback", Duration::from_secs(3)).await;
    assert_eq!(fallback["data"]["state"], "fallback", "{fallback}");
    let ended = next_event(&mut desk, "park.ended", Duration::from_secs(5)).await;
    assert_eq!(ended["data"]["outcome"], "answered_fallback", "{ended}");
    let _ = caller.stop().await;
    let _ = reception.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_escape_digit_also_works_by_sip_info() {
    let _serial = serial().await;
    let mut setup = ringback_site();
    setup.policies[0].park_timeout = 300;
    setup.policies[0].caller_escape_digit = Some('#');
    let engine = sipp::start(setup, |_| {}).await;
    let mut desk = board(&engine.url).await;
    let desk_rtp = Rtp::bind().await;
    let reception = phone_for(&engine, "reception", "desk-secret", "phone.xml", &desk_rtp).await;
    let caller_rtp = Rtp::bind().await;
    let caller = parked_by_ada(&caller_rtp, "transferred_info.xml")
        .key("digit", "#")
        .spawn(engine.sip);
    desk.event("park.started").await;
    let fallback = next_event(&mut desk, "park.fallback", Duration::from_secs(5)).await;
    assert_eq!(fallback["data"]["state"], "fallback", "{fallback}");
    let _ = caller.stop().await;
    let _ = reception.stop().await;
}

/// An attended park from the desk phone: it holds the caller (`phone_scenario` then
/// completes the park its own way), dials 700 on a consult call and hears the code. Returns
/// the desk phone's run.
async fn attended_park(phone_scenario: &str) -> sipp::SippRun {
    let engine = sipp::start(site_with_desk_phone(), |_| {}).await;
    let mut desk = board(&engine.url).await;
    let phone_port = sipp::free_port();
    let phone_rtp = Rtp::bind().await;
    let phone = Sipp::new(phone_scenario, "")
        .source_ip("127.0.0.2")
        .key("rtp_port", phone_rtp.port)
        .args(["-d", "500"])
        .serve(phone_port);
    register_desk_phone(&engine, phone_port).await;
    let caller_rtp = Rtp::bind().await;
    let caller = caller("100", &caller_rtp, 10_000).spawn(engine.sip);
    desk.event("call.answered").await;
    desk.event("call.held").await;

    // The receptionist's phone dials the park extension while the caller is held.
    let consult_rtp = Rtp::bind().await;
    let consult = Sipp::new("consult.xml", "700")
        .source_ip("127.0.0.2")
        .key("user", "reception")
        .key("rtp_port", consult_rtp.port)
        .args(["-au", "reception", "-ap", "desk-secret"])
        .spawn(engine.sip);
    let started = desk.event("park.started").await;
    assert_eq!(started["data"]["code"], "701", "{started}");
    assert_eq!(started["data"]["parked_by"], "reception");
    // "Parked on seven zero one", from the shared prompts: speech, not silence.
    let prompt = consult_rtp.receive_for(Duration::from_millis(2500)).await;
    let spoken = prompt
        .iter()
        .filter(|p| sipp::rms(&p.payload, 0) > 300.0)
        .count();
    assert!(
        spoken >= 20,
        "the code is read to the parker: {spoken} loud packets of {}",
        prompt.len()
    );
    let consult_run = consult.finish().await;
    assert!(
        consult_run.success,
        "407, 200, then the engine's BYE: {}\n{}",
        consult_run.errors, consult_run.messages
    );
    let phone_run = phone.finish().await;
    assert!(
        phone_run.success,
        "the desk phone completes the park: {}\n{}",
        phone_run.errors, phone_run.messages
    );
    let music = caller_rtp.fresh_for(Duration::from_millis(600)).await;
    check_stream(&music, 0, 15).unwrap_or_else(|e| panic!("the parked caller hears music: {e}"));
    let parked = desk.ok("parked.list", json!({})).await;
    assert_eq!(parked["parked"][0]["code"], "701", "still parked: {parked}");
    let _ = caller.stop().await;
    phone_run
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attended_park_reads_the_code_to_the_parker_and_completes_when_the_phone_hangs_up() {
    let _serial = serial().await;
    attended_park("phone_hold.xml").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attended_park_completes_on_refer_with_replaces_and_the_notify_names_the_code() {
    let _serial = serial().await;
    let run = attended_park("phone_hold_refer.xml").await;
    assert!(
        run.messages.contains("X-Park-Code: 701"),
        "the final NOTIFY names the code"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_transfers_a_desk_call_to_a_colleague_whose_phone_rings_and_answers() {
    let _serial = serial().await;
    let engine = sipp::start(ringback_site(), |_| {}).await;
    let mut desk = board(&engine.url).await;
    let desk_rtp = Rtp::bind().await;
    let reception = phone_for(&engine, "reception", "desk-secret", "phone.xml", &desk_rtp).await;
    let ada_rtp = Rtp::bind().await;
    let ada = phone_for(&engine, "ada", "ada-secret", "phone.xml", &ada_rtp).await;
    let caller_rtp = Rtp::bind().await;
    let caller = caller("100", &caller_rtp, 6000).spawn(engine.sip);
    let answered = desk.event("call.answered").await;
    let call = answered["data"]["call"].clone();

    desk.ok("transfer", json!({ "call": call, "to": "ada" }))
        .await;
    let transferred = next_event(&mut desk, "call.transferred", Duration::from_secs(5)).await;
    assert_eq!(transferred["data"]["call"], call, "{transferred}");
    let reception_run = reception.finish().await;
    assert!(
        reception_run.success,
        "the desk phone is let go: {}\n{}",
        reception_run.errors, reception_run.messages
    );
    // Ada's phone rang with the caller shown and answered; the caller's hang-up ends it.
    let ended = next_event(&mut desk, "call.ended", Duration::from_secs(10)).await;
    assert_eq!(ended["data"]["call"], call, "{ended}");
    let run = caller.finish().await;
    assert!(run.success, "{}\n{}", run.errors, run.messages);
    let ada_run = ada.finish().await;
    assert!(ada_run.success, "{}\n{}", ada_run.errors, ada_run.messages);
    let invite = ada_run.message("INVITE sip:").expect("Ada's phone rang");
    assert!(
        invite.contains("+15550100"),
        "the caller is shown: {invite}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_free_codes_key_during_a_call_parks_into_that_code() {
    let _serial = serial().await;
    let engine = sipp::start(site_with_desk_phone(), |_| {}).await;
    let mut desk = board(&engine.url).await;
    let phone_port = sipp::free_port();
    let phone_rtp = Rtp::bind().await;
    // A BLF key of a free code sends a blind transfer (REFER) to that code.
    let phone = Sipp::new("phone_refer.xml", "")
        .source_ip("127.0.0.2")
        .key("rtp_port", phone_rtp.port)
        .key("refer_to", "766")
        .args(["-d", "300"])
        .serve(phone_port);
    register_desk_phone(&engine, phone_port).await;
    let caller_rtp = Rtp::bind().await;
    let caller = caller("100", &caller_rtp, 4000).spawn(engine.sip);
    let started = desk.event("park.started").await;
    assert_eq!(started["data"]["code"], "766", "{started}");
    let run = phone.finish().await;
    assert!(run.success, "{}\n{}", run.errors, run.messages);
    assert!(run.messages.contains("X-Park-Code: 766"));
    let _ = caller.stop().await;
}
