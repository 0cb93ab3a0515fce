//! [`Media`]: the cheap handle the SIP side holds. Every method hands a command to the media
//! task and returns at once; only [`Media::open`] waits, for its port.

use super::Codec;
use super::config::MediaConfig;
use super::error::MediaError;
use super::music::Music;
use super::sdp::Negotiated;
use super::stream::{MediaEvent, Stream, StreamId};
use super::task::{Command, MediaTask};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::{mpsc, oneshot};

/// The name of the media thread.
pub const THREAD_NAME: &str = "parkdesk-media";

/// A handle on the media task. Clones share the task; it stops when the last is dropped.
#[derive(Clone, Debug)]
pub struct Media {
    commands: mpsc::UnboundedSender<Command>,
    active: Arc<AtomicUsize>,
}

impl Media {
    /// Starts the media task and its one shared 20 ms tick; loads and encodes the music once
    /// (off the runtime's threads: a WAV file is read from disk).
    ///
    /// The task runs on a thread of its own (`parkdesk-media`, a single-threaded runtime):
    /// its sockets' readiness, its tick and its sends all happen there, so the media clock is
    /// not delayed by the rest of the server, and the thousands of socket events a second
    /// never wake the server's threads.
    pub async fn start(
        config: MediaConfig,
    ) -> Result<(Media, mpsc::UnboundedReceiver<MediaEvent>), MediaError> {
        // SSRCs and session ids are drawn later, where a failure could not be reported.
        crate::runtime::entropy::init()?;
        let (start, end) = (*config.ports.start(), *config.ports.end());
        if !config.ports.clone().any(|p| p % 2 == 0) {
            return Err(MediaError::NoEvenPort { start, end });
        }
        let path = config.music.clone();
        let music = tokio::task::spawn_blocking(move || Music::load(path.as_deref()))
            .await
            .map_err(|_| MediaError::Stopped)??;
        let (commands, commands_rx) = mpsc::unbounded_channel();
        let (events_tx, events) = mpsc::unbounded_channel();
        let active = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&active);
        let (ready_tx, ready_rx) = oneshot::channel();
        let settings = config.clone();
        std::thread::Builder::new()
            .name(THREAD_NAME.into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(e) => {
                        let _ = ready_tx.send(Err(MediaError::Thread(e)));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let task = MediaTask::new(&settings, music, commands_rx, events_tx, counter);
                    let _ = ready_tx.send(Ok(()));
                    task.run().await;
                });
            })
            .map_err(MediaError::Thread)?;
        ready_rx.await.map_err(|_| MediaError::Stopped)??;
        tracing::info!(bind = %config.bind, advertise = %config.advertise, ports = ?config.ports, "media started");
        Ok((Media { commands, active }, events))
    }

    /// Binds a fresh RTP port from the range; `local` is the advertised address and port, for
    /// SDP.
    pub async fn open(&self) -> Result<Stream, MediaError> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Open(reply));
        answer.await.map_err(|_| MediaError::Stopped)?
    }

    /// Binds exactly `resume.port` again and goes on with `resume`'s numbering and music: a
    /// stream a planned restart or a crash left behind. Fails when the port is taken.
    pub async fn adopt(&self, resume: super::Resume) -> Result<Stream, MediaError> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Adopt(resume, reply));
        answer.await.map_err(|_| MediaError::Stopped)?
    }

    /// Every open stream as it stands now (port, numbering, music position): what a planned
    /// restart writes down so the next process goes on exactly.
    pub async fn states(&self) -> Vec<(StreamId, super::StreamState)> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::States(reply));
        answer.await.unwrap_or_default()
    }

    /// Applies what SDP negotiated: where to send (`None`: on hold or inactive, send
    /// nothing), the codec, the telephone-event payload type. A new remote drops the latch;
    /// the silence watch starts again.
    pub fn configure(
        &self,
        id: StreamId,
        remote: Option<SocketAddr>,
        codec: Codec,
        dtmf_pt: Option<u8>,
    ) {
        self.send(Command::Configure {
            id,
            remote,
            codec,
            dtmf_pt,
        });
    }

    /// [`Media::configure`] with what an offer/answer settled.
    pub fn apply(&self, id: StreamId, negotiated: &Negotiated) {
        self.configure(id, negotiated.remote, negotiated.codec, negotiated.dtmf_pt);
    }

    /// Streams music on hold to `id` from the start of the loop (unbridging it if bridged).
    pub fn music(&self, id: StreamId) {
        self.send(Command::Music(id));
    }

    /// Plays an 8 kHz prompt to `id` (unbridging it if bridged); [`MediaEvent::Played`] when
    /// it ends, then music if `then_music`, else nothing. A prompt cut short by another
    /// command is not reported.
    pub fn play(&self, id: StreamId, audio: Arc<[i16]>, then_music: bool) {
        self.send(Command::Play {
            id,
            audio,
            then_music,
        });
    }

    /// Relays `a` and `b` to each other, transcoding when their codecs differ and rewriting
    /// telephone events to each side's payload type. Either's previous bridge ends (its
    /// former peer falls silent).
    pub fn bridge(&self, a: StreamId, b: StreamId) {
        self.send(Command::Bridge(a, b));
    }

    /// Stops sending anything to `id`. If it was bridged, the bridge ends and its peer falls
    /// silent too.
    pub fn silence(&self, id: StreamId) {
        self.send(Command::Silence(id));
    }

    /// Stops `id` and frees its port.
    pub fn close(&self, id: StreamId) {
        self.send(Command::Close(id));
    }

    /// How many streams are open.
    pub fn active_streams(&self) -> usize {
        self.active.load(Ordering::Relaxed)
    }

    fn send(&self, command: Command) {
        if self.commands.send(command).is_err() {
            tracing::warn!("media task has stopped; command dropped");
        }
    }
}
