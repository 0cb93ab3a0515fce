//! Where each pane goes for a terminal size. Used by drawing and by mouse hit-testing, so a
//! click lands on what was drawn. Panes collapse in order at small sizes: the parked board
//! and desk calls stay; pickup groups, directory and log share one slot (the focused one, or
//! the log); below the minimum only a size message is drawn.

use super::super::state::{ConnState, Pane, State};
use ratatui::layout::{Constraint, Layout, Rect};

/// Smallest usable width.
pub const MIN_WIDTH: u16 = 60;
/// Smallest usable height.
pub const MIN_HEIGHT: u16 = 16;
/// From this size on, every pane has its own place.
pub const WIDE: (u16, u16) = (110, 30);

/// The screen's regions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaneAreas {
    /// The terminal is below the minimum: nothing else is drawn.
    pub too_small: bool,
    /// The whole screen.
    pub full: Rect,
    /// The header line.
    pub header: Rect,
    /// The offline / refused / stopping banner, when shown.
    pub banner: Option<Rect>,
    /// Each visible pane.
    pub panes: Vec<(Pane, Rect)>,
    /// The status line.
    pub status: Rect,
    /// Whether every pane is shown (wide layout).
    pub wide: bool,
}

impl PaneAreas {
    /// Where `pane` is, if shown.
    pub fn pane(&self, pane: Pane) -> Option<Rect> {
        self.panes.iter().find(|(p, _)| *p == pane).map(|(_, r)| *r)
    }
}

/// Whether the banner line is shown.
pub fn has_banner(state: &State) -> bool {
    matches!(state.conn, ConnState::Offline { .. } | ConnState::Failed(_)) || state.engine_stopping
}

/// The regions for `state.size`.
pub fn areas(state: &State) -> PaneAreas {
    areas_for(state, state.size)
}

/// The regions for a screen of `size` (width, height).
pub fn areas_for(state: &State, size: (u16, u16)) -> PaneAreas {
    let (w, h) = size;
    let full = Rect::new(0, 0, w, h);
    if w < MIN_WIDTH || h < MIN_HEIGHT {
        return PaneAreas {
            too_small: true,
            full,
            header: Rect::default(),
            banner: None,
            panes: Vec::new(),
            status: Rect::default(),
            wide: false,
        };
    }
    let banner_h = u16::from(has_banner(state));
    let [header, banner, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(banner_h),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(full);
    let desk_rows = u16::try_from(state.desk_rows().len()).unwrap_or(u16::MAX);
    // A monitor has no line of its own: its desk pane would always be empty.
    let show_desk = !state.read_only();
    let wide = w >= WIDE.0 && h >= WIDE.1;
    let panes = if wide {
        // Calls on top (desk beside pickup groups), the board across the full width, then
        // directory beside the log.
        let desk_h = if show_desk {
            desk_rows.saturating_add(3).clamp(5, 9)
        } else {
            8
        };
        let lower_h = (body.height / 3).clamp(6, 14);
        let [top, middle, bottom] = Layout::vertical([
            Constraint::Length(desk_h),
            Constraint::Min(6),
            Constraint::Length(lower_h),
        ])
        .areas(body);
        let split = if show_desk { [58, 42] } else { [0, 100] };
        let [desk, groups] = Layout::horizontal(split.map(Constraint::Percentage)).areas(top);
        let [directory, log] =
            Layout::horizontal([Constraint::Percentage(42), Constraint::Percentage(58)])
                .areas(bottom);
        let mut panes = if show_desk {
            vec![(Pane::Desk, desk)]
        } else {
            Vec::new()
        };
        panes.extend([
            (Pane::Groups, groups),
            (Pane::Parked, middle),
            (Pane::Directory, directory),
            (Pane::Log, log),
        ]);
        panes
    } else {
        let secondary = match state.focus {
            Pane::Groups | Pane::Directory | Pane::Log => state.focus,
            _ => Pane::Log,
        };
        let focused_secondary = secondary == state.focus;
        let second_h = if body.height >= 18 || focused_secondary {
            7
        } else {
            0
        };
        let desk_h = if show_desk {
            desk_rows.saturating_add(3).clamp(4, 6)
        } else {
            0
        };
        let [desk, parked, second] = Layout::vertical([
            Constraint::Length(desk_h),
            Constraint::Min(4),
            Constraint::Length(second_h),
        ])
        .areas(body);
        let mut panes = if show_desk {
            vec![(Pane::Desk, desk)]
        } else {
            Vec::new()
        };
        panes.push((Pane::Parked, parked));
        if second_h > 0 {
            panes.push((secondary, second));
        }
        panes
    };
    PaneAreas {
        too_small: false,
        full,
        header,
        banner: (banner_h > 0).then_some(banner),
        panes,
        status,
        wide,
    }
}
