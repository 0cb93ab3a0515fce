//! The overlays, each owning its keys the way [`AdminView`](super::super::numbers_admin::AdminView)
//! does: an overlay's `on_key` looks only at itself, the key and the key map, and returns a
//! [`Step`] — stay open, close, quit, or a deed of its own kind that its `act` carries out on
//! the state. [`on_key`] only dispatches.

pub(super) mod confirm;
pub(super) mod filter;
pub(super) mod find;
pub(super) mod help;
pub(super) mod history;
pub(super) mod jump;
pub(super) mod numbers;
pub(super) mod palette;
pub(super) mod park;

use super::super::state::{Overlay, State};
use super::Effect;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key pressed in an overlay `V` asks for; `D` is the overlay's own kind of deed.
#[derive(Debug)]
pub(super) enum Step<V, D> {
    /// Stay open, as the key left it.
    Stay(V),
    /// Stay open, and do this.
    StayAnd(V, D),
    /// Close.
    Close,
    /// Close, then do this.
    Then(D),
    /// Quit the console.
    Quit,
}

/// Hands a key to the open overlay (already taken out of the state) and carries out what it
/// asks for.
pub(super) fn on_key(state: &mut State, overlay: Overlay, key: KeyEvent) -> Vec<Effect> {
    let keys = &state.keys;
    match overlay {
        Overlay::Help(scroll) => {
            let step = help::on_key(scroll, &key, keys);
            carry(state, step, Overlay::Help, |_, never| match never {})
        }
        Overlay::History(view) => {
            let step = history::on_key(view, &key, keys);
            carry(state, step, Overlay::History, |_, never| match never {})
        }
        Overlay::Numbers(view) => {
            let step = numbers::on_key(view, &key, keys);
            carry(state, step, Overlay::Numbers, numbers::act)
        }
        Overlay::Confirm(confirm) => {
            let step = confirm::on_key(confirm, &key, keys);
            carry(state, step, Overlay::Confirm, confirm::act)
        }
        Overlay::Palette(text) => {
            let step = palette::on_key(text, &key);
            carry(state, step, Overlay::Palette, palette::act)
        }
        Overlay::Filter(text) => {
            let step = filter::on_key(text, &key);
            carry(state, step, Overlay::Filter, filter::act)
        }
        Overlay::Find(text) => {
            let step = find::on_key(text, &key);
            carry(state, step, Overlay::Find, find::act)
        }
        Overlay::Jump(text) => {
            let step = jump::on_key(text, &key);
            carry(state, step, Overlay::Jump, jump::act)
        }
        Overlay::Park(form) => {
            let step = park::on_key(form, &key);
            carry(state, step, Overlay::Park, park::act)
        }
    }
}

/// Carries out a [`Step`]: `wrap` puts the overlay back, `act` does its deeds.
fn carry<V, D>(
    state: &mut State,
    step: Step<V, D>,
    wrap: impl FnOnce(V) -> Overlay,
    act: impl FnOnce(&mut State, D) -> Vec<Effect>,
) -> Vec<Effect> {
    match step {
        Step::Stay(open) => {
            state.overlay = Some(wrap(open));
            Vec::new()
        }
        Step::StayAnd(open, deed) => {
            let effects = act(state, deed);
            state.overlay = Some(wrap(open));
            effects
        }
        Step::Close => Vec::new(),
        Step::Then(deed) => act(state, deed),
        Step::Quit => vec![Effect::Quit],
    }
}

/// Types `key` into `text` when it is a character `accept` takes (up to 200) or a
/// backspace; returns whether the key edited.
pub(super) fn edit(text: &mut String, key: &KeyEvent, accept: impl Fn(char) -> bool) -> bool {
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
