//! Soak: mixed SIP traffic against one engine for a while, then a check that everything the
//! traffic took was given back: no call left in the engine or the SIP core, no leg task, no
//! RTP stream, file descriptors and memory back to their baseline.
//!
//! The mix, each played by SIPp processes running side by side on loopback:
//! - **abandons**: callers sent to the park extension who hang up while parked;
//! - **park and retrieve**: directed parks (`*70<code>`, the code from the call's number in an
//!   injection file) retrieved a second later by a colleague dialling the same code;
//! - **timeouts**: Ada's parks time out, ring her phone back, she answers and hangs up;
//! - **pickups**: calls ring Grace's phone and Ada picks them up with the group number.
//!
//! CI runs it for 60 seconds: `cargo test --test sip soak::`.
//! The long run is 30 minutes:
//! `SOAK_SECS=1800 cargo test --release --test sip soak:: -- --nocapture`.
#![allow(clippy::disallowed_methods)] // SIPp and the soak run on wall time

mod traffic;

use crate::support::sipp::{self, Rtp, serial};
use crate::support::site::line_user;
use crate::support::{Peer, RECEPTION};
use parkdesk::engine::{EngineSetup, Group, OrbitRange, ParkPolicy, RangeKind};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use traffic::{Flow, SippLoad};

/// Ranges `main` (701–799, the park extension's) and `direct` (7000–7099, directed parks by
/// the PBX desk, 150); Ada (201) and Grace (202) in group `sales` (881), reached through
/// their phones' static contacts.
fn soak_site(ada_phone: u16, grace_phone: u16) -> EngineSetup {
    let mut setup = EngineSetup::default();
    setup.ranges.push(OrbitRange {
        name: "direct".into(),
        kind: RangeKind::Park,
        start: "7000".into(),
        end: "7099".into(),
    });
    setup.policies = vec![
        ParkPolicy {
            allow_park: true,
            park_timeout: 10,
            ringback_attempts: 1,
            ringback_ring_time: 5,
            ..ParkPolicy::default()
        },
        ParkPolicy {
            name: "direct".into(),
            allow_park: true,
            park_range: "direct".into(),
            park_timeout: 60,
            ..ParkPolicy::default()
        },
    ];
    let user = |id: &str, name: &str, number: &str| line_user(id, name, number, None);
    let mut ada = user("ada", "Ada Lovelace", "201");
    ada.static_contact = Some(format!("sip:ada@127.0.0.2:{ada_phone}"));
    let mut grace = user("grace", "Grace Hopper", "202");
    grace.static_contact = Some(format!("sip:grace@127.0.0.2:{grace_phone}"));
    let mut desk = user("desk", "PBX desk", "150");
    desk.policy = Some("direct".into());
    setup.users = vec![user("reception", "Reception", "100"), ada, grace, desk];
    setup.groups = vec![Group {
        id: "sales".into(),
        name: "Sales".into(),
        members: vec!["ada".into(), "grace".into()],
        number: Some("881".into()),
        ..Group::default()
    }];
    setup
}

fn soak_secs() -> u64 {
    std::env::var("SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60)
}

/// What this process holds: open file descriptors and resident memory (KiB).
fn resources() -> (usize, u64) {
    let fds = std::fs::read_dir("/proc/self/fd")
        .map(|d| d.count())
        .unwrap_or(0);
    let rss = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0);
    (fds, rss)
}

/// Counts the board's events by name, and park endings by outcome, until the board closes.
async fn count_events(
    mut board: Peer,
    done: tokio::sync::oneshot::Receiver<()>,
) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    tokio::pin!(done);
    loop {
        tokio::select! {
            _ = &mut done => return counts,
            frame = board.recv_within(Duration::from_secs(3600)) => {
                let Some(frame) = frame else { return counts };
                let Some(name) = frame["event"].as_str() else { continue };
                *counts.entry(name.to_string()).or_insert(0) += 1;
                if name == "park.ended" {
                    let outcome = frame["data"]["outcome"].as_str().unwrap_or("?");
                    *counts.entry(format!("park.ended/{outcome}")).or_insert(0) += 1;
                }
            }
        }
    }
}

