//! SDP offer/answer: codecs, telephone-event, hold both ways, versions that rise, errors that
//! name what is wrong, and a parser that survives anything.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too: a failure is the test failing

use parkdesk::media::Codec;
use parkdesk::media::sdp::parse::parse;
use parkdesk::media::sdp::{Direction, SdpError, SdpSession};
use proptest::prelude::*;
use std::net::SocketAddr;

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn session() -> SdpSession {
    SdpSession::with_session_id(addr("192.0.2.10:40000"), 4242)
}

/// The origin line's version.
fn version(sdp: &str) -> u64 {
    let o = sdp.lines().find(|l| l.starts_with("o=")).unwrap();
    o.split_whitespace().nth(2).unwrap().parse().unwrap()
}

fn phone_offer(formats: &str, extra: &str) -> String {
    format!(
        "v=0\r\no=phone 77 1 IN IP4 198.51.100.7\r\ns=call\r\nc=IN IP4 198.51.100.7\r\nt=0 0\r\n\
         m=audio 5004 RTP/AVP {formats}\r\na=rtpmap:96 telephone-event/8000\r\n\
         a=fmtp:96 0-15\r\n{extra}"
    )
}

#[test]
fn the_offer_lists_pcmu_pcma_and_telephone_event_on_the_advertised_address() {
    let offer = session().offer(Direction::SendRecv);
    for line in [
        "v=0",
        "o=parkdesk 4242 1 IN IP4 192.0.2.10",
        "c=IN IP4 192.0.2.10",
        "t=0 0",
        "m=audio 40000 RTP/AVP 0 8 101",
        "a=rtpmap:0 PCMU/8000",
        "a=rtpmap:8 PCMA/8000",
        "a=rtpmap:101 telephone-event/8000",
        "a=fmtp:101 0-15",
        "a=ptime:20",
        "a=sendrecv",
    ] {
        assert!(
            offer.contains(&format!("{line}\r\n")),
            "missing {line:?} in\n{offer}"
        );
    }
}

#[test]
fn the_answer_takes_the_first_of_pcmu_and_pcma_the_offer_lists_and_its_event_type() {
    let mut s = session();
    let (answer, negotiated) = s
        .answer(&phone_offer("18 8 0 96", ""), Direction::SendRecv)
        .unwrap();
    assert_eq!(negotiated.codec, Codec::Pcma);
    assert_eq!(negotiated.dtmf_pt, Some(96));
    assert_eq!(negotiated.remote, Some(addr("198.51.100.7:5004")));
    assert_eq!(negotiated.direction, Direction::SendRecv);
    assert!(
        answer.contains("m=audio 40000 RTP/AVP 8 96\r\n"),
        "{answer}"
    );
    assert!(answer.contains("a=rtpmap:96 telephone-event/8000\r\n"));
    assert!(answer.contains("a=sendrecv\r\n"));
    assert!(
        !answer.contains("PCMU"),
        "only the chosen codec is answered"
    );
}

#[test]
fn an_offer_without_telephone_event_is_answered_without_it() {
    let offer = "v=0\r\nc=IN IP4 198.51.100.7\r\nm=audio 5004 RTP/AVP 0\r\n";
    let (answer, negotiated) = session().answer(offer, Direction::SendRecv).unwrap();
    assert_eq!(negotiated.dtmf_pt, None);
    assert!(answer.contains("m=audio 40000 RTP/AVP 0\r\n"));
    assert!(!answer.contains("telephone-event"));
}

#[test]
fn an_offer_with_no_common_codec_is_refused_488_and_changes_nothing() {
    let mut s = session();
    let before = s.clone();
    let err = s
        .answer(&phone_offer("18 9 96", ""), Direction::SendRecv)
        .unwrap_err();
    assert_eq!(
        err,
        SdpError::NoCommonCodec {
            offered: "G729, G722, telephone-event".into()
        }
    );
    assert_eq!(err.sip_status(), 488);
    assert!(err.to_string().contains("G729"), "{err}");
    assert_eq!(s, before);
}

