//! Validation of a whole setup: numbering, directory, policies and assignments, checked
//! against each other. `Engine::new` and every admin command run it on the complete new
//! setup before anything is applied, so a refused change changes nothing.

use super::EngineSetup;
use super::error::EngineError;
use super::numbering::{Number, RangeSpec, numbers_clash};
use super::orbit::RangeKind;
use super::policy::{GroupAssignment, ParkPolicy};
use std::collections::{HashMap, HashSet};

/// The name of the policy everyone falls back to.
pub const GLOBAL_POLICY: &str = "global";

fn refuse(field: &str, message: impl Into<String>) -> EngineError {
    EngineError::bad(field, message)
}

/// Adds the `global` policy if missing and renumbers group-assignment ranks to 1..n
/// (a stable sort by rank, so earlier entries win ties).
pub fn normalize(setup: &mut EngineSetup) {
    if !setup.policies.iter().any(|p| p.name == GLOBAL_POLICY) {
        let main_is_park = setup
            .ranges
            .iter()
            .any(|r| r.name == "main" && r.kind == RangeKind::Park);
        let park_range = if main_is_park {
            "main".to_string()
        } else {
            setup
                .ranges
                .iter()
                .find(|r| r.kind == RangeKind::Park)
                .map_or_else(|| "main".to_string(), |r| r.name.clone())
        };
        setup.policies.push(ParkPolicy {
            park_range,
            ..ParkPolicy::default()
        });
    }
    renumber(&mut setup.assignments);
    setup.allow_list.dedup();
}

/// Keeps ranks 1..n in order.
pub fn renumber(assignments: &mut [GroupAssignment]) {
    assignments.sort_by_key(|a| a.rank);
    for (position, assignment) in assignments.iter_mut().enumerate() {
        assignment.rank = u32::try_from(position + 1).unwrap_or(u32::MAX);
    }
}

/// Checks every rule of a setup; returns the parsed ranges on success.
pub fn validate(setup: &EngineSetup) -> Result<Vec<RangeSpec>, EngineError> {
    let ranges = validate_numbering(setup)?;
    let users = validate_users(setup)?;
    validate_user_numbers(setup, &ranges)?;
    validate_groups(setup, &ranges, &users)?;
    validate_policies(setup, &ranges)?;
    validate_assignments(setup)?;
    if setup.reception.trim().is_empty() {
        return Err(refuse("reception", "the reception line needs a name"));
    }
    if !(5..=300).contains(&setup.retrieve_ring_time) {
        return Err(refuse(
            "retrieve_ring_time",
            format!(
                "retrieve_ring_time {} is outside 5-300 s",
                setup.retrieve_ring_time
            ),
        ));
    }
    if setup.allow_list.iter().any(|n| n.trim().is_empty()) {
        return Err(refuse("allow_list", "an allow-listed number is empty"));
    }
    Ok(ranges)
}

fn validate_numbering(setup: &EngineSetup) -> Result<Vec<RangeSpec>, EngineError> {
    let ext = &setup.park_extension;
    let prefix = &setup.directed_prefix;
    if Number::parse(ext).is_none() {
        return Err(refuse(
            "park_extension",
            format!("park extension '{ext}' is not a number (digits after an optional * or #)"),
        ));
    }
    if Number::parse(prefix).is_none() {
        return Err(refuse(
            "directed_prefix",
            format!(
                "directed-park prefix '{prefix}' is not a number (digits after an optional * or #)"
            ),
        ));
    }
    if numbers_clash(ext, prefix) {
        return Err(refuse(
            "park_extension",
            format!("park extension '{ext}' collides with the directed-park prefix '{prefix}'"),
        ));
    }
    let mut specs: Vec<RangeSpec> = Vec::with_capacity(setup.ranges.len());
    for range in &setup.ranges {
        let spec = RangeSpec::parse(range).map_err(|m| refuse("ranges", m))?;
        if let Some(same) = specs.iter().find(|s| s.name == spec.name) {
            return Err(refuse(
                "ranges",
                format!("{} has the name of {}", spec.label(), same.label()),
            ));
        }
        if let Some(other) = specs.iter().find(|s| s.overlaps(&spec)) {
            return Err(refuse(
                "ranges",
                format!("{} overlaps {}", spec.label(), other.label()),
            ));
        }
        if spec.contains(ext) {
            return Err(refuse(
                "ranges",
                format!("{} collides with the park extension '{ext}'", spec.label()),
            ));
        }
        if spec.prefix_clash(prefix) {
            return Err(refuse(
                "ranges",
                format!(
                    "{} collides with the directed-park prefix '{prefix}'",
                    spec.label()
                ),
            ));
        }
        specs.push(spec);
    }
    if !specs.iter().any(|s| s.kind == RangeKind::Park) {
        return Err(refuse("ranges", "at least one park range is needed"));
    }
    Ok(specs)
}

