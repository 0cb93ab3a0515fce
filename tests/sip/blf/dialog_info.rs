//! The dialog-info document builder and the lamp board, without any network: documents are
//! well-formed XML whatever the names and numbers hold, say back exactly what they were
//! given, and show each lamp as RFC 4235 and common phones expect.

use parkdesk::engine::switch::Party;
use parkdesk::engine::{Call, CallId, Instant, Parked, PickupGroupView};
use parkdesk::sip::blf::board::{Lamp, LampBoard, document, sip_uri};
use parkdesk::sip::blf::dialog_info::{
    DialogEntry, DialogInfo, DialogState, NAMESPACE, Participant, escape,
};
use parkdesk::sip::blf::limits::{Full, Limits};
use parkdesk::sip::blf::terms::{self, MAX_EXPIRES, Term};
use proptest::prelude::*;
use std::net::IpAddr;

fn parked(code: &str, call: &str, number: &str, name: &str) -> Parked {
    Parked {
        code: code.into(),
        spoken: String::new(),
        range: "main".into(),
        call: CallId(call.into()),
        caller: Party {
            number: number.into(),
            name: name.into(),
        },
        parked_by: "reception".into(),
        for_note: None,
        policy: "global".into(),
        parked_at: Instant(0),
        expires_at: Instant(300_000),
        state: parkdesk::engine::objects::ParkState::Parked,
        ringback: 0,
        ringbacks_max: 1,
    }
}

fn ringing_group(number: &str, calls: &[(&str, &str)]) -> PickupGroupView {
    PickupGroupView {
        group: "floor".into(),
        number: number.into(),
        name: "Shop floor".into(),
        members: vec!["ada".into()],
        pickup_by: Default::default(),
        ringing: calls
            .iter()
            .map(|(call, line)| Call {
                call: CallId((*call).into()),
                from: Party {
                    number: "+15550100".into(),
                    name: "Charles".into(),
                },
                to: (*line).into(),
                line: (*line).into(),
                direction: parkdesk::engine::objects::Direction::Inbound,
                state: parkdesk::engine::objects::CallState::Ringing,
                started_at: Instant(0),
                answered_at: None,
            })
            .collect(),
    }
}

/// Parses `xml`, or fails with the document.
fn parse(xml: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("not well-formed ({e}):\n{xml}"))
}

#[test]
fn a_dark_lamp_is_one_terminated_dialog_named_after_the_resource() {
    let doc = document(None, "701", "sip:701@pbx", "pbx", 0).render();
    let xml = parse(&doc);
    let root = xml.root_element();
    assert_eq!(root.tag_name().namespace(), Some(NAMESPACE));
    assert_eq!(root.attribute("version"), Some("0"));
    assert_eq!(root.attribute("state"), Some("full"));
    assert_eq!(root.attribute("entity"), Some("sip:701@pbx"));
    let dialogs: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("dialog"))
        .collect();
    assert_eq!(dialogs.len(), 1);
    assert_eq!(dialogs[0].attribute("id"), Some("701"));
    assert_eq!(dialogs[0].attribute("direction"), None);
    let state = dialogs[0].children().find(|n| n.has_tag_name("state"));
    assert_eq!(state.and_then(|s| s.text()), Some("terminated"));
}

#[test]
fn a_parked_call_lights_its_code_confirmed_with_the_caller_as_the_remote_party() {
    let board = LampBoard::from_engine(&[parked("705", "s-9", "+15550100", "Ada & Co")], &[]);
    assert_eq!(board.lit(), 1);
    assert!(board.lamp("701").is_none(), "other codes stay dark");
    let lamp = board.lamp("705").expect("705 lit");
    assert!(matches!(lamp, Lamp::Parked(call) if call.call == "s-9"));
    let doc = document(Some(lamp), "705", "sip:705@pbx", "pbx", 4).render();
    let xml = parse(&doc);
    let dialog = xml
        .descendants()
        .find(|n| n.has_tag_name("dialog"))
        .expect("a dialog");
    assert_eq!(dialog.attribute("id"), Some("s-9"));
    assert_eq!(dialog.attribute("direction"), Some("recipient"));
    let text = |path: &[&str]| {
        let mut node = dialog;
        for step in path {
            node = node
                .children()
                .find(|n| n.has_tag_name(*step))
                .unwrap_or_else(|| panic!("no <{step}> in {doc}"));
        }
        node
    };
    assert_eq!(text(&["state"]).text(), Some("confirmed"));
    let remote = text(&["remote", "identity"]);
    assert_eq!(remote.text(), Some("sip:+15550100@pbx"));
    assert_eq!(remote.attribute("display"), Some("Ada & Co"));
    assert_eq!(text(&["local", "identity"]).text(), Some("sip:705@pbx"));
    assert_eq!(
        text(&["local", "target"]).attribute("uri"),
        Some("sip:705@pbx")
    );
}

