//! The activity log: one line per thing that happened, from `recent`, live events,
//! `history.list` and the console's own notes (reconnects, new epochs).

use crate::protocol::{EventFrame, Timestamp};
use serde_json::Value;
use std::collections::VecDeque;

/// How many lines the log keeps.
pub const LOG_CAPACITY: usize = 500;

/// What kind of line it is (its colour role and glyph).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogKind {
    /// A park started or changed.
    Park,
    /// A retrieve or an answered ring-back.
    Retrieve,
    /// A timeout, ring-back or fallback.
    Timeout,
    /// A caller hung up while parked.
    Abandon,
    /// A group pickup.
    Pickup,
    /// A PA announcement.
    Announce,
    /// Something failed or was refused.
    Failure,
    /// A note from the console itself.
    Note,
}

impl LogKind {
    /// The glyph before the line.
    pub fn glyph(self) -> &'static str {
        match self {
            LogKind::Park => "P",
            LogKind::Retrieve => "R",
            LogKind::Timeout => "T",
            LogKind::Abandon => "A",
            LogKind::Pickup => "U",
            LogKind::Announce => "♪",
            LogKind::Failure => "✗",
            LogKind::Note => "i",
        }
    }
}

/// One line of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    /// When it happened (engine time).
    pub at: Timestamp,
    /// Its kind.
    pub kind: LogKind,
    /// What happened.
    pub text: String,
}

/// The log, newest last, bounded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityLog {
    /// The lines, oldest first.
    pub entries: VecDeque<LogEntry>,
}

impl ActivityLog {
    /// Adds a line, dropping the oldest past [`LOG_CAPACITY`].
    pub fn push(&mut self, entry: LogEntry) {
        self.entries.push_back(entry);
        while self.entries.len() > LOG_CAPACITY {
            self.entries.pop_front();
        }
    }

    /// Adds a note from the console.
    pub fn note(&mut self, at: Timestamp, text: impl Into<String>) {
        self.push(LogEntry {
            at,
            kind: LogKind::Note,
            text: text.into(),
        });
    }
}