fn validate_users(setup: &EngineSetup) -> Result<HashSet<&str>, EngineError> {
    let mut ids = HashSet::new();
    for user in &setup.users {
        if user.id.trim().is_empty() {
            return Err(refuse("users", "a user needs an id"));
        }
        if !ids.insert(user.id.as_str()) {
            return Err(refuse(
                "users",
                format!("user '{}' is listed twice", user.id),
            ));
        }
        if let Some(policy) = &user.policy
            && !setup.policies.iter().any(|p| &p.name == policy)
        {
            return Err(refuse(
                "users",
                format!(
                    "user '{}' is assigned policy '{policy}', which does not exist",
                    user.id
                ),
            ));
        }
    }
    Ok(ids)
}

/// A number belongs to one user, and no range's codes cover it: dialling it must reach
/// the user, not a parked call or a pickup group.
fn validate_user_numbers(setup: &EngineSetup, ranges: &[RangeSpec]) -> Result<(), EngineError> {
    let mut owners: HashMap<&str, &str> = HashMap::new();
    for user in &setup.users {
        let id = user.id.as_str();
        for number in &user.numbers {
            if let Some(owner) = owners.insert(number.as_str(), id)
                && owner != id
            {
                return Err(refuse(
                    "users",
                    format!("user '{id}' number '{number}' is already user '{owner}''s number"),
                ));
            }
            if let Some(range) = ranges.iter().find(|r| r.contains(number)) {
                return Err(refuse(
                    "ranges",
                    format!("{} covers user '{id}''s number '{number}'", range.label()),
                ));
            }
        }
    }
    Ok(())
}

/// What a valid setup may hold but deserves a word: ranges of `#` codes, which a SIP URI
/// must carry as `%23` and many phones take as "send".
pub fn warnings(ranges: &[RangeSpec]) -> Vec<String> {
    ranges
        .iter()
        .filter(|r| r.prefix == Some('#'))
        .map(|r| {
            format!(
                "{} has '#' codes: a SIP URI must carry '#' as '%23', and many phones \
                 treat '#' as \"send\"",
                r.label()
            )
        })
        .collect()
}

fn validate_groups(
    setup: &EngineSetup,
    ranges: &[RangeSpec],
    users: &HashSet<&str>,
) -> Result<(), EngineError> {
    let mut ids = HashSet::new();
    let mut numbers: HashMap<&str, &str> = HashMap::new();
    for group in &setup.groups {
        let id = group.id.as_str();
        if id.trim().is_empty() {
            return Err(refuse("groups", "a group needs an id"));
        }
        if !ids.insert(id) {
            return Err(refuse("groups", format!("group '{id}' is listed twice")));
        }
        if users.contains(id) {
            return Err(refuse(
                "groups",
                format!("group '{id}' has the id of a user"),
            ));
        }
        let mut members = HashSet::new();
        for member in &group.members {
            if !users.contains(member.as_str()) {
                return Err(refuse(
                    "groups",
                    format!("group '{id}' lists member '{member}', who is not a user"),
                ));
            }
            if !members.insert(member.as_str()) {
                return Err(refuse(
                    "groups",
                    format!("group '{id}' lists member '{member}' twice"),
                ));
            }
        }
        if let Some(number) = &group.number {
            let in_pickup_range = ranges
                .iter()
                .any(|r| r.kind == RangeKind::Pickup && r.contains(number));
            if !in_pickup_range {
                let owner = ranges.iter().find(|r| r.contains(number));
                let why = match owner {
                    Some(range) => format!("is in park {}", range.label()),
                    None => "is not in a pickup range".to_string(),
                };
                return Err(refuse(
                    "groups",
                    format!("group '{id}' number '{number}' {why}"),
                ));
            }
            if let Some(other) = numbers.insert(number.as_str(), id) {
                return Err(refuse(
                    "groups",
                    format!("group '{id}' number '{number}' is already group '{other}''s number"),
                ));
            }
        }
    }
    Ok(())
}

