//! Rescue: a call the engine must not drop (a failed park, an unanswered pickup or
//! transfer of a ringing call) rings a line, then rings `next` once per period, until
//! someone answers or the caller hangs up. A failure waits for the period to end, so an
//! unreachable line is never rung in a tight loop.

use super::Engine;
use super::arena::CallKey;
use super::clock::{Instant, secs};
use super::events::{Detail, EventName};
use super::lifecycle::ring_display;
use super::objects::CallState;
use super::records::{Due, Purpose, Rescue};

impl Engine {
    /// Rings `target` now, then `next` every `period` seconds.
    pub(super) fn start_rescue(
        &mut self,
        now: Instant,
        key: CallKey,
        target: &str,
        next: String,
        period: u64,
    ) {
        let Some(rec) = self.calls.get_mut(key) else {
            return;
        };
        rec.rescue = Some(Rescue { next, period });
        rec.view.state = CallState::Ringing;
        rec.view.line = target.to_string();
        let display = ring_display(&["Call for you: "], &rec.view.from);
        self.ring(
            key,
            target,
            Purpose::Rescue,
            display,
            now + secs(period),
            Due::RescueAgain,
        );
        self.emit_call(EventName::CallRinging, key, Detail::default());
    }

    /// A rescue period ended unanswered: stop that ring and ring the next line.
    pub(super) fn rescue_again(&mut self, now: Instant, key: CallKey) {
        self.cancel_pending(key, "no answer");
        let Some(rescue) = self.calls.get(key).and_then(|rec| rec.rescue.clone()) else {
            return;
        };
        let target = rescue.next.clone();
        self.start_rescue(now, key, &target, rescue.next, rescue.period);
    }
}
