//! One task per SIP leg: an incoming call the engine answers or turns away, or an outgoing
//! fork ringing a phone. A leg task owns its transaction, dialog and SDP state, takes
//! commands from the core, and reports what happened; media stays in `media/`.
//!
//! - `incoming`: an incoming call until it is answered or turned away;
//! - `outgoing`: a fork ringing a phone until it answers, fails or is cancelled;
//! - `dialog`: the established dialog (re-INVITE, UPDATE, INFO, OPTIONS, BYE, probes);
//! - `refer`: REFERs read, and the NOTIFYs that report on them.

mod dialog;
mod incoming;
mod outgoing;
mod refer;
mod restored;

pub(crate) use super::msg::body_text;

pub use self::incoming::incoming;
pub use self::outgoing::{Fork, outgoing};
pub use self::restored::{RestoredLeg, restored};

use super::core::{CoreMsg, LegAddr};
use super::shared::Shared;
use crate::engine::switch::EndCause;
use crate::media::sdp::{Direction, Negotiated, SdpSession};
use crate::media::{Media, StreamId};
use bytesstr::BytesStr;
use sip_core::Endpoint;
use sip_types::header::typed::{Contact, ContentType};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::mpsc;

/// What the core asks of a leg.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LegCmd {
    /// Tell the caller it is ringing (`180`).
    Ringing,
    /// Answer an incoming call (`200` with SDP), asserting `asserted` as who answered.
    /// `durable`: the call is parked; its dialog and stream are in the store before the
    /// `200 OK` leaves.
    Answer {
        /// Write the leg to the store first.
        durable: bool,
        /// It hears music on hold (what a restore resumes).
        music: bool,
        /// A `P-Asserted-Identity` value for the `200 OK`.
        asserted: Option<String>,
        /// More headers for the `200 OK` (`X-Park-Code`).
        headers: Vec<(String, String)>,
    },
    /// Turn an unanswered incoming call away with `code`.
    Reject {
        /// The status code.
        code: u16,
    },
    /// End the leg: `BYE` when answered, `CANCEL` while an outgoing fork rings, `480`
    /// for an unanswered incoming call.
    Hangup,
    /// Stop ringing because someone else took the call: a CANCEL with
    /// `Reason: SIP;cause=200;text="Call completed elsewhere"`, so no phone logs a missed
    /// call. Like `Hangup` once answered.
    CompletedElsewhere,
    /// Is the peer still there? An in-dialog `OPTIONS`.
    Probe,
    /// The call is parked now: write the leg (dialog, stream) to the store, so it outlives
    /// the process.
    Persist {
        /// It hears music on hold.
        music: bool,
    },
    /// The call is no longer parked (bridged, released): forget the stored leg.
    Unpersist,
    /// Report on a REFER this leg sent: a NOTIFY with a `message/sipfrag` status line;
    /// `last` ends the implicit subscription.
    Notify {
        /// The status line, e.g. `SIP/2.0 200 OK`.
        frag: String,
        /// Whether this NOTIFY ends the subscription.
        last: bool,
        /// More headers (`X-Park-Code`).
        headers: Vec<(String, String)>,
    },
}

/// What a leg reports to the core.
#[derive(Debug, Clone)]
pub enum LegEvent {
    /// The far phone rings (outgoing), or the incoming call was told it rings.
    Ringing,
    /// The leg is up, SDP negotiated and the media stream configured.
    Answered,
    /// An outgoing fork failed with this status (`0`: no response at all).
    Failed {
        /// The final status, 0 for a timeout or transport failure.
        status: u16,
    },
    /// The leg is over.
    Ended {
        /// Why.
        cause: EndCause,
    },
    /// The peer put the leg on hold (`true`) or took it off (`false`).
    Hold(bool),
    /// The peer sent a DTMF digit by SIP INFO.
    Dtmf(char),
    /// An in-dialog probe went unanswered: the leg is dead.
    ProbeFailed,
    /// The peer asked to transfer the call (REFER, accepted with `202`).
    Refer {
        /// The number in Refer-To (the park extension, a code, a user).
        target: String,
        /// The Replaces parameter of an attended transfer, as sent.
        replaces: Option<String>,
        /// Whether the peer wants NOTIFYs (`Refer-Sub: false` says no).
        notify: bool,
    },
}

/// What every leg task shares.
#[derive(Clone)]
pub struct LegContext {
    /// The SIP endpoint.
    pub endpoint: Endpoint,
    /// The media task.
    pub media: Media,
    /// Our Contact.
    pub contact: Contact,
    /// Where events go.
    pub core: mpsc::UnboundedSender<CoreMsg>,
    /// The dial plan and settings (a REFER's target is checked against the plan).
    pub shared: Arc<Shared>,
}

/// Counts a leg task as alive until it ends, however it ends.
pub(super) struct Alive(Arc<AtomicUsize>);

impl Alive {
    pub(super) fn new(live: &Arc<AtomicUsize>) -> Alive {
        live.fetch_add(1, Ordering::Relaxed);
        Alive(live.clone())
    }
}

impl Drop for Alive {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl LegContext {
    /// Reports `event` about leg `addr` to the core.
    pub(super) fn report(&self, addr: &LegAddr, event: LegEvent) {
        let _ = self.core.send(CoreMsg::Leg {
            addr: addr.clone(),
            event,
        });
    }
}

const SDP: &str = "application/sdp";

pub(crate) fn content_type_sdp() -> ContentType {
    ContentType(BytesStr::from_static(SDP))
}

/// Our SDP direction given the peer's: a peer that only sends (holds us) gets `recvonly`.
pub(super) fn answer_direction(peer: Direction) -> Direction {
    match peer {
        Direction::SendOnly => Direction::RecvOnly,
        Direction::Inactive => Direction::Inactive,
        Direction::RecvOnly => Direction::SendOnly,
        Direction::SendRecv => Direction::SendRecv,
    }
}

pub(crate) fn is_hold(direction: Direction) -> bool {
    matches!(direction, Direction::SendOnly | Direction::Inactive)
}

/// Configures the media stream from a negotiation; a held leg is sent nothing.
pub(crate) fn apply(media: &Media, stream: StreamId, negotiated: &Negotiated) {
    let remote = if is_hold(negotiated.direction) {
        None
    } else {
        negotiated.remote
    };
    media.configure(stream, remote, negotiated.codec, negotiated.dtmf_pt);
}

/// Answers an offer: the answer's direction mirrors a hold.
pub(super) fn answer_offer(sdp: &mut SdpSession, offer: &str) -> Option<(String, Negotiated)> {
    let (answer, negotiated) = sdp.answer(offer, Direction::SendRecv).ok()?;
    if negotiated.direction == Direction::SendRecv {
        return Some((answer, negotiated));
    }
    let (answer, negotiated) = sdp
        .answer(offer, answer_direction(negotiated.direction))
        .ok()?;
    Some((answer, negotiated))
}
