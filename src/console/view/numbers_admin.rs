//! The numbers admin pane: tabs for operators, numbers and addresses, the selected row
//! marked with `▶` (not by colour alone), the tab's keys in the title, and the question or
//! input on the bottom line.

use super::super::numbers_admin::{AdminPrompt, AdminTab, AdminView};
use super::super::theme::Role;
use super::overlays::centered;
use super::{Paint, fit, scroll_offset};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

/// The pane over the board.
pub(crate) struct NumbersBox<'a> {
    pub view: &'a AdminView,
    pub paint: Paint<'a>,
}

fn header(tab: AdminTab) -> String {
    match tab {
        AdminTab::Operators => format!(
            "  {:<12} {:<18} {:<10} {:<10} {:<18} {}",
            "Id", "Name", "Countries", "State", "Addresses", "Numbers"
        ),
        AdminTab::Numbers => format!(
            "  {:<18} {:<17} {:<9} {:<3} {:<12} {:<11} {}",
            "Number", "Source", "Operator", "Ctr", "State", "User", "Address"
        ),
        AdminTab::Addresses => format!(
            "  {:<10} {:<16} {:<40} {}",
            "Id", "Company", "Address", "Numbers"
        ),
    }
}

fn lines(view: &AdminView) -> Vec<(String, Role)> {
    match view.tab {
        AdminTab::Operators => view
            .operators
            .iter()
            .map(|o| {
                let role = if o.state == "suspended" {
                    Role::Warning
                } else {
                    Role::Text
                };
                let state = if o.state == "suspended" {
                    "⏸ suspended"
                } else {
                    "active"
                };
                (
                    format!(
                        "{:<12} {:<18} {:<10} {:<10} {:<18} {} ({} assigned)",
                        fit(&o.id, 12),
                        fit(&o.name, 18),
                        fit(&o.countries, 10),
                        state,
                        fit(&o.address_mode, 18),
                        o.numbers,
                        o.assigned
                    ),
                    role,
                )
            })
            .collect(),
        AdminTab::Numbers => view
            .numbers
            .iter()
            .map(|n| {
                let state = if n.in_service {
                    n.state.clone()
                } else {
                    format!("{} ⊘", n.state)
                };
                let role = if n.in_service {
                    Role::Text
                } else {
                    Role::Warning
                };
                (
                    format!(
                        "{:<18} {:<17} {:<9} {:<3} {:<12} {:<11} {}",
                        fit(&n.number, 18),
                        n.source,
                        fit(&n.operator, 9),
                        n.country,
                        state,
                        fit(&n.user, 11),
                        n.address
                    ),
                    role,
                )
            })
            .collect(),
        AdminTab::Addresses => view
            .addresses
            .iter()
            .map(|a| {
                (
                    format!(
                        "{:<10} {:<16} {:<40} {}",
                        fit(&a.id, 10),
                        fit(&a.company, 16),
                        fit(&a.line, 40),
                        a.numbers
                    ),
                    Role::Text,
                )
            })
            .collect(),
    }
}

impl Widget for NumbersBox<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let p = self.paint;
        let view = self.view;
        let rect = centered(
            area,
            area.width.saturating_sub(2).min(110),
            area.height.saturating_sub(2),
        );
        let inner_w = usize::from(rect.width.saturating_sub(2));
        let mut tabs = Vec::new();
        for (i, tab) in AdminTab::ALL.iter().enumerate() {
            let count = match tab {
                AdminTab::Operators => view.operators.len() as u64,
                AdminTab::Numbers => view.numbers_total,
                AdminTab::Addresses => view.addresses.len() as u64,
            };
            let label = format!(" {} {} ({count}) ", i + 1, tab.title());
            if *tab == view.tab {
                tabs.push(Span::styled(
                    format!("[{}]", label.trim()),
                    p.style(Role::Selection),
                ));
            } else {
                tabs.push(Span::styled(label, p.style(Role::Dim)));
            }
            tabs.push(Span::raw(" "));
        }
        let mut out = vec![
            Line::from(tabs),
            Line::styled(fit(&header(view.tab), inner_w), p.style(Role::Header)),
        ];
        let rows = lines(view);
        let note = if view.loading > 0 && rows.is_empty() {
            Some(("Loading…".to_string(), Role::Dim))
        } else if let Some(failed) = &view.failed {
            Some((failed.clone(), Role::Error))
        } else if rows.is_empty() {
            Some((
                format!("No {} yet", view.tab.title().to_lowercase()),
                Role::Dim,
            ))
        } else {
            None
        };
        if let Some((text, role)) = note {
            out.push(Line::styled(fit(&text, inner_w), p.style(role)));
        }
        let visible = usize::from(rect.height.saturating_sub(5)).max(1);
        let selected = view.selected();
        let first = scroll_offset(selected, visible);
        for (i, (text, role)) in rows.into_iter().enumerate().skip(first).take(visible) {
            let chosen = Some(i) == selected;
            let marker = if chosen { "▶ " } else { "  " };
            let style = if chosen {
                p.style(Role::Selection)
            } else {
                p.style(role)
            };
            out.push(Line::styled(
                fit(&format!("{marker}{text}"), inner_w),
                style,
            ));
        }
        let used = out.len();
        let bottom = usize::from(rect.height.saturating_sub(2));
        for _ in used..bottom.saturating_sub(1) {
            out.push(Line::raw(""));
        }
        let footer = match &view.prompt {
            Some(AdminPrompt::Confirm { question, .. }) => Line::styled(
                fit(&format!("{question} y/n"), inner_w),
                p.style(Role::Warning),
            ),
            Some(AdminPrompt::Assign { number, user }) => Line::styled(
                fit(
                    &format!("Assign {number} to user: {user}▏ Enter assigns · Esc cancels"),
                    inner_w,
                ),
                p.style(Role::Key),
            ),
            None => Line::styled(
                fit(
                    &format!(
                        "{} · Tab switches · ↑↓ select · r refresh · Esc closes",
                        view.tab.hints()
                    ),
                    inner_w,
                ),
                p.style(Role::Key),
            ),
        };
        out.push(footer);
        let title = " Numbers admin — operators, numbers, emergency addresses ";
        Clear.render(rect, buf);
        Paragraph::new(out)
            .block(
                Block::bordered()
                    .title(fit(title, inner_w))
                    .border_style(p.style(Role::BorderFocus)),
            )
            .style(p.style(Role::Text))
            .render(rect, buf);
    }
}
