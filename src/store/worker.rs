//! The store's thread: it alone owns the SQLite connection and applies operations in the
//! order they were sent. Writes that arrive together are committed in one transaction (one
//! disk sync for a burst); a request (a read, a flush) first commits the writes before it,
//! so it always sees them.

use super::audit::{self, AuditEntry};
use super::directory::{self, StoredSetup, Table};
use super::durable::{self, DurableRow, DurableState};
use super::error::StoreError;
use super::events::{self, DEFAULT_EVENT_RETENTION, PRUNE_EVERY, StoredEvent};
use super::history::{self, HistoryEntry, ParkEnded, ParkRecord};
use super::lock::StoreLock;
use super::meta;
use super::tokens::{self, TokenRecord};
use crate::engine::{EngineSetup, Group, GroupAssignment, OrbitRange, ParkPolicy, User};
use crate::protocol::Timestamp;
use rusqlite::Connection;
use std::sync::mpsc::Receiver;
use tokio::sync::oneshot;

/// Most operations taken from the queue into one batch.
const BATCH: usize = 512;

/// Where a request's answer goes.
pub(crate) type Reply<T> = oneshot::Sender<Result<T, StoreError>>;

/// Something for the store's thread to do.
pub(crate) enum Op {
    /// Fire-and-forget: applied in order; a failure is logged and reported by the next flush.
    Write(Write),
    /// Answered through its reply.
    Request(Request),
}

/// A fire-and-forget write.
pub(crate) enum Write {
    PutRange(OrbitRange),
    DeleteRange(String),
    PutPolicy(ParkPolicy),
    DeletePolicy(String),
    PutUser(User),
    DeleteUser(String),
    PutGroup(Group),
    DeleteGroup(String),
    PutAssignment(GroupAssignment),
    DeleteAssignment(String),
    AllowAdd(String),
    AllowRemove(String),
    PutToken(TokenRecord),
    RevokeToken(String),
    ParkStarted(ParkRecord),
    ParkEnded(ParkEnded),
    Audit(AuditEntry),
    Numbers(Vec<super::numbers::NumbersRow>),
    SaveSetup(Box<EngineSetup>),
    PutDurableCall(DurableRow),
    RemoveDurableCall(String),
    PutDurableLeg(DurableRow),
    RemoveDurableLeg {
        call: String,
        leg: String,
    },
    AppendEvent(StoredEvent),
    /// Keep the newest `n` events from now on (applied in order, like any write).
    EventRetention(usize),
    AliveAt(Timestamp),
    RaiseIdFloor(u64),
}

/// An operation with an answer.
pub(crate) enum Request {
    LoadSetup(Reply<StoredSetup>),
    LoadDurable(Reply<DurableState>),
    LoadNumbers(Reply<super::numbers::StoredNumbers>),
    Tokens(Reply<Vec<TokenRecord>>),
    History {
        since: Option<Timestamp>,
        limit: usize,
        reply: Reply<Vec<HistoryEntry>>,
    },
    CloseOpenParksAsLost {
        at: Timestamp,
        keep: Vec<String>,
        reply: Reply<usize>,
    },
    EventsAfter {
        since: u64,
        upto: u64,
        reply: Reply<Option<Vec<StoredEvent>>>,
    },
    LastSeq(Reply<u64>),
    NewestEvents {
        n: usize,
        reply: Reply<Vec<StoredEvent>>,
    },
    Epoch {
        fresh: String,
        reply: Reply<String>,
    },
    NewEpoch {
        fresh: String,
        reply: Reply<String>,
    },
    LastAlive(Reply<Option<Timestamp>>),
    ReserveIds {
        block: u64,
        reply: Reply<u64>,
    },
    AuditLog {
        limit: usize,
        reply: Reply<Vec<AuditEntry>>,
    },
    Flush(Reply<()>),
    CountStart(Reply<u64>),
    Ping(Reply<()>),
    Close(Reply<()>),
}

