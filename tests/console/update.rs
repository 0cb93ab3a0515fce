//! The pure update function, driven by scripted engine events and keys at a fixed `now`.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too: a failure is the test failing

use crate::support::console::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use parkdesk::console::bands::{Band, timing};
use parkdesk::console::state::{ConnState, Mode, Overlay, Pane, SortKey};
use parkdesk::console::update::{ConnEvent, Effect, Msg, Refusal, update};
use parkdesk::protocol::ErrorCode;
use serde_json::json;

fn reply(
    state: &mut parkdesk::console::state::State,
    effects: &[Effect],
    result: Result<serde_json::Value, Refusal>,
) {
    let ticket = effects
        .iter()
        .find_map(|e| match e {
            Effect::Send(r) => Some(r.ticket),
            _ => None,
        })
        .unwrap();
    update(state, Msg::Conn(ConnEvent::Reply { ticket, result }));
}

#[test]
fn a_snapshot_fills_the_board_the_desk_and_the_log_from_recent() {
    let state = busy_state(Mode::Console, (80, 24));
    assert_eq!(state.conn, ConnState::Online);
    assert_eq!(state.board.parked.len(), 4);
    assert_eq!(
        state.desk_rows().len(),
        3,
        "the call ringing at bob is not a desk call"
    );
    assert_eq!(state.log.entries.len(), 2);
    assert!(
        state.log.entries[0]
            .text
            .contains("705 parked: Ada Lovelace")
    );
}

#[test]
fn park_events_add_update_and_remove_parked_calls_and_log_them() {
    let mut state = busy_state(Mode::Console, (80, 24));
    let started = parked(
        "720",
        "Niklaus Wirth",
        "+41 44 555 0100",
        Some("Bob"),
        0,
        300,
    );
    update(
        &mut state,
        Msg::Conn(ConnEvent::Event(event(
            "park.started",
            42,
            0,
            started.clone(),
        ))),
    );
    assert!(state.board.parked.contains_key("720"));
    let mut ended = started;
    ended["outcome"] = json!("abandoned");
    update(
        &mut state,
        Msg::Conn(ConnEvent::Event(event("park.ended", 43, 5, ended))),
    );
    assert!(!state.board.parked.contains_key("720"));
    let last = &state.log.entries.back().unwrap().text;
    assert!(last.contains("720 abandoned"), "{last}");
}

#[test]
fn parking_the_selected_desk_call_at_once_sends_park_with_an_idempotency_key() {
    let mut state = busy_state(Mode::Console, (80, 24));
    let effects = press(&mut state, [key(KeyCode::Char('+'))]);
    let requests = sent(&effects);
    assert_eq!(requests.len(), 1);
    let (op, args, key) = &requests[0];
    assert_eq!(op, "park");
    assert_eq!(
        args,
        &json!({"call": "c-21"}),
        "the ringing desk call is listed first"
    );
    assert!(key.as_deref().is_some_and(|k| k.starts_with("k-")));
}

#[test]
fn two_parks_carry_different_keys_and_queries_carry_none() {
    let mut state = busy_state(Mode::Console, (80, 24));
    let first = sent(&press(&mut state, [key(KeyCode::Char('+'))]));
    let second = sent(&press(&mut state, [key(KeyCode::Char('+'))]));
    assert_ne!(first[0].2, second[0].2);
    let history = sent(&press(&mut state, [key(KeyCode::F(10))]));
    assert_eq!(history[0].0, "history.list");
    assert_eq!(history[0].2, None);
}

#[test]
fn the_park_form_sends_a_directed_park_with_a_for_note_and_an_announce_tick() {
    let mut state = busy_state(Mode::Console, (80, 24));
    press(&mut state, [key(KeyCode::F(2))]);
    assert!(matches!(state.overlay, Some(Overlay::Park(_))));
    type_text(&mut state, "7a14"); // the letter is not a code character
    press(&mut state, [key(KeyCode::Tab)]);
    type_text(&mut state, "Charles Babbage");
    press(&mut state, [key(KeyCode::Tab), ch(' ')]);
    let effects = press(&mut state, [key(KeyCode::Enter)]);
    let (op, args, _) = &sent(&effects)[0];
    assert_eq!(op, "park");
    assert_eq!(
        args,
        &json!({"call": "c-21", "code": "714", "for": "Charles Babbage", "announce": true})
    );
    assert!(state.overlay.is_none());
}

