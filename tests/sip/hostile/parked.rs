//! The bystander: a call parked through the trusted PBX (SIPp, media on a socket the test
//! owns) that must stay parked and keep hearing music whatever else arrives; and a raw call
//! the test drives itself, for requests inside a dialog.
#![allow(dead_code)]

use super::raw::{Answer, RawUdp, request, token};
use crate::support::sipp::{self, Rtp, RunningSipp, SipEngine, Sipp, check_stream};
use crate::support::site::{line_user, parking_site};
use crate::support::{Peer, RECEPTION};
use parkdesk::engine::EngineSetup;
use serde_json::{Value, json};
use std::time::Duration;

/// A site: codes 701–799, `global` parks; users reception (100), ada (201, registers with
/// `ada-secret`), grace (202, `grace-secret`).
pub fn site() -> EngineSetup {
    parking_site(vec![
        line_user("reception", "Reception", "100", None),
        line_user("ada", "Ada Lovelace", "201", Some("ada-secret")),
        line_user("grace", "Grace Hopper", "202", Some("grace-secret")),
    ])
}

/// An engine for hostile tests: a media timeout long enough that a silent SIPp caller is
/// never probed during a test.
pub async fn engine(setup: EngineSetup) -> SipEngine {
    sipp::start(setup, |sip| sip.media_timeout = 600).await
}

/// The engine's state as a fresh subscriber sees it.
pub async fn snapshot(url: &str) -> Value {
    let (mut desk, _) = Peer::hello(url, RECEPTION).await;
    let ok = desk.ok("subscribe", json!({})).await;
    ok["snapshot"].clone()
}

/// A parked bystander call.
pub struct Parked {
    sipp: RunningSipp,
    rtp: Rtp,
    /// The code it is parked on.
    pub code: String,
}

impl Parked {
    /// A PBX call from Charles Babbage to the park extension, held for minutes.
    pub async fn start(engine: &SipEngine) -> Parked {
        let (mut desk, _) = Peer::hello(&engine.url, RECEPTION).await;
        desk.ok("subscribe", json!({})).await;
        let rtp = Rtp::bind().await;
        let sipp = Sipp::new("call.xml", "700")
            .key("rtp_port", rtp.port)
            .arg("-d")
            .arg("300000")
            .key("pai", "+15550100")
            .key("name", "Charles Babbage")
            .key("codec", 0)
            .key("codec_name", "PCMU")
            .spawn(engine.sip);
        let started = desk.event("park.started").await;
        let code = started["data"]["code"]
            .as_str()
            .expect("a code")
            .to_string();
        Parked { sipp, rtp, code }
    }

    /// Checks the call is still parked on its code and music still reaches it.
    pub async fn still_parked(&self, engine: &SipEngine) {
        let snapshot = snapshot(&engine.url).await;
        let parked = snapshot["parked"].as_array().cloned().unwrap_or_default();
        assert!(
            parked
                .iter()
                .any(|p| p["code"] == self.code.as_str() && p["state"] == "parked"),
            "the bystander is still parked on {}: {snapshot}",
            self.code
        );
        let music = self.rtp.fresh_for(Duration::from_millis(1000)).await;
        check_stream(&music, 0, 30).unwrap_or_else(|e| panic!("music still plays: {e}"));
    }

    /// Hangs the bystander up.
    pub async fn end(self) {
        let _ = self.sipp.stop().await;
    }
}

/// A call the test drives byte by byte over UDP from the trusted PBX.
pub struct RawCall {
    call_id: String,
    from_tag: String,
    to_tag: String,
    uri: String,
    cseq: u32,
    service: String,
    rtp: Rtp,
}

impl RawCall {
    /// INVITEs `service` asserting `pai`, and ACKs the 200.
    pub async fn invite(udp: &RawUdp, service: &str, pai: &str) -> RawCall {
        let rtp = Rtp::bind().await;
        let local = udp.local();
        let uri = format!("sip:{service}@{}", udp.target);
        let call_id = token("raw-call-");
        let from_tag = token("f");
        let sdp = format!(
            "v=0\r\no=pbx 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
             m=audio {} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n",
            rtp.port
        );
        let headers = vec![
            format!(
                "Via: SIP/2.0/UDP {local};branch=z9hG4bK{};rport",
                token("b")
            ),
            format!("From: <sip:{pai}@{local}>;tag={from_tag}"),
            format!("To: <{uri}>"),
            format!("Call-ID: {call_id}"),
            "CSeq: 1 INVITE".into(),
            "Max-Forwards: 70".into(),
            format!("Contact: <sip:pbx@{local}>"),
            format!("P-Asserted-Identity: <sip:{pai}@127.0.0.1>"),
            "Content-Type: application/sdp".into(),
        ];
        let answer = udp
            .ask(
                &request("INVITE", &uri, &headers, &sdp),
                Duration::from_secs(5),
            )
            .await
            .expect("the INVITE is answered");
        assert_eq!(answer.code, 200, "{}", answer.status_line);
        let to_tag = answer.to_tag().expect("a To tag");
        let call = RawCall {
            call_id,
            from_tag,
            to_tag,
            uri,
            cseq: 1,
            service: service.to_string(),
            rtp,
        };
        let ack = call.in_dialog(udp, "ACK", 1, &[], "");
        udp.send(&ack).await;
        call
    }

    /// A request in this dialog.
    pub fn in_dialog(
        &self,
        udp: &RawUdp,
        method: &str,
        cseq: u32,
        extra: &[String],
        body: &str,
    ) -> Vec<u8> {
        let local = udp.local();
        let mut headers = vec![
            format!(
                "Via: SIP/2.0/UDP {local};branch=z9hG4bK{};rport",
                token("b")
            ),
            format!("From: <sip:pbx@{local}>;tag={}", self.from_tag),
            format!("To: <{}>;tag={}", self.uri, self.to_tag),
            format!("Call-ID: {}", self.call_id),
            format!("CSeq: {cseq} {method}"),
            "Max-Forwards: 70".into(),
            format!("Contact: <sip:pbx@{local}>"),
        ];
        headers.extend(extra.iter().cloned());
        request(method, &self.uri, &headers, body)
    }

    /// A REFER to `target` (a number or a URI); its final answer.
    pub async fn refer(&mut self, udp: &RawUdp, target: &str) -> Option<Answer> {
        self.cseq += 1;
        let refer_to = if target.contains(':') {
            format!("Refer-To: <{target}>")
        } else if target.is_empty() {
            "Refer-To: <>".to_string()
        } else {
            format!("Refer-To: <sip:{target}@127.0.0.1>")
        };
        let msg = self.in_dialog(udp, "REFER", self.cseq, &[refer_to], "");
        udp.ask(&msg, Duration::from_secs(3)).await
    }

    /// Hangs up with a BYE.
    pub async fn bye(&mut self, udp: &RawUdp) -> Option<Answer> {
        self.cseq += 1;
        let msg = self.in_dialog(udp, "BYE", self.cseq, &[], "");
        udp.ask(&msg, Duration::from_secs(3)).await
    }
}
