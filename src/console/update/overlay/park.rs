//! The park form for a desk call: a code (blank for the next free one), who it is for, and
//! whether to announce it; Enter parks.

use super::{Step, edit};
use crate::console::palette::is_code;
use crate::console::state::{Overlay, ParkField, ParkForm, State};
use crate::console::update::actions::NO_DESK_CALL;
use crate::console::update::{Effect, error, requests, send};
use crossterm::event::{KeyCode, KeyEvent};

/// Opens the form for the selected desk call.
pub(in crate::console::update) fn open(state: &mut State) {
    match state.selected_desk() {
        Some(call) => {
            let caller = if call.from.name.is_empty() {
                call.from.number.clone()
            } else {
                format!("{} ({})", call.from.name, call.from.number)
            };
            let form = ParkForm {
                call: call.call.0.clone(),
                caller,
                code: String::new(),
                for_note: String::new(),
                announce: false,
                field: ParkField::Code,
            };
            state.overlay = Some(Overlay::Park(form));
        }
        None => error(state, NO_DESK_CALL),
    }
}

/// A key in the form: the form to submit is its deed.
pub(in crate::console::update) fn on_key(
    mut form: ParkForm,
    key: &KeyEvent,
) -> Step<ParkForm, ParkForm> {
    match key.code {
        KeyCode::Esc => return Step::Close,
        KeyCode::Enter => return Step::Then(form),
        KeyCode::Tab | KeyCode::Down => form.field = next_field(form.field, true),
        KeyCode::BackTab | KeyCode::Up => form.field = next_field(form.field, false),
        KeyCode::Char(' ') if form.field == ParkField::Announce => form.announce = !form.announce,
        _ => match form.field {
            ParkField::Code => {
                edit(&mut form.code, key, |c| {
                    c.is_ascii_digit() || c == '*' || c == '#'
                });
            }
            ParkField::For => {
                edit(&mut form.for_note, key, |_| true);
            }
            ParkField::Announce => {}
        },
    }
    Step::Stay(form)
}

fn next_field(field: ParkField, forward: bool) -> ParkField {
    match (field, forward) {
        (ParkField::Code, true) | (ParkField::Announce, false) => ParkField::For,
        (ParkField::For, true) | (ParkField::Code, false) => ParkField::Announce,
        (ParkField::Announce, true) | (ParkField::For, false) => ParkField::Code,
    }
}

/// Parks as the form says; a code that is not one keeps the form open with an error.
pub(in crate::console::update) fn act(state: &mut State, form: ParkForm) -> Vec<Effect> {
    let code = form.code.trim();
    if !code.is_empty() && !is_code(code) {
        error(state, format!("'{code}' is not a park code"));
        state.overlay = Some(Overlay::Park(form));
        return Vec::new();
    }
    let note = form.for_note.trim();
    let request = requests::park(
        &form.call,
        (!code.is_empty()).then_some(code),
        (!note.is_empty()).then_some(note),
        form.announce,
    );
    vec![send(state, request)]
}
