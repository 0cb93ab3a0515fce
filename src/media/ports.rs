//! The RTP port range: which even ports are free, taken, or still closing.
//!
//! Ports are handed out round-robin from where the last one was taken, so a port just closed
//! rests while the others are used (a late packet of the old call does not reach a new one).
//! A closed stream's port is `Closing` until its socket is really gone, then `Free`.

use std::ops::RangeInclusive;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PortState {
    Free,
    Taken,
    Closing,
}

/// The even ports of the configured range and what each is doing.
#[derive(Clone, Debug)]
pub struct PortPool {
    range: RangeInclusive<u16>,
    ports: Vec<(u16, PortState)>,
    cursor: usize,
}

impl PortPool {
    /// The pool of the even ports in `range` (empty when there are none).
    pub fn new(range: RangeInclusive<u16>) -> PortPool {
        let ports = range
            .clone()
            .filter(|p| p % 2 == 0)
            .map(|p| (p, PortState::Free))
            .collect();
        PortPool {
            range,
            ports,
            cursor: 0,
        }
    }

    /// The configured range.
    pub fn range(&self) -> &RangeInclusive<u16> {
        &self.range
    }

    /// How many even ports the range holds.
    pub fn capacity(&self) -> usize {
        self.ports.len()
    }

    /// The free ports, in the order to try them (round-robin from the last taken).
    pub fn candidates(&self) -> Vec<u16> {
        let n = self.ports.len();
        (0..n)
            .map(|i| self.ports[(self.cursor + i) % n])
            .filter(|(_, state)| *state == PortState::Free)
            .map(|(port, _)| port)
            .collect()
    }

    /// Marks `port` taken; the next search starts after it.
    pub fn take(&mut self, port: u16) {
        if let Some(i) = self.index(port) {
            self.ports[i].1 = PortState::Taken;
            self.cursor = (i + 1) % self.ports.len();
        }
    }

    /// Marks `port` closing: not free until [`PortPool::release`].
    pub fn closing(&mut self, port: u16) {
        if let Some(i) = self.index(port) {
            self.ports[i].1 = PortState::Closing;
        }
    }

    /// Marks `port` free again.
    pub fn release(&mut self, port: u16) {
        if let Some(i) = self.index(port) {
            self.ports[i].1 = PortState::Free;
        }
    }

    /// Whether `port` is one of the pool's and free (a stream may be resumed on it).
    pub fn is_free(&self, port: u16) -> bool {
        self.index(port)
            .is_some_and(|i| self.ports[i].1 == PortState::Free)
    }

    /// Whether some port is closing (it will be free in a moment).
    pub fn any_closing(&self) -> bool {
        self.ports.iter().any(|(_, s)| *s == PortState::Closing)
    }

    fn index(&self, port: u16) -> Option<usize> {
        self.ports.binary_search_by_key(&port, |(p, _)| *p).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_even_ports_are_used_round_robin() {
        let mut pool = PortPool::new(30_001..=30_008);
        assert_eq!(pool.capacity(), 4);
        assert_eq!(pool.candidates(), vec![30_002, 30_004, 30_006, 30_008]);
        pool.take(30_002);
        assert_eq!(pool.candidates(), vec![30_004, 30_006, 30_008]);
        pool.take(30_004);
        pool.closing(30_002);
        assert_eq!(pool.candidates(), vec![30_006, 30_008]);
        assert!(pool.any_closing());
        pool.release(30_002);
        assert_eq!(pool.candidates(), vec![30_006, 30_008, 30_002]);
    }

    #[test]
    fn a_range_of_odd_ports_is_empty() {
        assert_eq!(PortPool::new(5_001..=5_001).capacity(), 0);
        assert!(PortPool::new(5_001..=5_001).candidates().is_empty());
    }
}
