//! Code allocation within one park range: which codes are held, by whom, and which rest.
//!
//! Occupancy is a bitset, so finding a free code skips 64 held codes at a time; the holder
//! of each code is a plain table indexed by offset, so a code resolves to its call in O(1).

use super::arena::CallKey;
use super::clock::Instant;
use super::policy::Allocation;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// How many random probes `random` allocation makes before scanning from the last probe.
const RANDOM_PROBES: usize = 4;

/// The codes of one range: held, free, resting.
#[derive(Debug, Clone)]
pub struct RangeCodes {
    len: u32,
    /// One bit per offset: set = held (bits past `len` are set too, so they are never free).
    held: Vec<u64>,
    /// The call holding each offset.
    holders: Vec<Option<CallKey>>,
    /// When each offset was last freed (for `reuse_after`).
    freed_at: Vec<Option<Instant>>,
    /// The offset `sequential` last handed out.
    cursor: Option<u32>,
    count: u32,
}

impl RangeCodes {
    /// An empty range of `len` codes.
    pub fn new(len: u32) -> RangeCodes {
        let words = len.div_ceil(64) as usize;
        let mut held = vec![0u64; words];
        let tail = len % 64;
        if tail != 0
            && let Some(last) = held.last_mut()
        {
            *last = !0u64 << tail;
        }
        RangeCodes {
            len,
            held,
            holders: vec![None; len as usize],
            freed_at: vec![None; len as usize],
            cursor: None,
            count: 0,
        }
    }

    /// How many codes are held.
    #[cfg(test)]
    pub fn held_count(&self) -> u32 {
        self.count
    }

    /// The call holding `offset`.
    pub fn holder(&self, offset: u32) -> Option<CallKey> {
        self.holders.get(offset as usize).copied().flatten()
    }

    /// Whether `offset` is free (resting codes are free).
    pub fn is_free(&self, offset: u32) -> bool {
        offset < self.len && self.holder(offset).is_none()
    }

    /// Marks `offset` held by `call`. The caller checked it was free.
    pub fn take(&mut self, offset: u32, call: CallKey) {
        if let Some(slot) = self.holders.get_mut(offset as usize) {
            if slot.is_none() {
                self.count += 1;
            }
            *slot = Some(call);
            self.held[(offset / 64) as usize] |= 1u64 << (offset % 64);
        }
    }

    /// Frees `offset` at `now`; it rests from then on for policies with `reuse_after`.
    pub fn free(&mut self, offset: u32, now: Instant) {
        if let Some(slot) = self.holders.get_mut(offset as usize) {
            if slot.take().is_some() {
                self.count -= 1;
            }
            self.held[(offset / 64) as usize] &= !(1u64 << (offset % 64));
            self.freed_at[offset as usize] = Some(now);
        }
    }

    /// Takes the sequential cursor and the rest times over from the range's previous table
    /// (after an admin change), when its size is unchanged.
    pub fn carry_history(&mut self, other: &RangeCodes) {
        if other.len == self.len {
            self.cursor = other.cursor;
            self.freed_at.clone_from(&other.freed_at);
        }
    }

    /// Held offsets in ascending order.
    pub fn held_offsets(&self) -> impl Iterator<Item = (u32, CallKey)> + '_ {
        self.holders
            .iter()
            .enumerate()
            .filter_map(|(offset, holder)| holder.map(|call| (offset as u32, call)))
    }

    /// Picks a free code by `strategy`. A code freed less than `reuse_after_ms` ago is
    /// used only when every free code is resting. `None` when the range is full.
    pub fn allocate(
        &mut self,
        strategy: Allocation,
        reuse_after_ms: u64,
        now: Instant,
        rng: &mut ChaCha8Rng,
    ) -> Option<u32> {
        if self.count >= self.len {
            return None;
        }
        let rested = |freed: Option<Instant>| match freed {
            Some(at) if reuse_after_ms > 0 => {
                now.as_millis() >= at.as_millis().saturating_add(reuse_after_ms)
            }
            _ => true,
        };
        let start = match strategy {
            Allocation::Lowest => 0,
            Allocation::Sequential => self.cursor.map_or(0, |c| (c + 1) % self.len),
            Allocation::Random => {
                let mut probe = 0;
                for _ in 0..RANDOM_PROBES {
                    probe = rng.random_range(0..self.len);
                    if self.is_free(probe) && rested(self.freed_at[probe as usize]) {
                        return Some(self.hand_out(strategy, probe));
                    }
                }
                probe
            }
        };
        let chosen = self
            .free_from(start)
            .find(|&offset| rested(self.freed_at[offset as usize]))
            .or_else(|| self.free_from(start).next())?;
        Some(self.hand_out(strategy, chosen))
    }

    fn hand_out(&mut self, strategy: Allocation, offset: u32) -> u32 {
        if strategy == Allocation::Sequential {
            self.cursor = Some(offset);
        }
        offset
    }

    /// Free offsets starting at `start`, wrapping once around the range.
    fn free_from(&self, start: u32) -> impl Iterator<Item = u32> + '_ {
        FreeScan {
            codes: self,
            next: start,
            end: self.len,
        }
        .chain(FreeScan {
            codes: self,
            next: 0,
            end: start,
        })
    }
}

