//! The directory's persistence: ranges, policies, users, groups, assignments and the
//! allow-list, each row a JSON body keyed by its id or name, in the order they were given.

use super::error::StoreError;
use crate::engine::{EngineSetup, Group, GroupAssignment, OrbitRange, ParkPolicy, User};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// One directory table. Each has the same shape: `name` (the key), `pos` (order of
/// insertion), `body` (the item as JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Table {
    /// Orbit ranges by name.
    Ranges,
    /// Policies by name.
    Policies,
    /// Users by id.
    Users,
    /// Groups by id.
    Groups,
    /// Group policy assignments by group.
    Assignments,
    /// Allow-listed numbers by number.
    AllowList,
}

impl Table {
    const ALL: [Table; 6] = [
        Table::Ranges,
        Table::Policies,
        Table::Users,
        Table::Groups,
        Table::Assignments,
        Table::AllowList,
    ];

    /// The SQL table name (a constant: never user input).
    fn sql(self) -> &'static str {
        match self {
            Table::Ranges => "dir_ranges",
            Table::Policies => "dir_policies",
            Table::Users => "dir_users",
            Table::Groups => "dir_groups",
            Table::Assignments => "dir_assignments",
            Table::AllowList => "dir_allow_list",
        }
    }
}

/// The directory as the store holds it, for the server to merge with the configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredSetup {
    /// Whether the directory was ever written: until then the configuration's seed applies.
    pub initialized: bool,
    /// Orbit ranges.
    pub ranges: Vec<OrbitRange>,
    /// Policies.
    pub policies: Vec<ParkPolicy>,
    /// Users.
    pub users: Vec<User>,
    /// Groups.
    pub groups: Vec<Group>,
    /// Group policy assignments.
    pub assignments: Vec<GroupAssignment>,
    /// Allow-listed numbers.
    pub allow_list: Vec<String>,
}

impl StoredSetup {
    /// The engine's setup at start: numbering (`[park]`) always from `config`; the directory
    /// from the store once it was initialized, else the configuration's seed. The seed is
    /// only a first start's directory: after that admin commands own it, so an item deleted
    /// by an admin does not come back from the file.
    pub fn merge_into(self, config: EngineSetup) -> EngineSetup {
        if !self.initialized {
            return config;
        }
        EngineSetup {
            ranges: self.ranges,
            policies: self.policies,
            users: self.users,
            groups: self.groups,
            assignments: self.assignments,
            allow_list: self.allow_list,
            ..config
        }
    }
}

/// Marks the directory as written, so the configuration's seed no longer applies.
fn mark_initialized(conn: &Connection) -> Result<(), rusqlite::Error> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('directory_initialized', '1')
         ON CONFLICT (key) DO NOTHING",
        [],
    )?;
    Ok(())
}

fn encode<T: Serialize>(item: &T) -> Result<String, StoreError> {
    serde_json::to_string(item).map_err(|e| StoreError::Corrupt {
        table: "directory",
        key: String::new(),
        message: e.to_string(),
    })
}

/// Inserts or replaces the item keyed `name`; a new item goes last, a replaced one keeps
/// its place.
pub(crate) fn put<T: Serialize>(
    conn: &Connection,
    table: Table,
    name: &str,
    item: &T,
) -> Result<(), StoreError> {
    let body = encode(item)?;
    let t = table.sql();
    conn.execute(
        &format!(
            "INSERT INTO {t} (name, pos, body)
             VALUES (?1, (SELECT COALESCE(MAX(pos), 0) + 1 FROM {t}), ?2)
             ON CONFLICT (name) DO UPDATE SET body = excluded.body"
        ),
        params![name, body],
    )?;
    mark_initialized(conn)?;
    Ok(())
}

/// Deletes the item keyed `name` (nothing if absent).
pub(crate) fn delete(conn: &Connection, table: Table, name: &str) -> Result<(), StoreError> {
    conn.execute(
        &format!("DELETE FROM {} WHERE name = ?1", table.sql()),
        [name],
    )?;
    mark_initialized(conn)?;
    Ok(())
}

fn list<T: DeserializeOwned>(conn: &Connection, table: Table) -> Result<Vec<T>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT name, body FROM {} ORDER BY pos, name",
        table.sql()
    ))?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut items = Vec::new();
    for row in rows {
        let (name, body) = row?;
        let item = serde_json::from_str(&body).map_err(|e| StoreError::Corrupt {
            table: table.sql(),
            key: name,
            message: e.to_string(),
        })?;
        items.push(item);
    }
    Ok(items)
}

/// Reads the whole directory.
pub(crate) fn load(conn: &Connection) -> Result<StoredSetup, StoreError> {
    let initialized: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'directory_initialized'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(StoredSetup {
        initialized: initialized.is_some(),
        ranges: list(conn, Table::Ranges)?,
        policies: list(conn, Table::Policies)?,
        users: list(conn, Table::Users)?,
        groups: list(conn, Table::Groups)?,
        assignments: list(conn, Table::Assignments)?,
        allow_list: list(conn, Table::AllowList)?,
    })
}

/// Replaces every directory table with `setup`'s lists, all or nothing (a savepoint), inside
/// whatever transaction `conn` is in: a queued write among others.
pub(crate) fn save_queued(conn: &Connection, setup: &EngineSetup) -> Result<(), StoreError> {
    conn.execute_batch("SAVEPOINT save_setup")?;
    match replace(conn, setup) {
        Ok(()) => {
            conn.execute_batch("RELEASE save_setup")?;
            Ok(())
        }
        Err(e) => {
            // Leave the tables as they were rather than half replaced.
            let _ = conn.execute_batch("ROLLBACK TO save_setup; RELEASE save_setup");
            Err(e)
        }
    }
}

fn replace(tx: &Connection, setup: &EngineSetup) -> Result<(), StoreError> {
    for table in Table::ALL {
        tx.execute(&format!("DELETE FROM {}", table.sql()), [])?;
    }
    for r in &setup.ranges {
        put(tx, Table::Ranges, &r.name, r)?;
    }
    for p in &setup.policies {
        put(tx, Table::Policies, &p.name, p)?;
    }
    for u in &setup.users {
        put(tx, Table::Users, &u.id, u)?;
    }
    for g in &setup.groups {
        put(tx, Table::Groups, &g.id, g)?;
    }
    for a in &setup.assignments {
        put(tx, Table::Assignments, &a.group, a)?;
    }
    for n in &setup.allow_list {
        put(tx, Table::AllowList, n, n)?;
    }
    mark_initialized(tx)?;
    Ok(())
}
