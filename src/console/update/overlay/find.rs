//! The directory query being typed; Enter searches.

use super::{Step, edit};
use crate::console::state::State;
use crate::console::update::{Effect, actions};
use crossterm::event::{KeyCode, KeyEvent};

/// A key in the query: the query to search for is its deed.
pub(in crate::console::update) fn on_key(mut text: String, key: &KeyEvent) -> Step<String, String> {
    match key.code {
        KeyCode::Enter => Step::Then(text),
        KeyCode::Esc => Step::Close,
        _ => {
            edit(&mut text, key, |_| true);
            Step::Stay(text)
        }
    }
}

/// Searches the directory.
pub(in crate::console::update) fn act(state: &mut State, query: String) -> Vec<Effect> {
    actions::find(state, &query)
}