#[test]
fn an_offer_without_audio_or_address_is_a_named_error() {
    let video = "v=0\r\nc=IN IP4 198.51.100.7\r\nm=video 5006 RTP/AVP 96\r\n";
    assert_eq!(
        session().answer(video, Direction::SendRecv),
        Err(SdpError::NoMedia)
    );
    let srtp = "v=0\r\nc=IN IP4 198.51.100.7\r\nm=audio 5006 RTP/SAVP 0\r\n";
    assert_eq!(
        session().answer(srtp, Direction::SendRecv),
        Err(SdpError::NoMedia)
    );
    let nowhere = "v=0\r\nm=audio 5006 RTP/AVP 0\r\n";
    assert_eq!(
        session().answer(nowhere, Direction::SendRecv),
        Err(SdpError::NoConnection)
    );
    let broken = "v=0\r\nc=IN IP4 198.51.100.7\r\nm=audio port RTP/AVP 0\r\n";
    let err = session().answer(broken, Direction::SendRecv).unwrap_err();
    assert!(
        matches!(err, SdpError::Malformed { line: 3, .. }),
        "{err:?}"
    );
    assert_eq!(err.sip_status(), 400);
    assert!(
        err.to_string().starts_with("SDP line 3: port 'port'"),
        "{err}"
    );
}

#[test]
fn other_streams_in_the_offer_are_refused_with_port_zero_in_order() {
    let offer = "v=0\r\nc=IN IP4 198.51.100.7\r\nm=video 5006 RTP/AVP 97\r\n\
                 m=audio 5004 RTP/AVP 0\r\nm=audio 5008 RTP/AVP 8\r\n";
    let (answer, negotiated) = session().answer(offer, Direction::SendRecv).unwrap();
    let media: Vec<&str> = answer.lines().filter(|l| l.starts_with("m=")).collect();
    assert_eq!(
        media,
        vec![
            "m=video 0 RTP/AVP 97",
            "m=audio 40000 RTP/AVP 0",
            "m=audio 0 RTP/AVP 8"
        ]
    );
    assert_eq!(negotiated.remote, Some(addr("198.51.100.7:5004")));
}

#[test]
fn a_peer_that_holds_us_is_answered_recvonly_and_gets_nothing_sent() {
    let mut s = session();
    let (answer, negotiated) = s
        .answer(&phone_offer("0 96", "a=sendonly\r\n"), Direction::SendRecv)
        .unwrap();
    assert!(answer.contains("a=recvonly\r\n"), "{answer}");
    assert_eq!(negotiated.direction, Direction::SendOnly, "they hold us");
    assert_eq!(negotiated.remote, None);

    let (answer, negotiated) = s
        .answer(&phone_offer("0 96", "a=inactive\r\n"), Direction::SendRecv)
        .unwrap();
    assert!(answer.contains("a=inactive\r\n"));
    assert_eq!(negotiated.remote, None);
}

#[test]
fn the_old_zero_address_hold_counts_as_hold() {
    let offer = "v=0\r\nc=IN IP4 0.0.0.0\r\nm=audio 5004 RTP/AVP 0\r\n";
    let (answer, negotiated) = session().answer(offer, Direction::SendRecv).unwrap();
    assert_eq!(negotiated.direction, Direction::SendOnly);
    assert_eq!(negotiated.remote, None);
    assert!(answer.contains("a=recvonly\r\n"));
}

#[test]
fn holding_the_peer_offers_sendonly_and_still_sends_it_music() {
    let mut s = session();
    let hold = s.offer(Direction::SendOnly);
    assert!(hold.contains("a=sendonly\r\n"));
    assert!(
        hold.contains("c=IN IP4 192.0.2.10\r\n"),
        "RFC 3264 hold keeps the address"
    );
    let answer = "v=0\r\nc=IN IP4 198.51.100.7\r\nm=audio 5004 RTP/AVP 0 101\r\n\
                  a=rtpmap:101 telephone-event/8000\r\na=recvonly\r\n";
    let negotiated = s.accept_answer(answer).unwrap();
    assert_eq!(negotiated.direction, Direction::RecvOnly);
    assert_eq!(negotiated.remote, Some(addr("198.51.100.7:5004")));
    assert_eq!(negotiated.codec, Codec::Pcmu);
    assert_eq!(negotiated.dtmf_pt, Some(101));
}

#[test]
fn versions_rise_with_every_offer_answer_and_hold_and_the_session_id_stays() {
    let mut s = session();
    let first = s.offer(Direction::SendRecv);
    s.accept_answer(&phone_offer("0", "")).unwrap();
    let (reinvite, _) = s
        .answer(&phone_offer("0", ""), Direction::SendRecv)
        .unwrap();
    let hold = s.offer(Direction::SendOnly);
    let (update, _) = s
        .answer(&phone_offer("8", ""), Direction::SendRecv)
        .unwrap();
    let versions: Vec<u64> = [&first, &reinvite, &hold, &update]
        .iter()
        .map(|sdp| version(sdp))
        .collect();
    assert_eq!(versions, vec![1, 2, 3, 4]);
    assert_eq!(s.version(), 4);
    for sdp in [&first, &reinvite, &hold, &update] {
        assert!(sdp.contains("o=parkdesk 4242 "), "{sdp}");
    }
    // a refused re-offer writes nothing, so the version stays
    assert!(s.answer("v=0\r\n", Direction::SendRecv).is_err());
    assert_eq!(s.version(), 4);
}