/// Walks free offsets in `next..end`, skipping whole held words.
struct FreeScan<'a> {
    codes: &'a RangeCodes,
    next: u32,
    end: u32,
}

impl Iterator for FreeScan<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        while self.next < self.end {
            let word_index = (self.next / 64) as usize;
            let shift = self.next % 64;
            let free_bits = !self.codes.held[word_index] >> shift;
            if free_bits == 0 {
                self.next = (word_index as u32 + 1) * 64;
                continue;
            }
            let found = self.next + free_bits.trailing_zeros();
            if found >= self.end {
                self.next = self.end;
                return None;
            }
            self.next = found + 1;
            return Some(found);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn key(n: u32) -> CallKey {
        CallKey::for_tests(n)
    }

    fn rng() -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(7)
    }

    #[test]
    fn lowest_takes_the_first_gap() {
        let mut codes = RangeCodes::new(130);
        let mut rng = rng();
        for n in 0..100 {
            let offset = codes
                .allocate(Allocation::Lowest, 0, Instant::ZERO, &mut rng)
                .unwrap();
            assert_eq!(offset, n);
            codes.take(offset, key(n));
        }
        codes.free(70, Instant::ZERO);
        assert_eq!(
            codes.allocate(Allocation::Lowest, 0, Instant::ZERO, &mut rng),
            Some(70)
        );
    }

    #[test]
    fn sequential_wraps_and_skips_held_codes() {
        let mut codes = RangeCodes::new(5);
        let mut rng = rng();
        let mut handed = Vec::new();
        for n in 0..5 {
            let offset = codes
                .allocate(Allocation::Sequential, 0, Instant::ZERO, &mut rng)
                .unwrap();
            codes.take(offset, key(n));
            handed.push(offset);
        }
        assert_eq!(handed, [0, 1, 2, 3, 4]);
        codes.free(1, Instant::ZERO);
        codes.free(3, Instant::ZERO);
        assert_eq!(
            codes.allocate(Allocation::Sequential, 0, Instant::ZERO, &mut rng),
            Some(1)
        );
        codes.take(1, key(9));
        assert_eq!(
            codes.allocate(Allocation::Sequential, 0, Instant::ZERO, &mut rng),
            Some(3)
        );
    }

    #[test]
    fn a_full_range_allocates_nothing() {
        let mut codes = RangeCodes::new(64);
        let mut rng = rng();
        for n in 0..64 {
            codes.take(n, key(n));
        }
        assert_eq!(
            codes.allocate(Allocation::Random, 0, Instant::ZERO, &mut rng),
            None
        );
    }

    #[test]
    fn resting_codes_are_used_only_when_nothing_else_is_free() {
        let mut codes = RangeCodes::new(3);
        let mut rng = rng();
        codes.take(0, key(0));
        codes.free(0, Instant(1_000));
        let now = Instant(2_000);
        assert_eq!(
            codes.allocate(Allocation::Lowest, 60_000, now, &mut rng),
            Some(1)
        );
        codes.take(1, key(1));
        codes.take(2, key(2));
        assert_eq!(
            codes.allocate(Allocation::Lowest, 60_000, now, &mut rng),
            Some(0)
        );
    }

    #[test]
    fn random_stays_within_free_codes() {
        let mut codes = RangeCodes::new(200);
        let mut rng = rng();
        for _ in 0..200 {
            let offset = codes
                .allocate(Allocation::Random, 0, Instant::ZERO, &mut rng)
                .unwrap();
            assert!(codes.is_free(offset));
            codes.take(offset, key(offset));
        }
        assert_eq!(codes.held_count(), 200);
    }
}
