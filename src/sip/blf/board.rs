//! The lamp board: for every code with a parked call and every pickup group with a call
//! ringing, what its busy lamp shows. Derived whole from the engine's state after each
//! input that can change a lamp ([`changes_lamps`]), so the lamps can never drift from the
//! engine's state and a restarted engine's lamps start from what it holds.

use super::dialog_info::{DialogEntry, DialogInfo, DialogState, Participant};
use crate::engine::switch::Party;
use crate::engine::{Call, Engine, EventName, Parked, PickupGroupView};
use std::collections::BTreeMap;

/// A call as a lamp shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LampCall {
    /// The engine's call id (the dialog's id in the document).
    pub call: String,
    /// The caller.
    pub caller: Party,
    /// For a ringing group call, the member's line it rings; empty for a parked call.
    pub line: String,
}

/// What one busy lamp shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lamp {
    /// A call is parked on the code (lit steady: `confirmed`).
    Parked(LampCall),
    /// Calls ring for the group's members, longest-ringing first (flashing: `early`).
    Ringing(Vec<LampCall>),
}

/// Every lit lamp, by code or group number; a number not here is dark.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LampBoard {
    lamps: BTreeMap<String, Lamp>,
}

/// Whether an event of this name can change a lamp: a code lights with `park.started` and
/// goes dark with `park.ended`; a group's ringing list changes only with `pickup.ringing`
/// (it carries the new list). Other events leave the board as it was, so the board need
/// not be read again after them; the directory's changes (`admin` commands, which publish
/// no event) are the one other thing that can change it.
pub fn changes_lamps(name: EventName) -> bool {
    matches!(
        name,
        EventName::ParkStarted | EventName::ParkEnded | EventName::PickupRinging
    )
}

impl LampBoard {
    /// The board read straight from the engine, borrowing what each lamp needs instead of
    /// building the parked and group views: the same board as [`LampBoard::from_engine`]
    /// of [`Engine::parked`] and [`Engine::pickup_groups`], for a fraction of the work.
    pub fn read(engine: &Engine) -> LampBoard {
        let mut lamps = BTreeMap::new();
        for (code, call) in engine.parked_lamps() {
            lamps.insert(code.to_string(), Lamp::Parked(parked_call(call)));
        }
        for (number, ringing) in engine.ringing_lamps() {
            if ringing.is_empty() {
                continue;
            }
            let calls = ringing.into_iter().map(ringing_call).collect();
            lamps.insert(number.to_string(), Lamp::Ringing(calls));
        }
        LampBoard { lamps }
    }

    /// The board for the engine's parked calls and pickup groups.
    pub fn from_engine(parked: &[Parked], groups: &[PickupGroupView]) -> LampBoard {
        let mut lamps = BTreeMap::new();
        for p in parked {
            lamps.insert(
                p.code.clone(),
                Lamp::Parked(LampCall {
                    call: p.call.0.clone(),
                    caller: p.caller.clone(),
                    line: String::new(),
                }),
            );
        }
        for group in groups {
            if group.ringing.is_empty() || group.number.is_empty() {
                continue;
            }
            let calls = group.ringing.iter().map(ringing_call).collect();
            lamps.insert(group.number.clone(), Lamp::Ringing(calls));
        }
        LampBoard { lamps }
    }

    /// The lamp of `number`; `None` when it is dark.
    pub fn lamp(&self, number: &str) -> Option<&Lamp> {
        self.lamps.get(number)
    }

    /// How many lamps are lit.
    pub fn lit(&self) -> usize {
        self.lamps.len()
    }
}

fn parked_call(call: &Call) -> LampCall {
    LampCall {
        call: call.call.0.clone(),
        caller: call.from.clone(),
        line: String::new(),
    }
}

fn ringing_call(call: &Call) -> LampCall {
    LampCall {
        call: call.call.0.clone(),
        caller: call.from.clone(),
        line: call.line.clone(),
    }
}

/// The document for `lamp` (dark when `None`) of the resource `number`, seen as `entity`
/// (`sip:701@host`); `host` completes the participants' URIs.
pub fn document(
    lamp: Option<&Lamp>,
    number: &str,
    entity: &str,
    host: &str,
    version: u64,
) -> DialogInfo {
    let dialogs = match lamp {
        // A dark lamp: one terminated dialog, as phones built against common PBXs expect.
        None => vec![DialogEntry {
            id: number.to_string(),
            state: DialogState::Terminated,
            recipient: false,
            local: None,
            remote: None,
        }],
        Some(Lamp::Parked(call)) => vec![DialogEntry {
            id: call.call.clone(),
            state: DialogState::Confirmed,
            recipient: true,
            local: Some(Participant {
                uri: entity.to_string(),
                display: None,
            }),
            remote: Some(caller(&call.caller, host)),
        }],
        Some(Lamp::Ringing(calls)) => calls
            .iter()
            .map(|call| DialogEntry {
                id: call.call.clone(),
                state: DialogState::Early,
                recipient: true,
                local: Some(Participant {
                    uri: sip_uri(&call.line, host),
                    display: None,
                }),
                remote: Some(caller(&call.caller, host)),
            })
            .collect(),
    };
    DialogInfo {
        entity: entity.to_string(),
        version,
        dialogs,
    }
}

fn caller(party: &Party, host: &str) -> Participant {
    Participant {
        uri: sip_uri(&party.number, host),
        display: (!party.name.is_empty()).then(|| party.name.clone()),
    }
}

/// `sip:<user>@<host>` with the user part escaped as RFC 3261 wants (`#` → `%23`).
pub fn sip_uri(user: &str, host: &str) -> String {
    let mut uri = String::from("sip:");
    for b in user.bytes() {
        let unreserved = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'_'
                    | b'.'
                    | b'!'
                    | b'~'
                    | b'*'
                    | b'\''
                    | b'('
                    | b')'
                    | b'&'
                    | b'='
                    | b'+'
                    | b'$'
                    | b','
                    | b';'
                    | b'?'
                    | b'/'
            );
        if unreserved {
            uri.push(char::from(b));
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    if user.is_empty() {
        uri.push_str("anonymous");
    }
    uri.push('@');
    uri.push_str(host);
    uri
}
