//! The directory as the engine sees it: users, their lines and rights, and groups.

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
