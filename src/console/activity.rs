//! The activity log: one line per thing that happened, from `recent`, live events and the
//! console's own notes (reconnects, new epochs). Each line reads as what the receptionist
//! did or saw: a park reads as a park (the `call.transferred` the engine sends along with
//! `park.started` adds nothing), a call is named by its caller, not its id.

use super::board::Board;
use crate::protocol::{CallState, EventFrame, Timestamp};
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
    /// An ordinary call transferred or ended at the desk.
    Call,
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
            LogKind::Call => "C",
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

/// What the log knows besides the event itself: the board as it was just before the event
/// (to name a call by its caller, or tell a desk call from a parked one) and my line.
#[derive(Debug, Clone, Copy)]
pub struct LogContext<'a> {
    /// The board before the event was applied.
    pub board: &'a Board,
    /// The console's own line (the `hello` user).
    pub my_line: &'a str,
}

/// "Name (number)" of the call `id`, from the event's `ringing` list or the board; the id
/// when neither knows it.
fn call_label(d: &Value, id: &str, ctx: &LogContext<'_>) -> String {
    d.get("ringing")
        .and_then(Value::as_array)
        .and_then(|r| r.iter().find(|c| text(c, &["call"]) == id))
        .map(|c| caller(c, "from"))
        .filter(|s| !s.is_empty())
        .or_else(|| {
            ctx.board.calls.get(id).map(|c| {
                if c.from.name.is_empty() {
                    c.from.number.clone()
                } else {
                    format!("{} ({})", c.from.name, c.from.number)
                }
            })
        })
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| id.to_string())
}

/// Whether a group event's `call` is among its `ringing` calls (a `pickup.ringing` for a
/// call that left the list only says it stopped ringing there).
fn rings_in_group(d: &Value) -> bool {
    let id = text(d, &["call"]);
    d.get("ringing")
        .and_then(Value::as_array)
        .is_some_and(|r| r.iter().any(|c| text(c, &["call"]) == id))
}

/// How a park ended, in words (`by` names who took or released it, where known).
pub fn outcome_words(outcome: &str, by: &str) -> String {
    let by_part = suffix("by", by.to_string());
    match outcome {
        "retrieved" => format!("retrieved{by_part}"),
        "abandoned" => "abandoned: caller hung up".to_string(),
        "answered_ringback" => format!("answered on ring-back{by_part}"),
        "answered_fallback" => format!("answered at fallback{by_part}"),
        "released" if !by.is_empty() => format!("hung up{by_part}"),
        "released" => "released: nobody answered".to_string(),
        "failed" => "failed".to_string(),
        "lost" => "lost: the engine stopped".to_string(),
        other => format!("ended ({other}){by_part}"),
    }
}

/// The log line for an engine event, or `None` for events the log does not show: ringing
/// and answering of ordinary calls (the desk pane shows those), the `call.transferred` of
/// a park, a call leaving a group's ringing list, the end of a call not at my desk.
pub fn describe(frame: &EventFrame, ctx: &LogContext<'_>) -> Option<LogEntry> {
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
        "park.extended" => {
            let due = d
                .get("expires_at")
                .and_then(Value::as_str)
                .and_then(|s| Timestamp::parse(s).ok())
                .map(|t| format!(", now due {}", super::clock::format_clock(t)))
                .unwrap_or_default();
            (
                LogKind::Park,
                format!("{code} extended{}{due}", suffix("by", by)),
            )
        }
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
            (
                kind,
                format!("{code} {}: {who}", outcome_words(&outcome, &by)),
            )
        }
        "pickup.ringing" if rings_in_group(d) => (
            LogKind::Pickup,
            format!(
                "{} {}: {} ringing",
                text(d, &["number"]),
                text(d, &["name"]),
                call_label(d, &text(d, &["call"]), ctx)
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
                    call_label(d, &text(d, &["call"]), ctx),
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
        // A park moves the call off its line as well: `park.started` tells that story.
        "call.transferred" if text(d, &["state"]) == "parked" => return None,
        "call.transferred" => (
            LogKind::Call,
            format!(
                "{} transferred to {}{}",
                caller(d, "from"),
                text(d, &["line"]),
                suffix("by", by)
            ),
        ),
        "call.ended" => {
            // Only a call that was at my desk: a parked call's end is its `park.ended`.
            let id = text(d, &["call"]);
            let was = ctx
                .board
                .calls
                .get(&id)
                .filter(|c| c.line == ctx.my_line)
                .map(|c| c.state);
            let missed = match was {
                Some(CallState::Ringing) => true,
                Some(CallState::Connected | CallState::Held) => false,
                _ => return None,
            };
            let what = match text(d, &["cause"]).as_str() {
                "hangup" if missed => "hung up before it was answered".to_string(),
                "hangup" => "hung up".to_string(),
                "dead" => "dropped: the line died".to_string(),
                "released" => "released (hung up)".to_string(),
                "" => "ended".to_string(),
                other => format!("ended ({other})"),
            };
            (LogKind::Call, format!("{} {what}", caller(d, "from")))
        }
        "engine.stopping" => (
            LogKind::Failure,
            "engine stopping: parked calls ring back".into(),
        ),
        "engine.restarting" => (
            LogKind::Failure,
            "engine restarting: calls stay up; reconnecting".into(),
        ),
        _ => return None,
    };
    Some(LogEntry {
        at: frame.at,
        kind,
        text: line.trim_end().to_string(),
    })
}
