//! The two audio codecs parkdesk speaks, both G.711 at 8 kHz: one byte per sample.

use super::g711;

/// An RTP audio codec: G.711 µ-law or A-law, 8 kHz, one byte per sample.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Codec {
    /// G.711 µ-law, static RTP payload type 0.
    Pcmu,
    /// G.711 A-law, static RTP payload type 8.
    Pcma,
}

/// Samples per second of every G.711 stream (and its RTP clock rate).
pub const CLOCK_RATE: u32 = 8_000;

/// Samples (and payload bytes) in one 20 ms packet.
pub const FRAME_SAMPLES: usize = 160;

impl Codec {
    /// Both codecs, in the order parkdesk prefers and offers them.
    pub const ALL: [Codec; 2] = [Codec::Pcmu, Codec::Pcma];

    /// The static RTP payload type (RFC 3551): 0 for PCMU, 8 for PCMA.
    pub const fn payload_type(self) -> u8 {
        match self {
            Codec::Pcmu => 0,
            Codec::Pcma => 8,
        }
    }

    /// The codec a static payload type names, if it is one of ours.
    pub const fn from_payload_type(pt: u8) -> Option<Codec> {
        match pt {
            0 => Some(Codec::Pcmu),
            8 => Some(Codec::Pcma),
            _ => None,
        }
    }

    /// The encoding name SDP uses in `a=rtpmap` (`PCMU`, `PCMA`).
    pub const fn name(self) -> &'static str {
        match self {
            Codec::Pcmu => "PCMU",
            Codec::Pcma => "PCMA",
        }
    }

    /// One linear sample as a byte of this codec.
    pub const fn encode_sample(self, sample: i16) -> u8 {
        match self {
            Codec::Pcmu => g711::linear_to_ulaw(sample),
            Codec::Pcma => g711::linear_to_alaw(sample),
        }
    }

    /// One byte of this codec as a linear sample.
    pub const fn decode_sample(self, byte: u8) -> i16 {
        match self {
            Codec::Pcmu => g711::ulaw_to_linear(byte),
            Codec::Pcma => g711::alaw_to_linear(byte),
        }
    }

    /// Linear samples as this codec's bytes.
    pub fn encode(self, samples: &[i16]) -> Vec<u8> {
        samples.iter().map(|s| self.encode_sample(*s)).collect()
    }

    /// This codec's bytes as linear samples.
    pub fn decode(self, bytes: &[u8]) -> Vec<i16> {
        bytes.iter().map(|b| self.decode_sample(*b)).collect()
    }

    /// Rewrites `payload` (in this codec) in place as `to`: a table look-up per byte, no
    /// detour through linear samples.
    pub fn transcode_in_place(self, to: Codec, payload: &mut [u8]) {
        let table = match (self, to) {
            (Codec::Pcmu, Codec::Pcma) => &g711::ULAW_TO_ALAW,
            (Codec::Pcma, Codec::Pcmu) => &g711::ALAW_TO_ULAW,
            _ => return,
        };
        for byte in payload {
            *byte = table[usize::from(*byte)];
        }
    }

    /// The byte this codec sends for silence.
    pub const fn silence(self) -> u8 {
        self.encode_sample(0)
    }
}
