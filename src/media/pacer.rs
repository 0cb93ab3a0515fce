//! The one frame clock every locally generated stream (music, prompts) follows.
//!
//! Frame `k` is due at `origin + k × 20 ms`. The deadlines are computed from the origin, never
//! from the previous wake-up, so lateness never accumulates into drift: 50 frames leave per
//! second of monotonic time, however late each wake-up is. A late wake-up sends the frames it
//! owes back to back (a short burst, which a jitter buffer absorbs) up to [`MAX_BURST`]; a stall
//! longer than that skips the oldest frames instead — their time passes (timestamps jump,
//! music moves on) but stale audio is never piled onto the receiver.

use std::time::Duration;

/// The packet interval.
pub const FRAME: Duration = Duration::from_millis(20);

/// The most frames sent at once to catch up (60 ms: within any jitter buffer).
pub const MAX_BURST: u64 = 3;

/// What one wake-up owes: `skipped` old frames to let pass, then `send` frames to send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Due {
    /// Frames too old to send: advance time past them.
    pub skipped: u64,
    /// Frames to send now, oldest first.
    pub send: u64,
    /// The index of the first frame to send.
    pub first: u64,
}

/// Counts frames against the monotonic clock.
#[derive(Clone, Debug)]
pub struct Pacer {
    origin: Duration,
    done: u64,
}

impl Pacer {
    /// A pacer whose frame 0 is due at `origin`.
    pub fn new(origin: Duration) -> Pacer {
        Pacer { origin, done: 0 }
    }

    /// When the next frame is due.
    pub fn next_deadline(&self) -> Duration {
        self.frame_time(self.done)
    }

    /// When frame `index` is (or was) due.
    pub fn frame_time(&self, index: u64) -> Duration {
        self.origin + FRAME.saturating_mul(u32::try_from(index).unwrap_or(u32::MAX))
    }

    /// The frames owed at `now`; they count as done once returned.
    pub fn due(&mut self, now: Duration) -> Due {
        let Some(elapsed) = now.checked_sub(self.origin) else {
            return Due {
                skipped: 0,
                send: 0,
                first: self.done,
            };
        };
        let total = u64::try_from(elapsed.as_nanos() / FRAME.as_nanos())
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        let owed = total.saturating_sub(self.done);
        let send = owed.min(MAX_BURST);
        let skipped = owed - send;
        let first = self.done + skipped;
        self.done = self.done.max(total);
        Due {
            skipped,
            send,
            first,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn an_on_time_wake_up_owes_exactly_one_frame() {
        let mut p = Pacer::new(ms(1000));
        assert_eq!(p.due(ms(1000)).send, 1);
        assert_eq!(p.next_deadline(), ms(1020));
        let due = p.due(ms(1020));
        assert_eq!((due.skipped, due.send, due.first), (0, 1, 1));
        assert_eq!(p.due(ms(1021)).send, 0, "nothing more until 1040");
    }

    #[test]
    fn late_wake_ups_never_drift_a_second_of_them_sends_fifty_frames() {
        let mut p = Pacer::new(ms(0));
        let mut sent = 0;
        let mut now = ms(0);
        // every wake-up is 7 ms late, as a busy runtime might be
        while now < ms(1000) {
            sent += p.due(now + ms(7)).send;
            now = p.next_deadline();
        }
        assert_eq!(sent, 50);
        assert_eq!(p.next_deadline(), ms(1000));
    }

    #[test]
    fn a_short_stall_is_caught_up_with_a_burst() {
        let mut p = Pacer::new(ms(0));
        p.due(ms(0));
        let due = p.due(ms(45));
        assert_eq!((due.skipped, due.send, due.first), (0, 2, 1));
    }

    #[test]
    fn a_long_stall_skips_the_oldest_frames_and_sends_the_newest() {
        let mut p = Pacer::new(ms(0));
        p.due(ms(0));
        let due = p.due(ms(1000));
        assert_eq!(due.skipped + due.send, 50);
        assert_eq!(due.send, MAX_BURST);
        assert_eq!(due.first, 48);
        assert_eq!(p.next_deadline(), ms(1020));
    }

    #[test]
    fn a_clock_before_the_origin_owes_nothing() {
        let mut p = Pacer::new(ms(500));
        assert_eq!(p.due(ms(100)).send, 0);
        assert_eq!(p.next_deadline(), ms(500));
    }
}
