//! The database schema as an ordered list of migrations, applied once each and recorded in
//! `schema_version`. A migration is never edited once released: change the schema by
//! appending one.

use super::error::StoreError;
use rusqlite::{Connection, OptionalExtension};

/// One step of the schema.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// What it adds.
    pub name: &'static str,
    /// The SQL, run in one transaction.
    pub sql: &'static str,
}

/// Every migration, in order; migration `i` brings the database to version `i + 1`.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        name: "directory and tokens",
        sql: "
            CREATE TABLE meta (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
            );
            CREATE TABLE dir_ranges (name TEXT PRIMARY KEY, pos INTEGER NOT NULL, body TEXT NOT NULL);
            CREATE TABLE dir_policies (name TEXT PRIMARY KEY, pos INTEGER NOT NULL, body TEXT NOT NULL);
            CREATE TABLE dir_users (name TEXT PRIMARY KEY, pos INTEGER NOT NULL, body TEXT NOT NULL);
            CREATE TABLE dir_groups (name TEXT PRIMARY KEY, pos INTEGER NOT NULL, body TEXT NOT NULL);
            CREATE TABLE dir_assignments (name TEXT PRIMARY KEY, pos INTEGER NOT NULL, body TEXT NOT NULL);
            CREATE TABLE dir_allow_list (name TEXT PRIMARY KEY, pos INTEGER NOT NULL, body TEXT NOT NULL);
            CREATE TABLE tokens (
                id TEXT PRIMARY KEY,
                hash TEXT NOT NULL UNIQUE,
                actor TEXT NOT NULL,
                roles TEXT NOT NULL,
                label TEXT NOT NULL,
                created_at INTEGER NOT NULL
            );
        ",
    },
    Migration {
        name: "park history and audit log",
        sql: "
            CREATE TABLE parks (
                id INTEGER PRIMARY KEY,
                call_id TEXT NOT NULL,
                code TEXT NOT NULL,
                orbit_range TEXT NOT NULL,
                caller_number TEXT NOT NULL,
                caller_name TEXT NOT NULL,
                parked_by TEXT NOT NULL,
                for_note TEXT,
                policy TEXT NOT NULL,
                parked_at INTEGER NOT NULL,
                outcome TEXT,
                ended_by TEXT,
                ended_at INTEGER
            );
            CREATE INDEX parks_open ON parks (call_id, code) WHERE ended_at IS NULL;
            CREATE INDEX parks_ended ON parks (ended_at, id) WHERE ended_at IS NOT NULL;
            CREATE TABLE audit (
                id INTEGER PRIMARY KEY,
                at INTEGER NOT NULL,
                actor TEXT NOT NULL,
                op TEXT NOT NULL,
                args TEXT NOT NULL,
                result TEXT NOT NULL
            );
        ",
    },
    Migration {
        name: "numbers, operators and emergency addresses",
        sql: "
            CREATE TABLE num_operators (key TEXT PRIMARY KEY, body TEXT NOT NULL);
            CREATE TABLE num_numbers (key TEXT PRIMARY KEY, body TEXT NOT NULL);
            CREATE TABLE num_addresses (key TEXT PRIMARY KEY, body TEXT NOT NULL);
        ",
    },
    Migration {
        name: "durable calls and the event log",
        sql: "
            CREATE TABLE events (
                seq INTEGER PRIMARY KEY,
                at INTEGER NOT NULL,
                name TEXT NOT NULL,
                frame TEXT NOT NULL
            );
            CREATE TABLE durable_calls (
                call TEXT PRIMARY KEY,
                body TEXT NOT NULL,
                updated_at INTEGER NOT NULL
            );
            CREATE TABLE durable_legs (
                call TEXT NOT NULL,
                leg TEXT NOT NULL,
                body TEXT NOT NULL,
                updated_at INTEGER NOT NULL,
                PRIMARY KEY (call, leg)
            );
        ",
    },
    Migration {
        name: "who each logged event concerns",
        // A replay from the log filters events for a user's role as the live hub does, by
        // the users each event concerns (a JSON array of user ids).
        sql: "ALTER TABLE events ADD COLUMN concerns TEXT NOT NULL DEFAULT '[]';",
    },
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// The database's schema version (0 for a fresh file).
pub fn version(conn: &Connection) -> Result<u32, rusqlite::Error> {
    conn.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")?;
    let found: Option<u32> = conn
        .query_row("SELECT version FROM schema_version", [], |r| r.get(0))
        .optional()?;
    Ok(found.unwrap_or(0))
}

/// Brings the database to [`SCHEMA_VERSION`], one migration per transaction; refuses a
/// database from a newer build. Returns the version reached.
pub fn migrate(conn: &mut Connection) -> Result<u32, StoreError> {
    let current = version(conn)?;
    if current > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            found: current,
            supported: SCHEMA_VERSION,
        });
    }
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let to = index as u32 + 1;
        let step = |conn: &mut Connection| -> Result<(), rusqlite::Error> {
            let tx = conn.transaction()?;
            tx.execute_batch(migration.sql)?;
            tx.execute("DELETE FROM schema_version", [])?;
            tx.execute("INSERT INTO schema_version (version) VALUES (?1)", [to])?;
            tx.commit()
        };
        step(conn).map_err(|source| StoreError::Migration {
            version: to,
            source,
        })?;
        tracing::info!(version = to, name = migration.name, "store migrated");
    }
    Ok(SCHEMA_VERSION)
}
