//! Keeping a store: online backup while the engine runs, restore while it is stopped, the
//! count of starts (`meta` key `starts`) and the write latency the metrics report.
//!
//! Backup and restore work on the database file directly, with a connection of their own
//! (never the store's thread, never the engine's task). A backup is SQLite's online backup
//! in one step: one read transaction, so it is a consistent snapshot, and in WAL mode it
//! never blocks the engine's writes. A restore refuses while any process holds the
//! database, and deletes the `meta` row `epoch` so the next start draws a new epoch (events
//! after the backup are gone: clients must take a snapshot).

use super::error::StoreError;
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How long a backup waits for a moment the engine is not writing, in total.
const BUSY_RETRIES: u32 = 50;

/// Write transactions the store's thread committed and how long they took.
#[derive(Debug, Default)]
pub struct WriteStats {
    /// The last transaction failed (read-only, full, locked past the busy timeout).
    failing: std::sync::atomic::AtomicBool,
    commits: AtomicU64,
    total_micros: AtomicU64,
    last_micros: AtomicU64,
}

/// A reading of [`WriteStats`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WriteLatency {
    /// Transactions committed since the store opened.
    pub commits: u64,
    /// Their total time.
    pub total: Duration,
    /// The last one's time.
    pub last: Duration,
}

impl WriteStats {
    /// Records one committed transaction.
    pub(crate) fn record(&self, took: Duration) {
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        self.commits.fetch_add(1, Ordering::Relaxed);
        self.total_micros.fetch_add(micros, Ordering::Relaxed);
        self.last_micros.store(micros, Ordering::Relaxed);
    }

    /// Records whether the last transaction wrote everything.
    pub(crate) fn set_failing(&self, failing: bool) {
        self.failing.store(failing, Ordering::Relaxed);
    }

    /// Whether the last transaction failed.
    pub fn failing(&self) -> bool {
        self.failing.load(Ordering::Relaxed)
    }

    /// The counts now.
    pub fn read(&self) -> WriteLatency {
        WriteLatency {
            commits: self.commits.load(Ordering::Relaxed),
            total: Duration::from_micros(self.total_micros.load(Ordering::Relaxed)),
            last: Duration::from_micros(self.last_micros.load(Ordering::Relaxed)),
        }
    }
}

/// Starts timing: the store's thread times its own commits for the metrics (a driver
/// reading the clock, never the engine).
#[allow(clippy::disallowed_methods)]
pub(crate) fn stopwatch() -> std::time::Instant {
    std::time::Instant::now()
}

/// A backup's wait for a moment the engine is not writing: on the backup's own thread and
/// connection, never the store's thread or the engine's task.
#[allow(clippy::disallowed_methods)]
fn pause() {
    std::thread::sleep(Duration::from_millis(100));
}

/// Counts one more start in `meta` (`starts`) and returns the count, this start included.
pub(crate) fn count_start(conn: &Connection) -> Result<u64, StoreError> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('starts', '1')
         ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
        [],
    )?;
    let value: String = conn.query_row("SELECT value FROM meta WHERE key = 'starts'", [], |r| {
        r.get(0)
    })?;
    Ok(value.parse().unwrap_or(0))
}

/// What a backup wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    /// The file written.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
}

