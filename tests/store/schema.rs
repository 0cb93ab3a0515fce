//! Opening a database: migrations on a fresh file, re-opening, upgrading, refusing a newer one.

use parkdesk::engine::{OrbitRange, RangeKind};
use parkdesk::store::schema::MIGRATIONS;
use parkdesk::store::{SCHEMA_VERSION, Store, StoreError};
use rusqlite::Connection;

fn range(name: &str, start: &str, end: &str) -> OrbitRange {
    OrbitRange {
        name: name.into(),
        kind: RangeKind::Park,
        start: start.into(),
        end: end.into(),
    }
}

fn version_of(path: &std::path::Path) -> u32 {
    let conn = Connection::open(path).expect("open");
    conn.query_row("SELECT version FROM schema_version", [], |r| r.get(0))
        .expect("version")
}

#[tokio::test]
async fn a_fresh_file_in_a_new_directory_is_migrated_to_the_current_schema_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deep/er/parkdesk.db");
    let store = Store::open(&path).unwrap();
    store.flush().await.unwrap();
    assert!(path.is_file());
    assert_eq!(version_of(&path), SCHEMA_VERSION);
    assert_eq!(SCHEMA_VERSION as usize, MIGRATIONS.len());
    let conn = Connection::open(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let rows: u32 = conn
        .query_row("SELECT COUNT(*) FROM schema_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 1);
    store.close().await.unwrap();
}

#[tokio::test]
async fn reopening_keeps_the_data_and_runs_no_migration_twice() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("parkdesk.db");
    let store = Store::open(&path).unwrap();
    store.put_range(range("main", "701", "799"));
    store.close().await.unwrap();

    let store = Store::open(&path).unwrap();
    let setup = store.load_setup().await.unwrap();
    assert_eq!(setup.ranges, [range("main", "701", "799")]);
    store.close().await.unwrap();
    assert_eq!(version_of(&path), SCHEMA_VERSION);
}

#[tokio::test]
async fn a_database_at_an_older_version_is_upgraded_and_keeps_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        // A database written by a build that knew only the first migration.
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(MIGRATIONS[0].sql).unwrap();
        conn.execute_batch(
            "CREATE TABLE schema_version (version INTEGER NOT NULL);
             INSERT INTO schema_version VALUES (1);
             INSERT INTO meta VALUES ('directory_initialized', '1');",
        )
        .unwrap();
        let body = serde_json::to_string(&range("old", "10", "99")).unwrap();
        conn.execute("INSERT INTO dir_ranges VALUES ('old', 1, ?1)", [body])
            .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.load_setup().await.unwrap().ranges,
        [range("old", "10", "99")]
    );
    assert_eq!(store.history(None, 10).await.unwrap(), []);
    store.close().await.unwrap();
    assert_eq!(version_of(&path), SCHEMA_VERSION);
}

#[test]
fn a_database_from_a_newer_parkdesk_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE schema_version (version INTEGER NOT NULL);
             INSERT INTO schema_version VALUES (99);",
        )
        .unwrap();
    }
    match Store::open(&path) {
        Err(StoreError::TooNew {
            found: 99,
            supported,
        }) => assert_eq!(supported, SCHEMA_VERSION),
        other => panic!("expected TooNew, got {other:?}"),
    }
    assert_eq!(version_of(&path), 99);
}

#[test]
fn a_path_that_cannot_be_a_database_is_an_open_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let not_a_db = dir.path().join("garbage.db");
    std::fs::write(
        &not_a_db,
        b"this is not an sqlite database, not at all, no header",
    )
    .unwrap();
    let err = Store::open(&not_a_db).unwrap_err();
    assert!(err.to_string().contains("garbage.db"), "{err}");
}
