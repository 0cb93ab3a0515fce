//! The media task: one owner for every stream, one shared 20 ms tick.
//!
//! Commands from [`Media`] handles, packets from the per-socket receivers and the tick all
//! arrive here, so no stream state is shared or locked. The tick sends each music or prompt
//! stream its frame; received packets are latched, watched for silence and key presses, and
//! relayed to the bridged leg. The tick only runs while a stream is open.
//!
//! [`Media`]: super::Media

use super::clock::MediaClock;
use super::error::MediaError;
use super::leg::{Leg, Mode};
use super::music::Music;
use super::outgoing::Outgoing;
use super::pacer::Pacer;
use super::ports::PortPool;
use super::prompt::Prompt;
use super::receive::{Inbound, spawn_receiver};
use super::relay::{Negotiation, relay_packet};
use super::resume::{Resume, RtpState, StreamState};
use super::rtp::RtpPacket;
use super::stream::{MediaEvent, Stream, StreamId};
use super::{Codec, MediaConfig};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Sleep;

/// How many received packets may wait for the task before receivers drop new ones.
const INBOUND_QUEUE: usize = 8192;
/// How many received packets the task takes in one go before looking at the tick again.
const INBOUND_BATCH: usize = 64;

/// What a [`Media`](super::Media) handle asks of the task.
#[derive(Debug)]
pub enum Command {
    /// Bind a fresh port.
    Open(oneshot::Sender<Result<Stream, MediaError>>),
    /// Bind a given port again and resume a stream on it.
    Adopt(Resume, oneshot::Sender<Result<Stream, MediaError>>),
    /// Report every stream as it stands.
    States(oneshot::Sender<Vec<(StreamId, StreamState)>>),
    /// Apply what SDP negotiated.
    Configure {
        /// The stream.
        id: StreamId,
        /// Where to send (None: send nothing).
        remote: Option<SocketAddr>,
        /// The codec.
        codec: Codec,
        /// The telephone-event payload type.
        dtmf_pt: Option<u8>,
    },
    /// Play music on hold.
    Music(StreamId),
    /// Play a prompt.
    Play {
        /// The stream.
        id: StreamId,
        /// 8 kHz samples.
        audio: Arc<[i16]>,
        /// Whether music follows.
        then_music: bool,
    },
    /// Relay two streams both ways.
    Bridge(StreamId, StreamId),
    /// Send nothing.
    Silence(StreamId),
    /// Stop and free the port.
    Close(StreamId),
}

/// The task's state.
pub struct MediaTask {
    bind: IpAddr,
    advertise: IpAddr,
    silence_timeout: std::time::Duration,
    clock: MediaClock,
    pacer: Pacer,
    tick: Pin<Box<Sleep>>,
    music: Music,
    ports: PortPool,
    legs: HashMap<StreamId, Leg>,
    next_id: u64,
    rng: ChaCha8Rng,
    commands: mpsc::UnboundedReceiver<Command>,
    inbound_rx: mpsc::Receiver<Inbound>,
    inbound_tx: mpsc::Sender<Inbound>,
    freed_rx: mpsc::UnboundedReceiver<u16>,
    freed_tx: mpsc::UnboundedSender<u16>,
    events: mpsc::UnboundedSender<MediaEvent>,
    active: Arc<AtomicUsize>,
    waiting_opens: VecDeque<oneshot::Sender<Result<Stream, MediaError>>>,
    scratch: Vec<u8>,
}

