//! What the console says about what happened: the activity log's wording for the events the
//! real engine sends (a park comes with a `call.transferred`, a picked call leaves its
//! group's list before `pickup.picked`), the history overlay, and the notes after an engine
//! restart. Found by running the console against the real engine in tmux.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too: a failure is the test failing

use crate::support::console::*;
use crossterm::event::KeyCode;
use parkdesk::console::state::{Mode, Overlay, Pane, State};
use parkdesk::console::theme::ColorMode;
use parkdesk::console::update::{ConnEvent, Effect, Msg, Refusal, update};
use serde_json::{Value, json};

fn engine_event(state: &mut State, name: &str, seq: u64, data: Value) {
    update(
        state,
        Msg::Conn(ConnEvent::Event(event(name, seq, 1, data))),
    );
}

fn log_lines(state: &State) -> Vec<String> {
    state.log.entries.iter().map(|e| e.text.clone()).collect()
}

fn new_lines(state: &State, before: usize) -> Vec<String> {
    log_lines(state).into_iter().skip(before).collect()
}

fn answer(state: &mut State, effects: &[Effect], result: Result<Value, Refusal>) {
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
fn a_park_reads_as_a_park_not_as_a_transfer_to_the_line_it_came_from() {
    let mut state = busy_state(Mode::Console, (80, 24));
    let before = state.log.entries.len();
    // What the engine sends for a park of the ringing desk call c-21.
    let mut moved = call("c-21", "Margaret Hamilton", "+1 617 555 0101", "parked", 8);
    moved["by"] = json!("reception");
    engine_event(&mut state, "call.transferred", 50, moved);
    let mut started = parked("720", "Margaret Hamilton", "+1 617 555 0101", None, 0, 300);
    started["call"] = json!("c-21");
    engine_event(&mut state, "park.started", 51, started);
    assert_eq!(
        new_lines(&state, before),
        ["720 parked: Margaret Hamilton (+1 617 555 0101) by reception"]
    );
}

#[test]
fn a_transfer_from_the_desk_names_the_caller_the_target_and_who_did_it() {
    let mut state = busy_state(Mode::Console, (80, 24));
    let before = state.log.entries.len();
    let mut moved = call("c-22", "Linus Torvalds", "+358 9 555 0102", "connected", 95);
    moved["line"] = json!("bob");
    moved["by"] = json!("reception");
    engine_event(&mut state, "call.transferred", 50, moved);
    assert_eq!(
        new_lines(&state, before),
        ["Linus Torvalds (+358 9 555 0102) transferred to bob by reception"]
    );
    assert!(
        state.desk_rows().iter().all(|c| c.call.0 != "c-22"),
        "it left the desk"
    );
}

#[test]
fn a_desk_call_that_ends_is_logged_by_its_caller_and_other_lines_calls_are_not() {
    let mut state = busy_state(Mode::Console, (80, 24));
    let before = state.log.entries.len();
    let mut gone = call("c-21", "Margaret Hamilton", "+1 617 555 0101", "ended", 8);
    gone["cause"] = json!("hangup");
    engine_event(&mut state, "call.ended", 50, gone);
    let mut released = call("c-22", "Linus Torvalds", "+358 9 555 0102", "ended", 95);
    released["cause"] = json!("released");
    engine_event(&mut state, "call.ended", 51, released);
    let mut held = call("c-23", "", "+44 161 555 0103", "ended", 300);
    held["cause"] = json!("hangup");
    engine_event(&mut state, "call.ended", 52, held);
    // c-31 rang at bob's line, not mine.
    let mut elsewhere = call("c-31", "Barbara Liskov", "+1 617 555 0120", "ended", 23);
    elsewhere["line"] = json!("bob");
    elsewhere["cause"] = json!("hangup");
    engine_event(&mut state, "call.ended", 53, elsewhere);
    assert_eq!(
        new_lines(&state, before),
        [
            "Margaret Hamilton (+1 617 555 0101) hung up before it was answered",
            "Linus Torvalds (+358 9 555 0102) released (hung up)",
            "+44 161 555 0103 hung up",
        ]
    );
}

#[test]
fn a_picked_call_is_named_by_its_caller_and_leaving_the_group_list_is_not_a_ringing_line() {
    let mut state = busy_state(Mode::Console, (80, 24));
    let before = state.log.entries.len();
    // The engine takes c-31 off the Sales list, then says who picked it.
    let mut left = group("sales", "880", "Sales", &["bob", "carol"], vec![]);
    left["call"] = json!("c-31");
    engine_event(&mut state, "pickup.ringing", 50, left.clone());
    let mut picked = left;
    picked["by"] = json!("reception");
    picked["for"] = json!("bob");
    engine_event(&mut state, "pickup.picked", 51, picked);
    assert_eq!(
        new_lines(&state, before),
        ["880 Sales: Barbara Liskov (+1 617 555 0120) picked up by reception (rang for bob)"]
    );
}

#[test]
fn a_park_hung_up_by_the_receptionist_is_not_reported_as_nobody_answered() {
    let mut state = busy_state(Mode::Console, (80, 24));
    let before = state.log.entries.len();
    let mut ended = parked("709", "Alan Turing", "+44 1223 555 0107", None, 250, 300);
    ended["outcome"] = json!("released");
    ended["by"] = json!("reception");
    engine_event(&mut state, "park.ended", 50, ended.clone());
    ended["outcome"] = json!("released");
    ended["by"] = Value::Null;
    ended["code"] = json!("705");
    engine_event(&mut state, "park.ended", 51, ended);
    assert_eq!(
        new_lines(&state, before),
        [
            "709 hung up by reception: Alan Turing (+44 1223 555 0107)",
            "705 released: nobody answered: Alan Turing (+44 1223 555 0107)",
        ]
    );
}

#[test]
fn an_extension_says_when_the_park_is_now_due() {
    let mut state = busy_state(Mode::Console, (80, 24));
    let mut extended = parked("705", "Ada Lovelace", "+44 20 7946 0001", None, 120, 360);
    extended["by"] = json!("reception");
    engine_event(&mut state, "park.extended", 50, extended);
    assert_eq!(
        log_lines(&state).last().unwrap(),
        "705 extended by reception, now due 10:04:00"
    );
}

#[test]
fn an_announcement_the_engine_could_not_queue_is_an_error_with_its_reason() {
    let mut state = busy_state(Mode::Console, (80, 24));
    let effects = press(&mut state, [key(KeyCode::F(4))]);
    assert_eq!(sent(&effects)[0].0, "announce");
    answer(
        &mut state,
        &effects,
        Ok(
            json!({"announcement": {"announcement": "a-1", "state": "failed",
            "reason": "no announcer station for zone 'default'", "text": "Call for Alan",
            "zone": "default", "priority": 0, "repeat": 1}}),
        ),
    );
    let status = state.status.clone().unwrap();
    assert!(status.error, "{status:?}");
    assert!(
        status
            .text
            .ends_with("failed: no announcer station for zone 'default'"),
        "{status:?}"
    );
    let effects = press(&mut state, [key(KeyCode::F(4))]);
    answer(
        &mut state,
        &effects,
        Ok(
            json!({"announcement": {"announcement": "a-2", "state": "queued",
            "text": "Call for Alan", "zone": "default", "priority": 0, "repeat": 1}}),
        ),
    );
    let status = state.status.clone().unwrap();
    assert!(!status.error);
    assert!(status.text.ends_with(": queued for the PA"), "{status:?}");
}

#[test]
fn history_opens_an_overlay_that_fills_with_the_ended_parks_newest_first() {
    let mut state = busy_state(Mode::Console, (80, 24));
    let effects = press(&mut state, [key(KeyCode::F(10))]);
    assert_eq!(sent(&effects)[0].0, "history.list");
    assert!(matches!(&state.overlay, Some(Overlay::History(v)) if v.loading));
    let log_before = state.log.entries.len();
    answer(
        &mut state,
        &effects,
        Ok(json!({"entries": [
            {"code": "703", "caller": {"name": "Konrad Zuse", "number": "+49 30 555 0100"},
             "parked_by": "reception", "parked_at": now_plus(-200).to_rfc3339(),
             "ended_at": now_plus(-60).to_rfc3339(), "outcome": "retrieved", "by": "charles"},
            {"code": "701", "caller": {"name": "Kurt Gödel", "number": "+43 1 555 0100"},
             "parked_by": "reception", "parked_at": now_plus(-900).to_rfc3339(),
             "ended_at": now_plus(-600).to_rfc3339(), "outcome": "abandoned", "by": null},
        ]})),
    );
    let Some(Overlay::History(view)) = &state.overlay else {
        panic!("the history stays open: {:?}", state.overlay);
    };
    assert!(!view.loading);
    assert_eq!(view.rows.len(), 2);
    assert_eq!(view.rows[0].code, "703", "newest first");
    assert_eq!(
        state.log.entries.len(),
        log_before,
        "history is not mixed into the live log"
    );
    insta::assert_snapshot!(screen(&state, ColorMode::NoColor));
    press(&mut state, [key(KeyCode::Esc)]);
    assert!(state.overlay.is_none());
}

#[test]
fn a_refused_history_says_why_in_the_overlay() {
    let mut state = busy_state(Mode::Console, (80, 24));
    let effects = press(&mut state, [key(KeyCode::F(10))]);
    answer(
        &mut state,
        &effects,
        Err(Refusal {
            code: None,
            message: "not connected to the engine: not sent".into(),
        }),
    );
    let Some(Overlay::History(view)) = &state.overlay else {
        panic!("still open");
    };
    assert!(!view.loading);
    assert!(
        view.failed
            .as_deref()
            .is_some_and(|f| f.contains("not connected")),
        "{view:?}"
    );
}

#[test]
fn after_an_engine_restart_the_log_names_the_parks_that_died_with_it() {
    let mut state = busy_state(Mode::Console, (80, 24));
    update(
        &mut state,
        Msg::Conn(ConnEvent::Lost {
            reason: "connection closed".into(),
            attempt: 1,
            retry_in: 1,
        }),
    );
    update(
        &mut state,
        Msg::Conn(ConnEvent::Connected {
            hello: hello("reception", &["receptionist"], "e2"),
        }),
    );
    // The new run still holds 705 for the same call (say, restored); the rest are gone.
    let fresh = serde_json::from_value(json!({
        "calls": [], "pickup_groups": [], "announcements": [], "recent": [],
        "parked": [parked("705", "Ada Lovelace", "+44 20 7946 0001", Some("Charles"), 120, 300)],
    }))
    .unwrap();
    let before = state.log.entries.len();
    update(
        &mut state,
        Msg::Conn(ConnEvent::Snapshot {
            snapshot: fresh,
            new_epoch: true,
        }),
    );
    let lines = new_lines(&state, before);
    assert_eq!(
        lines[0],
        "Engine restarted (new epoch): fresh snapshot loaded"
    );
    let mut gone: Vec<&str> = lines[1..].iter().map(String::as_str).collect();
    gone.sort();
    assert_eq!(
        gone,
        [
            "707 gone after the engine restart: Edsger Dijkstra (+31 20 555 0199)",
            "709 gone after the engine restart: Alan Turing (+44 1223 555 0107)",
            "712 gone after the engine restart: Grace Hopper (+1 202 555 0143)",
        ]
    );
}

#[test]
fn the_monitor_has_no_desk_pane_to_focus() {
    let mut state = busy_state(Mode::Monitor, (120, 40));
    press(&mut state, [key(KeyCode::Char('2')).alt()]);
    assert_eq!(state.focus, Pane::Parked);
    assert!(state.status.as_ref().is_some_and(|s| s.error));
}

/// Alt with a key.
trait Alt {
    fn alt(self) -> Msg;
}

impl Alt for Msg {
    fn alt(self) -> Msg {
        match self {
            Msg::Key(mut k) => {
                k.modifiers |= crossterm::event::KeyModifiers::ALT;
                Msg::Key(k)
            }
            other => other,
        }
    }
}

#[test]
fn an_engine_never_reached_reads_as_cannot_reach_with_no_last_state_to_grey() {
    let mut state = State::new(
        Mode::Console,
        parkdesk::console::keymap::KeyMap::builtin("desk").unwrap(),
        0.75,
        "k".into(),
        at(NOW),
    );
    state.size = (80, 24);
    update(
        &mut state,
        Msg::Conn(ConnEvent::Lost {
            reason: "could not connect to ws://127.0.0.1:7370/v1".into(),
            attempt: 1,
            retry_in: 1,
        }),
    );
    assert_eq!(
        log_lines(&state),
        ["Cannot reach the engine: could not connect to ws://127.0.0.1:7370/v1"]
    );
    let text = screen(&state, ColorMode::NoColor);
    assert!(text.contains("nothing received yet"), "{text}");
    assert!(text.contains("Desk (0)"), "no line before hello:\n{text}");
    assert!(!text.contains("last state"), "{text}");
}

#[test]
fn a_planned_restart_is_logged_as_one_that_keeps_the_calls_up() {
    let mut state = busy_state(Mode::Console, (80, 24));
    let before = state.log.entries.len();
    engine_event(&mut state, "engine.restarting", 50, json!({}));
    assert_eq!(
        new_lines(&state, before),
        ["engine restarting: calls stay up; reconnecting"]
    );
}
