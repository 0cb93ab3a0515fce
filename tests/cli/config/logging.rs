//! Logging writes filtered lines to a daily file in the log directory and nowhere else.
//! One test only: a process has one global subscriber.

use parkdesk::config::LogSettings;
use parkdesk::config::logging::{LogError, init};

#[test]
fn logging_writes_lines_at_or_above_the_level_to_a_daily_file_and_starts_once() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("nested/logs");

    let bad = LogSettings {
        level: "parkdesk=loud".into(),
        dir: Some(logs.clone()),
        keep: 2,
    };
    assert!(matches!(init(&bad, None), Err(LogError::Filter { .. })));

    let settings = LogSettings {
        level: "warn".into(),
        dir: Some(logs.clone()),
        keep: 2,
    };
    let guard = init(&settings, Some("info")).unwrap();
    assert_eq!(guard.dir(), logs);
    tracing::info!(code = "705", "parked a call for the test");
    tracing::debug!("a debug line below the level");
    assert!(matches!(
        init(&settings, None),
        Err(LogError::AlreadyStarted(_))
    ));
    drop(guard);

    let files: Vec<_> = std::fs::read_dir(&logs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_string_lossy().to_string();
    assert!(
        name.starts_with("parkdesk.") && name.ends_with(".log"),
        "{name}"
    );
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert!(text.contains("parked a call for the test"), "{text}");
    assert!(text.contains("code=\"705\""), "{text}");
    assert!(!text.contains("a debug line"), "{text}");
    assert!(!text.contains('\u{1b}'), "no colour codes in files: {text}");
}