#[test]
fn a_group_with_calls_ringing_shows_one_early_dialog_per_call_longest_ringing_first() {
    let board = LampBoard::from_engine(
        &[],
        &[
            ringing_group("880", &[("s-1", "ada"), ("s-2", "grace")]),
            ringing_group("881", &[]),
        ],
    );
    assert!(board.lamp("881").is_none(), "a quiet group is dark");
    let doc = document(board.lamp("880"), "880", "sip:880@pbx", "pbx", 1).render();
    let xml = parse(&doc);
    let dialogs: Vec<(Option<&str>, Option<&str>)> = xml
        .descendants()
        .filter(|n| n.has_tag_name("dialog"))
        .map(|d| {
            (
                d.attribute("id"),
                d.children()
                    .find(|n| n.has_tag_name("state"))
                    .and_then(|s| s.text()),
            )
        })
        .collect();
    assert_eq!(
        dialogs,
        vec![(Some("s-1"), Some("early")), (Some("s-2"), Some("early"))]
    );
    assert!(doc.contains("sip:grace@pbx"), "the member it rings: {doc}");
}

#[test]
fn the_board_compares_equal_when_nothing_a_lamp_shows_changed() {
    let a = LampBoard::from_engine(&[parked("701", "s-1", "1", "A")], &[]);
    let mut later = parked("701", "s-1", "1", "A");
    later.state = parkdesk::engine::objects::ParkState::Retrieving;
    later.expires_at = Instant(999_999);
    let b = LampBoard::from_engine(&[later], &[]);
    assert_eq!(
        a, b,
        "a retrieve under way keeps the lamp as it is: no NOTIFY"
    );
    let c = LampBoard::from_engine(&[parked("701", "s-2", "1", "A")], &[]);
    assert_ne!(a, c, "another call on the code is news");
}

#[test]
fn a_code_with_a_hash_is_percent_encoded_in_its_uri() {
    assert_eq!(sip_uri("#12", "pbx:5060"), "sip:%2312@pbx:5060");
    assert_eq!(sip_uri("*100", "pbx"), "sip:*100@pbx");
    assert_eq!(sip_uri("+1 555", "pbx"), "sip:+1%20555@pbx");
    assert_eq!(sip_uri("", "pbx"), "sip:anonymous@pbx");
}

#[test]
fn escaping_turns_markup_into_entities_and_drops_what_xml_cannot_carry() {
    assert_eq!(
        escape("<a href=\"x\">&'"),
        "&lt;a href=&quot;x&quot;&gt;&amp;&apos;"
    );
    assert_eq!(escape("bell\u{7}\u{0}ok\u{FFFE}"), "bellok");
    assert_eq!(escape("tab\tnew\nline"), "tab&#9;new&#10;line");
}

#[test]
fn the_dialog_package_is_recognised_with_parameters_and_in_any_case() {
    assert!(terms::is_dialog_package(Some("dialog")));
    assert!(terms::is_dialog_package(Some(" Dialog ;call-id=x")));
    assert!(!terms::is_dialog_package(Some("presence")));
    assert!(!terms::is_dialog_package(Some("dialogs")));
    assert!(!terms::is_dialog_package(None));
}

#[test]
fn expires_is_granted_within_bounds_zero_ends_and_too_brief_is_refused() {
    assert_eq!(
        terms::term(None),
        Term::For(MAX_EXPIRES),
        "RFC 4235's 3600, capped"
    );
    assert_eq!(terms::term(Some("600")), Term::For(600));
    assert_eq!(terms::term(Some("99999999999")), Term::For(MAX_EXPIRES));
    assert_eq!(terms::term(Some("0")), Term::End);
    assert_eq!(terms::term(Some("59")), Term::TooBrief);
    assert_eq!(terms::term(Some("soon")), Term::For(MAX_EXPIRES));
}

