//! The update function (the Elm "update"): every input — a key, the mouse, a resize, a
//! clock tick, something from the engine — arrives as a [`Msg`]; keys go through the key
//! map to an [`Action`]; `update` changes the [`State`] and returns the [`Effect`]s for the
//! driver to perform (requests to send, quitting). It does no I/O and reads no clock.

use super::action::Action;
use super::activity::{LogContext, LogKind, describe};
use super::board::Board;
use super::clock::format_clock;
use super::history::{HISTORY_LIMIT, HistoryView};
use super::numbers_admin::{AdminOutcome, AdminRequest, AdminView};
use super::palette::{self, PaletteCommand, is_code};
use super::state::{
    Confirm, ConnState, DirectoryEntry, Overlay, Pane, ParkField, ParkForm, Pending, Session,
    State, StatusMessage,
};
use super::view::layout::{PaneAreas, areas};
use crate::protocol::{ErrorCode, EventFrame, HelloOk, Snapshot, Timestamp};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent, MouseEventKind};
use serde_json::{Value, json};

/// Seconds `extend` adds per press.
pub const EXTEND_SECONDS: u32 = 60;

/// Seconds an info message stays in the status line; errors stay twice as long.
const STATUS_SECONDS: i64 = 8;

/// An input to the console.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// A key press.
    Key(KeyEvent),
    /// A mouse event.
    Mouse(MouseEvent),
    /// The terminal's new size.
    Resize(u16, u16),
    /// The engine's time now (from the engine clock; once a second).
    Tick(Timestamp),
    /// Something from the connection task.
    Conn(ConnEvent),
    /// A signal asked us to stop.
    Shutdown,
}

/// Why the engine (or the connection) refused a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The engine's code; `None` when the request never reached it.
    pub code: Option<ErrorCode>,
    /// The message.
    pub message: String,
}

/// What the connection task reports.
#[derive(Debug, Clone, PartialEq)]
pub enum ConnEvent {
    /// Trying to connect.
    Connecting {
        /// Attempt number.
        attempt: u32,
    },
    /// `hello` answered.
    Connected {
        /// The answer.
        hello: HelloOk,
    },
    /// Subscribed with a fresh snapshot.
    Snapshot {
        /// The state now.
        snapshot: Snapshot,
        /// The engine restarted since our last connection.
        new_epoch: bool,
    },
    /// Subscribed, resuming: `replayed` missed events follow.
    Resumed {
        /// How many.
        replayed: u64,
    },
    /// An event.
    Event(EventFrame),
    /// A reply to a request.
    Reply {
        /// The request's ticket.
        ticket: u64,
        /// Its result.
        result: Result<Value, Refusal>,
    },
    /// The connection was lost; the task retries after `retry_in` seconds.
    Lost {
        /// Why.
        reason: String,
        /// Attempts so far.
        attempt: u32,
        /// Seconds to the next attempt.
        retry_in: u64,
    },
    /// The engine refused us for good (bad token, protocol).
    Fatal {
        /// Why.
        message: String,
    },
}

/// A request for the connection task.
#[derive(Debug, Clone, PartialEq)]
pub struct OutRequest {
    /// Echoed in the [`ConnEvent::Reply`].
    pub ticket: u64,
    /// The op.
    pub op: String,
    /// Its arguments.
    pub args: Value,
    /// The idempotency key (mutating ops).
    pub key: Option<String>,
}

/// What the driver must do after an update.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Send a request.
    Send(OutRequest),
    /// Quit now.
    Quit,
}

/// Applies `msg` to `state`; returns what the driver must do.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    state.dirty = true;
    match msg {
        Msg::Key(key) => on_key(state, key),
        Msg::Mouse(mouse) => {
            on_mouse(state, mouse);
            Vec::new()
        }
        Msg::Resize(w, h) => {
            state.size = (w, h);
            Vec::new()
        }
        Msg::Tick(now) => {
            on_tick(state, now);
            Vec::new()
        }
        Msg::Conn(event) => {
            on_conn(state, event);
            Vec::new()
        }
        Msg::Shutdown => vec![Effect::Quit],
    }
}

/// Applies an action directly (as a key bound to it would).
pub fn apply_action(state: &mut State, action: Action) -> Vec<Effect> {
    state.dirty = true;
    on_action(state, action, None)
}

fn on_tick(state: &mut State, now: Timestamp) {
    state.now = now;
    if let Some(status) = &state.status {
        let ttl = if status.error {
            STATUS_SECONDS * 2
        } else {
            STATUS_SECONDS
        };
        if now.unix_millis() - status.at.unix_millis() > ttl * 1000 {
            state.status = None;
        }
    }
}

fn info(state: &mut State, text: impl Into<String>) {
    state.status = Some(StatusMessage {
        text: text.into(),
        error: false,
        at: state.now,
    });
}

fn error(state: &mut State, text: impl Into<String>) {
    state.status = Some(StatusMessage {
        text: text.into(),
        error: true,
        at: state.now,
    });
}

// ---------------------------------------------------------------- keys

fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    if key.kind == KeyEventKind::Release {
        return Vec::new();
    }
    let ctrl_c = key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl_c {
        return vec![Effect::Quit];
    }
    if let Some(overlay) = state.overlay.take() {
        return on_overlay_key(state, overlay, key);
    }
    match state.keys.lookup(&key) {
        Some(bound) => on_action(state, bound.action, bound.digit),
        None => Vec::new(),
    }
}

/// Text typed into an input: returns the edited text, or `None` when the key is not editing.
fn edit(text: &mut String, key: &KeyEvent, accept: impl Fn(char) -> bool) -> bool {
    match key.code {
        KeyCode::Char(c)
            if !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
                && accept(c) =>
        {
            if text.chars().count() < 200 {
                text.push(c);
            }
            true
        }
        KeyCode::Backspace => {
            text.pop();
            true
        }
        _ => false,
    }
}

fn is_close(state: &State, key: &KeyEvent) -> bool {
    key.code == KeyCode::Esc
        || state
            .keys
            .lookup(key)
            .is_some_and(|b| b.action == Action::Close)
}

fn on_overlay_key(state: &mut State, overlay: Overlay, key: KeyEvent) -> Vec<Effect> {
    match overlay {
        Overlay::Help(scroll) => {
            let bound = state.keys.lookup(&key).map(|b| b.action);
            match (key.code, bound) {
                (_, Some(Action::Quit)) => return vec![Effect::Quit],
                (_, Some(Action::Close | Action::Help)) | (KeyCode::Esc, _) => {}
                (_, Some(Action::Down)) | (KeyCode::Down, _) => {
                    state.overlay = Some(Overlay::Help(scroll + 1))
                }
                (_, Some(Action::Up)) | (KeyCode::Up, _) => {
                    state.overlay = Some(Overlay::Help(scroll.saturating_sub(1)))
                }
                (_, Some(Action::PageDown)) | (KeyCode::PageDown, _) => {
                    state.overlay = Some(Overlay::Help(scroll + 10))
                }
                (_, Some(Action::PageUp)) | (KeyCode::PageUp, _) => {
                    state.overlay = Some(Overlay::Help(scroll.saturating_sub(10)))
                }
                _ => state.overlay = Some(Overlay::Help(scroll)),
            }
            Vec::new()
        }
        Overlay::History(mut view) => {
            let bound = state.keys.lookup(&key).map(|b| b.action);
            let rows = view.rows.len();
            match (key.code, bound) {
                (_, Some(Action::Quit)) => return vec![Effect::Quit],
                (_, Some(Action::Close | Action::History)) | (KeyCode::Esc, _) => {
                    return Vec::new();
                }
                (_, Some(Action::Down)) | (KeyCode::Down, _) => view.scroll += 1,
                (_, Some(Action::Up)) | (KeyCode::Up, _) => {
                    view.scroll = view.scroll.saturating_sub(1)
                }
                (_, Some(Action::PageDown)) | (KeyCode::PageDown, _) => view.scroll += 10,
                (_, Some(Action::PageUp)) | (KeyCode::PageUp, _) => {
                    view.scroll = view.scroll.saturating_sub(10)
                }
                (_, Some(Action::Top)) | (KeyCode::Home, _) => view.scroll = 0,
                (_, Some(Action::Bottom)) | (KeyCode::End, _) => view.scroll = rows,
                _ => {}
            }
            view.scroll = view.scroll.min(rows.saturating_sub(1));
            state.overlay = Some(Overlay::History(view));
            Vec::new()
        }
        Overlay::Numbers(mut view) => {
            if state.keys.lookup(&key).map(|b| b.action) == Some(Action::Quit)
                && view.prompt.is_none()
            {
                return vec![Effect::Quit];
            }
            match view.on_key(&key) {
                AdminOutcome::Close => Vec::new(),
                AdminOutcome::Stay => {
                    state.overlay = Some(Overlay::Numbers(view));
                    Vec::new()
                }
                AdminOutcome::Send(requests) => {
                    state.overlay = Some(Overlay::Numbers(view));
                    send_admin(state, requests)
                }
            }
        }
        Overlay::Confirm(confirm) => match key.code {
            KeyCode::Char('y' | 'Y') | KeyCode::Enter => {
                vec![send(state, &confirm.op, confirm.args, &confirm.label, true)]
            }
            KeyCode::Char('n' | 'N') | KeyCode::Esc => {
                info(state, "Cancelled");
                Vec::new()
            }
            _ if is_close(state, &key) => Vec::new(),
            _ => {
                state.overlay = Some(Overlay::Confirm(confirm));
                Vec::new()
            }
        },
        Overlay::Palette(mut text) => match key.code {
            KeyCode::Enter => run_palette(state, &text),
            _ if key.code == KeyCode::Esc => Vec::new(),
            _ => {
                // Any other key (arrows, function keys) leaves the palette open as it was.
                edit(&mut text, &key, |_| true);
                state.overlay = Some(Overlay::Palette(text));
                Vec::new()
            }
        },
        Overlay::Filter(mut text) => {
            match key.code {
                KeyCode::Enter => {}
                KeyCode::Esc => state.filter.clear(),
                _ => {
                    if edit(&mut text, &key, |_| true) {
                        state.filter = text.clone();
                    }
                    state.overlay = Some(Overlay::Filter(text));
                }
            }
            Vec::new()
        }
        Overlay::Find(mut text) => match key.code {
            KeyCode::Enter => find(state, &text),
            KeyCode::Esc => Vec::new(),
            _ => {
                edit(&mut text, &key, |_| true);
                state.overlay = Some(Overlay::Find(text));
                Vec::new()
            }
        },
        Overlay::Jump(mut text) => match key.code {
            KeyCode::Enter | KeyCode::Esc => Vec::new(),
            KeyCode::Backspace => {
                text.pop();
                jump_to(state, &text);
                state.overlay = Some(Overlay::Jump(text));
                Vec::new()
            }
            KeyCode::Char(c)
                if (c.is_ascii_digit() || c == '*' || c == '#') && key.modifiers.is_empty() =>
            {
                text.push(c);
                jump_to(state, &text);
                state.overlay = Some(Overlay::Jump(text));
                Vec::new()
            }
            // Any other key ends the jump and does its own job.
            _ => on_key(state, key),
        },
        Overlay::Park(mut form) => {
            match key.code {
                KeyCode::Esc => return Vec::new(),
                KeyCode::Enter => return submit_park(state, form),
                KeyCode::Tab | KeyCode::Down => form.field = next_field(form.field, true),
                KeyCode::BackTab | KeyCode::Up => form.field = next_field(form.field, false),
                KeyCode::Char(' ') if form.field == ParkField::Announce => {
                    form.announce = !form.announce
                }
                _ => match form.field {
                    ParkField::Code => {
                        edit(&mut form.code, &key, |c| {
                            c.is_ascii_digit() || c == '*' || c == '#'
                        });
                    }
                    ParkField::For => {
                        edit(&mut form.for_note, &key, |_| true);
                    }
                    ParkField::Announce => {}
                },
            }
            state.overlay = Some(Overlay::Park(form));
            Vec::new()
        }
    }
}

