//! The setup compiled into lookup tables: ranges parsed, users, groups and numbers indexed,
//! and every user's effective policy resolved (direct > best-ranked group > `global`).
//!
//! Rebuilt whenever an admin command changes the setup; parks already running keep the
//! policy they started under (they hold an `Arc` to it), so a later change never stops one.

use super::EngineSetup;
use super::directory::PickupBy;
use super::error::EngineError;
use super::numbering::{Number, RangeSpec};
use super::orbit::RangeKind;
use super::policy::ParkPolicy;
use super::validate::{self, GLOBAL_POLICY};
use foldhash::{HashMap, HashMapExt, HashSet};
use std::sync::Arc;

/// A policy with its ranges resolved to indexes of [`Compiled::ranges`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyEntry {
    /// The policy as configured.
    pub policy: ParkPolicy,
    /// Index of its park range.
    pub park_range: usize,
    /// Indexes of the ranges it retrieves from.
    pub retrieve: Vec<usize>,
}

/// What the engine needs to know of a user at a glance.
#[derive(Debug, Clone)]
pub struct UserFacts {
    /// May park and retrieve.
    pub voice_enabled: bool,
    /// The effective policy.
    pub policy: Arc<PolicyEntry>,
}

/// A pickup group as the engine serves it.
#[derive(Debug, Clone)]
pub struct PickupGroup {
    /// The group's id.
    pub id: String,
    /// Its pickup number.
    pub number: String,
    /// Display name.
    pub name: String,
    /// Member user ids.
    pub members: Vec<String>,
    /// Who may pick up.
    pub pickup_by: PickupBy,
}

/// The compiled setup.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// Parsed ranges, in setup order.
    pub ranges: Vec<RangeSpec>,
    /// Users by id.
    pub users: HashMap<String, UserFacts>,
    /// Every user number, mapped to the user's id.
    pub user_numbers: HashMap<String, String>,
    /// Directory group ids.
    pub group_ids: HashSet<String>,
    /// Pickup groups (groups with a number), in setup order.
    pub pickup_groups: Vec<PickupGroup>,
    /// Pickup groups by id and by number.
    pub pickup_by_name: HashMap<String, usize>,
    /// The pickup groups each user belongs to.
    pub pickup_of: HashMap<String, Vec<usize>>,
    /// The `global` policy.
    pub global: Arc<PolicyEntry>,
    /// Every policy by name.
    pub policies: HashMap<String, Arc<PolicyEntry>>,
    /// Allow-listed numbers.
    pub allow: HashSet<String>,
}

impl Compiled {
    /// Normalizes `setup` (adds `global`, renumbers ranks), validates it as a whole, and
    /// builds the tables.
    pub fn build(setup: &mut EngineSetup) -> Result<Compiled, EngineError> {
        validate::normalize(setup);
        let ranges = validate::validate(setup)?;
        let index_of = |name: &str| ranges.iter().position(|r| r.name == name);
        let mut policies = HashMap::new();
        for policy in &setup.policies {
            let park_range = index_of(&policy.park_range).unwrap_or(0);
            let retrieve = policy
                .effective_retrieve_ranges()
                .iter()
                .filter_map(|name| index_of(name))
                .collect();
            let entry = PolicyEntry {
                policy: policy.clone(),
                park_range,
                retrieve,
            };
            policies.insert(policy.name.clone(), Arc::new(entry));
        }
        let global = policies
            .get(GLOBAL_POLICY)
            .cloned()
            .ok_or_else(|| EngineError::bad("policies", "the global policy is missing"))?;

        let mut group_policy: HashMap<&str, (u32, &str)> = HashMap::new();
        for assignment in &setup.assignments {
            group_policy.insert(&assignment.group, (assignment.rank, &assignment.policy));
        }
        let mut best_rank: HashMap<&str, (u32, &str)> = HashMap::new();
        for group in &setup.groups {
            let Some(&(rank, policy)) = group_policy.get(group.id.as_str()) else {
                continue;
            };
            for member in &group.members {
                let best = best_rank.entry(member).or_insert((rank, policy));
                if rank < best.0 {
                    *best = (rank, policy);
                }
            }
        }

        let mut users = HashMap::new();
        let mut user_numbers = HashMap::new();
        for user in &setup.users {
            let named = user
                .policy
                .as_deref()
                .or_else(|| best_rank.get(user.id.as_str()).map(|(_, p)| *p));
            let policy = named
                .and_then(|name| policies.get(name).cloned())
                .unwrap_or_else(|| global.clone());
            users.insert(
                user.id.clone(),
                UserFacts {
                    voice_enabled: user.voice_enabled,
                    policy,
                },
            );
            for number in &user.numbers {
                user_numbers.insert(number.clone(), user.id.clone());
            }
        }

        let mut pickup_groups = Vec::new();
        let mut pickup_by_name = HashMap::new();
        let mut pickup_of: HashMap<String, Vec<usize>> = HashMap::new();
        for group in &setup.groups {
            let Some(number) = &group.number else {
                continue;
            };
            let index = pickup_groups.len();
            pickup_by_name.insert(group.id.clone(), index);
            pickup_by_name.insert(number.clone(), index);
            for member in &group.members {
                pickup_of.entry(member.clone()).or_default().push(index);
            }
            pickup_groups.push(PickupGroup {
                id: group.id.clone(),
                number: number.clone(),
                name: group.name.clone(),
                members: group.members.clone(),
                pickup_by: group.pickup_by,
            });
        }

        Ok(Compiled {
            ranges,
            users,
            user_numbers,
            group_ids: setup.groups.iter().map(|g| g.id.clone()).collect(),
            pickup_groups,
            pickup_by_name,
            pickup_of,
            global,
            policies,
            allow: setup.allow_list.iter().cloned().collect(),
        })
    }

    /// The effective policy of `user` (`global` for a user not in the directory).
    pub fn policy_of(&self, user: &str) -> &Arc<PolicyEntry> {
        self.users
            .get(user)
            .map_or(&self.global, |facts| &facts.policy)
    }

    /// The effective policy of `user` if it is a voice-enabled directory user.
    pub fn voice_policy(&self, user: &str) -> Option<&Arc<PolicyEntry>> {
        self.users
            .get(user)
            .filter(|facts| facts.voice_enabled)
            .map(|facts| &facts.policy)
    }

    /// Whether `user` is in the directory and voice-enabled.
    pub fn voice_enabled(&self, user: &str) -> bool {
        self.users
            .get(user)
            .is_some_and(|facts| facts.voice_enabled)
    }

    /// Whether `target` is a directory user (by id or number), a group, or allow-listed.
    pub fn is_allowed_target(&self, target: &str) -> bool {
        self.users.contains_key(target)
            || self.user_numbers.contains_key(target)
            || self.group_ids.contains(target)
            || self.allow.contains(target)
    }

    /// The park range holding `code`, with the code's offset in it.
    pub fn locate_code(&self, code: &str) -> Option<(usize, u32)> {
        let number = Number::parse(code)?;
        self.ranges.iter().enumerate().find_map(|(index, range)| {
            if range.kind != RangeKind::Park {
                return None;
            }
            range.offset_of_number(number).map(|offset| (index, offset))
        })
    }

    /// The pickup group named by id or number.
    pub fn pickup_group(&self, name: &str) -> Option<usize> {
        self.pickup_by_name.get(name).copied()
    }
}
