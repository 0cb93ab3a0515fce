//! The directory: the last `directory.search` results (name, id, numbers, groups); the
//! selected person is the target of a transfer.

use super::super::action::Action;
use super::super::state::{Pane, State};
use super::super::theme::Role;
use super::{Paint, fit, pane_block, scroll_offset};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{
    Cell, HighlightSpacing, Paragraph, Row, StatefulWidget, Table, TableState, Widget,
};

/// The directory pane.
pub(crate) struct Directory<'a> {
    pub state: &'a State,
    pub paint: Paint<'a>,
    pub focused: bool,
}

impl Widget for Directory<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let state = self.state;
        let p = self.paint;
        let title = if state.directory_query.is_empty() {
            Pane::Directory.title().to_string()
        } else {
            format!(
                "{} — '{}' ({})",
                Pane::Directory.title(),
                state.directory_query,
                state.directory.len()
            )
        };
        let block = pane_block(Pane::Directory, title, self.focused, p);
        let inner = block.inner(area);
        block.render(area, buf);
        if state.directory.is_empty() {
            let key = state
                .keys
                .first_key(Action::Find)
                .unwrap_or_else(|| ":find".into());
            let text = if state.directory_query.is_empty() {
                format!(" {key}: search by name, number or group")
            } else {
                " Nobody matches".to_string()
            };
            Paragraph::new(Line::styled(text, p.style(Role::Dim))).render(inner, buf);
            return;
        }
        let visible = usize::from(inner.height.saturating_sub(1)).max(1);
        // Column widths as the table lays them out (Fill 2:1:2:1 after the marker and the
        // spacing), so a cut value can end in `…` instead of being clipped mid-word.
        let room = usize::from(inner.width).saturating_sub(1 + 3);
        let sixth = room / 6;
        let (name_w, id_w, numbers_w, groups_w) = (sixth * 2, sixth, sixth * 2, sixth);
        let selected = state.selected_index(Pane::Directory);
        let offset = scroll_offset(selected, visible);
        let body: Vec<Row> = state
            .directory
            .iter()
            .skip(offset)
            .take(visible)
            .map(|person| {
                Row::new(vec![
                    Cell::from(fit(&person.name, name_w)),
                    Cell::from(fit(&person.id, id_w)).style(p.style(Role::Dim)),
                    Cell::from(fit(&person.numbers.join(", "), numbers_w)),
                    Cell::from(fit(&person.groups.join(", "), groups_w)),
                ])
            })
            .collect();
        let widths = [
            Constraint::Fill(2),
            Constraint::Fill(1),
            Constraint::Fill(2),
            Constraint::Fill(1),
        ];
        let highlight = if self.focused {
            p.style(Role::Selection)
        } else {
            Default::default()
        };
        let table = Table::new(body, widths)
            .header(Row::new(vec!["Name", "User", "Numbers", "Groups"]).style(p.style(Role::Dim)))
            .column_spacing(1)
            .row_highlight_style(highlight)
            .highlight_symbol("▸")
            .highlight_spacing(HighlightSpacing::Always);
        let mut table_state = TableState::default().with_selected(selected.map(|s| s - offset));
        StatefulWidget::render(table, inner, buf, &mut table_state);
    }
}
