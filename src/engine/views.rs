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

    /// What a busy lamp needs of each parked call, borrowed so that no view is built: its
    /// code and the call, in code order (the same calls as [`Engine::parked`]).
    pub fn parked_lamps(&self) -> impl Iterator<Item = (&str, &Call)> + '_ {
        self.codes
            .iter()
            .flat_map(|codes| codes.held_offsets())
            .filter_map(|(_, key)| {
                let rec = self.calls.get(key)?;
                Some((rec.park.as_ref()?.code.as_str(), &rec.view))
            })
    }

    /// What a busy lamp needs of each pickup group with a number and a call ringing in it,
    /// borrowed: the number and the calls, longest-ringing first (as in
    /// [`Engine::pickup_groups`]).
    pub fn ringing_lamps(&self) -> impl Iterator<Item = (&str, Vec<&Call>)> + '_ {
        self.compiled
            .pickup_groups
            .iter()
            .zip(&self.group_ringing)
            .filter(|(spec, keys)| !spec.number.is_empty() && !keys.is_empty())
            .map(|(spec, keys)| {
                let calls = keys
                    .iter()
                    .filter_map(|key| self.calls.get(*key).map(|rec| &rec.view))
                    .collect();
                (spec.number.as_str(), calls)
            })
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
