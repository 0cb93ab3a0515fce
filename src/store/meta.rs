//! Small facts about the store kept in `meta`: the epoch naming its event history, the
//! engine's heartbeat, and the floor of the call and announcement ids a run may hand out.

use super::error::StoreError;
use rusqlite::{Connection, OptionalExtension, params};

/// The key of the epoch.
pub(crate) const EPOCH: &str = "epoch";
/// The key of the last heartbeat (Unix milliseconds).
pub(crate) const ALIVE_AT: &str = "alive_at";
/// The key of the first id number the next run may use.
pub(crate) const ID_FLOOR: &str = "id_floor";

/// A value of `meta`.
pub(crate) fn get(conn: &Connection, key: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

/// Sets a value of `meta`.
pub(crate) fn put(conn: &Connection, key: &str, value: &str) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![key, value])?;
    Ok(())
}

/// A number kept in `meta`; a value that is no number is a corrupt row.
fn number(conn: &Connection, key: &'static str) -> Result<Option<i64>, StoreError> {
    get(conn, key)?
        .map(|text| {
            text.parse::<i64>().map_err(|_| StoreError::Corrupt {
                table: "meta",
                key: key.to_string(),
                message: format!("'{text}' is not a number"),
            })
        })
        .transpose()
}

/// The stored epoch, or `fresh` stored as the epoch when the store has none (a new store).
pub(crate) fn epoch_or(conn: &Connection, fresh: &str) -> Result<String, StoreError> {
    match get(conn, EPOCH)? {
        Some(epoch) if !epoch.is_empty() => Ok(epoch),
        _ => {
            put(conn, EPOCH, fresh)?;
            Ok(fresh.to_string())
        }
    }
}

/// The last heartbeat, in Unix milliseconds.
pub(crate) fn alive_at(conn: &Connection) -> Result<Option<i64>, StoreError> {
    number(conn, ALIVE_AT)
}

/// Reserves `block` id numbers for this run: returns the floor `F` (1 in a new store) and
/// stores `F + block` as the next run's floor, so no run hands out a number another run did.
pub(crate) fn reserve_ids(conn: &Connection, block: u64) -> Result<u64, StoreError> {
    let floor = number(conn, ID_FLOOR)?.map_or(1, |f| u64::try_from(f).unwrap_or(1).max(1));
    raise_id_floor(conn, floor.saturating_add(block))?;
    Ok(floor)
}

/// Raises the next run's id floor to `floor` (never lowers it).
pub(crate) fn raise_id_floor(conn: &Connection, floor: u64) -> Result<(), StoreError> {
    let floor = i64::try_from(floor).unwrap_or(i64::MAX);
    conn.prepare_cached(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value
         WHERE CAST(meta.value AS INTEGER) < CAST(excluded.value AS INTEGER)",
    )?
    .execute(params![ID_FLOOR, floor.to_string()])?;
    Ok(())
}
