//! The store: SQLite on its own thread, holding the directory, tokens, park history, the
//! audit log, the numbers inventory, durable calls and the event log.
//!
//! The engine's task never touches SQLite. A [`Store`] is a cheap handle (clone it freely)
//! that sends operations over a channel to the one thread owning the connection. Writes are
//! fire-and-forget and applied in the order sent; reads answer through a oneshot and see
//! every write sent before them; [`Store::flush`] waits until everything queued is written
//! and reports writes that failed since the last flush. One process at a time opens a
//! database file: a lock file beside it names the holder.

mod audit;
mod directory;
mod durable;
mod error;
mod events;
mod export;
mod history;
mod lock;
mod maintenance;
mod meta;
mod numbers;
pub mod schema;
mod tokens;
mod worker;

pub use audit::{AuditEntry, redact_args};
pub use directory::StoredSetup;
pub use durable::{DurableRow, DurableState};
pub use error::StoreError;
pub use events::{DEFAULT_EVENT_RETENTION, StoredEvent};
pub use export::{
    CSV_COLUMNS, ExportFormat, export_history, export_history_csv, export_history_json,
};
pub use history::{HistoryEntry, ParkEnded, ParkRecord};
pub use lock::lock_path;
pub use maintenance::{BackupReport, WriteLatency, WriteStats, backup, restore};
pub use numbers::StoredNumbers;
pub use schema::SCHEMA_VERSION;
pub use tokens::{TokenRecord, find_token, hash_token, token_matches};

use crate::engine::{EngineSetup, Group, GroupAssignment, OrbitRange, ParkPolicy, User};
use crate::protocol::Timestamp;
use rusqlite::Connection;
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;
use tokio::sync::oneshot;
use worker::{Op, Reply, Request, Worker, Write};

/// How long a statement waits for another process's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// A handle to the store's thread. Clones share the thread; it ends when the last handle is
/// dropped (after applying everything queued) or at [`Store::close`].
#[derive(Debug, Clone)]
pub struct Store {
    ops: mpsc::Sender<Op>,
    stats: std::sync::Arc<WriteStats>,
}

