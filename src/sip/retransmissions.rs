//! INVITE retransmissions that slip past the transaction layer. Each received message is
//! handled on its own task, so under load a retransmitted INVITE can arrive while the first
//! copy is still being set up (no transaction exists yet), or after the ACK ended the
//! transaction (RFC 6026 keeps it 32 s; ezk does not). Either way it must not become a second
//! call: the front remembers every new INVITE for 32 s and drops a copy it has seen.
//!
//! [`SeenInvites`] is the pure rule (time passed in).

use std::collections::{HashSet, VecDeque};

/// How long an INVITE is remembered: 64 × T1, Timer L of RFC 6026.
pub const REMEMBER_MS: u64 = 32_000;

/// INVITEs remembered at most; beyond it the oldest are forgotten early.
const MAX_REMEMBERED: usize = 262_144;

/// What makes two INVITEs the same request: Call-ID, CSeq, From tag and top Via branch.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InviteKey(String);

impl InviteKey {
    /// The key of an INVITE from its identifying parts.
    pub fn new(call_id: &str, cseq: u32, from_tag: &str, branch: &str) -> InviteKey {
        InviteKey(format!("{call_id}\n{cseq}\n{from_tag}\n{branch}"))
    }
}

/// New INVITEs seen in the last [`REMEMBER_MS`].
#[derive(Debug, Default)]
pub struct SeenInvites {
    order: VecDeque<(u64, InviteKey)>,
    seen: HashSet<InviteKey>,
}

impl SeenInvites {
    /// Records `key` at `now_ms`: `true` the first time, `false` for a retransmission.
    pub fn first_time(&mut self, key: InviteKey, now_ms: u64) -> bool {
        while let Some((at, _)) = self.order.front() {
            let expired = now_ms.saturating_sub(*at) >= REMEMBER_MS;
            if !expired && self.order.len() < MAX_REMEMBERED {
                break;
            }
            if let Some((_, old)) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
        if self.seen.contains(&key) {
            return false;
        }
        self.seen.insert(key.clone());
        self.order.push_back((now_ms, key));
        true
    }

    /// INVITEs remembered now.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u32) -> InviteKey {
        InviteKey::new(&format!("call-{n}"), 1, "tag", "z9hG4bK-1")
    }

    #[test]
    fn a_retransmitted_invite_is_recognised_for_32_seconds_then_forgotten() {
        let mut seen = SeenInvites::default();
        assert!(seen.first_time(key(1), 0));
        assert!(!seen.first_time(key(1), 500));
        assert!(!seen.first_time(key(1), 31_999));
        assert!(seen.first_time(key(2), 32_000), "another call is new");
        assert_eq!(seen.len(), 1, "the first INVITE was forgotten after 32 s");
        assert!(seen.first_time(key(1), 32_001));
    }

    #[test]
    fn each_part_of_the_key_tells_invites_apart() {
        let mut seen = SeenInvites::default();
        assert!(seen.first_time(InviteKey::new("c", 1, "t", "b"), 0));
        assert!(seen.first_time(InviteKey::new("c", 2, "t", "b"), 0));
        assert!(seen.first_time(InviteKey::new("c", 1, "u", "b"), 0));
        assert!(seen.first_time(InviteKey::new("c", 1, "t", "d"), 0));
        assert!(!seen.first_time(InviteKey::new("c", 1, "t", "d"), 0));
    }

    #[test]
    fn the_memory_is_bounded() {
        let mut seen = SeenInvites::default();
        for n in 0..(MAX_REMEMBERED as u32 + 100) {
            assert!(seen.first_time(key(n), 0));
        }
        assert!(seen.len() <= MAX_REMEMBERED);
    }
}
