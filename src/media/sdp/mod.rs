//! SDP offer/answer (RFC 3264) for one audio stream: PCMU, PCMA and telephone-event.
//!
//! One [`SdpSession`] per leg writes parkdesk's offers and answers (the origin's version
//! rises with each) and reads the peer's into a [`Negotiated`] that [`Media::configure`]
//! takes as it is.
//!
//! [`Media::configure`]: super::Media::configure

mod error;
pub mod parse;
mod session;

pub use error::SdpError;
pub use session::SdpSession;

use super::Codec;
use std::net::SocketAddr;

/// Which way media flows, from the point of view of whoever wrote the SDP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Both ways (the default).
    SendRecv,
    /// The writer sends and does not receive: it holds the other side.
    SendOnly,
    /// The writer receives and does not send.
    RecvOnly,
    /// Neither.
    Inactive,
}

impl Direction {
    /// The direction with these two abilities.
    pub const fn from_flags(sends: bool, receives: bool) -> Direction {
        match (sends, receives) {
            (true, true) => Direction::SendRecv,
            (true, false) => Direction::SendOnly,
            (false, true) => Direction::RecvOnly,
            (false, false) => Direction::Inactive,
        }
    }

    /// Whether the writer sends.
    pub const fn sends(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::SendOnly)
    }

    /// Whether the writer receives.
    pub const fn receives(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::RecvOnly)
    }

    /// The same flow seen from the other end (their sendonly is our recvonly).
    pub const fn reversed(self) -> Direction {
        Direction::from_flags(self.receives(), self.sends())
    }

    /// What both allow.
    pub const fn and(self, other: Direction) -> Direction {
        Direction::from_flags(
            self.sends() && other.sends(),
            self.receives() && other.receives(),
        )
    }

    /// The attribute (`sendrecv`, `sendonly`, `recvonly`, `inactive`).
    pub const fn attribute(self) -> &'static str {
        match self {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        }
    }

    /// The direction an attribute names, if it names one.
    pub fn from_attribute(attribute: &str) -> Option<Direction> {
        match attribute {
            "sendrecv" => Some(Direction::SendRecv),
            "sendonly" => Some(Direction::SendOnly),
            "recvonly" => Some(Direction::RecvOnly),
            "inactive" => Some(Direction::Inactive),
            _ => None,
        }
    }
}

/// What an offer/answer exchange settled, ready for [`Media::configure`].
///
/// [`Media::configure`]: super::Media::configure
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Negotiated {
    /// Where to send RTP; `None` when parkdesk must send nothing (the peer holds us, or we
    /// answered recvonly/inactive, or the address is 0.0.0.0).
    pub remote: Option<SocketAddr>,
    /// The codec both sides send.
    pub codec: Codec,
    /// The peer's telephone-event payload type, if it has one.
    pub dtmf_pt: Option<u8>,
    /// The peer's direction as it stated it: `SendOnly` (or `Inactive`) means the peer holds
    /// us. `c=0.0.0.0` (RFC 2543 hold) counts as not receiving.
    pub direction: Direction,
}
