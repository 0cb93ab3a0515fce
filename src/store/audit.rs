//! The audit log: every command, who sent it, its arguments and its result.

use super::error::StoreError;
use crate::protocol::Timestamp;
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

/// Argument names whose values are secrets: [`redact_args`] hides them.
const SECRET_ARGS: &[&str] = &["token", "secret", "password", "sip_ha1"];

/// One command as the audit log keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// When it was handled.
    pub at: Timestamp,
    /// The user who sent it.
    pub user: String,
    /// The op (`park`, `policy.set`).
    pub op: String,
    /// Its arguments as JSON text (pass them through [`redact_args`] first).
    pub args_json: String,
    /// `ok`, or the error code it was refused with.
    pub result: String,
}

/// `args` as JSON text with every secret value (`token`, `secret`, `password`, `sip_ha1`, at
/// any depth) replaced by `"<redacted>"`: the audit log never holds a secret.
pub fn redact_args(args: &serde_json::Value) -> String {
    fn redact(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, v) in map.iter_mut() {
                    if SECRET_ARGS.contains(&key.as_str()) {
                        *v = serde_json::Value::String("<redacted>".into());
                    } else {
                        redact(v);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(redact),
            _ => {}
        }
    }
    let mut copy = args.clone();
    redact(&mut copy);
    copy.to_string()
}

/// Appends an entry.
pub(crate) fn append(conn: &Connection, entry: &AuditEntry) -> Result<(), StoreError> {
    // Cached: every command is audited, so the statement is parsed once.
    conn.prepare_cached(
        "INSERT INTO audit (at, actor, op, args, result) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        entry.at.unix_millis(),
        entry.user,
        entry.op,
        entry.args_json,
        entry.result
    ])?;
    Ok(())
}

/// The last `limit` entries, oldest first.
pub(crate) fn last(conn: &Connection, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut stmt = conn.prepare(
        "SELECT at, actor, op, args, result FROM
             (SELECT id, at, actor, op, args, result FROM audit ORDER BY id DESC LIMIT ?1)
         ORDER BY id",
    )?;
    let rows = stmt.query_map([limit], |r| {
        Ok(AuditEntry {
            at: Timestamp::from_unix_millis(r.get(0)?),
            user: r.get(1)?,
            op: r.get(2)?,
            args_json: r.get(3)?,
            result: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}
