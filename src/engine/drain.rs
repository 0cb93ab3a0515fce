//! Shutdown: the drain (no new parks, every parked call rung back at once) and its
//! deadline (every call still up released with a goodbye).

use super::Engine;
use super::arena::CallKey;
use super::clock::Instant;
use super::events::{Detail, EventName, Subject};
use super::objects::ParkOutcome;
use super::records::Stage;
use super::switch::{EndCause, Prompt};

impl Engine {
    /// `engine.stopping`; parks are refused from now on; parked calls ring back now.
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
        let waiting: Vec<CallKey> = self
            .calls
            .iter()
            .filter(|(_, rec)| rec.park.as_ref().is_some_and(|p| p.stage == Stage::Parked))
            .map(|(key, _)| key)
            .collect();
        for key in waiting {
            self.disarm(key);
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