fn next_field(field: ParkField, forward: bool) -> ParkField {
    match (field, forward) {
        (ParkField::Code, true) | (ParkField::Announce, false) => ParkField::For,
        (ParkField::For, true) | (ParkField::Code, false) => ParkField::Announce,
        (ParkField::Announce, true) | (ParkField::For, false) => ParkField::Code,
    }
}

fn jump_to(state: &mut State, prefix: &str) {
    state.focus = Pane::Parked;
    state.call_pane = Pane::Parked;
    if prefix.is_empty() {
        return;
    }
    let mut codes: Vec<&String> = state
        .board
        .parked
        .keys()
        .filter(|c| c.starts_with(prefix))
        .collect();
    codes.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    match codes.first() {
        Some(code) => {
            let code = (*code).clone();
            if !state.parked_rows().iter().any(|e| e.parked.code == code) {
                state.filter.clear();
            }
            state.selected.parked = Some(code);
            state.status = None;
        }
        None => error(state, format!("No parked call on a code starting {prefix}")),
    }
}

// ---------------------------------------------------------------- actions

fn on_action(state: &mut State, action: Action, digit: Option<char>) -> Vec<Effect> {
    if action.info().mutating && state.read_only() {
        error(state, "Read-only monitor: nothing here changes the board");
        return Vec::new();
    }
    match action {
        Action::Quit => return vec![Effect::Quit],
        Action::Help => state.overlay = Some(Overlay::Help(0)),
        Action::Close => {
            state.status = None;
            state.filter.clear();
        }
        Action::NextPane | Action::PrevPane => {
            let forward = action == Action::NextPane;
            let mut next = state.focus.step(forward);
            // A monitor has no desk pane.
            if state.read_only() && next == Pane::Desk {
                next = next.step(forward);
            }
            focus(state, next)
        }
        Action::FocusParked => focus(state, Pane::Parked),
        // A monitor has no line of its own, so no desk pane to go to.
        Action::FocusDesk if state.read_only() => error(
            state,
            "The monitor has no desk pane: it has no line of its own",
        ),
        Action::FocusDesk => focus(state, Pane::Desk),
        Action::FocusGroups => focus(state, Pane::Groups),
        Action::FocusDirectory => focus(state, Pane::Directory),
        Action::FocusLog => focus(state, Pane::Log),
        Action::Up => move_selection(state, state.focus, -1),
        Action::Down => move_selection(state, state.focus, 1),
        Action::PageUp => {
            let page = page_size(state, state.focus);
            move_selection(state, state.focus, -page)
        }
        Action::PageDown => {
            let page = page_size(state, state.focus);
            move_selection(state, state.focus, page)
        }
        Action::Top => move_selection(state, state.focus, -1_000_000),
        Action::Bottom => move_selection(state, state.focus, 1_000_000),
        Action::Activate => {
            let next = match state.focus {
                Pane::Desk => Action::Park,
                Pane::Parked => Action::Retrieve,
                Pane::Groups => Action::Pickup,
                Pane::Directory => Action::Transfer,
                Pane::Log => return Vec::new(),
            };
            return on_action(state, next, None);
        }
        Action::Park => open_park_form(state),
        Action::ParkNext => {
            let Some(call) = state.selected_desk().map(|c| c.call.0.clone()) else {
                error(
                    state,
                    "No desk call to park: calls at your line show in the Desk pane",
                );
                return Vec::new();
            };
            return vec![send(state, "park", json!({"call": call}), "Park", true)];
        }
        Action::Retrieve => {
            let Some(code) = selected_code(state) else {
                return Vec::new();
            };
            return vec![send(
                state,
                "retrieve",
                json!({"code": code}),
                &format!("Retrieve {code}"),
                true,
            )];
        }
        Action::Announce => {
            let Some(code) = selected_code(state) else {
                return Vec::new();
            };
            return vec![send(
                state,
                "announce",
                json!({"code": code}),
                &format!("Announce {code}"),
                true,
            )];
        }
        Action::Extend => {
            let Some(code) = selected_code(state) else {
                return Vec::new();
            };
            let args = json!({"code": code, "seconds": EXTEND_SECONDS});
            return vec![send(state, "extend", args, &format!("Extend {code}"), true)];
        }
        Action::Pickup => return pickup_selected(state),
        Action::Transfer => return transfer_selected(state),
        Action::Hangup => confirm_hangup(state),
        Action::Filter => state.overlay = Some(Overlay::Filter(state.filter.clone())),
        Action::Palette => state.overlay = Some(Overlay::Palette(String::new())),
        Action::Find => {
            state.focus = Pane::Directory;
            state.overlay = Some(Overlay::Find(String::new()));
        }
        Action::Sort => {
            state.sort = state.sort.next();
            info(
                state,
                format!("Parked calls sorted by {}", state.sort.label()),
            );
        }
        Action::Jump => {
            let text = digit.map(String::from).unwrap_or_default();
            jump_to(state, &text);
            state.overlay = Some(Overlay::Jump(text));
        }
        Action::History => return open_history(state),
    }
    Vec::new()
}

