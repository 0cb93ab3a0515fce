//! Parking a call: the `park` command's checks, the plan (policy, range, code) and the
//! commit, shared by the console, a transfer to the park extension and a dialled park.
//!
//! Everything that can refuse happens in [`Engine::plan_park`], before the call is
//! touched; [`Engine::commit_park`] cannot fail.

use super::Engine;
use super::arena::CallKey;
use super::clock::{Instant, secs};
use super::command::{CommandOk, ParkArgs};
use super::compiled::PolicyEntry;
use super::directory::Actor;
use super::error::EngineError;
use super::events::EventName;
use super::numbering::Number;
use super::objects::CallState;
use super::orbit::spoken;
use super::output::by;
use super::records::{Before, Due, ParkRec, Stage};
use super::switch::{Intent, LegId};
use std::sync::Arc;

/// Where a park will go: checked, not yet taken.
#[derive(Debug, Clone)]
pub struct ParkPlan {
    /// The parker's effective policy.
    pub policy: Arc<PolicyEntry>,
    /// Index of the range.
    pub range: usize,
    /// The code's offset in it.
    pub offset: u32,
}

/// What the parker asked for besides the call.
#[derive(Debug, Clone, Default)]
pub struct ParkRequest {
    /// Who parks.
    pub parker: String,
    /// Who the call is for.
    pub for_note: Option<String>,
    /// Seconds until ring-back, overriding the policy.
    pub timeout: Option<u64>,
    /// Queue a PA announcement (`None`: the policy decides).
    pub announce: Option<bool>,
    /// The call was already taken from its phone.
    pub taken: bool,
}

impl Engine {
    /// `park`: arguments, then the call, then policy and code; then the commit.
    pub(super) fn cmd_park(
        &mut self,
        now: Instant,
        actor: &Actor,
        args: ParkArgs,
    ) -> Result<CommandOk, EngineError> {
        if let Some(timeout) = args.timeout
            && !(10..=1800).contains(&timeout)
        {
            return Err(EngineError::bad(
                "timeout",
                format!("timeout {timeout} is outside 10-1800 s"),
            ));
        }
        if let Some(code) = &args.code
            && Number::parse(code).is_none()
        {
            return Err(EngineError::bad(
                "code",
                format!("'{code}' is not a park code"),
            ));
        }
        let missing = || EngineError::NotFound(format!("no call '{}'", args.call));
        let key = *self.by_id.get(&args.call).ok_or_else(missing)?;
        let rec = self.calls.get(key).ok_or_else(missing)?;
        if let Some(park) = &rec.park {
            if park.parked_by == actor.user {
                return Ok(CommandOk::Parked {
                    code: park.code.clone(),
                    spoken: park.spoken.clone(),
                    expires_at: park.expires_at,
                });
            }
            return Err(EngineError::Conflict {
                message: format!("call '{}' is parked on {}", args.call, park.code),
                by: Some(park.parked_by.clone()),
            });
        }
        if rec.view.line != actor.user {
            return Err(EngineError::Forbidden(format!(
                "call '{}' is at line '{}', not yours",
                args.call, rec.view.line
            )));
        }
        if rec.pending.is_some() || (rec.view.state == CallState::Ringing && rec.alerting.is_none())
        {
            return Err(EngineError::Conflict {
                message: format!("call '{}' is ringing elsewhere", args.call),
                by: None,
            });
        }
        let plan = self.plan_park(now, &actor.user, args.code.as_deref())?;
        let request = ParkRequest {
            parker: actor.user.clone(),
            // A number the directory knows is announced by its user's name.
            for_note: args
                .for_note
                .map(|f| self.directory_name(&f).map_or(f, str::to_string)),
            timeout: args.timeout,
            announce: args.announce,
            taken: false,
        };
        Ok(self.commit_park(now, key, plan, request))
    }

    /// Checks that `parker` may park and picks the code (a directed one, or the next free
    /// one by the policy's allocation). Changes nothing unless it succeeds.
    pub(super) fn plan_park(
        &mut self,
        now: Instant,
        parker: &str,
        code: Option<&str>,
    ) -> Result<ParkPlan, EngineError> {
        if self.draining {
            return Err(EngineError::Stopping);
        }
        let policy = self.compiled.voice_policy(parker).cloned().ok_or_else(|| {
            EngineError::PolicyDenied(format!(
                "user '{parker}' is not a voice-enabled directory user"
            ))
        })?;
        self.plan_park_under(now, policy, code)
    }

