//! What an [`Action`] does: open an overlay, move around, or send a request about the
//! selected call, group or person (built by [`super::requests`]). The `:` palette runs its
//! commands through the same functions.

use super::super::action::Action;
use super::super::state::{Confirm, Overlay, Pane, State};
use super::navigation::{focus, move_selection, page_size};
use super::overlay::{history, jump, park};
use super::{Effect, error, info, requests, send};

/// Seconds `extend` adds per press.
pub const EXTEND_SECONDS: u32 = 60;

/// What a monitor says to anything that would change the board.
pub(super) const READ_ONLY: &str = "Read-only monitor: nothing here changes the board";

/// Does what `action` says; `digit` is the digit typed when the key was a digit.
pub(super) fn on_action(state: &mut State, action: Action, digit: Option<char>) -> Vec<Effect> {
    if action.info().mutating && state.read_only() {
        error(state, READ_ONLY);
        return Vec::new();
    }
    match action {
        Action::Quit => return vec![Effect::Quit],
        Action::Help => state.overlay = Some(Overlay::Help(0)),
        Action::Close => {
            state.status = None;
            state.filter.clear();
        }
        Action::NextPane | Action::PrevPane => {
            let forward = action == Action::NextPane;
            let mut next = state.focus.step(forward);
            // A monitor has no desk pane.
            if state.read_only() && next == Pane::Desk {
                next = next.step(forward);
            }
            focus(state, next)
        }
        Action::FocusParked => focus(state, Pane::Parked),
        // A monitor has no line of its own, so no desk pane to go to.
        Action::FocusDesk if state.read_only() => error(
            state,
            "The monitor has no desk pane: it has no line of its own",
        ),
        Action::FocusDesk => focus(state, Pane::Desk),
        Action::FocusGroups => focus(state, Pane::Groups),
        Action::FocusDirectory => focus(state, Pane::Directory),
        Action::FocusLog => focus(state, Pane::Log),
        Action::Up => move_selection(state, state.focus, -1),
        Action::Down => move_selection(state, state.focus, 1),
        Action::PageUp => {
            let page = page_size(state, state.focus);
            move_selection(state, state.focus, -page)
        }
        Action::PageDown => {
            let page = page_size(state, state.focus);
            move_selection(state, state.focus, page)
        }
        Action::Top => move_selection(state, state.focus, -1_000_000),
        Action::Bottom => move_selection(state, state.focus, 1_000_000),
        Action::Activate => {
            let next = match state.focus {
                Pane::Desk => Action::Park,
                Pane::Parked => Action::Retrieve,
                Pane::Groups => Action::Pickup,
                Pane::Directory => Action::Transfer,
                Pane::Log => return Vec::new(),
            };
            return on_action(state, next, None);
        }
        Action::Park => park::open(state),
        Action::ParkNext => return park_desk_call(state, None, None, false),
        Action::Retrieve => {
            let Some(code) = selected_code(state) else {
                return Vec::new();
            };
            return vec![send(state, requests::retrieve(&code, None))];
        }
        Action::Announce => {
            let Some(code) = selected_code(state) else {
                return Vec::new();
            };
            return vec![send(state, requests::announce(&code, None))];
        }
        Action::Extend => {
            let Some(code) = selected_code(state) else {
                return Vec::new();
            };
            return vec![send(state, requests::extend(&code, EXTEND_SECONDS))];
        }
        Action::Pickup => return pickup_selected(state),
        Action::Transfer => return transfer_selected(state),
        Action::Hangup => confirm_hangup(state),
        Action::Filter => state.overlay = Some(Overlay::Filter(state.filter.clone())),
        Action::Palette => state.overlay = Some(Overlay::Palette(String::new())),
        Action::Find => {
            state.focus = Pane::Directory;
            state.overlay = Some(Overlay::Find(String::new()));
        }
        Action::Sort => {
            state.sort = state.sort.next();
            info(
                state,
                format!("Parked calls sorted by {}", state.sort.label()),
            );
        }
        Action::Jump => jump::open(state, digit),
        Action::History => return history::open(state),
    }
    Vec::new()
}

fn selected_code(state: &mut State) -> Option<String> {
    match state.selected_parked() {
        Some(e) => Some(e.parked.code.clone()),
        None => {
            error(state, "No parked call selected");
            None
        }
    }
}

