//! The value rules that belong to configuration: bounds, formats and cross-checks a type
//! alone cannot say. Cross-references in the directory (does this range exist, do two
//! numbers collide) are the engine's to check when it is built from the setup.

use super::error::ConfigError;
use super::explain::quote;
use super::locate::KeyPath;
use super::settings::Settings;
use std::collections::HashSet;

/// One broken rule: the setting, its value and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Issue {
    /// Where the setting is.
    pub(crate) path: KeyPath,
    /// Its value, as the message quotes it.
    pub(crate) value: String,
    /// What is wrong (`must be between 10 and 1800`).
    pub(crate) rule: String,
}

impl Issue {
    /// The sentence: `[policies] park_timeout = '5': must be between 10 and 1800`.
    pub(crate) fn message(&self) -> String {
        format!(
            "{} = {}: {}",
            self.path.describe(),
            quote(&self.path, &self.value),
            self.rule
        )
    }

    /// The error for this issue when no file or variable can be named.
    pub(crate) fn into_error(self) -> ConfigError {
        ConfigError::Invalid {
            key: self.path.dotted(),
            message: self.message(),
            value: self.value,
        }
    }
}

impl Settings {
    /// Checks the rules that belong to configuration (bounds, formats, roles given); the
    /// first broken one is the error. Loading runs this already and names the file line or
    /// variable; call it on settings built in code.
    pub fn validate(&self) -> Result<(), ConfigError> {
        match validate(self).into_iter().next() {
            None => Ok(()),
            Some(issue) => Err(issue.into_error()),
        }
    }
}

/// Collects issues in file order.
#[derive(Default)]
struct Checker {
    issues: Vec<Issue>,
}

impl Checker {
    fn fail(&mut self, path: KeyPath, value: impl ToString, rule: impl Into<String>) {
        self.issues.push(Issue {
            path,
            value: value.to_string(),
            rule: rule.into(),
        });
    }

    fn between(&mut self, path: KeyPath, value: u64, low: u64, high: u64) {
        if !(low..=high).contains(&value) {
            self.fail(path, value, format!("must be between {low} and {high}"));
        }
    }

    fn not_empty(&mut self, path: KeyPath, value: &str) {
        if value.trim().is_empty() {
            self.fail(path, value, "must not be empty");
        }
    }

    fn dialable(&mut self, path: KeyPath, value: &str, digits_required: bool) {
        let body = value.strip_prefix(['*', '#']).unwrap_or(value);
        let ok = body.chars().all(|c| c.is_ascii_digit())
            && !value.is_empty()
            && (!digits_required || !body.is_empty());
        if !ok {
            self.fail(
                path,
                value,
                "must be digits, optionally after one '*' or '#'",
            );
        }
    }
}