impl MediaTask {
    /// A task for `config` playing `music`, fed by `commands`, telling `events`, counting open
    /// streams in `active`.
    pub fn new(
        config: &MediaConfig,
        music: Music,
        commands: mpsc::UnboundedReceiver<Command>,
        events: mpsc::UnboundedSender<MediaEvent>,
        active: Arc<AtomicUsize>,
    ) -> MediaTask {
        let clock = MediaClock::start();
        let (inbound_tx, inbound_rx) = mpsc::channel(INBOUND_QUEUE);
        let (freed_tx, freed_rx) = mpsc::unbounded_channel();
        MediaTask {
            bind: config.bind,
            advertise: config.advertise,
            silence_timeout: config.silence_timeout,
            clock,
            pacer: Pacer::new(clock.now()),
            tick: Box::pin(tokio::time::sleep_until(clock.instant(clock.now()))),
            music,
            ports: PortPool::new(config.ports.clone()),
            legs: HashMap::new(),
            next_id: 1,
            rng: seeded_rng(),
            commands,
            inbound_rx,
            inbound_tx,
            freed_rx,
            freed_tx,
            events,
            active,
            waiting_opens: VecDeque::new(),
            scratch: Vec::with_capacity(1500),
        }
    }

    /// Runs until every [`Media`](super::Media) handle is dropped; then closes every stream.
    pub async fn run(mut self) {
        loop {
            let ticking = !self.legs.is_empty();
            tokio::select! {
                biased;
                () = &mut self.tick, if ticking => self.on_tick(),
                command = self.commands.recv() => match command {
                    Some(command) => self.on_command(command),
                    None => break,
                },
                Some(port) = self.freed_rx.recv() => self.on_freed(port),
                Some(inbound) = self.inbound_rx.recv() => {
                    self.on_inbound(inbound);
                    for _ in 1..INBOUND_BATCH {
                        match self.inbound_rx.try_recv() {
                            Ok(inbound) => self.on_inbound(inbound),
                            Err(_) => break,
                        }
                    }
                }
            }
        }
        tracing::debug!(streams = self.legs.len(), "media task stopping");
        self.legs.clear();
        self.active.store(0, Ordering::Relaxed);
    }

    fn on_tick(&mut self) {
        let now = self.clock.now();
        let due = self.pacer.due(now);
        if due.skipped > 0 {
            tracing::debug!(
                skipped = due.skipped,
                "media tick fell behind: frames skipped"
            );
        }
        for (id, leg) in &mut self.legs {
            if leg.play_frames(due, &self.pacer, &self.music) {
                let _ = self.events.send(MediaEvent::Played(*id));
            }
            if leg.fell_silent(now, self.silence_timeout) {
                tracing::debug!(%id, "no RTP for the silence timeout");
                let _ = self.events.send(MediaEvent::Silent(*id));
            }
        }
        let next = self.clock.instant(self.pacer.next_deadline());
        self.tick.as_mut().reset(next);
    }

    fn on_command(&mut self, command: Command) {
        match command {
            Command::Open(reply) => self.open(reply),
            Command::Adopt(resume, reply) => {
                let _ = reply.send(self.adopt(resume));
            }
            Command::States(reply) => {
                let states = self
                    .legs
                    .iter()
                    .map(|(id, leg)| (*id, leg.state()))
                    .collect();
                let _ = reply.send(states);
            }
            Command::Configure {
                id,
                remote,
                codec,
                dtmf_pt,
            } => {
                let now = self.clock.now();
                if let Some(leg) = self.leg(id, "configure") {
                    leg.configure(remote, Negotiation { codec, dtmf_pt }, now);
                }
            }
            Command::Music(id) => self.set_mode(id, Mode::Music { position: 0 }, "music"),
            Command::Play {
                id,
                audio,
                then_music,
            } => {
                let mode = Mode::Prompt {
                    prompt: Prompt::new(audio),
                    then_music,
                };
                self.set_mode(id, mode, "play");
            }
            Command::Bridge(a, b) => self.bridge(a, b),
            Command::Silence(id) => self.set_mode(id, Mode::Idle, "silence"),
            Command::Close(id) => self.close(id),
        }
    }

    fn leg(&mut self, id: StreamId, what: &str) -> Option<&mut Leg> {
        let leg = self.legs.get_mut(&id);
        if leg.is_none() {
            tracing::warn!(%id, "media {what}: no such stream (closed?)");
        }
        leg
    }

