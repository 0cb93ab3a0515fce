//! Why a paging call could not be set up or did not carry the announcement to its end.

use std::net::SocketAddr;
use std::time::Duration;
use thiserror::Error;

/// A paging failure. The text is what the station reports as the announcement's `reason`,
/// so it names the paging URI and says what happened in words a receptionist can act on.
#[derive(Debug, Error)]
pub enum PageError {
    /// The configured paging URI is not a SIP URI.
    #[error("page URI '{0}' is not a SIP URI (sip:user@host[:port])")]
    BadUri(String),
    /// The station's SIP address is not one a paging device could send back to.
    #[error(
        "SIP paging address '{0}' must be an address the paging device can reach, not a wildcard"
    )]
    WildcardListen(SocketAddr),
    /// The station's SIP address could not be bound.
    #[error("cannot listen for SIP paging on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The station's RTP side failed (no free port, the media task gone).
    #[error("paging media: {0}")]
    Media(#[from] crate::media::MediaError),
    /// The INVITE could not be sent (no route, a transport error).
    #[error("paging call to {uri} could not be sent: {detail}")]
    NotSent {
        /// The paging URI.
        uri: String,
        /// What the SIP stack said.
        detail: String,
    },
    /// The paging URI turned the call away.
    #[error("paging call to {uri} refused: {status} {reason}")]
    Refused {
        /// The paging URI.
        uri: String,
        /// The final status (`486`).
        status: u16,
        /// Its reason phrase (`Busy Here`).
        reason: String,
    },
    /// Nothing answered at all: no provisional, no final response.
    #[error("paging call to {uri} got no response within {} s (is a paging device there?)", .waited.as_secs())]
    NoResponse {
        /// The paging URI.
        uri: String,
        /// How long the station waited.
        waited: Duration,
    },
    /// The paging URI rang but did not answer in time; the call was cancelled.
    #[error("paging call to {uri} not answered within {} s", .waited.as_secs())]
    Unanswered {
        /// The paging URI.
        uri: String,
        /// The ring time.
        waited: Duration,
    },
    /// The answer carried no audio the station can send to.
    #[error("paging call to {uri} answered without audio the station can send: {detail}")]
    NoAudio {
        /// The paging URI.
        uri: String,
        /// What was wrong with its SDP.
        detail: String,
    },
    /// The paging device hung up before the announcement had played.
    #[error(
        "paging call to {uri} ended by the far end after {:.1} s, before the announcement finished",
        .after.as_secs_f64()
    )]
    HungUp {
        /// The paging URI.
        uri: String,
        /// How long the announcement had played.
        after: Duration,
    },
    /// The media side never said the announcement had played.
    #[error("paging call to {uri}: the announcement stopped playing")]
    Stalled {
        /// The paging URI.
        uri: String,
    },
}
