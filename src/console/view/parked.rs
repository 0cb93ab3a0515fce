//! The parked board (the orbit board): code, state, caller, "for", who parked it, when,
//! elapsed and remaining time with a band (colour + glyph + word) and a bar.

use super::super::bands::{Band, bar, state_word, timing};
use super::super::clock::{format_clock, format_duration};
use super::super::state::{Pane, State};
use super::super::theme::Role;
use super::{Paint, fit, pane_block, scroll_offset};
use crate::protocol::ParkState;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{
    Cell, HighlightSpacing, Paragraph, Row, StatefulWidget, Table, TableState, Widget,
};

/// Which columns the board has room for. Every set keeps code, state, caller, "for",
/// elapsed, time left with its band, and the bar; wider sets add the number, then who
/// parked it and when — each only where the caller and "for" columns keep a useful width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Columns {
    /// Everything (inner width from 118).
    Full,
    /// Without "by" and "parked at" (inner width from 90).
    Medium,
    /// The essentials.
    Narrow,
}

impl Columns {
    fn for_width(inner: u16) -> Columns {
        match inner {
            118.. => Columns::Full,
            90.. => Columns::Medium,
            _ => Columns::Narrow,
        }
    }

    /// The widths the table gives the caller and "for" columns (its two `Fill`s) in
    /// `inner` columns, rounded down, so a longer value is cut with `…`, not clipped.
    fn flexible_widths(self, inner: u16) -> (usize, usize) {
        // Fixed widths, plus one space between columns and the selection marker.
        let (fixed, columns, caller_share, shares) = match self {
            Columns::Full => (83, 11, 3, 5),
            Columns::Medium => (65, 9, 3, 5),
            Columns::Narrow => (38, 7, 2, 3),
        };
        let flex = usize::from(inner).saturating_sub(fixed + columns - 1 + 1);
        let caller = flex * caller_share / shares;
        (caller, flex - caller)
    }
}

/// The parked-calls pane.
pub(crate) struct ParkedBoard<'a> {
    pub state: &'a State,
    pub paint: Paint<'a>,
    pub focused: bool,
}

fn band_role(band: Band) -> Role {
    match band {
        Band::Normal => Role::Normal,
        Band::Warning => Role::Warning,
        Band::Critical => Role::Critical,
    }
}

fn state_role(state: ParkState) -> Role {
    match state {
        ParkState::Parked => Role::Parked,
        ParkState::Retrieving => Role::Retrieving,
        ParkState::RingingBack => Role::Ringback,
        ParkState::Fallback => Role::Fallback,
    }
}

