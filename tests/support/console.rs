//! Shared fixtures for the console tests: a scripted engine session at a fixed `now`
//! (2026-11-21 10:00:00 UTC), a screen renderer for snapshots, and key helpers.

#![allow(dead_code, clippy::unwrap_used)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use parkdesk::console::keymap::KeyMap;
use parkdesk::console::state::{Mode, State};
use parkdesk::console::theme::{ColorMode, Theme};
use parkdesk::console::update::{ConnEvent, Effect, Msg, update};
use parkdesk::console::view;
use parkdesk::protocol::{EventFrame, HelloOk, Snapshot, Timestamp};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::{Color, Modifier, Style};
use serde_json::{Value, json};

/// The fixed engine time of the fixtures.
pub const NOW: &str = "2026-11-21T10:00:00.000Z";

pub fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

/// `NOW` plus `seconds`.
pub fn now_plus(seconds: i64) -> Timestamp {
    Timestamp::from_unix_millis(at(NOW).unix_millis() + seconds * 1000)
}

pub fn hello(user: &str, roles: &[&str], epoch: &str) -> HelloOk {
    serde_json::from_value(json!({
        "user": user, "roles": roles, "engine": "parkdesk 0.1.0", "protocol": 1,
        "epoch": epoch, "now": NOW,
    }))
    .unwrap()
}

pub fn call(id: &str, name: &str, number: &str, state: &str, started_ago: i64) -> Value {
    json!({
        "call": id, "from": {"number": number, "name": name}, "to": "reception",
        "line": "reception", "direction": "inbound", "state": state,
        "started_at": now_plus(-started_ago).to_rfc3339(),
        "answered_at": if state == "ringing" { Value::Null } else { json!(now_plus(-started_ago + 5).to_rfc3339()) },
    })
}

/// A parked call parked `ago` seconds before NOW with a `timeout`-second park.
pub fn parked(
    code: &str,
    name: &str,
    number: &str,
    for_note: Option<&str>,
    ago: i64,
    timeout: i64,
) -> Value {
    json!({
        "code": code, "spoken": code.chars().map(|c| c.to_string()).collect::<Vec<_>>().join(" "),
        "range": "main", "call": format!("c-{code}"),
        "caller": {"number": number, "name": name}, "parked_by": "reception", "for": for_note,
        "policy": "global", "parked_at": now_plus(-ago).to_rfc3339(),
        "expires_at": now_plus(timeout - ago).to_rfc3339(), "state": "parked",
        "ringback": 0, "ringbacks_max": 2,
    })
}

pub fn group(id: &str, number: &str, name: &str, members: &[&str], ringing: Vec<Value>) -> Value {
    json!({"group": id, "number": number, "name": name, "members": members, "pickup_by": "members", "ringing": ringing})
}

pub fn event(name: &str, seq: u64, at_offset: i64, data: Value) -> EventFrame {
    EventFrame {
        event: name.into(),
        seq,
        at: now_plus(at_offset),
        data,
    }
}

/// The snapshot of a busy morning at the reception desk.
pub fn busy_snapshot() -> Snapshot {
    let mut ringing_back = parked(
        "712",
        "Grace Hopper",
        "+1 202 555 0143",
        Some("Alan"),
        330,
        300,
    );
    ringing_back["state"] = json!("ringing_back");
    ringing_back["ringback"] = json!(1);
    ringing_back["expires_at"] = json!(now_plus(12).to_rfc3339());
    let mut retrieving = parked("707", "Edsger Dijkstra", "+31 20 555 0199", None, 40, 300);
    retrieving["state"] = json!("retrieving");
    let mut ringing_sales = call("c-31", "Barbara Liskov", "+1 617 555 0120", "ringing", 23);
    ringing_sales["to"] = json!("bob");
    ringing_sales["line"] = json!("bob");
    let recent = vec![
        json!({"event": "park.started", "seq": 40, "at": now_plus(-120).to_rfc3339(),
               "data": parked("705", "Ada Lovelace", "+44 20 7946 0001", Some("Charles"), 120, 300)}),
        json!({"event": "park.ended", "seq": 41, "at": now_plus(-60).to_rfc3339(),
               "data": {"code": "703", "caller": {"number": "+49 30 555 0100", "name": "Konrad Zuse"}, "outcome": "retrieved", "by": "charles"}}),
    ];
    serde_json::from_value(json!({
        "calls": [
            call("c-21", "Margaret Hamilton", "+1 617 555 0101", "ringing", 8),
            call("c-22", "Linus Torvalds", "+358 9 555 0102", "connected", 95),
            call("c-23", "", "+44 161 555 0103", "held", 300),
            ringing_sales.clone(),
        ],
        "parked": [
            parked("705", "Ada Lovelace", "+44 20 7946 0001", Some("Charles"), 120, 300),
            parked("709", "Alan Turing", "+44 1223 555 0107", Some("Sales desk"), 250, 300),
            ringing_back,
            retrieving,
        ],
        "pickup_groups": [
            group("sales", "880", "Sales", &["bob", "carol", "dave", "erin"], vec![ringing_sales]),
            group("support", "881", "Support", &["frank", "grace"], vec![]),
        ],
        "announcements": [],
        "recent": recent,
    }))
    .unwrap()
}

