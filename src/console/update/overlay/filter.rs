//! The `/` board filter: the board follows each key typed; Enter keeps it, Esc clears it.

use super::{Step, edit};
use crate::console::state::State;
use crate::console::update::Effect;
use crossterm::event::{KeyCode, KeyEvent};

/// A key in the filter: the board's new filter is its deed.
pub(in crate::console::update) fn on_key(mut text: String, key: &KeyEvent) -> Step<String, String> {
    match key.code {
        KeyCode::Enter => Step::Close,
        KeyCode::Esc => Step::Then(String::new()),
        _ if edit(&mut text, key, |_| true) => {
            let filter = text.clone();
            Step::StayAnd(text, filter)
        }
        _ => Step::Stay(text),
    }
}

/// Filters the board.
pub(in crate::console::update) fn act(state: &mut State, filter: String) -> Vec<Effect> {
    state.filter = filter;
    Vec::new()
}
