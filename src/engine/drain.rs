//! The drain (taking the node out of service): no new parks, every parked call handed back
//! to its parker, staggered so no parker's phone rings with several calls at once; and its
//! deadline (every call still up released with a goodbye).

use super::Engine;
use super::arena::CallKey;
use super::clock::Instant;
use super::events::{Detail, EventName, Subject};
use super::objects::ParkOutcome;
use super::records::{Due, Stage};
use super::switch::{EndCause, Prompt};
use std::time::Duration;

/// During a drain, at most one hand-back (ring-back, or fallback) starts per parker in
/// this span: a desk that parked ten calls gets them one after another, not all at once.
pub const DRAIN_SPACING: Duration = Duration::from_secs(2);

impl Engine {
    /// `engine.stopping`; parks are refused from now on; parked calls are handed back, each
    /// parker's oldest first, one every [`DRAIN_SPACING`] per parker.
    pub(super) fn on_drain(&mut self, now: Instant) {
        if self.draining {
            return;
        }
        self.draining = true;
        self.emit(
            EventName::EngineStopping,
            Subject::Engine,
            Detail::default(),
        );
        let mut waiting: Vec<(Instant, String, CallKey)> = self
            .calls
            .iter()
            .filter_map(|(key, rec)| {
                let park = rec.park.as_ref()?;
                (park.stage == Stage::Parked).then(|| (park.parked_at, park.code.clone(), key))
            })
            .collect();
        // Oldest park first (the code breaks ties), whatever order the arena keeps.
        waiting.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        for (_, _, key) in waiting {
            self.disarm(key);
            self.hand_back(now, key);
        }
    }

    /// Hands a parked call back during the drain: at once when its parker's turn has come,
    /// else its timer waits for that turn (`expires_at` shows when).
    pub(super) fn hand_back(&mut self, now: Instant, key: CallKey) {
        let Some(park) = self.calls.get_mut(key).and_then(|rec| rec.park.as_mut()) else {
            return;
        };
        let turn = self
            .drain_turns
            .get(&park.parked_by)
            .copied()
            .filter(|turn| *turn > now)
            .unwrap_or(now);
        self.drain_turns
            .insert(park.parked_by.clone(), turn + DRAIN_SPACING);
        if turn <= now {
            self.ring_back_or_fallback(now, key);
        } else {
            park.expires_at = turn;
            self.arm(key, turn, Due::DrainTurn);
        }
    }

    /// A parked call's drain turn came: ring back (or fall back) if it is still parked.
    pub(super) fn drain_turn(&mut self, now: Instant, key: CallKey) {
        let parked = self
            .calls
            .get(key)
            .and_then(|rec| rec.park.as_ref())
            .is_some_and(|park| park.stage == Stage::Parked);
        if parked {
            self.ring_back_or_fallback(now, key);
        }
    }

    /// Every call still up is released with a goodbye; every open park ends `released`.
    pub(super) fn on_drain_deadline(&mut self, now: Instant) {
        self.draining = true;
        let keys: Vec<CallKey> = self.calls.iter().map(|(key, _)| key).collect();
        for key in keys {
            let Some(call) = self.calls.get(key).map(|rec| rec.view.call.clone()) else {
                continue;
            };
            self.release(call, Some(Prompt::Goodbye));
            self.finish_park(now, key, ParkOutcome::Released, None);
            self.end_call(now, key, EndCause::Released);
        }
    }
}
