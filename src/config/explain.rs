//! Turning serde's terse messages into sentences for the person editing the file: an unknown
//! key gets a did-you-mean, an unknown role lists the roles, a bad value is quoted.

use super::locate::KeyPath;

/// The keys whose values are secrets: never quoted back in an error.
const SECRET_KEYS: &[&str] = &["token"];

/// How a value is quoted in a message: `'value'`, or `'<hidden>'` for a secret.
pub(crate) fn quote(path: &KeyPath, value: &str) -> String {
    if path.leaf().is_some_and(|k| SECRET_KEYS.contains(&k)) {
        "'<hidden>'".to_string()
    } else {
        format!("'{value}'")
    }
}

/// The user's sentence for serde's `message` about the setting at `path` whose value (as
/// written) is `value`.
pub(crate) fn explain(path: &KeyPath, value: Option<&str>, message: &str) -> String {
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let (name, expected) = split_expected(rest);
        let name = name.unwrap_or_default();
        // The span of an unknown field is the key itself, so its section is the parent.
        let place = match path.parent().leaf() {
            Some(_) => format!(" in {}", section_name(&path.parent())),
            None => String::new(),
        };
        return format!(
            "unknown key '{name}'{place}{}",
            did_you_mean(&name, &expected)
        );
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        let (name, expected) = split_expected(rest);
        let name = name.unwrap_or_default();
        let what = if path.leaf() == Some("roles") {
            "unknown role"
        } else {
            "unknown value"
        };
        return format!(
            "{} = {}: {what} (expected one of {}){}",
            path.describe(),
            quote(path, &name),
            expected.join(", "),
            did_you_mean(&name, &expected)
        );
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        let (name, _) = split_expected(rest);
        return format!(
            "{}: missing key '{}'",
            section_name(path),
            name.unwrap_or_default()
        );
    }
    match value {
        Some(v) => format!("{} = {}: {message}", path.describe(), quote(path, v)),
        None => format!("{}: {message}", path.describe()),
    }
}

/// `[server]` for a section path, `[policies]` for an element of `[[policies]]`.
fn section_name(path: &KeyPath) -> String {
    match path.leaf() {
        Some(leaf) if path.section().is_none() => format!("[{leaf}]"),
        Some(_) => path.describe(),
        None => "the top level".to_string(),
    }
}

/// Splits serde's "`name`, expected one of `a`, `b`" into the name and the expected list.
fn split_expected(rest: &str) -> (Option<String>, Vec<String>) {
    let mut quoted = rest.split('`').skip(1).step_by(2).map(str::to_string);
    let name = quoted.next();
    (name, quoted.collect())
}

/// ` (did you mean 'listen'?)` when a candidate is close enough to `name`, else nothing.
pub(crate) fn did_you_mean(name: &str, candidates: &[String]) -> String {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| format!(" (did you mean '{c}'?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_key_is_named_with_its_section_and_the_closest_key() {
        let path = KeyPath::keys(&["server", "listn"]);
        let text = explain(
            &path,
            Some("x"),
            "unknown field `listn`, expected one of `listen`, `name`",
        );
        assert_eq!(
            text,
            "unknown key 'listn' in [server] (did you mean 'listen'?)"
        );
    }

    #[test]
    fn a_far_off_key_gets_no_suggestion() {
        let path = KeyPath::keys(&["zzz"]);
        let text = explain(
            &path,
            None,
            "unknown field `zzz`, expected `server` or `park`",
        );
        assert_eq!(text, "unknown key 'zzz'");
    }

    #[test]
    fn an_unknown_role_lists_the_roles_and_a_secret_is_never_quoted() {
        let path = KeyPath::keys(&["tokens"]).index(0).key("roles").index(0);
        let text = explain(
            &path,
            Some("admn"),
            "unknown variant `admn`, expected one of `receptionist`, `admin`",
        );
        assert_eq!(
            text,
            "[tokens] roles = 'admn': unknown role (expected one of receptionist, admin) \
             (did you mean 'admin'?)"
        );
        let secret = KeyPath::keys(&["tokens"]).index(0).key("token");
        assert_eq!(
            explain(&secret, Some("s3cret"), "bad"),
            "[tokens] token = '<hidden>': bad"
        );
    }
}