/// Opens an existing parkdesk database for reading (its schema version is checked).
fn open_existing(path: &Path) -> Result<Connection, StoreError> {
    if !path.is_file() {
        return Err(StoreError::NotAStore {
            path: path.to_path_buf(),
            reason: "no such file".into(),
        });
    }
    // Read-write without create: a WAL database opened read-only may need to create its
    // shared-memory file; nothing is written.
    let conn =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE).map_err(|source| {
            StoreError::Open {
                path: path.to_path_buf(),
                source,
            }
        })?;
    conn.busy_timeout(Duration::from_secs(5))?;
    let version: Option<i64> = conn
        .query_row("SELECT MAX(version) FROM schema_version", [], |r| r.get(0))
        .optional()
        .map_err(|e| StoreError::NotAStore {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?
        .flatten();
    if version.is_none() {
        return Err(StoreError::NotAStore {
            path: path.to_path_buf(),
            reason: "no schema version".into(),
        });
    }
    Ok(conn)
}

/// Copies `from` into `to` in one step (a consistent snapshot), retrying while the source
/// is busy being written.
fn copy(from: &Connection, to: &mut Connection) -> Result<(), StoreError> {
    let backup = Backup::new(from, to)?;
    for _ in 0..BUSY_RETRIES {
        match backup.step(-1)? {
            StepResult::Done => return Ok(()),
            // More (the source changed under the step), Busy, Locked: try again.
            _ => pause(),
        }
    }
    Err(StoreError::Busy)
}

/// Backs up the database at `db` to `dest` while an engine may be running on it: written to
/// `dest` with `.partial` appended, checked, then renamed, so `dest` is never half a file.
pub fn backup(db: &Path, dest: &Path) -> Result<BackupReport, StoreError> {
    let source = open_existing(db)?;
    let mut partial = dest.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let _ = std::fs::remove_file(&partial);
    let write = |source: std::io::Error| StoreError::BackupFile {
        path: dest.to_path_buf(),
        source,
    };
    let result = (|| {
        let mut target = Connection::open(&partial).map_err(|source| StoreError::Open {
            path: partial.clone(),
            source,
        })?;
        copy(&source, &mut target)?;
        let check: String = target.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if check != "ok" {
            return Err(StoreError::NotAStore {
                path: dest.to_path_buf(),
                reason: format!("the copy fails its check: {check}"),
            });
        }
        target.close().map_err(|(_, e)| StoreError::from(e))?;
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    std::fs::rename(&partial, dest).map_err(write)?;
    let bytes = std::fs::metadata(dest).map_err(write)?.len();
    Ok(BackupReport {
        path: dest.to_path_buf(),
        bytes,
    })
}

/// The pid written in `<db>.lock`, when that process is alive.
fn lock_holder(db: &Path) -> Option<u32> {
    let mut lock = db.as_os_str().to_owned();
    lock.push(".lock");
    let text = std::fs::read_to_string(PathBuf::from(lock)).ok()?;
    let pid: u32 = text
        .split(|c: char| !c.is_ascii_digit())
        .find(|s| !s.is_empty())?
        .parse()
        .ok()?;
    Path::new(&format!("/proc/{pid}")).exists().then_some(pid)
}

/// Restores `backup` into the database at `db` for an engine that is stopped: refused while
/// any process holds `db` (an engine, a backup). The restored store's `epoch` is deleted so
/// the next start draws a new one. `db` need not exist.
pub fn restore(backup: &Path, db: &Path) -> Result<(), StoreError> {
    let held = |pid| StoreError::Held {
        path: db.to_path_buf(),
        pid,
    };
    if let Some(pid) = lock_holder(db) {
        return Err(held(Some(pid)));
    }
    let source = open_existing(backup)?;
    if let Some(parent) = db.parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|source| StoreError::Directory {
            path: parent.to_path_buf(),
            source,
        })?;
    }
    let open = |source| StoreError::Open {
        path: db.to_path_buf(),
        source,
    };
    let mut target = Connection::open(db).map_err(open)?;
    // Exclusive: fails at once if an engine has the database open (a WAL connection keeps a
    // shared lock), and keeps one from starting until the restore is over.
    target.busy_timeout(Duration::ZERO)?;
    target
        .pragma_update(None, "locking_mode", "EXCLUSIVE")
        .map_err(open)?;
    if let Err(e) = target.execute_batch("BEGIN EXCLUSIVE; COMMIT;") {
        return match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                Err(held(None))
            }
            _ => Err(e.into()),
        };
    }
    copy(&source, &mut target)?;
    target.execute("DELETE FROM meta WHERE key = 'epoch'", [])?;
    let _ = target.pragma_update(None, "wal_checkpoint", "TRUNCATE");
    target.close().map_err(|(_, e)| StoreError::from(e))?;
    Ok(())
}