#[test]
fn accept_admits_the_dialog_info_type_wildcards_or_nothing_said() {
    assert!(terms::accepts([]));
    assert!(terms::accepts(["application/dialog-info+xml"]));
    assert!(terms::accepts(["text/plain, application/*;q=0.5"]));
    assert!(terms::accepts(["*/*"]));
    assert!(!terms::accepts(["application/pidf+xml"]));
}

#[test]
fn subscriptions_are_capped_per_source_and_in_all_and_places_come_back() {
    let limits = Limits::new(2, 3);
    let a: IpAddr = "10.0.0.1".parse().expect("ip");
    let b: IpAddr = "10.0.0.2".parse().expect("ip");
    let first = limits.take(a).expect("first");
    let _second = limits.take(a).expect("second");
    assert_eq!(limits.take(a).err(), Some(Full::Source(a)));
    let _third = limits.take(b).expect("another source");
    assert_eq!(limits.take(b).err(), Some(Full::Total));
    assert_eq!(limits.held(), 3);
    drop(first);
    assert_eq!(limits.held_by(a), 1);
    assert!(limits.take(b).is_ok(), "a place given back is free again");
}

/// Any text, with the characters that trouble XML well represented.
fn nasty() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just('<'),
            Just('>'),
            Just('&'),
            Just('"'),
            Just('\''),
            Just('\u{0}'),
            Just('\u{1b}'),
            Just('\t'),
            Just('\n'),
            Just('\r'),
            Just('\u{FFFE}'),
            any::<char>(),
        ],
        0..24,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

fn state() -> impl Strategy<Value = DialogState> {
    prop_oneof![
        Just(DialogState::Early),
        Just(DialogState::Confirmed),
        Just(DialogState::Terminated)
    ]
}

proptest! {
    #[test]
    fn every_document_is_well_formed_and_says_back_what_it_was_given(
        entity in nasty(),
        version in any::<u64>(),
        dialogs in prop::collection::vec(
            (nasty(), state(), any::<bool>(), nasty(), proptest::option::of(nasty())),
            0..4,
        ),
    ) {
        let info = DialogInfo {
            entity: entity.clone(),
            version,
            dialogs: dialogs
                .iter()
                .map(|(id, state, recipient, uri, display)| DialogEntry {
                    id: id.clone(),
                    state: *state,
                    recipient: *recipient,
                    local: None,
                    remote: Some(Participant { uri: uri.clone(), display: display.clone() }),
                })
                .collect(),
        };
        let xml = info.render();
        let doc = roxmltree::Document::parse(&xml)
            .map_err(|e| TestCaseError::fail(format!("{e}: {xml}")))?;
        let root = doc.root_element();
        // What XML cannot carry is dropped; everything else comes back exactly.
        let kept = |s: &str| -> String {
            s.chars()
                .filter(|c| {
                    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
                        || *c >= '\u{10000}'
                })
                .collect()
        };
        let entity_kept = kept(&entity);
        prop_assert_eq!(root.attribute("entity"), Some(entity_kept.as_str()));
        let version_text = version.to_string();
        prop_assert_eq!(root.attribute("version"), Some(version_text.as_str()));
        let parsed: Vec<_> = root.children().filter(|n| n.has_tag_name("dialog")).collect();
        prop_assert_eq!(parsed.len(), dialogs.len());
        for (node, (id, state, recipient, _, display)) in parsed.iter().zip(&dialogs) {
            let id_kept = kept(id);
            prop_assert_eq!(node.attribute("id"), Some(id_kept.as_str()));
            let text = node.children().find(|n| n.has_tag_name("state")).and_then(|n| n.text());
            prop_assert_eq!(text, Some(state.as_str()));
            prop_assert_eq!(node.attribute("direction").is_some(), *recipient);
            let identity = node
                .descendants()
                .find(|n| n.has_tag_name("identity"))
                .ok_or_else(|| TestCaseError::fail("no identity"))?;
            let shown = display.as_deref().map(kept);
            prop_assert_eq!(identity.attribute("display"), shown.as_deref());
        }
    }

    #[test]
    fn escaped_text_never_holds_raw_markup(text in nasty()) {
        let escaped = escape(&text);
        prop_assert!(!escaped.contains(['<', '>', '"', '\'']));
        // Every '&' starts an entity or character reference.
        for (i, _) in escaped.match_indices('&') {
            let rest = &escaped[i..];
            prop_assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#9;", "&#10;", "&#13;"]
                    .iter()
                    .any(|e| rest.starts_with(e)),
                "{}", escaped
            );
        }
    }
}
