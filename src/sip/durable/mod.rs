//! Calls that outlive the process, on the SIP side: each parked caller's dialog and RTP
//! stream is written to the store before the caller hears the `200 OK`, so the next process
//! (after a planned restart or a crash) takes the dialog and the stream on again.
//!
//! - `record`: the stored form of a leg;
//! - [`DurableLegs`]: the legs written now, and the restored dialogs' request channels;
//! - `restore`: the start of the next process.

pub mod record;
pub mod restore;

pub use self::record::{DurableSeed, LegRecord, RecordError};

use crate::engine::switch::{CallId, LegId};
use crate::store::{DurableRow, Store};
use sip_core::IncomingRequest;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::Duration;
use tokio::sync::mpsc;

/// How long a leg waits for the store before it answers anyway (the call is then not
/// durable, and the log says so): a stalled store must not leave a caller ringing.
const FLUSH_WAIT: Duration = Duration::from_secs(2);

/// How a restored dialog is named in requests: Call-ID, our tag, the peer's tag.
pub type DialogKey = (String, String, String);

/// The durable legs of this process and the dialogs it restored.
#[derive(Default)]
pub struct DurableLegs {
    store: OnceLock<Store>,
    written: Mutex<HashMap<(CallId, LegId), LegRecord>>,
    restored: Mutex<HashMap<DialogKey, mpsc::Sender<IncomingRequest>>>,
    restoring: AtomicBool,
}

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

impl DurableLegs {
    /// Writes legs to `store` from now on (no store: nothing is durable).
    pub fn attach(&self, store: Store) {
        let _ = self.store.set(store);
    }

    /// Whether legs are written anywhere.
    pub fn enabled(&self) -> bool {
        self.store.get().is_some()
    }

    /// Writes (or rewrites) `record`; queued in order with every other store write.
    pub fn save(&self, record: &LegRecord, now_ms: i64) {
        let Some(store) = self.store.get() else {
            return;
        };
        store.put_durable_leg(DurableRow {
            call: record.call.0.clone(),
            leg: LegRecord::leg_key(record.leg),
            body: record.to_json(),
            updated_at: now_ms,
        });
        locked(&self.written).insert((record.call.clone(), record.leg), record.clone());
    }

    /// The leg ended or stopped being durable.
    pub fn forget(&self, call: &CallId, leg: LegId) {
        let Some(store) = self.store.get() else {
            return;
        };
        if locked(&self.written).remove(&(call.clone(), leg)).is_some() {
            store.remove_durable_leg(&call.0, &LegRecord::leg_key(leg));
        }
    }

    /// Deletes a stored leg by its store names (one that could not be taken on).
    pub fn forget_row(&self, call: &str, leg: &str) {
        if let Some(store) = self.store.get() {
            store.remove_durable_leg(call, leg);
        }
    }

    /// Waits until everything written so far is in the store. False if the store failed or
    /// did not answer in time.
    pub async fn flush(&self) -> bool {
        let Some(store) = self.store.get() else {
            return true;
        };
        match tokio::time::timeout(FLUSH_WAIT, store.flush()).await {
            Ok(Ok(())) => true,
            Ok(Err(e)) => {
                tracing::error!(error = %e, "durable leg not written");
                false
            }
            Err(_) => {
                tracing::error!("the store did not confirm a durable leg in time");
                false
            }
        }
    }

    /// Every leg written now.
    pub fn records(&self) -> Vec<LegRecord> {
        locked(&self.written).values().cloned().collect()
    }

    /// Routes requests of the dialog `key` to a restored leg.
    pub fn route(&self, key: DialogKey, to: mpsc::Sender<IncomingRequest>) {
        locked(&self.restored).insert(key, to);
    }

    /// The restored leg of `key` ended.
    pub fn unroute(&self, key: &DialogKey) {
        locked(&self.restored).remove(key);
    }

    /// Where requests of dialog `key` go, if it is a restored one.
    pub fn route_of(&self, key: &DialogKey) -> Option<mpsc::Sender<IncomingRequest>> {
        locked(&self.restored).get(key).cloned()
    }

    /// While true, an in-dialog request for an unknown dialog may be for one being restored:
    /// the front waits for the restore before answering `481`.
    pub fn set_restoring(&self, restoring: bool) {
        self.restoring.store(restoring, Ordering::Release);
    }

    /// See [`DurableLegs::set_restoring`].
    pub fn restoring(&self) -> bool {
        self.restoring.load(Ordering::Acquire)
    }
}