fn focus(state: &mut State, pane: Pane) {
    state.focus = pane;
    if matches!(pane, Pane::Desk | Pane::Parked) {
        state.call_pane = pane;
    }
}

fn page_size(state: &State, pane: Pane) -> isize {
    let areas = areas(state);
    areas
        .pane(pane)
        .map(|r| {
            isize::try_from(r.height.saturating_sub(3))
                .unwrap_or(1)
                .max(1)
        })
        .unwrap_or(10)
}

fn step(index: Option<usize>, len: usize, delta: isize) -> Option<usize> {
    if len == 0 {
        return None;
    }
    let current = index.unwrap_or(0) as isize;
    Some((current + delta).clamp(0, len as isize - 1) as usize)
}

/// Moves `pane`'s selection by `delta` rows (clamped).
pub fn move_selection(state: &mut State, pane: Pane, delta: isize) {
    let index = state.selected_index(pane);
    match pane {
        Pane::Parked => {
            let rows = state.parked_rows();
            let code = step(index, rows.len(), delta)
                .and_then(|i| rows.get(i))
                .map(|e| e.parked.code.clone());
            if code.is_some() {
                state.selected.parked = code;
            }
        }
        Pane::Desk => {
            let rows = state.desk_rows();
            let id = step(index, rows.len(), delta)
                .and_then(|i| rows.get(i))
                .map(|c| c.call.0.clone());
            if id.is_some() {
                state.selected.desk = id;
            }
        }
        Pane::Groups => {
            let rows = state.group_rows();
            let sel = step(index, rows.len(), delta)
                .and_then(|i| rows.get(i))
                .map(|r| (r.group.group.clone(), r.call.map(|c| c.call.0.clone())));
            if sel.is_some() {
                state.selected.group = sel;
            }
        }
        Pane::Directory => {
            if let Some(i) = step(index, state.directory.len(), delta) {
                state.selected.directory = i;
            }
        }
        Pane::Log => {
            let len = state.log.entries.len();
            let back = state.selected.log_back as isize - delta;
            state.selected.log_back = back.clamp(0, len.saturating_sub(1) as isize) as usize;
        }
    }
}

fn selected_code(state: &mut State) -> Option<String> {
    match state.selected_parked() {
        Some(e) => Some(e.parked.code.clone()),
        None => {
            error(state, "No parked call selected");
            None
        }
    }
}

fn open_park_form(state: &mut State) {
    match state.selected_desk() {
        Some(call) => {
            let caller = if call.from.name.is_empty() {
                call.from.number.clone()
            } else {
                format!("{} ({})", call.from.name, call.from.number)
            };
            let form = ParkForm {
                call: call.call.0.clone(),
                caller,
                code: String::new(),
                for_note: String::new(),
                announce: false,
                field: ParkField::Code,
            };
            state.overlay = Some(Overlay::Park(form));
        }
        None => error(
            state,
            "No desk call to park: calls at your line show in the Desk pane",
        ),
    }
}

