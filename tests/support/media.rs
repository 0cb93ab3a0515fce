//! Helpers for the media tests: a media task on a loopback port range, and test "phones" —
//! plain UDP sockets that send and receive RTP.

#![allow(dead_code, clippy::unwrap_used)] // each test file uses its own share; a failure is the test failing

use parkdesk::media::dtmf::TelephoneEvent;
use parkdesk::media::rtp::{RtpHeader, RtpPacket};
use parkdesk::media::{Codec, Media, MediaConfig, MediaEvent};
use std::net::SocketAddr;
use std::ops::RangeInclusive;
use std::time::Duration;
use tokio::net::UdpSocket;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::timeout;

/// How long a test waits for something that should come.
pub const PATIENCE: Duration = Duration::from_secs(3);

/// Media on loopback with this port range and the built-in music.
pub async fn start(ports: RangeInclusive<u16>) -> (Media, UnboundedReceiver<MediaEvent>) {
    start_with(MediaConfig::loopback(ports)).await
}

/// Media with this configuration.
pub async fn start_with(config: MediaConfig) -> (Media, UnboundedReceiver<MediaEvent>) {
    Media::start(config).await.expect("media starts")
}

/// A received RTP packet, owned.
#[derive(Clone, Debug)]
pub struct Received {
    /// Its header.
    pub header: RtpHeader,
    /// Its payload.
    pub payload: Vec<u8>,
    /// Who sent it.
    pub from: SocketAddr,
}

/// A test phone: one UDP socket on loopback.
pub struct Phone {
    /// The socket.
    pub socket: UdpSocket,
    sequence: u16,
    timestamp: u32,
    ssrc: u32,
}

impl Phone {
    /// A phone on an ephemeral loopback port.
    pub async fn new() -> Phone {
        Phone {
            socket: UdpSocket::bind("127.0.0.1:0").await.unwrap(),
            sequence: 1000,
            timestamp: 80_000,
            ssrc: 0x5EED_0001,
        }
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.socket.local_addr().unwrap()
    }

    /// The next RTP packet, or `None` if none came within `wait`.
    pub async fn try_recv(&self, wait: Duration) -> Option<Received> {
        let mut buf = [0u8; 2048];
        loop {
            let (n, from) = timeout(wait, self.socket.recv_from(&mut buf))
                .await
                .ok()?
                .ok()?;
            if let Ok(packet) = RtpPacket::parse(&buf[..n]) {
                return Some(Received {
                    header: packet.header,
                    payload: packet.payload.to_vec(),
                    from,
                });
            }
        }
    }

    /// The next RTP packet; fails the test if none comes.
    pub async fn recv(&self) -> Received {
        self.try_recv(PATIENCE)
            .await
            .expect("an RTP packet arrives")
    }

    /// The next `n` packets.
    pub async fn recv_many(&self, n: usize) -> Vec<Received> {
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(self.recv().await);
        }
        out
    }

    /// Drops what arrives until a 60 ms lull (at most 50 packets: a stream that never
    /// stops fails the test's next check instead of hanging it).
    pub async fn drain(&self) {
        for _ in 0..50 {
            if self.try_recv(Duration::from_millis(60)).await.is_none() {
                return;
            }
        }
    }

    /// Sends one audio frame (160 samples) in `codec` to `to`.
    pub async fn send_audio(&mut self, to: SocketAddr, codec: Codec, samples: &[i16]) {
        let header = self.next_header(codec.payload_type(), false);
        self.timestamp = self.timestamp.wrapping_add(samples.len() as u32);
        let bytes = header.packet(&codec.encode(samples));
        self.socket.send_to(&bytes, to).await.unwrap();
    }

    /// Sends one key press the way phones do (RFC 4733): three packets as the key is held,
    /// then the end packet three times, all with the event's timestamp.
    pub async fn press(&mut self, to: SocketAddr, pt: u8, event: u8) {
        let start = self.timestamp;
        for (i, end) in [false, false, false, true, true, true]
            .into_iter()
            .enumerate()
        {
            let mut header = self.next_header(pt, i == 0);
            header.timestamp = start;
            let payload = TelephoneEvent {
                event,
                end,
                volume: 10,
                duration: 160 * (i as u16 + 1).min(4),
            }
            .to_bytes();
            self.socket
                .send_to(&header.packet(&payload), to)
                .await
                .unwrap();
        }
        self.timestamp = self.timestamp.wrapping_add(640);
    }

    fn next_header(&mut self, payload_type: u8, marker: bool) -> RtpHeader {
        let header = RtpHeader {
            marker,
            payload_type,
            sequence: self.sequence,
            timestamp: self.timestamp,
            ssrc: self.ssrc,
        };
        self.sequence = self.sequence.wrapping_add(1);
        header
    }
}

/// `n` samples of a sine at `freq` Hz, 8 kHz, starting at sample `from`.
pub fn tone(freq: f64, from: usize, n: usize, amplitude: f64) -> Vec<i16> {
    (from..from + n)
        .map(|i| (amplitude * (std::f64::consts::TAU * freq * i as f64 / 8000.0).sin()) as i16)
        .collect()
}

/// The dominant frequency of 8 kHz samples, by counting zero crossings.
pub fn frequency(samples: &[i16]) -> f64 {
    let crossings = samples
        .windows(2)
        .filter(|w| (w[0] < 0) != (w[1] < 0))
        .count();
    crossings as f64 / 2.0 / (samples.len() as f64 / 8000.0)
}

/// Root mean square level.
pub fn rms(samples: &[i16]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    let sum: f64 = samples.iter().map(|s| f64::from(*s).powi(2)).sum();
    (sum / samples.len() as f64).sqrt()
}

/// The next event, or `None` within `wait`.
pub async fn next_event(
    events: &mut UnboundedReceiver<MediaEvent>,
    wait: Duration,
) -> Option<MediaEvent> {
    timeout(wait, events.recv()).await.ok().flatten()
}
