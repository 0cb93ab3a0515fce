//! The store's typed errors.

use std::path::PathBuf;
use thiserror::Error;

/// Why a store operation failed.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The database's directory could not be created.
    #[error("cannot create the database directory {}: {source}", path.display())]
    Directory {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The database could not be opened or configured.
    #[error("cannot open the database {}: {source}", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// SQLite's error.
        #[source]
        source: rusqlite::Error,
    },
    /// A migration failed; the database stays at the version before it.
    #[error("cannot migrate the database to schema version {version}: {source}")]
    Migration {
        /// The version the migration leads to.
        version: u32,
        /// SQLite's error.
        #[source]
        source: rusqlite::Error,
    },
    /// The database was written by a newer parkdesk.
    #[error("the database has schema version {found}, newer than this parkdesk's {supported}")]
    TooNew {
        /// The database's version.
        found: u32,
        /// The newest version this build knows.
        supported: u32,
    },
    /// The database's lock file could not be opened or locked.
    #[error("cannot lock the database with {}: {source}", path.display())]
    Lock {
        /// The lock file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Another process holds the database (another engine on the same store).
    #[error("the database {} is in use by {}; stop it first", path.display(), holder(*pid))]
    InUse {
        /// The database.
        path: PathBuf,
        /// The holder's pid, as its lock file says.
        pid: Option<u32>,
    },
    /// A query failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A stored row does not decode (edited by hand, or written by another program).
    #[error("corrupt row in {table} ('{key}'): {message}")]
    Corrupt {
        /// The table.
        table: &'static str,
        /// The row's key.
        key: String,
        /// What does not decode.
        message: String,
    },
    /// A `park_ended` named no open park.
    #[error("no open park for call {call} on code {code}")]
    NoOpenPark {
        /// The call.
        call: String,
        /// The code.
        code: String,
    },
    /// Fire-and-forget writes failed since the last flush.
    #[error("{count} store write(s) failed; the first: {first}")]
    WritesFailed {
        /// How many failed.
        count: usize,
        /// The first failure's message.
        first: String,
    },
    /// The store's thread could not be started.
    #[error("cannot start the store thread: {0}")]
    Thread(#[source] std::io::Error),
    /// The store is closed (closed explicitly, or its thread is gone).
    #[error("the store is closed")]
    Closed,
    /// An export could not be written.
    #[error("cannot write the export: {0}")]
    Export(#[source] std::io::Error),
    /// An export format other than `csv` or `json`.
    #[error("unknown export format '{0}' (expected csv or json)")]
    UnknownFormat(String),
    /// A file given as a parkdesk database is not one.
    #[error("{} is not a parkdesk database: {reason}", path.display())]
    NotAStore {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A restore found the database in use.
    #[error("the database {} is in use{}; stop the engine before restoring", path.display(),
        pid.map(|p| format!(" by process {p}")).unwrap_or_default())]
    Held {
        /// The database.
        path: PathBuf,
        /// The engine holding it, when its lock file names it.
        pid: Option<u32>,
    },
    /// The database stayed busy for the whole of a backup's patience.
    #[error("the database stayed busy; try the backup again")]
    Busy,
    /// A backup file could not be written.
    #[error("cannot write the backup {}: {source}", path.display())]
    BackupFile {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// Who holds a database, for [`StoreError::InUse`].
fn holder(pid: Option<u32>) -> String {
    match pid {
        Some(pid) => format!("parkdesk pid {pid}"),
        None => "another process".to_string(),
    }
}
