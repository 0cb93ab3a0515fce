//! Busy lamps: phones' BLF keys subscribe to codes and pickup group numbers with the
//! `dialog` event package (RFC 4235) and are told, NOTIFY by NOTIFY, when a call parks,
//! rings in the group, is retrieved or ends. SIPp plays the phones; the dialog-info
//! documents are checked with an XML parser.
#![allow(clippy::disallowed_methods)] // SIPp runs on wall time

mod dialog_info;

use crate::support::sipp::{self, Rtp, Sipp, SippRun, serial};
use crate::support::site::{line_user, parking_site};
use crate::support::{board, poll};
use parkdesk::engine::{EngineSetup, Group};
use serde_json::json;
use std::time::Duration;

/// A site: codes 701–799, `global` parks; users reception (100), ada (201, may register
/// with `ada-secret`), grace (202); pickup group `floor` (880) of ada and grace.
fn site() -> EngineSetup {
    let mut setup = parking_site(vec![
        line_user("reception", "Reception", "100", None),
        line_user("ada", "Ada Lovelace", "201", Some("ada-secret")),
        line_user("grace", "Grace Hopper", "202", None),
    ]);
    setup.groups = vec![Group {
        id: "floor".into(),
        name: "Shop floor".into(),
        members: vec!["ada".into(), "grace".into()],
        number: Some("880".into()),
        ..Group::default()
    }];
    setup
}

/// Waits until the engine holds `n` busy-lamp subscriptions.
async fn subscriptions_reach(engine: &sipp::SipEngine, n: usize) {
    let sip = engine.server.sip.as_ref().expect("SIP is on");
    if poll::until_async(Duration::from_secs(5), || {
        std::future::ready(sip.subscriptions() == n)
    })
    .await
    {
        return;
    }
    panic!(
        "{} subscriptions, wanted {n}",
        engine.server.sip.as_ref().map_or(0, |s| s.subscriptions())
    );
}

/// A PBX call from Charles Babbage (+15550100) to `service`, held `hold_ms`.
fn caller(service: &str, rtp: &Rtp, hold_ms: u64) -> Sipp {
    Sipp::new("call.xml", service)
        .key("rtp_port", rtp.port)
        .arg("-d")
        .arg(&hold_ms.to_string())
        .key("pai", "+15550100")
        .key("name", "Charles Babbage")
        .key("codec", 0)
        .key("codec_name", "PCMU")
}

/// One NOTIFY a phone received: its `Subscription-State`, and its document parsed.
#[derive(Debug)]
struct Notify {
    subscription_state: String,
    content_type: String,
    version: u64,
    entity: String,
    /// `(id, state)` of each `<dialog>`.
    dialogs: Vec<(String, String)>,
    body: String,
}

impl Notify {
    fn states(&self) -> Vec<&str> {
        self.dialogs.iter().map(|(_, s)| s.as_str()).collect()
    }
}

/// The NOTIFYs SIPp received, in order, each document checked to be well-formed XML
/// (retransmissions, with a From tag and CSeq already seen, left out).
fn notifies(run: &SippRun) -> Vec<Notify> {
    let mut out: Vec<Notify> = Vec::new();
    let mut seen = Vec::new();
    for block in run.messages.split("\n----") {
        let Some(at) = block.find("NOTIFY sip:") else {
            continue;
        };
        let message = block[at..].replace("\r\n", "\n");
        let (head, body) = match message.split_once("\n\n") {
            Some((head, body)) => (head, body.trim()),
            None => (message.as_str(), ""),
        };
        let field = |name: &str| {
            head.lines()
                .find_map(|l| {
                    let (n, v) = l.split_once(':')?;
                    n.trim()
                        .eq_ignore_ascii_case(name)
                        .then(|| v.trim().to_string())
                })
                .unwrap_or_default()
        };
        let doc = roxmltree::Document::parse(body)
            .unwrap_or_else(|e| panic!("a NOTIFY's body is not well-formed XML ({e}):\n{body}"));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "dialog-info", "{body}");
        assert_eq!(root.attribute("state"), Some("full"), "{body}");
        let version = root
            .attribute("version")
            .and_then(|v| v.parse().ok())
            .expect("a version");
        let dialogs = root
            .children()
            .filter(|n| n.has_tag_name("dialog"))
            .map(|d| {
                let state = d
                    .children()
                    .find(|n| n.has_tag_name("state"))
                    .and_then(|n| n.text())
                    .unwrap_or_default()
                    .to_string();
                (d.attribute("id").unwrap_or_default().to_string(), state)
            })
            .collect();
        let notify = Notify {
            subscription_state: field("Subscription-State"),
            content_type: field("Content-Type"),
            version,
            entity: root.attribute("entity").unwrap_or_default().to_string(),
            dialogs,
            body: body.to_string(),
        };
        let key = (field("From"), field("CSeq"));
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        out.push(notify);
    }
    out
}

