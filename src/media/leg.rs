//! One stream's state inside the media task: its socket, what SDP said, what it is playing,
//! its RTP numbering, its latch and its silence watch.

use super::codec::{Codec, FRAME_SAMPLES};
use super::dtmf::DtmfDetector;
use super::music::Music;
use super::outgoing::Outgoing;
use super::pacer::{Due, Pacer};
use super::prompt::Prompt;
use super::relay::Negotiation;
use super::rtp::{HEADER_LEN, RtpPacket};
use super::stream::StreamId;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::UdpSocket;
use tokio::sync::oneshot;

/// What a leg sends.
#[derive(Clone, Debug)]
pub enum Mode {
    /// Nothing.
    Idle,
    /// The music loop, from its own place in it.
    Music {
        /// The next frame of the loop.
        position: usize,
    },
    /// A prompt, then music or nothing.
    Prompt {
        /// The prompt and how far it has played.
        prompt: Prompt,
        /// Whether music follows.
        then_music: bool,
    },
    /// Whatever the other leg sends, through the relay.
    Bridged(StreamId),
}

/// What one received packet meant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Heard {
    /// A key press it started.
    pub dtmf: Option<char>,
}

/// One stream.
#[derive(Debug)]
pub struct Leg {
    /// The UDP port it holds.
    pub port: u16,
    socket: Arc<UdpSocket>,
    stop: Option<oneshot::Sender<()>>,
    remote: Option<SocketAddr>,
    latched: Option<SocketAddr>,
    negotiation: Option<Negotiation>,
    /// What it sends.
    pub mode: Mode,
    /// Its RTP numbering.
    pub out: Outgoing,
    dtmf: DtmfDetector,
    last_heard: Duration,
    silent_reported: bool,
    send_errors: u64,
}

impl Leg {
    /// A leg on `socket` (bound to `port`) whose receiver stops when `stop` is sent or
    /// dropped.
    pub fn new(
        port: u16,
        socket: Arc<UdpSocket>,
        stop: oneshot::Sender<()>,
        out: Outgoing,
        now: Duration,
    ) -> Leg {
        Leg {
            port,
            socket,
            stop: Some(stop),
            remote: None,
            latched: None,
            negotiation: None,
            mode: Mode::Idle,
            out,
            dtmf: DtmfDetector::default(),
            last_heard: now,
            silent_reported: false,
            send_errors: 0,
        }
    }

    /// Where it stands: its port, the numbering of its next packet, its place in the music.
    pub fn state(&self) -> super::resume::StreamState {
        super::resume::StreamState {
            port: self.port,
            rtp: self.out.state(),
            music: match self.mode {
                Mode::Music { position } => Some(position),
                _ => None,
            },
        }
    }

    /// What SDP negotiated. A new remote drops the latch; the silence watch restarts.
    pub fn configure(
        &mut self,
        remote: Option<SocketAddr>,
        negotiation: Negotiation,
        now: Duration,
    ) {
        if remote != self.remote {
            self.latched = None;
        }
        self.remote = remote;
        self.negotiation = Some(negotiation);
        self.last_heard = now;
        self.silent_reported = false;
    }

    /// What it negotiated, once configured.
    pub fn negotiation(&self) -> Option<Negotiation> {
        self.negotiation
    }

    /// Where its packets go: nowhere while there is no remote (on hold, not configured), else
    /// the latched source or the SDP address.
    pub fn target(&self) -> Option<SocketAddr> {
        self.remote.map(|remote| self.latched.unwrap_or(remote))
    }

    /// Sends one packet to the target, if there is one. A full socket buffer drops the packet
    /// (late audio is worthless); errors are counted and logged, never fatal.
    pub fn send(&mut self, packet: &[u8]) {
        let Some(target) = self.target() else {
            return;
        };
        if let Err(e) = self.socket.try_send_to(packet, target) {
            self.send_errors += 1;
            if self.send_errors == 1 || self.send_errors.is_power_of_two() {
                tracing::debug!(port = self.port, %target, errors = self.send_errors, "RTP send failed: {e}");
            }
        }
    }

