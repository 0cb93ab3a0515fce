//! Administration: each command is applied to a copy of the setup, the copy is validated
//! as a whole, and only then does the engine switch to it. Running parks keep their code
//! and their policy; a change that would leave a parked code outside every park range is
//! refused.

use super::Engine;
use super::EngineSetup;
use super::arena::CallKey;
use super::clock::Instant;
use super::codes::RangeCodes;
use super::command::{AdminCommand, CommandOk};
use super::compiled::Compiled;
use super::error::EngineError;
use super::objects::CallState;
use super::switch::LegId;
use super::validate::GLOBAL_POLICY;

/// How a new setup must keep the codes of running parks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Keep {
    /// In some park range (an admin command may move a range's codes to another).
    AnyParkRange,
    /// In the very range it was parked in, by name (a reloaded configuration may not
    /// orphan a parked call's range).
    SameRange,
}

/// The refusal of a setup that would orphan a parked call's range.
fn orphaned(
    compiled: &Compiled,
    range: &str,
    code: &str,
    park: &super::records::ParkRec,
) -> EngineError {
    let message = if compiled.ranges.iter().any(|r| r.name == range) {
        format!("range '{range}' would no longer hold code {code}, which is parked")
    } else {
        format!("range '{range}' would be removed while code {code} is parked in it")
    };
    EngineError::Conflict {
        message,
        by: Some(park.parked_by.clone()),
    }
}

/// Replaces the item with the same key, or appends it.
fn upsert<T>(list: &mut Vec<T>, item: T, same: impl Fn(&T) -> bool) {
    match list.iter().position(same) {
        Some(index) => list[index] = item,
        None => list.push(item),
    }
}

/// Removes the item with the key, or says it does not exist.
fn remove<T>(list: &mut Vec<T>, what: &str, same: impl Fn(&T) -> bool) -> Result<(), EngineError> {
    let index = list
        .iter()
        .position(same)
        .ok_or_else(|| EngineError::NotFound(format!("no {what}")))?;
    list.remove(index);
    Ok(())
}

/// Renumbers ranks by position.
fn renumber_in_place(setup: &mut EngineSetup) {
    for (position, assignment) in setup.assignments.iter_mut().enumerate() {
        assignment.rank = u32::try_from(position + 1).unwrap_or(u32::MAX);
    }
}

/// Applies one admin command to `setup` (not yet validated as a whole).
pub fn apply(setup: &mut EngineSetup, command: AdminCommand) -> Result<(), EngineError> {
    match command {
        AdminCommand::RangeSet(range) => {
            let name = range.name.clone();
            upsert(&mut setup.ranges, range, |r| r.name == name);
        }
        AdminCommand::RangeRemove { name } => {
            if let Some(policy) = setup
                .policies
                .iter()
                .find(|p| p.park_range == name || p.retrieve_ranges.contains(&name))
            {
                return Err(EngineError::bad(
                    "name",
                    format!("range '{name}' is used by policy '{}'", policy.name),
                ));
            }
            remove(&mut setup.ranges, &format!("range '{name}'"), |r| {
                r.name == name
            })?;
        }
        AdminCommand::PolicySet(policy) => {
            let name = policy.name.clone();
            upsert(&mut setup.policies, policy, |p| p.name == name);
        }
        AdminCommand::PolicyRemove { name } => {
            if name == GLOBAL_POLICY {
                return Err(EngineError::bad(
                    "name",
                    "the global policy cannot be removed",
                ));
            }
            if let Some(user) = setup
                .users
                .iter()
                .find(|u| u.policy.as_deref() == Some(name.as_str()))
            {
                return Err(EngineError::bad(
                    "name",
                    format!("policy '{name}' is assigned to user '{}'", user.id),
                ));
            }
            if let Some(a) = setup.assignments.iter().find(|a| a.policy == name) {
                return Err(EngineError::bad(
                    "name",
                    format!("policy '{name}' is assigned to group '{}'", a.group),
                ));
            }
            remove(&mut setup.policies, &format!("policy '{name}'"), |p| {
                p.name == name
            })?;
        }
        AdminCommand::PolicyAssignGroup(assignment) => {
            if assignment.rank == 0 {
                return Err(EngineError::bad("rank", "ranks start at 1"));
            }
            setup.assignments.retain(|a| a.group != assignment.group);
            let at = (assignment.rank as usize - 1).min(setup.assignments.len());
            setup.assignments.insert(at, assignment);
            renumber_in_place(setup);
        }
        AdminCommand::PolicyUnassignGroup { group } => {
            let what = format!("policy assignment for group '{group}'");
            remove(&mut setup.assignments, &what, |a| a.group == group)?;
            renumber_in_place(setup);
        }
        AdminCommand::UserSet(user) => {
            let id = user.id.clone();
            upsert(&mut setup.users, user, |u| u.id == id);
        }
        AdminCommand::UserRemove { id } => {
            remove(&mut setup.users, &format!("user '{id}'"), |u| u.id == id)?;
            for group in &mut setup.groups {
                group.members.retain(|m| m != &id);
            }
        }
        AdminCommand::GroupSet(group) => {
            let id = group.id.clone();
            upsert(&mut setup.groups, group, |g| g.id == id);
        }
        AdminCommand::GroupRemove { id } => {
            remove(&mut setup.groups, &format!("group '{id}'"), |g| g.id == id)?;
            setup.assignments.retain(|a| a.group != id);
            renumber_in_place(setup);
        }
        AdminCommand::AllowAdd { number } => {
            if !setup.allow_list.contains(&number) {
                setup.allow_list.push(number);
            }
        }
        AdminCommand::AllowRemove { number } => {
            let what = format!("allow-listed number '{number}'");
            remove(&mut setup.allow_list, &what, |n| n == &number)?;
        }
    }
    Ok(())
}

