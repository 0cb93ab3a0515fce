//! Pickup groups: each group with its number and members, and the calls ringing in it with
//! their ring time.

use super::super::clock::{format_duration, seconds_between};
use super::super::state::{Pane, State};
use super::super::theme::Role;
use super::{Paint, fit, pane_block, scroll_offset};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{
    Cell, HighlightSpacing, Paragraph, Row, StatefulWidget, Table, TableState, Widget,
};

/// The pickup-groups pane.
pub(crate) struct PickupGroups<'a> {
    pub state: &'a State,
    pub paint: Paint<'a>,
    pub focused: bool,
}

impl Widget for PickupGroups<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let state = self.state;
        let p = self.paint;
        let rows = state.group_rows();
        let ringing = state.board.ringing_in_groups();
        let title = format!("{} ({ringing} ringing)", Pane::Groups.title());
        let block = pane_block(Pane::Groups, title, self.focused, p);
        let inner = block.inner(area);
        block.render(area, buf);
        if rows.is_empty() {
            Paragraph::new(Line::styled(" No pickup groups", p.style(Role::Dim)))
                .render(inner, buf);
            return;
        }
        let visible = usize::from(inner.height.saturating_sub(1)).max(1);
        let selected = state.selected_index(Pane::Groups);
        let offset = scroll_offset(selected, visible);
        // Number, ringing and spacing columns, and the highlight symbol, take 20 cells.
        let name_w = usize::from(inner.width.saturating_sub(20)).max(8);
        let body: Vec<Row> = rows
            .iter()
            .skip(offset)
            .take(visible)
            .map(|row| match row.call {
                None => {
                    let g = row.group;
                    let n = g.ringing.len();
                    let (ring, role) = if n > 0 {
                        (format!("☎ {n} ringing"), Role::Ringing)
                    } else {
                        ("idle".into(), Role::Dim)
                    };
                    Row::new(vec![
                        Cell::from(g.number.clone()).style(p.style(Role::Title)),
                        Cell::from(fit(
                            &format!("{} · {} members", g.name, g.members.len()),
                            name_w,
                        )),
                        Cell::from(ring).style(p.style(role)),
                    ])
                }
                Some(call) => {
                    let who = if call.from.name.is_empty() {
                        call.from.number.clone()
                    } else {
                        call.from.name.clone()
                    };
                    Row::new(vec![
                        Cell::from("  ↳"),
                        Cell::from(fit(&format!("{who} for {}", call.to), name_w))
                            .style(p.style(Role::Ringing)),
                        Cell::from(format!(
                            "☎ {}",
                            format_duration(seconds_between(call.started_at, state.now))
                        ))
                        .style(p.style(Role::Time)),
                    ])
                }
            })
            .collect();
        let widths = [
            Constraint::Length(5),
            Constraint::Fill(1),
            Constraint::Length(12),
        ];
        let highlight = if self.focused {
            p.style(Role::Selection)
        } else {
            Default::default()
        };
        let table = Table::new(body, widths)
            .header(
                Row::new(vec!["No.", "Group / ringing call", "Ringing"]).style(p.style(Role::Dim)),
            )
            .column_spacing(1)
            .row_highlight_style(highlight)
            .highlight_symbol("▸")
            .highlight_spacing(HighlightSpacing::Always);
        let mut table_state = TableState::default().with_selected(selected.map(|s| s - offset));
        StatefulWidget::render(table, inner, buf, &mut table_state);
    }
}
