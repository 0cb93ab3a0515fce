//! The update function (the Elm "update"): every input — a key, the mouse, a resize, a
//! clock tick, something from the engine — arrives as a [`Msg`]; keys go through the key
//! map to an [`Action`]; `update` changes the [`State`] and returns the [`Effect`]s for the
//! driver to perform (requests to send, quitting). It does no I/O and reads no clock.
//!
//! One job a file: `keys` routes a key to the open overlay or the key map; each overlay
//! under `overlay/` owns its keys (help, history, numbers admin, confirm, palette, filter,
//! find, jump, park form); `actions` does what an [`Action`] says, `navigation` moves focus
//! and selections (keys and mouse); [`requests`] builds every request; `replies` reads each
//! reply by the [`Pending`] kind stored with its ticket; `conn` follows the connection and
//! the engine's events.

mod actions;
mod conn;
mod keys;
mod navigation;
mod overlay;
mod replies;
pub mod requests;

use super::action::Action;
use super::state::{State, StatusMessage};
use crate::protocol::Timestamp;
use crossterm::event::{KeyEvent, MouseEvent};
use serde_json::Value;

pub use actions::EXTEND_SECONDS;
pub use conn::ConnEvent;
pub use navigation::move_selection;
pub use replies::{Refusal, refusal_words};
pub use requests::{InFlight, Pending, Request};

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
        Msg::Key(key) => keys::on_key(state, key),
        Msg::Mouse(mouse) => {
            navigation::on_mouse(state, mouse);
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
            conn::on_conn(state, event);
            Vec::new()
        }
        Msg::Shutdown => vec![Effect::Quit],
    }
}

/// Applies an action directly (as a key bound to it would).
pub fn apply_action(state: &mut State, action: Action) -> Vec<Effect> {
    state.dirty = true;
    actions::on_action(state, action, None)
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

/// Says `text` in the status line.
fn info(state: &mut State, text: impl Into<String>) {
    state.status = Some(StatusMessage {
        text: text.into(),
        error: false,
        at: state.now,
    });
}

/// Says `text` in the status line, as an error.
fn error(state: &mut State, text: impl Into<String>) {
    state.status = Some(StatusMessage {
        text: text.into(),
        error: true,
        at: state.now,
    });
}

/// Queues a request; mutating ones carry an idempotency key unique to this console run.
fn send(state: &mut State, request: Request) -> Effect {
    let ticket = state.next_ticket;
    state.next_ticket += 1;
    let key = request
        .mutating()
        .then(|| format!("{}-{ticket}", state.key_prefix));
    info(state, format!("{}…", request.label));
    state.pending.insert(
        ticket,
        InFlight {
            pending: request.pending,
            label: request.label,
        },
    );
    Effect::Send(OutRequest {
        ticket,
        op: request.op.name().as_str().to_string(),
        args: request.op.args(),
        key,
    })
}

/// Queues requests, in order.
fn send_all(state: &mut State, requests: Vec<Request>) -> Vec<Effect> {
    requests.into_iter().map(|r| send(state, r)).collect()
}