fn park_args(call: &str, code: Option<&str>, for_note: Option<&str>, announce: bool) -> Value {
    let mut args = json!({"call": call});
    if let Some(code) = code {
        args["code"] = json!(code);
    }
    if let Some(note) = for_note {
        args["for"] = json!(note);
    }
    if announce {
        args["announce"] = json!(true);
    }
    args
}

fn submit_park(state: &mut State, form: ParkForm) -> Vec<Effect> {
    let code = form.code.trim();
    if !code.is_empty() && !is_code(code) {
        error(state, format!("'{code}' is not a park code"));
        state.overlay = Some(Overlay::Park(form));
        return Vec::new();
    }
    let note = form.for_note.trim();
    let args = park_args(
        &form.call,
        (!code.is_empty()).then_some(code),
        (!note.is_empty()).then_some(note),
        form.announce,
    );
    let label = if code.is_empty() {
        "Park".to_string()
    } else {
        format!("Park on {code}")
    };
    vec![send(state, "park", args, &label, true)]
}

fn group_id_for(state: &State, group: &str) -> String {
    state
        .board
        .groups
        .values()
        .find(|g| g.number == group || g.group == group)
        .map(|g| g.group.clone())
        .unwrap_or_else(|| group.to_string())
}

fn pickup_selected(state: &mut State) -> Vec<Effect> {
    let Some(row) = state.selected_group() else {
        error(state, "No pickup group selected");
        return Vec::new();
    };
    let group = row.group.group.clone();
    let number = row.group.number.clone();
    let args = match row.call {
        Some(call) => json!({"group": group, "call": call.call.0}),
        None if row.group.ringing.is_empty() => {
            error(
                state,
                format!("Nothing is ringing in {number} {}", row.group.name),
            );
            return Vec::new();
        }
        None => json!({"group": group}),
    };
    vec![send(
        state,
        "pickup",
        args,
        &format!("Pickup in {number}"),
        true,
    )]
}

/// The call transfer and hang up act on: the selection of the call pane used last.
enum TargetCall {
    Desk {
        call: String,
        who: String,
    },
    Parked {
        code: String,
        call: String,
        who: String,
    },
}

fn target_call(state: &State) -> Option<TargetCall> {
    let desk = || {
        state.selected_desk().map(|c| TargetCall::Desk {
            call: c.call.0.clone(),
            who: if c.from.name.is_empty() {
                c.from.number.clone()
            } else {
                c.from.name.clone()
            },
        })
    };
    let parked = || {
        state.selected_parked().map(|e| TargetCall::Parked {
            code: e.parked.code.clone(),
            call: e.parked.call.0.clone(),
            who: if e.parked.caller.name.is_empty() {
                e.parked.caller.number.clone()
            } else {
                e.parked.caller.name.clone()
            },
        })
    };
    match state.call_pane {
        Pane::Parked => parked().or_else(desk),
        _ => desk().or_else(parked),
    }
}

fn transfer_to(state: &mut State, to: &str) -> Vec<Effect> {
    match target_call(state) {
        Some(TargetCall::Desk { call, who }) => {
            vec![send(
                state,
                "transfer",
                json!({"call": call, "to": to}),
                &format!("Transfer {who} to {to}"),
                true,
            )]
        }
        Some(TargetCall::Parked { code, who, .. }) => vec![send(
            state,
            "retrieve",
            json!({"code": code, "to": to}),
            &format!("Transfer {code} ({who}) to {to}"),
            true,
        )],
        None => {
            error(
                state,
                "No call selected to transfer: select a desk or parked call first",
            );
            Vec::new()
        }
    }
}

fn transfer_selected(state: &mut State) -> Vec<Effect> {
    let Some(person) = state.selected_person().map(|p| p.id.clone()) else {
        error(
            state,
            "Transfer: find a person first (find, then select them in the Directory)",
        );
        return Vec::new();
    };
    transfer_to(state, &person)
}

fn confirm_hangup(state: &mut State) {
    let (call, question) = match target_call(state) {
        Some(TargetCall::Desk { call, who }) => (call, format!("Hang up {who}?")),
        Some(TargetCall::Parked { code, call, who }) => {
            (call, format!("Hang up {who}, parked on {code}?"))
        }
        None => {
            error(state, "No call selected to hang up");
            return;
        }
    };
    state.overlay = Some(Overlay::Confirm(Confirm {
        question,
        op: "hangup".into(),
        args: json!({"call": call}),
        label: "Hang up".into(),
    }));
}

fn find(state: &mut State, query: &str) -> Vec<Effect> {
    let query = query.trim();
    state.focus = Pane::Directory;
    if query.is_empty() {
        error(state, "Type a name, number or group to search for");
        return Vec::new();
    }
    state.directory_query = query.to_string();
    vec![send(
        state,
        "directory.search",
        json!({"query": query}),
        &format!("Find '{query}'"),
        false,
    )]
}

