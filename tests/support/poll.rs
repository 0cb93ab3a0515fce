//! Waiting on a condition with a deadline, never a fixed sleep: the condition is checked
//! every [`STEP`] until it holds or the time is up. Tests may read the wall clock; the
//! product's code may not (`.clippy.toml`), hence the `allow`s.
#![allow(clippy::disallowed_methods)]

use std::future::Future;
use std::time::{Duration, Instant};

/// The pause between two checks.
pub const STEP: Duration = Duration::from_millis(50);

/// Checks `cond` until it holds (`true`) or `within` has passed (`false`).
pub fn until(within: Duration, mut cond: impl FnMut() -> bool) -> bool {
    find(within, || cond().then_some(())).is_some()
}

/// Calls `check` until it returns `Some` (returned) or `within` has passed (`None`).
pub fn find<T>(within: Duration, check: impl FnMut() -> Option<T>) -> Option<T> {
    find_every(within, STEP, check)
}

/// [`find`] with its own pause between two checks.
pub fn find_every<T>(
    within: Duration,
    step: Duration,
    mut check: impl FnMut() -> Option<T>,
) -> Option<T> {
    let deadline = Instant::now() + within;
    loop {
        if let Some(found) = check() {
            return Some(found);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(step);
    }
}

/// [`find`] for async checks, pausing on tokio's timer between checks.
pub async fn find_async<T, F: Future<Output = Option<T>>>(
    within: Duration,
    mut check: impl FnMut() -> F,
) -> Option<T> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if let Some(found) = check().await {
            return Some(found);
        }
        if tokio::time::Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(STEP).await;
    }
}

/// [`until`] for async conditions, pausing on tokio's timer between checks.
pub async fn until_async<F: Future<Output = bool>>(
    within: Duration,
    mut cond: impl FnMut() -> F,
) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if cond().await {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(STEP).await;
    }
}
