//! The durable event log: every event the engine publishes, with its seq and frame, so `seq`
//! goes on across restarts and a reconnecting client's missed events can be replayed after
//! the in-memory buffer lost them. Only the newest events are kept (`[store]
//! event_retention`); the store's thread prunes the rest now and then.

use super::error::StoreError;
use rusqlite::{Connection, OptionalExtension, params};

/// Events kept when `[store] event_retention` says nothing.
pub const DEFAULT_EVENT_RETENTION: usize = 100_000;

/// Appends between two prunes of the log.
pub(crate) const PRUNE_EVERY: usize = 1000;

/// One logged event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// Its seq (rises by one per event within an epoch).
    pub seq: u64,
    /// When it happened (Unix milliseconds).
    pub at: i64,
    /// Its name (`park.started`).
    pub name: String,
    /// The users it concerns, for a user's filtered view.
    pub concerns: Vec<String>,
    /// The event frame exactly as it was sent.
    pub frame: String,
}

/// Appends one event (a seq written twice keeps the later frame).
pub(crate) fn append(conn: &Connection, event: &StoredEvent) -> Result<(), StoreError> {
    let concerns = serde_json::to_string(&event.concerns).map_err(|e| StoreError::Corrupt {
        table: "events",
        key: event.seq.to_string(),
        message: e.to_string(),
    })?;
    conn.prepare_cached(
        "INSERT OR REPLACE INTO events (seq, at, name, frame, concerns)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        seq_column(event.seq),
        event.at,
        event.name,
        event.frame,
        concerns
    ])?;
    Ok(())
}

/// Deletes all but the newest `keep` events (at least one is always kept, so the last seq
/// survives).
pub(crate) fn prune(conn: &Connection, keep: usize) -> Result<usize, StoreError> {
    let keep = i64::try_from(keep.max(1)).unwrap_or(i64::MAX);
    Ok(conn.execute(
        "DELETE FROM events WHERE seq <= (SELECT MAX(seq) FROM events) - ?1",
        params![keep],
    )?)
}

/// The newest `n` events, oldest first.
pub(crate) fn newest(conn: &Connection, n: usize) -> Result<Vec<StoredEvent>, StoreError> {
    let n = i64::try_from(n).unwrap_or(i64::MAX);
    let mut stmt = conn.prepare_cached(
        "SELECT seq, at, name, frame, concerns FROM
           (SELECT * FROM events ORDER BY seq DESC LIMIT ?1)
         ORDER BY seq",
    )?;
    let rows = stmt.query_map(params![n], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
        ))
    })?;
    let mut events = Vec::new();
    for row in rows {
        let (seq, at, name, frame, concerns) = row?;
        let seq = u64::try_from(seq).unwrap_or(0);
        events.push(StoredEvent {
            seq,
            at,
            name,
            concerns: decode_concerns(seq, &concerns)?,
            frame,
        });
    }
    Ok(events)
}

fn decode_concerns(seq: u64, text: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt {
        table: "events",
        key: seq.to_string(),
        message: e.to_string(),
    })
}

/// The highest seq logged (0 for an empty log).
pub(crate) fn last_seq(conn: &Connection) -> Result<u64, StoreError> {
    let last: Option<i64> = conn
        .query_row("SELECT MAX(seq) FROM events", [], |r| r.get(0))
        .optional()?
        .flatten();
    Ok(last.map_or(0, |s| u64::try_from(s).unwrap_or(0)))
}

/// The events after `since` up to `upto`, in order, when the log holds every one of them;
/// `None` when any is missing (pruned, never written) or `since` is past `upto`.
pub(crate) fn after(
    conn: &Connection,
    since: u64,
    upto: u64,
) -> Result<Option<Vec<StoredEvent>>, StoreError> {
    if since > upto {
        return Ok(None);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT seq, at, name, frame, concerns FROM events
         WHERE seq > ?1 AND seq <= ?2 ORDER BY seq",
    )?;
    let rows = stmt.query_map(params![seq_column(since), seq_column(upto)], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
        ))
    })?;
    let mut events = Vec::new();
    let mut expected = since + 1;
    for row in rows {
        let (seq, at, name, frame, concerns) = row?;
        let seq = u64::try_from(seq).unwrap_or(0);
        if seq != expected {
            // A hole: an event pruned or never written. The client needs a snapshot.
            return Ok(None);
        }
        expected += 1;
        let concerns = decode_concerns(seq, &concerns)?;
        events.push(StoredEvent {
            seq,
            at,
            name,
            concerns,
            frame,
        });
    }
    if expected != upto + 1 {
        return Ok(None);
    }
    Ok(Some(events))
}

/// SQLite's integers are signed: seqs beyond `i64::MAX` are clamped (never reached).
fn seq_column(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}
