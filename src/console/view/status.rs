//! The status line: what is being typed (palette, filter, find, jump), else the last
//! message (a refusal shows as an error), and the key hints for the focused pane, drawn
//! from the live key map.

use super::super::action::Action;
use super::super::state::{Overlay, Pane, State};
use super::super::theme::Role;
use super::Paint;
use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

/// The status line.
pub(crate) struct StatusLine<'a> {
    pub state: &'a State,
    pub paint: Paint<'a>,
}

/// What the palette takes, shown while its line is still empty (when it fits).
const PALETTE_COMMANDS: &str = "park · retrieve · announce · extend · pickup · transfer · hangup · find · sort · history · help";

/// The actions hinted for a pane, most useful first.
pub fn hinted_actions(pane: Pane) -> &'static [Action] {
    match pane {
        Pane::Parked => &[
            Action::Retrieve,
            Action::Announce,
            Action::Extend,
            Action::Transfer,
            Action::Filter,
        ],
        Pane::Desk => &[
            Action::Park,
            Action::ParkNext,
            Action::Transfer,
            Action::Hangup,
        ],
        Pane::Groups => &[Action::Pickup],
        Pane::Directory => &[Action::Find, Action::Transfer],
        Pane::Log => &[Action::History],
    }
}

impl Widget for StatusLine<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let state = self.state;
        let p = self.paint;
        let prompt = match &state.overlay {
            Some(Overlay::Palette(text))
                if text.is_empty()
                    && area.width as usize >= PALETTE_COMMANDS.chars().count() + 4 =>
            {
                Some((":", text.as_str(), PALETTE_COMMANDS))
            }
            Some(Overlay::Palette(text)) => Some((":", text.as_str(), "Enter run · Esc cancel")),
            Some(Overlay::Filter(text)) => {
                Some(("filter /", text.as_str(), "Enter keep · Esc clear"))
            }
            Some(Overlay::Find(text)) => {
                Some(("find ", text.as_str(), "Enter search · Esc cancel"))
            }
            Some(Overlay::Jump(text)) => {
                Some(("jump to code ", text.as_str(), "digits · Enter done"))
            }
            _ => None,
        };
        if let Some((label, text, help)) = prompt {
            let line = Line::from(vec![
                Span::styled(label, p.style(Role::Key)),
                Span::styled(text.to_string(), p.style(Role::Text)),
                Span::styled("▏", p.style(Role::Key)),
            ]);
            Paragraph::new(line).render(area, buf);
            Paragraph::new(Line::styled(format!("{help} "), p.style(Role::Dim)))
                .alignment(Alignment::Right)
                .render(area, buf);
            return;
        }
        let mut used = 0usize;
        if let Some(status) = &state.status {
            let (glyph, role) = if status.error {
                ("✗ ", Role::Error)
            } else {
                ("✓ ", Role::Info)
            };
            let text = format!("{glyph}{}", status.text);
            used = text.chars().count() + 2;
            Paragraph::new(Line::styled(text, p.style(role))).render(area, buf);
        }
        // Hints: pane actions first, then help and quit, dropped from the front if short.
        let mut hints: Vec<(String, &str)> = Vec::new();
        for action in hinted_actions(state.focus) {
            let info = action.info();
            if info.mutating && state.read_only() {
                continue;
            }
            if let Some(key) = state.keys.first_key(*action) {
                hints.push((key, info.hint));
            }
        }
        for action in [Action::Help, Action::Quit] {
            if let Some(key) = state.keys.first_key(action) {
                hints.push((key, action.info().hint));
            }
        }
        let width = |h: &[(String, &str)]| -> usize {
            h.iter()
                .map(|(k, l)| k.chars().count() + l.chars().count() + 3)
                .sum()
        };
        let room = usize::from(area.width).saturating_sub(used);
        while !hints.is_empty() && width(&hints) > room {
            hints.remove(0);
        }
        let mut spans = Vec::new();
        for (key, label) in hints {
            spans.push(Span::styled(key, p.style(Role::Key)));
            spans.push(Span::styled(format!(" {label}  "), p.style(Role::Dim)));
        }
        Paragraph::new(Line::from(spans))
            .alignment(Alignment::Right)
            .render(area, buf);
    }
}
