//! Why an SDP body cannot be used.

/// An SDP offer or answer that cannot be used. Nothing changes in the session that refused it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SdpError {
    /// A line is not `x=value`, or a field parkdesk reads is not what RFC 4566 says.
    #[error("SDP line {line}: {reason}")]
    Malformed {
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// No `m=audio` line over RTP/AVP with a port: nothing to talk with.
    #[error("the SDP has no usable audio stream (m=audio over RTP/AVP with a port)")]
    NoMedia,
    /// The audio line offers neither PCMU nor PCMA.
    #[error("no common codec: parkdesk speaks PCMU (0) and PCMA (8); the peer offered {offered}")]
    NoCommonCodec {
        /// What the peer listed, by name where known.
        offered: String,
    },
    /// The audio line has no `c=` address, at its level or the session's.
    #[error("the audio stream has no connection address (c= line)")]
    NoConnection,
    /// The answer refused the audio stream (port 0).
    #[error("the answer rejected the audio stream (port 0)")]
    Rejected,
    /// An answer arrived while no offer of ours was outstanding.
    #[error("an SDP answer arrived but no offer was outstanding")]
    NoOffer,
}

impl SdpError {
    /// The SIP response this deserves: 488 Not Acceptable Here when the media cannot be
    /// agreed on, 400 Bad Request when the body is broken, 500 for our own sequencing.
    pub fn sip_status(&self) -> u16 {
        match self {
            SdpError::NoMedia | SdpError::NoCommonCodec { .. } | SdpError::Rejected => 488,
            SdpError::Malformed { .. } | SdpError::NoConnection => 400,
            SdpError::NoOffer => 500,
        }
    }
}
