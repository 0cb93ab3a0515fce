//! Drawing (the Elm "view"): `draw(&State)` into a frame. It does no I/O and reads no
//! clock: every time shown comes from `state.now`. One component per pane.

mod desk;
mod directory;
mod groups;
mod header;
pub mod layout;
mod log;
mod numbers_admin;
mod overlays;
mod parked;
mod status;

use super::state::{ConnState, Overlay, Pane, State};
use super::theme::{Role, Theme};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

/// Styles for a component: the theme's, or all dim when the board is stale (offline).
#[derive(Clone, Copy)]
pub(crate) struct Paint<'a> {
    theme: &'a Theme,
    grey: bool,
}

impl Paint<'_> {
    pub(crate) fn style(&self, role: Role) -> Style {
        if self.grey && role != Role::Selection {
            self.theme.style(Role::Dim)
        } else {
            self.theme.style(role)
        }
    }
}

/// The first row shown so that `selected` stays visible in `visible` rows.
pub fn scroll_offset(selected: Option<usize>, visible: usize) -> usize {
    selected
        .map(|s| (s + 1).saturating_sub(visible.max(1)))
        .unwrap_or(0)
}

/// A bordered block for `pane` with its number and title.
pub(crate) fn pane_block<'a>(
    pane: Pane,
    title: String,
    focused: bool,
    paint: Paint<'_>,
) -> Block<'a> {
    let border = if focused {
        Role::BorderFocus
    } else {
        Role::Border
    };
    let marker = if focused { "▶" } else { " " };
    Block::bordered()
        .border_style(paint.style(border))
        .title(Line::from(vec![
            Span::styled(
                format!("{marker}{} ", pane.number()),
                paint.style(Role::Key),
            ),
            Span::styled(title, paint.style(Role::Title)),
            Span::raw(" "),
        ]))
}

/// Cuts `text` to `width` characters, ending with `…` when cut.
pub(crate) fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else if width == 0 {
        String::new()
    } else {
        let mut out: String = text.chars().take(width - 1).collect();
        out.push('…');
        out
    }
}

/// Draws the whole console.
pub fn draw(frame: &mut Frame<'_>, state: &State, theme: &Theme) {
    let area = frame.area();
    render(area, frame.buffer_mut(), state, theme);
}

/// Renders the whole console into `buf` (what [`draw`] does, without a terminal).
pub fn render(area: Rect, buf: &mut Buffer, state: &State, theme: &Theme) {
    let areas = layout::areas_for(state, (area.width, area.height));
    Clear.render(area, buf);
    buf.set_style(area, theme.style(Role::Text));
    if areas.too_small {
        too_small(area, buf, theme);
        return;
    }
    let grey = matches!(state.conn, ConnState::Offline { .. } | ConnState::Failed(_));
    let paint = Paint { theme, grey };
    let live = Paint { theme, grey: false };
    header::Header {
        state,
        paint: live,
        wide: areas.wide,
    }
    .render(areas.header, buf);
    if let Some(banner) = areas.banner {
        header::Banner { state, paint: live }.render(banner, buf);
    }
    for (pane, rect) in &areas.panes {
        let focused = state.focus == *pane;
        match pane {
            Pane::Parked => parked::ParkedBoard {
                state,
                paint,
                focused,
            }
            .render(*rect, buf),
            Pane::Desk => desk::DeskCalls {
                state,
                paint,
                focused,
            }
            .render(*rect, buf),
            Pane::Groups => groups::PickupGroups {
                state,
                paint,
                focused,
            }
            .render(*rect, buf),
            Pane::Directory => directory::Directory {
                state,
                paint,
                focused,
            }
            .render(*rect, buf),
            Pane::Log => log::ActivityPane {
                state,
                paint,
                focused,
            }
            .render(*rect, buf),
        }
        if grey {
            // Stale: every cell of the pane in the dim role, text included.
            buf.set_style(*rect, theme.style(Role::Dim));
        }
    }
    status::StatusLine { state, paint: live }.render(areas.status, buf);
    match &state.overlay {
        Some(Overlay::Help(scroll)) => overlays::Help {
            state,
            paint: live,
            scroll: *scroll,
        }
        .render(area, buf),
        Some(Overlay::Confirm(confirm)) => overlays::ConfirmBox {
            confirm,
            paint: live,
        }
        .render(area, buf),
        Some(Overlay::Park(form)) => overlays::ParkFormBox { form, paint: live }.render(area, buf),
        Some(Overlay::History(view)) => {
            overlays::HistoryBox { view, paint: live }.render(area, buf)
        }
        Some(Overlay::Numbers(view)) => {
            numbers_admin::NumbersBox { view, paint: live }.render(area, buf)
        }
        _ => {}
    }
}

fn too_small(area: Rect, buf: &mut Buffer, theme: &Theme) {
    let lines = vec![
        Line::styled("Terminal too small", theme.style(Role::Error)),
        Line::raw(format!("this one is {}×{}", area.width, area.height)),
        Line::raw(format!(
            "parkdesk needs at least {}×{}",
            layout::MIN_WIDTH,
            layout::MIN_HEIGHT
        )),
        Line::styled("q quits", theme.style(Role::Key)),
    ];
    let top = area.height.saturating_sub(4) / 2;
    let rect = Rect::new(
        area.x,
        area.y + top,
        area.width,
        area.height.saturating_sub(top).min(4),
    );
    Paragraph::new(lines)
        .alignment(Alignment::Center)
        .render(rect, buf);
}