/// The error when there is no desk call to park.
pub(super) const NO_DESK_CALL: &str =
    "No desk call to park: calls at your line show in the Desk pane";

/// Parks the selected desk call.
pub(super) fn park_desk_call(
    state: &mut State,
    code: Option<&str>,
    for_note: Option<&str>,
    announce: bool,
) -> Vec<Effect> {
    let Some(call) = state.selected_desk().map(|c| c.call.0.clone()) else {
        error(state, NO_DESK_CALL);
        return Vec::new();
    };
    vec![send(state, requests::park(&call, code, for_note, announce))]
}

/// The id of the group whose number or id is `group` (as typed, when none is).
pub(super) fn group_id_for(state: &State, group: &str) -> String {
    state
        .board
        .groups
        .values()
        .find(|g| g.number == group || g.group == group)
        .map(|g| g.group.clone())
        .unwrap_or_else(|| group.to_string())
}

fn pickup_selected(state: &mut State) -> Vec<Effect> {
    let Some(row) = state.selected_group() else {
        error(state, "No pickup group selected");
        return Vec::new();
    };
    let group = row.group.group.clone();
    let number = row.group.number.clone();
    let call = match row.call {
        Some(call) => Some(call.call.0.clone()),
        None if row.group.ringing.is_empty() => {
            error(
                state,
                format!("Nothing is ringing in {number} {}", row.group.name),
            );
            return Vec::new();
        }
        None => None,
    };
    vec![send(
        state,
        requests::pickup(&group, call.as_deref(), &number),
    )]
}

/// The call transfer and hang up act on: the selection of the call pane used last.
enum TargetCall {
    Desk {
        call: String,
        who: String,
    },
    Parked {
        code: String,
        call: String,
        who: String,
    },
}

fn target_call(state: &State) -> Option<TargetCall> {
    let desk = || {
        state.selected_desk().map(|c| TargetCall::Desk {
            call: c.call.0.clone(),
            who: if c.from.name.is_empty() {
                c.from.number.clone()
            } else {
                c.from.name.clone()
            },
        })
    };
    let parked = || {
        state.selected_parked().map(|e| TargetCall::Parked {
            code: e.parked.code.clone(),
            call: e.parked.call.0.clone(),
            who: if e.parked.caller.name.is_empty() {
                e.parked.caller.number.clone()
            } else {
                e.parked.caller.name.clone()
            },
        })
    };
    match state.call_pane {
        Pane::Parked => parked().or_else(desk),
        _ => desk().or_else(parked),
    }
}

/// Transfers the target call to `to`: a desk call by `transfer`, a parked one by
/// retrieving it there.
pub(super) fn transfer_to(state: &mut State, to: &str) -> Vec<Effect> {
    let request = match target_call(state) {
        Some(TargetCall::Desk { call, who }) => requests::transfer(&call, &who, to),
        Some(TargetCall::Parked { code, who, .. }) => requests::transfer_parked(&code, &who, to),
        None => {
            error(
                state,
                "No call selected to transfer: select a desk or parked call first",
            );
            return Vec::new();
        }
    };
    vec![send(state, request)]
}

fn transfer_selected(state: &mut State) -> Vec<Effect> {
    let Some(person) = state.selected_person().map(|p| p.id.clone()) else {
        error(
            state,
            "Transfer: find a person first (find, then select them in the Directory)",
        );
        return Vec::new();
    };
    transfer_to(state, &person)
}

/// Asks before hanging up the target call.
pub(super) fn confirm_hangup(state: &mut State) {
    let (call, question) = match target_call(state) {
        Some(TargetCall::Desk { call, who }) => (call, format!("Hang up {who}?")),
        Some(TargetCall::Parked { code, call, who }) => {
            (call, format!("Hang up {who}, parked on {code}?"))
        }
        None => {
            error(state, "No call selected to hang up");
            return;
        }
    };
    state.overlay = Some(Overlay::Confirm(Confirm {
        question,
        request: requests::hangup(&call),
    }));
}

/// Searches the directory for `query` (focusing the Directory pane).
pub(super) fn find(state: &mut State, query: &str) -> Vec<Effect> {
    let query = query.trim();
    state.focus = Pane::Directory;
    if query.is_empty() {
        error(state, "Type a name, number or group to search for");
        return Vec::new();
    }
    state.directory_query = query.to_string();
    vec![send(state, requests::find(query))]
}
