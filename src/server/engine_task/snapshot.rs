//! A new subscriber: its replay or its snapshot, filtered by what its roles may see.

use super::EngineTask;
use super::handle::Subscription;
use crate::engine::{Actor, EventName, Role};
use crate::protocol::{self, ErrorBody, EventFrame, Snapshot, SubscribeArgs, SubscribeOk};
use crate::server::hub::{Attached, Filter};

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
    ) -> Result<Subscription, ErrorBody> {
        let filter = Filter::for_roles(&actor.user, &actor.roles);
        let zone = if actor.has(Role::Announcer) {
            Some(zone.unwrap_or_else(|| "default".into()))
        } else {
            None
        };
        // Events held for the store are not in the hub yet: a replay goes up to the last one
        // published, and the held ones follow live.
        let published = self.published_seq;
        let replay = match (args.since, &args.epoch) {
            (Some(since), Some(epoch)) if *epoch == self.epoch => {
                self.hub.replay(since, published, &filter)
            }
            (Some(since), None) => self.hub.replay(since, published, &filter),
            _ => None,
        };
        let Attached { id, events, slow } = self.hub.attach(filter, zone);
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
        Ok(Subscription {
            ok,
            replay,
            events,
            slow,
            id,
        })
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
