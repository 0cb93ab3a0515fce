//! The activity log pane: newest at the bottom, each line with its time and kind glyph.

use super::super::activity::LogKind;
use super::super::clock::format_clock;
use super::super::state::{Pane, State};
use super::super::theme::Role;
use super::{Paint, fit, pane_block};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

/// The activity pane.
pub(crate) struct ActivityPane<'a> {
    pub state: &'a State,
    pub paint: Paint<'a>,
    pub focused: bool,
}

fn kind_role(kind: LogKind) -> Role {
    match kind {
        LogKind::Park => Role::LogPark,
        LogKind::Retrieve => Role::LogRetrieve,
        LogKind::Timeout => Role::Warning,
        LogKind::Abandon | LogKind::Failure => Role::LogFailure,
        LogKind::Pickup => Role::LogPickup,
        LogKind::Announce => Role::LogAnnounce,
        LogKind::Call => Role::Text,
        LogKind::Note => Role::LogNote,
    }
}

impl Widget for ActivityPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let state = self.state;
        let p = self.paint;
        let entries = &state.log.entries;
        let back = state.selected.log_back.min(entries.len().saturating_sub(1));
        let mut title = format!("{} ({})", Pane::Log.title(), entries.len());
        if back > 0 {
            title.push_str(&format!(" · {back} back"));
        }
        let block = pane_block(Pane::Log, title, self.focused, p);
        let inner = block.inner(area);
        block.render(area, buf);
        if entries.is_empty() {
            Paragraph::new(Line::styled(" Nothing yet", p.style(Role::Dim))).render(inner, buf);
            return;
        }
        let visible = usize::from(inner.height);
        let end = entries.len() - back;
        let start = end.saturating_sub(visible);
        // Time (9) and glyph (2) come first.
        let text_w = usize::from(inner.width).saturating_sub(11);
        let lines: Vec<Line> = entries
            .range(start..end)
            .map(|e| {
                Line::from(vec![
                    Span::styled(format!("{} ", format_clock(e.at)), p.style(Role::Time)),
                    Span::styled(format!("{} ", e.kind.glyph()), p.style(kind_role(e.kind))),
                    Span::styled(fit(&e.text, text_w), p.style(Role::Text)),
                ])
            })
            .collect();
        Paragraph::new(lines).render(inner, buf);
    }
}
