//! One sender's RTP continuity: its SSRC, sequence and timestamp, whatever the audio source.
//!
//! A leg hears music, then a prompt, then the other party through the relay, then music again:
//! to the phone it is all one stream. Local frames advance the sequence by one and the
//! timestamp by the samples sent; a pause advances the timestamp by the time that passed (and
//! sets the marker), as RFC 3550 asks; relayed packets are mapped onto this stream by fixed
//! offsets from the source's own numbering, so the source's gaps and timing show through.

use super::codec::CLOCK_RATE;
use super::pacer::FRAME;
use super::rtp::RtpHeader;
use std::time::Duration;

/// How a relayed source's numbering maps onto this stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Anchor {
    source: u32,
    sequence_offset: u16,
    timestamp_offset: u32,
    last_in: u16,
}

/// A relayed sequence jump larger than this means the source restarted: re-anchor.
const RESTART_JUMP: u16 = 3000;

/// The RTP numbering of one outgoing stream.
#[derive(Clone, Debug)]
pub struct Outgoing {
    ssrc: u32,
    next_sequence: u16,
    next_timestamp: u32,
    /// Media time up to which audio has been sent (end of the last packet).
    sent_until: Option<Duration>,
    anchor: Option<Anchor>,
}

impl Outgoing {
    /// A stream with this SSRC whose first packet carries `sequence` and `timestamp` (random
    /// in production, per RFC 3550).
    pub fn new(ssrc: u32, sequence: u16, timestamp: u32) -> Outgoing {
        Outgoing {
            ssrc,
            next_sequence: sequence,
            next_timestamp: timestamp,
            sent_until: None,
            anchor: None,
        }
    }

    /// The synchronisation source of everything this stream sends.
    pub fn ssrc(&self) -> u32 {
        self.ssrc
    }

    /// The numbering the next packet carries.
    pub fn state(&self) -> super::resume::RtpState {
        super::resume::RtpState {
            ssrc: self.ssrc,
            sequence: self.next_sequence,
            timestamp: self.next_timestamp,
        }
    }

    /// The header for a locally made frame of `samples` samples whose first sample plays at
    /// `at`.
    pub fn frame(&mut self, at: Duration, payload_type: u8, samples: u32) -> RtpHeader {
        self.anchor = None;
        let marker = self.catch_up(at);
        let header = RtpHeader {
            marker,
            payload_type,
            sequence: self.next_sequence,
            timestamp: self.next_timestamp,
            ssrc: self.ssrc,
        };
        self.next_sequence = self.next_sequence.wrapping_add(1);
        self.next_timestamp = self.next_timestamp.wrapping_add(samples);
        self.sent_until = Some(at + duration_of(samples));
        header
    }

    /// Frames whose time passed unsent (the tick fell far behind): time moves on.
    pub fn skip(&mut self, samples: u32) {
        self.next_timestamp = self.next_timestamp.wrapping_add(samples);
        if let Some(until) = &mut self.sent_until {
            *until += duration_of(samples);
        }
    }

    /// Forgets the relayed source, so the next relayed packet is anchored afresh (a new
    /// bridge, or music in between).
    pub fn reset_relay(&mut self) {
        self.anchor = None;
    }

    /// The header for a packet relayed from another stream, received at `at`: `incoming` is
    /// its header as received, `payload_type` what to send it as, `samples` the audio it
    /// carries (0 for an RFC 4733 event, whose timestamp is the event's start).
    pub fn relay(
        &mut self,
        at: Duration,
        incoming: &RtpHeader,
        payload_type: u8,
        samples: u32,
    ) -> RtpHeader {
        let (anchor, fresh) = match self.anchor {
            Some(a)
                if a.source == incoming.ssrc
                    && (incoming.sequence.wrapping_sub(a.last_in) as i16).unsigned_abs()
                        < RESTART_JUMP =>
            {
                (a, false)
            }
            _ => {
                self.catch_up(at);
                let a = Anchor {
                    source: incoming.ssrc,
                    sequence_offset: self.next_sequence.wrapping_sub(incoming.sequence),
                    timestamp_offset: self.next_timestamp.wrapping_sub(incoming.timestamp),
                    last_in: incoming.sequence,
                };
                (a, true)
            }
        };
        let sequence = incoming.sequence.wrapping_add(anchor.sequence_offset);
        let timestamp = incoming.timestamp.wrapping_add(anchor.timestamp_offset);
        let mut anchor = anchor;
        // Reordered packets keep their place; only newer ones move the stream on.
        if newer(sequence, self.next_sequence.wrapping_sub(1)) || fresh {
            self.next_sequence = sequence.wrapping_add(1);
            anchor.last_in = incoming.sequence;
        }
        let end = timestamp.wrapping_add(samples);
        if samples > 0 && (newer32(end, self.next_timestamp) || fresh) {
            self.next_timestamp = end;
        }
        self.sent_until = Some(at + duration_of(samples));
        self.anchor = Some(anchor);
        RtpHeader {
            marker: incoming.marker || fresh,
            payload_type,
            sequence,
            timestamp,
            ssrc: self.ssrc,
        }
    }

