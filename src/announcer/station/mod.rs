//! `parkdesk announcer`: the headless PA station.
//!
//! It says `hello` with an announcer token, subscribes with its zone, and plays the
//! announcements queued for that zone one at a time — higher priority first, never two at
//! once — reporting `started`, `finished` or `failed` through `announcement.report`. When
//! the connection drops it reconnects with backoff; a clip already playing finishes first,
//! so even across a reconnect nothing overlaps.
//!
//! Each start is measured: from the announcement's `queued_at` (the engine's clock, mapped
//! through `hello`'s `now`) and from the moment its event arrived, to the first sample
//! handed to the sink.

mod backoff;
mod play;
mod player;
mod queue;

pub use backoff::Backoff;
pub use player::{Player, SinkFactory};
pub use queue::{Queue, Waiting};

use super::compose::Composer;
use super::error::AnnouncerError;
use crate::client::{Client, ClientError};
use crate::protocol::Op;
use crate::protocol::op::{SessionOp, SubscribeOp};
use crate::protocol::{
    Announcement, AnnouncementState, EventFrame, HelloOk, SubscribeOk, Timestamp,
};
use play::{Anchor, Finished};
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// How a station connects.
#[derive(Debug, Clone)]
pub struct StationOptions {
    /// The engine's URL.
    pub url: String,
    /// An announcer token.
    pub token: String,
    /// The zone it plays.
    pub zone: String,
    /// The name it gives in `hello`.
    pub client_name: String,
    /// Reconnect delays.
    pub backoff: Backoff,
}

/// What the station does, for a status line or a test.
#[derive(Debug, Clone, PartialEq)]
pub enum StationNote {
    /// Subscribed: playing `zone` for `url`.
    Serving {
        /// The zone.
        zone: String,
        /// The engine.
        url: String,
    },
    /// The connection is gone (or could not be made); the next attempt is in `retry_in`.
    Disconnected {
        /// Why.
        reason: String,
        /// The delay before the next attempt.
        retry_in: Duration,
    },
    /// The first sample of an announcement went to the sink.
    Started {
        /// The announcement.
        announcement: String,
        /// From its `queued_at` (engine clock, mapped through `hello`), if known.
        since_queued: Option<Duration>,
        /// From the moment its event arrived.
        since_heard: Duration,
        /// What was left out of it.
        notes: Vec<String>,
    },
    /// Played to the end.
    Finished {
        /// The announcement.
        announcement: String,
    },
    /// Could not be played; the reason was reported.
    Failed {
        /// The announcement.
        announcement: String,
        /// Why.
        reason: String,
    },
    /// Not played: the engine no longer had it when the station was ready (dropped).
    Skipped {
        /// The announcement.
        announcement: String,
    },
}

/// The station.
pub struct Station {
    options: StationOptions,
    composer: Arc<Composer>,
    player: Player,
    notes: Option<mpsc::UnboundedSender<StationNote>>,
    queue: Queue,
    /// The announcement being played, across reconnects.
    current: Option<String>,
    finished_tx: mpsc::UnboundedSender<Finished>,
    finished_rx: mpsc::UnboundedReceiver<Finished>,
}

/// Why one connection ended.
enum Ended {
    /// Shut down on request.
    Shutdown,
    /// Lost; try again.
    Lost(String),
}

impl Station {
    /// A station composing with `composer` and playing on `player`.
    pub fn new(options: StationOptions, composer: Composer, player: Player) -> Station {
        let (finished_tx, finished_rx) = mpsc::unbounded_channel();
        Station {
            options,
            composer: Arc::new(composer),
            player,
            notes: None,
            queue: Queue::default(),
            current: None,
            finished_tx,
            finished_rx,
        }
    }

    /// Sends what the station does to `notes` too.
    pub fn with_notes(mut self, notes: mpsc::UnboundedSender<StationNote>) -> Station {
        self.notes = Some(notes);
        self
    }

    fn note(&self, note: StationNote) {
        if let Some(tx) = &self.notes {
            let _ = tx.send(note);
        }
    }

    /// Serves until `shutdown` completes, reconnecting as needed. Only a refusal that
    /// retrying cannot mend (a bad token, a token without the announcer role, another
    /// protocol) ends it with an error.
    pub async fn run(mut self, shutdown: impl Future<Output = ()>) -> Result<(), AnnouncerError> {
        tokio::pin!(shutdown);
        let mut backoff = self.options.backoff.clone();
        loop {
            let attempt = self.connect_and_serve(&mut backoff, &mut shutdown);
            let reason = match attempt.await? {
                Ended::Shutdown => return Ok(()),
                Ended::Lost(reason) => reason,
            };
            let delay = backoff.next_delay();
            tracing::warn!(%reason, retry_in_ms = delay.as_millis() as u64, "engine connection lost");
            self.note(StationNote::Disconnected {
                reason,
                retry_in: delay,
            });
            // Finishing clips still report while we wait.
            let wait = tokio::time::sleep(delay);
            tokio::pin!(wait);
            loop {
                tokio::select! {
                    _ = &mut wait => break,
                    _ = &mut shutdown => return Ok(()),
                    Some(done) = self.finished_rx.recv() => self.on_finished(done),
                }
            }
        }
    }

