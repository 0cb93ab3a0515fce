//! A new subscriber: its replay or its snapshot, filtered by what its roles may see. The
//! missed events come from the hub's buffer, or, once it no longer holds them (or after a
//! restart, before it does), from the store's durable log.

use super::EngineTask;
use super::handle::Subscription;
use crate::engine::{Actor, EventName, Role};
use crate::protocol::{self, ErrorBody, EventFrame, Snapshot, SubscribeArgs, SubscribeOk};
use crate::server::hub::{Attached, Filter};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A subscription's answer: now, or once the store's log is read.
pub(super) enum Subscribed {
    /// Answered from memory.
    Now(Result<Subscription, ErrorBody>),
    /// Answered from the store's log (already attached to the hub: live events queue).
    FromLog(Pin<Box<dyn Future<Output = Result<Subscription, ErrorBody>> + Send>>),
}

/// Events that belong in a console's activity log.
fn is_activity(name: EventName) -> bool {
    let n = name.as_str();
    n.starts_with("park.") || n.starts_with("pickup.") || n.starts_with("announcement.")
}

impl EngineTask {
    /// Attaches a subscriber to the hub, with the events it missed or a snapshot.
    pub(super) fn subscribe(
        &mut self,
        actor: &Actor,
        args: SubscribeArgs,
        zone: Option<String>,
    ) -> Subscribed {
        let filter = Filter::for_roles(&actor.user, &actor.roles);
        let zone = if actor.has(Role::Announcer) {
            Some(zone.unwrap_or_else(|| "default".into()))
        } else {
            None
        };
        // Events held for the store are not in the hub yet: a replay goes up to the last one
        // published, and the held ones follow live.
        let published = self.published_seq;
        let since = match (args.since, &args.epoch) {
            (Some(since), Some(epoch)) if *epoch == self.epoch => Some(since),
            (Some(since), None) => Some(since),
            _ => None,
        };
        let replay = since.and_then(|since| self.hub.replay(since, published, &filter));
        // From the store's log when the hub no longer (or not yet) holds `since`, and no event
        // is held (a snapshot's fallback would then have to skip the held ones, which only
        // this task can arrange). Queued now: the read ends at this seq.
        let from_log = match (since, &replay, &self.store) {
            (Some(since), None, Some(store)) if since < published && published == self.seq => {
                Some(store.events_after(since, published))
            }
            _ => None,
        };
        let Attached { id, events, slow } = self.hub.attach(filter.clone(), zone);
        if let Some(read) = from_log {
            let seq = published;
            // The snapshot of this moment, for a log that no longer holds `since`.
            let snapshot = self.snapshot(actor);
            return Subscribed::FromLog(Box::pin(async move {
                let logged = match read.await {
                    Ok(logged) => logged,
                    Err(e) => {
                        tracing::warn!(error = %e, "reading the event log for a replay failed");
                        None
                    }
                };
                let (ok, replay) = match logged {
                    Some(logged) => {
                        let frames: Vec<Arc<str>> = logged
                            .into_iter()
                            .filter(|e| filter.admits_named(&e.name, &e.concerns))
                            .map(|e| Arc::from(e.frame))
                            .collect();
                        let ok = SubscribeOk {
                            snapshot: None,
                            replayed: Some(frames.len() as u64),
                            seq,
                        };
                        (ok, frames)
                    }
                    None => {
                        let ok = SubscribeOk {
                            snapshot: Some(snapshot),
                            replayed: None,
                            seq,
                        };
                        (ok, Vec::new())
                    }
                };
                Ok(Subscription {
                    ok,
                    replay,
                    events,
                    slow,
                    id,
                })
            }));
        }
        let (ok, replay) = match replay {
            Some(frames) => (
                SubscribeOk {
                    snapshot: None,
                    replayed: Some(frames.len() as u64),
                    seq: published,
                },
                frames,
            ),
            None => {
                // The snapshot shows the engine as it is, held events included.
                self.hub.seen_up_to(id, self.seq);
                (
                    SubscribeOk {
                        snapshot: Some(self.snapshot(actor)),
                        replayed: None,
                        seq: self.seq,
                    },
                    Vec::new(),
                )
            }
        };
        Subscribed::Now(Ok(Subscription {
            ok,
            replay,
            events,
            slow,
            id,
        }))
    }

    pub(super) fn snapshot(&self, actor: &Actor) -> Snapshot {
        let utc = self.clock.utc();
        let filter = Filter::for_roles(&actor.user, &actor.roles);
        let mine = |users: &[&str]| match &filter {
            Filter::Everything => true,
            Filter::Announcements => false,
            Filter::User(u) => users.contains(&u.as_str()),
        };
        let recent = self
            .hub
            .recent(self.settings.recent, |e| {
                is_activity(e.name) && filter.admits(e)
            })
            .into_iter()
            .filter_map(|e| serde_json::from_str::<EventFrame>(&e.text).ok())
            .collect();
        Snapshot {
            calls: self
                .engine
                .calls()
                .iter()
                .filter(|c| mine(&[c.line.as_str(), c.to.as_str()]))
                .map(|c| protocol::Call::from_engine(c, utc))
                .collect(),
            parked: self
                .engine
                .parked()
                .iter()
                .filter(|p| {
                    filter != Filter::Announcements
                        && (mine(&[p.parked_by.as_str()])
                            || p.for_note.as_deref().is_some_and(|f| mine(&[f])))
                })
                .map(|p| protocol::Parked::from_engine(p, utc))
                .collect(),
            pickup_groups: self
                .engine
                .pickup_groups()
                .iter()
                .filter(|g| {
                    let members: Vec<&str> = g.members.iter().map(String::as_str).collect();
                    mine(&members)
                })
                .map(|g| protocol::Group::from_engine(g, utc))
                .collect(),
            announcements: self
                .engine
                .announcements()
                .iter()
                .filter(|_| filter != Filter::User(actor.user.clone()))
                .map(|a| protocol::Announcement::from_engine(a, utc))
                .collect(),
            recent,
        }
    }
}
