//! Jump to a code: digits typed select the first parked call whose code starts with them.

use super::Step;
use crate::console::state::{Overlay, Pane, State};
use crate::console::update::{Effect, error, keys};
use crossterm::event::{KeyCode, KeyEvent};

/// What a key in the jump does beyond the jump itself.
#[derive(Debug)]
pub(in crate::console::update) enum Deed {
    /// Select the first code starting with these digits.
    To(String),
    /// The key ends the jump and does its own job.
    Pass(KeyEvent),
}

/// Opens the jump, with the digit that opened it, if any.
pub(in crate::console::update) fn open(state: &mut State, digit: Option<char>) {
    let text = digit.map(String::from).unwrap_or_default();
    jump_to(state, &text);
    state.overlay = Some(Overlay::Jump(text));
}

/// A key in the jump.
pub(in crate::console::update) fn on_key(mut text: String, key: &KeyEvent) -> Step<String, Deed> {
    match key.code {
        KeyCode::Enter | KeyCode::Esc => Step::Close,
        KeyCode::Backspace => {
            text.pop();
            let to = text.clone();
            Step::StayAnd(text, Deed::To(to))
        }
        KeyCode::Char(c)
            if (c.is_ascii_digit() || c == '*' || c == '#') && key.modifiers.is_empty() =>
        {
            text.push(c);
            let to = text.clone();
            Step::StayAnd(text, Deed::To(to))
        }
        _ => Step::Then(Deed::Pass(*key)),
    }
}

/// Jumps, or hands the key on.
pub(in crate::console::update) fn act(state: &mut State, deed: Deed) -> Vec<Effect> {
    match deed {
        Deed::To(prefix) => {
            jump_to(state, &prefix);
            Vec::new()
        }
        Deed::Pass(key) => keys::on_key(state, key),
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