    /// Sends what the frames owed by this tick hold for it (music, a prompt). Returns whether
    /// a prompt ended.
    pub fn play_frames(&mut self, due: Due, pacer: &Pacer, music: &Music) -> bool {
        let codec = self.negotiation.map_or(Codec::Pcmu, |n| n.codec);
        let mut ended = self.skip_frames(due.skipped);
        let mut packet = [0u8; HEADER_LEN + FRAME_SAMPLES];
        for k in 0..due.send {
            let at = pacer.frame_time(due.first + k);
            let (head, body) = packet.split_at_mut(HEADER_LEN);
            let Ok(body) = <&mut [u8; FRAME_SAMPLES]>::try_from(body) else {
                return ended;
            };
            match &mut self.mode {
                Mode::Music { position } => {
                    body.copy_from_slice(music.frame(codec, *position));
                    *position += 1;
                }
                Mode::Prompt { prompt, then_music } => {
                    if !prompt.next_frame(codec, body) {
                        ended = true;
                        if !*then_music {
                            self.mode = Mode::Idle;
                            continue;
                        }
                        self.mode = Mode::Music { position: 1 };
                        body.copy_from_slice(music.frame(codec, 0));
                    }
                }
                Mode::Idle | Mode::Bridged(_) => return ended,
            }
            if self.target().is_none() {
                continue;
            }
            let header = self
                .out
                .frame(at, codec.payload_type(), FRAME_SAMPLES as u32);
            let Ok(head) = <&mut [u8; HEADER_LEN]>::try_from(head) else {
                return ended;
            };
            header.write(head);
            self.send(&packet);
        }
        ended
    }

    /// Lets `frames` frames pass unsent. Returns whether a prompt ended in them.
    fn skip_frames(&mut self, frames: u64) -> bool {
        if frames == 0 {
            return false;
        }
        let samples = u32::try_from(frames * FRAME_SAMPLES as u64).unwrap_or(u32::MAX);
        match &mut self.mode {
            Mode::Music { position } => {
                *position = position.wrapping_add(usize::try_from(frames).unwrap_or(usize::MAX));
            }
            Mode::Prompt { prompt, then_music } => {
                for _ in 0..frames {
                    prompt.skip_frame();
                    if prompt.finished() {
                        break;
                    }
                }
                if prompt.finished() {
                    self.mode = if *then_music {
                        Mode::Music { position: 0 }
                    } else {
                        Mode::Idle
                    };
                    self.out.skip(samples);
                    return true;
                }
            }
            Mode::Idle | Mode::Bridged(_) => return false,
        }
        self.out.skip(samples);
        false
    }

    /// Takes in one received packet from `from`. `None` when it is not for this leg: the leg
    /// is not configured yet, or it latched to someone else. The first audio or event packet
    /// while a remote is set latches the leg to its source (symmetric RTP).
    pub fn hear(
        &mut self,
        at: Duration,
        from: SocketAddr,
        packet: &RtpPacket<'_>,
    ) -> Option<Heard> {
        let negotiation = self.negotiation?;
        let pt = packet.header.payload_type;
        match self.latched {
            Some(latched) if latched != from => return None,
            Some(_) => {}
            None if self.remote.is_some() => {
                if Codec::from_payload_type(pt).is_none() && negotiation.dtmf_pt != Some(pt) {
                    return None;
                }
                self.latched = Some(from);
                if self.remote != Some(from) {
                    tracing::debug!(port = self.port, %from, remote = ?self.remote, "latched to the RTP source");
                }
            }
            None => {}
        }
        self.last_heard = at;
        self.silent_reported = false;
        let dtmf = if negotiation.dtmf_pt == Some(pt) {
            self.dtmf.observe(&packet.header, packet.payload)
        } else {
            None
        };
        Some(Heard { dtmf })
    }

    /// Whether the leg has just fallen silent: a remote is set, nothing was heard for
    /// `timeout`, and that was not said yet.
    pub fn fell_silent(&mut self, now: Duration, timeout: Duration) -> bool {
        if timeout.is_zero() || self.remote.is_none() || self.silent_reported {
            return false;
        }
        if now.saturating_sub(self.last_heard) >= timeout {
            self.silent_reported = true;
            return true;
        }
        false
    }

    /// Stops its receiver; the port is free once the receiver has dropped its socket.
    pub fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Drop for Leg {
    fn drop(&mut self) {
        self.stop();
    }
}