impl Engine {
    /// Runs an admin command: apply to a copy, validate the whole, check running parks,
    /// then switch.
    pub(super) fn cmd_admin(
        &mut self,
        _now: Instant,
        command: AdminCommand,
    ) -> Result<CommandOk, EngineError> {
        let mut next = self.setup.clone();
        apply(&mut next, command)?;
        self.switch_setup(next, Keep::AnyParkRange)?;
        Ok(CommandOk::Done)
    }

    /// Validates `next` as a whole, checks every running park against it (`keep`), then
    /// switches to it; a refusal changes nothing. Parks keep their code, clock and policy
    /// snapshot; only their range's place in the tables is moved.
    pub(super) fn switch_setup(
        &mut self,
        mut next: super::EngineSetup,
        keep: Keep,
    ) -> Result<(), EngineError> {
        let compiled = Compiled::build(&mut next)?;
        let mut placed: Vec<(CallKey, usize, u32)> = Vec::new();
        for (key, rec) in self.calls.iter() {
            let Some(park) = &rec.park else { continue };
            let found = compiled.locate_code(&park.code);
            if keep == Keep::SameRange {
                let same = found.filter(|(range, _)| {
                    compiled
                        .ranges
                        .get(*range)
                        .is_some_and(|r| r.name == park.range_name)
                });
                if same.is_none() {
                    return Err(orphaned(&compiled, &park.range_name, &park.code, park));
                }
            }
            let (range, offset) = found.ok_or_else(|| EngineError::Conflict {
                message: format!(
                    "code {} is parked and would be outside every park range",
                    park.code
                ),
                by: Some(park.parked_by.clone()),
            })?;
            placed.push((key, range, offset));
        }
        let mut codes: Vec<RangeCodes> = compiled
            .ranges
            .iter()
            .map(|r| RangeCodes::new(r.park_len()))
            .collect();
        for (index, spec) in compiled.ranges.iter().enumerate() {
            let old = self.compiled.ranges.iter().position(|r| r == spec);
            if let (Some(old), Some(table)) = (old, codes.get_mut(index))
                && let Some(previous) = self.codes.get(old)
            {
                table.carry_history(previous);
            }
        }
        for (key, range, offset) in placed {
            if let Some(table) = codes.get_mut(range) {
                table.take(offset, key);
            }
            let name = compiled
                .ranges
                .get(range)
                .map(|r| r.name.clone())
                .unwrap_or_default();
            if let Some(park) = self.calls.get_mut(key).and_then(|rec| rec.park.as_mut()) {
                park.range = range;
                park.offset = offset;
                park.range_name = name;
            }
        }
        let known = super::validate::warnings(&self.compiled.ranges);
        for warning in super::validate::warnings(&compiled.ranges) {
            if !known.contains(&warning) {
                tracing::warn!("{warning}");
            }
        }
        self.codes = codes;
        self.setup = next;
        self.compiled = compiled;
        self.relist_groups();
        Ok(())
    }

    /// Rebuilds the pickup groups' ringing lists after the groups changed.
    fn relist_groups(&mut self) {
        let mut ringing: Vec<(super::clock::Instant, CallKey)> = self
            .calls
            .iter()
            .filter(|(_, rec)| {
                rec.view.state == CallState::Ringing && rec.alerting == Some(LegId::Line)
            })
            .map(|(key, rec)| (rec.view.started_at, key))
            .collect();
        ringing.sort();
        self.group_ringing = vec![Vec::new(); self.compiled.pickup_groups.len()];
        for (_, key) in ringing {
            let Some(rec) = self.calls.get_mut(key) else {
                continue;
            };
            rec.groups.clear();
            let groups = self
                .compiled
                .pickup_of
                .get(&rec.view.line)
                .cloned()
                .unwrap_or_default();
            for group in groups {
                if let Some(list) = self.group_ringing.get_mut(group) {
                    list.push(key);
                }
                rec.groups.push(group);
            }
        }
    }
}
