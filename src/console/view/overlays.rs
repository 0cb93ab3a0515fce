//! Boxes drawn over the panes: the key help (from the live key map), the confirm question,
//! and the park form.

use super::super::action::{ACTIONS, ActionGroup};
use super::super::state::{Confirm, ParkField, ParkForm, State};
use super::super::theme::Role;
use super::Paint;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// The key help.
pub(crate) struct Help<'a> {
    pub state: &'a State,
    pub paint: Paint<'a>,
    pub scroll: usize,
}

impl Widget for Help<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let p = self.paint;
        let state = self.state;
        let mut lines = Vec::new();
        for (group, name) in [
            (ActionGroup::Calls, "Calls"),
            (ActionGroup::Navigate, "Moving around"),
            (ActionGroup::General, "General"),
        ] {
            lines.push(Line::styled(name, p.style(Role::Title)));
            for info in ACTIONS.iter().filter(|a| a.group == group) {
                if info.mutating && state.read_only() {
                    continue;
                }
                let keys = state.keys.keys_for(info.action);
                let keys = if keys.is_empty() {
                    "(unbound)".to_string()
                } else {
                    keys.join(", ")
                };
                lines.push(Line::from(vec![
                    Span::styled(format!("  {keys:<18}"), p.style(Role::Key)),
                    Span::styled(info.help, p.style(Role::Text)),
                ]));
            }
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(
            "Bands: · ok   ▲ soon (past the warning share)   ‼ due (last tenth, ringing back, fallback)",
            p.style(Role::Dim),
        ));
        if state.read_only() {
            lines.push(Line::styled(
                "Read-only monitor: call actions are not offered",
                p.style(Role::Dim),
            ));
        }
        let rect = centered(
            area,
            area.width.saturating_sub(4).min(100),
            area.height.saturating_sub(2),
        );
        let visible = usize::from(rect.height.saturating_sub(2));
        let max_scroll = lines.len().saturating_sub(visible);
        let scroll = self.scroll.min(max_scroll);
        let title = format!(" Keys — {} map · Esc closes · ↑↓ scroll ", state.keys.name);
        Clear.render(rect, buf);
        Paragraph::new(lines)
            .block(
                Block::bordered()
                    .title(title)
                    .border_style(p.style(Role::BorderFocus)),
            )
            .style(p.style(Role::Text))
            .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0))
            .render(rect, buf);
    }
}

/// The confirm question.
pub(crate) struct ConfirmBox<'a> {
    pub confirm: &'a Confirm,
    pub paint: Paint<'a>,
}

impl Widget for ConfirmBox<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let p = self.paint;
        let width = u16::try_from(self.confirm.question.chars().count() + 6)
            .unwrap_or(60)
            .clamp(36, 70);
        let rect = centered(area, width, 5);
        Clear.render(rect, buf);
        Paragraph::new(vec![
            Line::styled(self.confirm.question.clone(), p.style(Role::Text)),
            Line::raw(""),
            Line::from(vec![
                Span::styled("y", p.style(Role::Key)),
                Span::raw("/"),
                Span::styled("Enter", p.style(Role::Key)),
                Span::raw(" yes   "),
                Span::styled("n", p.style(Role::Key)),
                Span::raw("/"),
                Span::styled("Esc", p.style(Role::Key)),
                Span::raw(" no"),
            ]),
        ])
        .wrap(Wrap { trim: true })
        .block(
            Block::bordered()
                .title(" Confirm ")
                .border_style(p.style(Role::Critical)),
        )
        .style(p.style(Role::Text))
        .render(rect, buf);
    }
}

/// The park form.
pub(crate) struct ParkFormBox<'a> {
    pub form: &'a ParkForm,
    pub paint: Paint<'a>,
}

impl Widget for ParkFormBox<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let p = self.paint;
        let f = self.form;
        let field = |label: &str, value: String, which: ParkField, hint: &str| {
            let active = f.field == which;
            let marker = if active { "▸ " } else { "  " };
            let style = if active {
                p.style(Role::Selection)
            } else {
                p.style(Role::Text)
            };
            Line::from(vec![
                Span::styled(format!("{marker}{label:<9}"), p.style(Role::Key)),
                Span::styled(value, style),
                Span::styled(format!("  {hint}"), p.style(Role::Dim)),
            ])
        };
        let cursor = |s: &str, which: ParkField| {
            if f.field == which {
                format!("{s}▏")
            } else if s.is_empty() {
                " ".into()
            } else {
                s.to_string()
            }
        };
        let tick = if f.announce { "[x] yes" } else { "[ ] no" };
        let lines = vec![
            field(
                "Code",
                cursor(&f.code, ParkField::Code),
                ParkField::Code,
                "blank = next free code",
            ),
            field(
                "For",
                cursor(&f.for_note, ParkField::For),
                ParkField::For,
                "who the call is for",
            ),
            field(
                "Announce",
                tick.to_string(),
                ParkField::Announce,
                "Space ticks",
            ),
            Line::raw(""),
            Line::styled(
                "Enter parks · Tab next field · Esc cancels",
                p.style(Role::Dim),
            ),
        ];
        let rect = centered(area, 64, 7);
        Clear.render(rect, buf);
        Paragraph::new(lines)
            .block(
                Block::bordered()
                    .title(format!(" Park {} ", f.caller))
                    .border_style(p.style(Role::BorderFocus)),
            )
            .style(p.style(Role::Text))
            .render(rect, buf);
    }
}
