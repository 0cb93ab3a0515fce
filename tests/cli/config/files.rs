//! Every file in `tests/valid_configs` loads; every file in `tests/invalid_configs` fails
//! with a message naming the file, the line, the key and quoting the value. Each invalid file
//! states what it expects in `# expect-…:` comment lines at its top.

use parkdesk::config::{self, ConfigError};
use std::path::{Path, PathBuf};

fn toml_files(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("config directory")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

/// The value of `# expect-NAME: value` in `text`, if present.
fn expectation<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let prefix = format!("# expect-{name}: ");
    text.lines()
        .find_map(|l| l.strip_prefix(prefix.as_str()))
        .map(str::trim)
}

#[test]
fn every_valid_config_loads_through_the_loader_and_the_checker() {
    let files = toml_files("valid_configs");
    assert!(files.len() >= 4, "valid configs are missing: {files:?}");
    for file in files {
        config::load(Some(&file)).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        config::check(Some(&file)).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    }
}

#[test]
fn every_invalid_config_fails_naming_its_file_line_key_and_value() {
    let files = toml_files("invalid_configs");
    assert!(files.len() >= 15, "invalid configs are missing: {files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let name = file.display().to_string();
        let err = match config::load(Some(&file)) {
            Ok(_) => panic!("{name} loaded but must fail"),
            Err(e) => e,
        };
        let shown = err.to_string();
        let ConfigError::File {
            file: named,
            line,
            key,
            message,
            ..
        } = &err
        else {
            panic!("{name}: not a located file error: {shown}");
        };
        assert_eq!(named, &name, "{shown}");
        assert!(
            shown.starts_with(&format!("config error: {name}:{line}: ")),
            "{shown}"
        );

        let want_line: usize = expectation(&text, "line")
            .expect("expect-line")
            .parse()
            .unwrap();
        assert_eq!(*line, want_line, "{name}: {shown}");
        if let Some(want_key) = expectation(&text, "key") {
            assert_eq!(key, want_key, "{name}: {shown}");
            let leaf = want_key.rsplit('.').next().unwrap();
            let leaf = leaf.split('[').next().unwrap();
            assert!(message.contains(leaf), "{name}: key not named: {shown}");
        }
        if let Some(value) = expectation(&text, "value") {
            assert!(
                message.contains(&format!("'{value}'")),
                "{name}: value not quoted: {shown}"
            );
        }
        if let Some(words) = expectation(&text, "text") {
            assert!(message.contains(words), "{name}: {shown}");
        }
    }
}

#[test]
fn a_secret_token_is_never_quoted_in_an_error() {
    let err = config::load_str(
        "t.toml",
        "[[tokens]]\ntoken = \"hunter2\"\nuser = \"\"\nroles = [\"admin\"]\n",
    )
    .unwrap_err();
    let shown = err.to_string();
    assert!(
        shown.contains("t.toml:3: [tokens] user = '': must not be empty"),
        "{shown}"
    );
    let err = config::load_str(
        "t.toml",
        "[[tokens]]\ntoken = \"hunter2\"\nuser = \"u\"\nroles = [\"admin\"]\n[[tokens]]\ntoken = \"hunter2\"\nuser = \"v\"\nroles = [\"admin\"]\n",
    )
    .unwrap_err();
    assert!(!err.to_string().contains("hunter2"), "{err}");
}

#[test]
fn a_missing_config_file_is_an_error_naming_it() {
    let err = config::load(Some(Path::new("/nonexistent/parkdesk.toml"))).unwrap_err();
    assert!(matches!(err, ConfigError::Read { .. }));
    assert!(
        err.to_string().contains("/nonexistent/parkdesk.toml"),
        "{err}"
    );
}

#[test]
fn the_protocol_contract_example_loads_exactly_as_written() {
    let file =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/valid_configs/protocol_contract.toml");
    let s = config::load(Some(&file)).unwrap();
    assert_eq!(s.server.listen.to_string(), "127.0.0.1:7370");
    let sip = s.sip.expect("[sip] is present");
    assert_eq!(sip.listen.to_string(), "127.0.0.1:5060");
    assert_eq!(sip.trusted.len(), 1);
    assert!(sip.trusted[0].contains("127.0.0.1".parse().unwrap()));
    let tokens: Vec<(&str, &str, Vec<&str>)> = s
        .tokens
        .iter()
        .map(|t| {
            (
                t.token.as_str(),
                t.user.as_str(),
                t.roles.iter().map(|r| r.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        tokens,
        vec![
            ("reception-secret", "reception", vec!["receptionist"]),
            ("wall-secret", "wallboard", vec!["monitor"]),
            ("pa-secret", "pa-station", vec!["announcer"]),
            ("admin-secret", "admin", vec!["admin"]),
        ]
    );
    assert!(s.demo.enabled);
    assert_eq!(s.demo.seed, 42);
}

/// `config check` of `text` written to a file: the check's result and the file's name.
fn check_text(text: &str) -> (Result<Vec<String>, ConfigError>, String) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("site.toml");
    std::fs::write(&file, text).expect("write the config");
    let result = config::check_with_warnings(Some(&file)).map(|(_, warnings)| warnings);
    (result, file.display().to_string())
}

const TWO_USERS: &str = "[[users]]\nid = \"ada\"\nnumbers = [\"205\"]\n\n[[users]]\nid = \"grace\"\nnumbers = [\"205\"]\n";

#[test]
fn config_check_refuses_two_users_with_the_same_number_naming_both() {
    let (result, name) = check_text(TWO_USERS);
    let err = result.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "config error: {name}: users: user 'grace' number '205' is already user 'ada''s number"
        )
    );
}

#[test]
fn config_check_refuses_a_range_over_a_users_number_naming_range_user_and_number() {
    let text = "[[users]]\nid = \"ada\"\nnumbers = [\"205\"]\n\n[[ranges]]\nname = \"front\"\nkind = \"park\"\nstart = \"200\"\nend = \"219\"\n";
    let (result, _) = check_text(text);
    let shown = result.unwrap_err().to_string();
    assert!(
        shown.contains("range 'front' (200-219) covers user 'ada''s number '205'"),
        "{shown}"
    );
}

#[test]
fn config_check_warns_of_a_range_of_hash_codes_naming_it() {
    let text = "[[ranges]]\nname = \"main\"\nkind = \"park\"\nstart = \"#100\"\nend = \"#199\"\n";
    let (result, _) = check_text(text);
    let warnings = result.unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("range 'main' (#100-#199)") && warnings[0].contains("%23"),
        "{warnings:?}"
    );
}
