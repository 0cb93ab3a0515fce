//! RTP packets (RFC 3550): the 12-byte fixed header, read leniently and written exactly.
//!
//! Reading never panics and never trusts a length field: a packet whose CSRC list, header
//! extension or padding runs past its end is refused, as is anything that is not version 2.

/// Bytes in the fixed RTP header (no CSRC, no extension).
pub const HEADER_LEN: usize = 12;

/// The fields of an RTP header that media cares about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RtpHeader {
    /// The marker bit: first packet of a talkspurt (audio) or of an event.
    pub marker: bool,
    /// Payload type (7 bits).
    pub payload_type: u8,
    /// Sequence number: +1 per packet sent.
    pub sequence: u16,
    /// Media clock of the first sample: +160 per 20 ms of G.711.
    pub timestamp: u32,
    /// Synchronisation source: one random value per sender.
    pub ssrc: u32,
}

/// An RTP packet read from the wire: its header and where its payload lies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RtpPacket<'a> {
    /// The header.
    pub header: RtpHeader,
    /// The payload, without CSRCs, extension or padding.
    pub payload: &'a [u8],
}

/// Why bytes are not an RTP packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RtpError {
    /// Fewer than 12 bytes.
    #[error("{0} bytes is shorter than an RTP header")]
    TooShort(usize),
    /// The version field is not 2.
    #[error("RTP version {0}, not 2")]
    Version(u8),
    /// CSRCs, extension or padding claim more bytes than there are.
    #[error("header fields run past the end of the packet")]
    Truncated,
    /// Payload types 72–76 with the marker are RTCP sharing the port (RFC 5761).
    #[error("an RTCP packet, not RTP")]
    Rtcp,
}

impl<'a> RtpPacket<'a> {
    /// Reads an RTP packet, or says why these bytes are not one.
    pub fn parse(bytes: &'a [u8]) -> Result<RtpPacket<'a>, RtpError> {
        if bytes.len() < HEADER_LEN {
            return Err(RtpError::TooShort(bytes.len()));
        }
        let version = bytes[0] >> 6;
        if version != 2 {
            return Err(RtpError::Version(version));
        }
        let padding = bytes[0] & 0x20 != 0;
        let extension = bytes[0] & 0x10 != 0;
        let csrc_count = usize::from(bytes[0] & 0x0F);
        let marker = bytes[1] & 0x80 != 0;
        let payload_type = bytes[1] & 0x7F;
        // RTCP sender/receiver reports etc. land on 200–204 in the second byte.
        if (72..=76).contains(&payload_type) && marker {
            return Err(RtpError::Rtcp);
        }
        let mut start = HEADER_LEN + 4 * csrc_count;
        if extension {
            let words = bytes.get(start + 2..start + 4).ok_or(RtpError::Truncated)?;
            start += 4 + 4 * usize::from(u16::from_be_bytes([words[0], words[1]]));
        }
        let mut end = bytes.len();
        if padding {
            let pad = usize::from(bytes[end - 1]);
            if pad == 0 {
                return Err(RtpError::Truncated);
            }
            end = end.checked_sub(pad).ok_or(RtpError::Truncated)?;
        }
        let payload = bytes.get(start..end).ok_or(RtpError::Truncated)?;
        Ok(RtpPacket {
            header: RtpHeader {
                marker,
                payload_type,
                sequence: u16::from_be_bytes([bytes[2], bytes[3]]),
                timestamp: u32::from_be_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]),
                ssrc: u32::from_be_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]),
            },
            payload,
        })
    }
}

impl RtpHeader {
    /// Writes this header (version 2, no padding, extension or CSRC) into the first
    /// [`HEADER_LEN`] bytes of `out`. `out` must hold at least that many.
    pub fn write(&self, out: &mut [u8; HEADER_LEN]) {
        out[0] = 0x80;
        out[1] = (u8::from(self.marker) << 7) | (self.payload_type & 0x7F);
        out[2..4].copy_from_slice(&self.sequence.to_be_bytes());
        out[4..8].copy_from_slice(&self.timestamp.to_be_bytes());
        out[8..12].copy_from_slice(&self.ssrc.to_be_bytes());
    }

    /// A whole packet: this header followed by `payload`.
    pub fn packet(&self, payload: &[u8]) -> Vec<u8> {
        let mut head = [0u8; HEADER_LEN];
        self.write(&mut head);
        let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
        out.extend_from_slice(&head);
        out.extend_from_slice(payload);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> RtpHeader {
        RtpHeader {
            marker: true,
            payload_type: 8,
            sequence: 0xBEEF,
            timestamp: 0x0102_0304,
            ssrc: 0xCAFE_F00D,
        }
    }

    #[test]
    fn a_written_packet_reads_back_the_same() {
        let bytes = header().packet(&[1, 2, 3]);
        let packet = RtpPacket::parse(&bytes).unwrap();
        assert_eq!(packet.header, header());
        assert_eq!(packet.payload, &[1, 2, 3]);
    }

    #[test]
    fn csrcs_extension_and_padding_are_skipped() {
        let mut bytes = header().packet(&[]);
        bytes[0] |= 0x20 | 0x10 | 0x01; // padding, extension, one CSRC
        bytes.extend_from_slice(&[0, 0, 0, 9]); // CSRC
        bytes.extend_from_slice(&[0xBE, 0xDE, 0, 1, 7, 7, 7, 7]); // extension, one word
        bytes.extend_from_slice(&[42, 43]); // payload
        bytes.extend_from_slice(&[0, 0, 3]); // three bytes of padding
        let packet = RtpPacket::parse(&bytes).unwrap();
        assert_eq!(packet.payload, &[42, 43]);
    }

    #[test]
    fn lengths_that_lie_are_refused_not_trusted() {
        let mut bytes = header().packet(&[1]);
        bytes[0] |= 0x0F; // fifteen CSRCs that are not there
        assert_eq!(RtpPacket::parse(&bytes), Err(RtpError::Truncated));
        let mut bytes = header().packet(&[1]);
        bytes[0] |= 0x20;
        *bytes.last_mut().unwrap() = 200; // padding longer than the packet
        assert_eq!(RtpPacket::parse(&bytes), Err(RtpError::Truncated));
        assert_eq!(RtpPacket::parse(&[0x80; 5]), Err(RtpError::TooShort(5)));
        assert_eq!(RtpPacket::parse(&[0x40; 12]), Err(RtpError::Version(1)));
    }

    #[test]
    fn rtcp_on_the_rtp_port_is_not_mistaken_for_audio() {
        let rtcp_receiver_report = [0x81, 201, 0, 7, 1, 2, 3, 4, 0, 0, 0, 0];
        assert_eq!(RtpPacket::parse(&rtcp_receiver_report), Err(RtpError::Rtcp));
    }
}
