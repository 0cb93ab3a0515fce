//! The numbers admin pane (`:numbers`, admins only): [`AdminView`] owns its keys; this
//! opens it, lets the quit key through when no prompt is open, and sends what it asks for.

use super::Step;
use crate::console::action::Action;
use crate::console::keymap::KeyMap;
use crate::console::numbers_admin::{AdminOutcome, AdminView};
use crate::console::state::{Overlay, State};
use crate::console::update::{Effect, Request, error, send_all};
use crossterm::event::KeyEvent;

/// Opens the numbers admin pane (admins only) and asks for its lists.
pub(in crate::console::update) fn open(state: &mut State) -> Vec<Effect> {
    let admin = state
        .session
        .as_ref()
        .is_some_and(|s| s.roles.iter().any(|r| r == "admin"));
    if !admin {
        error(state, "The numbers pane is for the admin role");
        return Vec::new();
    }
    state.overlay = Some(Overlay::Numbers(AdminView::opening()));
    send_all(state, AdminView::refresh())
}

/// A key in the pane: the requests to send are its deed.
pub(in crate::console::update) fn on_key(
    mut view: AdminView,
    key: &KeyEvent,
    keys: &KeyMap,
) -> Step<AdminView, Vec<Request>> {
    // While a prompt is open, `q` is typed text, not quit.
    if keys.lookup(key).map(|b| b.action) == Some(Action::Quit) && view.prompt.is_none() {
        return Step::Quit;
    }
    match view.on_key(key) {
        AdminOutcome::Close => Step::Close,
        AdminOutcome::Stay => Step::Stay(view),
        AdminOutcome::Send(requests) => Step::StayAnd(view, requests),
    }
}

/// Sends the pane's requests.
pub(in crate::console::update) fn act(state: &mut State, requests: Vec<Request>) -> Vec<Effect> {
    send_all(state, requests)
}
