//! Reading SDP (RFC 4566): the lines offer/answer needs, checked; every other line skipped.
//!
//! Reads any text without panicking: lines may end in CRLF or LF, blank lines are skipped,
//! unknown line types and attributes are ignored, and a line parkdesk needs that is broken is
//! a [`SdpError::Malformed`] naming its number.

use super::Direction;
use super::error::SdpError;
use std::net::IpAddr;

/// The parts of a session description that offer/answer uses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SessionDescription {
    /// The session-level `c=` address.
    pub connection: Option<IpAddr>,
    /// The session-level direction attribute.
    pub direction: Option<Direction>,
    /// The `m=` sections, in order.
    pub media: Vec<MediaDescription>,
}

/// One `m=` section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaDescription {
    /// `audio`, `video`, …
    pub kind: String,
    /// The port (0: the stream is refused or disabled).
    pub port: u16,
    /// The transport, e.g. `RTP/AVP`.
    pub protocol: String,
    /// The formats (payload type numbers for RTP), in preference order.
    pub formats: Vec<String>,
    /// The media-level `c=` address.
    pub connection: Option<IpAddr>,
    /// The media-level direction attribute.
    pub direction: Option<Direction>,
    /// The `a=rtpmap` lines.
    pub rtpmaps: Vec<RtpMap>,
}

/// An `a=rtpmap:<pt> <encoding>/<clock rate>` attribute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RtpMap {
    /// The payload type.
    pub payload_type: u8,
    /// The encoding name, as written (`PCMU`, `telephone-event`).
    pub encoding: String,
    /// The clock rate.
    pub clock_rate: u32,
}

impl MediaDescription {
    /// Whether this is audio over plain RTP with a port: a stream parkdesk can take.
    pub fn is_usable_audio(&self) -> bool {
        self.kind.eq_ignore_ascii_case("audio")
            && self.port != 0
            && self.protocol.eq_ignore_ascii_case("RTP/AVP")
    }

    /// The payload types listed on the `m=` line, in order (non-numeric formats skipped).
    pub fn payload_types(&self) -> impl Iterator<Item = u8> + '_ {
        self.formats.iter().filter_map(|f| f.parse().ok())
    }

    /// The payload type the peer maps to telephone-event/8000, if it lists one.
    pub fn telephone_event(&self) -> Option<u8> {
        self.rtpmaps
            .iter()
            .find(|m| {
                m.encoding.eq_ignore_ascii_case("telephone-event")
                    && m.clock_rate == 8000
                    && self.payload_types().any(|pt| pt == m.payload_type)
            })
            .map(|m| m.payload_type)
    }

    /// The name of a listed payload type: its rtpmap, or the static table (RFC 3551).
    pub fn encoding_name(&self, pt: u8) -> String {
        if let Some(map) = self.rtpmaps.iter().find(|m| m.payload_type == pt) {
            return map.encoding.clone();
        }
        match pt {
            0 => "PCMU",
            3 => "GSM",
            4 => "G723",
            8 => "PCMA",
            9 => "G722",
            13 => "CN",
            18 => "G729",
            _ => return pt.to_string(),
        }
        .to_string()
    }
}

/// Reads a session description.
pub fn parse(text: &str) -> Result<SessionDescription, SdpError> {
    let mut sd = SessionDescription::default();
    for (index, raw) in text.split('\n').enumerate() {
        let line = index + 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if raw.trim().is_empty() {
            continue;
        }
        let bad = |reason: String| SdpError::Malformed { line, reason };
        let mut chars = raw.chars();
        let (Some(kind), Some('=')) = (chars.next(), chars.next()) else {
            return Err(bad(format!("'{}' is not of the form x=value", clip(raw))));
        };
        let value = chars.as_str();
        match kind {
            'v' if value.trim() != "0" => {
                return Err(bad(format!("version '{}' is not 0", clip(value))));
            }
            'c' => {
                let addr = parse_connection(value).map_err(bad)?;
                match sd.media.last_mut() {
                    Some(m) => m.connection = Some(addr),
                    None => sd.connection = Some(addr),
                }
            }
            'm' => sd.media.push(parse_media(value).map_err(bad)?),
            'a' => {
                let current = sd.media.last_mut();
                if let Some(direction) = Direction::from_attribute(value.trim()) {
                    match current {
                        Some(m) => m.direction = Some(direction),
                        None => sd.direction = Some(direction),
                    }
                } else if let Some(map) = value.strip_prefix("rtpmap:") {
                    let map = parse_rtpmap(map).map_err(bad)?;
                    if let Some(m) = current {
                        m.rtpmaps.push(map);
                    }
                }
            }
            _ => {}
        }
    }
    Ok(sd)
}

