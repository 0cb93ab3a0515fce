//! New incoming calls (classified, then offered or parked) and the forks this side rings.

use super::classify::{Admission, Arrival, Refused, classify};
use super::state::{ForkState, Leg, RingHow, SipCall};
use super::{Core, Incoming, LegAddr};
use crate::engine::Instant;
use crate::engine::switch::{CallId, IntentId, LegId};
use crate::sip::legs::{Fork, LegCmd};
use bytesstr::BytesStr;
use sip_types::uri::{NameAddr, SipUri};
use std::collections::HashMap;

impl Core {
    pub(super) fn incoming(&mut self, now: Instant, incoming: Incoming) {
        let Incoming {
            call,
            from,
            served,
            identity,
            emergency,
            stream,
        } = incoming;
        let mut leg = Leg::new(call.clone(), LegId::Caller, true);
        leg.forks.insert(
            0,
            ForkState {
                open: true,
                stream: Some(stream),
                failed: None,
            },
        );
        leg.user = identity.user().map(str::to_string);
        let addr = leg.addr(0);
        let plan = self.shared.plan();
        let arrival = Arrival {
            served: &served,
            identity: &identity,
            emergency,
        };
        let admission = classify(arrival, &plan);
        let policy = self.shared.settings.park_extension_policy.as_deref();
        let event = match admission.event(&call, &from, policy) {
            Some(event) => event,
            None => {
                if admission == Admission::Refused(Refused::Emergency) {
                    tracing::warn!(call = %call, "an emergency call is never parked");
                }
                if let Admission::Refused(why) = admission {
                    self.out
                        .leg(addr.clone(), LegCmd::Reject { code: why.status() });
                }
                self.out.forget(addr);
                return;
            }
        };
        if let Admission::DeskCall { .. } = admission {
            self.out.leg(addr, LegCmd::Ringing);
        }
        self.streams.insert(stream, (call.clone(), LegId::Caller));
        let mut legs = HashMap::new();
        legs.insert(LegId::Caller, leg);
        self.calls.insert(
            call.clone(),
            SipCall {
                from: from.clone(),
                legs,
                referred_by: None,
                release_after_prompt: false,
                playing: false,
            },
        );
        self.out.emit(event);
        if let Admission::DeskCall { user: line } = admission {
            let display = if from.name.is_empty() {
                from.number.clone()
            } else {
                from.name.clone()
            };
            let how = RingHow {
                display,
                caller: from,
                alert_info: None,
            };
            self.ring(now, &call, LegId::Line, None, &line, &how);
        }
    }

    /// The SIP URIs to ring for a target: a user's registered phones or static contact,
    /// or every member's for a group.
    fn contacts(&self, now: Instant, target: &str) -> Vec<SipUri> {
        let plan = self.shared.plan();
        let users: Vec<String> = match plan.group_members(target) {
            Some(members) => members.to_vec(),
            None => plan
                .user_of_number(target)
                .map(|u| vec![u.to_string()])
                .unwrap_or_default(),
        };
        let now_secs = now.as_millis() / 1000;
        let registrar = self.shared.registrar();
        let mut uris = Vec::new();
        for user in users {
            let mut texts: Vec<String> = registrar
                .contacts(&user, now_secs)
                .into_iter()
                .map(|b| b.contact)
                .collect();
            if texts.is_empty()
                && let Some(contact) = plan.user(&user).and_then(|u| u.static_contact.clone())
            {
                texts.push(contact);
            }
            uris.extend(texts.iter().filter_map(|t| t.parse::<SipUri>().ok()));
        }
        uris
    }

    /// Rings `target` as leg `leg_id` of `call`, one fork per contact. False when there is
    /// nobody to ring.
    pub(super) fn ring(
        &mut self,
        now: Instant,
        call: &CallId,
        leg_id: LegId,
        intent: Option<IntentId>,
        target: &str,
        how: &RingHow,
    ) -> bool {
        let (display, caller) = (how.display.as_str(), &how.caller);
        let targets = self.contacts(now, target);
        if targets.is_empty() {
            tracing::info!(call = %call, target, "nobody to ring: no registered or static contact");
            return false;
        }
        let Some(sip_call) = self.calls.get_mut(call) else {
            return false;
        };
        let mut leg = Leg::new(call.clone(), leg_id, false);
        leg.intent = intent;
        leg.user = self
            .shared
            .plan()
            .user_of_number(target)
            .map(str::to_string);
        let host = self.shared.advertised_host();
        let number = if caller.number.is_empty() {
            "anonymous".to_string()
        } else {
            caller.number.replace('#', "%23")
        };
        let from_uri: Option<SipUri> = format!("sip:{number}@{host}").parse().ok();
        let Some(from_uri) = from_uri else {
            return false;
        };
        let from = NameAddr::new(BytesStr::from(display.to_string()), from_uri);
        let asserted = format!("\"{}\" <sip:{number}@{host}>", caller.name.replace('"', ""));
        for (i, target) in targets.into_iter().enumerate() {
            let fork_no = u32::try_from(i).unwrap_or(u32::MAX);
            leg.forks.insert(
                fork_no,
                ForkState {
                    open: true,
                    stream: None,
                    failed: None,
                },
            );
            let addr = LegAddr {
                call: call.clone(),
                leg: leg_id,
                fork: fork_no,
            };
            let mut headers = vec![("P-Asserted-Identity".into(), asserted.clone())];
            if let Some(alert) = &how.alert_info {
                headers.push(("Alert-Info".into(), alert.clone()));
            }
            let fork = Fork {
                from: from.clone(),
                target,
                headers,
            };
            self.out.dial(addr, fork);
        }
        if let Some(old) = sip_call.legs.insert(leg_id, leg) {
            self.out.forget_leg(&old);
        }
        true
    }
}
