//! A planned restart: the core stops carrying out the engine's intents and its own timers,
//! and leaves every answered leg exactly as it is (no BYE, no prompt) for the next process
//! to take over. What the next process cannot take over is let go cleanly: an outgoing
//! fork still ringing is cancelled (the restored engine rings again), an incoming call not
//! yet answered is turned away with `503` so its caller's side tries again.

use super::{Core, LegAddr};
use crate::sip::legs::{LegCmd, LegEvent};

impl Core {
    /// Suspends the core for a restart. Returns how many leg tasks stay up (answered legs,
    /// attended-park legs in their grace): the shell waits for the others to end.
    pub(super) fn suspend(&mut self) -> usize {
        self.suspended = true;
        let mut kept = self.parting.len();
        for call in self.calls.values() {
            for leg in call.legs.values() {
                if leg.answered {
                    kept += 1;
                    continue;
                }
                for addr in leg.open_forks() {
                    if leg.incoming {
                        self.out.leg(addr, LegCmd::Reject { code: 503 });
                    } else {
                        self.out.leg(addr.clone(), LegCmd::Hangup);
                        self.cancelled.insert(addr);
                    }
                }
            }
        }
        kept
    }

    /// A fork cancelled by the suspension that answered all the same (its 200 crossed our
    /// CANCEL) is hung up: the next process rings again. Returns whether `event` was that.
    pub(super) fn answered_after_suspend(&mut self, addr: &LegAddr, event: &LegEvent) -> bool {
        if !self.cancelled.contains(addr) {
            return false;
        }
        if matches!(event, LegEvent::Answered) {
            self.out.leg(addr.clone(), LegCmd::Hangup);
        }
        if matches!(
            event,
            LegEvent::Answered | LegEvent::Failed { .. } | LegEvent::Ended { .. }
        ) {
            self.cancelled.remove(addr);
        }
        true
    }
}
