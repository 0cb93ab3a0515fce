//! A reloaded configuration file: what changed in the file since the engine last read it is
//! applied to the running directory, and nothing else.
//!
//! The directory has two owners: the configuration file seeds it, and once an admin command
//! wrote it the store's copy wins at start (what an admin deleted does not come back from the
//! file). A reload keeps that precedence with a three-way merge: an item the file added,
//! changed or removed since the last read is added, replaced or removed; an item the file
//! left as it was keeps whatever admin commands made of it. Numbering (`[park]`) is
//! configuration only and always comes from the file.

use super::Engine;
use super::EngineSetup;
use super::admin::Keep;
use super::clock::Instant;
use super::error::EngineError;

/// The running directory `current` with the changes from `old_seed` (the file as last read)
/// to `new_seed` (the file now) applied; numbering from `new_seed`.
pub fn merge_reload(
    current: &EngineSetup,
    old_seed: &EngineSetup,
    new_seed: &EngineSetup,
) -> EngineSetup {
    let mut next = current.clone();
    next.park_extension = new_seed.park_extension.clone();
    next.directed_prefix = new_seed.directed_prefix.clone();
    next.reception = new_seed.reception.clone();
    next.retrieve_ring_time = new_seed.retrieve_ring_time;
    merge_list(&mut next.ranges, &old_seed.ranges, &new_seed.ranges, |r| {
        &r.name
    });
    merge_list(
        &mut next.policies,
        &old_seed.policies,
        &new_seed.policies,
        |p| &p.name,
    );
    merge_list(&mut next.users, &old_seed.users, &new_seed.users, |u| &u.id);
    merge_list(&mut next.groups, &old_seed.groups, &new_seed.groups, |g| {
        &g.id
    });
    merge_list(
        &mut next.assignments,
        &old_seed.assignments,
        &new_seed.assignments,
        |a| &a.group,
    );
    merge_list(
        &mut next.allow_list,
        &old_seed.allow_list,
        &new_seed.allow_list,
        |n| n,
    );
    next
}

/// Applies to `current` the items `new` adds or changes against `old` (replaced in place or
/// appended) and removes the ones `old` had and `new` has not; items unchanged between the
/// two are left as `current` has them (an admin's edit or deletion stands).
fn merge_list<T: Clone + PartialEq>(
    current: &mut Vec<T>,
    old: &[T],
    new: &[T],
    key: impl Fn(&T) -> &String,
) {
    for item in new {
        if old.iter().any(|o| o == item) {
            continue;
        }
        match current.iter().position(|c| key(c) == key(item)) {
            Some(index) => current[index] = item.clone(),
            None => current.push(item.clone()),
        }
    }
    for gone in old.iter().filter(|o| !new.iter().any(|n| key(n) == key(o))) {
        current.retain(|c| key(c) != key(gone));
    }
}

impl Engine {
    /// A reloaded configuration: switch to `next` (see [`merge_reload`]) as a whole, or
    /// refuse it and change nothing. Beyond an admin command's checks, every parked code must
    /// stay in the range it was parked in: a setup that removes or shrinks that range is
    /// `conflict`, naming the range and the code. Parked calls keep their policy snapshot,
    /// code and clocks.
    pub fn handle_reload(&mut self, _now: Instant, next: EngineSetup) -> Result<(), EngineError> {
        self.switch_setup(next, Keep::SameRange)
    }
}
