//! A stream carried over a restart: the port it held, its RTP numbering, and where its
//! music was, so the next process goes on sending the same stream (same SSRC, the sequence
//! and timestamp going on) and the phone hears a short gap, not a new call.

use super::codec::CLOCK_RATE;
use super::pacer::FRAME;
use serde::{Deserialize, Serialize};

/// One sender's RTP numbering at an instant: its SSRC, and the sequence number and
/// timestamp its next packet carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RtpState {
    /// The synchronisation source.
    pub ssrc: u32,
    /// The next packet's sequence number.
    pub sequence: u16,
    /// The next packet's timestamp.
    pub timestamp: u32,
}

impl RtpState {
    /// The numbering `elapsed_ms` later for a stream that kept sending one frame every
    /// 20 ms: the timestamp follows the clock exactly (RFC 3550: it is a sampling instant);
    /// the sequence follows the frames a sender would have sent.
    pub fn after(self, elapsed_ms: u64) -> RtpState {
        let frame_ms = FRAME.as_millis().max(1) as u64;
        let samples = elapsed_ms.saturating_mul(u64::from(CLOCK_RATE)) / 1000;
        RtpState {
            ssrc: self.ssrc,
            sequence: self.sequence.wrapping_add((elapsed_ms / frame_ms) as u16),
            timestamp: self.timestamp.wrapping_add(samples as u32),
        }
    }
}

/// What a stream is resumed with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Resume {
    /// The UDP port it held (and holds again).
    pub port: u16,
    /// Its numbering from now on.
    pub rtp: RtpState,
    /// Music on hold from this frame of the loop, or nothing until told.
    pub music: Option<usize>,
}

/// A stream as it stands: what a planned restart writes down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamState {
    /// The UDP port.
    pub port: u16,
    /// Its numbering.
    pub rtp: RtpState,
    /// The next frame of the music loop, while it plays music.
    pub music: Option<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_later_the_timestamp_moved_8000_samples_and_the_sequence_50_frames() {
        let start = RtpState {
            ssrc: 7,
            sequence: 65_530,
            timestamp: u32::MAX - 100,
        };
        let later = start.after(1000);
        assert_eq!(later.ssrc, 7);
        assert_eq!(later.sequence, 65_530u16.wrapping_add(50));
        assert_eq!(later.timestamp, (u32::MAX - 100).wrapping_add(8000));
    }
}
