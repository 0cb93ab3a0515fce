//! Boxes drawn over the panes: the key help (from the live key map), the confirm question,
//! the park form, and the park history.

use super::super::action::{ACTIONS, Action, ActionGroup};
use super::super::clock::{format_clock, format_duration};
use super::super::history::{HistoryRow, HistoryView};
use super::super::state::{Confirm, ParkField, ParkForm, State};
use super::super::theme::Role;
use super::{Paint, fit};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

pub(crate) fn centered(area: Rect, width: u16, height: u16) -> Rect {
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
        let rect = centered(
            area,
            area.width.saturating_sub(4).min(100),
            area.height.saturating_sub(2),
        );
        // Keys take 20 columns; a description longer than the rest ends in `…`.
        let help_w = usize::from(rect.width.saturating_sub(2)).saturating_sub(20);
        let mut lines = Vec::new();
        for (group, name) in [
            (ActionGroup::Calls, "Calls"),
            (ActionGroup::Navigate, "Moving around"),
            (ActionGroup::General, "General"),
        ] {
            lines.push(Line::styled(name, p.style(Role::Title)));
            for info in ACTIONS.iter().filter(|a| a.group == group) {
                let desk_only = info.mutating || info.action == Action::FocusDesk;
                if desk_only && state.read_only() {
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
                    Span::styled(fit(info.help, help_w), p.style(Role::Text)),
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

/// The park history: ended parks, newest first.
pub(crate) struct HistoryBox<'a> {
    pub view: &'a HistoryView,
    pub paint: Paint<'a>,
}

/// One history row at `width` columns; `wide` adds who parked it and for whom.
fn history_line(row: &HistoryRow, width: usize, wide: bool) -> String {
    let ended = row.ended_at.map(format_clock).unwrap_or_default();
    let held = row.held_seconds().map(format_duration).unwrap_or_default();
    let line = if wide {
        format!(
            "{ended:<8}  {:<5} {:<24} {:<11} {:<11} {held:>7}  {}",
            fit(&row.code, 5),
            fit(&row.caller, 24),
            fit(&row.parked_by, 11),
            fit(&row.for_note, 11),
            row.outcome_text()
        )
    } else {
        format!(
            "{ended:<8}  {:<5} {:<20} {held:>7}  {}",
            fit(&row.code, 5),
            fit(&row.caller, 20),
            row.outcome_text()
        )
    };
    fit(&line, width)
}

impl Widget for HistoryBox<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let p = self.paint;
        let view = self.view;
        let rect = centered(
            area,
            area.width.saturating_sub(4).min(112),
            area.height.saturating_sub(2),
        );
        let inner_w = usize::from(rect.width.saturating_sub(2));
        let wide = inner_w >= 100;
        let header = if wide {
            format!(
                "{:<8}  {:<5} {:<24} {:<11} {:<11} {:>7}  {}",
                "Ended", "Code", "Caller", "Parked by", "For", "Held", "Outcome"
            )
        } else {
            format!(
                "{:<8}  {:<5} {:<20} {:>7}  {}",
                "Ended", "Code", "Caller", "Held", "Outcome"
            )
        };
        let mut lines = vec![Line::styled(fit(&header, inner_w), p.style(Role::Dim))];
        let note = if view.loading {
            Some(("Loading the history…".to_string(), Role::Dim))
        } else if let Some(failed) = &view.failed {
            Some((failed.clone(), Role::Error))
        } else if view.rows.is_empty() {
            Some(("No park has ended yet".to_string(), Role::Dim))
        } else {
            None
        };
        if let Some((text, role)) = note {
            lines.push(Line::styled(fit(&text, inner_w), p.style(role)));
        }
        let visible = usize::from(rect.height.saturating_sub(3));
        let scroll = view.scroll.min(view.rows.len().saturating_sub(visible));
        lines.extend(
            view.rows
                .iter()
                .skip(scroll)
                .take(visible)
                .map(|row| Line::styled(history_line(row, inner_w, wide), p.style(Role::Text))),
        );
        let shown = if view.rows.len() > visible {
            format!(
                "{}–{} of {}",
                scroll + 1,
                (scroll + visible).min(view.rows.len()),
                view.rows.len()
            )
        } else {
            format!("{}", view.rows.len())
        };
        let title =
            format!(" History — {shown} ended parks, newest first · Esc closes · ↑↓ scroll ");
        Clear.render(rect, buf);
        Paragraph::new(lines)
            .block(
                Block::bordered()
                    .title(fit(&title, usize::from(rect.width.saturating_sub(2))))
                    .border_style(p.style(Role::BorderFocus)),
            )
            .style(p.style(Role::Text))
            .render(rect, buf);
    }
}