    /// After a pause of at least a frame, moves the timestamp on by the time that passed and
    /// says the next packet starts a talkspurt (the very first packet does too).
    fn catch_up(&mut self, at: Duration) -> bool {
        let Some(until) = self.sent_until else {
            return true;
        };
        match at.checked_sub(until) {
            Some(gap) if gap >= FRAME => {
                self.next_timestamp = self.next_timestamp.wrapping_add(samples_in(gap));
                true
            }
            _ => false,
        }
    }
}

/// Whether sequence number `a` comes after `b` (RFC 3550 wrap-around arithmetic).
fn newer(a: u16, b: u16) -> bool {
    a != b && a.wrapping_sub(b) < 0x8000
}

/// Whether timestamp `a` comes after `b`.
fn newer32(a: u32, b: u32) -> bool {
    a != b && a.wrapping_sub(b) < 0x8000_0000
}

fn duration_of(samples: u32) -> Duration {
    Duration::from_micros(u64::from(samples) * 1_000_000 / u64::from(CLOCK_RATE))
}

fn samples_in(d: Duration) -> u32 {
    u32::try_from(d.as_micros() * u128::from(CLOCK_RATE) / 1_000_000).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn incoming(sequence: u16, timestamp: u32) -> RtpHeader {
        RtpHeader {
            marker: false,
            payload_type: 0,
            sequence,
            timestamp,
            ssrc: 77,
        }
    }

    #[test]
    fn local_frames_step_the_sequence_by_one_and_the_timestamp_by_160() {
        let mut out = Outgoing::new(5, 65_535, u32::MAX - 100);
        let a = out.frame(ms(0), 0, 160);
        let b = out.frame(ms(20), 0, 160);
        assert!(a.marker && !b.marker);
        assert_eq!(b.sequence, 0, "wraps");
        assert_eq!(b.timestamp, a.timestamp.wrapping_add(160));
        assert_eq!((a.ssrc, b.ssrc), (5, 5));
    }

    #[test]
    fn a_pause_moves_the_timestamp_by_the_time_that_passed_and_marks_the_restart() {
        let mut out = Outgoing::new(5, 0, 0);
        out.frame(ms(0), 0, 160);
        let later = out.frame(ms(1020), 0, 160);
        assert!(later.marker);
        assert_eq!(later.sequence, 1, "the sequence counts packets, not time");
        assert_eq!(later.timestamp, 1020 * 8);
    }

    #[test]
    fn relayed_packets_continue_the_stream_and_keep_the_sources_gaps() {
        let mut out = Outgoing::new(5, 100, 1000);
        out.frame(ms(0), 0, 160);
        let first = out.relay(ms(20), &incoming(9000, 50_000), 8, 160);
        assert_eq!((first.sequence, first.timestamp), (101, 1160));
        assert!(first.marker);
        assert_eq!(first.payload_type, 8);
        // the source lost one packet: the gap shows through
        let third = out.relay(ms(60), &incoming(9002, 50_320), 8, 160);
        assert_eq!((third.sequence, third.timestamp), (103, 1480));
        assert!(!third.marker);
        // the lost one arrives late: its own place, the stream does not go back
        let second = out.relay(ms(61), &incoming(9001, 50_160), 8, 160);
        assert_eq!(second.sequence, 102);
        let next = out.frame(ms(80), 0, 160);
        assert_eq!((next.sequence, next.timestamp), (104, 1640));
    }

    #[test]
    fn a_new_source_or_a_restart_is_anchored_afresh() {
        let mut out = Outgoing::new(5, 0, 0);
        out.relay(ms(0), &incoming(10, 100), 0, 160);
        let jumped = out.relay(ms(20), &incoming(40_000, 7), 0, 160);
        assert_eq!(jumped.sequence, 1);
        assert!(jumped.marker);
        let mut other = incoming(41, 9);
        other.ssrc = 78;
        assert_eq!(out.relay(ms(40), &other, 0, 160).sequence, 2);
    }

    #[test]
    fn skipped_frames_advance_the_timestamp_without_a_packet() {
        let mut out = Outgoing::new(5, 0, 0);
        out.frame(ms(0), 0, 160);
        out.skip(160 * 10);
        let next = out.frame(ms(220), 0, 160);
        assert_eq!((next.sequence, next.timestamp), (1, 160 * 11));
        assert!(!next.marker, "no pause: the frames were skipped on purpose");
    }
}