    /// [`Engine::plan_park`] under a given policy: allowed, a range, a free code.
    pub(super) fn plan_park_under(
        &mut self,
        now: Instant,
        policy: Arc<PolicyEntry>,
        code: Option<&str>,
    ) -> Result<ParkPlan, EngineError> {
        if self.draining {
            return Err(EngineError::Stopping);
        }
        if self.store_failing {
            return Err(EngineError::StoreUnavailable);
        }
        if !policy.policy.allow_park {
            return Err(EngineError::PolicyDenied(format!(
                "policy '{}' does not allow park",
                policy.policy.name
            )));
        }
        let range = policy.park_range;
        let spec = self
            .compiled
            .ranges
            .get(range)
            .ok_or_else(|| EngineError::PolicyDenied("the policy has no park range".into()))?;
        let codes = self
            .codes
            .get_mut(range)
            .ok_or_else(|| EngineError::PolicyDenied("the policy has no park range".into()))?;
        let offset = match code {
            Some(code) => {
                let offset = spec.offset_of(code).ok_or_else(|| {
                    EngineError::bad("code", format!("code {code} is outside {}", spec.label()))
                })?;
                if !codes.is_free(offset) {
                    return Err(EngineError::CodeTaken(code.to_string()));
                }
                offset
            }
            None => {
                let reuse_after = policy.policy.reuse_after.saturating_mul(1000);
                codes
                    .allocate(policy.policy.allocation, reuse_after, now, &mut self.rng)
                    .ok_or_else(|| EngineError::RangeFull {
                        range: spec.name.clone(),
                        start: spec.code_at(0),
                        end: spec.code_at(spec.len() - 1),
                    })?
            }
        };
        Ok(ParkPlan {
            policy,
            range,
            offset,
        })
    }

    /// Parks the call under the plan: the code is taken, the switch holds the caller
    /// (`answer_with_hold`), any leg the caller was talking to or ringing is let go, and
    /// `call.transferred` and `park.started` are emitted. A ringing call is answered into
    /// the park.
    pub(super) fn commit_park(
        &mut self,
        now: Instant,
        key: CallKey,
        plan: ParkPlan,
        request: ParkRequest,
    ) -> CommandOk {
        let Some(spec) = self.compiled.ranges.get(plan.range) else {
            return CommandOk::Done;
        };
        let code = spec.code_at(plan.offset);
        let range_name = spec.name.clone();
        if let Some(codes) = self.codes.get_mut(plan.range) {
            codes.take(plan.offset, key);
        }
        self.unlist_from_groups(key);
        self.cancel_pending(key, "parked");
        self.held.retain(|k| *k != key);
        let hold = self.out.next_id();
        let Some(rec) = self.calls.get_mut(key) else {
            return CommandOk::Done;
        };
        let before = Before {
            state: rec.view.state,
            peer: rec.peer.take(),
            alerting: rec.alerting.take(),
        };
        // The switch releases the line leg with the hold; any other leg is ours to let go.
        let foreign_peer = before
            .peer
            .clone()
            .filter(|p| p.leg != LegId::Line || p.call != rec.view.call);
        let timeout = request.timeout.unwrap_or(plan.policy.policy.park_timeout);
        let deadline = now + secs(timeout);
        let announce = request
            .announce
            .unwrap_or(plan.policy.policy.announce_on_park);
        self.out.intents.push_back(Intent::AnswerWithHold {
            id: hold,
            call: rec.view.call.clone(),
            music: plan.policy.policy.music_on_hold,
            code: Some(code.clone()),
        });
        rec.view.state = CallState::Parked;
        rec.view.answered_at.get_or_insert(now);
        rec.rescue = None;
        let spoken_code = spoken(&code);
        rec.park = Some(ParkRec {
            code: code.clone(),
            spoken: spoken_code.clone(),
            range: plan.range,
            range_name,
            offset: plan.offset,
            parked_by: request.parker.clone(),
            for_note: request.for_note.clone(),
            policy: plan.policy,
            parked_at: now,
            deadline,
            expires_at: deadline,
            stage: Stage::Parked,
            ringback: 0,
            hold,
            taken: request.taken,
            before,
        });
        self.intent_owner.insert(hold, key);
        self.arm(key, deadline, Due::Park);
        if let Some(peer) = foreign_peer {
            self.cancel_leg(peer, "parked");
        }
        self.emit_call(EventName::CallTransferred, key, by(&request.parker));
        self.emit_park(EventName::ParkStarted, key, by(&request.parker));
        if announce {
            self.announce_park(now, &code, request.for_note.as_deref());
        }
        CommandOk::Parked {
            code,
            spoken: spoken_code,
            expires_at: deadline,
        }
    }

    /// A park that cannot be made on a call already taken from its phone: `park.failed`,
    /// the caller is held, and the call rings the policy's `on_timeout` target (or the
    /// reception), then the reception every fallback period until someone answers or the
    /// caller hangs up. The call is never dropped.
    pub(super) fn park_failed(&mut self, now: Instant, key: CallKey, parker: &str, reason: String) {
        let policy = self.compiled.policy_of(parker).policy.clone();
        let reception = self.setup.reception.clone();
        let first = policy
            .on_timeout
            .clone()
            .unwrap_or_else(|| reception.clone());
        self.unlist_from_groups(key);
        self.cancel_pending(key, "park failed");
        self.held.retain(|k| *k != key);
        let Some(rec) = self.calls.get_mut(key) else {
            return;
        };
        rec.peer = None;
        rec.alerting = None;
        let call = rec.view.call.clone();
        let detail = super::events::Detail {
            by: Some(parker.to_string()),
            reason: Some(reason),
            ..Default::default()
        };
        self.emit_call(EventName::ParkFailed, key, detail);
        let hold = self.out.next_id();
        self.out.intents.push_back(Intent::AnswerWithHold {
            id: hold,
            call,
            music: policy.music_on_hold,
            code: None,
        });
        self.start_rescue(now, key, &first, reception, policy.fallback_ring_time);
    }
}
