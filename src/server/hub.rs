//! Fan-out: the numbered event log kept for replay, and the subscribers it is sent to.
//!
//! Each event is serialised once; subscribers get the same shared text. A subscriber whose
//! queue is full is closed with reason `resync`, never skipped silently.

use crate::engine::{EngineEvent, EventName, Role, Subject};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::mpsc;

/// One published event: its frame text and who it concerns.
#[derive(Debug, Clone)]
pub struct Published {
    /// Its seq.
    pub seq: u64,
    /// Its name.
    pub name: EventName,
    /// The serialised event frame.
    pub text: Arc<str>,
    /// Users the event concerns (lines, parkers, group members), for users' filtered view.
    pub concerns: Vec<String>,
}

/// What a subscriber is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// Every event (receptionist, admin, monitor).
    Everything,
    /// Announcements and engine events (announcer stations).
    Announcements,
    /// Events concerning this user.
    User(String),
}

impl Filter {
    /// The filter for an actor's roles.
    pub fn for_roles(user: &str, roles: &[Role]) -> Filter {
        if roles
            .iter()
            .any(|r| matches!(r, Role::Receptionist | Role::Admin | Role::Monitor))
        {
            Filter::Everything
        } else if roles.contains(&Role::Announcer) {
            Filter::Announcements
        } else {
            Filter::User(user.to_string())
        }
    }

    /// Whether the event passes.
    pub fn admits(&self, event: &Published) -> bool {
        match self {
            Filter::Everything => true,
            Filter::Announcements => {
                event.name.as_str().starts_with("announcement.")
                    || event.name == EventName::EngineStopping
            }
            Filter::User(user) => {
                event.name == EventName::EngineStopping || event.concerns.iter().any(|c| c == user)
            }
        }
    }
}

/// The users an engine event concerns.
pub fn concerns(event: &EngineEvent) -> Vec<String> {
    let mut users = Vec::new();
    match &event.subject {
        Subject::Call(c) => {
            users.push(c.line.clone());
            users.push(c.to.clone());
        }
        Subject::Parked(p) => {
            users.push(p.parked_by.clone());
            if let Some(f) = &p.for_note {
                users.push(f.clone());
            }
        }
        Subject::Group(g) => users.extend(g.members.iter().cloned()),
        Subject::Announcement(_) | Subject::Engine => {}
    }
    if let Some(by) = &event.detail.by {
        users.push(by.clone());
    }
    if let Some(f) = &event.detail.for_user {
        users.push(f.clone());
    }
    users
}

/// A live subscriber.
#[derive(Debug)]
struct Subscriber {
    tx: mpsc::Sender<Arc<str>>,
    filter: Filter,
    slow: Arc<AtomicBool>,
    zone: Option<String>,
    /// Events up to this seq are already in its snapshot (held events published late).
    seen: u64,
}

/// The event log and the subscribers.
#[derive(Debug)]
pub struct Hub {
    log: VecDeque<Published>,
    capacity: usize,
    subscribers: HashMap<u64, Subscriber>,
    next_id: u64,
    queue: usize,
    /// Set when a station may have come or gone (attach, detach, a slow subscriber dropped).
    membership_changed: bool,
}

/// What a new subscriber receives from the hub.
#[derive(Debug)]
pub struct Attached {
    /// Its id, for detaching.
    pub id: u64,
    /// Live events.
    pub events: mpsc::Receiver<Arc<str>>,
    /// Set when it was dropped for being too slow.
    pub slow: Arc<AtomicBool>,
}

impl Hub {
    /// A hub keeping `capacity` events for replay, with `queue` events per subscriber.
    pub fn new(capacity: usize, queue: usize) -> Hub {
        Hub {
            log: VecDeque::with_capacity(capacity.min(65_536)),
            capacity: capacity.max(1),
            subscribers: HashMap::new(),
            next_id: 1,
            queue: queue.max(16),
            membership_changed: false,
        }
    }

    /// Appends an event to the log and sends it to every subscriber it concerns.
    pub fn publish(&mut self, event: Published) {
        let mut dropped = Vec::new();
        for (id, sub) in &self.subscribers {
            if event.seq <= sub.seen || !sub.filter.admits(&event) {
                continue;
            }
            if sub.tx.try_send(event.text.clone()).is_err() {
                sub.slow.store(true, Ordering::SeqCst);
                dropped.push(*id);
            }
        }
        for id in dropped {
            self.subscribers.remove(&id);
            self.membership_changed = true;
        }
        if self.log.len() == self.capacity {
            self.log.pop_front();
        }
        self.log.push_back(event);
    }

