//! Taking a parked call back: the console `retrieve` (rings the desk; `retrieving` until
//! it answers), a dialled code (bridges at once), and `extend`.
//!
//! Who may: a receptionist anywhere; a user who is voice-enabled and whose effective
//! policy lists the code's range in `retrieve_ranges`.

use super::Engine;
use super::arena::CallKey;
use super::clock::{Instant, secs};
use super::command::{CommandOk, ExtendArgs, RetrieveArgs};
use super::directory::{Actor, Role};
use super::error::EngineError;
use super::events::EventName;
use super::lifecycle::ring_display;
use super::objects::ParkOutcome;
use super::output::by;
use super::records::{Due, Purpose, Stage};
use super::switch::{CallId, LegId, LegRef, Prompt, Refusal};

impl Engine {
    /// The call parked on `code`, if any.
    pub(super) fn parked_on(&self, code: &str) -> Option<(usize, CallKey)> {
        let (range, offset) = self.compiled.locate_code(code)?;
        let key = self.codes.get(range)?.holder(offset)?;
        Some((range, key))
    }

    /// Whether `user` may retrieve from `range` under its own policy.
    fn user_may_retrieve(&self, user: &str, range: usize) -> Result<(), EngineError> {
        let policy = self.compiled.voice_policy(user).ok_or_else(|| {
            EngineError::PolicyDenied(format!(
                "user '{user}' is not a voice-enabled directory user"
            ))
        })?;
        if !policy.retrieve.contains(&range) {
            let name = self
                .compiled
                .ranges
                .get(range)
                .map_or("", |r| r.name.as_str());
            return Err(EngineError::PolicyDenied(format!(
                "range '{name}' is outside policy '{}''s retrieve ranges",
                policy.policy.name
            )));
        }
        Ok(())
    }

    /// `retrieve`: ring `to` (default the actor's line) for the call parked on `code`.
    pub(super) fn cmd_retrieve(
        &mut self,
        now: Instant,
        actor: &Actor,
        args: RetrieveArgs,
    ) -> Result<CommandOk, EngineError> {
        let receptionist = actor.has(Role::Receptionist);
        if !receptionist && !self.compiled.voice_enabled(&actor.user) {
            return Err(EngineError::PolicyDenied(format!(
                "user '{}' is not a voice-enabled directory user",
                actor.user
            )));
        }
        let to = match args.to {
            Some(to) if !self.compiled.is_allowed_target(&to) => {
                return Err(EngineError::Forbidden(format!(
                    "'{to}' is not a directory user, a group or an allowed number"
                )));
            }
            Some(to) => to,
            None => actor.user.clone(),
        };
        let nothing = || EngineError::NotFound(format!("no call is parked on '{}'", args.code));
        let (range, offset) = self.compiled.locate_code(&args.code).ok_or_else(nothing)?;
        if !receptionist {
            self.user_may_retrieve(&actor.user, range)?;
        }
        let key = self
            .codes
            .get(range)
            .and_then(|c| c.holder(offset))
            .ok_or_else(nothing)?;
        let rec = self.calls.get(key).ok_or_else(nothing)?;
        let park = rec.park.as_ref().ok_or_else(nothing)?;
        if let Stage::Retrieving { by: who } = &park.stage {
            return Err(EngineError::Conflict {
                message: format!("code {} is being retrieved by {who}", park.code),
                by: Some(who.clone()),
            });
        }
        let call = rec.view.call.clone();
        let display = ring_display(&["Park ", &park.code, ": "], &rec.view.from);
        self.cancel_pending(key, "retrieved");
        let expires = now + secs(self.setup.retrieve_ring_time);
        self.disarm(key);
        if let Some(park) = self.calls.get_mut(key).and_then(|rec| rec.park.as_mut()) {
            park.stage = Stage::Retrieving {
                by: actor.user.clone(),
            };
            park.expires_at = expires;
        }
        let purpose = Purpose::Retrieve {
            by: actor.user.clone(),
        };
        self.ring(key, &to, purpose, display, expires, Due::RingUnanswered);
        self.emit_park(EventName::ParkRetrieving, key, by(&actor.user));
        Ok(CommandOk::Call { call })
    }