/// A console state after `hello` and the busy snapshot, focused on the parked board.
pub fn busy_state(mode: Mode, size: (u16, u16)) -> State {
    let mut state = State::new(
        mode,
        KeyMap::builtin("desk").unwrap(),
        0.75,
        "k".into(),
        at(NOW),
    );
    state.size = size;
    let roles: &[&str] = if mode == Mode::Monitor {
        &["monitor"]
    } else {
        &["receptionist"]
    };
    let user = if mode == Mode::Monitor {
        "wallboard"
    } else {
        "reception"
    };
    update(
        &mut state,
        Msg::Conn(ConnEvent::Connected {
            hello: hello(user, roles, "e1"),
        }),
    );
    update(
        &mut state,
        Msg::Conn(ConnEvent::Snapshot {
            snapshot: busy_snapshot(),
            new_epoch: false,
        }),
    );
    update(&mut state, Msg::Tick(at(NOW)));
    state
}

pub fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub fn ch(c: char) -> Msg {
    key(KeyCode::Char(c))
}

pub fn press(state: &mut State, msgs: impl IntoIterator<Item = Msg>) -> Vec<Effect> {
    msgs.into_iter().flat_map(|m| update(state, m)).collect()
}

pub fn type_text(state: &mut State, text: &str) -> Vec<Effect> {
    press(state, text.chars().map(ch).collect::<Vec<_>>())
}

/// The requests among `effects`, as (op, args, key).
pub fn sent(effects: &[Effect]) -> Vec<(String, Value, Option<String>)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send(r) => Some((r.op.clone(), r.args.clone(), r.key.clone())),
            Effect::Quit => None,
        })
        .collect()
}

fn color_name(c: Color) -> String {
    match c {
        Color::Rgb(r, g, b) => format!("#{r:02x}{g:02x}{b:02x}"),
        other => format!("{other:?}").to_lowercase(),
    }
}

fn style_name(style: Style) -> String {
    let mut parts = Vec::new();
    if let Some(fg) = style.fg.filter(|c| *c != Color::Reset) {
        parts.push(format!("fg={}", color_name(fg)));
    }
    if let Some(bg) = style.bg.filter(|c| *c != Color::Reset) {
        parts.push(format!("bg={}", color_name(bg)));
    }
    for (m, name) in [
        (Modifier::BOLD, "bold"),
        (Modifier::DIM, "dim"),
        (Modifier::REVERSED, "reversed"),
        (Modifier::ITALIC, "italic"),
        (Modifier::UNDERLINED, "underlined"),
    ] {
        if style.add_modifier.contains(m) {
            parts.push(name.to_string());
        }
    }
    parts.join(" ")
}

/// Draws `state` at `size` with the default theme in `mode`, and writes the screen as text
/// followed by the styled runs of each row (so colour and no-colour snapshots differ
/// exactly where styling does).
pub fn screen(state: &State, mode: ColorMode) -> String {
    let theme = Theme::builtin("default", mode).unwrap();
    let (w, h) = state.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| view::draw(f, state, &theme)).unwrap();
    let buf = terminal.backend().buffer().clone();
    let mut text = String::new();
    let mut styles = String::new();
    for y in 0..h {
        let mut line = String::new();
        let mut runs: Vec<(u16, u16, String)> = Vec::new();
        for x in 0..w {
            let cell = &buf[(x, y)];
            line.push_str(cell.symbol());
            let name = style_name(cell.style());
            match runs.last_mut() {
                Some((_, end, last)) if *last == name && *end + 1 == x => *end = x,
                _ => runs.push((x, x, name)),
            }
        }
        text.push_str(line.trim_end());
        text.push('\n');
        let runs: Vec<String> = runs
            .into_iter()
            .filter(|(_, _, n)| !n.is_empty())
            .map(|(a, b, n)| format!("{a}-{b} {n}"))
            .collect();
        if !runs.is_empty() {
            styles.push_str(&format!("{y:>2}: {}\n", runs.join(" | ")));
        }
    }
    format!("{text}--- styles ---\n{styles}")
}
