//! Replies to requests, read by the [`Pending`] kind stored with their ticket: what the
//! status line says, and what a reply fills (the directory, the history, the admin lists).

use super::super::clock::format_clock;
use super::super::history::HistoryView;
use super::super::state::{DirectoryEntry, Overlay, State};
use super::requests::{InFlight, Pending};
use super::{error, info};
use crate::protocol::{ErrorCode, Timestamp};
use serde_json::Value;

/// Why the engine (or the connection) refused a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The engine's code; `None` when the request never reached it.
    pub code: Option<ErrorCode>,
    /// The message.
    pub message: String,
}

/// The words for an engine refusal code.
pub fn refusal_words(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::Unauthenticated => "not signed in",
        ErrorCode::UnsupportedProtocol => "unsupported protocol",
        ErrorCode::Forbidden => "not allowed",
        ErrorCode::BadRequest => "bad request",
        ErrorCode::UnknownOp => "unknown operation",
        ErrorCode::NotFound => "not found",
        ErrorCode::RangeFull => "range full",
        ErrorCode::CodeTaken => "code taken",
        ErrorCode::PolicyDenied => "policy denies it",
        ErrorCode::Conflict => "conflict",
        ErrorCode::RateLimited => "too many requests",
        ErrorCode::Internal => "engine error",
    }
}

fn str_field(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn due(v: &Value) -> String {
    v.get("expires_at")
        .and_then(Value::as_str)
        .and_then(|s| Timestamp::parse(s).ok())
        .map(|t| format!(", due {}", format_clock(t)))
        .unwrap_or_default()
}

/// Reads the reply to `ticket` by the kind of request it answers.
pub(super) fn on_reply(state: &mut State, ticket: u64, result: Result<Value, Refusal>) {
    let Some(InFlight { pending, label }) = state.pending.remove(&ticket) else {
        return;
    };
    let ok = match result {
        Ok(ok) => ok,
        Err(refusal) => return on_refusal(state, &pending, &label, refusal),
    };
    match pending {
        Pending::Park => {
            let code = str_field(&ok, "code");
            let spoken = str_field(&ok, "spoken");
            let spoken = if spoken.is_empty() {
                String::new()
            } else {
                format!(" ({spoken})")
            };
            info(state, format!("Parked on {code}{spoken}{}", due(&ok)));
            state.selected.parked = Some(code);
        }
        Pending::Extend => info(state, format!("{label} done{}", due(&ok))),
        Pending::Find => {
            let users: Vec<DirectoryEntry> = ok
                .get("users")
                .and_then(Value::as_array)
                .map(|list| list.iter().filter_map(DirectoryEntry::from_value).collect())
                .unwrap_or_default();
            let n = users.len();
            state.directory = users;
            state.selected.directory = 0;
            info(state, format!("{n} found for '{}'", state.directory_query));
        }
        Pending::AdminList(list) => {
            if let Some(Overlay::Numbers(view)) = &mut state.overlay {
                view.loaded(list, &ok);
            }
            // A change's message stays; the lists that follow it say nothing.
            if state
                .status
                .as_ref()
                .is_some_and(|s| s.text.starts_with("Loading"))
            {
                state.status = None;
            }
        }
        Pending::History => {
            let view = HistoryView::loaded(&ok);
            let n = view.rows.len();
            if let Some(Overlay::History(open)) = &mut state.overlay {
                *open = view;
            }
            let parks = if n == 1 { "park" } else { "parks" };
            info(state, format!("History: {n} ended {parks}"));
        }
        // Both only start a ring: the log says when it is answered (or comes back).
        Pending::Retrieve { to: None } => info(state, format!("{label}: ringing your line")),
        Pending::Retrieve { to: Some(_) } | Pending::Transfer => {
            info(state, format!("{label}: ringing"))
        }
        Pending::Announce => {
            let announcement = ok.get("announcement").cloned().unwrap_or_default();
            match announcement.get("state").and_then(Value::as_str) {
                // Refused at once (no station for the zone, say): an error, with the reason.
                Some(how @ ("failed" | "dropped")) => {
                    let why = str_field(&announcement, "reason");
                    let why = if why.is_empty() {
                        String::new()
                    } else {
                        format!(": {why}")
                    };
                    error(state, format!("{label} {how}{why}"))
                }
                Some("playing") => info(state, format!("{label}: playing on the PA")),
                _ => info(state, format!("{label}: queued for the PA")),
            }
        }
        Pending::Pickup | Pending::Hangup | Pending::AdminChange => {
            info(state, format!("{label} done"))
        }
    }
}

/// Says why a request was refused; a list that was refused says so where it would show.
fn on_refusal(state: &mut State, pending: &Pending, label: &str, refusal: Refusal) {
    let text = match refusal.code {
        Some(code) => format!(
            "{label} refused — {}: {}",
            refusal_words(code),
            refusal.message
        ),
        None => format!("{label} not done — {}", refusal.message),
    };
    match (pending, &mut state.overlay) {
        (Pending::History, Some(Overlay::History(view))) => {
            view.loading = false;
            view.failed = Some(text.clone());
        }
        (Pending::AdminList(_), Some(Overlay::Numbers(view))) => view.list_failed(text.clone()),
        _ => {}
    }
    error(state, text);
}