/// The thread's state.
pub(crate) struct Worker {
    conn: Connection,
    /// Write failures since the last flush: how many, and the first one's message.
    failures: Option<(usize, String)>,
    /// Events the log keeps.
    retention: usize,
    /// Events appended since the log was last pruned.
    appended: usize,
    /// The database's lock file, held as long as this thread owns the connection.
    lock: Option<StoreLock>,
    /// Commit times, for the metrics.
    stats: std::sync::Arc<super::maintenance::WriteStats>,
}

impl Worker {
    pub(crate) fn new(
        conn: Connection,
        lock: Option<StoreLock>,
        stats: std::sync::Arc<super::maintenance::WriteStats>,
    ) -> Worker {
        Worker {
            conn,
            failures: None,
            retention: DEFAULT_EVENT_RETENTION,
            appended: 0,
            lock,
            stats,
        }
    }

    /// Serves `ops` until every sender is gone or a `Close` arrives.
    pub(crate) fn run(mut self, ops: Receiver<Op>) {
        let mut writes = Vec::new();
        while let Ok(first) = ops.recv() {
            let mut batch = vec![first];
            while batch.len() < BATCH {
                match ops.try_recv() {
                    Ok(op) => batch.push(op),
                    Err(_) => break,
                }
            }
            for op in batch {
                match op {
                    Op::Write(write) => writes.push(write),
                    Op::Request(request) => {
                        self.commit(&mut writes);
                        if let Request::Close(reply) = request {
                            self.close(reply);
                            return;
                        }
                        self.answer(request);
                    }
                }
            }
            self.commit(&mut writes);
        }
        tracing::debug!("store thread ends: every handle is dropped");
    }

    /// Applies `writes` in one transaction; a failing write is recorded and the rest go on.
    fn commit(&mut self, writes: &mut Vec<Write>) {
        if writes.is_empty() {
            return;
        }
        let started = super::maintenance::stopwatch();
        let mut failures = Vec::new();
        match self.conn.transaction() {
            Ok(tx) => {
                for write in writes.drain(..) {
                    match &write {
                        Write::EventRetention(keep) => self.retention = (*keep).max(1),
                        Write::AppendEvent(_) => self.appended += 1,
                        _ => {}
                    }
                    if let Err(e) = apply(&tx, &write) {
                        failures.push(e);
                    }
                }
                // Pruned now and then, in the burst's transaction: never on the engine's path.
                if self.appended >= PRUNE_EVERY {
                    self.appended = 0;
                    if let Err(e) = events::prune(&tx, self.retention) {
                        failures.push(e);
                    }
                }
                if let Err(e) = tx.commit() {
                    failures.push(e.into());
                }
            }
            Err(e) => failures.push(StoreError::from(e)),
        };
        // Without a transaction, apply each write on its own rather than lose them.
        for write in writes.drain(..) {
            if let Err(e) = apply(&self.conn, &write) {
                failures.push(e);
            }
        }
        self.stats.record(started.elapsed());
        self.stats.set_failing(!failures.is_empty());
        for failure in failures {
            self.record(failure);
        }
    }

    fn record(&mut self, failure: StoreError) {
        tracing::error!(error = %failure, "store write failed");
        match &mut self.failures {
            Some((count, _)) => *count += 1,
            None => self.failures = Some((1, failure.to_string())),
        }
    }

