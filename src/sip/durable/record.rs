//! A durable leg as it is written to the store: the SIP dialog (Call-ID, tags, our CSeq,
//! route set, remote target), the negotiated media (codec, telephone-event, the remote RTP
//! address, our port, SSRC, sequence and timestamp) and what the leg was doing (music, or
//! held by its peer). JSON, versioned; every header as its printed SIP text.

use crate::engine::switch::{CallId, LegId, Party};
use crate::media::sdp::{Direction, Negotiated, SdpSession};
use crate::media::{Codec, RtpState};
use bytesstr::BytesStr;
use serde::{Deserialize, Serialize};
use sip_core::Endpoint;
use sip_types::header::typed::{CallID, Contact, FromTo, Routing};
use sip_types::print::AppendCtx;
use sip_types::{Headers, Name};
use sip_ua::dialog::Dialog;
use std::net::SocketAddr;
use thiserror::Error;

/// The version of [`LegRecord`] this build writes.
pub const LEG_RECORD_VERSION: u32 = 1;

/// Why a stored leg cannot be carried on.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum RecordError {
    /// The JSON does not decode (truncated, edited, another program's).
    #[error("the stored leg does not decode: {0}")]
    Corrupt(String),
    /// Written by a newer parkdesk.
    #[error("the stored leg has version {0}, newer than this parkdesk's {LEG_RECORD_VERSION}")]
    TooNew(u32),
    /// A header does not parse back.
    #[error("the stored leg's {0} header does not parse")]
    Header(&'static str),
}

/// One leg of a call the engine holds, as the next process needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegRecord {
    /// [`LEG_RECORD_VERSION`] when written.
    pub version: u32,
    /// The call.
    pub call: CallId,
    /// Which leg.
    pub leg: LegId,
    /// Who placed the call.
    pub from: Party,
    /// The SIP dialog.
    pub dialog: DialogRecord,
    /// The SDP session and what it settled.
    pub sdp: SdpRecord,
    /// The RTP stream.
    pub media: MediaRecord,
}

/// The dialog, every header as printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DialogRecord {
    /// The Call-ID.
    pub call_id: String,
    /// Our side: the From of our requests, with our tag.
    pub local: String,
    /// The peer: the To of our requests, with its tag.
    pub peer: String,
    /// Our Contact.
    pub local_contact: String,
    /// The peer's Contact: the remote target.
    pub peer_contact: String,
    /// The route set, in the order our requests carry it.
    pub route_set: Vec<String>,
    /// The CSeq of the last request we sent in the dialog.
    pub local_cseq: u32,
    /// Whether the dialog was set up over TLS (`sips:`).
    pub secure: bool,
}

/// Our SDP session and the last offer/answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SdpRecord {
    /// The advertised RTP address in our SDP.
    pub local: SocketAddr,
    /// Our `o=` session id.
    pub session_id: u64,
    /// Our `o=` version, last written.
    pub version: u64,
    /// Where the peer receives RTP (`None`: it holds us, or said 0.0.0.0).
    pub remote: Option<SocketAddr>,
    /// The codec both sides send (`PCMU`, `PCMA`).
    pub codec: String,
    /// The peer's telephone-event payload type.
    pub dtmf_pt: Option<u8>,
    /// The peer's direction as it stated it (`sendrecv`, `sendonly`…).
    pub direction: String,
}

/// The RTP stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaRecord {
    /// Our UDP port.
    pub port: u16,
    /// The numbering of the next packet at `at_ms`.
    pub rtp: RtpState,
    /// When `rtp` (and `music_position`) held (Unix milliseconds).
    pub at_ms: i64,
    /// The leg hears music on hold.
    pub music: bool,
    /// The frame of the music loop at `at_ms`, when known exactly.
    pub music_position: Option<usize>,
    /// Written by a planned restart as the process stopped: the numbering is exact and the
    /// peer needs no probe.
    pub clean: bool,
}

impl DialogRecord {
    /// The record of a live dialog.
    pub fn of(dialog: &Dialog) -> DialogRecord {
        DialogRecord {
            call_id: dialog.call_id.0.to_string(),
            local: dialog.local_fromto.default_print_ctx().to_string(),
            peer: dialog.peer_fromto.default_print_ctx().to_string(),
            local_contact: dialog.local_contact.default_print_ctx().to_string(),
            peer_contact: dialog.peer_contact.default_print_ctx().to_string(),
            route_set: dialog
                .route_set
                .iter()
                .map(|r| r.default_print_ctx().to_string())
                .collect(),
            local_cseq: dialog.local_cseq.load(std::sync::atomic::Ordering::Relaxed),
            secure: dialog.secure,
        }
    }

    /// Our tag and the peer's, as the dialog is keyed.
    pub fn tags(&self) -> Result<(String, String), RecordError> {
        let local = parse_from_to(&self.local)?;
        let peer = parse_from_to(&self.peer)?;
        let tag = |f: &FromTo| f.tag.as_ref().map(|t| t.to_string());
        match (tag(&local), tag(&peer)) {
            (Some(local), Some(peer)) => Ok((local, peer)),
            _ => Err(RecordError::Header("From/To tag")),
        }
    }

