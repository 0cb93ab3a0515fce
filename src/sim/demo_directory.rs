//! The directory the demo plays in: the reception line, eight colleagues in two pickup
//! groups, the token users, and a `global` policy that allows park.

use crate::engine::EngineSetup;
use crate::engine::directory::{Group, PickupBy, Role, User};
use crate::engine::policy::ParkPolicy;

/// The reception line's user id.
const RECEPTION: &str = "reception";

/// Colleagues: id, display name, extension.
const COLLEAGUES: [(&str, &str, &str); 8] = [
    ("amara", "Amara Okafor", "201"),
    ("ben", "Ben Hartley", "202"),
    ("chen", "Chen Wei", "203"),
    ("dolores", "Dolores Ibarra", "204"),
    ("emil", "Emil Lindqvist", "205"),
    ("farah", "Farah Haddad", "206"),
    ("gustav", "Gustav Novak", "207"),
    ("hana", "Hana Sato", "208"),
];

/// Pickup groups: id, display name, number (from the default `pickup` range), members.
const GROUPS: [(&str, &str, &str, [&str; 4]); 2] = [
    ("sales", "Sales", "880", ["amara", "ben", "chen", "dolores"]),
    (
        "workshop",
        "Workshop",
        "881",
        ["emil", "farah", "gustav", "hana"],
    ),
];

/// The first extension handed to a token user the demo directory does not know.
const FIRST_TOKEN_EXTENSION: u32 = 210;

/// A pickup group as the demo traffic uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoGroup {
    /// The group's id.
    pub id: String,
    /// Its pickup number (what a member dials to pick up).
    pub number: String,
    /// Its members' user ids.
    pub members: Vec<String>,
}

/// Who the demo traffic plays with: where outside calls ring and who retrieves them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoDirectory {
    /// The reception line (a user id).
    pub reception: String,
    /// The park extension a colleague transfers a call to in order to park it.
    pub park_extension: String,
    /// Colleagues who pick up and retrieve calls: every pickup-group member.
    pub colleagues: Vec<String>,
    /// Pickup groups with members.
    pub pickup_groups: Vec<DemoGroup>,
}

impl DemoDirectory {
    /// The demo's view of a setup: its reception line and park extension, its pickup
    /// groups that have a number and members, and those members as the colleagues.
    pub fn from_setup(setup: &EngineSetup) -> DemoDirectory {
        let pickup_groups: Vec<DemoGroup> = setup
            .groups
            .iter()
            .filter(|group| !group.members.is_empty())
            .filter_map(|group| {
                Some(DemoGroup {
                    id: group.id.clone(),
                    number: group.number.clone()?,
                    members: group.members.clone(),
                })
            })
            .collect();
        let mut colleagues: Vec<String> = Vec::new();
        for member in pickup_groups.iter().flat_map(|group| &group.members) {
            if *member != setup.reception && !colleagues.contains(member) {
                colleagues.push(member.clone());
            }
        }
        DemoDirectory {
            reception: setup.reception.clone(),
            park_extension: setup.park_extension.clone(),
            colleagues,
            pickup_groups,
        }
    }

    /// The demo's view of [`demo_setup`] without token users.
    pub fn standard() -> DemoDirectory {
        DemoDirectory::from_setup(&demo_setup(&[]))
    }
}

/// The engine setup of a demo run (PROTOCOL.md `[demo]`): DESIGN's default numbering, the
/// `global` policy on DESIGN's defaults but with `allow_park = true`, the reception line
/// user `reception`, eight voice-enabled colleagues with extensions in two pickup groups
/// (`880` Sales, `881` Workshop), and every token user voice-enabled (an unknown one is
/// added with an extension from 210 up).
pub fn demo_setup(token_users: &[(String, Vec<Role>)]) -> EngineSetup {
    let mut users = vec![User {
        id: RECEPTION.into(),
        name: "Reception".into(),
        numbers: vec!["200".into()],
        voice_enabled: true,
        ..User::default()
    }];
    users.extend(COLLEAGUES.iter().map(|(id, name, extension)| User {
        id: (*id).into(),
        name: (*name).into(),
        numbers: vec![(*extension).into()],
        voice_enabled: true,
        ..User::default()
    }));
    let mut extension = FIRST_TOKEN_EXTENSION;
    for (user, _roles) in token_users {
        if user.trim().is_empty() {
            continue;
        }
        match users.iter_mut().find(|known| known.id == *user) {
            Some(known) => known.voice_enabled = true,
            None => {
                let name = display_name(user);
                users.push(User {
                    id: user.clone(),
                    name: if name.is_empty() { user.clone() } else { name },
                    numbers: vec![extension.to_string()],
                    voice_enabled: true,
                    ..User::default()
                });
                extension += 1;
            }
        }
    }
    let groups = GROUPS
        .iter()
        .map(|(id, name, number, members)| Group {
            id: (*id).into(),
            name: (*name).into(),
            members: members.iter().map(|member| (*member).into()).collect(),
            number: Some((*number).into()),
            pickup_by: PickupBy::Members,
        })
        .collect();
    EngineSetup {
        reception: RECEPTION.into(),
        policies: vec![ParkPolicy {
            allow_park: true,
            ..ParkPolicy::default()
        }],
        users,
        groups,
        ..EngineSetup::default()
    }
}

/// A user id made readable: `pa-station` → `Pa Station`.
fn display_name(id: &str) -> String {
    id.split(['-', '_', '.'])
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_id_reads_as_words() {
        assert_eq!(display_name("pa-station"), "Pa Station");
        assert_eq!(display_name("wallboard"), "Wallboard");
        assert_eq!(display_name("--"), "");
    }
}
