//! The two ways the engine stops, with SIPp callers: a drain hands a parked caller back and
//! hangs it up with a BYE before the server returns, refusing new parks with `503` and
//! `Retry-After`; SIGTERM (a planned restart) leaves a parked caller exactly as it is and
//! the process exits 0 at once.
#![allow(clippy::disallowed_methods)] // SIPp and processes run on wall time

use crate::support::process::EngineProcess;
use crate::support::sipp::{self, Rtp, Sipp, serial};
use crate::support::site::{EngineConfig, line_user, parking_site};
use crate::support::{Peer, RECEPTION, board};
use parkdesk::engine::EngineSetup;
use parkdesk::sip::digest::ha1;
use std::time::{Duration, Instant};

/// Reception (100) and Ada (201), who parks callers and has no phone the engine can reach.
fn site() -> EngineSetup {
    parking_site(vec![
        line_user("reception", "Reception", "100", None),
        line_user("ada", "Ada Lovelace", "201", None),
    ])
}

/// Charles Babbage, transferred to the park extension by Ada through the trusted PBX.
fn parked_by_ada(scenario: &str, rtp: &Rtp, hold_ms: u64) -> Sipp {
    Sipp::new(scenario, "700")
        .key("rtp_port", rtp.port)
        .key("pai", "+15550100")
        .key("name", "Charles Babbage")
        .key("referrer", "201")
        .key("codec", 0)
        .key("codec_name", "PCMU")
        .args(["-d", &hold_ms.to_string()])
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
async fn a_drain_hands_a_parked_caller_back_refuses_new_parks_with_503_and_byes_it_before_returning()
 {
    let _serial = serial().await;
    let engine = sipp::start(site(), |_| {}).await;
    let mut desk = board(&engine.url).await;
    let rtp = Rtp::bind().await;
    let caller = parked_by_ada("transferred_until_bye.xml", &rtp, 20_000).spawn(engine.sip);
    let started = desk.event("park.started").await;
    assert_eq!(started["data"]["parked_by"], "ada", "{started}");

    let sip = engine.server.sip.clone().expect("SIP is on");
    let drain = tokio::spawn(engine.server.shutdown());
    next_event(&mut desk, "engine.stopping", Duration::from_secs(5)).await;
    // Handed back to Ada first; her phone is unreachable, so the policy's fallback (none)
    // releases the call with a goodbye.
    let ringback = next_event(&mut desk, "park.ringback", Duration::from_secs(5)).await;
    assert_eq!(ringback["data"]["code"], started["data"]["code"]);

    let late_rtp = Rtp::bind().await;
    let late = Sipp::new("refused.xml", "700")
        .key("rtp_port", late_rtp.port)
        .key("pai", "+15550199")
        .key("name", "Late Caller")
        .spawn(engine.sip);
    let refused = late.finish().await;
    assert!(
        refused.statuses().contains(&503),
        "a new park while draining gets 503: {:?}\n{}",
        refused.statuses(),
        refused.messages
    );
    let unavailable = refused.message("SIP/2.0 503").expect("a 503");
    assert!(
        unavailable.contains("Retry-After: 5"),
        "the PBX is told when to try again: {unavailable}"
    );

    let ended = next_event(&mut desk, "park.ended", Duration::from_secs(20)).await;
    assert_eq!(ended["data"]["outcome"], "released", "{ended}");
    tokio::time::timeout(Duration::from_secs(30), drain)
        .await
        .expect("the drain ends")
        .expect("join");
    assert_eq!(
        sip.live().0,
        0,
        "the server returned only once every leg was hung up"
    );
    let run = caller.finish().await;
    assert!(
        run.success,
        "the caller got the engine's BYE: {}\n{}",
        run.errors, run.messages
    );
}

/// A phone for Ada (password `ada-secret`) running `phone.xml` on 127.0.0.2: it answers
/// what rings it and stays up until the engine hangs up.
async fn adas_phone(engine: &sipp::SipEngine, rtp: &Rtp) -> sipp::RunningSipp {
    let port = sipp::free_port();
    let phone = Sipp::new("phone.xml", "")
        .source_ip("127.0.0.2")
        .key("rtp_port", rtp.port)
        .args(["-d", "300"])
        .serve(port);
    let run = Sipp::new("register.xml", "ada")
        .source_ip("127.0.0.2")
        .key("user", "ada")
        .key("contact_port", port)
        .args(["-au", "ada", "-ap", "ada-secret"])
        .spawn(engine.sip)
        .finish()
        .await;
    assert!(
        run.success,
        "REGISTER ada: {}\n{}",
        run.errors, run.messages
    );
    phone
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drain_rings_the_parker_back_relays_the_answered_call_until_the_grace_then_byes_both_legs()
 {
    let _serial = serial().await;
    let mut setup = site();
    setup.users[1].sip_ha1 = Some(ha1("ada", "parkdesk", "ada-secret"));
    let engine = sipp::start(setup, |_| {}).await;
    let mut desk = board(&engine.url).await;
    let ada_rtp = Rtp::bind().await;
    let ada = adas_phone(&engine, &ada_rtp).await;
    let caller_rtp = Rtp::bind().await;
    let caller = parked_by_ada("transferred_until_bye.xml", &caller_rtp, 20_000).spawn(engine.sip);
    desk.event("park.started").await;

    let sip = engine.server.sip.clone().expect("SIP is on");
    let drain = tokio::spawn(engine.server.shutdown());
    next_event(&mut desk, "park.ringback", Duration::from_secs(5)).await;
    let ended = next_event(&mut desk, "park.ended", Duration::from_secs(10)).await;
    assert_eq!(ended["data"]["outcome"], "answered_ringback", "{ended}");
    // Bridged: the call goes on (the grace of `support::options` is 2 s), then both legs
    // hear the goodbye and get a BYE before the server returns.
    let call_ended = next_event(&mut desk, "call.ended", Duration::from_secs(10)).await;
    assert_eq!(call_ended["data"]["cause"], "released", "{call_ended}");
    tokio::time::timeout(Duration::from_secs(30), drain)
        .await
        .expect("the drain ends")
        .expect("join");
    assert_eq!(
        sip.live().0,
        0,
        "every leg was hung up before the server returned"
    );
    for (who, run) in [
        ("caller", caller.finish().await),
        ("ada", ada.finish().await),
    ] {
        assert!(
            run.success,
            "{who} got the engine's BYE: {}\n{}",
            run.errors, run.messages
        );
    }
}

/// An engine process with SIP on `sip_port`, parking through 127.0.0.1 (the trusted PBX).
fn sip_config(dir: &std::path::Path, sip_port: u16) -> std::path::PathBuf {
    // RTP ports of its own: in-process engines of this binary take 23000–29999.
    let rtp = 31_000 + (std::process::id() % 4) as u16 * 200;
    EngineConfig::new(dir)
        .shutdown_grace(3)
        .token(RECEPTION, "reception", "receptionist")
        .section(&format!(
            r#"
[sip]
listen = "127.0.0.1:{sip_port}"
trusted = ["127.0.0.1/32"]
park_extension_policy = "global"
rtp_port_min = {rtp}
rtp_port_max = {}

[[users]]
id = "reception"
name = "Reception"
numbers = ["100"]
voice_enabled = true

[[users]]
id = "ada"
name = "Ada Lovelace"
numbers = ["201"]
voice_enabled = true

[[policies]]
name = "global"
allow_park = true
"#,
            rtp + 199
        ))
        .write()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_leaves_a_parked_sipp_caller_untouched_and_the_process_exits_zero_within_two_seconds()
 {
    let _serial = serial().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let sip_port = sipp::free_port();
    let mut engine = EngineProcess::start(&sip_config(dir.path(), sip_port));
    let mut desk = board(&engine.url).await;
    let rtp = Rtp::bind().await;
    let sip: std::net::SocketAddr = ([127, 0, 0, 1], sip_port).into();
    let caller = parked_by_ada("kept_through_restart.xml", &rtp, 5_000).spawn(sip);
    desk.event("park.started").await;
    let music = rtp.receive_for(Duration::from_millis(500)).await;
    assert!(
        !music.is_empty(),
        "the caller hears music before the restart"
    );

    let signalled = Instant::now();
    engine.signal("-TERM");
    let restarting = next_event(&mut desk, "engine.restarting", Duration::from_secs(2)).await;
    assert_eq!(restarting["event"], "engine.restarting");
    let status = tokio::task::spawn_blocking(move || engine.wait_exit(Duration::from_secs(5)))
        .await
        .expect("join")
        .expect("the engine exits");
    let took = signalled.elapsed();
    assert!(status.success(), "{status:?}");
    assert!(
        took < Duration::from_secs(2),
        "a restart exits at once: {took:?}"
    );
    // The caller's scenario ends with its call still up; anything from the engine after
    // the ACK (a BYE, a goodbye's re-INVITE) fails the run.
    let run = caller.finish().await;
    assert!(
        run.success,
        "the parked caller got nothing: {}\n{}",
        run.errors, run.messages
    );
    assert!(
        !run.messages.contains("BYE sip:"),
        "no BYE on a restart: {}",
        run.messages
    );
}
