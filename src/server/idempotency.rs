//! Idempotency keys: the same key from the same user within 60 s returns the first result
//! instead of acting twice, so a console that lost its connection mid-request retries safely.

use super::engine_task::OpResult;
use crate::engine::Instant;
use std::collections::{HashMap, VecDeque};
use std::time::Duration;

/// How long a key is remembered.
pub const KEY_LIFETIME: Duration = Duration::from_secs(60);

/// Results of keyed requests, by (user, key), forgotten after [`KEY_LIFETIME`].
#[derive(Debug, Default)]
pub struct IdempotencyCache {
    results: HashMap<(String, String), OpResult>,
    order: VecDeque<(Instant, String, String)>,
}

impl IdempotencyCache {
    /// The first result for this user's key, if it is still remembered.
    pub fn get(&mut self, now: Instant, user: &str, key: &str) -> Option<OpResult> {
        self.expire(now);
        self.results
            .get(&(user.to_string(), key.to_string()))
            .cloned()
    }

    /// Remembers a keyed request's result.
    pub fn put(&mut self, now: Instant, user: &str, key: &str, result: OpResult) {
        self.expire(now);
        let id = (user.to_string(), key.to_string());
        if self.results.insert(id, result).is_none() {
            self.order
                .push_back((now, user.to_string(), key.to_string()));
        }
    }

    fn expire(&mut self, now: Instant) {
        while let Some((at, _, _)) = self.order.front() {
            if now.saturating_since(*at) < KEY_LIFETIME {
                break;
            }
            if let Some((_, user, key)) = self.order.pop_front() {
                self.results.remove(&(user, key));
            }
        }
    }
}