    fn answer(&mut self, request: Request) {
        // A requester that stopped waiting is no error: the answer is dropped.
        match request {
            Request::LoadSetup(reply) => {
                let _ = reply.send(directory::load(&self.conn));
            }
            Request::LoadDurable(reply) => {
                let _ = reply.send(durable::load(&self.conn));
            }
            Request::LoadNumbers(reply) => {
                let _ = reply.send(super::numbers::load(&self.conn));
            }
            Request::Tokens(reply) => {
                let _ = reply.send(tokens::list(&self.conn));
            }
            Request::History {
                since,
                limit,
                reply,
            } => {
                let _ = reply.send(history::list(&self.conn, since, limit));
            }
            Request::CloseOpenParksAsLost { at, keep, reply } => {
                let _ = reply.send(history::close_open_as_lost(&self.conn, at, &keep));
            }
            Request::EventsAfter { since, upto, reply } => {
                let _ = reply.send(events::after(&self.conn, since, upto));
            }
            Request::NewestEvents { n, reply } => {
                let _ = reply.send(events::newest(&self.conn, n));
            }
            Request::LastSeq(reply) => {
                let _ = reply.send(events::last_seq(&self.conn));
            }
            Request::Epoch { fresh, reply } => {
                let _ = reply.send(meta::epoch_or(&self.conn, &fresh));
            }
            Request::NewEpoch { fresh, reply } => {
                let _ = reply.send(meta::put(&self.conn, meta::EPOCH, &fresh).map(|()| fresh));
            }
            Request::LastAlive(reply) => {
                let alive =
                    meta::alive_at(&self.conn).map(|at| at.map(Timestamp::from_unix_millis));
                let _ = reply.send(alive);
            }
            Request::ReserveIds { block, reply } => {
                let _ = reply.send(meta::reserve_ids(&self.conn, block));
            }
            Request::AuditLog { limit, reply } => {
                let _ = reply.send(audit::last(&self.conn, limit));
            }
            Request::Flush(reply) => {
                let _ = reply.send(self.take_failures());
            }
            Request::CountStart(reply) => {
                let _ = reply.send(super::maintenance::count_start(&self.conn));
            }
            Request::Ping(reply) => {
                let _ = reply.send(Ok(()));
            }
            Request::Close(reply) => {
                let _ = reply.send(self.take_failures());
            }
        }
    }

    fn take_failures(&mut self) -> Result<(), StoreError> {
        match self.failures.take() {
            None => Ok(()),
            Some((count, first)) => Err(StoreError::WritesFailed { count, first }),
        }
    }

    fn close(mut self, reply: Reply<()>) {
        let failures = self.take_failures();
        let closed = self.conn.close().map_err(|(_, e)| StoreError::from(e));
        // Let go of the database before answering: the closer may reopen it at once.
        drop(self.lock.take());
        let _ = reply.send(failures.and(closed));
        tracing::debug!("store closed");
    }
}

fn apply(conn: &Connection, write: &Write) -> Result<(), StoreError> {
    match write {
        Write::PutRange(r) => directory::put(conn, Table::Ranges, &r.name, r),
        Write::DeleteRange(name) => directory::delete(conn, Table::Ranges, name),
        Write::PutPolicy(p) => directory::put(conn, Table::Policies, &p.name, p),
        Write::DeletePolicy(name) => directory::delete(conn, Table::Policies, name),
        Write::PutUser(u) => directory::put(conn, Table::Users, &u.id, u),
        Write::DeleteUser(id) => directory::delete(conn, Table::Users, id),
        Write::PutGroup(g) => directory::put(conn, Table::Groups, &g.id, g),
        Write::DeleteGroup(id) => directory::delete(conn, Table::Groups, id),
        Write::PutAssignment(a) => directory::put(conn, Table::Assignments, &a.group, a),
        Write::DeleteAssignment(group) => directory::delete(conn, Table::Assignments, group),
        Write::AllowAdd(number) => directory::put(conn, Table::AllowList, number, number),
        Write::AllowRemove(number) => directory::delete(conn, Table::AllowList, number),
        Write::PutToken(record) => tokens::put(conn, record),
        Write::RevokeToken(id) => tokens::revoke(conn, id),
        Write::ParkStarted(park) => history::started(conn, park),
        Write::ParkEnded(ended) => history::ended(conn, ended),
        Write::Audit(entry) => audit::append(conn, entry),
        Write::Numbers(rows) => super::numbers::apply(conn, rows),
        Write::SaveSetup(setup) => directory::save_queued(conn, setup),
        Write::PutDurableCall(row) => durable::put_call(conn, row),
        Write::RemoveDurableCall(call) => durable::remove_call(conn, call),
        Write::PutDurableLeg(row) => durable::put_leg(conn, row),
        Write::RemoveDurableLeg { call, leg } => durable::remove_leg(conn, call, leg),
        Write::AppendEvent(event) => events::append(conn, event),
        Write::EventRetention(_) => Ok(()),
        Write::AliveAt(at) => meta::put(conn, meta::ALIVE_AT, &at.unix_millis().to_string()),
        Write::RaiseIdFloor(floor) => meta::raise_id_floor(conn, *floor),
    }
}
