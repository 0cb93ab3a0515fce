//! The receptionist's desk actions on calls: `transfer` and `hangup`.

use super::Engine;
use super::clock::{Instant, secs};
use super::command::{CommandOk, HangupArgs, TransferArgs};
use super::directory::Actor;
use super::error::EngineError;
use super::events::EventName;
use super::lifecycle::ring_display;
use super::objects::{CallState, ParkOutcome};
use super::output::by;
use super::records::{Due, Purpose};
use super::switch::EndCause;

impl Engine {
    /// `transfer`: ring `to` for the call; on answer the caller is bridged there and
    /// `call.transferred` is emitted. A ringing call stops ringing at once; if `to` does not
    /// answer it comes back to the line it rang at.
    pub(super) fn cmd_transfer(
        &mut self,
        now: Instant,
        actor: &Actor,
        args: TransferArgs,
    ) -> Result<CommandOk, EngineError> {
        if !self.compiled.is_allowed_target(&args.to) {
            return Err(EngineError::Forbidden(format!(
                "'{}' is not a directory user, a group or an allowed number",
                args.to
            )));
        }
        let missing = || EngineError::NotFound(format!("no call '{}'", args.call));
        let key = *self.by_id.get(&args.call).ok_or_else(missing)?;
        let rec = self.calls.get(key).ok_or_else(missing)?;
        if let Some(park) = &rec.park {
            return Err(EngineError::Conflict {
                message: format!(
                    "call '{}' is parked on {}; retrieve it instead",
                    args.call, park.code
                ),
                by: Some(park.parked_by.clone()),
            });
        }
        if rec.pending.is_some() || (rec.view.state == CallState::Ringing && rec.alerting.is_none())
        {
            return Err(EngineError::Conflict {
                message: format!("call '{}' is already ringing elsewhere", args.call),
                by: None,
            });
        }
        let alerting = rec.alerting.map(|leg| rec.leg(leg));
        let was_alerting = alerting.is_some();
        let from_line = rec.view.line.clone();
        let display = ring_display(&["Transfer: "], &rec.view.from);
        if let Some(leg) = alerting {
            self.unlist_from_groups(key);
            self.cancel_leg(leg, "transferred");
            if let Some(rec) = self.calls.get_mut(key) {
                rec.alerting = None;
                rec.view.line = args.to.clone();
            }
        }
        let purpose = Purpose::Transfer {
            by: actor.user.clone(),
            from_line,
        };
        let expires = now + secs(self.setup.retrieve_ring_time);
        self.ring(
            key,
            &args.to,
            purpose,
            display,
            expires,
            Due::RingUnanswered,
        );
        // Consoles see at once that the call now rings elsewhere, not only when it is answered.
        if was_alerting {
            self.emit_call(EventName::CallRinging, key, by(&actor.user));
        }
        Ok(CommandOk::Done)
    }

    /// `hangup`: release the call; a parked call ends `released` by the receptionist.
    pub(super) fn cmd_hangup(
        &mut self,
        now: Instant,
        actor: &Actor,
        args: HangupArgs,
    ) -> Result<CommandOk, EngineError> {
        let key = *self
            .by_id
            .get(&args.call)
            .ok_or_else(|| EngineError::NotFound(format!("no call '{}'", args.call)))?;
        self.release(args.call, None);
        self.finish_park(now, key, ParkOutcome::Released, Some(actor.user.clone()));
        self.end_call(now, key, EndCause::Released);
        Ok(CommandOk::Done)
    }
}
