//! The key help (`?`): scrolls, and closes on Esc, close or help again.

use super::Step;
use crate::console::action::Action;
use crate::console::keymap::KeyMap;
use crossterm::event::{KeyCode, KeyEvent};
use std::convert::Infallible;

/// A key in the help, scrolled by `scroll` lines.
pub(in crate::console::update) fn on_key(
    scroll: usize,
    key: &KeyEvent,
    keys: &KeyMap,
) -> Step<usize, Infallible> {
    let bound = keys.lookup(key).map(|b| b.action);
    match (key.code, bound) {
        (_, Some(Action::Quit)) => Step::Quit,
        (_, Some(Action::Close | Action::Help)) | (KeyCode::Esc, _) => Step::Close,
        (_, Some(Action::Down)) | (KeyCode::Down, _) => Step::Stay(scroll + 1),
        (_, Some(Action::Up)) | (KeyCode::Up, _) => Step::Stay(scroll.saturating_sub(1)),
        (_, Some(Action::PageDown)) | (KeyCode::PageDown, _) => Step::Stay(scroll + 10),
        (_, Some(Action::PageUp)) | (KeyCode::PageUp, _) => Step::Stay(scroll.saturating_sub(10)),
        _ => Step::Stay(scroll),
    }
}