#[test]
fn a_refused_park_shows_the_reason_in_the_status_line_and_leaves_the_board_unchanged() {
    let mut state = busy_state(Mode::Console, (80, 24));
    let before = state.board.clone();
    let effects = press(&mut state, [key(KeyCode::Char('+'))]);
    let refusal = Refusal {
        code: Some(ErrorCode::RangeFull),
        message: "no free code in range 'main' (701-799)".into(),
    };
    reply(&mut state, &effects, Err(refusal));
    let status = state.status.clone().unwrap();
    assert!(status.error);
    assert!(status.text.contains("range full"), "{}", status.text);
    assert!(status.text.contains("701-799"));
    assert_eq!(state.board, before);
    assert!(state.pending.is_empty());
}

#[test]
fn a_park_reply_names_the_code_and_selects_it_once_the_event_arrives() {
    let mut state = busy_state(Mode::Console, (80, 24));
    let effects = press(&mut state, [key(KeyCode::Char('+'))]);
    reply(
        &mut state,
        &effects,
        Ok(
            json!({"code": "714", "spoken": "seven one four", "expires_at": now_plus(300).to_rfc3339()}),
        ),
    );
    assert!(
        state
            .status
            .as_ref()
            .unwrap()
            .text
            .contains("Parked on 714 (seven one four), due 10:05:00")
    );
    update(
        &mut state,
        Msg::Conn(ConnEvent::Event(event(
            "park.started",
            42,
            0,
            parked("714", "Margaret Hamilton", "+1 617 555 0101", None, 0, 300),
        ))),
    );
    assert_eq!(state.selected_parked().unwrap().parked.code, "714");
}

#[test]
fn retrieve_announce_and_extend_act_on_the_selected_parked_call() {
    let mut state = busy_state(Mode::Console, (80, 24));
    press(&mut state, [key(KeyCode::Down)]); // board order: 712, 709, 705, 707
    let ops: Vec<_> = [KeyCode::F(3), KeyCode::F(4), KeyCode::F(5)]
        .into_iter()
        .flat_map(|k| sent(&press(&mut state, [key(k)])))
        .collect();
    assert_eq!(ops[0].0, "retrieve");
    assert_eq!(ops[0].1, json!({"code": "709"}));
    assert_eq!(ops[1].0, "announce");
    assert_eq!(ops[1].1, json!({"code": "709"}));
    assert_eq!(ops[2].0, "extend");
    assert_eq!(ops[2].1, json!({"code": "709", "seconds": 60}));
}

#[test]
fn typing_digits_jumps_to_a_parked_code() {
    let mut state = busy_state(Mode::Console, (80, 24));
    state.focus = Pane::Desk;
    press(&mut state, [ch('7'), ch('0'), ch('5')]);
    assert_eq!(state.focus, Pane::Parked);
    assert_eq!(state.selected_parked().unwrap().parked.code, "705");
    // Enter ends the jump; the next F3 retrieves what was jumped to.
    press(&mut state, [key(KeyCode::Enter)]);
    let ops = sent(&press(&mut state, [key(KeyCode::F(3))]));
    assert_eq!(ops[0].1, json!({"code": "705"}));
}

#[test]
fn hang_up_asks_first_and_escape_sends_nothing() {
    let mut state = busy_state(Mode::Console, (80, 24));
    state.focus = Pane::Desk;
    state.call_pane = Pane::Desk;
    assert!(sent(&press(&mut state, [key(KeyCode::F(8))])).is_empty());
    assert!(matches!(state.overlay, Some(Overlay::Confirm(_))));
    assert!(sent(&press(&mut state, [key(KeyCode::Esc)])).is_empty());
    assert!(state.overlay.is_none());
    press(&mut state, [key(KeyCode::F(8))]);
    let ops = sent(&press(&mut state, [ch('y')]));
    assert_eq!(ops[0].0, "hangup");
    assert_eq!(ops[0].1, json!({"call": "c-21"}));
    assert!(ops[0].2.is_some());
}

