//! The header line (who, connection, clock, counts, READ-ONLY badge) and the banner shown
//! while the engine is unreachable, refused us, or is stopping.

use super::super::clock::format_clock;
use super::super::state::{ConnState, State};
use super::super::theme::Role;
use super::Paint;
use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

/// The header line.
pub(crate) struct Header<'a> {
    pub state: &'a State,
    pub paint: Paint<'a>,
    pub wide: bool,
}

impl Widget for Header<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let state = self.state;
        let p = self.paint;
        buf.set_style(area, p.style(Role::Header));
        let (conn_word, conn_role) = match &state.conn {
            ConnState::Online => ("● online", Role::Connected),
            ConnState::Connecting { .. } => ("◌ connecting", Role::Warning),
            ConnState::Offline { .. } => ("✗ OFFLINE", Role::Critical),
            ConnState::Failed(_) => ("✗ REFUSED", Role::Critical),
        };
        let mut left = vec![Span::styled(" parkdesk ", p.style(Role::Header))];
        if let Some(s) = &state.session {
            let roles = s.roles.join(",");
            left.push(Span::styled(
                format!("│ {} ({roles}) ", s.user),
                p.style(Role::Header),
            ));
            if self.wide {
                left.push(Span::styled(
                    format!("│ {} ", s.engine),
                    p.style(Role::Header),
                ));
            }
        }
        left.push(Span::styled("│ ", p.style(Role::Header)));
        left.push(Span::styled(
            conn_word,
            p.style(Role::Header).patch(p.style(conn_role)),
        ));
        Paragraph::new(Line::from(left)).render(area, buf);

        let parked = state.board.parked.len();
        let expiring = state.expiring_count();
        let ringing = state.board.ringing_at(state.my_line()) + state.board.ringing_in_groups();
        let mut right = vec![
            Span::styled(format!("P {parked} parked "), p.style(Role::Header)),
            Span::styled(
                format!("▲ {expiring} soon "),
                if expiring > 0 {
                    p.style(Role::Warning)
                } else {
                    p.style(Role::Header)
                },
            ),
            Span::styled(format!("☎ {ringing} ringing "), p.style(Role::Header)),
            Span::styled(
                format!("│ {}Z ", format_clock(state.now)),
                p.style(Role::Header),
            ),
        ];
        if state.read_only() {
            right.push(Span::styled(" READ-ONLY ", p.style(Role::ReadOnly)));
        }
        Paragraph::new(Line::from(right))
            .alignment(Alignment::Right)
            .render(area, buf);
    }
}

/// The banner under the header.
pub(crate) struct Banner<'a> {
    pub state: &'a State,
    pub paint: Paint<'a>,
}

impl Widget for Banner<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let state = self.state;
        let text = match &state.conn {
            ConnState::Offline {
                reason,
                attempt,
                retry_in,
                since,
            } => {
                let next = if *retry_in > 0 {
                    format!(", next in {retry_in} s")
                } else {
                    String::new()
                };
                format!(
                    " ⚠ ENGINE UNREACHABLE since {}Z ({reason}) — reconnecting, attempt {attempt}{next} — last known state shown greyed",
                    format_clock(*since)
                )
            }
            ConnState::Failed(message) => {
                format!(" ✗ The engine refused this console: {message} — q quits")
            }
            _ if state.engine_stopping => {
                " ⚠ The engine is stopping: parked calls are being rung back".to_string()
            }
            _ => String::new(),
        };
        buf.set_style(area, self.paint.style(Role::Offline));
        Paragraph::new(Line::styled(text, self.paint.style(Role::Offline))).render(area, buf);
    }
}
