//! Streams as the SIP side sees them: an id, a local address for SDP, and what happens to them.

use std::net::SocketAddr;

/// One RTP stream: one leg of a call, one UDP port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StreamId(pub u64);

impl std::fmt::Display for StreamId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "stream-{}", self.0)
    }
}

/// A freshly opened stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stream {
    /// Its id, for every later call.
    pub id: StreamId,
    /// The advertised address and port, for SDP.
    pub local: SocketAddr,
    /// Its RTP numbering as opened (what a crash restore counts on from).
    pub rtp: super::resume::RtpState,
}

/// What media tells the SIP side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MediaEvent {
    /// No RTP arrived for the silence timeout on a stream with a remote: the leg is dead.
    /// Said once; said again only after RTP came back and stopped again.
    Silent(StreamId),
    /// A key was pressed (an RFC 4733 event), reported once per press.
    Dtmf {
        /// The stream it came in on.
        stream: StreamId,
        /// The key: `0`–`9`, `*`, `#`, `A`–`D`.
        digit: char,
    },
    /// A prompt given to [`Media::play`] has played to its end.
    ///
    /// [`Media::play`]: super::Media::play
    Played(StreamId),
}