#[test]
fn the_monitor_refuses_every_change_and_sends_nothing() {
    let mut state = busy_state(Mode::Monitor, (80, 24));
    for k in [
        KeyCode::F(2),
        KeyCode::F(3),
        KeyCode::F(4),
        KeyCode::F(5),
        KeyCode::F(6),
        KeyCode::F(8),
        KeyCode::Char('+'),
        KeyCode::Enter,
    ] {
        assert!(
            sent(&press(&mut state, [key(k)])).is_empty(),
            "{k:?} sent something"
        );
    }
    assert!(state.status.as_ref().unwrap().text.contains("Read-only"));
    press(&mut state, [ch(':')]);
    type_text(&mut state, "retrieve 705");
    assert!(sent(&press(&mut state, [key(KeyCode::Enter)])).is_empty());
    // Looking is allowed.
    assert_eq!(
        sent(&press(&mut state, [key(KeyCode::F(10))]))[0].0,
        "history.list"
    );
}

#[test]
fn the_palette_parks_the_selected_desk_call_for_a_person() {
    let mut state = busy_state(Mode::Console, (80, 24));
    press(&mut state, [ch(':')]);
    type_text(&mut state, "park 705 for Ada");
    let ops = sent(&press(&mut state, [key(KeyCode::Enter)]));
    assert_eq!(ops[0].0, "park");
    assert_eq!(
        ops[0].1,
        json!({"call": "c-21", "code": "705", "for": "Ada"})
    );
}

#[test]
fn a_bad_palette_line_is_an_error_in_the_status_line_and_sends_nothing() {
    let mut state = busy_state(Mode::Console, (80, 24));
    press(&mut state, [ch(':')]);
    type_text(&mut state, "retrieve 7o5");
    assert!(sent(&press(&mut state, [key(KeyCode::Enter)])).is_empty());
    assert!(
        state
            .status
            .as_ref()
            .unwrap()
            .text
            .contains("'7o5' is not a park code")
    );
}

#[test]
fn pickup_in_a_group_takes_the_longest_ringing_call_by_group_id() {
    let mut state = busy_state(Mode::Console, (80, 24));
    press(&mut state, [key(KeyCode::Tab), key(KeyCode::Tab)]);
    assert_eq!(state.focus, Pane::Groups);
    let ops = sent(&press(&mut state, [key(KeyCode::F(6))]));
    assert_eq!(ops[0].0, "pickup");
    assert_eq!(ops[0].1, json!({"group": "sales"}));
    press(&mut state, [key(KeyCode::Down)]);
    let ops = sent(&press(&mut state, [key(KeyCode::Enter)]));
    assert_eq!(ops[0].1, json!({"group": "sales", "call": "c-31"}));
    // :pickup with the group's number resolves to its id.
    press(&mut state, [ch(':')]);
    type_text(&mut state, "pickup 880");
    assert_eq!(
        sent(&press(&mut state, [key(KeyCode::Enter)]))[0].1,
        json!({"group": "sales"})
    );
}

#[test]
fn find_then_transfer_sends_the_desk_call_to_the_selected_person() {
    let mut state = busy_state(Mode::Console, (80, 24));
    press(&mut state, [key(KeyCode::Tab)]); // desk
    let effects = press(&mut state, [key(KeyCode::F(9))]);
    assert!(effects.is_empty());
    type_text(&mut state, "bob");
    let effects = press(&mut state, [key(KeyCode::Enter)]);
    assert_eq!(
        sent(&effects)[0],
        ("directory.search".into(), json!({"query": "bob"}), None)
    );
    reply(
        &mut state,
        &effects,
        Ok(json!({"users": [
            {"id": "bob", "name": "Bob Dobbs", "numbers": ["+44 20 7946 0100", "201"], "groups": ["sales"]},
            {"id": "bobby", "name": "Bobby Tables", "numbers": ["202"]}
        ]})),
    );
    assert_eq!(state.directory.len(), 2);
    assert_eq!(state.focus, Pane::Directory);
    let ops = sent(&press(&mut state, [key(KeyCode::F(7))]));
    assert_eq!(ops[0].0, "transfer");
    assert_eq!(ops[0].1, json!({"call": "c-21", "to": "bob"}));
}

