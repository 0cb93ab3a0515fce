//! The relay between bridged legs: one received packet rewritten for the other leg.
//!
//! The other leg sees its own stream: its SSRC, its sequence and timestamp continuity (see
//! [`Outgoing::relay`]), its codec (PCMU↔PCMA transcoded by table), its telephone-event
//! payload type (events dropped when it negotiated none). Anything else — comfort noise,
//! unknown payload types — is not relayed.

use super::codec::Codec;
use super::outgoing::Outgoing;
use super::rtp::{HEADER_LEN, RtpPacket};
use std::time::Duration;

/// What one leg negotiated: its codec and its telephone-event payload type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Negotiation {
    /// The audio codec.
    pub codec: Codec,
    /// The RFC 4733 payload type, if any.
    pub dtmf_pt: Option<u8>,
}

/// Rewrites `packet`, received at `at` on a leg that negotiated `from`, for a leg that
/// negotiated `to` and sends with `out`. The packet to send is left in `buf`; `false` means
/// there is nothing to send.
pub fn relay_packet(
    packet: &RtpPacket<'_>,
    from: Negotiation,
    to: Negotiation,
    out: &mut Outgoing,
    at: Duration,
    buf: &mut Vec<u8>,
) -> bool {
    let pt = packet.header.payload_type;
    let (header, source) = if let Some(source) = Codec::from_payload_type(pt) {
        let samples = u32::try_from(packet.payload.len()).unwrap_or(u32::MAX);
        let header = out.relay(at, &packet.header, to.codec.payload_type(), samples);
        (header, Some(source))
    } else if from.dtmf_pt == Some(pt) {
        let Some(to_pt) = to.dtmf_pt else {
            return false;
        };
        (out.relay(at, &packet.header, to_pt, 0), None)
    } else {
        return false;
    };
    write(buf, &header, packet.payload);
    if let Some(source) = source {
        source.transcode_in_place(to.codec, &mut buf[HEADER_LEN..]);
    }
    true
}

fn write(buf: &mut Vec<u8>, header: &super::rtp::RtpHeader, payload: &[u8]) {
    let mut head = [0u8; HEADER_LEN];
    header.write(&mut head);
    buf.clear();
    buf.extend_from_slice(&head);
    buf.extend_from_slice(payload);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::rtp::RtpHeader;

    fn received(pt: u8, payload: &[u8]) -> Vec<u8> {
        RtpHeader {
            marker: false,
            payload_type: pt,
            sequence: 10,
            timestamp: 1600,
            ssrc: 4,
        }
        .packet(payload)
    }

    const PCMU_101: Negotiation = Negotiation {
        codec: Codec::Pcmu,
        dtmf_pt: Some(101),
    };

    #[test]
    fn pcmu_is_transcoded_to_pcma_under_the_other_legs_ssrc() {
        let bytes = received(0, &Codec::Pcmu.encode(&[1000, -1000, 30_000]));
        let packet = RtpPacket::parse(&bytes).unwrap();
        let to = Negotiation {
            codec: Codec::Pcma,
            dtmf_pt: None,
        };
        let mut out = Outgoing::new(99, 500, 8000);
        let mut buf = Vec::new();
        assert!(relay_packet(
            &packet,
            PCMU_101,
            to,
            &mut out,
            Duration::ZERO,
            &mut buf
        ));
        let sent = RtpPacket::parse(&buf).unwrap();
        assert_eq!(sent.header.payload_type, 8);
        assert_eq!(sent.header.ssrc, 99);
        assert_eq!(sent.header.sequence, 500);
        let back = Codec::Pcma.decode(sent.payload);
        for (got, want) in back.iter().zip([1000, -1000, 30_000]) {
            assert!(
                (i32::from(*got) - want).abs() <= want.abs() / 16 + 16,
                "{got} vs {want}"
            );
        }
    }

    #[test]
    fn telephone_events_take_the_other_legs_payload_type_or_are_dropped() {
        let bytes = received(101, &[5, 0x0A, 0, 160]);
        let packet = RtpPacket::parse(&bytes).unwrap();
        let mut out = Outgoing::new(99, 0, 0);
        let mut buf = Vec::new();
        let to = Negotiation {
            codec: Codec::Pcma,
            dtmf_pt: Some(96),
        };
        assert!(relay_packet(
            &packet,
            PCMU_101,
            to,
            &mut out,
            Duration::ZERO,
            &mut buf
        ));
        let sent = RtpPacket::parse(&buf).unwrap();
        assert_eq!(sent.header.payload_type, 96);
        assert_eq!(sent.payload, &[5, 0x0A, 0, 160]);
        let none = Negotiation {
            codec: Codec::Pcma,
            dtmf_pt: None,
        };
        assert!(!relay_packet(
            &packet,
            PCMU_101,
            none,
            &mut out,
            Duration::ZERO,
            &mut buf
        ));
    }

    #[test]
    fn comfort_noise_and_unknown_payload_types_are_not_relayed() {
        let bytes = received(13, &[40]);
        let packet = RtpPacket::parse(&bytes).unwrap();
        let mut out = Outgoing::new(99, 0, 0);
        let mut buf = Vec::new();
        assert!(!relay_packet(
            &packet,
            PCMU_101,
            PCMU_101,
            &mut out,
            Duration::ZERO,
            &mut buf
        ));
    }
}