    /// The dialog again, on `endpoint`. It is not registered with the endpoint's dialog
    /// layer: the restored leg receives its requests from the front layer. Our CSeq goes on
    /// `cseq_gap` above the stored one, so a request we sent after the last write is never
    /// repeated with the same number.
    pub fn into_dialog(&self, endpoint: Endpoint, cseq_gap: u32) -> Result<Dialog, RecordError> {
        let mut route_set = Vec::new();
        if !self.route_set.is_empty() {
            let mut headers = Headers::new();
            for route in &self.route_set {
                headers.insert(Name::ROUTE, route.clone());
            }
            route_set = headers
                .get::<Vec<Routing>>(Name::ROUTE)
                .map_err(|_| RecordError::Header("Route"))?;
        }
        Ok(Dialog {
            endpoint,
            local_cseq: self.local_cseq.wrapping_add(cseq_gap).into(),
            local_fromto: parse_from_to(&self.local)?,
            peer_fromto: parse_from_to(&self.peer)?,
            local_contact: parse_contact(&self.local_contact)?,
            peer_contact: parse_contact(&self.peer_contact)?,
            call_id: CallID(BytesStr::from(self.call_id.as_str())),
            route_set,
            secure: self.secure,
            target_tp_info: Default::default(),
        })
    }
}

impl SdpRecord {
    /// The record of `session` after `negotiated`.
    pub fn of(session: &SdpSession, negotiated: &Negotiated) -> SdpRecord {
        SdpRecord {
            local: session.local(),
            session_id: session.session_id(),
            version: session.version(),
            remote: negotiated.remote,
            codec: negotiated.codec.name().to_string(),
            dtmf_pt: negotiated.dtmf_pt,
            direction: negotiated.direction.attribute().to_string(),
        }
    }

    /// The SDP session again: same `o=` session id, the version going on.
    pub fn session(&self) -> SdpSession {
        SdpSession::resume(self.local, self.session_id, self.version)
    }

    /// What was negotiated, for the media stream.
    pub fn negotiated(&self) -> Negotiated {
        Negotiated {
            remote: self.remote,
            codec: Codec::ALL
                .into_iter()
                .find(|c| c.name() == self.codec)
                .unwrap_or(Codec::Pcmu),
            dtmf_pt: self.dtmf_pt,
            direction: Direction::from_attribute(&self.direction).unwrap_or(Direction::SendRecv),
        }
    }
}

impl LegRecord {
    /// The JSON written to the store.
    pub fn to_json(&self) -> String {
        // Only strings, numbers and addresses: serialising cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A stored leg, checked.
    pub fn from_json(text: &str) -> Result<LegRecord, RecordError> {
        #[derive(Deserialize)]
        struct Version {
            version: u32,
        }
        let version: Version =
            serde_json::from_str(text).map_err(|e| RecordError::Corrupt(e.to_string()))?;
        if version.version > LEG_RECORD_VERSION {
            return Err(RecordError::TooNew(version.version));
        }
        serde_json::from_str(text).map_err(|e| RecordError::Corrupt(e.to_string()))
    }

    /// The store's name for a leg (`caller`, `line`, `ring-4`).
    pub fn leg_key(leg: LegId) -> String {
        match leg {
            LegId::Caller => "caller".to_string(),
            LegId::Line => "line".to_string(),
            LegId::Ring(id) => format!("ring-{}", id.0),
        }
    }
}

fn parse_from_to(text: &str) -> Result<FromTo, RecordError> {
    let mut headers = Headers::new();
    headers.insert(Name::FROM, text.to_string());
    headers
        .get::<FromTo>(Name::FROM)
        .map_err(|_| RecordError::Header("From/To"))
}

fn parse_contact(text: &str) -> Result<Contact, RecordError> {
    let mut headers = Headers::new();
    headers.insert(Name::CONTACT, text.to_string());
    headers
        .get_named::<Contact>()
        .map_err(|_| RecordError::Header("Contact"))
}

/// What a leg knows from its start that its durable record needs: the dialog as set up,
/// who called, and its stream as opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurableSeed {
    /// The dialog when the leg began (our CSeq is read again when written).
    pub dialog: DialogRecord,
    /// Who placed the call.
    pub from: Party,
    /// Our RTP port.
    pub port: u16,
    /// The stream's numbering as opened.
    pub rtp: RtpState,
    /// When it was opened (Unix milliseconds).
    pub opened_ms: i64,
}

impl DurableSeed {
    /// The record of leg `leg` of `call` now: `dialog` (when the leg has its session) gives
    /// the current CSeq; `negotiated` the media (a call whose SDP is not settled yet sends
    /// PCMU nowhere).
    pub fn record(
        &self,
        call: &CallId,
        leg: LegId,
        dialog: Option<&Dialog>,
        sdp: &SdpSession,
        negotiated: Option<&Negotiated>,
        music: bool,
    ) -> LegRecord {
        let unsettled = Negotiated {
            remote: None,
            codec: Codec::Pcmu,
            dtmf_pt: None,
            direction: Direction::SendRecv,
        };
        LegRecord {
            version: LEG_RECORD_VERSION,
            call: call.clone(),
            leg,
            from: self.from.clone(),
            dialog: dialog.map_or_else(|| self.dialog.clone(), DialogRecord::of),
            sdp: SdpRecord::of(sdp, negotiated.unwrap_or(&unsettled)),
            media: MediaRecord {
                port: self.port,
                rtp: self.rtp,
                at_ms: self.opened_ms,
                music,
                music_position: None,
                clean: false,
            },
        }
    }
}
