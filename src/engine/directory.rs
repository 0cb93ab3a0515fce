//! The directory as the engine sees it: users, their lines and rights, and groups.

use crate::numbers::UserChange;
use serde::{Deserialize, Serialize};

/// What a connected client may do; a token carries one or more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Parks, retrieves and picks up anywhere; announces; transfers; hangs up.
    Receptionist,
    /// Administers the directory, policies, ranges and tokens.
    Admin,
    /// Read-only board.
    Monitor,
    /// A PA station: receives announcements and reports on them.
    Announcer,
    /// An ordinary user acting on its own calls.
    User,
}

impl Role {
    /// The role's wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Receptionist => "receptionist",
            Role::Admin => "admin",
            Role::Monitor => "monitor",
            Role::Announcer => "announcer",
            Role::User => "user",
        }
    }
}

/// Who sent a command: a user id and the roles its token grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The directory user (also the name of its line).
    pub user: String,
    /// Roles granted by the token.
    pub roles: Vec<Role>,
}

impl Actor {
    /// Whether the actor holds `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// A directory user. A user's line is named by its id (`reception` is the reception line).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct User {
    /// Unique id, also the name of the user's line.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Phone numbers (E.164 or extensions).
    pub numbers: Vec<String>,
    /// Only voice-enabled users park or retrieve.
    pub voice_enabled: bool,
    /// A directly assigned policy, winning over group assignments.
    pub policy: Option<String>,
    /// SIP digest HA1 (hex), for the SIP side.
    pub sip_ha1: Option<String>,
    /// A static contact reached through the PBX, for the SIP side.
    pub static_contact: Option<String>,
}

impl User {
    /// Takes in a number that changed hands in the number inventory: an assigned number is
    /// added (once) and makes the user voice-enabled; an unassigned one is removed, and the
    /// user stays voice-enabled only if `holds_more` (another inventory number is still
    /// theirs).
    pub fn apply_number_change(&mut self, change: &UserChange, holds_more: bool) {
        match change {
            UserChange::Assigned { number, .. } => {
                if !self.numbers.contains(number) {
                    self.numbers.push(number.clone());
                }
                self.voice_enabled = true;
            }
            UserChange::Unassigned { number, .. } => {
                self.numbers.retain(|n| n != number);
                if !holds_more {
                    self.voice_enabled = false;
                }
            }
        }
    }
}

/// Who may pick up a call ringing in a pickup group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PickupBy {
    /// Only the group's members (and receptionists).
    #[default]
    Members,
    /// Anyone.
    Anyone,
}

/// A directory group: members, optionally a pickup number, optionally policy-ranked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Group {
    /// Unique id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Member user ids.
    pub members: Vec<String>,
    /// A number from a `pickup` range: makes this a pickup group.
    pub number: Option<String>,
    /// Who may pick up.
    pub pickup_by: PickupBy,
}

impl Default for Group {
    fn default() -> Self {
        Group {
            id: String::new(),
            name: String::new(),
            members: Vec::new(),
            number: None,
            pickup_by: PickupBy::Members,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(numbers: &[&str]) -> User {
        User {
            id: "ada".into(),
            numbers: numbers.iter().map(|n| n.to_string()).collect(),
            voice_enabled: !numbers.is_empty(),
            ..User::default()
        }
    }

    #[test]
    fn an_assigned_number_is_added_once_and_enables_voice() {
        let mut ada = user(&[]);
        let change = UserChange::Assigned {
            user: "ada".into(),
            number: "+14255550100".into(),
        };
        ada.apply_number_change(&change, false);
        ada.apply_number_change(&change, false);
        assert_eq!(ada.numbers, ["+14255550100"]);
        assert!(ada.voice_enabled);
    }

    #[test]
    fn an_unassigned_number_disables_voice_only_when_none_is_left() {
        let mut ada = user(&["+14255550100", "+14255550101"]);
        let first = UserChange::Unassigned {
            user: "ada".into(),
            number: "+14255550100".into(),
        };
        ada.apply_number_change(&first, true);
        assert_eq!(ada.numbers, ["+14255550101"]);
        assert!(ada.voice_enabled);
        let last = UserChange::Unassigned {
            user: "ada".into(),
            number: "+14255550101".into(),
        };
        ada.apply_number_change(&last, false);
        assert!(ada.numbers.is_empty());
        assert!(!ada.voice_enabled);
    }
}
