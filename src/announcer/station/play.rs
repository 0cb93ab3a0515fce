//! Playing one announcement: compose, claim it with `started`, play, report the end.

use super::player::Player;
use super::queue::Waiting;
use super::{StationNote, elapsed};
use crate::announcer::compose::{Composer, Request, Say};
use crate::client::{ClientError, ClientHandle};
use crate::protocol::Op;
use crate::protocol::op::DeskOp;
use crate::protocol::op::desk::{ReportArgs, ReportState};
use crate::protocol::{Announcement, ErrorCode, Timestamp};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Maps the station's monotonic clock onto the engine's UTC clock: the engine's `now` in
/// `hello`, and the local instant its reply arrived.
#[derive(Debug, Clone)]
pub(super) struct Anchor {
    engine_now: Timestamp,
    local: Instant,
}

impl Anchor {
    pub(super) fn new(engine_now: Timestamp, local: Instant) -> Anchor {
        Anchor { engine_now, local }
    }

    /// The engine's time at local instant `at`.
    fn engine_time(&self, at: Instant) -> Timestamp {
        let since = at.saturating_duration_since(self.local);
        let since = time::Duration::try_from(since).unwrap_or(time::Duration::ZERO);
        Timestamp(self.engine_now.0 + since)
    }
}

/// The end of one announcement, back to the station.
pub(super) struct Finished {
    pub(super) announcement: String,
    pub(super) note: StationNote,
}

/// Everything one announcement needs.
pub(super) struct Job {
    pub(super) handle: ClientHandle,
    pub(super) composer: Arc<Composer>,
    pub(super) player: Player,
    pub(super) waiting: Waiting,
    pub(super) anchor: Anchor,
    pub(super) notes: Option<mpsc::UnboundedSender<StationNote>>,
    pub(super) finished: mpsc::UnboundedSender<Finished>,
}

/// What to compose for an announcement: its code with the template, or its text.
pub fn request_for(a: &Announcement) -> Request {
    let say = match &a.code {
        Some(code) => Say::Park {
            code: code.clone(),
            name: a.for_note.clone(),
        },
        None => Say::Text(a.text.clone()),
    };
    Request {
        say,
        repeat: a.repeat,
    }
}

impl Job {
    pub(super) async fn run(self) {
        let id = self.waiting.announcement.announcement.clone();
        let note = self.play(&id).await;
        let _ = self.finished.send(Finished {
            announcement: id,
            note,
        });
    }

    async fn play(&self, id: &str) -> StationNote {
        let request = request_for(&self.waiting.announcement);
        let composer = Arc::clone(&self.composer);
        let rendered = tokio::task::spawn_blocking(move || composer.render(&request)).await;
        let rendered = match rendered {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => return self.fail(id, e.to_string()).await,
            Err(e) => return self.fail(id, format!("composing failed: {e}")).await,
        };
        let reason = (!rendered.notes.is_empty()).then(|| rendered.notes.join("; "));
        // Claim it: once `started` is accepted the engine no longer drops it; a refusal
        // means it was dropped (its call retrieved) while we composed.
        match self
            .report(id, ReportState::Started, reason.as_deref())
            .await
        {
            Ok(()) => {}
            Err(ClientError::Refused {
                code: ErrorCode::NotFound,
                ..
            }) => {
                tracing::info!(announcement = %id, "dropped before it could start");
                return StationNote::Skipped {
                    announcement: id.to_string(),
                };
            }
            Err(e) => {
                tracing::warn!(announcement = %id, error = %e, "could not report the start");
                return StationNote::Failed {
                    announcement: id.to_string(),
                    reason: format!("could not report the start: {e}"),
                };
            }
        }
        let playing = match self.player.play(id, rendered.audio) {
            Ok(p) => p,
            Err(e) => return self.fail(id, e.to_string()).await,
        };
        if let Ok(first) = playing.first_sample.await {
            let since_heard = first.saturating_duration_since(self.waiting.heard_at);
            let since_queued = elapsed(
                self.waiting.announcement.queued_at,
                self.anchor.engine_time(first),
            );
            tracing::info!(
                announcement = %id,
                since_queued_ms = millis(since_queued),
                since_heard_ms = millis(since_heard),
                "first sample to the sink"
            );
            self.tell(StationNote::Started {
                announcement: id.to_string(),
                since_queued: Some(since_queued),
                since_heard,
                notes: rendered.notes.clone(),
            });
        }
        let result = playing
            .done
            .await
            .unwrap_or(Err(crate::announcer::AnnouncerError::PlayerGone));
        match result {
            Ok(()) => {
                if let Err(e) = self
                    .report(id, ReportState::Finished, reason.as_deref())
                    .await
                {
                    tracing::warn!(announcement = %id, error = %e, "could not report the end");
                }
                tracing::info!(announcement = %id, "finished");
                StationNote::Finished {
                    announcement: id.to_string(),
                }
            }
            Err(e) => self.fail(id, e.to_string()).await,
        }
    }

    async fn fail(&self, id: &str, reason: String) -> StationNote {
        tracing::warn!(announcement = %id, %reason, "announcement failed");
        if let Err(e) = self.report(id, ReportState::Failed, Some(&reason)).await {
            tracing::warn!(announcement = %id, error = %e, "could not report the failure");
        }
        StationNote::Failed {
            announcement: id.to_string(),
            reason,
        }
    }

    /// `announcement.report`: what became of announcement `id` on this station.
    async fn report(
        &self,
        id: &str,
        state: ReportState,
        reason: Option<&str>,
    ) -> Result<(), ClientError> {
        let report = ReportArgs {
            announcement: id.to_string(),
            state,
            reason: reason.map(str::to_string),
        };
        self.handle
            .op(Op::Desk(DeskOp::Report(report)))
            .await
            .map(|_| ())
    }

    fn tell(&self, note: StationNote) {
        if let Some(tx) = &self.notes {
            let _ = tx.send(note);
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