impl Widget for ParkedBoard<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let state = self.state;
        let p = self.paint;
        let rows = state.parked_rows();
        let total = state.board.parked.len();
        let mut title = format!("{} ({total})", Pane::Parked.title());
        if !state.filter.is_empty() {
            title.push_str(&format!(
                " · filter '{}': {} shown",
                state.filter,
                rows.len()
            ));
        }
        title.push_str(&format!(" · by {}", state.sort.label()));
        let wide = area.width >= 100;
        let legend = if wide {
            " · ok  ▲ soon  ‼ due "
        } else {
            " ·ok ▲soon ‼due "
        };
        let block = pane_block(Pane::Parked, title, self.focused, p)
            .title_top(Line::styled(legend, p.style(Role::Dim)).right_aligned());
        let inner = block.inner(area);
        block.render(area, buf);
        if rows.is_empty() {
            let text = if total == 0 {
                "No parked calls"
            } else {
                "No parked call matches the filter"
            };
            Paragraph::new(Line::styled(format!(" {text}"), p.style(Role::Dim))).render(inner, buf);
            return;
        }
        let visible = usize::from(inner.height.saturating_sub(1)).max(1);
        let selected = state.selected_index(Pane::Parked);
        let offset = scroll_offset(selected, visible);
        let columns = Columns::for_width(inner.width);
        let bar_w: u16 = if columns == Columns::Narrow { 6 } else { 10 };
        let full = columns == Columns::Full;
        let (caller_w, for_w) = columns.flexible_widths(inner.width);
        let header_cells: Vec<&str> = match columns {
            Columns::Full => vec![
                "Code", "State", "Caller", "Number", "For", "By", "Parked", "Elapsed", "Left", "",
                "Next",
            ],
            Columns::Medium => vec![
                "Code", "State", "Caller", "Number", "For", "Elapsed", "Left", "", "Next",
            ],
            Columns::Narrow => vec!["Code", "State", "Caller", "For", "Elapsed", "Left", "Next"],
        };
        let widths: Vec<Constraint> = match columns {
            Columns::Narrow => vec![
                Constraint::Length(5),
                Constraint::Length(12),
                Constraint::Fill(2),
                Constraint::Fill(1),
                Constraint::Length(7),
                Constraint::Length(8),
                Constraint::Length(bar_w),
            ],
            _ => {
                let mut w = vec![
                    Constraint::Length(6),
                    Constraint::Length(12),
                    Constraint::Fill(3),
                    Constraint::Length(17),
                    Constraint::Fill(2),
                ];
                if full {
                    w.extend([Constraint::Length(10), Constraint::Length(8)]);
                }
                w.extend([
                    Constraint::Length(7),
                    Constraint::Length(7),
                    Constraint::Length(6),
                    Constraint::Length(bar_w),
                ]);
                w
            }
        };
        let body: Vec<Row> = rows
            .iter()
            .skip(offset)
            .take(visible)
            .map(|entry| {
                let t = timing(entry, state.now, state.warning_share);
                let pk = &entry.parked;
                let band = band_role(t.band);
                let caller = if pk.caller.name.is_empty() {
                    pk.caller.number.clone()
                } else {
                    pk.caller.name.clone()
                };
                let note = fit(pk.for_note.as_deref().unwrap_or_default(), for_w);
                let mut cells = vec![
                    Cell::from(pk.code.clone()).style(p.style(Role::Text)),
                    Cell::from(state_word(entry)).style(p.style(state_role(pk.state))),
                    Cell::from(fit(&caller, caller_w)),
                ];
                if columns == Columns::Narrow {
                    cells.push(Cell::from(note));
                    cells.push(Cell::from(format_duration(t.elapsed)).style(p.style(Role::Time)));
                    cells.push(
                        Cell::from(format!(
                            "{} {}",
                            t.band.glyph(),
                            format_duration(t.remaining)
                        ))
                        .style(p.style(band)),
                    );
                } else {
                    cells.push(Cell::from(pk.caller.number.clone()));
                    cells.push(Cell::from(note));
                    if full {
                        cells.push(Cell::from(pk.parked_by.clone()));
                        cells.push(
                            Cell::from(format_clock(pk.parked_at)).style(p.style(Role::Time)),
                        );
                    }
                    cells.push(Cell::from(format_duration(t.elapsed)).style(p.style(Role::Time)));
                    cells.push(Cell::from(format_duration(t.remaining)).style(p.style(band)));
                    cells.push(
                        Cell::from(format!("{} {}", t.band.glyph(), t.band.word()))
                            .style(p.style(band)),
                    );
                }
                cells.push(Cell::from(bar(t.used, usize::from(bar_w))).style(p.style(Role::Bar)));
                Row::new(cells)
            })
            .collect();
        let highlight = if self.focused {
            p.style(Role::Selection)
        } else {
            Default::default()
        };
        let table = Table::new(body, widths)
            .header(Row::new(header_cells).style(p.style(Role::Dim)))
            .column_spacing(1)
            .row_highlight_style(highlight)
            .highlight_symbol("▸")
            .highlight_spacing(HighlightSpacing::Always);
        let mut table_state = TableState::default().with_selected(selected.map(|s| s - offset));
        StatefulWidget::render(table, inner, buf, &mut table_state);
    }
}
