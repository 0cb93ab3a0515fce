//! Moving around: focusing a pane, moving a pane's selection (by keys, by a page, by the
//! mouse wheel or a click).

use super::super::state::{Pane, State};
use super::super::view::layout::{PaneAreas, areas};
use crossterm::event::{MouseEvent, MouseEventKind};

/// Focuses `pane`; a call pane also becomes the one transfer and hang up act on.
pub(super) fn focus(state: &mut State, pane: Pane) {
    state.focus = pane;
    if matches!(pane, Pane::Desk | Pane::Parked) {
        state.call_pane = pane;
    }
}

/// The rows `pane` shows at once (10 when it is not on screen).
pub(super) fn page_size(state: &State, pane: Pane) -> isize {
    let areas = areas(state);
    areas
        .pane(pane)
        .map(|r| {
            isize::try_from(r.height.saturating_sub(3))
                .unwrap_or(1)
                .max(1)
        })
        .unwrap_or(10)
}

fn step(index: Option<usize>, len: usize, delta: isize) -> Option<usize> {
    if len == 0 {
        return None;
    }
    let current = index.unwrap_or(0) as isize;
    Some((current + delta).clamp(0, len as isize - 1) as usize)
}

/// Moves `pane`'s selection by `delta` rows (clamped).
pub fn move_selection(state: &mut State, pane: Pane, delta: isize) {
    let index = state.selected_index(pane);
    match pane {
        Pane::Parked => {
            let rows = state.parked_rows();
            let code = step(index, rows.len(), delta)
                .and_then(|i| rows.get(i))
                .map(|e| e.parked.code.clone());
            if code.is_some() {
                state.selected.parked = code;
            }
        }
        Pane::Desk => {
            let rows = state.desk_rows();
            let id = step(index, rows.len(), delta)
                .and_then(|i| rows.get(i))
                .map(|c| c.call.0.clone());
            if id.is_some() {
                state.selected.desk = id;
            }
        }
        Pane::Groups => {
            let rows = state.group_rows();
            let sel = step(index, rows.len(), delta)
                .and_then(|i| rows.get(i))
                .map(|r| (r.group.group.clone(), r.call.map(|c| c.call.0.clone())));
            if sel.is_some() {
                state.selected.group = sel;
            }
        }
        Pane::Directory => {
            if let Some(i) = step(index, state.directory.len(), delta) {
                state.selected.directory = i;
            }
        }
        Pane::Log => {
            let len = state.log.entries.len();
            let back = state.selected.log_back as isize - delta;
            state.selected.log_back = back.clamp(0, len.saturating_sub(1) as isize) as usize;
        }
    }
}

// ---------------------------------------------------------------- mouse

fn pane_at(areas: &PaneAreas, column: u16, row: u16) -> Option<(Pane, ratatui::layout::Rect)> {
    areas
        .panes
        .iter()
        .find(|(_, r)| {
            column >= r.x && column < r.x + r.width && row >= r.y && row < r.y + r.height
        })
        .copied()
}

/// The wheel scrolls the pane under the pointer; a click focuses it and selects the row.
pub(super) fn on_mouse(state: &mut State, mouse: MouseEvent) {
    if !state.mouse || state.overlay.is_some() {
        return;
    }
    let areas = areas(state);
    let Some((pane, rect)) = pane_at(&areas, mouse.column, mouse.row) else {
        return;
    };
    match mouse.kind {
        MouseEventKind::ScrollUp => move_selection(state, pane, -1),
        MouseEventKind::ScrollDown => move_selection(state, pane, 1),
        MouseEventKind::Down(_) => {
            focus(state, pane);
            // Border and header row come first; rows scroll to keep the selection visible.
            let first_row = rect.y + if matches!(pane, Pane::Log) { 1 } else { 2 };
            if mouse.row < first_row || pane == Pane::Log {
                return;
            }
            let visible = usize::from(rect.height.saturating_sub(3)).max(1);
            let offset = super::super::view::scroll_offset(state.selected_index(pane), visible);
            let target = offset + usize::from(mouse.row - first_row);
            let current = state.selected_index(pane).unwrap_or(0);
            move_selection(state, pane, target as isize - current as isize);
        }
        _ => {}
    }
}