    /// A user dialled a code: bridge the dialling phone to the parked caller at once, or
    /// release the dialling call with a goodbye if there is nothing to take or it may not.
    pub(super) fn dial_retrieve(&mut self, now: Instant, dialling: CallId, user: &str, code: &str) {
        let refusal = match self.parked_on(code) {
            None => Some((format!("nothing is parked on {code}"), Refusal::NotFound)),
            Some((range, key)) => match self.user_may_retrieve(user, range) {
                Err(err) => Some((err.to_string(), err.refusal())),
                Ok(()) => {
                    let retrieving = self
                        .calls
                        .get(key)
                        .and_then(|rec| rec.park.as_ref())
                        .is_some_and(|park| matches!(park.stage, Stage::Retrieving { .. }));
                    if retrieving {
                        Some((format!("{code} is being retrieved"), Refusal::Busy))
                    } else {
                        self.take_parked(now, key, dialling.clone(), user);
                        None
                    }
                }
            },
        };
        if let Some((reason, refusal)) = refusal {
            tracing::info!(user, code, reason, "dialled retrieve refused");
            self.refuse(dialling, Some(Prompt::Goodbye), refusal);
        }
    }

    /// Bridges the dialling call's caller leg with the parked caller; the park ends
    /// `retrieved` by `user`.
    fn take_parked(&mut self, now: Instant, key: CallKey, dialling: CallId, user: &str) {
        let Some(rec) = self.calls.get(key) else {
            return;
        };
        let caller = rec.leg(LegId::Caller);
        let peer = LegRef {
            call: dialling.clone(),
            leg: LegId::Caller,
        };
        self.bridge(peer.clone(), caller);
        self.finish_park(now, key, ParkOutcome::Retrieved, Some(user.to_string()));
        self.connect_dialling(now, key, dialling, user);
    }

    /// The call is now bridged to a dialling call's caller leg, at `user`'s line.
    pub(super) fn connect_dialling(
        &mut self,
        now: Instant,
        key: CallKey,
        dialling: CallId,
        user: &str,
    ) {
        let peer = LegRef {
            call: dialling.clone(),
            leg: LegId::Caller,
        };
        self.connect(now, key, peer);
        if let Some(rec) = self.calls.get_mut(key) {
            rec.view.line = user.to_string();
            if let Some(old) = rec.alias.replace(dialling.clone()) {
                self.aliases.remove(&old);
            }
        }
        self.aliases.insert(dialling, key);
        self.emit_call(EventName::CallAnswered, key, Default::default());
    }

    /// `extend`: more time for a parked call, by a receptionist or its parker.
    pub(super) fn cmd_extend(
        &mut self,
        actor: &Actor,
        args: ExtendArgs,
    ) -> Result<CommandOk, EngineError> {
        if !(1..=1800).contains(&args.seconds) {
            return Err(EngineError::bad(
                "seconds",
                format!("seconds {} is outside 1-1800", args.seconds),
            ));
        }
        let nothing = || EngineError::NotFound(format!("no call is parked on '{}'", args.code));
        let (_, key) = self.parked_on(&args.code).ok_or_else(nothing)?;
        let park = self
            .calls
            .get(key)
            .and_then(|rec| rec.park.as_ref())
            .ok_or_else(nothing)?;
        if !actor.has(Role::Receptionist) && park.parked_by != actor.user {
            return Err(EngineError::Forbidden(format!(
                "only a receptionist or the parker ({}) may extend {}",
                park.parked_by, park.code
            )));
        }
        match &park.stage {
            Stage::Parked => {}
            Stage::Retrieving { by: who } => {
                return Err(EngineError::Conflict {
                    message: format!("code {} is being retrieved by {who}", park.code),
                    by: Some(who.clone()),
                });
            }
            Stage::RingingBack | Stage::Fallback => {
                return Err(EngineError::Conflict {
                    message: format!("code {} has timed out and is ringing", park.code),
                    by: None,
                });
            }
        }
        let expires_at = self
            .extend_park(key, args.seconds, &actor.user)
            .ok_or_else(nothing)?;
        Ok(CommandOk::Extended { expires_at })
    }
}
