//! Where a key goes: Ctrl-C quits from anywhere; an open overlay takes every other key
//! (each owns its keys, see [`super::overlay`]); otherwise the key map turns it into an
//! [`Action`](super::super::action::Action).

use super::super::state::State;
use super::{Effect, actions, overlay};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// Routes a key press.
pub(super) fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    if key.kind == KeyEventKind::Release {
        return Vec::new();
    }
    let ctrl_c = key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl_c {
        return vec![Effect::Quit];
    }
    if let Some(open) = state.overlay.take() {
        return overlay::on_key(state, open, key);
    }
    match state.keys.lookup(&key) {
        Some(bound) => actions::on_action(state, bound.action, bound.digit),
        None => Vec::new(),
    }
}
