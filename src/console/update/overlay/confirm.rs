//! The yes/no question before a destructive request (hang up).

use super::Step;
use crate::console::action::Action;
use crate::console::keymap::KeyMap;
use crate::console::state::{Confirm, State};
use crate::console::update::{Effect, Request, info, send};
use crossterm::event::{KeyCode, KeyEvent};

/// The answer.
#[derive(Debug)]
pub(in crate::console::update) enum Answer {
    /// Yes: send the request.
    Yes(Request),
    /// No.
    No,
}

/// A key while the question is open.
pub(in crate::console::update) fn on_key(
    confirm: Confirm,
    key: &KeyEvent,
    keys: &KeyMap,
) -> Step<Confirm, Answer> {
    match key.code {
        KeyCode::Char('y' | 'Y') | KeyCode::Enter => Step::Then(Answer::Yes(confirm.request)),
        KeyCode::Char('n' | 'N') | KeyCode::Esc => Step::Then(Answer::No),
        _ if keys.lookup(key).is_some_and(|b| b.action == Action::Close) => Step::Close,
        _ => Step::Stay(confirm),
    }
}

/// Sends on yes; says so on no.
pub(in crate::console::update) fn act(state: &mut State, answer: Answer) -> Vec<Effect> {
    match answer {
        Answer::Yes(request) => vec![send(state, request)],
        Answer::No => {
            info(state, "Cancelled");
            Vec::new()
        }
    }
}
