//! The connection and the engine's events: connecting, the snapshot on (re)subscribing,
//! events applied to the board and logged, replies handed to [`super::replies`], losing the
//! connection and being refused for good.

use super::super::activity::{LogContext, LogEntry, LogKind, describe};
use super::super::board::Board;
use super::super::state::{ConnState, Session, State};
use super::error;
use super::replies::{Refusal, on_reply};
use crate::protocol::{EventFrame, HelloOk, Snapshot};
use serde_json::Value;

/// What the connection task reports.
#[derive(Debug, Clone, PartialEq)]
pub enum ConnEvent {
    /// Trying to connect.
    Connecting {
        /// Attempt number.
        attempt: u32,
    },
    /// `hello` answered.
    Connected {
        /// The answer.
        hello: HelloOk,
    },
    /// Subscribed with a fresh snapshot.
    Snapshot {
        /// The state now.
        snapshot: Snapshot,
        /// The engine restarted since our last connection.
        new_epoch: bool,
    },
    /// Subscribed, resuming: `replayed` missed events follow.
    Resumed {
        /// How many.
        replayed: u64,
    },
    /// An event.
    Event(EventFrame),
    /// A reply to a request.
    Reply {
        /// The request's ticket.
        ticket: u64,
        /// Its result.
        result: Result<Value, Refusal>,
    },
    /// The connection was lost; the task retries after `retry_in` seconds.
    Lost {
        /// Why.
        reason: String,
        /// Attempts so far.
        attempt: u32,
        /// Seconds to the next attempt.
        retry_in: u64,
    },
    /// The engine refused us for good (bad token, protocol).
    Fatal {
        /// Why.
        message: String,
    },
}

/// Follows what the connection task reports.
pub(super) fn on_conn(state: &mut State, event: ConnEvent) {
    match event {
        ConnEvent::Connecting { attempt } => match &mut state.conn {
            ConnState::Offline {
                attempt: a,
                retry_in,
                ..
            } => {
                *a = attempt;
                *retry_in = 0;
            }
            _ => state.conn = ConnState::Connecting { attempt },
        },
        ConnEvent::Connected { hello } => {
            state.now = hello.now;
            state.session = Some(Session {
                user: hello.user,
                roles: hello.roles,
                engine: hello.engine,
                epoch: hello.epoch,
            });
        }
        ConnEvent::Snapshot {
            snapshot,
            new_epoch,
        } => {
            let reconnect = matches!(state.conn, ConnState::Offline { .. });
            let newest_logged = state.log.entries.iter().map(|e| e.at).max();
            let before = std::mem::replace(&mut state.board, Board::from_snapshot(&snapshot));
            let my_line = state.my_line().to_string();
            for frame in &snapshot.recent {
                if newest_logged.is_some_and(|t| frame.at <= t) {
                    continue;
                }
                let ctx = LogContext {
                    board: &state.board,
                    my_line: &my_line,
                };
                if let Some(entry) = describe(frame, &ctx) {
                    state.log.push(entry);
                }
            }
            if new_epoch {
                state.log.note(
                    state.now,
                    "Engine restarted (new epoch): fresh snapshot loaded",
                );
                note_parks_gone(state, &before);
            } else if reconnect {
                state
                    .log
                    .note(state.now, "Reconnected: fresh snapshot loaded");
            }
            state.conn = ConnState::Online;
            state.engine_stopping = false;
        }
        ConnEvent::Resumed { replayed } => {
            if matches!(state.conn, ConnState::Offline { .. }) {
                state.log.note(
                    state.now,
                    format!("Reconnected: {replayed} missed events replayed"),
                );
            }
            state.conn = ConnState::Online;
        }
        ConnEvent::Event(frame) => {
            // Described against the board as it was, so the line can name what the event
            // takes away (a call that ended, a call picked from a group).
            let entry = describe(
                &frame,
                &LogContext {
                    board: &state.board,
                    my_line: state.my_line(),
                },
            );
            if let Err(e) = state.board.apply(&frame) {
                tracing::warn!(error = %e, "event not applied");
                state.log.note(
                    frame.at,
                    format!("Unreadable {} event ignored", frame.event),
                );
            }
            if frame.event == "engine.stopping" {
                state.engine_stopping = true;
            }
            if let Some(entry) = entry {
                state.log.push(entry);
            }
        }
        ConnEvent::Reply { ticket, result } => on_reply(state, ticket, result),
        ConnEvent::Lost {
            reason,
            attempt,
            retry_in,
        } => {
            let since = match &state.conn {
                ConnState::Offline { since, .. } => *since,
                _ => {
                    let what = if state.session.is_some() {
                        "Connection lost"
                    } else {
                        "Cannot reach the engine"
                    };
                    state.log.note(state.now, format!("{what}: {reason}"));
                    state.now
                }
            };
            state.conn = ConnState::Offline {
                reason,
                attempt,
                retry_in,
                since,
            };
        }
        ConnEvent::Fatal { message } => {
            error(state, message.clone());
            state.log.note(state.now, message.clone());
            state.conn = ConnState::Failed(message);
        }
    }
}

/// After a restart, the parks the old run held and the new one does not: they died with
/// the engine (its history records how), and the board dropping them silently would read
/// as if someone had taken them.
fn note_parks_gone(state: &mut State, before: &Board) {
    let gone: Vec<String> = before
        .parked
        .values()
        .filter(|old| {
            state
                .board
                .parked
                .get(&old.parked.code)
                .is_none_or(|new| new.parked.call != old.parked.call)
        })
        .map(|old| {
            let p = &old.parked;
            let who = if p.caller.name.is_empty() {
                p.caller.number.clone()
            } else {
                format!("{} ({})", p.caller.name, p.caller.number)
            };
            format!("{} gone after the engine restart: {who}", p.code)
        })
        .collect();
    for text in gone {
        state.log.push(LogEntry {
            at: state.now,
            kind: LogKind::Failure,
            text,
        });
    }
}
