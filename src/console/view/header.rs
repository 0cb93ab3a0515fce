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

fn width(spans: &[Span<'_>]) -> usize {
    spans.iter().map(|s| s.content.chars().count()).sum()
}

impl Widget for Header<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let state = self.state;
        let p = self.paint;
        let h = p.style(Role::Header);
        buf.set_style(area, h);
        let (conn_word, conn_role) = match &state.conn {
            ConnState::Online => ("● online", Role::Connected),
            ConnState::Connecting { .. } => ("◌ connecting", Role::Warning),
            ConnState::Offline { .. } => ("✗ OFFLINE", Role::Critical),
            ConnState::Failed(_) => ("✗ REFUSED", Role::Critical),
        };
        let parked = state.board.parked.len();
        let expiring = state.expiring_count();
        let ringing = state.board.ringing_at(state.my_line()) + state.board.ringing_in_groups();
        let clock = match state.session {
            Some(_) => format!("{}Z", format_clock(state.now)),
            None => "--:--:--".to_string(),
        };
        let soon = if expiring > 0 {
            h.patch(p.style(Role::Warning))
        } else {
            h
        };
        let badge = state
            .read_only()
            .then(|| Span::styled(" READ-ONLY ", p.style(Role::ReadOnly)));
        // Full form first; a compact one when it does not fit the width.
        let full = |compact: bool| -> (Vec<Span<'static>>, Vec<Span<'static>>) {
            let mut left = vec![Span::styled(if compact { " " } else { " parkdesk │ " }, h)];
            if let Some(s) = &state.session {
                let who = if compact {
                    s.user.clone()
                } else {
                    format!("{} ({})", s.user, s.roles.join(","))
                };
                left.push(Span::styled(format!("{who} │ "), h));
                if self.wide && !compact {
                    left.push(Span::styled(format!("{} │ ", s.engine), h));
                }
            }
            left.push(Span::styled(conn_word, h.patch(p.style(conn_role))));
            let mut right = if compact {
                vec![
                    Span::styled(format!("P {parked} "), h),
                    Span::styled(format!("▲ {expiring} "), soon),
                    Span::styled(format!("☎ {ringing} "), h),
                ]
            } else {
                vec![
                    Span::styled(format!("P {parked} parked  "), h),
                    Span::styled(format!("▲ {expiring} soon  "), soon),
                    Span::styled(format!("☎ {ringing} ringing "), h),
                ]
            };
            right.push(Span::styled(format!("│ {clock} "), h));
            if let Some(b) = &badge {
                right.push(b.clone());
            }
            (left, right)
        };
        let (mut left, mut right) = full(false);
        if width(&left) + width(&right) + 1 > usize::from(area.width) {
            (left, right) = full(true);
        }
        Paragraph::new(Line::from(left)).render(area, buf);
        let right_w = u16::try_from(width(&right))
            .unwrap_or(area.width)
            .min(area.width);
        let right_area = Rect::new(area.x + area.width - right_w, area.y, right_w, 1);
        Paragraph::new(Line::from(right))
            .alignment(Alignment::Right)
            .render(right_area, buf);
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
        let narrow = area.width < 110;
        let text = match &state.conn {
            ConnState::Offline {
                reason,
                attempt,
                retry_in,
                since,
            } => {
                let next = if *retry_in > 0 {
                    format!(" in {retry_in} s")
                } else {
                    String::new()
                };
                // Before the first `hello` there is no last state to grey, nor engine time.
                let seen = state.session.is_some();
                match (narrow, seen) {
                    (true, true) => format!(
                        " ⚠ ENGINE UNREACHABLE — retry {attempt}{next} — last state shown greyed"
                    ),
                    (true, false) => {
                        format!(
                            " ⚠ ENGINE UNREACHABLE — retry {attempt}{next} — nothing received yet"
                        )
                    }
                    // The reason last: it is the longest part, and the one to lose if cut.
                    (false, true) => format!(
                        " ⚠ ENGINE UNREACHABLE since {}Z — reconnecting, attempt {attempt}{next} — last known state shown greyed — {reason}",
                        format_clock(*since)
                    ),
                    (false, false) => format!(
                        " ⚠ ENGINE UNREACHABLE — connecting, attempt {attempt}{next} — nothing received yet — {reason}"
                    ),
                }
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
        let text = super::fit(&text, usize::from(area.width));
        Paragraph::new(Line::styled(text, self.paint.style(Role::Offline))).render(area, buf);
    }
}
