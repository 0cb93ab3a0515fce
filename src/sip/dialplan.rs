//! What a dialled number is to the engine: the park extension, a directed park, a code, a
//! pickup group, a user, or nothing it serves (`404` before any identity check).
//!
//! Built from the engine's setup; pure, so the SIP side answers the cheap questions without
//! a round trip to the engine, which still decides everything that depends on state.

use crate::engine::numbering::RangeSpec;
use crate::engine::{EngineSetup, RangeKind};
use std::collections::{HashMap, HashSet};

/// What a number dialled at the engine means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Served {
    /// The park extension: park this call into the next free code.
    ParkExtension,
    /// The directed-park prefix plus a code: park this call into that code.
    DirectedPark(String),
    /// A code in a park range: retrieve what is parked there.
    Code(String),
    /// A pickup group's number.
    PickupGroup(String),
    /// A directory user (by number or id): ring that user's phones.
    User(String),
    /// Nothing the engine serves.
    Nothing,
}

/// A directory user as the SIP side needs it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SipUser {
    /// The user's id (also the digest username).
    pub id: String,
    /// The display name.
    pub name: String,
    /// Digest HA1 (hex), if the user may authenticate.
    pub ha1: Option<String>,
    /// A static contact (a SIP URI through the PBX), if any.
    pub static_contact: Option<String>,
}

/// The numbering plan and directory the SIP side works from.
#[derive(Debug, Clone, Default)]
pub struct DialPlan {
    park_extension: String,
    directed_prefix: String,
    park_ranges: Vec<RangeSpec>,
    pickup_numbers: HashSet<String>,
    users: HashMap<String, SipUser>,
    numbers: HashMap<String, String>,
    groups: HashMap<String, Vec<String>>,
    emergency: HashSet<String>,
    allow_list: HashSet<String>,
}

impl DialPlan {
    /// The plan of `setup`, with the numbers that are emergency calls.
    pub fn new(setup: &EngineSetup, emergency: &[String]) -> DialPlan {
        let park_ranges = setup
            .ranges
            .iter()
            .filter(|range| range.kind == RangeKind::Park)
            .filter_map(|range| RangeSpec::parse(range).ok())
            .collect();
        let pickup_numbers = setup
            .groups
            .iter()
            .filter_map(|group| group.number.clone())
            .collect();
        let mut groups = HashMap::new();
        for group in &setup.groups {
            groups.insert(group.id.clone(), group.members.clone());
            if let Some(number) = &group.number {
                groups.insert(number.clone(), group.members.clone());
            }
        }
        let mut users = HashMap::new();
        let mut numbers = HashMap::new();
        for user in &setup.users {
            for number in &user.numbers {
                numbers.insert(normalise(number), user.id.clone());
            }
            users.insert(
                user.id.clone(),
                SipUser {
                    id: user.id.clone(),
                    name: user.name.clone(),
                    ha1: user.sip_ha1.clone(),
                    static_contact: user.static_contact.clone(),
                },
            );
        }
        DialPlan {
            park_extension: setup.park_extension.clone(),
            directed_prefix: setup.directed_prefix.clone(),
            park_ranges,
            pickup_numbers,
            users,
            numbers,
            groups,
            emergency: emergency.iter().map(|n| normalise(n)).collect(),
            allow_list: setup.allow_list.iter().map(|n| normalise(n)).collect(),
        }
    }

    /// What `dialled` (a request URI's user part, already percent-decoded) is.
    pub fn classify(&self, dialled: &str) -> Served {
        let number = dialled.trim();
        if number.is_empty() {
            return Served::Nothing;
        }
        if number == self.park_extension {
            return Served::ParkExtension;
        }
        if !self.directed_prefix.is_empty()
            && let Some(code) = number.strip_prefix(&self.directed_prefix)
            && self.is_code(code)
        {
            return Served::DirectedPark(code.to_string());
        }
        if self.is_code(number) {
            return Served::Code(number.to_string());
        }
        if self.pickup_numbers.contains(number) {
            return Served::PickupGroup(number.to_string());
        }
        if let Some(user) = self.user_of_number(number) {
            return Served::User(user.to_string());
        }
        Served::Nothing
    }

    /// The park extension (`700`).
    pub fn park_extension(&self) -> &str {
        &self.park_extension
    }

    /// The directed-park prefix (`*70`).
    pub fn directed_prefix(&self) -> &str {
        &self.directed_prefix
    }

    /// Whether `code` lies in a park range.
    pub fn is_code(&self, code: &str) -> bool {
        self.park_ranges.iter().any(|range| range.contains(code))
    }

    /// The user a number (or a user id) belongs to.
    pub fn user_of_number(&self, number: &str) -> Option<&str> {
        if let Some(user) = self.users.get(number) {
            return Some(&user.id);
        }
        self.numbers.get(&normalise(number)).map(String::as_str)
    }

    /// A user by id.
    pub fn user(&self, id: &str) -> Option<&SipUser> {
        self.users.get(id)
    }

    /// The members of a group, by its id or number.
    pub fn group_members(&self, group: &str) -> Option<&[String]> {
        self.groups.get(group).map(Vec::as_slice)
    }

    /// Whether a phone may transfer a call to `target` (a REFER's number): the park
    /// extension, a directed park, a code, a pickup group, a directory user, a group by id
    /// or number, or an allow-listed number. Anything else is refused (toll fraud).
    pub fn may_transfer_to(&self, target: &str) -> bool {
        self.classify(target) != Served::Nothing
            || self.groups.contains_key(target)
            || self.allow_list.contains(&normalise(target))
    }

    /// Whether `number` is an emergency number (never parked).
    pub fn is_emergency(&self, number: &str) -> bool {
        self.emergency.contains(&normalise(number))
    }
}

/// A number without visual separators, so `+44 20 7000 0000` matches `+442070000000`.
fn normalise(number: &str) -> String {
    number
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
        .collect()
}
