//! `config/default.toml` is the documentation: it loads, it names every key of `Settings`,
//! and its `#key = value` lines are exactly the defaults.

use parkdesk::config::{self, DEFAULT_TOML, Settings};
use parkdesk::engine::{Group, GroupAssignment, OrbitRange, ParkPolicy, RangeKind, User};
use serde_json::Value;

/// Every key path under `value`, e.g. `server.listen`, `policies.park_timeout`, with its
/// last key and whether it is a section (a table).
fn keys(prefix: &str, value: &Value, out: &mut Vec<(String, String, bool)>) {
    if let Value::Object(map) = value {
        for (k, v) in map {
            let path = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            out.push((path.clone(), k.clone(), v.is_object()));
            keys(&path, v, out);
        }
    }
}

/// Whether default.toml shows the header `[section]` or `[[section]]`, commented or not.
fn has_header(section: &str) -> bool {
    DEFAULT_TOML.lines().any(|l| {
        let bare = l.trim_start_matches('#').trim();
        bare == format!("[{section}]") || bare == format!("[[{section}]]")
    })
}

/// `Settings::default()` with one sample element in every list of tables and `[sip]`
/// present, so the keys inside them are listed too.
fn sample() -> Value {
    let mut s = Settings {
        sip: Some(Default::default()),
        ..Default::default()
    };
    s.tokens.push(Default::default());
    s.ranges.push(OrbitRange {
        name: "main".into(),
        kind: RangeKind::Park,
        start: "701".into(),
        end: "799".into(),
    });
    s.policies.push(ParkPolicy::default());
    s.users.push(User::default());
    s.groups.push(Group::default());
    s.assignments.push(GroupAssignment {
        group: "g".into(),
        policy: "p".into(),
        rank: 1,
    });
    let mut value = serde_json::to_value(s).expect("settings serialize");
    // Lists of tables: document the keys of their one element.
    for list in [
        "tokens",
        "ranges",
        "policies",
        "users",
        "groups",
        "assignments",
    ] {
        let first = value[list][0].clone();
        value[list] = first;
    }
    value
}

/// Whether default.toml shows `key` set, commented or as an example, in `section`.
fn documented(section: Option<&str>, key: &str) -> bool {
    let mut current: Option<String> = None;
    for line in DEFAULT_TOML.lines() {
        let bare = line.trim_start_matches('#').trim_start();
        if let Some(header) = bare.strip_prefix('[') {
            current = Some(header.trim_matches(['[', ']']).to_string());
            continue;
        }
        let sets_key =
            bare.split('=').next().is_some_and(|k| k.trim() == key) && bare.contains('=');
        let in_place = match section {
            None => current.is_none() || DEFAULT_TOML.find(line) < DEFAULT_TOML.find("\n#[server]"),
            Some(s) => current.as_deref() == Some(s),
        };
        if sets_key && in_place {
            return true;
        }
    }
    false
}

#[test]
fn the_embedded_defaults_load_alone_to_the_default_settings() {
    let settings = config::load_str("config/default.toml", DEFAULT_TOML).unwrap();
    assert_eq!(settings, Settings::default());
}

#[test]
fn default_toml_documents_every_key_of_settings_in_its_section() {
    let mut all = Vec::new();
    keys("", &sample(), &mut all);
    assert!(all.len() > 60, "too few keys found: {}", all.len());
    let missing: Vec<&String> = all
        .iter()
        .filter(|(path, key, is_section)| {
            let section = path.rsplit_once('.').map(|(s, _)| s);
            !(documented(section, key) || *is_section && has_header(path))
        })
        .map(|(path, _, _)| path)
        .collect();
    assert!(
        missing.is_empty(),
        "default.toml does not document: {missing:?}"
    );
}

#[test]
fn uncommenting_every_default_line_gives_exactly_the_defaults() {
    // `#key = value` and `#[section]` lines are the defaults; `# …` lines are prose and
    // examples of unset keys.
    let uncommented: String = DEFAULT_TOML
        .lines()
        .map(|l| match l.strip_prefix('#') {
            Some(rest) if !rest.starts_with([' ', '#']) && !rest.is_empty() => rest,
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(uncommented.contains("\n[server]\n"), "{uncommented}");
    assert!(
        uncommented.contains("\nlisten = \"127.0.0.1:7370\"\n"),
        "{uncommented}"
    );
    let settings = config::load_str("uncommented default.toml", &uncommented).unwrap();
    assert_eq!(settings, Settings::default());
}

#[test]
fn the_examples_in_default_toml_load_when_uncommented() {
    // `# key = value` example lines, uncommented with every section header, must be valid.
    let examples: String = DEFAULT_TOML
        .lines()
        .filter_map(|l| {
            if l.starts_with("#[") {
                return l.strip_prefix('#');
            }
            let rest = l.strip_prefix("# ")?;
            let first = rest.split_whitespace().next()?;
            let is_header = first.starts_with('[');
            let is_key = rest.starts_with(&format!("{first} = "))
                && first.chars().all(|c| c.is_ascii_lowercase() || c == '_');
            (is_header || is_key).then_some(rest)
        })
        .collect::<Vec<_>>()
        .join("\n");
    let settings = config::load_str("examples of default.toml", &examples)
        .unwrap_or_else(|e| panic!("{e}\n{examples}"));
    assert_eq!(settings.ranges.len(), 1);
    assert_eq!(settings.policies[0].caller_escape_digit, Some('0'));
    assert_eq!(settings.users[0].id, "alice");
    assert_eq!(settings.groups[0].number.as_deref(), Some("881"));
    assert_eq!(settings.assignments[0].rank, 1);
    assert_eq!(settings.tokens[0].user, "reception");
    assert!(settings.sip.is_some());
    assert!(settings.store.path.is_some());
    assert!(settings.log.dir.is_some());
}