fn run_palette(state: &mut State, line: &str) -> Vec<Effect> {
    let command = match palette::parse(line) {
        Ok(c) => c,
        Err(e) => {
            error(state, e.to_string());
            return Vec::new();
        }
    };
    let mutating = matches!(
        command,
        PaletteCommand::Park { .. }
            | PaletteCommand::Retrieve { .. }
            | PaletteCommand::Announce { .. }
            | PaletteCommand::Extend { .. }
            | PaletteCommand::Pickup { .. }
            | PaletteCommand::Transfer { .. }
            | PaletteCommand::Hangup
    );
    if mutating && state.read_only() {
        error(state, "Read-only monitor: nothing here changes the board");
        return Vec::new();
    }
    match command {
        PaletteCommand::Park {
            code,
            for_note,
            announce,
        } => {
            let Some(call) = state.selected_desk().map(|c| c.call.0.clone()) else {
                error(
                    state,
                    "No desk call to park: calls at your line show in the Desk pane",
                );
                return Vec::new();
            };
            let args = park_args(&call, code.as_deref(), for_note.as_deref(), announce);
            let label = code
                .map(|c| format!("Park on {c}"))
                .unwrap_or_else(|| "Park".into());
            vec![send(state, "park", args, &label, true)]
        }
        PaletteCommand::Retrieve { code, to } => {
            let mut args = json!({"code": code});
            let mut label = format!("Retrieve {code}");
            if let Some(to) = &to {
                args["to"] = json!(to);
                label.push_str(&format!(" to {to}"));
            }
            vec![send(state, "retrieve", args, &label, true)]
        }
        PaletteCommand::Announce { code, repeat } => {
            let mut args = json!({"code": code});
            if let Some(r) = repeat {
                args["repeat"] = json!(r);
            }
            vec![send(
                state,
                "announce",
                args,
                &format!("Announce {code}"),
                true,
            )]
        }
        PaletteCommand::Extend { code, seconds } => {
            let args = json!({"code": code, "seconds": seconds});
            vec![send(state, "extend", args, &format!("Extend {code}"), true)]
        }
        PaletteCommand::Pickup { group, call } => {
            let id = group_id_for(state, &group);
            let mut args = json!({"group": id});
            if let Some(call) = call {
                args["call"] = json!(call);
            }
            vec![send(
                state,
                "pickup",
                args,
                &format!("Pickup in {group}"),
                true,
            )]
        }
        PaletteCommand::Transfer { to } => transfer_to(state, &to),
        PaletteCommand::Hangup => {
            confirm_hangup(state);
            Vec::new()
        }
        PaletteCommand::Find { query } => find(state, &query),
        PaletteCommand::Sort(key) => {
            state.sort = key;
            info(state, format!("Parked calls sorted by {}", key.label()));
            Vec::new()
        }
        PaletteCommand::History => open_history(state),
        PaletteCommand::Numbers => open_numbers(state),
        PaletteCommand::Help => {
            state.overlay = Some(Overlay::Help(0));
            Vec::new()
        }
        PaletteCommand::Quit => vec![Effect::Quit],
    }
}

/// Opens the numbers admin pane (admins only) and asks for its lists.
fn open_numbers(state: &mut State) -> Vec<Effect> {
    let admin = state
        .session
        .as_ref()
        .is_some_and(|s| s.roles.iter().any(|r| r == "admin"));
    if !admin {
        error(state, "The numbers pane is for the admin role");
        return Vec::new();
    }
    state.overlay = Some(Overlay::Numbers(AdminView::opening()));
    send_admin(state, AdminView::refresh())
}

/// Sends the admin pane's requests.
fn send_admin(state: &mut State, requests: Vec<AdminRequest>) -> Vec<Effect> {
    requests
        .into_iter()
        .map(|r| send(state, &r.op, r.args, &r.label, r.mutating))
        .collect()
}

/// Opens the history overlay and asks the engine for the parks that ended lately.
fn open_history(state: &mut State) -> Vec<Effect> {
    state.overlay = Some(Overlay::History(HistoryView::loading()));
    vec![send(
        state,
        "history.list",
        json!({"limit": HISTORY_LIMIT}),
        "History",
        false,
    )]
}

/// Queues a request; mutating ones carry an idempotency key unique to this console run.
fn send(state: &mut State, op: &str, args: Value, label: &str, mutating: bool) -> Effect {
    let ticket = state.next_ticket;
    state.next_ticket += 1;
    let key = mutating.then(|| format!("{}-{ticket}", state.key_prefix));
    state.pending.insert(
        ticket,
        Pending {
            op: op.to_string(),
            label: label.to_string(),
        },
    );
    info(state, format!("{label}…"));
    Effect::Send(OutRequest {
        ticket,
        op: op.to_string(),
        args,
        key,
    })
}

// ---------------------------------------------------------------- mouse

