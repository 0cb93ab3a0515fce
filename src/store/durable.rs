//! Durable call state: what the next process needs to carry a parked or bridged call on.
//! The engine's record of each call (`durable_calls`) and the SIP dialog and media of each
//! of its legs (`durable_legs`) are opaque JSON bodies here: their owners (the engine, the
//! SIP side) define and version them, the store only keeps them in order.

use super::error::StoreError;
use rusqlite::{Connection, params};

/// One stored row: the engine's record of a call, or one leg of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurableRow {
    /// The call's id.
    pub call: String,
    /// The leg (`""` for the engine's record of the call).
    pub leg: String,
    /// The owner's JSON.
    pub body: String,
    /// When it was last written (Unix milliseconds).
    pub updated_at: i64,
}

/// Everything durable, as the last process left it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DurableState {
    /// The engine's records, one per call, oldest write first.
    pub calls: Vec<DurableRow>,
    /// The legs, oldest write first.
    pub legs: Vec<DurableRow>,
}

/// Inserts or replaces the engine's record of `row.call`.
pub(crate) fn put_call(conn: &Connection, row: &DurableRow) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO durable_calls (call, body, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (call) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
    )?
    .execute(params![row.call, row.body, row.updated_at])?;
    Ok(())
}

/// Deletes the engine's record of `call` and every leg of it.
pub(crate) fn remove_call(conn: &Connection, call: &str) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM durable_calls WHERE call = ?1")?
        .execute([call])?;
    conn.prepare_cached("DELETE FROM durable_legs WHERE call = ?1")?
        .execute([call])?;
    Ok(())
}

/// Inserts or replaces one leg of `row.call`.
pub(crate) fn put_leg(conn: &Connection, row: &DurableRow) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO durable_legs (call, leg, body, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (call, leg) DO UPDATE SET body = excluded.body,
                                              updated_at = excluded.updated_at",
    )?
    .execute(params![row.call, row.leg, row.body, row.updated_at])?;
    Ok(())
}

/// Deletes one leg.
pub(crate) fn remove_leg(conn: &Connection, call: &str, leg: &str) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM durable_legs WHERE call = ?1 AND leg = ?2")?
        .execute([call, leg])?;
    Ok(())
}

/// Every durable row.
pub(crate) fn load(conn: &Connection) -> Result<DurableState, StoreError> {
    let calls = conn
        .prepare_cached(
            "SELECT call, body, updated_at FROM durable_calls ORDER BY updated_at, rowid",
        )?
        .query_map([], |r| {
            Ok(DurableRow {
                call: r.get(0)?,
                leg: String::new(),
                body: r.get(1)?,
                updated_at: r.get(2)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let legs = conn
        .prepare_cached(
            "SELECT call, leg, body, updated_at FROM durable_legs ORDER BY updated_at, rowid",
        )?
        .query_map([], |r| {
            Ok(DurableRow {
                call: r.get(0)?,
                leg: r.get(1)?,
                body: r.get(2)?,
                updated_at: r.get(3)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(DurableState { calls, legs })
}
