//! One process per database: a second process is refused with the holder's pid; a lock
//! file left by a dead process does not block.

use parkdesk::store::{Store, StoreError, lock_path};
use std::process::{Child, Command, Stdio};

/// `flock(1)` holding the lock file (the same OS lock the store takes) until killed
/// (`--close`: the command it runs does not inherit the lock, so it ends with `flock`).
struct Holder(Child);

impl Drop for Holder {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn locked(lock: &std::path::Path) -> bool {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(lock)
        .expect("open the lock file");
    file.try_lock().is_err()
}

#[tokio::test]
async fn a_database_held_by_another_process_is_refused_naming_its_pid() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("parkdesk.db");
    let lock = lock_path(&path);
    assert_eq!(lock, dir.path().join("parkdesk.db.lock"));
    std::fs::write(&lock, "4242\n").unwrap();
    let mut holder = Holder(
        Command::new("flock")
            .arg("--close")
            .arg(&lock)
            .args(["sh", "-c", "echo locked; exec sleep 60"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("flock(1)"),
    );
    // Its command runs once the lock is taken: its first line says so.
    let stdout = holder.0.stdout.take().expect("flock's stdout");
    let mut said = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut said)
        .expect("flock's first line");
    assert_eq!(said.trim(), "locked");
    assert!(locked(&lock));
    match Store::open(&path) {
        Err(
            e @ StoreError::InUse {
                pid: Some(4242), ..
            },
        ) => {
            let message = e.to_string();
            assert!(message.contains("parkdesk pid 4242"), "{message}");
            assert!(message.contains("parkdesk.db"), "{message}");
            assert!(message.contains("stop it first"), "{message}");
        }
        other => panic!("expected in use by 4242, got {other:?}"),
    }
    drop(holder);
    // The holder is gone: its lock went with it, and the file it left does not block.
    let store = Store::open(&path).expect("free once the holder died");
    let written = std::fs::read_to_string(&lock).unwrap();
    assert_eq!(written.trim(), std::process::id().to_string());
    store.close().await.unwrap();
}

#[tokio::test]
async fn a_closed_store_lets_the_next_open_in_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("parkdesk.db");
    let store = Store::open(&path).unwrap();
    assert!(locked(&lock_path(&path)), "held while open");
    store.close().await.unwrap();
    assert!(!locked(&lock_path(&path)), "released once closed");
    Store::open(&path).unwrap().close().await.unwrap();
}
