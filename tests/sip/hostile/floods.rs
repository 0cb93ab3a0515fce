//! Floods: an untrusted source over its per-source limit gets `503` with `Retry-After` while
//! the trusted PBX and the parked call go on; phones per user are capped; an INVITE sent again
//! and again is one call, not many.

use super::parked::{self, Parked, site};
use super::raw::{Answer, RawUdp, basic_headers, request, token};
use super::{ANSWER, digest, options};
use crate::support::sipp::{self, serial};
use crate::support::{Peer, RECEPTION};
use serde_json::json;
use std::time::Duration;

/// Sends `n` OPTIONS from `udp` as fast as it can; the final answers that came back.
async fn burst_of_options(udp: &RawUdp, n: usize) -> Vec<Answer> {
    for _ in 0..n {
        udp.send(&options(udp.local())).await;
    }
    udp.answers_for(Duration::from_millis(1500))
        .await
        .into_iter()
        .filter(|a| a.code >= 200)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flooding_source_gets_503_with_retry_after_while_the_trusted_pbx_and_the_parked_call_go_on()
 {
    let _serial = serial().await;
    let engine = sipp::start(site(), |sip| {
        sip.media_timeout = 600;
        sip.flood_rate = 5;
        sip.flood_burst = 10;
    })
    .await;
    let parked = Parked::start(&engine).await;

    let flooder = RawUdp::bind("127.0.0.2", engine.sip).await;
    let answers = burst_of_options(&flooder, 40).await;
    let served = answers.iter().filter(|a| a.code == 200).count();
    let refused: Vec<&Answer> = answers.iter().filter(|a| a.code == 503).collect();
    assert_eq!(answers.len(), 40, "every request is answered");
    assert!(
        (10..=12).contains(&served),
        "the burst of 10 (and what refilled meanwhile) is served: {served}"
    );
    assert_eq!(served + refused.len(), 40);
    for answer in &refused {
        let after: u64 = answer
            .header("Retry-After")
            .and_then(|v| v.trim().parse().ok())
            .expect("a Retry-After in seconds");
        assert_eq!(after, 1, "half the burst refills in a second at 5/s");
    }

    // The trusted PBX is never limited.
    let pbx = RawUdp::bind("127.0.0.1", engine.sip).await;
    let answers = burst_of_options(&pbx, 100).await;
    assert_eq!(answers.len(), 100);
    assert!(answers.iter().all(|a| a.code == 200), "trusted: all 200");

    // Another untrusted source has its own bucket.
    let neighbour = RawUdp::bind("127.0.0.3", engine.sip).await;
    let answer = neighbour.ask(&options(neighbour.local()), ANSWER).await;
    assert_eq!(answer.map(|a| a.code), Some(200));

    // After Retry-After the flooder is served again. The bucket refills on the engine's real
    // clock: this waits the second out, it is the behaviour under test.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let answer = flooder.ask(&options(flooder.local()), ANSWER).await;
    assert_eq!(
        answer.map(|a| a.code),
        Some(200),
        "served again after Retry-After"
    );

    parked.still_parked(&engine).await;
    parked.end().await;
}

/// A REGISTER for ada (201) binding `contact`, with `authorization`.
fn register_contact(udp: &RawUdp, contact: &str, authorization: Option<&str>) -> Vec<u8> {
    let mut headers = basic_headers(udp.local(), "UDP", "sip:201@127.0.0.1", "REGISTER", 1);
    headers.retain(|h| !h.starts_with("Contact:"));
    headers.push(format!("Contact: <{contact}>"));
    headers.push("Expires: 600".into());
    if let Some(a) = authorization {
        headers.push(format!("Authorization: {a}"));
    }
    request("REGISTER", "sip:127.0.0.1", &headers, "")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_may_register_ten_phones_and_the_eleventh_is_refused_with_403() {
    let _serial = serial().await;
    let engine = parked::engine(site()).await;
    let udp = RawUdp::bind("127.0.0.2", engine.sip).await;
    let mut statuses = Vec::new();
    for n in 0..11 {
        let contact = format!("sip:ada-{n}@127.0.0.2:{}", 6000 + n);
        let first = udp
            .ask(&register_contact(&udp, &contact, None), ANSWER)
            .await
            .expect("a challenge");
        assert_eq!(first.code, 401);
        let value = first.header("WWW-Authenticate").expect("a challenge");
        let nonce = value
            .split("nonce=\"")
            .nth(1)
            .and_then(|v| v.split('"').next())
            .expect("a nonce");
        let auth = digest(
            "ada",
            "parkdesk",
            "ada-secret",
            nonce,
            "REGISTER",
            "sip:127.0.0.1",
        );
        let answer = udp
            .ask(&register_contact(&udp, &contact, Some(&auth)), ANSWER)
            .await
            .expect("an answer");
        statuses.push(answer.code);
    }
    assert_eq!(&statuses[..10], &[200; 10], "{statuses:?}");
    assert_eq!(statuses[10], 403, "the eleventh phone: {statuses:?}");
    let (mut desk, _) = Peer::hello(&engine.url, RECEPTION).await;
    let health = desk.ok("health", json!({})).await;
    assert_eq!(health["sip"]["registrations"], 10, "{health}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invite_sent_again_and_again_is_one_call_and_100_trying_comes_first() {
    let _serial = serial().await;
    let engine = parked::engine(site()).await;
    let (mut desk, _) = Peer::hello(&engine.url, RECEPTION).await;
    desk.ok("subscribe", json!({})).await;
    let udp = RawUdp::bind("127.0.0.1", engine.sip).await;
    let rtp = sipp::Rtp::bind().await;
    let local = udp.local();
    let uri = format!("sip:700@{}", engine.sip);
    let from_tag = token("f");
    let call_id = token("again-");
    let headers = vec![
        format!(
            "Via: SIP/2.0/UDP {local};branch=z9hG4bK{};rport",
            token("b")
        ),
        format!("From: <sip:+15550100@{local}>;tag={from_tag}"),
        format!("To: <{uri}>"),
        format!("Call-ID: {call_id}"),
        "CSeq: 1 INVITE".into(),
        "Max-Forwards: 70".into(),
        format!("Contact: <sip:pbx@{local}>"),
        "P-Asserted-Identity: <sip:+15550100@127.0.0.1>".into(),
        "Content-Type: application/sdp".into(),
    ];
    let sdp = format!(
        "v=0\r\no=pbx 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
         m=audio {} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n",
        rtp.port
    );
    let invite = request("INVITE", &uri, &headers, &sdp);
    // Five copies at once, as a caller's retransmissions pile up behind a slow network.
    for _ in 0..5 {
        udp.send(&invite).await;
    }
    let answers = udp.answers_for(Duration::from_millis(1500)).await;
    assert_eq!(
        answers.first().map(|a| a.code),
        Some(100),
        "100 Trying first"
    );
    let tags: std::collections::BTreeSet<String> = answers
        .iter()
        .filter(|a| a.code == 200)
        .filter_map(|a| a.to_tag())
        .collect();
    assert_eq!(tags.len(), 1, "one dialog, however many copies: {tags:?}");
    let started = desk.event("park.started").await;
    let code = started["data"]["code"]
        .as_str()
        .expect("a code")
        .to_string();

    // A copy after the ACK ended the transaction is no new call either.
    let to_tag = tags.first().expect("a To tag");
    let ack = request(
        "ACK",
        &uri,
        &[
            format!(
                "Via: SIP/2.0/UDP {local};branch=z9hG4bK{};rport",
                token("b")
            ),
            format!("From: <sip:+15550100@{local}>;tag={from_tag}"),
            format!("To: <{uri}>;tag={to_tag}"),
            format!("Call-ID: {call_id}"),
            "CSeq: 1 ACK".into(),
            "Max-Forwards: 70".into(),
        ],
        "",
    );
    udp.send(&ack).await;
    // The copy must come after the ACK was taken in, as a late retransmission does.
    tokio::time::sleep(Duration::from_millis(200)).await;
    udp.send(&invite).await;
    // A second call made from the copy would need time to show: a check that something
    // did *not* happen has nothing to poll for.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let snapshot = parked::snapshot(&engine.url).await;
    let parked = snapshot["parked"].as_array().cloned().unwrap_or_default();
    assert_eq!(parked.len(), 1, "one parked call: {snapshot}");
    assert_eq!(parked[0]["code"], code.as_str());
}
