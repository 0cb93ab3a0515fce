//! Park history: a row when a call is parked, completed when the park ends with its outcome.
//! Only ended parks are history; parks a crash left open are closed as `lost` at start.

use super::error::StoreError;
use crate::engine::switch::{CallId, Party};
use crate::engine::{self, ParkOutcome};
use crate::protocol::{Timestamp, UtcClock};
use rusqlite::{Connection, Row, params};
use serde::de::IntoDeserializer;
use serde::{Deserialize, Serialize};

/// A park as it started (`park_started`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParkRecord {
    /// The call's id.
    pub call: CallId,
    /// The code, exactly as dialled.
    pub code: String,
    /// The range the code came from.
    pub range: String,
    /// The caller.
    pub caller: Party,
    /// Who parked it.
    pub parked_by: String,
    /// Who the call is for.
    #[serde(rename = "for")]
    pub for_note: Option<String>,
    /// The policy it ran under.
    pub policy: String,
    /// When it was parked.
    pub parked_at: Timestamp,
}

impl ParkRecord {
    /// The record of an engine's parked call (as `park.started` carries it).
    pub fn from_parked(parked: &engine::Parked, clock: &UtcClock) -> ParkRecord {
        ParkRecord {
            call: parked.call.clone(),
            code: parked.code.clone(),
            range: parked.range.clone(),
            caller: parked.caller.clone(),
            parked_by: parked.parked_by.clone(),
            for_note: parked.for_note.clone(),
            policy: parked.policy.clone(),
            parked_at: clock.at(parked.parked_at),
        }
    }
}

/// How a park ended (`park_ended`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParkEnded {
    /// The call's id.
    pub call: CallId,
    /// Its code.
    pub code: String,
    /// The outcome.
    pub outcome: ParkOutcome,
    /// Who took it, where someone did.
    pub by: Option<String>,
    /// When it ended.
    pub ended_at: Timestamp,
}

/// An ended park, with every field: what `history.list` returns and exports write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The call's id.
    pub call: CallId,
    /// The code, exactly as dialled.
    pub code: String,
    /// The range the code came from.
    pub range: String,
    /// The caller.
    pub caller: Party,
    /// Who parked it.
    pub parked_by: String,
    /// Who the call was for.
    #[serde(rename = "for")]
    pub for_note: Option<String>,
    /// The policy it ran under.
    pub policy: String,
    /// When it was parked.
    pub parked_at: Timestamp,
    /// When it ended.
    pub ended_at: Timestamp,
    /// How it ended.
    pub outcome: ParkOutcome,
    /// Who took it, where someone did.
    pub by: Option<String>,
}

/// Records a park's start.
pub(crate) fn started(conn: &Connection, park: &ParkRecord) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO parks (call_id, code, orbit_range, caller_number, caller_name, parked_by,
                            for_note, policy, parked_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        park.call.0,
        park.code,
        park.range,
        park.caller.number,
        park.caller.name,
        park.parked_by,
        park.for_note,
        park.policy,
        park.parked_at.unix_millis()
    ])?;
    Ok(())
}

/// Completes the newest open park of `ended.call` on `ended.code`.
pub(crate) fn ended(conn: &Connection, ended: &ParkEnded) -> Result<(), StoreError> {
    let changed = conn
        .prepare_cached(
            "UPDATE parks SET outcome = ?1, ended_by = ?2, ended_at = ?3
             WHERE id = (SELECT id FROM parks
                         WHERE call_id = ?4 AND code = ?5 AND ended_at IS NULL
                         ORDER BY id DESC LIMIT 1)",
        )?
        .execute(params![
            ended.outcome.as_str(),
            ended.by,
            ended.ended_at.unix_millis(),
            ended.call.0,
            ended.code
        ])?;
    if changed == 0 {
        return Err(StoreError::NoOpenPark {
            call: ended.call.0.clone(),
            code: ended.code.clone(),
        });
    }
    Ok(())
}

/// Ends every open park as `lost` at `at` (never before it started), except the parks of
/// the calls in `keep`; returns how many. A park already ended is never touched again.
pub(crate) fn close_open_as_lost(
    conn: &Connection,
    at: Timestamp,
    keep: &[String],
) -> Result<usize, StoreError> {
    let keep = serde_json::to_string(keep).map_err(|e| StoreError::Corrupt {
        table: "parks",
        key: "keep".into(),
        message: e.to_string(),
    })?;
    Ok(conn.execute(
        "UPDATE parks SET outcome = ?1, ended_by = NULL, ended_at = MAX(parked_at, ?2)
         WHERE ended_at IS NULL AND call_id NOT IN (SELECT value FROM json_each(?3))",
        params![ParkOutcome::Lost.as_str(), at.unix_millis(), keep],
    )?)
}

const COLUMNS: &str = "id, call_id, code, orbit_range, caller_number, caller_name, parked_by,
                       for_note, policy, parked_at, ended_at, outcome, ended_by";

/// Ended parks in ascending order of `ended_at` (ties in the order they ended).
///
/// With `since`, the first `limit` that ended at or after it (page forward from a time);
/// without, the last `limit` (the most recent, still oldest first).
pub(crate) fn list(
    conn: &Connection,
    since: Option<Timestamp>,
    limit: usize,
) -> Result<Vec<HistoryEntry>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut stmt;
    let rows = match since {
        Some(since) => {
            stmt = conn.prepare(&format!(
                "SELECT {COLUMNS} FROM parks WHERE ended_at IS NOT NULL AND ended_at >= ?1
                 ORDER BY ended_at, id LIMIT ?2"
            ))?;
            stmt.query_map(params![since.unix_millis(), limit], raw)?
        }
        None => {
            stmt = conn.prepare(&format!(
                "SELECT * FROM (SELECT {COLUMNS} FROM parks WHERE ended_at IS NOT NULL
                                ORDER BY ended_at DESC, id DESC LIMIT ?1)
                 ORDER BY ended_at, id"
            ))?;
            stmt.query_map(params![limit], raw)?
        }
    };
    let mut entries = Vec::new();
    for row in rows {
        entries.push(entry(row?)?);
    }
    Ok(entries)
}

/// A row as read, before the outcome is decoded.
struct RawEntry {
    id: i64,
    entry: HistoryEntry,
    outcome: String,
}

fn raw(r: &Row<'_>) -> Result<RawEntry, rusqlite::Error> {
    Ok(RawEntry {
        id: r.get(0)?,
        entry: HistoryEntry {
            call: CallId(r.get(1)?),
            code: r.get(2)?,
            range: r.get(3)?,
            caller: Party {
                number: r.get(4)?,
                name: r.get(5)?,
            },
            parked_by: r.get(6)?,
            for_note: r.get(7)?,
            policy: r.get(8)?,
            parked_at: Timestamp::from_unix_millis(r.get(9)?),
            ended_at: Timestamp::from_unix_millis(r.get(10)?),
            outcome: ParkOutcome::Lost,
            by: r.get(12)?,
        },
        outcome: r.get::<_, Option<String>>(11)?.unwrap_or_default(),
    })
}

fn entry(raw: RawEntry) -> Result<HistoryEntry, StoreError> {
    let outcome = ParkOutcome::deserialize(raw.outcome.as_str().into_deserializer()).map_err(
        |e: serde::de::value::Error| StoreError::Corrupt {
            table: "parks",
            key: raw.id.to_string(),
            message: e.to_string(),
        },
    )?;
    Ok(HistoryEntry {
        outcome,
        ..raw.entry
    })
}
