//! What phones ask of the engine through the switch: a transfer (REFER) to the park
//! extension, a directed-park number, a user or a group; and a number dialled at the
//! engine (the park extension, a code, a group number).

use super::Engine;
use super::arena::CallKey;
use super::clock::Instant;
use super::error::EngineError;
use super::objects::CallState;
use super::parking::ParkRequest;
use super::switch::{CallId, Party, Prompt, Refusal};

/// What a dialled or transfer-target number means here.
enum Target<'a> {
    /// The park extension.
    ParkExtension,
    /// A directed park: the code after the prefix.
    Directed(&'a str),
    /// Anything else.
    Other,
}

impl Engine {
    fn classify<'a>(&self, number: &'a str) -> Target<'a> {
        if number == self.setup.park_extension {
            Target::ParkExtension
        } else if let Some(code) = number.strip_prefix(self.setup.directed_prefix.as_str()) {
            Target::Directed(code)
        } else {
            Target::Other
        }
    }

    /// A phone transferred a call: park it, or ring a user or group.
    pub(super) fn on_transfer_requested(
        &mut self,
        now: Instant,
        call: &CallId,
        by: &str,
        target: &str,
        replaces: Option<&CallId>,
    ) {
        let Some(&key) = self.by_id.get(call) else {
            return;
        };
        let Some(rec) = self.calls.get(key) else {
            return;
        };
        if rec.park.is_some() || rec.pending.is_some() {
            tracing::info!(call = %call, "transfer of a call already parked or ringing elsewhere; ignored");
            return;
        }
        if replaces.is_some() {
            tracing::debug!(call = %call, "attended transfer: the switch joins the replaced dialog");
        }
        match self.classify(target) {
            Target::ParkExtension => self.park_taken(now, key, by, None),
            Target::Directed(code) => {
                let code = code.to_string();
                self.park_taken(now, key, by, Some(&code));
            }
            Target::Other if self.compiled.locate_code(target).is_some() => {
                // A phone's busy-lamp key for a free code: the call parks into it. An
                // occupied code keeps the call where it is.
                if self.parked_on(target).is_some() {
                    tracing::info!(call = %call, target, "transfer to an occupied code; ignored");
                } else {
                    let code = target.to_string();
                    self.park_taken(now, key, by, Some(&code));
                }
            }
            Target::Other if self.compiled.is_allowed_target(target) => {
                let actor = super::directory::Actor {
                    user: by.to_string(),
                    roles: vec![super::directory::Role::Receptionist],
                };
                let args = super::command::TransferArgs {
                    call: call.clone(),
                    to: target.to_string(),
                };
                if let Err(err) = self.cmd_transfer(now, &actor, args) {
                    tracing::info!(call = %call, %err, "transfer refused");
                }
            }
            Target::Other => {
                tracing::info!(call = %call, target, "transfer to a target that is not allowed; ignored");
            }
        }
    }

    /// Parks a call taken from its phone; a refusal goes to the rescue (`park.failed`).
    fn park_taken(&mut self, now: Instant, key: CallKey, parker: &str, code: Option<&str>) {
        match self.plan_park(now, parker, code) {
            Ok(plan) => {
                let request = ParkRequest {
                    parker: parker.to_string(),
                    taken: true,
                    ..ParkRequest::default()
                };
                self.commit_park(now, key, plan, request);
            }
            Err(err) => self.park_failed(now, key, parker, err.to_string()),
        }
    }

    /// A user's phone dialled a number the engine serves.
    pub(super) fn on_dialed(&mut self, now: Instant, dialling: CallId, user: &str, number: &str) {
        let code = match self.classify(number) {
            Target::ParkExtension => None,
            Target::Directed(code) => Some(code.to_string()),
            Target::Other => {
                if let Some(group) = self.compiled.pickup_group(number) {
                    self.dial_pickup(now, dialling, user, group);
                } else if self.compiled.locate_code(number).is_some() {
                    self.dial_retrieve(now, dialling, user, number);
                } else {
                    tracing::info!(user, number, "dialled a number the engine does not serve");
                    self.refuse(dialling, None, Refusal::NotFound);
                }
                return;
            }
        };
        self.dial_park(now, dialling, user, code.as_deref());
    }

    /// The park extension (or a directed-park number) dialled while the user holds a call:
    /// that call is parked, the code read to the dialling phone, and the dialling call
    /// released. With nothing on hold, or a refusal, the dialling call is released.
    fn dial_park(&mut self, now: Instant, dialling: CallId, user: &str, code: Option<&str>) {
        let held = self.held.iter().rev().copied().find(|key| {
            self.calls
                .get(*key)
                .is_some_and(|rec| rec.view.line == user && rec.view.state == CallState::Held)
        });
        let Some(key) = held else {
            self.refuse(dialling, None, Refusal::NotFound);
            return;
        };
        match self.plan_park(now, user, code) {
            Ok(plan) => {
                let request = ParkRequest {
                    parker: user.to_string(),
                    ..ParkRequest::default()
                };
                if let super::command::CommandOk::Parked { code, .. } =
                    self.commit_park(now, key, plan, request)
                {
                    self.play(dialling.clone(), Prompt::ParkedOn { code });
                }
                self.release(dialling, None);
            }
            Err(err) => {
                tracing::info!(user, %err, "dialled park refused");
                self.refuse(dialling, Some(Prompt::Goodbye), err.refusal());
            }
        }
    }

    /// A call that arrived at the park extension (or a directed-park number) parks itself:
    /// under the identified parker's policy, or under `policy` for an unidentified one
    /// (nobody to ring back). A refusal turns the call away before it is answered.
    pub(super) fn on_park_arrived(&mut self, now: Instant, arrival: ParkArrival) {
        let ParkArrival {
            call,
            from,
            parker,
            policy,
            code,
        } = arrival;
        let plan = match &parker {
            Some(user) => self.plan_park(now, user, code.as_deref()),
            None => match policy
                .as_deref()
                .and_then(|p| self.compiled.policies.get(p))
            {
                Some(entry) => {
                    let entry = entry.clone();
                    self.plan_park_under(now, entry, code.as_deref())
                }
                None => Err(EngineError::PolicyDenied(
                    "an unidentified caller may not park here".into(),
                )),
            },
        };
        let plan = match plan {
            Ok(plan) => plan,
            Err(err) => {
                tracing::info!(call = %call, %err, "park at the park extension refused");
                self.refuse(call, None, err.refusal());
                return;
            }
        };
        let parked_by = parker.unwrap_or_else(|| UNIDENTIFIED_PARKER.to_string());
        let line = parked_by.clone();
        self.on_offered(now, call.clone(), from, parked_by.clone(), line);
        let Some(&key) = self.by_id.get(&call) else {
            return;
        };
        let request = ParkRequest {
            parker: parked_by,
            ..ParkRequest::default()
        };
        self.commit_park(now, key, plan, request);
    }
}

/// `parked_by` of a call parked by an unidentified caller from a trusted peer (a PBX).
pub const UNIDENTIFIED_PARKER: &str = "pbx";

/// A call that arrived at the park extension, as [`SwitchEvent::ParkArrived`] carries it.
///
/// [`SwitchEvent::ParkArrived`]: super::switch::SwitchEvent::ParkArrived
#[derive(Debug, Clone)]
pub struct ParkArrival {
    /// The arriving call.
    pub call: CallId,
    /// The caller being parked.
    pub from: Party,
    /// The identified parker.
    pub parker: Option<String>,
    /// The policy for an unidentified parker.
    pub policy: Option<String>,
    /// A directed park's code.
    pub code: Option<String>,
}