/// `IN IP4 192.0.2.1` (a multicast `/ttl` suffix is dropped).
fn parse_connection(value: &str) -> Result<IpAddr, String> {
    let fields: Vec<&str> = value.split_whitespace().collect();
    let [net, kind, address] = fields[..] else {
        return Err(format!(
            "connection '{}' is not 'IN IP4 address'",
            clip(value)
        ));
    };
    if net != "IN" {
        return Err(format!("network type '{}' is not IN", clip(net)));
    }
    let address = address.split('/').next().unwrap_or(address);
    let ip: IpAddr = address.parse().map_err(|_| {
        format!(
            "connection address '{}' is not an IP address",
            clip(address)
        )
    })?;
    match (kind, ip) {
        ("IP4", IpAddr::V4(_)) | ("IP6", IpAddr::V6(_)) => Ok(ip),
        _ => Err(format!(
            "address type '{}' does not match '{}'",
            clip(kind),
            clip(address)
        )),
    }
}

/// `audio 49170 RTP/AVP 0 8 101` (a `/count` after the port is dropped).
fn parse_media(value: &str) -> Result<MediaDescription, String> {
    let mut fields = value.split_whitespace();
    let (Some(kind), Some(port), Some(protocol)) = (fields.next(), fields.next(), fields.next())
    else {
        return Err(format!(
            "media '{}' is not 'kind port protocol formats'",
            clip(value)
        ));
    };
    let formats: Vec<String> = fields.map(str::to_string).collect();
    if formats.is_empty() {
        return Err(format!("media '{}' lists no format", clip(value)));
    }
    let port_text = port.split('/').next().unwrap_or(port);
    let port = port_text
        .parse()
        .map_err(|_| format!("port '{}' is not a number from 0 to 65535", clip(port_text)))?;
    Ok(MediaDescription {
        kind: kind.to_string(),
        port,
        protocol: protocol.to_string(),
        formats,
        connection: None,
        direction: None,
        rtpmaps: Vec::new(),
    })
}

/// `0 PCMU/8000` or `101 telephone-event/8000` (a `/channels` suffix is allowed).
fn parse_rtpmap(value: &str) -> Result<RtpMap, String> {
    let bad = || format!("rtpmap '{}' is not 'pt encoding/rate'", clip(value));
    let (pt, rest) = value.trim().split_once(' ').ok_or_else(bad)?;
    let payload_type: u8 = pt.parse().map_err(|_| bad())?;
    if payload_type > 127 {
        return Err(bad());
    }
    let mut parts = rest.trim().split('/');
    let encoding = parts.next().filter(|e| !e.is_empty()).ok_or_else(bad)?;
    let clock_rate = parts
        .next()
        .and_then(|r| r.trim().parse().ok())
        .ok_or_else(bad)?;
    Ok(RtpMap {
        payload_type,
        encoding: encoding.to_string(),
        clock_rate,
    })
}

/// At most 60 characters of peer text, for an error message.
fn clip(text: &str) -> String {
    text.chars().take(60).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typical_phone_offer_reads_completely() {
        let sd = parse(
            "v=0\r\no=- 1 1 IN IP4 10.0.0.5\r\ns=-\r\nc=IN IP4 10.0.0.5\r\nt=0 0\r\n\
             m=audio 4000 RTP/AVP 8 0 101\r\na=rtpmap:101 telephone-event/8000\r\n\
             a=fmtp:101 0-16\r\na=sendonly\r\n",
        )
        .unwrap();
        assert_eq!(sd.connection, Some("10.0.0.5".parse().unwrap()));
        let m = &sd.media[0];
        assert!(m.is_usable_audio());
        assert_eq!(m.payload_types().collect::<Vec<_>>(), vec![8, 0, 101]);
        assert_eq!(m.telephone_event(), Some(101));
        assert_eq!(m.direction, Some(Direction::SendOnly));
    }

    #[test]
    fn broken_lines_name_their_number() {
        let err = parse("v=0\nc=IN IP4 not-an-ip\n").unwrap_err();
        assert_eq!(
            err,
            SdpError::Malformed {
                line: 2,
                reason: "connection address 'not-an-ip' is not an IP address".into()
            }
        );
        assert!(matches!(
            parse("v=0\n\nm=audio x RTP/AVP 0"),
            Err(SdpError::Malformed { line: 3, .. })
        ));
        assert!(matches!(
            parse("hello"),
            Err(SdpError::Malformed { line: 1, .. })
        ));
        assert!(matches!(
            parse("m=audio 1 RTP/AVP 0\na=rtpmap:300 X/8000"),
            Err(SdpError::Malformed { line: 2, .. })
        ));
        assert!(matches!(
            parse("c=IN IP6 10.0.0.1"),
            Err(SdpError::Malformed { line: 1, .. })
        ));
    }
}
