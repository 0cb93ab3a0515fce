//! The `:` command palette: a line typed, then run on Enter. Its commands go through the
//! same actions and request builders as the keys.

use super::{Step, edit, numbers};
use crate::console::palette::{self, PaletteCommand};
use crate::console::state::{Overlay, State};
use crate::console::update::actions::{
    READ_ONLY, confirm_hangup, find, group_id_for, park_desk_call, transfer_to,
};
use crate::console::update::overlay::history;
use crate::console::update::{Effect, error, info, requests, send};
use crossterm::event::{KeyCode, KeyEvent};

/// A key in the palette: the line to run is its deed.
pub(in crate::console::update) fn on_key(mut text: String, key: &KeyEvent) -> Step<String, String> {
    match key.code {
        KeyCode::Enter => Step::Then(text),
        KeyCode::Esc => Step::Close,
        _ => {
            // Any other key (arrows, function keys) leaves the palette open as it was.
            edit(&mut text, key, |_| true);
            Step::Stay(text)
        }
    }
}

/// Runs a palette line.
pub(in crate::console::update) fn act(state: &mut State, line: String) -> Vec<Effect> {
    let command = match palette::parse(&line) {
        Ok(c) => c,
        Err(e) => {
            error(state, e.to_string());
            return Vec::new();
        }
    };
    let mutating = matches!(
        command,
        PaletteCommand::Park { .. }
            | PaletteCommand::Retrieve { .. }
            | PaletteCommand::Announce { .. }
            | PaletteCommand::Extend { .. }
            | PaletteCommand::Pickup { .. }
            | PaletteCommand::Transfer { .. }
            | PaletteCommand::Hangup
    );
    if mutating && state.read_only() {
        error(state, READ_ONLY);
        return Vec::new();
    }
    match command {
        PaletteCommand::Park {
            code,
            for_note,
            announce,
        } => park_desk_call(state, code.as_deref(), for_note.as_deref(), announce),
        PaletteCommand::Retrieve { code, to } => {
            vec![send(state, requests::retrieve(&code, to.as_deref()))]
        }
        PaletteCommand::Announce { code, repeat } => {
            vec![send(state, requests::announce(&code, repeat))]
        }
        PaletteCommand::Extend { code, seconds } => {
            vec![send(state, requests::extend(&code, seconds))]
        }
        PaletteCommand::Pickup { group, call } => {
            let id = group_id_for(state, &group);
            vec![send(state, requests::pickup(&id, call.as_deref(), &group))]
        }
        PaletteCommand::Transfer { to } => transfer_to(state, &to),
        PaletteCommand::Hangup => {
            confirm_hangup(state);
            Vec::new()
        }
        PaletteCommand::Find { query } => find(state, &query),
        PaletteCommand::Sort(key) => {
            state.sort = key;
            info(state, format!("Parked calls sorted by {}", key.label()));
            Vec::new()
        }
        PaletteCommand::History => history::open(state),
        PaletteCommand::Numbers => numbers::open(state),
        PaletteCommand::Help => {
            state.overlay = Some(Overlay::Help(0));
            Vec::new()
        }
        PaletteCommand::Quit => vec![Effect::Quit],
    }
}
