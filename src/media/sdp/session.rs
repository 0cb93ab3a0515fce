//! One leg's SDP session: its origin, its version, and the offer it has outstanding.

use super::error::SdpError;
use super::parse::{MediaDescription, SessionDescription, parse};
use super::{Direction, Negotiated};
use crate::media::Codec;
use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};

/// The payload type parkdesk offers for telephone-event.
pub const DTMF_PT: u8 = 101;

/// One leg's SDP session: the origin's session id stays, its version rises with every SDP
/// written (RFC 3264 §8 requires a rise when the description changes; rising every time is
/// always accepted).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SdpSession {
    local: SocketAddr,
    session_id: u64,
    version: u64,
    offered: Option<Direction>,
}

impl SdpSession {
    /// A session for a stream whose advertised RTP address is `local`, with a random
    /// session id.
    pub fn new(local: SocketAddr) -> SdpSession {
        SdpSession::with_session_id(local, random_session_id())
    }

    /// A session with a chosen session id (tests, reproducible traces).
    pub fn with_session_id(local: SocketAddr, session_id: u64) -> SdpSession {
        SdpSession {
            local,
            session_id,
            version: 0,
            offered: None,
        }
    }

    /// A session carried over a restart: the same `o=` session id, the version going on
    /// from `version` (RFC 4566: a changed description gets a higher version).
    pub fn resume(local: SocketAddr, session_id: u64, version: u64) -> SdpSession {
        SdpSession {
            local,
            session_id,
            version,
            offered: None,
        }
    }

    /// The `o=` session id.
    pub fn session_id(&self) -> u64 {
        self.session_id
    }

    /// The version of the last SDP written (0 before the first).
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The advertised RTP address.
    pub fn local(&self) -> SocketAddr {
        self.local
    }

    /// An offer of PCMU, PCMA and telephone-event/8000 (101) with `direction` (sendonly to
    /// hold the peer). The answer goes to [`SdpSession::accept_answer`].
    pub fn offer(&mut self, direction: Direction) -> String {
        self.offered = Some(direction);
        let mut sdp = self.head();
        let formats: Vec<String> = Codec::ALL
            .iter()
            .map(|c| c.payload_type().to_string())
            .chain([DTMF_PT.to_string()])
            .collect();
        let _ = writeln_crlf(
            &mut sdp,
            format_args!(
                "m=audio {} RTP/AVP {}",
                self.local.port(),
                formats.join(" ")
            ),
        );
        for codec in Codec::ALL {
            rtpmap(&mut sdp, codec.payload_type(), codec.name());
        }
        audio_attributes(&mut sdp, Some(DTMF_PT), direction);
        sdp
    }

    /// Answers `offer`: the first of PCMU/PCMA it lists, its telephone-event if it has one,
    /// and the direction `direction` narrowed by what the offer allows (a sendonly offer is
    /// answered recvonly). Other streams in the offer are refused (port 0). Errors (488 or
    /// 400 worthy, see [`SdpError::sip_status`]) change nothing.
    pub fn answer(
        &mut self,
        offer: &str,
        direction: Direction,
    ) -> Result<(String, Negotiated), SdpError> {
        let sd = parse(offer)?;
        let (index, audio) = sd
            .media
            .iter()
            .enumerate()
            .find(|(_, m)| m.is_usable_audio())
            .ok_or(SdpError::NoMedia)?;
        let codec = pick_codec(audio)?;
        let dtmf_pt = audio.telephone_event();
        let (peer, address) = peer_direction(&sd, audio)?;
        let ours = direction.and(peer.reversed());
        let negotiated = Negotiated {
            remote: ours.sends().then(|| SocketAddr::new(address, audio.port)),
            codec,
            dtmf_pt,
            direction: peer,
        };

        self.offered = None;
        let mut sdp = self.head();
        for (i, m) in sd.media.iter().enumerate() {
            if i != index {
                let _ = writeln_crlf(
                    &mut sdp,
                    format_args!("m={} 0 {} {}", m.kind, m.protocol, m.formats.join(" ")),
                );
                continue;
            }
            let mut formats = codec.payload_type().to_string();
            if let Some(pt) = dtmf_pt {
                let _ = write!(formats, " {pt}");
            }
            let _ = writeln_crlf(
                &mut sdp,
                format_args!("m=audio {} RTP/AVP {formats}", self.local.port()),
            );
            rtpmap(&mut sdp, codec.payload_type(), codec.name());
            audio_attributes(&mut sdp, dtmf_pt, ours);
        }
        Ok((sdp, negotiated))
    }