/// Every broken rule in `settings`, in file order; empty when all is well.
pub(crate) fn validate(settings: &Settings) -> Vec<Issue> {
    let mut c = Checker::default();
    let root = KeyPath::default();

    for (i, number) in settings.allow_list.iter().enumerate() {
        c.not_empty(root.key("allow_list").index(i), number);
    }

    let server = root.key("server");
    let s = &settings.server;
    c.between(
        server.key("max_connections"),
        u64::from(s.max_connections),
        1,
        1_000_000,
    );
    c.between(server.key("shutdown_grace"), s.shutdown_grace, 0, 3600);
    c.not_empty(server.key("name"), &s.name);
    c.between(
        server.key("event_buffer"),
        s.event_buffer as u64,
        1,
        10_000_000,
    );
    if s.recent > s.event_buffer {
        c.fail(
            server.key("recent"),
            s.recent,
            format!("must not exceed [server] event_buffer ({})", s.event_buffer),
        );
    }
    c.between(
        server.key("subscriber_queue"),
        s.subscriber_queue as u64,
        1,
        10_000_000,
    );

    if let Some(sip) = &settings.sip {
        let at = root.key("sip");
        if let Some(advertise) = &sip.advertise
            && (advertise.trim().is_empty() || advertise.contains(char::is_whitespace))
        {
            c.fail(
                at.key("advertise"),
                advertise,
                "must be a host or host:port",
            );
        }
        c.not_empty(at.key("realm"), &sip.realm);
        c.between(at.key("media_timeout"), sip.media_timeout, 5, 3600);
        c.between(
            at.key("flood_rate"),
            u64::from(sip.flood_rate),
            0,
            1_000_000,
        );
        c.between(
            at.key("flood_burst"),
            u64::from(sip.flood_burst),
            1,
            1_000_000,
        );
        if sip.rtp_port_min < 1024 || sip.rtp_port_max < sip.rtp_port_min.saturating_add(1) {
            c.fail(
                at.key("rtp_port_max"),
                format!("{}-{}", sip.rtp_port_min, sip.rtp_port_max),
                "the RTP ports must be 1024 or above, with at least two ports",
            );
        }
    }

    let mut seen_tokens = HashSet::new();
    for (i, token) in settings.tokens.iter().enumerate() {
        let at = root.key("tokens").index(i);
        c.not_empty(at.key("token"), &token.token);
        if !token.token.is_empty() && !seen_tokens.insert(token.token.as_str()) {
            c.fail(
                at.key("token"),
                &token.token,
                "the same token is given twice",
            );
        }
        c.not_empty(at.key("user"), &token.user);
        if token.roles.is_empty() {
            c.fail(at.key("roles"), "[]", "must name at least one role");
        }
    }

    let park = root.key("park");
    let p = &settings.park;
    c.dialable(park.key("extension"), &p.extension, true);
    c.dialable(park.key("directed_prefix"), &p.directed_prefix, false);
    c.not_empty(park.key("reception"), &p.reception);
    c.between(park.key("retrieve_ring_time"), p.retrieve_ring_time, 5, 300);

    for (i, range) in settings.ranges.iter().enumerate() {
        c.not_empty(root.key("ranges").index(i).key("name"), &range.name);
    }

    for (i, policy) in settings.policies.iter().enumerate() {
        let at = root.key("policies").index(i);
        c.not_empty(at.key("name"), &policy.name);
        c.between(at.key("park_timeout"), policy.park_timeout, 10, 1800);
        c.between(
            at.key("ringback_attempts"),
            u64::from(policy.ringback_attempts),
            0,
            10,
        );
        c.between(
            at.key("ringback_ring_time"),
            policy.ringback_ring_time,
            5,
            120,
        );
        c.between(
            at.key("fallback_ring_time"),
            policy.fallback_ring_time,
            5,
            300,
        );
        if let Some(digit) = policy.caller_escape_digit
            && !(digit.is_ascii_digit() || digit == '*' || digit == '#')
        {
            c.fail(
                at.key("caller_escape_digit"),
                digit,
                "must be a DTMF digit: 0-9, * or #",
            );
        }
        if let Some(alert) = &policy.ringback_alert_info
            && !crate::engine::alert_info_is_valid(alert)
        {
            c.fail(
                at.key("ringback_alert_info"),
                alert,
                "must be 1-200 printable characters (a SIP Alert-Info value)",
            );
        }
    }

    for (i, user) in settings.users.iter().enumerate() {
        c.not_empty(root.key("users").index(i).key("id"), &user.id);
    }
    for (i, group) in settings.groups.iter().enumerate() {
        c.not_empty(root.key("groups").index(i).key("id"), &group.id);
    }
    for (i, assignment) in settings.assignments.iter().enumerate() {
        let at = root.key("assignments").index(i);
        c.between(
            at.key("rank"),
            u64::from(assignment.rank),
            1,
            u64::from(u32::MAX),
        );
    }

    if let Some(path) = &settings.store.path
        && path.as_os_str().is_empty()
    {
        c.fail(
            root.key("store").key("path"),
            "",
            "must not be empty (leave it out for the default)",
        );
    }

    c.between(
        root.key("store").key("event_retention"),
        settings.store.event_retention as u64,
        1,
        100_000_000,
    );

    let log = root.key("log");
    if let Err(e) = tracing_subscriber::EnvFilter::try_new(&settings.log.level) {
        c.fail(
            log.key("level"),
            &settings.log.level,
            format!("not a log filter: {e}"),
        );
    }
    if let Some(dir) = &settings.log.dir
        && dir.as_os_str().is_empty()
    {
        c.fail(
            log.key("dir"),
            "",
            "must not be empty (leave it out for the default)",
        );
    }
    c.between(log.key("keep"), settings.log.keep as u64, 1, 3650);

    let console = root.key("console");
    let con = &settings.console;
    let host = con
        .engine
        .strip_prefix("ws://")
        .or_else(|| con.engine.strip_prefix("wss://"));
    if host.is_none_or(|h| h.is_empty() || h.starts_with('/')) {
        c.fail(
            console.key("engine"),
            &con.engine,
            "must be a ws:// or wss:// URL",
        );
    }
    c.not_empty(console.key("theme"), &con.theme);
    c.not_empty(console.key("keymap"), &con.keymap);
    let share = con.warning_share;
    if !(share.is_finite() && share > 0.0 && share < 1.0) {
        c.fail(
            console.key("warning_share"),
            share,
            "must be between 0 and 1 (exclusive)",
        );
    }

    let announcer = root.key("announcer");
    let ann = &settings.announcer;
    c.not_empty(announcer.key("zone"), &ann.zone);
    if !ann.template.contains("{code}") {
        c.fail(announcer.key("template"), &ann.template, "must say {code}");
    }
    if !ann.template_without_name.contains("{code}") || ann.template_without_name.contains("{for}")
    {
        c.fail(
            announcer.key("template_without_name"),
            &ann.template_without_name,
            "must say {code} and not {for}",
        );
    }
    c.not_empty(announcer.key("theme"), &ann.theme);
    c.not_empty(announcer.key("language"), &ann.language);
    c.between(announcer.key("repeat_gap_ms"), ann.repeat_gap_ms, 0, 10_000);
    c.between(announcer.key("volume"), u64::from(ann.volume), 0, 100);
    if let Some(uri) = &ann.page_uri
        && let Err(e) = super::page_uri::parse_page_uri(uri)
    {
        c.fail(announcer.key("page_uri"), uri, e.to_string());
    }
    if ann.sip_listen.ip().is_unspecified() {
        c.fail(
            announcer.key("sip_listen"),
            ann.sip_listen,
            "must be an address the paging device can reach, not a wildcard",
        );
    }
    if ann.rtp_port_min < 1024 || ann.rtp_port_max < ann.rtp_port_min.saturating_add(1) {
        c.fail(
            announcer.key("rtp_port_max"),
            format!("{}-{}", ann.rtp_port_min, ann.rtp_port_max),
            "the RTP ports must be 1024 or above, with at least two ports",
        );
    }
    c.between(announcer.key("page_ring_time"), ann.page_ring_time, 1, 120);

    c.issues
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_break_no_rule() {
        assert_eq!(validate(&Settings::default()), Vec::new());
    }

    #[test]
    fn a_policy_timeout_out_of_bounds_is_named_with_its_bounds() {
        let mut s = Settings::default();
        s.policies.push(crate::engine::ParkPolicy {
            park_timeout: 5,
            ..Default::default()
        });
        let issues = validate(&s);
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].path.dotted(), "policies[0].park_timeout");
        assert_eq!(
            issues[0].message(),
            "[policies] park_timeout = '5': must be between 10 and 1800"
        );
    }

    #[test]
    fn settings_built_in_code_are_validated_with_the_key_named() {
        let mut s = Settings::default();
        s.server.max_connections = 0;
        let err = s.validate().unwrap_err();
        assert_eq!(err.key(), Some("server.max_connections"));
        assert_eq!(
            err.to_string(),
            "config error: [server] max_connections = '0': must be between 1 and 1000000"
        );
        assert!(Settings::default().validate().is_ok());
    }

    #[test]
    fn a_warning_share_of_one_or_nan_is_refused() {
        for bad in [1.0, 0.0, f64::NAN, -0.5] {
            let mut s = Settings::default();
            s.console.warning_share = bad;
            assert_eq!(validate(&s).len(), 1, "{bad}");
        }
    }

    #[test]
    fn a_park_extension_must_be_dialable() {
        let mut s = Settings::default();
        s.park.extension = "7a0".into();
        s.park.directed_prefix = "*".into();
        let issues = validate(&s);
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].path.dotted(), "park.extension");
    }
}