fn validate_policies(setup: &EngineSetup, ranges: &[RangeSpec]) -> Result<(), EngineError> {
    let mut names = HashSet::new();
    for policy in &setup.policies {
        let name = policy.name.as_str();
        let label = format!("policy '{name}'");
        if name.trim().is_empty() {
            return Err(refuse("policies", "a policy needs a name"));
        }
        if !names.insert(name) {
            return Err(refuse("policies", format!("{label} is listed twice")));
        }
        let is_park_range = |range: &str| {
            ranges
                .iter()
                .any(|r| r.name == range && r.kind == RangeKind::Park)
        };
        if !is_park_range(&policy.park_range) {
            return Err(refuse(
                "policies",
                format!(
                    "{label}: park_range '{}' is not a park range",
                    policy.park_range
                ),
            ));
        }
        for range in &policy.retrieve_ranges {
            if !is_park_range(range) {
                return Err(refuse(
                    "policies",
                    format!("{label}: retrieve_ranges names '{range}', which is not a park range"),
                ));
            }
        }
        let bounds: [(&str, u64, u64, u64); 4] = [
            ("park_timeout", policy.park_timeout, 10, 1800),
            (
                "ringback_attempts",
                u64::from(policy.ringback_attempts),
                0,
                10,
            ),
            ("ringback_ring_time", policy.ringback_ring_time, 5, 120),
            ("fallback_ring_time", policy.fallback_ring_time, 5, 300),
        ];
        for (setting, value, low, high) in bounds {
            if !(low..=high).contains(&value) {
                return Err(refuse(
                    "policies",
                    format!("{label}: {setting} {value} is outside {low}-{high}"),
                ));
            }
        }
        if let Some(target) = &policy.on_timeout {
            let known = setup.users.iter().any(|u| &u.id == target)
                || setup.groups.iter().any(|g| &g.id == target);
            if !known {
                return Err(refuse(
                    "policies",
                    format!("{label}: on_timeout '{target}' is not a directory user or group"),
                ));
            }
        }
        if let Some(digit) = policy.caller_escape_digit
            && !(digit.is_ascii_digit() || digit == '*' || digit == '#')
        {
            return Err(refuse(
                "policies",
                format!("{label}: caller_escape_digit '{digit}' is not one of 0-9 * #"),
            ));
        }
        if let Some(alert) = &policy.ringback_alert_info
            && !alert_info_is_valid(alert)
        {
            return Err(refuse(
                "policies",
                format!(
                    "{label}: ringback_alert_info '{alert}' must be 1-200 printable characters"
                ),
            ));
        }
    }
    Ok(())
}

fn validate_assignments(setup: &EngineSetup) -> Result<(), EngineError> {
    let mut groups = HashSet::new();
    for assignment in &setup.assignments {
        let group = assignment.group.as_str();
        if !setup.groups.iter().any(|g| g.id == group) {
            return Err(refuse(
                "assignments",
                format!("group '{group}' does not exist"),
            ));
        }
        if !setup.policies.iter().any(|p| p.name == assignment.policy) {
            return Err(refuse(
                "assignments",
                format!("policy '{}' does not exist", assignment.policy),
            ));
        }
        if !groups.insert(group) {
            return Err(refuse(
                "assignments",
                format!("group '{group}' is assigned twice"),
            ));
        }
    }
    Ok(())
}

/// Whether `alert` can travel as a SIP `Alert-Info` value: 1–200 printable characters, no
/// line breaks.
pub fn alert_info_is_valid(alert: &str) -> bool {
    !alert.trim().is_empty() && alert.len() <= 200 && !alert.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::orbit::OrbitRange;

    fn with_range(name: &str, start: &str, end: &str) -> EngineSetup {
        let mut setup = EngineSetup::default();
        setup.ranges.push(OrbitRange {
            name: name.into(),
            kind: RangeKind::Park,
            start: start.into(),
            end: end.into(),
        });
        normalize(&mut setup);
        setup
    }

    #[test]
    fn the_default_setup_is_valid() {
        let mut setup = EngineSetup::default();
        normalize(&mut setup);
        assert!(validate(&setup).is_ok());
    }

    #[test]
    fn an_overlap_is_refused_by_name() {
        let err = validate(&with_range("vip", "750", "760")).unwrap_err();
        assert_eq!(
            err,
            refuse(
                "ranges",
                "range 'vip' (750-760) overlaps range 'main' (701-799)"
            )
        );
    }

    #[test]
    fn a_range_holding_the_park_extension_is_refused() {
        let err = validate(&with_range("low", "690", "700")).unwrap_err();
        assert!(err.to_string().contains("park extension '700'"), "{err}");
    }

    #[test]
    fn a_range_starting_with_the_directed_prefix_is_refused() {
        let err = validate(&with_range("stars", "*700", "*799")).unwrap_err();
        assert!(
            err.to_string().contains("directed-park prefix '*70'"),
            "{err}"
        );
    }

    #[test]
    fn ranks_are_renumbered_in_order() {
        let mut list = vec![
            GroupAssignment {
                group: "a".into(),
                policy: "p".into(),
                rank: 5,
            },
            GroupAssignment {
                group: "b".into(),
                policy: "p".into(),
                rank: 2,
            },
        ];
        renumber(&mut list);
        assert_eq!(list[0].group, "b");
        assert_eq!((list[0].rank, list[1].rank), (1, 2));
    }
}
