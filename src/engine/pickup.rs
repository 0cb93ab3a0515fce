//! Group call pickup: which calls ring in which group, and taking one, atomically.
//!
//! A call offered at a member's line rings in every pickup group of that member, longest-
//! ringing first. A pickup commits at once: the call leaves every group's list, its line
//! leg is cancelled (`Call completed elsewhere`) and the picker's line rings (or, dialled,
//! the picker's phone is bridged directly). An answer at the original phone that crosses
//! the cancel is hung up and told (`pickup.failed`); a pickup that arrives after the
//! original phone answered is refused and told (`pickup.failed`).

use super::Engine;
use super::arena::CallKey;
use super::clock::{Instant, secs};
use super::command::{CommandOk, PickupArgs};
use super::directory::{Actor, PickupBy, Role};
use super::error::EngineError;
use super::events::{Detail, EventName};
use super::lifecycle::ring_display;
use super::objects::CallState;
use super::records::{Due, Picked, Purpose};
use super::switch::{CallId, LegId, LegRef, Prompt};

impl Engine {
    /// Lists a call ringing at a member's line in the member's pickup groups.
    pub(super) fn list_in_groups(&mut self, key: CallKey) {
        let Some(rec) = self.calls.get(key) else {
            return;
        };
        let Some(groups) = self.compiled.pickup_of.get(&rec.view.line) else {
            return;
        };
        let groups = groups.clone();
        let call = rec.view.call.clone();
        for group in groups {
            if let Some(list) = self.group_ringing.get_mut(group) {
                list.push(key);
            }
            if let Some(rec) = self.calls.get_mut(key) {
                rec.groups.push(group);
            }
            let detail = Detail {
                call: Some(call.clone()),
                ..Detail::default()
            };
            self.emit_group(EventName::PickupRinging, group, detail);
        }
    }

    /// Takes the call off every group list it is on; `pickup.ringing` carries each group's
    /// new list (with `call` naming the call that left).
    pub(super) fn unlist_from_groups(&mut self, key: CallKey) {
        let Some(rec) = self.calls.get_mut(key) else {
            return;
        };
        if rec.groups.is_empty() {
            return;
        }
        let groups = std::mem::take(&mut rec.groups);
        let call = rec.view.call.clone();
        for group in groups {
            if let Some(list) = self.group_ringing.get_mut(group) {
                list.retain(|k| *k != key);
            }
            let detail = Detail {
                call: Some(call.clone()),
                ..Detail::default()
            };
            self.emit_group(EventName::PickupRinging, group, detail);
        }
    }

    /// Whether `user` may pick up in `group` (members, or anyone when the group says so).
    fn may_pick_up(&self, user: &str, group: usize) -> bool {
        self.compiled
            .pickup_groups
            .get(group)
            .is_some_and(|g| g.pickup_by == PickupBy::Anyone || g.members.iter().any(|m| m == user))
    }

    /// The call to take: the named one if it rings in the group, else the longest-ringing.
    fn choose_ringing(&self, group: usize, named: Option<&CallId>) -> Result<CallKey, EngineError> {
        let list = self
            .group_ringing
            .get(group)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let group_id = self
            .compiled
            .pickup_groups
            .get(group)
            .map_or("", |g| g.id.as_str());
        match named {
            None => list.first().copied().ok_or_else(|| {
                EngineError::NotFound(format!("no call is ringing in group '{group_id}'"))
            }),
            Some(call) => {
                let key = self.by_id.get(call).copied();
                if let Some(key) = key.filter(|k| list.contains(k)) {
                    return Ok(key);
                }
                let answered = key.and_then(|k| self.calls.get(k)).is_some_and(|rec| {
                    rec.view.state != CallState::Ringing || rec.picked.is_some()
                });
                if answered {
                    Err(EngineError::Conflict {
                        message: format!("call '{call}' was already answered"),
                        by: None,
                    })
                } else {
                    Err(EngineError::NotFound(format!(
                        "call '{call}' is not ringing in group '{group_id}'"
                    )))
                }
            }
        }
    }

