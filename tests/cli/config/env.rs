//! `PARKDESK__SECTION__KEY` variables override the file, and a bad one is named.

use parkdesk::config::{ConfigError, SourceFile, load_layers};
use std::collections::HashMap;

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn file(text: &str) -> SourceFile {
    SourceFile {
        name: "site.toml".into(),
        text: text.into(),
    }
}

#[test]
fn a_variable_overrides_the_file_and_the_file_overrides_the_defaults() {
    let f = file("[server]\nlisten = \"127.0.0.1:8000\"\nname = \"from-file\"\n");
    let s = load_layers(
        Some(&f),
        &env(&[("PARKDESK__SERVER__LISTEN", "0.0.0.0:9000")]),
    )
    .unwrap();
    assert_eq!(s.server.listen.to_string(), "0.0.0.0:9000");
    assert_eq!(s.server.name, "from-file");
    assert_eq!(s.server.max_connections, 1024);
}

#[test]
fn variables_set_numbers_booleans_floats_and_lists() {
    let s = load_layers(
        None,
        &env(&[
            ("PARKDESK__DEMO__ENABLED", "true"),
            ("PARKDESK__DEMO__SEED", "7"),
            ("PARKDESK__SERVER__MAX_CONNECTIONS", "12"),
            ("PARKDESK__CONSOLE__WARNING_SHARE", "0.5"),
            ("PARKDESK__SIP__TRUSTED", "10.0.0.0/8,192.0.2.1"),
            ("PARKDESK__PARK__EXTENSION", "800"),
            ("PARKDESK__STORE__PATH", ":memory:"),
        ]),
    )
    .unwrap();
    assert!(s.demo.enabled);
    assert_eq!(s.demo.seed, 7);
    assert_eq!(s.server.max_connections, 12);
    assert_eq!(s.console.warning_share, 0.5);
    let trusted: Vec<String> = s
        .sip
        .unwrap()
        .trusted
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(trusted, ["10.0.0.0/8", "192.0.2.1/32"]);
    assert_eq!(s.park.extension, "800");
    assert_eq!(
        s.store.location().unwrap(),
        parkdesk::config::StoreLocation::Memory
    );
}

#[test]
fn variables_without_the_double_underscore_prefix_are_not_settings() {
    let s = load_layers(
        None,
        &env(&[("PARKDESK_TOKEN", "secret"), ("HOME", "/root")]),
    )
    .unwrap();
    assert_eq!(s, parkdesk::config::Settings::default());
}

#[test]
fn a_bad_value_in_a_variable_names_the_variable_key_and_value() {
    let err = load_layers(None, &env(&[("PARKDESK__SERVER__LISTEN", "nowhere")])).unwrap_err();
    let shown = err.to_string();
    let ConfigError::Env {
        var, key, value, ..
    } = &err
    else {
        panic!("{shown}")
    };
    assert_eq!(
        (var.as_str(), key.as_str(), value.as_str()),
        ("PARKDESK__SERVER__LISTEN", "server.listen", "nowhere")
    );
    assert!(
        shown.starts_with("config error: environment variable PARKDESK__SERVER__LISTEN: "),
        "{shown}"
    );
    assert!(shown.contains("[server] listen = 'nowhere'"), "{shown}");
}

#[test]
fn an_out_of_range_variable_is_named_even_when_the_file_sets_the_same_key() {
    let f = file("[console]\nwarning_share = 0.5\n");
    let err =
        load_layers(Some(&f), &env(&[("PARKDESK__CONSOLE__WARNING_SHARE", "2")])).unwrap_err();
    let shown = err.to_string();
    assert!(
        matches!(&err, ConfigError::Env { var, .. } if var == "PARKDESK__CONSOLE__WARNING_SHARE"),
        "{shown}"
    );
    assert!(
        shown.contains("[console] warning_share = '2': must be between 0 and 1"),
        "{shown}"
    );
}

#[test]
fn an_unknown_key_in_a_variable_is_named_with_a_suggestion() {
    let err = load_layers(None, &env(&[("PARKDESK__SERVER__LISTN", "127.0.0.1:1")])).unwrap_err();
    let shown = err.to_string();
    assert!(
        shown.contains("environment variable PARKDESK__SERVER__LISTN"),
        "{shown}"
    );
    assert!(
        shown.contains("unknown key 'listn' in [server] (did you mean 'listen'?)"),
        "{shown}"
    );
}

#[test]
fn a_file_error_wins_over_the_environment_and_names_the_file_line() {
    let f = file("\n[server]\nlisten = 5\n");
    let err = load_layers(
        Some(&f),
        &env(&[("PARKDESK__SERVER__LISTEN", "127.0.0.1:1")]),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("config error: site.toml:3: [server] listen = '5'"),
        "{err}"
    );
}