async fn health(url: &str) -> Value {
    let (mut admin, _) = Peer::hello(url, RECEPTION).await;
    admin.ok("health", json!({})).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mixed_traffic_for_a_while_leaves_no_call_leg_stream_descriptor_or_memory_behind() {
    let _serial = serial().await;
    let secs = soak_secs();
    let ada_port = sipp::free_port();
    let grace_port = sipp::free_port();
    // RTP ports of its own, apart from the other SIP tests' blocks (23000–29999) and the load
    // bench's (10000–19999), so a soak may run beside them.
    let engine = sipp::start(soak_site(ada_port, grace_port), |sip| {
        sip.rtp_port_min = 30_000;
        sip.rtp_port_max = 30_999;
    })
    .await;
    let (mut board, _) = Peer::hello(&engine.url, RECEPTION).await;
    board.ok("subscribe", json!({})).await;
    let (stop_counting, done) = tokio::sync::oneshot::channel();
    let counting = tokio::spawn(count_events(board, done));
    let rtp = Rtp::bind().await;
    let baseline = resources();

    // Rates per second; each flow runs `secs` worth of calls.
    let plan = [
        Flow::abandons(1.0),
        Flow::parks_and_retrieves(2.0),
        Flow::timeouts(0.5),
        Flow::pickups(0.5),
    ];
    let started = Instant::now();
    let mut loads: Vec<SippLoad> = Vec::new();
    let mut third = None;
    // `SOAK_FLOWS=pickups,timeouts` plays only those flows, to chase a problem.
    let only = std::env::var("SOAK_FLOWS").unwrap_or_default();
    for flow in plan
        .iter()
        .filter(|f| only.is_empty() || only.contains(f.name()))
    {
        loads.extend(
            flow.start(engine.sip, secs, rtp.port, ada_port, grace_port)
                .await,
        );
    }
    // Memory a third of the way in, once the traffic is in its stride: the check at the end
    // is against this, so start-up allocations do not count as growth.
    while loads.iter_mut().any(|l| l.is_calling()) {
        if third.is_none() && started.elapsed() >= Duration::from_secs(secs / 3) {
            third = Some(resources());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let mut results = Vec::new();
    for load in loads {
        results.push(load.finish().await);
    }

    // Everything drains: the last calls end within the policy times.
    let deadline = Instant::now() + Duration::from_secs(40);
    let sip = engine.server.sip.as_ref().expect("SIP is on").clone();
    let drained = loop {
        let h = health(&engine.url).await;
        let idle = h["parked"] == 0
            && h["calls"] == 0
            && h["sip"]["legs"] == 0
            && h["sip"]["calls"] == 0
            && h["sip"]["rtp_streams"] == 0;
        if idle || Instant::now() > deadline {
            break h;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let _ = stop_counting.send(());
    let counts = counting.await.expect("event counter");
    let end = resources();
    let third = third.unwrap_or(baseline);

    println!(
        "soak: {secs} s of traffic, {:.0} s in all",
        started.elapsed().as_secs_f64()
    );
    for result in &results {
        println!("  {result}");
    }
    println!("  events: {counts:?}");
    println!("  after: {drained}");
    println!(
        "  fds {} -> {} (a third in: {}); RSS {} KiB -> {} KiB (a third in: {} KiB)",
        baseline.0, end.0, third.0, baseline.1, end.1, third.1
    );

    for result in &results {
        assert!(result.clean(), "{result}");
    }
    assert_eq!(drained["parked"], 0, "{drained}");
    assert_eq!(drained["calls"], 0, "{drained}");
    assert_eq!(drained["sip"]["legs"], 0, "leg tasks left: {drained}");
    assert_eq!(drained["sip"]["calls"], 0, "SIP calls left: {drained}");
    assert_eq!(
        drained["sip"]["rtp_streams"], 0,
        "RTP ports left: {drained}"
    );
    assert_eq!(sip.active_streams(), 0);
    // Every flow of the mix happened, and ended the way it should.
    let count = |name: &str| counts.get(name).copied().unwrap_or(0);
    let expected = |rate: f64| (rate * secs as f64 * 0.9) as u64;
    assert!(count("park.ended/abandoned") >= expected(1.0), "{counts:?}");
    assert!(count("park.ended/retrieved") >= expected(2.0), "{counts:?}");
    assert!(count("park.ringback") >= expected(0.5), "{counts:?}");
    assert!(count("pickup.picked") >= expected(0.5), "{counts:?}");
    // A few descriptors may come and go with the runtime's threads; a leak is one per call.
    assert!(
        end.0 <= baseline.0 + 8,
        "file descriptors {} -> {}",
        baseline.0,
        end.0
    );
    // Memory after the traffic is no higher than in its stride, but for allocator slack.
    assert!(
        end.1 <= third.1 + 32 * 1024,
        "RSS grew from {} KiB (a third in) to {} KiB",
        third.1,
        end.1
    );
}
