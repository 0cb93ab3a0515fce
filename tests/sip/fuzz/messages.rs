//! The message parser: ezk's pull parser, start line and header lines exactly as its UDP
//! transport runs them, then the typed headers the endpoint extracts and our readers over
//! them. Random and mutated-valid messages never panic; valid ones read back what was
//! written.

use super::{cases, mutate, mutation};
use bytes::Bytes;
use bytesstr::BytesStr;
use parkdesk::engine::{EngineSetup, Group, User};
use parkdesk::sip::dialplan::DialPlan;
use parkdesk::sip::digest::{DigestRealm, parse_credentials};
use parkdesk::sip::msg::{display_name, number_in, percent_decode, uri_user};
use parkdesk::sip::sanity;
use proptest::prelude::*;
use proptest::test_runner::Config;
use sip_types::header::typed::{CSeq, CallID, Contact, ContentLength, FromTo, Via};
use sip_types::msg::{Line, MessageLine, PullParser};
use sip_types::parse::Parse;
use sip_types::{Headers, Name};

/// A message as the UDP transport reads it.
struct Parsed {
    line: MessageLine,
    first_line: String,
    headers: Headers,
}

/// What ezk's `parse_complete_sip` does with a datagram, without the endpoint.
fn parse(bytes: &[u8]) -> Option<Parsed> {
    let buffer = Bytes::copy_from_slice(bytes);
    let mut parser = PullParser::new(&buffer, 0);
    let mut line = None;
    let mut first_line = String::new();
    let mut headers = Headers::new();
    for item in &mut parser {
        let text = std::str::from_utf8(item.ok()?).ok()?;
        if line.is_none() {
            line = Some(MessageLine::parse(&buffer)(text).ok()?.1);
            first_line = text.to_string();
        } else {
            let (_, header) = Line::parse(&buffer, text).ok()?;
            headers.insert(header.name, header.value);
        }
    }
    Some(Parsed {
        line: line?,
        first_line,
        headers,
    })
}

/// Everything the endpoint and our layers read from a parsed message; must not panic.
fn read_everything(parsed: &Parsed, plan: &DialPlan, realm: &DigestRealm) {
    let h = &parsed.headers;
    let _ = h.get_named::<Vec<Via>>();
    let from = h.get::<FromTo>(Name::FROM);
    let to = h.get::<FromTo>(Name::TO);
    let _ = h.get_named::<CallID>();
    let _ = h.get_named::<CSeq>();
    let _ = h.get_named::<ContentLength>();
    let _ = h.get_named::<Vec<Contact>>();
    for party in [from.ok(), to.ok()].into_iter().flatten() {
        let user = uri_user(&party.uri.uri);
        let _ = plan.classify(&user);
        let _ = plan.may_transfer_to(&user);
        let _ = parkdesk::sip::msg::caller_party(&party, None);
    }
    for (_, value) in h.iter() {
        let text = value.as_str();
        let _ = number_in(text);
        let _ = display_name(text);
        let _ = percent_decode(text);
        let _ = parse_credentials(text);
        let _ = realm.verify(Some(text), "INVITE", |_| Some("00".repeat(16)), 1_000);
    }
    if let MessageLine::Request(line) = &parsed.line {
        let dialled = uri_user(&line.uri);
        let _ = plan.classify(&dialled);
        let method = line.method.to_string();
        let _ = sanity::check(&parsed.first_line, &method, h, &["timer", "100rel"]);
    }
}

fn plan() -> DialPlan {
    let setup = EngineSetup {
        users: vec![User {
            id: "ada".into(),
            name: "Ada".into(),
            numbers: vec!["201".into(), "+44 20 7000 0000".into()],
            ..User::default()
        }],
        groups: vec![Group {
            id: "floor".into(),
            members: vec!["ada".into()],
            number: Some("880".into()),
            ..Group::default()
        }],
        allow_list: vec!["+15550199".into()],
        ..EngineSetup::default()
    };
    DialPlan::new(&setup, &["911".to_string()])
}

/// A valid request and what it says.
#[derive(Debug, Clone)]
struct Valid {
    method: &'static str,
    number: String,
    name: String,
    cseq: u32,
    tag: String,
    compact: bool,
    folded: bool,
}

impl Valid {
    fn text(&self) -> String {
        let (f, t, i, v, l) = if self.compact {
            ("f", "t", "i", "v", "l")
        } else {
            ("From", "To", "Call-ID", "Via", "Content-Length")
        };
        let fold = if self.folded { "\r\n " } else { " " };
        format!(
            "{m} sip:{n}@192.0.2.1 SIP/2.0\r\n\
             {v}: SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bK{tag}\r\n\
             {f}: \"{name}\"{fold}<sip:{n}@192.0.2.7>;tag={tag}\r\n\
             {t}: <sip:{n}@192.0.2.1>\r\n\
             {i}: {tag}@192.0.2.7\r\n\
             CSeq: {cseq} {m}\r\n\
             Max-Forwards: 70\r\n\
             P-Asserted-Identity: \"{name}\" <sip:{n}@pbx.example.com>\r\n\
             {l}: 0\r\n\r\n",
            m = self.method,
            n = self.number,
            name = self.name,
            tag = self.tag,
            cseq = self.cseq,
        )
    }
}

