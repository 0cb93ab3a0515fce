//! Getters: the engine's state as the protocol's objects (for snapshots and boards).

use super::Engine;
use super::directory::User;
use super::objects::{Announcement, Call, Parked, PickupGroupView};

impl Engine {
    /// Calls not yet ended (desk calls, ringing, connected, parked), oldest first.
    pub fn calls(&self) -> Vec<Call> {
        let mut calls: Vec<Call> = self.calls.iter().map(|(_, rec)| rec.view.clone()).collect();
        calls.sort_by(|a, b| {
            a.started_at
                .cmp(&b.started_at)
                .then_with(|| a.call.cmp(&b.call))
        });
        calls
    }

    /// Parked calls, in code order (ranges in setup order, codes ascending).
    pub fn parked(&self) -> Vec<Parked> {
        self.codes
            .iter()
            .flat_map(|codes| codes.held_offsets())
            .filter_map(|(_, key)| self.calls.get(key).and_then(|rec| rec.parked_view()))
            .collect()
    }

    /// Pickup groups (groups with a number) with the calls ringing in them.
    pub fn pickup_groups(&self) -> Vec<PickupGroupView> {
        (0..self.compiled.pickup_groups.len())
            .filter_map(|g| self.group_view(g))
            .collect()
    }

    /// Announcements not yet finished, failed or dropped: playing first, then by priority.
    pub fn announcements(&self) -> Vec<Announcement> {
        self.announcements.ordered()
    }

    /// Users whose id, name or number, or one of whose groups' id, name or number, contains
    /// `query` (case-insensitive). An empty query lists everyone.
    pub fn directory_search(&self, query: &str) -> Vec<User> {
        let needle = query.trim().to_lowercase();
        let matches = |text: &str| text.to_lowercase().contains(&needle);
        self.setup
            .users
            .iter()
            .filter(|user| {
                matches(&user.id)
                    || matches(&user.name)
                    || user.numbers.iter().any(|n| matches(n))
                    || self.setup.groups.iter().any(|group| {
                        group.members.contains(&user.id)
                            && (matches(&group.id)
                                || matches(&group.name)
                                || group.number.as_deref().is_some_and(matches))
                    })
            })
            .cloned()
            .collect()
    }
}
