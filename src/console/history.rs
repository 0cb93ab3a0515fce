//! Park history on demand: the parks that have ended, as `history.list` returns them,
//! shown newest first in an overlay (not mixed into the live activity log).

use super::activity::outcome_words;
use crate::protocol::Timestamp;
use serde_json::Value;

/// How many entries the console asks for.
pub const HISTORY_LIMIT: u32 = 100;

/// One ended park.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    /// The code it was parked on.
    pub code: String,
    /// The caller, "Name (number)".
    pub caller: String,
    /// Who parked it.
    pub parked_by: String,
    /// Who it was for, if said.
    pub for_note: String,
    /// When it was parked.
    pub parked_at: Option<Timestamp>,
    /// When it ended.
    pub ended_at: Option<Timestamp>,
    /// How it ended (`retrieved`, `abandoned`, …).
    pub outcome: String,
    /// Who took or released it, where known.
    pub by: String,
}

fn field(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn time(v: &Value, key: &str) -> Option<Timestamp> {
    v.get(key)
        .and_then(Value::as_str)
        .and_then(|s| Timestamp::parse(s).ok())
}

impl HistoryRow {
    /// A `history.list` entry; `None` without a code. Fields the engine leaves out read as
    /// blank.
    pub fn from_value(v: &Value) -> Option<HistoryRow> {
        let code = v.get("code").and_then(Value::as_str)?.to_string();
        let name = v
            .get("caller")
            .map(|c| field(c, "name"))
            .unwrap_or_default();
        let number = v
            .get("caller")
            .map(|c| field(c, "number"))
            .unwrap_or_default();
        let caller = match (name.is_empty(), number.is_empty()) {
            (false, false) => format!("{name} ({number})"),
            (false, true) => name,
            (true, _) => number,
        };
        Some(HistoryRow {
            code,
            caller,
            parked_by: field(v, "parked_by"),
            for_note: field(v, "for"),
            parked_at: time(v, "parked_at"),
            ended_at: time(v, "ended_at"),
            outcome: field(v, "outcome"),
            by: field(v, "by"),
        })
    }

    /// Seconds it was parked, when both times are known.
    pub fn held_seconds(&self) -> Option<i64> {
        Some(super::clock::seconds_between(
            self.parked_at?,
            self.ended_at?,
        ))
    }

    /// How it ended, in words.
    pub fn outcome_text(&self) -> String {
        outcome_words(&self.outcome, &self.by)
    }
}

/// The history overlay: loading, loaded, or refused.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HistoryView {
    /// The rows, newest first.
    pub rows: Vec<HistoryRow>,
    /// Waiting for the engine's answer.
    pub loading: bool,
    /// Why the engine's answer did not come, if it did not.
    pub failed: Option<String>,
    /// Rows scrolled past.
    pub scroll: usize,
}

impl HistoryView {
    /// The overlay while the request is out.
    pub fn loading() -> HistoryView {
        HistoryView {
            loading: true,
            ..HistoryView::default()
        }
    }

    /// Fills it from a `history.list` answer: newest first whatever order the engine used.
    pub fn loaded(ok: &Value) -> HistoryView {
        let mut rows: Vec<HistoryRow> = ok
            .get("entries")
            .and_then(Value::as_array)
            .map(|list| list.iter().filter_map(HistoryRow::from_value).collect())
            .unwrap_or_default();
        rows.sort_by_key(|r| std::cmp::Reverse(r.ended_at));
        HistoryView {
            rows,
            ..HistoryView::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn entries_load_newest_first_with_the_outcome_in_words() {
        let ok = json!({"entries": [
            {"code": "701", "caller": {"name": "Ada", "number": "+1"}, "parked_by": "reception",
             "parked_at": "2026-11-21T10:00:00.000Z", "ended_at": "2026-11-21T10:01:05.000Z",
             "outcome": "retrieved", "by": "bob"},
            {"code": "702", "caller": {"name": "", "number": "+2"}, "parked_by": "reception",
             "parked_at": "2026-11-21T10:02:00.000Z", "ended_at": "2026-11-21T10:03:00.000Z",
             "outcome": "released", "by": "reception"},
            {"caller": {"name": "no code"}},
        ]});
        let view = HistoryView::loaded(&ok);
        assert!(!view.loading);
        let codes: Vec<&str> = view.rows.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(
            codes,
            ["702", "701"],
            "newest first; an entry without a code is skipped"
        );
        assert_eq!(view.rows[0].caller, "+2");
        assert_eq!(view.rows[0].outcome_text(), "hung up by reception");
        assert_eq!(view.rows[1].caller, "Ada (+1)");
        assert_eq!(view.rows[1].held_seconds(), Some(65));
        assert_eq!(view.rows[1].outcome_text(), "retrieved by bob");
    }

    #[test]
    fn a_released_park_without_a_hand_in_it_reads_as_nobody_answered() {
        let row =
            HistoryRow::from_value(&json!({"code": "703", "outcome": "released"})).expect("row");
        assert_eq!(row.outcome_text(), "released: nobody answered");
        assert_eq!(row.held_seconds(), None);
    }
}