#[test]
fn transferring_a_parked_call_retrieves_it_to_the_person() {
    let mut state = busy_state(Mode::Console, (80, 24));
    state.directory = vec![parkdesk::console::state::DirectoryEntry {
        id: "carol".into(),
        name: "Carol".into(),
        numbers: vec![],
        groups: vec![],
    }];
    press(&mut state, [key(KeyCode::Tab), key(KeyCode::BackTab)]); // desk, then back to parked
    assert_eq!(state.call_pane, Pane::Parked);
    let ops = sent(&press(&mut state, [key(KeyCode::F(7))]));
    assert_eq!(
        ops[0],
        (
            "retrieve".into(),
            json!({"code": "712", "to": "carol"}),
            ops[0].2.clone()
        )
    );
}

#[test]
fn the_filter_narrows_the_board_and_escape_clears_it() {
    let mut state = busy_state(Mode::Console, (80, 24));
    press(&mut state, [ch('/')]);
    type_text(&mut state, "sales");
    let codes: Vec<_> = state
        .parked_rows()
        .iter()
        .map(|e| e.parked.code.clone())
        .collect();
    assert_eq!(codes, vec!["709"]);
    press(&mut state, [key(KeyCode::Esc)]);
    assert_eq!(state.parked_rows().len(), 4);
}

