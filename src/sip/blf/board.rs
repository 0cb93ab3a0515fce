//! The lamp board: for every code with a parked call and every pickup group with a call
//! ringing, what its busy lamp shows. Derived whole from the engine's own views after each
//! input, so the lamps can never drift from the engine's state and a restarted engine's
//! lamps start from what it holds.

use super::dialog_info::{DialogEntry, DialogInfo, DialogState, Participant};
use crate::engine::switch::Party;
use crate::engine::{Parked, PickupGroupView};
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

impl LampBoard {
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
            let calls = group
                .ringing
                .iter()
                .map(|c| LampCall {
                    call: c.call.0.clone(),
                    caller: c.from.clone(),
                    line: c.line.clone(),
                })
                .collect();
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