    /// Events after `since`, filtered, if the log still holds all of them.
    pub fn replay(&self, since: u64, current: u64, filter: &Filter) -> Option<Vec<Arc<str>>> {
        if since > current {
            return None;
        }
        if since < current {
            let oldest = self.log.front().map(|e| e.seq)?;
            if oldest > since + 1 {
                return None;
            }
        }
        Some(
            self.log
                .iter()
                .filter(|e| e.seq > since && filter.admits(e))
                .map(|e| e.text.clone())
                .collect(),
        )
    }

    /// The last `n` events passing `keep`, oldest first.
    pub fn recent(&self, n: usize, keep: impl Fn(&Published) -> bool) -> Vec<&Published> {
        let mut out: Vec<&Published> = self.log.iter().rev().filter(|e| keep(e)).take(n).collect();
        out.reverse();
        out
    }

    /// Adds a subscriber.
    pub fn attach(&mut self, filter: Filter, zone: Option<String>) -> Attached {
        let (tx, events) = mpsc::channel(self.queue);
        let slow = Arc::new(AtomicBool::new(false));
        let id = self.next_id;
        self.next_id += 1;
        self.subscribers.insert(
            id,
            Subscriber {
                tx,
                filter,
                slow: slow.clone(),
                zone,
                seen: 0,
            },
        );
        self.membership_changed = true;
        Attached { id, events, slow }
    }

    /// Tells subscriber `id` no event up to `seq` (its snapshot already shows them).
    pub fn seen_up_to(&mut self, id: u64, seq: u64) {
        if let Some(sub) = self.subscribers.get_mut(&id) {
            sub.seen = seq;
        }
    }

    /// Removes a subscriber.
    pub fn detach(&mut self, id: u64) {
        self.subscribers.remove(&id);
        self.membership_changed = true;
    }

    /// Drops every subscriber (their sessions see the stream end).
    pub fn detach_all(&mut self) {
        self.subscribers.clear();
    }

    /// How many subscribers there are.
    pub fn len(&self) -> usize {
        self.subscribers.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.subscribers.is_empty()
    }

    /// Stations attached per zone, if membership changed since the last call; `None` when
    /// nothing can have changed, so callers on the hot path skip the count.
    pub fn stations_if_changed(&mut self) -> Option<HashMap<String, usize>> {
        if !std::mem::take(&mut self.membership_changed) {
            return None;
        }
        Some(self.stations())
    }

    /// Stations attached per zone.
    fn stations(&self) -> HashMap<String, usize> {
        let mut zones = HashMap::new();
        for sub in self.subscribers.values() {
            if let Some(zone) = &sub.zone {
                *zones.entry(zone.clone()).or_insert(0) += 1;
            }
        }
        zones
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(seq: u64) -> Published {
        Published {
            seq,
            name: EventName::ParkStarted,
            text: format!("{{\"seq\":{seq}}}").into(),
            concerns: vec!["alice".into()],
        }
    }

    #[test]
    fn a_subscriber_too_slow_to_keep_up_is_dropped_and_marked_for_resync() {
        let mut hub = Hub::new(100, 16);
        let mut slow = hub.attach(Filter::Everything, None);
        let mut fast = hub.attach(Filter::Everything, None);
        for seq in 1..=40 {
            hub.publish(event(seq));
            while fast.events.try_recv().is_ok() {}
        }
        assert!(slow.slow.load(Ordering::SeqCst));
        assert!(!fast.slow.load(Ordering::SeqCst));
        assert_eq!(hub.len(), 1);
        // The slow one got a gapless prefix, then its stream ends: it never skips silently.
        let mut seen = 0;
        while slow.events.try_recv().is_ok() {
            seen += 1;
        }
        assert_eq!(seen, 16);
    }

    #[test]
    fn replay_returns_the_missed_events_or_nothing_when_the_log_no_longer_holds_them() {
        let mut hub = Hub::new(10, 64);
        for seq in 1..=25 {
            hub.publish(event(seq));
        }
        let all = Filter::Everything;
        assert_eq!(hub.replay(20, 25, &all).map(|v| v.len()), Some(5));
        assert_eq!(hub.replay(15, 25, &all).map(|v| v.len()), Some(10));
        assert!(hub.replay(14, 25, &all).is_none(), "seq 15 is gone");
        assert_eq!(hub.replay(25, 25, &all).map(|v| v.len()), Some(0));
        assert!(hub.replay(26, 25, &all).is_none(), "from the future");
    }

    #[test]
    fn a_user_sees_only_events_that_concern_them() {
        let bob = Filter::User("bob".into());
        let alice = Filter::User("alice".into());
        assert!(!bob.admits(&event(1)));
        assert!(alice.admits(&event(1)));
        assert!(!Filter::Announcements.admits(&event(1)));
    }
}