/// The status codes of the responses SIPp received (not those it sent), in order.
fn received_statuses(run: &SippRun) -> Vec<u16> {
    run.messages
        .split("\n----")
        .filter(|block| block.contains("message received"))
        .filter_map(|block| {
            let at = block.find("SIP/2.0 ")?;
            block.get(at + 8..at + 11)?.parse().ok()
        })
        .collect()
}

fn watch(service: &str) -> Sipp {
    Sipp::new("blf_watch.xml", service)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_lamp_goes_dark_lit_and_dark_as_a_call_parks_and_is_retrieved() {
    let _serial = serial().await;
    let engine = sipp::start(site(), |_| {}).await;
    let mut desk = board(&engine.url).await;
    let phone = watch("701").spawn(engine.sip);
    subscriptions_reach(&engine, 1).await;

    let rtp = Rtp::bind().await;
    let parked = caller("700", &rtp, 6000).spawn(engine.sip);
    let started = desk.event("park.started").await;
    assert_eq!(started["data"]["code"], "701", "{started}");
    let call = started["data"]["call"]
        .as_str()
        .expect("call id")
        .to_string();

    // Pressing the lit key dials the code: that retrieves.
    let ada_rtp = Rtp::bind().await;
    let ada = Sipp::new("call.xml", "701")
        .key("rtp_port", ada_rtp.port)
        .key("pai", "201")
        .key("name", "Ada Lovelace")
        .key("codec", 0)
        .key("codec_name", "PCMU")
        .arg("-d")
        .arg("500")
        .spawn(engine.sip);
    let ended = desk.event("park.ended").await;
    assert_eq!(ended["data"]["outcome"], "retrieved", "{ended}");

    let run = phone.finish().await;
    assert!(run.success, "SIPp: {}\n{}", run.errors, run.messages);
    let ok = run.message("SIP/2.0 200").expect("the SUBSCRIBE's 200");
    assert!(ok.contains("Expires: 600"), "granted as asked: {ok}");
    let seen = notifies(&run);
    assert_eq!(seen.len(), 4, "{seen:#?}");
    let states: Vec<Vec<&str>> = seen.iter().map(Notify::states).collect();
    assert_eq!(
        states,
        vec![
            vec!["terminated"],
            vec!["confirmed"],
            vec!["terminated"],
            vec!["terminated"]
        ],
        "dark, lit, dark, and the unsubscribe's last word"
    );
    let versions: Vec<u64> = seen.iter().map(|n| n.version).collect();
    assert_eq!(versions, vec![0, 1, 2, 3], "versions rise by one");
    for n in &seen {
        assert_eq!(n.content_type, "application/dialog-info+xml");
        assert!(
            n.entity.starts_with("sip:701@"),
            "entity {} names the code",
            n.entity
        );
    }
    for n in &seen[..3] {
        assert!(
            n.subscription_state.starts_with("active;expires="),
            "{}",
            n.subscription_state
        );
    }
    assert_eq!(seen[1].dialogs[0].0, call, "the parked call's dialog");
    assert!(
        seen[1].body.contains("+15550100") && seen[1].body.contains("Charles Babbage"),
        "the lit lamp says who is parked: {}",
        seen[1].body
    );
    assert!(
        seen[3].subscription_state.starts_with("terminated"),
        "unsubscribed: {}",
        seen[3].subscription_state
    );
    subscriptions_reach(&engine, 0).await;
    let ada_run = ada.finish().await;
    assert!(ada_run.success, "{}\n{}", ada_run.errors, ada_run.messages);
    let _ = parked.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_lamp_flashes_early_while_a_members_call_rings_and_goes_dark_when_it_ends() {
    let _serial = serial().await;
    let engine = sipp::start(site(), |_| {}).await;
    let mut desk = board(&engine.url).await;
    let phone = watch("880").spawn(engine.sip);
    subscriptions_reach(&engine, 1).await;

    // A call for Ada rings at her line (no phone answers it) and so in her pickup group.
    let call = Sipp::new("refused.xml", "201")
        .key("rtp_port", sipp::free_port())
        .key("pai", "+15550100")
        .key("name", "Charles Babbage")
        .spawn(engine.sip);
    let offered = desk.event("call.offered").await;
    assert_eq!(offered["data"]["line"], "ada", "{offered}");
    let ringing = desk.event("pickup.ringing").await;
    assert_eq!(ringing["data"]["number"], "880", "{ringing}");
    // The lamp's `early` NOTIFY (the second) reaches the phone before the call ends.
    poll::until_async(Duration::from_secs(5), || {
        std::future::ready(phone.messages_so_far().matches("NOTIFY sip:").count() >= 2)
    })
    .await;
    desk.ok("hangup", json!({"call": offered["data"]["call"]}))
        .await;
    let caller_run = call.finish().await;
    assert_eq!(caller_run.statuses().last(), Some(&480));

    let run = phone.finish().await;
    assert!(run.success, "SIPp: {}\n{}", run.errors, run.messages);
    let seen = notifies(&run);
    let states: Vec<Vec<&str>> = seen.iter().map(Notify::states).collect();
    assert_eq!(
        states,
        vec![
            vec!["terminated"],
            vec!["early"],
            vec!["terminated"],
            vec!["terminated"]
        ],
        "{seen:#?}"
    );
    assert_eq!(seen[1].dialogs[0].0, offered["data"]["call"]);
    let doc = roxmltree::Document::parse(&seen[1].body).expect("well-formed");
    let dialog = doc
        .descendants()
        .find(|n| n.has_tag_name("dialog"))
        .expect("a dialog");
    assert_eq!(dialog.attribute("direction"), Some("recipient"));
    let identity = |side: &str| {
        dialog
            .children()
            .find(|n| n.has_tag_name(side))
            .and_then(|n| n.children().find(|c| c.has_tag_name("identity")))
            .map(|i| {
                (
                    i.text().unwrap_or_default().to_string(),
                    i.attribute("display"),
                )
            })
            .expect("an identity")
    };
    let (remote, display) = identity("remote");
    assert!(remote.starts_with("sip:+15550100@"), "{remote}");
    assert_eq!(display, Some("Charles Babbage"));
    let (local, _) = identity("local");
    assert!(
        local.starts_with("sip:ada@"),
        "rings at Ada's line: {local}"
    );
}

/// A phone's key that subscribes, reads the first NOTIFY and unsubscribes at once.
fn glance(service: &str) -> Sipp {
    Sipp::new("blf_glance.xml", service)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_subscribing_after_calls_parked_and_rang_unwatched_sees_them_in_its_first_notify() {
    let _serial = serial().await;
    let engine = sipp::start(site(), |_| {}).await;
    let mut desk = board(&engine.url).await;
    // Nobody watches a lamp: the engine does not read the board, it leaves it stale.
    subscriptions_reach(&engine, 0).await;

    let rtp = Rtp::bind().await;
    let parked = caller("700", &rtp, 8000).spawn(engine.sip);
    let started = desk.event("park.started").await;
    assert_eq!(started["data"]["code"], "701", "{started}");
    let call = started["data"]["call"]
        .as_str()
        .expect("call id")
        .to_string();
    let rings = Sipp::new("refused.xml", "201")
        .key("rtp_port", sipp::free_port())
        .key("pai", "+15550111")
        .key("name", "Ada's caller")
        .spawn(engine.sip);
    let ringing = desk.event("pickup.ringing").await;
    assert_eq!(ringing["data"]["number"], "880", "{ringing}");
    let ringing_call = ringing["data"]["ringing"][0]["call"]
        .as_str()
        .expect("a ringing call")
        .to_string();

    for (number, state, dialog) in [("701", "confirmed", &call), ("880", "early", &ringing_call)] {
        let run = glance(number).spawn(engine.sip).finish().await;
        assert!(run.success, "SIPp: {}\n{}", run.errors, run.messages);
        let seen = notifies(&run);
        assert_eq!(seen.len(), 2, "{seen:#?}");
        assert!(
            seen[0].subscription_state.starts_with("active;"),
            "{}",
            seen[0].subscription_state
        );
        assert_eq!(
            seen[0].dialogs,
            vec![(dialog.clone(), state.to_string())],
            "{number}'s first NOTIFY shows the call it holds: {}",
            seen[0].body
        );
    }
    subscriptions_reach(&engine, 0).await;

    desk.ok("hangup", json!({"call": ringing_call})).await;
    let rings_run = rings.finish().await;
    assert_eq!(rings_run.statuses().last(), Some(&480));
    let _ = parked.stop().await;
}

async fn refused_with(engine: &sipp::SipEngine, sipp: Sipp) -> Vec<u16> {
    let run = sipp.spawn(engine.sip).finish().await;
    assert!(run.success, "SIPp: {}\n{}", run.errors, run.messages);
    received_statuses(&run)
}

fn refused(service: &str, event: &str, expires: u32) -> Sipp {
    Sipp::new("blf_refused.xml", service)
        .key("event", event)
        .key("expires", expires)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_event_package_is_489_and_a_number_that_is_no_code_or_group_is_404() {
    let _serial = serial().await;
    let engine = sipp::start(site(), |_| {}).await;
    let statuses = refused_with(&engine, refused("701", "presence", 600)).await;
    assert_eq!(statuses, vec![489], "presence is not served");
    let statuses = refused_with(&engine, refused("555", "dialog", 600)).await;
    assert_eq!(statuses, vec![404], "555 is nothing");
    let statuses = refused_with(&engine, refused("201", "dialog", 600)).await;
    assert_eq!(statuses, vec![404], "a user's number has no busy lamp here");
    let statuses = refused_with(&engine, refused("701", "dialog", 10)).await;
    assert_eq!(statuses, vec![423], "ten seconds is too brief");
    assert_eq!(
        engine.server.sip.as_ref().map(|s| s.subscriptions()),
        Some(0),
        "nothing was kept"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_subscribe_is_challenged_with_407_granted_with_digest_and_refreshed_in_its_dialog()
 {
    let _serial = serial().await;
    let engine = sipp::start(site(), |_| {}).await;
    let statuses = refused_with(
        &engine,
        refused("701", "dialog", 600).source_ip("127.0.0.2"),
    )
    .await;
    assert_eq!(statuses, vec![407], "no credentials: challenged");

    let run = Sipp::new("blf_auth.xml", "880")
        .source_ip("127.0.0.2")
        .key("user", "ada")
        .arg("-au")
        .arg("ada")
        .arg("-ap")
        .arg("ada-secret")
        .spawn(engine.sip)
        .finish()
        .await;
    assert!(run.success, "SIPp: {}\n{}", run.errors, run.messages);
    assert_eq!(
        received_statuses(&run),
        vec![407, 200, 200, 200],
        "challenged, granted, refreshed, left"
    );
    let refreshed = run
        .messages
        .split("\n----")
        .filter(|b| b.contains("message received") && b.contains("SIP/2.0 200"))
        .nth(1)
        .expect("the refresh's 200");
    assert!(refreshed.contains("Expires: 300"), "{refreshed}");
    let seen = notifies(&run);
    assert_eq!(seen.len(), 3, "{seen:#?}");
    assert_eq!(seen[0].states(), vec!["terminated"]);
    assert_eq!(
        seen[1].subscription_state, "active;expires=300",
        "the refresh's NOTIFY carries the new term"
    );
    assert_eq!(
        seen.iter().map(|n| n.version).collect::<Vec<_>>(),
        vec![0, 1, 2]
    );
    assert!(seen[2].subscription_state.starts_with("terminated"));
    assert!(seen[0].entity.starts_with("sip:880@"));
}

/// A UDP relay standing where the phone believes the engine is: what the phone sends goes to
/// the engine of the moment, what comes back goes to the phone. A restart points it at the
/// new engine, as a restarted engine comes back at its old address.
struct Relay {
    addr: std::net::SocketAddr,
    engine: tokio::sync::watch::Sender<std::net::SocketAddr>,
    task: tokio::task::JoinHandle<()>,
}

impl Relay {
    async fn start(engine: std::net::SocketAddr) -> Relay {
        let socket = tokio::net::UdpSocket::bind("127.0.0.1:0")
            .await
            .expect("relay socket");
        let addr = socket.local_addr().expect("relay addr");
        let (tx, rx) = tokio::sync::watch::channel(engine);
        let task = tokio::spawn(async move {
            let mut phone = None;
            let mut buf = vec![0u8; 65_536];
            while let Ok((n, from)) = socket.recv_from(&mut buf).await {
                let engine = *rx.borrow();
                // The first sender is the phone; everything else comes from an engine.
                let phone = *phone.get_or_insert(from);
                let to = if from == phone { engine } else { phone };
                let _ = socket.send_to(&buf[..n], to).await;
            }
        });
        Relay {
            addr,
            engine: tx,
            task,
        }
    }

    fn point_at(&self, engine: std::net::SocketAddr) {
        self.engine.send_replace(engine);
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_an_engine_restart_a_phone_is_told_re_subscribes_and_sees_the_new_engines_state() {
    let _serial = serial().await;
    let first = sipp::start(site(), |_| {}).await;
    let relay = Relay::start(first.sip).await;
    let phone = Sipp::new("blf_restart.xml", "701")
        .key("user", "phone")
        .arg("-d")
        .arg("4000")
        .spawn(relay.addr);
    subscriptions_reach(&first, 1).await;
    first.server.shutdown().await;

    let second = sipp::start(site(), |_| {}).await;
    relay.point_at(second.sip);
    let mut desk = board(&second.url).await;
    let rtp = Rtp::bind().await;
    let parked = caller("700", &rtp, 8000).spawn(second.sip);
    let started = desk.event("park.started").await;
    assert_eq!(started["data"]["code"], "701", "{started}");

    let run = phone.finish().await;
    assert!(run.success, "SIPp: {}\n{}", run.errors, run.messages);
    assert_eq!(
        received_statuses(&run),
        vec![200, 481, 200, 200],
        "granted; the old dialog is unknown to the new engine; granted anew; left"
    );
    let seen = notifies(&run);
    let summary: Vec<(&str, Vec<&str>)> = seen
        .iter()
        .map(|n| {
            (
                n.subscription_state.split(';').next().unwrap_or(""),
                n.states(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("active", vec!["terminated"]),
            ("terminated", vec!["terminated"]),
            ("active", vec!["confirmed"]),
            ("terminated", vec!["confirmed"]),
        ],
        "{seen:#?}"
    );
    assert!(
        seen[1].subscription_state.contains("reason=probation"),
        "the stop asks for a new subscription later: {}",
        seen[1].subscription_state
    );
    let _ = parked.stop().await;
}