#[test]
fn an_answer_is_refused_without_an_offer_or_when_it_rejects_the_audio() {
    let mut s = session();
    assert_eq!(
        s.accept_answer(&phone_offer("0", "")),
        Err(SdpError::NoOffer)
    );
    s.offer(Direction::SendRecv);
    let rejected = "v=0\r\nc=IN IP4 198.51.100.7\r\nm=audio 0 RTP/AVP 0\r\n";
    assert_eq!(s.accept_answer(rejected), Err(SdpError::Rejected));
    let odd = "v=0\r\nc=IN IP4 198.51.100.7\r\nm=audio 5004 RTP/AVP 18\r\n";
    assert!(matches!(
        s.accept_answer(odd),
        Err(SdpError::NoCommonCodec { .. })
    ));
}

#[test]
fn two_parkdesk_sessions_agree_on_everything_over_ipv6() {
    let mut a = SdpSession::with_session_id(addr("[2001:db8::1]:40000"), 1);
    let mut b = SdpSession::with_session_id(addr("[2001:db8::2]:40002"), 2);
    let offer = a.offer(Direction::SendRecv);
    assert!(offer.contains("c=IN IP6 2001:db8::1\r\n"));
    let (answer, at_b) = b.answer(&offer, Direction::SendRecv).unwrap();
    let at_a = a.accept_answer(&answer).unwrap();
    assert_eq!(at_b.remote, Some(a.local()));
    assert_eq!(at_a.remote, Some(b.local()));
    assert_eq!((at_a.codec, at_b.codec), (Codec::Pcmu, Codec::Pcmu));
    assert_eq!((at_a.dtmf_pt, at_b.dtmf_pt), (Some(101), Some(101)));
}

#[test]
fn a_fresh_session_draws_a_random_positive_session_id() {
    let a = SdpSession::new(addr("192.0.2.10:40000")).offer(Direction::SendRecv);
    let b = SdpSession::new(addr("192.0.2.10:40000")).offer(Direction::SendRecv);
    let id = |sdp: &str| -> u64 {
        let o = sdp.lines().find(|l| l.starts_with("o=")).unwrap();
        o.split_whitespace().nth(1).unwrap().parse().unwrap()
    };
    assert!(id(&a) > 0 && id(&a) <= i32::MAX as u64);
    assert_ne!(id(&a), id(&b), "two sessions, two ids (1 in 2^31 to clash)");
}

/// Lines a fuzzer would not find on its own: real SDP fields, broken in every way.
fn sdp_line() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z]=[ -~]{0,40}",
        "c=IN IP[46] [0-9a-f.:/]{0,20}",
        "m=(audio|video) [0-9/]{0,7} RTP/(AVP|SAVP) [0-9 ]{0,12}",
        "a=rtpmap:[0-9]{0,4} [A-Za-z-]{0,16}/[0-9]{0,6}(/[0-9])?",
        "a=(sendrecv|sendonly|recvonly|inactive|ptime:20|fmtp:101 0-15)",
        Just("v=0".to_string()),
    ]
}

proptest! {
    #[test]
    fn the_parser_never_panics_on_arbitrary_text(text in any::<String>()) {
        let _ = parse(&text);
        let _ = session().answer(&text, Direction::SendRecv);
    }

    #[test]
    fn offer_answer_never_panics_on_sdp_shaped_lines_and_its_answers_parse(
        lines in proptest::collection::vec(sdp_line(), 0..14),
        crlf in any::<bool>(),
    ) {
        let text = lines.join(if crlf { "\r\n" } else { "\n" });
        let mut s = session();
        if let Ok((answer, negotiated)) = s.answer(&text, Direction::SendRecv) {
            let parsed = parse(&answer).expect("our own answer parses");
            prop_assert!(parsed.media.iter().filter(|m| m.port != 0).count() == 1);
            prop_assert!(negotiated.remote.is_none() || negotiated.direction.receives());
        }
        s.offer(Direction::SendRecv);
        let _ = s.accept_answer(&text);
    }
}
