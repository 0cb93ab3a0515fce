//! API tokens created by admins: kept as SHA-256 hashes, never in clear, and matched in
//! constant time.

use super::error::StoreError;
use crate::engine::Role;
use crate::protocol::Timestamp;
use rusqlite::{Connection, params};
use serde::de::IntoDeserializer;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A stored token: who it acts as and what it may do, with the hash of its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRecord {
    /// Its id, shown to admins and used to revoke it (never the secret).
    pub id: String,
    /// SHA-256 of the secret, lowercase hex.
    pub hash: String,
    /// The directory user it acts as.
    pub user: String,
    /// The roles it grants.
    pub roles: Vec<Role>,
    /// A note for admins ("reception desk 2").
    pub label: String,
    /// When it was created.
    pub created_at: Timestamp,
}

impl TokenRecord {
    /// A record for `secret`, hashing it; the secret itself is not kept.
    pub fn new(
        id: impl Into<String>,
        secret: &str,
        user: impl Into<String>,
        roles: Vec<Role>,
        label: impl Into<String>,
        created_at: Timestamp,
    ) -> TokenRecord {
        TokenRecord {
            id: id.into(),
            hash: hash_token(secret),
            user: user.into(),
            roles,
            label: label.into(),
            created_at,
        }
    }

    /// Whether `token` is this record's secret (constant time).
    pub fn matches(&self, token: &str) -> bool {
        token_matches(&self.hash, token)
    }
}

/// SHA-256 of `token`, lowercase hex: what the store keeps instead of the token.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Whether `token` hashes to `hash_hex`, compared in constant time. A malformed hash
/// matches nothing.
pub fn token_matches(hash_hex: &str, token: &str) -> bool {
    let Ok(stored) = hex::decode(hash_hex) else {
        return false;
    };
    let presented = Sha256::digest(token.as_bytes());
    bool::from(stored.as_slice().ct_eq(presented.as_slice()))
}

/// The record whose secret is `token`, if any. Every record is compared, so the time taken
/// does not tell which one matched.
pub fn find_token<'a>(records: &'a [TokenRecord], token: &str) -> Option<&'a TokenRecord> {
    records.iter().fold(
        None,
        |found, r| if r.matches(token) { Some(r) } else { found },
    )
}

/// Inserts or replaces the token with `record.id`.
pub(crate) fn put(conn: &Connection, record: &TokenRecord) -> Result<(), StoreError> {
    let roles: Vec<&str> = record.roles.iter().map(|r| r.as_str()).collect();
    conn.execute(
        "INSERT INTO tokens (id, hash, actor, roles, label, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (id) DO UPDATE SET hash = excluded.hash, actor = excluded.actor,
             roles = excluded.roles, label = excluded.label, created_at = excluded.created_at",
        params![
            record.id,
            record.hash,
            record.user,
            roles.join(","),
            record.label,
            record.created_at.unix_millis()
        ],
    )?;
    Ok(())
}

/// Deletes the token `id` (nothing if absent).
pub(crate) fn revoke(conn: &Connection, id: &str) -> Result<(), StoreError> {
    conn.execute("DELETE FROM tokens WHERE id = ?1", [id])?;
    Ok(())
}

fn role(id: &str, name: &str) -> Result<Role, StoreError> {
    Role::deserialize(name.into_deserializer()).map_err(|e: serde::de::value::Error| {
        StoreError::Corrupt {
            table: "tokens",
            key: id.to_string(),
            message: e.to_string(),
        }
    })
}

/// Every token, oldest first.
pub(crate) fn list(conn: &Connection) -> Result<Vec<TokenRecord>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT id, hash, actor, roles, label, created_at FROM tokens ORDER BY created_at, id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, i64>(5)?,
        ))
    })?;
    let mut records = Vec::new();
    for row in rows {
        let (id, hash, user, roles, label, created_at) = row?;
        let roles = roles
            .split(',')
            .filter(|r| !r.is_empty())
            .map(|r| role(&id, r))
            .collect::<Result<Vec<_>, _>>()?;
        records.push(TokenRecord {
            id,
            hash,
            user,
            roles,
            label,
            created_at: Timestamp::from_unix_millis(created_at),
        });
    }
    Ok(records)
}