fn valid() -> impl Strategy<Value = Valid> {
    (
        prop_oneof![
            Just("INVITE"),
            Just("OPTIONS"),
            Just("REGISTER"),
            Just("BYE"),
            Just("INFO"),
            Just("SUBSCRIBE"),
        ],
        "\\+?[0-9]{1,15}",
        "[A-Za-z][A-Za-z .'-]{0,20}[A-Za-z]",
        1u32..(1 << 31),
        "[a-zA-Z0-9]{1,16}",
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(method, number, name, cseq, tag, compact, folded)| Valid {
            method,
            number,
            name,
            cseq,
            tag,
            compact,
            folded,
        })
}

/// Digest parameters, some quoted with escapes.
fn credentials() -> impl Strategy<Value = Vec<(String, String, bool)>> {
    proptest::collection::vec(("[a-z]{1,8}", "[ -!#-\\[\\]-~]{0,12}", any::<bool>()), 1..8)
}

proptest! {
    #![proptest_config(Config::with_cases(cases()))]

    #[test]
    fn arbitrary_bytes_never_panic_the_parser_or_our_readers(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let plan = plan();
        let realm = DigestRealm::new("parkdesk", [7; 32]);
        if let Some(parsed) = parse(&bytes) {
            read_everything(&parsed, &plan, &realm);
        }
    }

    #[test]
    fn mutated_valid_requests_never_panic_the_parser_or_our_readers(
        valid in valid(),
        mutations in proptest::collection::vec(mutation(), 1..6),
    ) {
        let plan = plan();
        let realm = DigestRealm::new("parkdesk", [7; 32]);
        let text = mutate(&valid.text(), &mutations);
        if let Some(parsed) = parse(text.as_bytes()) {
            read_everything(&parsed, &plan, &realm);
        }
    }

    #[test]
    fn a_valid_request_reads_back_what_was_written(valid in valid()) {
        let text = valid.text();
        let parsed = parse(text.as_bytes()).expect("a valid request parses");
        let MessageLine::Request(line) = &parsed.line else {
            panic!("a request line");
        };
        prop_assert_eq!(line.method.to_string(), valid.method);
        prop_assert_eq!(uri_user(&line.uri), valid.number.clone());
        let from: FromTo = parsed.headers.get(Name::FROM).expect("From");
        prop_assert_eq!(from.tag.as_ref().map(|t| t.as_str()), Some(valid.tag.as_str()));
        let party = parkdesk::sip::msg::caller_party(&from, None);
        prop_assert_eq!(&party.number, &valid.number);
        prop_assert_eq!(&party.name, &valid.name);
        let cseq: CSeq = parsed.headers.get_named().expect("CSeq");
        prop_assert_eq!(cseq.cseq, valid.cseq);
        let pai = parkdesk::sip::msg::header_named(&parsed.headers, "P-Asserted-Identity")
            .expect("PAI");
        prop_assert_eq!(number_in(&pai), Some(valid.number.clone()));
        prop_assert_eq!(display_name(&pai), valid.name.clone());
        prop_assert_eq!(
            sanity::check(&parsed.first_line, valid.method, &parsed.headers, &[]),
            Ok(())
        );
    }

    #[test]
    fn digest_credentials_read_back_their_parameters(params in credentials()) {
        let mut header = String::from("Digest ");
        let mut want = std::collections::HashMap::new();
        for (i, (name, value, quoted)) in params.iter().enumerate() {
            if i > 0 {
                header.push_str(", ");
            }
            if *quoted || value.is_empty() || value.contains([',', ' ', '"', '\\']) {
                let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
                header.push_str(&format!("{name}=\"{escaped}\""));
            } else {
                header.push_str(&format!("{name}={value}"));
            }
            want.insert(name.clone(), value.clone());
        }
        let got = parse_credentials(&header).expect("well-formed credentials parse");
        prop_assert_eq!(got, want);
    }

    #[test]
    fn the_dial_plan_answers_any_text_without_panicking(text in any::<String>()) {
        let plan = plan();
        let served = plan.classify(&text);
        if plan.may_transfer_to(&text) {
            prop_assert!(
                served != parkdesk::sip::dialplan::Served::Nothing
                    || plan.group_members(&text).is_some()
                    || text.chars().filter(|c| !" -.()".contains(*c)).collect::<String>() == "+15550199"
            );
        }
        let _ = percent_decode(&text);
        let _ = number_in(&text);
    }
}

/// Keeps `BytesStr` and `Parse` in use for readers of this file (ezk's own entry points).
#[test]
fn a_request_line_parses_with_the_same_entry_point_the_transport_uses() {
    let src = BytesStr::from("OPTIONS sip:700@192.0.2.1 SIP/2.0");
    let bytes: &Bytes = src.as_ref();
    let parsed = MessageLine::parse(bytes)(&src);
    assert!(parsed.is_ok());
}