fn pane_at(areas: &PaneAreas, column: u16, row: u16) -> Option<(Pane, ratatui::layout::Rect)> {
    areas
        .panes
        .iter()
        .find(|(_, r)| {
            column >= r.x && column < r.x + r.width && row >= r.y && row < r.y + r.height
        })
        .copied()
}

fn on_mouse(state: &mut State, mouse: MouseEvent) {
    if !state.mouse || state.overlay.is_some() {
        return;
    }
    let areas = areas(state);
    let Some((pane, rect)) = pane_at(&areas, mouse.column, mouse.row) else {
        return;
    };
    match mouse.kind {
        MouseEventKind::ScrollUp => move_selection(state, pane, -1),
        MouseEventKind::ScrollDown => move_selection(state, pane, 1),
        MouseEventKind::Down(_) => {
            focus(state, pane);
            // Border and header row come first; rows scroll to keep the selection visible.
            let first_row = rect.y + if matches!(pane, Pane::Log) { 1 } else { 2 };
            if mouse.row < first_row || pane == Pane::Log {
                return;
            }
            let visible = usize::from(rect.height.saturating_sub(3)).max(1);
            let offset = super::view::scroll_offset(state.selected_index(pane), visible);
            let target = offset + usize::from(mouse.row - first_row);
            let current = state.selected_index(pane).unwrap_or(0);
            move_selection(state, pane, target as isize - current as isize);
        }
        _ => {}
    }
}

// ---------------------------------------------------------------- engine

fn on_conn(state: &mut State, event: ConnEvent) {
    match event {
        ConnEvent::Connecting { attempt } => match &mut state.conn {
            ConnState::Offline {
                attempt: a,
                retry_in,
                ..
            } => {
                *a = attempt;
                *retry_in = 0;
            }
            _ => state.conn = ConnState::Connecting { attempt },
        },
        ConnEvent::Connected { hello } => {
            state.now = hello.now;
            state.session = Some(Session {
                user: hello.user,
                roles: hello.roles,
                engine: hello.engine,
                epoch: hello.epoch,
            });
        }
        ConnEvent::Snapshot {
            snapshot,
            new_epoch,
        } => {
            let reconnect = matches!(state.conn, ConnState::Offline { .. });
            let newest_logged = state.log.entries.iter().map(|e| e.at).max();
            let before = std::mem::replace(&mut state.board, Board::from_snapshot(&snapshot));
            let my_line = state.my_line().to_string();
            for frame in &snapshot.recent {
                if newest_logged.is_some_and(|t| frame.at <= t) {
                    continue;
                }
                let ctx = LogContext {
                    board: &state.board,
                    my_line: &my_line,
                };
                if let Some(entry) = describe(frame, &ctx) {
                    state.log.push(entry);
                }
            }
            if new_epoch {
                state.log.note(
                    state.now,
                    "Engine restarted (new epoch): fresh snapshot loaded",
                );
                note_parks_gone(state, &before);
            } else if reconnect {
                state
                    .log
                    .note(state.now, "Reconnected: fresh snapshot loaded");
            }
            state.conn = ConnState::Online;
            state.engine_stopping = false;
        }
        ConnEvent::Resumed { replayed } => {
            if matches!(state.conn, ConnState::Offline { .. }) {
                state.log.note(
                    state.now,
                    format!("Reconnected: {replayed} missed events replayed"),
                );
            }
            state.conn = ConnState::Online;
        }
        ConnEvent::Event(frame) => {
            // Described against the board as it was, so the line can name what the event
            // takes away (a call that ended, a call picked from a group).
            let entry = describe(
                &frame,
                &LogContext {
                    board: &state.board,
                    my_line: state.my_line(),
                },
            );
            if let Err(e) = state.board.apply(&frame) {
                tracing::warn!(error = %e, "event not applied");
                state.log.note(
                    frame.at,
                    format!("Unreadable {} event ignored", frame.event),
                );
            }
            if frame.event == "engine.stopping" {
                state.engine_stopping = true;
            }
            if let Some(entry) = entry {
                state.log.push(entry);
            }
        }
        ConnEvent::Reply { ticket, result } => on_reply(state, ticket, result),
        ConnEvent::Lost {
            reason,
            attempt,
            retry_in,
        } => {
            let since = match &state.conn {
                ConnState::Offline { since, .. } => *since,
                _ => {
                    let what = if state.session.is_some() {
                        "Connection lost"
                    } else {
                        "Cannot reach the engine"
                    };
                    state.log.note(state.now, format!("{what}: {reason}"));
                    state.now
                }
            };
            state.conn = ConnState::Offline {
                reason,
                attempt,
                retry_in,
                since,
            };
        }
        ConnEvent::Fatal { message } => {
            error(state, message.clone());
            state.log.note(state.now, message.clone());
            state.conn = ConnState::Failed(message);
        }
    }
}

