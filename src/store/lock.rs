//! One process per database: a lock file beside it (`<db>.lock`), held with an OS file lock
//! for the life of the store and holding the owner's pid for the message a second engine
//! gets. The OS drops the lock when its holder dies, so a file left by a crash never blocks;
//! the pid text is only what the message names.

use super::error::StoreError;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a handle of this very process may take to let go (its thread still applying
/// the last writes after the last handle was dropped) before the lock counts as taken.
const OWN_RELEASE: Duration = Duration::from_secs(5);

/// How long to wait for a holder that has just locked to write its pid.
const PID_WRITTEN: Duration = Duration::from_millis(300);

/// The held lock; dropping it (closing the file) releases it.
#[derive(Debug)]
pub(crate) struct StoreLock {
    _file: File,
}

/// The lock file of the database at `db`.
pub fn lock_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// Takes the lock of the database at `db`, or names who holds it.
// Opening a store is blocking setup on the opener's thread, before anything is served: the
// short waits here are for a handle of this process letting go, or a pid being written.
#[allow(clippy::disallowed_methods)]
pub(crate) fn acquire(db: &Path) -> Result<StoreLock, StoreError> {
    let path = lock_path(db);
    let failed = |source| StoreError::Lock {
        path: path.clone(),
        source,
    };
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(failed)?;
    let started = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(TryLockError::WouldBlock) => {
                let pid = holder(&path, started);
                if pid == Some(std::process::id()) && started.elapsed() < OWN_RELEASE {
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                }
                return Err(StoreError::InUse {
                    path: db.to_path_buf(),
                    pid,
                });
            }
            Err(TryLockError::Error(source)) => return Err(failed(source)),
        }
    }
    // Truncated only once held: a second process must not wipe the holder's pid.
    file.set_len(0).map_err(failed)?;
    file.seek(SeekFrom::Start(0)).map_err(failed)?;
    writeln!(file, "{}", std::process::id()).map_err(failed)?;
    file.flush().map_err(failed)?;
    Ok(StoreLock { _file: file })
}

/// The pid written in the lock file, waiting briefly for one that has just locked it.
#[allow(clippy::disallowed_methods)] // see `acquire`
fn holder(path: &Path, started: Instant) -> Option<u32> {
    loop {
        let pid = std::fs::read_to_string(path)
            .ok()
            .and_then(|text| text.trim().parse().ok());
        if pid.is_some() || started.elapsed() >= PID_WRITTEN {
            return pid;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}
