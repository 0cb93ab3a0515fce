//! Caps on subscriptions, per source address and in all, so nobody can exhaust the
//! engine's memory with SUBSCRIBEs. A subscription holds a [`Slot`] for its whole life;
//! dropping it gives the place back.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};

/// Subscriptions one source address may hold (a phone with expansion modules has a few
/// dozen BLF keys; a PBX subscribing for its phones shares one address).
pub const PER_SOURCE: usize = 500;

/// Subscriptions the engine holds in all.
pub const TOTAL: usize = 5000;

/// Why a subscription was refused a place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Full {
    /// The source holds its share already.
    #[error("{0} holds {PER_SOURCE} subscriptions already")]
    Source(IpAddr),
    /// The engine holds all it will.
    #[error("{TOTAL} subscriptions are held already")]
    Total,
}

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    by_source: HashMap<IpAddr, usize>,
}

/// The places held, by source.
#[derive(Debug, Clone)]
pub struct Limits {
    counts: Arc<Mutex<Counts>>,
    per_source: usize,
    total: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::new(PER_SOURCE, TOTAL)
    }
}

impl Limits {
    /// Limits of `per_source` per address and `total` in all.
    pub fn new(per_source: usize, total: usize) -> Limits {
        Limits {
            counts: Arc::default(),
            per_source,
            total,
        }
    }

    fn counts(&self) -> MutexGuard<'_, Counts> {
        match self.counts.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Takes a place for a subscription from `source`.
    pub fn take(&self, source: IpAddr) -> Result<Slot, Full> {
        let mut counts = self.counts();
        if counts.total >= self.total {
            return Err(Full::Total);
        }
        let held = counts.by_source.entry(source).or_insert(0);
        if *held >= self.per_source {
            return Err(Full::Source(source));
        }
        *held += 1;
        counts.total += 1;
        Ok(Slot {
            limits: self.clone(),
            source,
        })
    }

    /// Places held now.
    pub fn held(&self) -> usize {
        self.counts().total
    }

    /// Places held now by `source`.
    pub fn held_by(&self, source: IpAddr) -> usize {
        self.counts().by_source.get(&source).copied().unwrap_or(0)
    }

    fn give_back(&self, source: IpAddr) {
        let mut counts = self.counts();
        counts.total = counts.total.saturating_sub(1);
        if let Some(held) = counts.by_source.get_mut(&source) {
            *held = held.saturating_sub(1);
            if *held == 0 {
                counts.by_source.remove(&source);
            }
        }
    }
}

/// One subscription's place; given back when dropped.
#[derive(Debug)]
pub struct Slot {
    limits: Limits,
    source: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.limits.give_back(self.source);
    }
}
