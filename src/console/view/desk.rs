//! Desk calls: the calls at this receptionist's line (ringing, connected, held) — the ones
//! to park or transfer.

use super::super::clock::{format_duration, seconds_between};
use super::super::state::{Pane, State};
use super::super::theme::Role;
use super::{Paint, fit, pane_block, scroll_offset};
use crate::protocol::CallState;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{
    Cell, HighlightSpacing, Paragraph, Row, StatefulWidget, Table, TableState, Widget,
};

/// The desk-calls pane.
pub(crate) struct DeskCalls<'a> {
    pub state: &'a State,
    pub paint: Paint<'a>,
    pub focused: bool,
}

/// The glyph and word of a call's state, and its colour role.
pub(crate) fn call_state(state: CallState) -> (&'static str, Role) {
    match state {
        CallState::Ringing => ("☎ ringing", Role::Ringing),
        CallState::Connected => ("● talking", Role::Connected),
        CallState::Held => ("‖ held", Role::Held),
        CallState::Parked => ("P parked", Role::Parked),
        CallState::Ended => ("  ended", Role::Dim),
    }
}

impl Widget for DeskCalls<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let state = self.state;
        let p = self.paint;
        let rows = state.desk_rows();
        // The line is the `hello` user: unknown until the engine has answered once.
        let title = if state.my_line().is_empty() {
            format!("{} ({})", Pane::Desk.title(), rows.len())
        } else {
            format!(
                "{} — line {} ({})",
                Pane::Desk.title(),
                state.my_line(),
                rows.len()
            )
        };
        let block = pane_block(Pane::Desk, title, self.focused, p);
        let inner = block.inner(area);
        block.render(area, buf);
        if rows.is_empty() {
            Paragraph::new(Line::styled(" No calls at your line", p.style(Role::Dim)))
                .render(inner, buf);
            return;
        }
        let visible = usize::from(inner.height.saturating_sub(1)).max(1);
        let selected = state.selected_index(Pane::Desk);
        let offset = scroll_offset(selected, visible);
        let body: Vec<Row> = rows
            .iter()
            .skip(offset)
            .take(visible)
            .map(|call| {
                let (word, role) = call_state(call.state);
                let since = match (call.state, call.answered_at) {
                    (CallState::Ringing, _) | (_, None) => call.started_at,
                    (_, Some(answered)) => answered,
                };
                Row::new(vec![
                    Cell::from(word).style(p.style(role)),
                    Cell::from(fit(&call.from.name, 40)),
                    Cell::from(call.from.number.clone()),
                    Cell::from(call.to.clone()),
                    Cell::from(format_duration(seconds_between(since, state.now)))
                        .style(p.style(Role::Time)),
                ])
            })
            .collect();
        let widths = [
            Constraint::Length(10),
            Constraint::Fill(2),
            Constraint::Length(16),
            Constraint::Fill(1),
            Constraint::Length(7),
        ];
        let highlight = if self.focused {
            p.style(Role::Selection)
        } else {
            Default::default()
        };
        let table = Table::new(body, widths)
            .header(
                Row::new(vec!["State", "Caller", "Number", "For", "Time"])
                    .style(p.style(Role::Dim)),
            )
            .column_spacing(1)
            .row_highlight_style(highlight)
            .highlight_symbol("▸")
            .highlight_spacing(HighlightSpacing::Always);
        let mut table_state = TableState::default().with_selected(selected.map(|s| s - offset));
        StatefulWidget::render(table, inner, buf, &mut table_state);
    }
}
