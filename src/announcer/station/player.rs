//! The player thread: owns the sink (an audio output may not move between threads), plays
//! one clip at a time, and tells the station when the first sample went out and when the
//! PA is free again.

use crate::announcer::error::AnnouncerError;
use crate::announcer::sink::{Clip, Sink};
use crate::sound::Audio;
use std::sync::mpsc;
use std::time::Instant;
use tokio::sync::oneshot;

/// Makes the sink, on the player thread.
pub type SinkFactory = Box<dyn FnOnce() -> Box<dyn Sink> + Send>;

struct Job {
    id: String,
    audio: Audio,
    first_sample: oneshot::Sender<Instant>,
    done: oneshot::Sender<Result<(), AnnouncerError>>,
}

/// A clip being played: first the moment its first sample went out, then the end.
pub struct Playing {
    /// Fires when the first sample is handed to the sink (dropped if it never is).
    pub first_sample: oneshot::Receiver<Instant>,
    /// Fires when the sink is done with the clip.
    pub done: oneshot::Receiver<Result<(), AnnouncerError>>,
}

/// The handle to the player thread.
#[derive(Debug, Clone)]
pub struct Player {
    jobs: mpsc::Sender<Job>,
}

/// The moment a sample is handed over. The one place the station reads the clock.
#[allow(clippy::disallowed_methods)]
pub fn now() -> Instant {
    Instant::now()
}

impl Player {
    /// Starts the thread; `make_sink` runs on it.
    pub fn start(make_sink: SinkFactory) -> std::io::Result<Player> {
        let (jobs, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("parkdesk-player".into())
            .spawn(move || {
                let mut sink = make_sink();
                tracing::info!(sink = %sink.describe(), "player ready");
                for job in rx {
                    let mut first = Some(job.first_sample);
                    let mut on_first = || {
                        if let Some(tx) = first.take() {
                            let _ = tx.send(now());
                        }
                    };
                    let clip = Clip {
                        id: &job.id,
                        audio: &job.audio,
                    };
                    let result = sink.play(clip, &mut on_first);
                    let _ = job.done.send(result);
                }
            })?;
        Ok(Player { jobs })
    }

    /// Queues `audio` on the thread. The station sends one clip at a time.
    pub fn play(&self, id: &str, audio: Audio) -> Result<Playing, AnnouncerError> {
        let (first_tx, first_sample) = oneshot::channel();
        let (done_tx, done) = oneshot::channel();
        self.jobs
            .send(Job {
                id: id.to_string(),
                audio,
                first_sample: first_tx,
                done: done_tx,
            })
            .map_err(|_| AnnouncerError::PlayerGone)?;
        Ok(Playing { first_sample, done })
    }
}