    fn pickup_failed(&mut self, group: usize, who: &str, call: Option<CallId>, reason: String) {
        let detail = Detail {
            by: Some(who.to_string()),
            reason: Some(reason),
            call,
            ..Detail::default()
        };
        self.emit_group(EventName::PickupFailed, group, detail);
    }

    /// Commits a pickup of `key` by `picker`: off every list, the line leg cancelled,
    /// `pickup.picked` naming the picker and the user it rang for.
    fn commit_pickup(&mut self, key: CallKey, picker: &str, group: usize) -> Option<Picked> {
        let rec = self.calls.get(key)?;
        let for_user = rec.view.line.clone();
        let call = rec.view.call.clone();
        let alerting = rec.alerting.map(|leg| rec.leg(leg));
        self.unlist_from_groups(key);
        if let Some(leg) = alerting {
            self.cancel_leg(leg, "Call completed elsewhere");
        }
        let picked = Picked {
            by: picker.to_string(),
            for_user: for_user.clone(),
            group,
        };
        let rec = self.calls.get_mut(key)?;
        rec.alerting = None;
        rec.picked = Some(picked.clone());
        let detail = Detail {
            by: Some(picker.to_string()),
            for_user: Some(for_user),
            call: Some(call),
            ..Detail::default()
        };
        self.emit_group(EventName::PickupPicked, group, detail);
        Some(picked)
    }

    /// `pickup`: take a call ringing in a group; the picker's line rings.
    pub(super) fn cmd_pickup(
        &mut self,
        now: Instant,
        actor: &Actor,
        args: PickupArgs,
    ) -> Result<CommandOk, EngineError> {
        let group = self
            .compiled
            .pickup_group(&args.group)
            .ok_or_else(|| EngineError::NotFound(format!("no pickup group '{}'", args.group)))?;
        if !actor.has(Role::Receptionist) && !self.may_pick_up(&actor.user, group) {
            return Err(EngineError::Forbidden(format!(
                "'{}' may not pick up in group '{}'",
                actor.user, args.group
            )));
        }
        let key = match self.choose_ringing(group, args.call.as_ref()) {
            Ok(key) => key,
            Err(err) => {
                self.pickup_failed(group, &actor.user, args.call.clone(), err.to_string());
                return Err(err);
            }
        };
        let picked = self.commit_pickup(key, &actor.user, group);
        let Some(rec) = self.calls.get_mut(key) else {
            return Err(EngineError::NotFound("the call is gone".into()));
        };
        let call = rec.view.call.clone();
        rec.view.line = actor.user.clone();
        let display = ring_display(&["Pickup: "], &rec.view.from);
        if let Some(picked) = picked {
            let purpose = Purpose::Pickup {
                picker: picked.by,
                for_user: picked.for_user,
                group,
            };
            let expires = now + secs(self.setup.retrieve_ring_time);
            self.ring(
                key,
                &actor.user,
                purpose,
                display,
                expires,
                Due::RingUnanswered,
            );
        }
        self.emit_call(EventName::CallRinging, key, Detail::default());
        Ok(CommandOk::Call { call })
    }

    /// A user dialled a group's number: bridge the dialling phone to the longest-ringing
    /// call, or tell the user (`pickup.failed`) and release the dialling call.
    pub(super) fn dial_pickup(&mut self, now: Instant, dialling: CallId, user: &str, group: usize) {
        if !self.may_pick_up(user, group) {
            let reason = format!("'{user}' may not pick up in this group");
            self.pickup_failed(group, user, None, reason);
            self.release(dialling, Some(Prompt::Goodbye));
            return;
        }
        let key = match self.choose_ringing(group, None) {
            Ok(key) => key,
            Err(err) => {
                self.pickup_failed(group, user, None, err.to_string());
                self.release(dialling, Some(Prompt::Goodbye));
                return;
            }
        };
        self.commit_pickup(key, user, group);
        let Some(rec) = self.calls.get(key) else {
            return;
        };
        let caller = rec.leg(LegId::Caller);
        self.bridge(
            LegRef {
                call: dialling.clone(),
                leg: LegId::Caller,
            },
            caller,
        );
        self.connect_dialling(now, key, dialling, user);
    }
}