/// After a restart, the parks the old run held and the new one does not: they died with
/// the engine (its history records how), and the board dropping them silently would read
/// as if someone had taken them.
fn note_parks_gone(state: &mut State, before: &Board) {
    let gone: Vec<String> = before
        .parked
        .values()
        .filter(|old| {
            state
                .board
                .parked
                .get(&old.parked.code)
                .is_none_or(|new| new.parked.call != old.parked.call)
        })
        .map(|old| {
            let p = &old.parked;
            let who = if p.caller.name.is_empty() {
                p.caller.number.clone()
            } else {
                format!("{} ({})", p.caller.name, p.caller.number)
            };
            format!("{} gone after the engine restart: {who}", p.code)
        })
        .collect();
    for text in gone {
        state.log.push(super::activity::LogEntry {
            at: state.now,
            kind: LogKind::Failure,
            text,
        });
    }
}

/// The words for an engine refusal code.
pub fn refusal_words(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::Unauthenticated => "not signed in",
        ErrorCode::UnsupportedProtocol => "unsupported protocol",
        ErrorCode::Forbidden => "not allowed",
        ErrorCode::BadRequest => "bad request",
        ErrorCode::UnknownOp => "unknown operation",
        ErrorCode::NotFound => "not found",
        ErrorCode::RangeFull => "range full",
        ErrorCode::CodeTaken => "code taken",
        ErrorCode::PolicyDenied => "policy denies it",
        ErrorCode::Conflict => "conflict",
        ErrorCode::RateLimited => "too many requests",
        ErrorCode::Internal => "engine error",
    }
}

fn str_field(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn due(v: &Value) -> String {
    v.get("expires_at")
        .and_then(Value::as_str)
        .and_then(|s| Timestamp::parse(s).ok())
        .map(|t| format!(", due {}", format_clock(t)))
        .unwrap_or_default()
}

fn on_reply(state: &mut State, ticket: u64, result: Result<Value, Refusal>) {
    let Some(pending) = state.pending.remove(&ticket) else {
        return;
    };
    let ok = match result {
        Ok(ok) => ok,
        Err(refusal) => {
            let text = match refusal.code {
                Some(code) => format!(
                    "{} refused — {}: {}",
                    pending.label,
                    refusal_words(code),
                    refusal.message
                ),
                None => format!("{} not done — {}", pending.label, refusal.message),
            };
            if pending.op == "history.list"
                && let Some(Overlay::History(view)) = &mut state.overlay
            {
                view.loading = false;
                view.failed = Some(text.clone());
            }
            if AdminView::is_list(&pending.op)
                && let Some(Overlay::Numbers(view)) = &mut state.overlay
            {
                view.list_failed(text.clone());
            }
            error(state, text);
            return;
        }
    };
    match pending.op.as_str() {
        "park" => {
            let code = str_field(&ok, "code");
            let spoken = str_field(&ok, "spoken");
            let spoken = if spoken.is_empty() {
                String::new()
            } else {
                format!(" ({spoken})")
            };
            info(state, format!("Parked on {code}{spoken}{}", due(&ok)));
            state.selected.parked = Some(code);
        }
        "extend" => info(state, format!("{} done{}", pending.label, due(&ok))),
        "directory.search" => {
            let users: Vec<DirectoryEntry> = ok
                .get("users")
                .and_then(Value::as_array)
                .map(|list| list.iter().filter_map(DirectoryEntry::from_value).collect())
                .unwrap_or_default();
            let n = users.len();
            state.directory = users;
            state.selected.directory = 0;
            info(state, format!("{n} found for '{}'", state.directory_query));
        }
        op if AdminView::is_list(op) => {
            if let Some(Overlay::Numbers(view)) = &mut state.overlay {
                view.loaded(op, &ok);
            }
            // A change's message stays; the lists that follow it say nothing.
            if state
                .status
                .as_ref()
                .is_some_and(|s| s.text.starts_with("Loading"))
            {
                state.status = None;
            }
        }
        "history.list" => {
            let view = HistoryView::loaded(&ok);
            let n = view.rows.len();
            if let Some(Overlay::History(open)) = &mut state.overlay {
                *open = view;
            }
            let parks = if n == 1 { "park" } else { "parks" };
            info(state, format!("History: {n} ended {parks}"));
        }
        // Both only start a ring: the log says when it is answered (or comes back).
        "retrieve" | "transfer" => {
            let whom = if pending.label.contains(" to ") {
                ""
            } else {
                " your line"
            };
            info(state, format!("{}: ringing{whom}", pending.label))
        }
        "announce" => {
            let announcement = ok.get("announcement").cloned().unwrap_or_default();
            match announcement.get("state").and_then(Value::as_str) {
                // Refused at once (no station for the zone, say): an error, with the reason.
                Some(how @ ("failed" | "dropped")) => {
                    let why = str_field(&announcement, "reason");
                    let why = if why.is_empty() {
                        String::new()
                    } else {
                        format!(": {why}")
                    };
                    error(state, format!("{} {how}{why}", pending.label))
                }
                Some("playing") => info(state, format!("{}: playing on the PA", pending.label)),
                _ => info(state, format!("{}: queued for the PA", pending.label)),
            }
        }
        _ => info(state, format!("{} done", pending.label)),
    }
}