fn text(v: &Value, path: &[&str]) -> String {
    let mut cur = v;
    for key in path {
        cur = match cur.get(key) {
            Some(next) => next,
            None => return String::new(),
        };
    }
    match cur {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

fn caller(v: &Value, key: &str) -> String {
    let name = text(v, &[key, "name"]);
    let number = text(v, &[key, "number"]);
    match (name.is_empty(), number.is_empty()) {
        (false, false) => format!("{name} ({number})"),
        (false, true) => name,
        (true, _) => number,
    }
}

fn suffix(label: &str, value: String) -> String {
    if value.is_empty() {
        String::new()
    } else {
        format!(" {label} {value}")
    }
}

/// The ringing call a group event concerns (`data.call` names it among `data.ringing`).
fn group_call(d: &Value) -> String {
    let id = text(d, &["call"]);
    d.get("ringing")
        .and_then(Value::as_array)
        .and_then(|r| r.iter().find(|c| text(c, &["call"]) == id))
        .map(|c| caller(c, "from"))
        .filter(|s| !s.is_empty())
        .unwrap_or(id)
}

/// The log line for an engine event, or `None` for events the log does not show
/// (ringing and answering of ordinary calls: the desk pane shows those).
pub fn describe(frame: &EventFrame) -> Option<LogEntry> {
    let d = &frame.data;
    let code = text(d, &["code"]);
    let who = caller(d, "caller");
    let by = text(d, &["by"]);
    let (kind, line) = match frame.event.as_str() {
        "park.started" => (
            LogKind::Park,
            format!(
                "{code} parked: {who}{}{}",
                suffix("by", text(d, &["parked_by"])),
                suffix("for", text(d, &["for"]))
            ),
        ),
        "park.retrieving" => (
            LogKind::Retrieve,
            format!("{code} retrieving{}", suffix("by", by)),
        ),
        "park.returned" => (
            LogKind::Park,
            format!("{code} back on park: retrieve unanswered"),
        ),
        "park.timeout" => (LogKind::Timeout, format!("{code} timed out: {who}")),
        "park.ringback" => (
            LogKind::Timeout,
            format!(
                "{code} ringing back {} ({}/{})",
                text(d, &["parked_by"]),
                text(d, &["ringback"]),
                text(d, &["ringbacks_max"])
            ),
        ),
        "park.fallback" => (LogKind::Timeout, format!("{code} to fallback: {who}")),
        "park.extended" => (
            LogKind::Park,
            format!("{code} extended{}", suffix("by", by)),
        ),
        "park.failed" => {
            let why = [text(d, &["reason"]), text(d, &["cause"])]
                .into_iter()
                .find(|s| !s.is_empty())
                .unwrap_or_else(|| "no reason given".into());
            let whom = [caller(d, "caller"), caller(d, "from")]
                .into_iter()
                .find(|s| !s.is_empty())
                .unwrap_or_default();
            (LogKind::Failure, format!("park failed {whom}: {why}"))
        }
        "park.ended" => {
            let outcome = text(d, &["outcome"]);
            let kind = match outcome.as_str() {
                "retrieved" | "answered_ringback" | "answered_fallback" => LogKind::Retrieve,
                "abandoned" => LogKind::Abandon,
                "failed" | "lost" => LogKind::Failure,
                _ => LogKind::Timeout,
            };
            let what = match outcome.as_str() {
                "retrieved" => "retrieved".to_string(),
                "abandoned" => "abandoned: caller hung up".to_string(),
                "answered_ringback" => "answered on ring-back".to_string(),
                "answered_fallback" => "answered at fallback".to_string(),
                "released" => "released: nobody answered".to_string(),
                "failed" => "failed".to_string(),
                "lost" => "lost: engine restarted".to_string(),
                other => format!("ended ({other})"),
            };
            (kind, format!("{code} {what}{}: {who}", suffix("by", by)))
        }
        "pickup.ringing" => (
            LogKind::Pickup,
            format!(
                "{} {}: {} ringing",
                text(d, &["number"]),
                text(d, &["name"]),
                group_call(d)
            ),
        ),
        "pickup.picked" => {
            let rang_for = text(d, &["for"]);
            let for_part = if rang_for.is_empty() {
                String::new()
            } else {
                format!(" (rang for {rang_for})")
            };
            (
                LogKind::Pickup,
                format!(
                    "{} {}: {} picked up{}{for_part}",
                    text(d, &["number"]),
                    text(d, &["name"]),
                    group_call(d),
                    suffix("by", by),
                ),
            )
        }
        "pickup.failed" => (
            LogKind::Failure,
            format!(
                "{} {}: pickup failed{}",
                text(d, &["number"]),
                text(d, &["name"]),
                suffix(":", text(d, &["reason"]))
            ),
        ),
        "announcement.queued" => (
            LogKind::Announce,
            format!("PA queued: {}", text(d, &["text"])),
        ),
        "announcement.started" => (
            LogKind::Announce,
            format!("PA playing: {}", text(d, &["text"])),
        ),
        "announcement.finished" => (
            LogKind::Announce,
            format!("PA done: {}", text(d, &["text"])),
        ),
        "announcement.failed" => (
            LogKind::Failure,
            format!(
                "PA failed: {}{}",
                text(d, &["text"]),
                suffix("—", text(d, &["reason"]))
            ),
        ),
        "announcement.dropped" => (
            LogKind::Announce,
            format!(
                "PA dropped: {}{}",
                text(d, &["text"]),
                suffix("—", text(d, &["reason"]))
            ),
        ),
        "call.transferred" => (
            LogKind::Park,
            format!(
                "call {} transferred to {}",
                caller(d, "from"),
                text(d, &["line"])
            ),
        ),
        "engine.stopping" => (
            LogKind::Failure,
            "engine stopping: parked calls ring back".into(),
        ),
        _ => return None,
    };
    Some(LogEntry {
        at: frame.at,
        kind,
        text: line.trim_end().to_string(),
    })
}

/// The log line for one `history.list` entry (a park that has ended). The entry's shape is
/// the engine's; the fields read here are the parked object's plus `outcome` and `ended_at`.
pub fn describe_history(entry: &Value) -> Option<LogEntry> {
    let at = ["ended_at", "at", "parked_at"]
        .iter()
        .find_map(|k| entry.get(*k).and_then(Value::as_str))
        .and_then(|s| Timestamp::parse(s).ok())?;
    let code = text(entry, &["code"]);
    let outcome = text(entry, &["outcome"]);
    let who = caller(entry, "caller");
    Some(LogEntry {
        at,
        kind: LogKind::Note,
        text: format!("history: {code} {outcome}: {who}")
            .trim_end()
            .to_string(),
    })
}
