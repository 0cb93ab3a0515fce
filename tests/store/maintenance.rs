//! Keeping a store: starts counted in `meta`, write latency, online backup while the store
//! is open, restore refused while it is held and dropping the epoch.

use parkdesk::engine::User;
use parkdesk::store::{Store, StoreError, backup, restore};

fn user(id: &str) -> User {
    User {
        id: id.into(),
        name: id.to_uppercase(),
        ..User::default()
    }
}

#[tokio::test]
async fn each_start_is_counted_in_the_store_across_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let store = Store::open(&db).unwrap();
    assert_eq!(store.count_start().await.unwrap(), 1);
    store.close().await.unwrap();
    let store = Store::open(&db).unwrap();
    assert_eq!(store.count_start().await.unwrap(), 2);
    store.ping().await.unwrap();
}

#[tokio::test]
async fn write_transactions_are_counted_for_the_metrics() {
    let store = Store::open_in_memory().unwrap();
    assert_eq!(store.write_latency().commits, 0);
    store.put_user(user("ada"));
    store.flush().await.unwrap();
    assert_eq!(store.write_latency().commits, 1);
}

#[tokio::test]
async fn a_backup_of_an_open_store_holds_what_was_written_and_restores_without_the_epoch() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.db");
    let store = Store::open(&db).unwrap();
    store.put_user(user("ada"));
    store.flush().await.unwrap();
    let copy = dir.path().join("copy.db");
    let report = backup(&db, &copy).unwrap();
    assert!(report.bytes > 0);
    assert!(!dir.path().join("copy.db.partial").exists());

    // Restoring over the open store is refused: it is held.
    let err = restore(&copy, &db).unwrap_err();
    assert!(matches!(err, StoreError::Held { .. }), "{err}");
    assert!(err.to_string().contains("stop the engine"), "{err}");
    store.close().await.unwrap();

    let conn = rusqlite::Connection::open(&copy).unwrap();
    conn.execute("INSERT INTO meta (key, value) VALUES ('epoch', 'e1')", [])
        .unwrap();
    drop(conn);
    let target = dir.path().join("new").join("restored.db");
    restore(&copy, &target).unwrap();
    let restored = Store::open(&target).unwrap();
    let setup = restored.load_setup().await.unwrap();
    assert_eq!(setup.users, vec![user("ada")]);
    restored.close().await.unwrap();
    let conn = rusqlite::Connection::open(&target).unwrap();
    let epochs: i64 = conn
        .query_row("SELECT count(*) FROM meta WHERE key = 'epoch'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(epochs, 0);
}

#[test]
fn a_file_that_is_not_a_store_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("notes.txt");
    std::fs::write(&junk, "not a database").unwrap();
    let err = restore(&junk, &dir.path().join("p.db")).unwrap_err();
    assert!(err.to_string().contains("notes.txt"), "{err}");
    assert!(
        err.to_string().contains("is not a parkdesk database"),
        "{err}"
    );
    let err = backup(&dir.path().join("absent.db"), &dir.path().join("b.db")).unwrap_err();
    assert!(err.to_string().contains("no such file"), "{err}");
}
