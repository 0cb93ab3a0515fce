//! Fuzzing on stable with proptest: the SIP message parser our transport uses (ezk's) and
//! our own readers over it (`msg`, `sanity`, digest credentials, the dial plan), SDP offers
//! mutated from valid ones, and the dialog state machine of a running engine fed random
//! request sequences over a real socket.
//!
//! CI runs a few cases (`PROPTEST_CASES`, default small). The long run:
//!
//! ```text
//! PROPTEST_CASES=20000 cargo test --release --test sip fuzz::
//! ```
//!
//! (the dialog property does `PROPTEST_CASES / 50` sequences of its own, at least 4).
#![allow(clippy::disallowed_methods)] // the dialog property runs an engine on wall time
#![allow(clippy::unwrap_used)]

mod dialog;
mod messages;

use parkdesk::media::sdp::{Direction, SdpSession};
use proptest::prelude::*;
use proptest::test_runner::Config;

/// Cases for the pure properties: `PROPTEST_CASES`, else 256.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

/// A valid phone offer (CRLF), the kind every mutation starts from.
fn phone_offer(port: u16, formats: &str) -> String {
    format!(
        "v=0\r\no=phone 77 1 IN IP4 198.51.100.7\r\ns=call\r\nc=IN IP4 198.51.100.7\r\nt=0 0\r\n\
         m=audio {port} RTP/AVP {formats}\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n\
         a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=sendrecv\r\n"
    )
}

/// Whether an offer is one the engine can answer, judged independently of the engine's
/// parser: an audio stream on a port, offering PCMU or PCMA, with an address to send to.
fn usable(offer: &str) -> bool {
    // Lines end at LF; a CR anywhere is whitespace between fields, as any run of spaces is.
    let lines: Vec<&str> = offer.split('\n').map(str::trim_end).collect();
    // Fields are separated by any run of whitespace (RFC 4566 says one space; phones vary).
    let audio = lines.iter().any(|l| {
        let Some(value) = l.strip_prefix("m=") else {
            return false;
        };
        let mut parts = value.split_whitespace();
        let (Some(kind), Some(port), Some(_proto)) = (parts.next(), parts.next(), parts.next())
        else {
            return false;
        };
        kind == "audio"
            && port
                .split('/')
                .next()
                .and_then(|p| p.parse::<u16>().ok())
                .is_some()
            && parts.any(|f| f == "0" || f == "8")
    });
    let address = lines.iter().any(|l| {
        let fields: Vec<&str> = l
            .strip_prefix("c=")
            .map(|v| v.split_whitespace().collect())
            .unwrap_or_default();
        matches!(fields[..], ["IN", "IP4" | "IP6", _])
    });
    audio && address
}

/// One edit to a text: the ways a broken phone or an attacker bends a valid message.
#[derive(Debug, Clone)]
enum Mutation {
    /// Drop line `n`.
    DropLine(usize),
    /// Repeat line `n`.
    RepeatLine(usize),
    /// Replace line `n` with this.
    ReplaceLine(usize, String),
    /// Insert text at a byte offset.
    Insert(usize, String),
    /// Cut the text at a byte offset.
    Truncate(usize),
    /// Swap CRLF for LF (or the reverse) everywhere.
    LineEnds,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let junk = prop_oneof![
        any::<String>(),
        Just("\r".to_string()),
        Just("\n".to_string()),
        Just("\0".to_string()),
        Just(";;,,".to_string()),
        Just("\"".to_string()),
        Just("<".to_string()),
        Just("%".to_string()),
        Just(" ".to_string()),
        "[ -~]{0,12}",
    ];
    prop_oneof![
        (0..40usize).prop_map(Mutation::DropLine),
        (0..40usize).prop_map(Mutation::RepeatLine),
        (0..40usize, "[ -~]{0,60}").prop_map(|(n, s)| Mutation::ReplaceLine(n, s)),
        (0..2000usize, junk).prop_map(|(at, s)| Mutation::Insert(at, s)),
        (0..2000usize).prop_map(Mutation::Truncate),
        Just(Mutation::LineEnds),
    ]
}

/// Applies `mutations` to `text` (offsets wrap to the text's length, on char boundaries).
fn mutate(text: &str, mutations: &[Mutation]) -> String {
    let mut text = text.to_string();
    for m in mutations {
        let mut lines: Vec<String> = text.split("\r\n").map(str::to_string).collect();
        let n_lines = lines.len().max(1);
        let boundary = |text: &str, at: usize| {
            let mut at = at % (text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            at
        };
        match m {
            Mutation::DropLine(n) => {
                if !lines.is_empty() {
                    lines.remove(n % n_lines);
                }
                text = lines.join("\r\n");
            }
            Mutation::RepeatLine(n) => {
                if !lines.is_empty() {
                    let line = lines[n % n_lines].clone();
                    lines.insert(n % n_lines, line);
                }
                text = lines.join("\r\n");
            }
            Mutation::ReplaceLine(n, s) => {
                if !lines.is_empty() {
                    lines[n % n_lines] = s.clone();
                }
                text = lines.join("\r\n");
            }
            Mutation::Insert(at, s) => {
                let at = boundary(&text, *at);
                text.insert_str(at, s);
            }
            Mutation::Truncate(at) => {
                let at = boundary(&text, *at);
                text.truncate(at);
            }
            Mutation::LineEnds => {
                text = if text.contains("\r\n") {
                    text.replace("\r\n", "\n")
                } else {
                    text.replace('\n', "\r\n")
                };
            }
        }
    }
    text
}

proptest! {
    #![proptest_config(Config::with_cases(cases()))]

    #[test]
    fn a_mutated_valid_offer_never_panics_and_is_answered_only_when_usable(
        port in 1u16..65535,
        formats in prop_oneof![Just("0 8 101"), Just("8 0"), Just("0"), Just("18 8 101"), Just("9 101")],
        mutations in proptest::collection::vec(mutation(), 0..5),
    ) {
        let valid = phone_offer(port, formats);
        let offer = mutate(&valid, &mutations);
        let mut session = SdpSession::with_session_id("192.0.2.10:40000".parse().unwrap(), 9);
        match session.answer(&offer, Direction::SendRecv) {
            Ok((answer, negotiated)) => {
                prop_assert!(usable(&offer), "answered an unusable offer:\n{offer}");
                prop_assert!(answer.contains("m=audio 40000 RTP/AVP "), "{answer}");
                prop_assert!(negotiated.dtmf_pt.is_none_or(|pt| pt >= 96 || pt == 101));
            }
            Err(_) => prop_assert!(
                !mutations.is_empty() || formats == "9 101",
                "a valid offer was refused:\n{offer}"
            ),
        }
        // Whatever came before, the session still offers and takes an answer cleanly.
        let ours = session.offer(Direction::SendOnly);
        prop_assert!(ours.contains("a=sendonly"));
        let _ = session.accept_answer(&offer);
    }
}