    /// Reads the answer to our outstanding offer.
    pub fn accept_answer(&mut self, answer: &str) -> Result<Negotiated, SdpError> {
        let offered = self.offered.ok_or(SdpError::NoOffer)?;
        let sd = parse(answer)?;
        let audio = sd
            .media
            .iter()
            .find(|m| m.kind.eq_ignore_ascii_case("audio"))
            .ok_or(SdpError::NoMedia)?;
        if audio.port == 0 {
            return Err(SdpError::Rejected);
        }
        if !audio.is_usable_audio() {
            return Err(SdpError::NoMedia);
        }
        let codec = pick_codec(audio)?;
        let (peer, address) = peer_direction(&sd, audio)?;
        let ours = offered.and(peer.reversed());
        self.offered = None;
        Ok(Negotiated {
            remote: ours.sends().then(|| SocketAddr::new(address, audio.port)),
            codec,
            dtmf_pt: audio.telephone_event(),
            direction: peer,
        })
    }

    /// `v=`, `o=`, `s=`, `c=`, `t=` for the next SDP, whose version rises by one.
    fn head(&mut self) -> String {
        self.version += 1;
        let ip = self.local.ip();
        let family = address_type(ip);
        let mut sdp = String::with_capacity(320);
        let _ = writeln_crlf(&mut sdp, format_args!("v=0"));
        let _ = writeln_crlf(
            &mut sdp,
            format_args!(
                "o=parkdesk {} {} IN {family} {ip}",
                self.session_id, self.version
            ),
        );
        let _ = writeln_crlf(&mut sdp, format_args!("s=parkdesk"));
        let _ = writeln_crlf(&mut sdp, format_args!("c=IN {family} {ip}"));
        let _ = writeln_crlf(&mut sdp, format_args!("t=0 0"));
        sdp
    }
}

/// The first of PCMU/PCMA the media line lists.
fn pick_codec(audio: &MediaDescription) -> Result<Codec, SdpError> {
    audio
        .payload_types()
        .find_map(Codec::from_payload_type)
        .ok_or_else(|| SdpError::NoCommonCodec {
            offered: audio
                .formats
                .iter()
                .map(|f| match f.parse::<u8>() {
                    Ok(pt) => audio.encoding_name(pt),
                    Err(_) => f.clone(),
                })
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// The peer's direction (c=0.0.0.0 means it does not receive) and its address.
fn peer_direction(
    sd: &SessionDescription,
    audio: &MediaDescription,
) -> Result<(Direction, IpAddr), SdpError> {
    let address = audio
        .connection
        .or(sd.connection)
        .ok_or(SdpError::NoConnection)?;
    let stated = audio
        .direction
        .or(sd.direction)
        .unwrap_or(Direction::SendRecv);
    let direction = if address.is_unspecified() {
        Direction::from_flags(stated.sends(), false)
    } else {
        stated
    };
    Ok((direction, address))
}

fn rtpmap(sdp: &mut String, pt: u8, name: &str) {
    let _ = writeln_crlf(sdp, format_args!("a=rtpmap:{pt} {name}/8000"));
}

fn audio_attributes(sdp: &mut String, dtmf_pt: Option<u8>, direction: Direction) {
    if let Some(pt) = dtmf_pt {
        let _ = writeln_crlf(sdp, format_args!("a=rtpmap:{pt} telephone-event/8000"));
        let _ = writeln_crlf(sdp, format_args!("a=fmtp:{pt} 0-15"));
    }
    let _ = writeln_crlf(sdp, format_args!("a=ptime:20"));
    let _ = writeln_crlf(sdp, format_args!("a={}", direction.attribute()));
}

fn writeln_crlf(sdp: &mut String, line: std::fmt::Arguments<'_>) -> std::fmt::Result {
    sdp.write_fmt(line)?;
    sdp.write_str("\r\n")
}

fn address_type(ip: IpAddr) -> &'static str {
    match ip {
        IpAddr::V4(_) => "IP4",
        IpAddr::V6(_) => "IP6",
    }
}

/// A random session id (31 bits, as many phones print it signed).
fn random_session_id() -> u64 {
    let raw = u64::from(crate::runtime::entropy::u32());
    (raw & 0x7FFF_FFFF).max(1)
}
