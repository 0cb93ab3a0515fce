//! The history overlay: the parks that ended lately, asked for when it opens; scrolls, and
//! closes on Esc, close or history again.

use super::Step;
use crate::console::action::Action;
use crate::console::history::{HISTORY_LIMIT, HistoryView};
use crate::console::keymap::KeyMap;
use crate::console::state::{Overlay, State};
use crate::console::update::{Effect, requests, send};
use crossterm::event::{KeyCode, KeyEvent};
use std::convert::Infallible;

/// Opens the history overlay and asks the engine for the parks that ended lately.
pub(in crate::console::update) fn open(state: &mut State) -> Vec<Effect> {
    state.overlay = Some(Overlay::History(HistoryView::loading()));
    vec![send(state, requests::history(HISTORY_LIMIT))]
}

/// A key in the history.
pub(in crate::console::update) fn on_key(
    mut view: HistoryView,
    key: &KeyEvent,
    keys: &KeyMap,
) -> Step<HistoryView, Infallible> {
    let bound = keys.lookup(key).map(|b| b.action);
    let rows = view.rows.len();
    match (key.code, bound) {
        (_, Some(Action::Quit)) => return Step::Quit,
        (_, Some(Action::Close | Action::History)) | (KeyCode::Esc, _) => return Step::Close,
        (_, Some(Action::Down)) | (KeyCode::Down, _) => view.scroll += 1,
        (_, Some(Action::Up)) | (KeyCode::Up, _) => view.scroll = view.scroll.saturating_sub(1),
        (_, Some(Action::PageDown)) | (KeyCode::PageDown, _) => view.scroll += 10,
        (_, Some(Action::PageUp)) | (KeyCode::PageUp, _) => {
            view.scroll = view.scroll.saturating_sub(10)
        }
        (_, Some(Action::Top)) | (KeyCode::Home, _) => view.scroll = 0,
        (_, Some(Action::Bottom)) | (KeyCode::End, _) => view.scroll = rows,
        _ => {}
    }
    view.scroll = view.scroll.min(rows.saturating_sub(1));
    Step::Stay(view)
}