    fn open(&mut self, reply: oneshot::Sender<Result<Stream, MediaError>>) {
        match self.bind_port() {
            Ok(Some(stream)) => self.reply_open(reply, stream),
            // every port is taken but some are closing: answer when one is free
            Ok(None) if self.ports.any_closing() => self.waiting_opens.push_back(reply),
            Ok(None) => {
                let _ = reply.send(Err(self.exhausted()));
            }
            Err(e) => {
                let _ = reply.send(Err(e));
            }
        }
    }

    /// Hands `stream` to whoever asked; if they stopped waiting, closes it again.
    fn reply_open(&mut self, reply: oneshot::Sender<Result<Stream, MediaError>>, stream: Stream) {
        if reply.send(Ok(stream)).is_err() {
            self.close(stream.id);
        }
    }

    fn exhausted(&self) -> MediaError {
        let range = self.ports.range();
        let (start, end) = (*range.start(), *range.end());
        if self.ports.capacity() == 0 {
            MediaError::NoEvenPort { start, end }
        } else {
            MediaError::PortsExhausted { start, end }
        }
    }

    /// Binds the first free port that the system lets us have. `Ok(None)`: none.
    fn bind_port(&mut self) -> Result<Option<Stream>, MediaError> {
        for port in self.ports.candidates() {
            let rtp = RtpState {
                ssrc: self.rng.next_u32(),
                sequence: self.rng.next_u32() as u16,
                timestamp: self.rng.next_u32(),
            };
            match self.start_stream(port, rtp, None) {
                Ok(stream) => return Ok(Some(stream)),
                // another program holds it: try the next
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                    tracing::debug!(port, "RTP port in use elsewhere");
                }
                Err(source) => {
                    let addr = SocketAddr::new(self.bind, port);
                    return Err(MediaError::Bind { addr, source });
                }
            }
        }
        Ok(None)
    }

    /// Binds `resume.port` (which a restart left behind) and goes on with its numbering.
    fn adopt(&mut self, resume: Resume) -> Result<Stream, MediaError> {
        let addr = SocketAddr::new(self.bind, resume.port);
        if !self.ports.is_free(resume.port) {
            return Err(MediaError::Bind {
                addr,
                source: std::io::ErrorKind::AddrInUse.into(),
            });
        }
        self.start_stream(resume.port, resume.rtp, resume.music)
            .map_err(|source| MediaError::Bind { addr, source })
    }

    /// Binds `port` and starts a stream on it numbered from `rtp`, playing music from frame
    /// `music` of the loop if given.
    fn start_stream(
        &mut self,
        port: u16,
        rtp: RtpState,
        music: Option<usize>,
    ) -> std::io::Result<Stream> {
        let socket = bind(SocketAddr::new(self.bind, port))?;
        self.ports.take(port);
        let id = StreamId(self.next_id);
        self.next_id += 1;
        let socket = Arc::new(socket);
        let (stop_tx, stop_rx) = oneshot::channel();
        spawn_receiver(
            id,
            port,
            Arc::clone(&socket),
            stop_rx,
            self.inbound_tx.clone(),
            self.freed_tx.clone(),
        );
        let out = Outgoing::new(rtp.ssrc, rtp.sequence, rtp.timestamp);
        let now = self.clock.now();
        if self.legs.is_empty() {
            // the tick was asleep: frame 0 is now
            self.pacer = Pacer::new(now);
            self.tick.as_mut().reset(self.clock.instant(now));
        }
        let mut leg = Leg::new(port, socket, stop_tx, out, now);
        if let Some(position) = music {
            leg.mode = Mode::Music {
                position: position % self.music.frames().max(1),
            };
        }
        self.legs.insert(id, leg);
        self.active.store(self.legs.len(), Ordering::Relaxed);
        tracing::debug!(%id, port, "stream opened");
        Ok(Stream {
            id,
            local: SocketAddr::new(self.advertise, port),
            rtp,
        })
    }

    fn on_freed(&mut self, port: u16) {
        self.ports.release(port);
        while let Some(reply) = self.waiting_opens.pop_front() {
            if reply.is_closed() {
                continue;
            }
            match self.bind_port() {
                Ok(Some(stream)) => self.reply_open(reply, stream),
                Ok(None) => {
                    self.waiting_opens.push_front(reply);
                    break;
                }
                Err(e) => {
                    let _ = reply.send(Err(e));
                }
            }
        }
        if !self.ports.any_closing() {
            // nothing more will come free: the rest wait in vain
            while let Some(reply) = self.waiting_opens.pop_front() {
                let _ = reply.send(Err(self.exhausted()));
            }
        }
    }

    fn close(&mut self, id: StreamId) {
        self.unbridge(id);
        let Some(mut leg) = self.legs.remove(&id) else {
            tracing::debug!(%id, "close: no such stream");
            return;
        };
        leg.stop();
        self.ports.closing(leg.port);
        self.active.store(self.legs.len(), Ordering::Relaxed);
        tracing::debug!(%id, port = leg.port, "stream closed");
    }

    /// Puts `id` in `mode`, unbridging it first.
    fn set_mode(&mut self, id: StreamId, mode: Mode, what: &str) {
        if !self.legs.contains_key(&id) {
            tracing::warn!(%id, "media {what}: no such stream (closed?)");
            return;
        }
        self.unbridge(id);
        if let Some(leg) = self.legs.get_mut(&id) {
            leg.mode = mode;
        }
    }

    /// Ends `id`'s bridge, if it has one: both legs fall silent.
    fn unbridge(&mut self, id: StreamId) {
        let Some(Mode::Bridged(peer)) = self.legs.get(&id).map(|l| l.mode.clone()) else {
            return;
        };
        if let Some(leg) = self.legs.get_mut(&id) {
            leg.mode = Mode::Idle;
        }
        if let Some(other) = self.legs.get_mut(&peer)
            && matches!(other.mode, Mode::Bridged(p) if p == id)
        {
            other.mode = Mode::Idle;
        }
    }

    fn bridge(&mut self, a: StreamId, b: StreamId) {
        if a == b {
            tracing::warn!(%a, "bridge: a stream cannot be bridged to itself");
            return;
        }
        if !self.legs.contains_key(&a) || !self.legs.contains_key(&b) {
            tracing::warn!(%a, %b, "bridge: no such stream (closed?)");
            return;
        }
        self.unbridge(a);
        self.unbridge(b);
        for (id, peer) in [(a, b), (b, a)] {
            if let Some(leg) = self.legs.get_mut(&id) {
                leg.mode = Mode::Bridged(peer);
                leg.out.reset_relay();
            }
        }
    }

    fn on_inbound(&mut self, inbound: Inbound) {
        let Ok(packet) = RtpPacket::parse(&inbound.bytes) else {
            return;
        };
        let now = self.clock.now();
        let Some(leg) = self.legs.get_mut(&inbound.id) else {
            return;
        };
        let Some(heard) = leg.hear(now, inbound.from, &packet) else {
            return;
        };
        if let Some(digit) = heard.dtmf {
            tracing::debug!(id = %inbound.id, %digit, "DTMF");
            let _ = self.events.send(MediaEvent::Dtmf {
                stream: inbound.id,
                digit,
            });
        }
        let (Mode::Bridged(peer), Some(from)) = (&leg.mode, leg.negotiation()) else {
            return;
        };
        let peer = *peer;
        let Some(other) = self.legs.get_mut(&peer) else {
            return;
        };
        let Some(to) = other.negotiation() else {
            return;
        };
        if other.target().is_none() {
            return;
        }
        if relay_packet(&packet, from, to, &mut other.out, now, &mut self.scratch) {
            other.send(&self.scratch);
        }
    }
}

/// A non-blocking UDP socket on `addr`, registered with the runtime.
fn bind(addr: SocketAddr) -> std::io::Result<tokio::net::UdpSocket> {
    let socket = std::net::UdpSocket::bind(addr)?;
    socket.set_nonblocking(true)?;
    tokio::net::UdpSocket::from_std(socket)
}

/// SSRCs and initial numbering are random (RFC 3550), seeded from the process's generator.
fn seeded_rng() -> ChaCha8Rng {
    ChaCha8Rng::from_seed(crate::runtime::entropy::bytes())
}