    async fn connect_and_serve(
        &mut self,
        backoff: &mut Backoff,
        shutdown: &mut std::pin::Pin<&mut impl Future<Output = ()>>,
    ) -> Result<Ended, AnnouncerError> {
        let (mut client, hello) = match Client::connect(
            &self.options.url,
            &self.options.token,
            &self.options.client_name,
        )
        .await
        {
            Ok(c) => c,
            Err(e) if fatal(&e) => return Err(AnnouncerError::Engine(e.to_string())),
            Err(e) => return Ok(Ended::Lost(e.to_string())),
        };
        if !hello.roles.iter().any(|r| r == "announcer") {
            return Err(AnnouncerError::Engine(format!(
                "the token's user '{}' does not have the announcer role",
                hello.user
            )));
        }
        let anchor = Anchor::new(hello.now, player::now());
        // Live events only, for this station's zone (a station keeps no history to resume).
        let subscribe = SubscribeOp {
            zone: Some(self.options.zone.clone()),
            ..SubscribeOp::default()
        };
        let subscribed = client
            .op(Op::Session(SessionOp::Subscribe(subscribe)))
            .await;
        let subscribed = match subscribed {
            Ok(ok) => ok,
            Err(e) if fatal(&e) => return Err(AnnouncerError::Engine(e.to_string())),
            Err(e) => return Ok(Ended::Lost(e.to_string())),
        };
        backoff.reset();
        self.queue.clear();
        if let Ok(SubscribeOk {
            snapshot: Some(snapshot),
            ..
        }) = serde_json::from_value::<SubscribeOk>(subscribed)
        {
            let heard = player::now();
            for a in snapshot.announcements {
                self.offer(a, heard);
            }
        }
        tracing::info!(zone = %self.options.zone, url = %self.options.url, hello = ?HelloSummary(&hello), "serving");
        self.note(StationNote::Serving {
            zone: self.options.zone.clone(),
            url: self.options.url.clone(),
        });
        let ended = loop {
            self.start_next(&client, &anchor);
            tokio::select! {
                event = client.next_event() => match event {
                    Ok(frame) => self.on_event(frame),
                    Err(e) => break Ended::Lost(e.to_string()),
                },
                Some(done) = self.finished_rx.recv() => self.on_finished(done),
                _ = &mut *shutdown => {
                    client.close();
                    break Ended::Shutdown;
                }
            }
        };
        Ok(ended)
    }

    /// An announcement the engine says is queued: ours if it is for our zone.
    fn offer(&mut self, a: Announcement, heard_at: Instant) {
        let ours = a.zone == self.options.zone && a.state == AnnouncementState::Queued;
        if ours && self.current.as_deref() != Some(a.announcement.as_str()) {
            self.queue.offer(a, heard_at);
        }
    }

    fn on_event(&mut self, frame: EventFrame) {
        let heard = player::now();
        if !frame.event.starts_with("announcement.") {
            return;
        }
        let Ok(a) = serde_json::from_value::<Announcement>(frame.data) else {
            tracing::warn!(event = %frame.event, "unreadable announcement event");
            return;
        };
        match frame.event.as_str() {
            "announcement.queued" => self.offer(a, heard),
            "announcement.dropped" | "announcement.failed" | "announcement.finished"
                if self.queue.remove(&a.announcement) =>
            {
                tracing::info!(announcement = %a.announcement, event = %frame.event, "no longer waiting");
            }
            _ => {}
        }
    }

    fn on_finished(&mut self, done: Finished) {
        if self.current.as_deref() == Some(done.announcement.as_str()) {
            self.current = None;
        }
        self.note(done.note);
    }

    /// Starts the next announcement if the PA is free.
    fn start_next(&mut self, client: &Client, anchor: &Anchor) {
        if self.current.is_some() {
            return;
        }
        let Some(next) = self.queue.take_next() else {
            return;
        };
        self.current = Some(next.announcement.announcement.clone());
        let job = play::Job {
            handle: client.handle(),
            composer: Arc::clone(&self.composer),
            player: self.player.clone(),
            waiting: next,
            anchor: anchor.clone(),
            notes: self.notes.clone(),
            finished: self.finished_tx.clone(),
        };
        tokio::spawn(job.run());
    }
}

/// Whether retrying cannot help.
fn fatal(e: &ClientError) -> bool {
    use crate::protocol::ErrorCode;
    match e {
        ClientError::Unauthenticated { .. } | ClientError::UnsupportedProtocol { .. } => true,
        ClientError::Refused { code, .. } => {
            matches!(code, ErrorCode::Forbidden | ErrorCode::Unauthenticated)
        }
        _ => false,
    }
}

/// `hello`'s engine and epoch, for the log.
struct HelloSummary<'a>(&'a HelloOk);

impl std::fmt::Debug for HelloSummary<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} epoch {}", self.0.engine, self.0.epoch)
    }
}

/// How long after `earlier` `later` is (zero if it is not later).
pub fn elapsed(earlier: Timestamp, later: Timestamp) -> Duration {
    let nanos = (later.0 - earlier.0).whole_nanoseconds();
    u64::try_from(nanos)
        .map(Duration::from_nanos)
        .unwrap_or(Duration::ZERO)
}
