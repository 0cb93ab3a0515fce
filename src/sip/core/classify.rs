//! What a new incoming call is to the engine, decided from what the front layer found out
//! (the dialled number, who sent it, whether it is an emergency call): a pure function.

use crate::engine::switch::{CallId, Party, SwitchEvent};
use crate::sip::dialplan::{DialPlan, Served};
use crate::sip::identity::Identity;

/// What the engine gets of a new incoming call, or why it is turned away first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    /// A trusted peer (the PBX) sends the call to be parked: on the next free code, or on
    /// `code` (a directed park).
    Park {
        /// The directory user who parks it, if the peer asserted one.
        parker: Option<String>,
        /// The code of a directed park.
        code: Option<String>,
    },
    /// A phone of ours dialled the park extension or a directed park: it parks the call it
    /// holds (the engine finds which).
    ParkHeld {
        /// The user on the phone.
        caller: String,
        /// The number dialled (`700`, `*70705`).
        number: String,
    },
    /// A user dialled a code: retrieve what is parked there.
    Retrieve {
        /// The user on the phone.
        caller: String,
        /// The code.
        code: String,
    },
    /// A user dialled a pickup group's number.
    Pickup {
        /// The user on the phone.
        caller: String,
        /// The group's number.
        group: String,
    },
    /// A call for a directory user: the engine is offered it and the user's phones ring.
    DeskCall {
        /// The user.
        user: String,
    },
    /// Turned away before the engine hears of it.
    Refused(Refused),
}

/// Why an incoming call is turned away before the engine hears of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// An emergency call is never parked (`403`).
    Emergency,
    /// An unidentified caller may park from a trusted peer, never retrieve, pick up or park
    /// from a phone (`403`).
    Unidentified,
    /// Nothing the engine serves (`404`).
    NotServed,
}

impl Refused {
    /// The status the call is turned away with.
    pub fn status(self) -> u16 {
        match self {
            Refused::Emergency | Refused::Unidentified => 403,
            Refused::NotServed => 404,
        }
    }
}

/// What the front layer found out about a new incoming call.
#[derive(Debug, Clone, Copy)]
pub struct Arrival<'a> {
    /// What the dialled number is.
    pub served: &'a Served,
    /// Who sent it.
    pub identity: &'a Identity,
    /// Flagged as an emergency call.
    pub emergency: bool,
}

/// Classifies an incoming call against the dial plan.
pub fn classify(arrival: Arrival<'_>, plan: &DialPlan) -> Admission {
    let user = arrival.identity.user().map(str::to_string);
    let trusted = matches!(arrival.identity, Identity::Trusted(_));
    let parks = matches!(
        arrival.served,
        Served::ParkExtension | Served::DirectedPark(_)
    );
    if parks && arrival.emergency {
        return Admission::Refused(Refused::Emergency);
    }
    match arrival.served {
        Served::ParkExtension | Served::DirectedPark(_) if !trusted => {
            // A phone of ours dialling the park extension parks the call it holds.
            let number = match arrival.served {
                Served::DirectedPark(code) => format!("{}{code}", plan.directed_prefix()),
                _ => plan.park_extension().to_string(),
            };
            identified(user, |caller| Admission::ParkHeld { caller, number })
        }
        Served::ParkExtension => Admission::Park {
            parker: user,
            code: None,
        },
        Served::DirectedPark(code) => Admission::Park {
            parker: user,
            code: Some(code.clone()),
        },
        Served::Code(code) => identified(user, |caller| Admission::Retrieve {
            caller,
            code: code.clone(),
        }),
        Served::PickupGroup(group) => identified(user, |caller| Admission::Pickup {
            caller,
            group: group.clone(),
        }),
        Served::User(user) => Admission::DeskCall { user: user.clone() },
        Served::Nothing => Admission::Refused(Refused::NotServed),
    }
}

/// `admit` for an identified caller; an unidentified one is refused.
fn identified(user: Option<String>, admit: impl FnOnce(String) -> Admission) -> Admission {
    match user {
        Some(caller) => admit(caller),
        None => Admission::Refused(Refused::Unidentified),
    }
}

impl Admission {
    /// The event the engine gets for an admitted call (`None` for a refused one).
    pub fn event(
        &self,
        call: &CallId,
        from: &Party,
        park_policy: Option<&str>,
    ) -> Option<SwitchEvent> {
        let dialed = |caller: &str, number: &str| SwitchEvent::Dialed {
            call: call.clone(),
            caller: caller.to_string(),
            number: number.to_string(),
        };
        Some(match self {
            Admission::Park { parker, code } => SwitchEvent::ParkArrived {
                call: call.clone(),
                from: from.clone(),
                parker: parker.clone(),
                policy: park_policy.map(str::to_string),
                code: code.clone(),
            },
            Admission::ParkHeld { caller, number } => dialed(caller, number),
            Admission::Retrieve { caller, code } => dialed(caller, code),
            Admission::Pickup { caller, group } => dialed(caller, group),
            Admission::DeskCall { user } => SwitchEvent::Offered {
                call: call.clone(),
                from: from.clone(),
                to: user.clone(),
                line: user.clone(),
            },
            Admission::Refused(_) => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{Admission, Arrival, Refused, classify};
    use crate::engine::EngineSetup;
    use crate::sip::dialplan::{DialPlan, Served};
    use crate::sip::identity::Identity;

    fn admit(served: Served, identity: Identity, emergency: bool) -> Admission {
        let plan = DialPlan::new(&EngineSetup::default(), &[]);
        let arrival = Arrival {
            served: &served,
            identity: &identity,
            emergency,
        };
        classify(arrival, &plan)
    }

    #[test]
    fn the_pbx_parks_a_call_even_for_an_unknown_parker() {
        assert_eq!(
            admit(Served::ParkExtension, Identity::Trusted(None), false),
            Admission::Park {
                parker: None,
                code: None
            }
        );
        assert_eq!(
            admit(
                Served::DirectedPark("705".into()),
                Identity::Trusted(Some("ada".into())),
                false
            ),
            Admission::Park {
                parker: Some("ada".into()),
                code: Some("705".into())
            }
        );
    }

    #[test]
    fn a_phone_dialling_a_directed_park_parks_the_call_it_holds() {
        assert_eq!(
            admit(
                Served::DirectedPark("705".into()),
                Identity::Authenticated("ada".into()),
                false
            ),
            Admission::ParkHeld {
                caller: "ada".into(),
                number: "*70705".into()
            }
        );
    }

    #[test]
    fn an_emergency_call_is_never_parked() {
        assert_eq!(
            admit(Served::ParkExtension, Identity::Trusted(None), true),
            Admission::Refused(Refused::Emergency)
        );
        assert_eq!(Refused::Emergency.status(), 403);
    }

    #[test]
    fn an_unidentified_caller_may_not_retrieve_or_pick_up() {
        for served in [
            Served::Code("705".into()),
            Served::PickupGroup("880".into()),
        ] {
            assert_eq!(
                admit(served, Identity::Trusted(None), false),
                Admission::Refused(Refused::Unidentified)
            );
        }
        assert_eq!(
            admit(
                Served::PickupGroup("880".into()),
                Identity::Authenticated("bob".into()),
                false
            ),
            Admission::Pickup {
                caller: "bob".into(),
                group: "880".into()
            }
        );
    }

    #[test]
    fn a_number_nobody_serves_is_not_found() {
        let refused = admit(Served::Nothing, Identity::Trusted(None), false);
        assert_eq!(refused, Admission::Refused(Refused::NotServed));
        assert_eq!(Refused::NotServed.status(), 404);
    }
}