impl Store {
    /// Opens (creating it and its directory if needed) the database at `path`: WAL journal,
    /// a busy timeout, foreign keys on, migrations applied. The database is this store's
    /// alone until it closes: another process opening it gets [`StoreError::InUse`] naming
    /// this one's pid.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(parent) = path.parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::Directory {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let lock = lock::acquire(path)?;
        let open = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open(path).map_err(open)?;
        let mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
            .map_err(open)?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(%mode, path = %path.display(), "the database refused WAL");
        }
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open)?;
        Store::start(conn, Some(lock))
    }

    /// A store in memory: nothing survives the process (tests, `[store] path = ":memory:"`).
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let conn = Connection::open_in_memory().map_err(|source| StoreError::Open {
            path: ":memory:".into(),
            source,
        })?;
        Store::start(conn, None)
    }

    fn start(mut conn: Connection, lock: Option<lock::StoreLock>) -> Result<Store, StoreError> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "foreign_keys", true)?;
        schema::migrate(&mut conn)?;
        let (ops, queue) = mpsc::channel();
        let stats = std::sync::Arc::new(WriteStats::default());
        let worker_stats = stats.clone();
        std::thread::Builder::new()
            .name("parkdesk-store".into())
            .spawn(move || Worker::new(conn, lock, worker_stats).run(queue))
            .map_err(StoreError::Thread)?;
        Ok(Store { ops, stats })
    }

    fn write(&self, write: Write) {
        if self.ops.send(Op::Write(write)).is_err() {
            tracing::warn!("store is closed; a write is dropped");
        }
    }

    async fn request<T>(&self, make: impl FnOnce(Reply<T>) -> Request) -> Result<T, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.ops
            .send(Op::Request(make(reply)))
            .map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    /// Inserts or replaces a range (by name).
    pub fn put_range(&self, range: OrbitRange) {
        self.write(Write::PutRange(range));
    }

    /// Deletes a range.
    pub fn delete_range(&self, name: &str) {
        self.write(Write::DeleteRange(name.to_string()));
    }

    /// Inserts or replaces a policy (by name).
    pub fn put_policy(&self, policy: ParkPolicy) {
        self.write(Write::PutPolicy(policy));
    }

    /// Deletes a policy.
    pub fn delete_policy(&self, name: &str) {
        self.write(Write::DeletePolicy(name.to_string()));
    }

    /// Inserts or replaces a user (by id).
    pub fn put_user(&self, user: User) {
        self.write(Write::PutUser(user));
    }

    /// Deletes a user.
    pub fn delete_user(&self, id: &str) {
        self.write(Write::DeleteUser(id.to_string()));
    }

    /// Inserts or replaces a group (by id).
    pub fn put_group(&self, group: Group) {
        self.write(Write::PutGroup(group));
    }

    /// Deletes a group.
    pub fn delete_group(&self, id: &str) {
        self.write(Write::DeleteGroup(id.to_string()));
    }

    /// Inserts or replaces a group's policy assignment (one per group).
    pub fn put_assignment(&self, assignment: GroupAssignment) {
        self.write(Write::PutAssignment(assignment));
    }

    /// Deletes a group's policy assignment.
    pub fn delete_assignment(&self, group: &str) {
        self.write(Write::DeleteAssignment(group.to_string()));
    }

    /// Adds a number to the allow-list.
    pub fn allow_add(&self, number: &str) {
        self.write(Write::AllowAdd(number.to_string()));
    }

    /// Removes a number from the allow-list.
    pub fn allow_remove(&self, number: &str) {
        self.write(Write::AllowRemove(number.to_string()));
    }

    /// The stored directory, in the order items were first put.
    pub async fn load_setup(&self) -> Result<StoredSetup, StoreError> {
        self.request(Request::LoadSetup).await
    }

    /// Replaces every directory table with `setup`'s lists (all or nothing), keeping its
    /// order; answers once written: [`Store::put_setup`] and a [`Store::flush`], so it is the
    /// same ordered write. (Numbering — park extension, prefix — is configuration and is not
    /// stored.)
    pub async fn save_setup(&self, setup: &EngineSetup) -> Result<(), StoreError> {
        self.put_setup(setup);
        self.flush().await
    }

    /// Replaces every directory table with `setup`'s lists (all or nothing), fire and forget:
    /// queued in order with every other write, so two saves land in the order they were
    /// made; a failure is reported by the next [`Store::flush`].
    pub fn put_setup(&self, setup: &EngineSetup) {
        self.write(Write::SaveSetup(Box::new(setup.clone())));
    }

    /// Inserts or replaces a token (by id). Build it with [`TokenRecord::new`], which hashes.
    pub fn put_token(&self, record: TokenRecord) {
        self.write(Write::PutToken(record));
    }

    /// Deletes a token: it no longer authenticates.
    pub fn revoke_token(&self, id: &str) {
        self.write(Write::RevokeToken(id.to_string()));
    }

    /// Every stored token, oldest first.
    pub async fn tokens(&self) -> Result<Vec<TokenRecord>, StoreError> {
        self.request(Request::Tokens).await
    }

    /// Records a park's start.
    pub fn park_started(&self, park: ParkRecord) {
        self.write(Write::ParkStarted(park));
    }

    /// Records a park's end; a park never started is a failure reported by the next flush.
    pub fn park_ended(&self, ended: ParkEnded) {
        self.write(Write::ParkEnded(ended));
    }

    /// Ended parks, ascending by `ended_at` (ties in the order they ended). With `since`:
    /// the first `limit` that ended at or after it (page forward with the last entry's
    /// `ended_at`). Without: the most recent `limit`, still oldest first.
    pub async fn history(
        &self,
        since: Option<Timestamp>,
        limit: usize,
    ) -> Result<Vec<HistoryEntry>, StoreError> {
        self.request(|reply| Request::History {
            since,
            limit,
            reply,
        })
        .await
    }

    /// Ends every park still open as `lost` at `at` (or at its start, if it started later):
    /// run once at start, before any park, for the parks the last process left open. A park
    /// already ended is never closed again. Returns how many.
    pub async fn close_open_parks_as_lost(&self, at: Timestamp) -> Result<usize, StoreError> {
        self.close_open_parks_as_lost_except(at, &[]).await
    }

    /// [`Store::close_open_parks_as_lost`], leaving open the parks of the calls in `keep`
    /// (the calls a start carries on).
    pub async fn close_open_parks_as_lost_except(
        &self,
        at: Timestamp,
        keep: &[crate::engine::switch::CallId],
    ) -> Result<usize, StoreError> {
        let keep = keep.iter().map(|c| c.0.clone()).collect();
        self.request(|reply| Request::CloseOpenParksAsLost { at, keep, reply })
            .await
    }

    /// Appends a published event to the durable log (fire and forget, batched with every
    /// other write; the oldest are pruned beyond the retention now and then).
    pub fn append_event(&self, event: StoredEvent) {
        self.write(Write::AppendEvent(event));
    }

    /// How many events the log keeps (`[store] event_retention`; at least 1).
    pub fn set_event_retention(&self, keep: usize) {
        self.write(Write::EventRetention(keep));
    }

    /// The logged events after `since` up to `upto`, in order, if the log holds every one
    /// of them; `None` when any is gone (pruned, or lost) or `since` is past `upto`. The
    /// read is queued when called, so it sees every event appended before the call, even if
    /// awaited later.
    pub fn events_after(
        &self,
        since: u64,
        upto: u64,
    ) -> impl std::future::Future<Output = Result<Option<Vec<StoredEvent>>, StoreError>> + use<>
    {
        let (reply, answer) = oneshot::channel();
        let sent = self
            .ops
            .send(Op::Request(Request::EventsAfter { since, upto, reply }));
        async move {
            sent.map_err(|_| StoreError::Closed)?;
            answer.await.map_err(|_| StoreError::Closed)?
        }
    }

    /// The newest `n` logged events, oldest first: what a new run's replay buffer starts
    /// with.
    pub async fn newest_events(&self, n: usize) -> Result<Vec<StoredEvent>, StoreError> {
        self.request(|reply| Request::NewestEvents { n, reply })
            .await
    }

    /// The highest seq in the event log (0 for none): where a new run's `seq` goes on.
    pub async fn last_seq(&self) -> Result<u64, StoreError> {
        self.request(Request::LastSeq).await
    }

    /// The epoch naming this store's event history: the stored one, or a new random one
    /// stored now when the store has none (a new store).
    pub async fn epoch(&self) -> Result<String, StoreError> {
        let fresh = crate::runtime::entropy::random_hex(8);
        self.request(|reply| Request::Epoch { fresh, reply }).await
    }

    /// Draws and stores a new epoch: events may have been lost (a restored backup), so
    /// clients take a snapshot. Returns it.
    pub async fn new_epoch(&self) -> Result<String, StoreError> {
        let fresh = crate::runtime::entropy::random_hex(8);
        self.request(|reply| Request::NewEpoch { fresh, reply })
            .await
    }

    /// Records that the engine is alive at `at` (the heartbeat; fire and forget).
    pub fn alive_at(&self, at: Timestamp) {
        self.write(Write::AliveAt(at));
    }

    /// The last heartbeat written: when the last process was last known alive.
    pub async fn last_alive(&self) -> Result<Option<Timestamp>, StoreError> {
        self.request(Request::LastAlive).await
    }

    /// Reserves `block` numbers for this run's call and announcement ids and returns the
    /// first (1 in a new store); the next run starts after the block, so ids never repeat
    /// across runs, crashes included. Written before it answers.
    pub async fn reserve_ids(&self, block: u64) -> Result<u64, StoreError> {
        self.request(|reply| Request::ReserveIds { block, reply })
            .await
    }

    /// Moves the next run's first id number up to `floor` (fire and forget; never down):
    /// a run nearing the end of its block reserves more.
    pub fn raise_id_floor(&self, floor: u64) {
        self.write(Write::RaiseIdFloor(floor));
    }

    /// Inserts or replaces the engine's durable record of a call (`row.leg` is ignored).
    pub fn put_durable_call(&self, row: DurableRow) {
        self.write(Write::PutDurableCall(row));
    }

    /// Forgets a call's durable record and every leg of it: it ended.
    pub fn remove_durable_call(&self, call: &str) {
        self.write(Write::RemoveDurableCall(call.to_string()));
    }

    /// Inserts or replaces the durable SIP dialog and media of one leg of a call.
    pub fn put_durable_leg(&self, row: DurableRow) {
        self.write(Write::PutDurableLeg(row));
    }

    /// Forgets one leg (it ended while its call goes on).
    pub fn remove_durable_leg(&self, call: &str, leg: &str) {
        self.write(Write::RemoveDurableLeg {
            call: call.to_string(),
            leg: leg.to_string(),
        });
    }

    /// Every durable call and leg the last process left: what a start restores.
    pub async fn load_durable(&self) -> Result<DurableState, StoreError> {
        self.request(Request::LoadDurable).await
    }

    /// Appends a command to the audit log.
    pub fn audit(&self, entry: AuditEntry) {
        self.write(Write::Audit(entry));
    }

    /// The last `limit` audit entries, oldest first.
    pub async fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        self.request(|reply| Request::AuditLog { limit, reply })
            .await
    }

    /// Counts this start in the store (`meta` key `starts`) and returns the count, this
    /// start included: the restarts the metrics report are one fewer.
    pub async fn count_start(&self) -> Result<u64, StoreError> {
        self.request(Request::CountStart).await
    }

    /// Answers once every write sent before it is applied, changing nothing (unlike
    /// [`Store::flush`], it leaves write failures for the next flush): how long the store's
    /// queue takes to get through.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.request(Request::Ping).await
    }

    /// Whether the last write transaction wrote everything (false while the database is
    /// read-only, full, or locked past the busy timeout; true again after one succeeds).
    pub fn writable(&self) -> bool {
        !self.stats.failing()
    }

    /// Write transactions committed so far and how long they took.
    pub fn write_latency(&self) -> WriteLatency {
        self.stats.read()
    }

    /// Waits until every write sent before it is applied; reports the writes that failed
    /// since the last flush as [`StoreError::WritesFailed`].
    pub async fn flush(&self) -> Result<(), StoreError> {
        self.request(Request::Flush).await
    }

    /// Applies everything sent before it, then closes the database and ends the thread.
    /// Every handle's later operations fail with [`StoreError::Closed`] (writes are dropped
    /// with a warning in the log).
    pub async fn close(self) -> Result<(), StoreError> {
        self.request(Request::Close).await
    }
}
