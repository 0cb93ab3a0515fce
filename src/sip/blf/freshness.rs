//! Whether the lamp board is current. Reading the board after every input costs the engine's
//! task real work, wasted while no phone watches a lamp; so with no subscription the engine
//! marks the board stale instead of reading it, and a new subscriber asks for a fresh board
//! and waits for it (a little) before its first NOTIFY: it never sees stale lamps.
//!
//! The engine's side ([`Freshness::begin`], a look at the subscriptions held, then
//! [`Freshness::shown`] when it did read the board) and a subscriber's side (its place
//! under the caps taken, then [`Freshness::ensure`]) cannot miss each other: the caps' lock
//! orders the look and the taking. When the engine looked first, its `begin` happened
//! before the subscriber reads `stale`, so the subscriber sees the board stale (or a board
//! read since); when the subscriber took its place first, the engine sees it and reads the
//! board.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::{Notify, watch};

/// How long a new subscriber waits for the engine's fresh board before it goes on with the
/// board it has (the engine's task is busy or gone).
pub const FRESH_WAIT: Duration = Duration::from_secs(1);

/// The board's freshness, shared by the engine's side and the subscriptions.
#[derive(Debug)]
pub struct Freshness {
    /// The board may miss changes: the engine skipped reading it.
    stale: AtomicBool,
    /// Counts the boards the engine read (changed or not).
    shown: watch::Sender<u64>,
    /// A subscriber asks the engine's task for a fresh board.
    wanted: Notify,
}

impl Default for Freshness {
    fn default() -> Freshness {
        Freshness::new()
    }
}

impl Freshness {
    /// Stale until the engine first reads the board.
    pub fn new() -> Freshness {
        Freshness {
            stale: AtomicBool::new(true),
            shown: watch::Sender::new(0),
            wanted: Notify::new(),
        }
    }

    /// The engine's side, before it looks at the subscriptions: the board is stale unless
    /// [`Freshness::shown`] follows.
    pub fn begin(&self) {
        self.stale.store(true, Ordering::SeqCst);
    }

    /// The engine's side: the board it read is shown; subscribers waiting for it go on.
    pub fn shown(&self) {
        self.stale.store(false, Ordering::SeqCst);
        self.shown.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Whether the board may miss changes now.
    pub fn is_stale(&self) -> bool {
        self.stale.load(Ordering::SeqCst)
    }

    /// Resolves when a subscriber wants a fresh board (a request made while nobody waited
    /// is kept for the next call).
    pub async fn wanted(&self) {
        self.wanted.notified().await;
    }

    /// A subscriber's side, once its subscription counts: when the board is stale, asks the
    /// engine for a fresh one and waits for it, at most `limit`. False when it timed out
    /// (the board is then used as it is).
    pub async fn ensure(&self, limit: Duration) -> bool {
        // Seen before `stale` is read: a board shown after that wakes the wait below.
        let mut shown = self.shown.subscribe();
        if !self.is_stale() {
            return true;
        }
        self.wanted.notify_one();
        matches!(
            tokio::time::timeout(limit, shown.changed()).await,
            Ok(Ok(()))
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_stale_board_is_asked_for_and_waited_for_until_the_engine_shows_one() {
        let fresh = std::sync::Arc::new(Freshness::new());
        let engine = {
            let fresh = fresh.clone();
            tokio::spawn(async move {
                fresh.wanted().await;
                fresh.begin();
                fresh.shown();
            })
        };
        assert!(
            fresh.ensure(FRESH_WAIT).await,
            "the engine answered in time"
        );
        assert!(!fresh.is_stale());
        engine.await.expect("the engine's side ran");
    }

    #[tokio::test]
    async fn a_fresh_board_needs_no_wait_and_an_unanswered_ask_gives_up_after_the_limit() {
        let fresh = Freshness::new();
        fresh.begin();
        fresh.shown();
        assert!(fresh.ensure(FRESH_WAIT).await);
        fresh.begin();
        let brief = Duration::from_millis(20);
        assert!(!fresh.ensure(brief).await, "nobody showed a board");
        assert!(fresh.is_stale());
    }
}
