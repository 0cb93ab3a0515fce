//! RFC 4733 telephone events: keys pressed on the phone, sent as RTP packets of their own.
//!
//! A key press is one event: several packets with the same timestamp (the event's start) and
//! a growing duration, the last three marked "end". The detector reports each event once, at
//! its first packet, and ignores the rest — and the retransmitted ends — by remembering the
//! timestamps it has reported.

use super::rtp::RtpHeader;

/// One telephone-event payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TelephoneEvent {
    /// The event code: 0–9 digits, 10 `*`, 11 `#`, 12–15 `A`–`D`, 16 flash.
    pub event: u8,
    /// Whether this packet ends the event.
    pub end: bool,
    /// Power level, in -dBm0 (0–63).
    pub volume: u8,
    /// How long the event has lasted so far, in timestamp units.
    pub duration: u16,
}

impl TelephoneEvent {
    /// Reads the 4-byte payload (`None` when shorter).
    pub fn parse(payload: &[u8]) -> Option<TelephoneEvent> {
        let bytes: [u8; 4] = payload.get(..4)?.try_into().ok()?;
        Some(TelephoneEvent {
            event: bytes[0],
            end: bytes[1] & 0x80 != 0,
            volume: bytes[1] & 0x3F,
            duration: u16::from_be_bytes([bytes[2], bytes[3]]),
        })
    }

    /// The 4-byte payload.
    pub fn to_bytes(self) -> [u8; 4] {
        let d = self.duration.to_be_bytes();
        [
            self.event,
            (u8::from(self.end) << 7) | (self.volume & 0x3F),
            d[0],
            d[1],
        ]
    }

    /// The key this event is, if it is a DTMF key (flash and the rest are not).
    pub fn digit(self) -> Option<char> {
        match self.event {
            0..=9 => char::from_digit(u32::from(self.event), 10),
            10 => Some('*'),
            11 => Some('#'),
            12..=15 => Some(char::from(b'A' + (self.event - 12))),
            _ => None,
        }
    }
}

/// How many recent events the detector remembers (a late packet of an older event must not
/// count again).
const REMEMBERED: usize = 8;

/// Reports each key press of one stream once.
#[derive(Clone, Debug, Default)]
pub struct DtmfDetector {
    seen: [Option<(u32, u32)>; REMEMBERED],
    next: usize,
}

impl DtmfDetector {
    /// Looks at one telephone-event packet; returns its key the first time its event shows.
    pub fn observe(&mut self, header: &RtpHeader, payload: &[u8]) -> Option<char> {
        let event = TelephoneEvent::parse(payload)?;
        let key = (header.ssrc, header.timestamp);
        if self.seen.contains(&Some(key)) {
            return None;
        }
        let digit = event.digit()?;
        self.seen[self.next] = Some(key);
        self.next = (self.next + 1) % REMEMBERED;
        Some(digit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(timestamp: u32) -> RtpHeader {
        RtpHeader {
            marker: false,
            payload_type: 101,
            sequence: 0,
            timestamp,
            ssrc: 1,
        }
    }

    fn event(event: u8, end: bool, duration: u16) -> [u8; 4] {
        TelephoneEvent {
            event,
            end,
            volume: 10,
            duration,
        }
        .to_bytes()
    }

    #[test]
    fn a_key_press_of_many_packets_is_reported_once() {
        let mut d = DtmfDetector::default();
        assert_eq!(d.observe(&header(800), &event(5, false, 160)), Some('5'));
        assert_eq!(d.observe(&header(800), &event(5, false, 320)), None);
        for _ in 0..3 {
            assert_eq!(d.observe(&header(800), &event(5, true, 480)), None);
        }
        assert_eq!(d.observe(&header(2400), &event(11, false, 160)), Some('#'));
        assert_eq!(d.observe(&header(4000), &event(5, false, 160)), Some('5'));
    }

    #[test]
    fn every_dtmf_code_names_its_key_and_others_are_not_keys() {
        let keys: String = (0..16)
            .map(|e| {
                TelephoneEvent::parse(&event(e, false, 0))
                    .unwrap()
                    .digit()
                    .unwrap()
            })
            .collect();
        assert_eq!(keys, "0123456789*#ABCD");
        assert_eq!(
            TelephoneEvent::parse(&event(16, false, 0)).unwrap().digit(),
            None
        );
        assert_eq!(TelephoneEvent::parse(&[1, 2]), None);
    }

    #[test]
    fn a_payload_reads_back_as_written() {
        let e = TelephoneEvent {
            event: 9,
            end: true,
            volume: 63,
            duration: 1234,
        };
        assert_eq!(TelephoneEvent::parse(&e.to_bytes()), Some(e));
    }
}