#[test]
fn sort_cycles_from_time_left_to_code() {
    let mut state = busy_state(Mode::Console, (80, 24));
    let codes = |s: &parkdesk::console::state::State| {
        s.parked_rows()
            .iter()
            .map(|e| e.parked.code.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(codes(&state), vec!["712", "709", "705", "707"]);
    press(&mut state, [key(KeyCode::F(11))]);
    assert_eq!(state.sort, SortKey::Code);
    assert_eq!(codes(&state), vec!["705", "707", "709", "712"]);
}

#[test]
fn bands_turn_warning_at_the_share_and_critical_when_ringing_back() {
    let mut state = busy_state(Mode::Console, (80, 24));
    let band = |s: &parkdesk::console::state::State, code: &str| {
        timing(&s.board.parked[code], s.now, s.warning_share).band
    };
    assert_eq!(band(&state, "705"), Band::Normal); // 120 of 300 s
    assert_eq!(band(&state, "709"), Band::Warning); // 250 of 300 s
    assert_eq!(band(&state, "712"), Band::Critical); // ringing back
    // 105 s later 705 is at 225/300 = 75 %.
    update(&mut state, Msg::Tick(now_plus(105)));
    assert_eq!(band(&state, "705"), Band::Warning);
    update(&mut state, Msg::Tick(now_plus(155)));
    assert_eq!(band(&state, "705"), Band::Critical);
    let t = timing(&state.board.parked["705"], state.now, state.warning_share);
    assert_eq!(t.remaining, 25);
    assert_eq!(t.elapsed, 275);
}

#[test]
fn a_lost_connection_then_a_new_epoch_replaces_the_board_and_notes_it_in_the_log() {
    let mut state = busy_state(Mode::Console, (80, 24));
    update(
        &mut state,
        Msg::Conn(ConnEvent::Lost {
            reason: "connection closed".into(),
            attempt: 1,
            retry_in: 1,
        }),
    );
    assert!(matches!(state.conn, ConnState::Offline { .. }));
    assert_eq!(
        state.board.parked.len(),
        4,
        "the last state stays on screen"
    );
    update(
        &mut state,
        Msg::Conn(ConnEvent::Connected {
            hello: hello("reception", &["receptionist"], "e2"),
        }),
    );
    let fresh = serde_json::from_value(
        json!({"calls": [], "parked": [], "pickup_groups": [], "announcements": [], "recent": []}),
    )
    .unwrap();
    update(
        &mut state,
        Msg::Conn(ConnEvent::Snapshot {
            snapshot: fresh,
            new_epoch: true,
        }),
    );
    assert_eq!(state.conn, ConnState::Online);
    assert!(state.board.parked.is_empty());
    assert!(
        state
            .log
            .entries
            .iter()
            .any(|e| e.text.contains("new epoch"))
    );
}

#[test]
fn a_resume_after_a_drop_notes_how_many_events_were_replayed() {
    let mut state = busy_state(Mode::Console, (80, 24));
    update(
        &mut state,
        Msg::Conn(ConnEvent::Lost {
            reason: "resync".into(),
            attempt: 1,
            retry_in: 0,
        }),
    );
    update(&mut state, Msg::Conn(ConnEvent::Resumed { replayed: 3 }));
    assert_eq!(state.conn, ConnState::Online);
    assert!(
        state
            .log
            .entries
            .back()
            .unwrap()
            .text
            .contains("3 missed events replayed")
    );
}

#[test]
fn an_event_with_unreadable_data_changes_nothing_on_the_board() {
    let mut state = busy_state(Mode::Console, (80, 24));
    let before = state.board.clone();
    update(
        &mut state,
        Msg::Conn(ConnEvent::Event(event(
            "park.started",
            42,
            0,
            json!({"code": 705}),
        ))),
    );
    assert_eq!(state.board, before);
}

#[test]
fn q_quits_at_once_and_escape_closes_the_help() {
    let mut state = busy_state(Mode::Console, (80, 24));
    press(&mut state, [ch('?')]);
    assert!(matches!(state.overlay, Some(Overlay::Help(_))));
    press(&mut state, [key(KeyCode::Esc)]);
    assert!(state.overlay.is_none());
    assert_eq!(press(&mut state, [ch('q')]), vec![Effect::Quit]);
    let ctrl_c = Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert_eq!(update(&mut state, ctrl_c), vec![Effect::Quit]);
}

#[test]
fn quit_still_works_on_a_too_small_screen() {
    let mut state = busy_state(Mode::Console, (40, 10));
    assert_eq!(press(&mut state, [ch('q')]), vec![Effect::Quit]);
}

#[test]
fn a_click_selects_the_row_under_the_mouse_and_the_wheel_scrolls() {
    let mut state = busy_state(Mode::Console, (80, 24));
    state.focus = Pane::Desk;
    // 80x24 layout: header row 0, desk rows 1-6, parked board from row 7: border 7, column
    // header 8, first call row 9.
    let click = |row| {
        Msg::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: 10,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    update(&mut state, click(11));
    assert_eq!(state.focus, Pane::Parked);
    assert_eq!(state.selected_parked().unwrap().parked.code, "705");
    let wheel = Msg::Mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: 10,
        row: 11,
        modifiers: KeyModifiers::NONE,
    });
    update(&mut state, wheel);
    assert_eq!(state.selected_parked().unwrap().parked.code, "707");
}

#[test]
fn with_mouse_off_clicks_do_nothing() {
    let mut state = busy_state(Mode::Console, (80, 24));
    state.mouse = false;
    state.focus = Pane::Desk;
    let click = Msg::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 10,
        row: 11,
        modifiers: KeyModifiers::NONE,
    });
    update(&mut state, click);
    assert_eq!(state.focus, Pane::Desk);
}

#[test]
fn a_reply_after_a_lost_connection_that_was_not_sent_is_reported_as_not_done() {
    let mut state = busy_state(Mode::Console, (80, 24));
    let effects = press(&mut state, [key(KeyCode::F(10))]);
    reply(
        &mut state,
        &effects,
        Err(Refusal {
            code: None,
            message: "not connected to the engine: not sent".into(),
        }),
    );
    let status = state.status.as_ref().unwrap();
    assert!(
        status.error && status.text.contains("not done"),
        "{}",
        status.text
    );
}
