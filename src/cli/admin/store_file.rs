//! `admin backup FILE` and `admin restore FILE`: on the database file the configuration
//! names (`[store] path`), on the engine's machine, without going through the engine.
//!
//! Why the file and not an op: a backup then never waits behind the engine's own writes
//! and never holds the store's thread (SQLite's online backup takes a snapshot under one
//! read transaction, which WAL lets run beside the engine's writer), and a restore, which
//! needs the engine stopped, works the same way.

use crate::config::{self, StoreLocation};
use crate::store;
use std::path::{Path, PathBuf};

/// The database file of the configuration; an in-memory store has none.
fn database(config: Option<&Path>) -> anyhow::Result<PathBuf> {
    let settings = config::load(config).map_err(|e| anyhow::anyhow!("{e}"))?;
    match settings
        .store
        .location()
        .map_err(|e| anyhow::anyhow!("{e}"))?
    {
        StoreLocation::File(path) => Ok(path),
        StoreLocation::Memory => anyhow::bail!(
            "[store] path is \":memory:\": the store lives and dies with the engine, there is \
             no file to back up or restore"
        ),
    }
}

/// Backs up the store to `file` (safe while the engine runs); what was written.
pub(super) fn backup(config: Option<&Path>, file: &Path) -> anyhow::Result<String> {
    let db = database(config)?;
    let report = store::backup(&db, file)?;
    Ok(format!(
        "backed up {} to {} ({} bytes)\n",
        db.display(),
        report.path.display(),
        report.bytes
    ))
}

/// Restores `file` into the store (the engine stopped); what was done.
pub(super) fn restore(config: Option<&Path>, file: &Path) -> anyhow::Result<String> {
    let db = database(config)?;
    store::restore(file, &db)?;
    Ok(format!(
        "restored {} into {}; the next start draws a new epoch (clients take a snapshot)\n",
        file.display(),
        db.display()
    ))
}
