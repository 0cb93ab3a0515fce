//! From settings to the engine's setup and to the places files go.

use parkdesk::config::{self, LogSettings, Settings, StoreLocation, StoreSettings};
use parkdesk::engine::{EngineSetup, RangeKind};
use std::path::{Path, PathBuf};

#[test]
fn default_settings_give_the_engines_default_setup() {
    assert_eq!(Settings::default().engine_setup(), EngineSetup::default());
}

#[test]
fn a_configured_directory_replaces_the_engine_defaults_list_by_list() {
    let file =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/valid_configs/full_directory.toml");
    let setup = config::load(Some(&file)).unwrap().engine_setup();
    assert_eq!(setup.park_extension, "*700");
    assert_eq!(setup.directed_prefix, "#70");
    assert_eq!(setup.retrieve_ring_time, 20);
    let ranges: Vec<(&str, RangeKind, &str, &str)> = setup
        .ranges
        .iter()
        .map(|r| (r.name.as_str(), r.kind, r.start.as_str(), r.end.as_str()))
        .collect();
    assert_eq!(
        ranges,
        [
            ("main", RangeKind::Park, "*100", "*199"),
            ("teams", RangeKind::Park, "40", "69"),
            ("pickup", RangeKind::Pickup, "880", "899"),
        ]
    );
    assert_eq!(setup.policies.len(), 2);
    assert_eq!(setup.policies[0].park_timeout, 120);
    assert_eq!(setup.policies[0].caller_escape_digit, Some('0'));
    assert_eq!(
        setup.policies[1].park_timeout, 300,
        "unset policy keys take the defaults"
    );
    assert_eq!(setup.users.len(), 2);
    assert_eq!(setup.groups[0].number.as_deref(), Some("881"));
    assert_eq!(setup.assignments[0].policy, "staff");
    assert_eq!(setup.allow_list, ["+4930555000", "112233"]);
}

#[test]
fn a_setup_with_only_policies_keeps_the_default_ranges() {
    let s = config::load_str(
        "p.toml",
        "[[policies]]\nname = \"global\"\nallow_park = true\n",
    )
    .unwrap();
    let setup = s.engine_setup();
    assert_eq!(setup.ranges, EngineSetup::default().ranges);
    assert!(setup.policies[0].allow_park);
}

#[test]
fn the_store_is_in_memory_at_a_path_or_in_the_data_directory() {
    let memory = StoreSettings {
        path: Some(PathBuf::from(":memory:")),
        ..StoreSettings::default()
    };
    assert_eq!(memory.location().unwrap(), StoreLocation::Memory);
    let file = StoreSettings {
        path: Some(PathBuf::from("/srv/p.db")),
        ..StoreSettings::default()
    };
    assert_eq!(
        file.location().unwrap(),
        StoreLocation::File("/srv/p.db".into())
    );
    if let Ok(StoreLocation::File(default)) = StoreSettings::default().location() {
        assert!(
            default.ends_with("parkdesk/parkdesk.db"),
            "{}",
            default.display()
        );
    }
}

#[test]
fn logs_go_to_the_configured_directory_or_a_parkdesk_logs_directory() {
    let set = LogSettings {
        dir: Some("/var/log/pd".into()),
        ..Default::default()
    };
    assert_eq!(set.directory().unwrap(), PathBuf::from("/var/log/pd"));
    if let Ok(default) = LogSettings::default().directory() {
        assert!(default.ends_with("parkdesk/logs"), "{}", default.display());
    }
}

#[test]
fn a_configured_token_matches_only_its_own_secret() {
    let t = config::TokenSettings {
        token: "reception-secret".into(),
        user: "reception".into(),
        roles: vec![parkdesk::engine::Role::Receptionist],
    };
    assert!(t.matches("reception-secret"));
    assert!(!t.matches("reception-secret "));
    assert!(!t.matches(""));
    assert!(
        !config::TokenSettings::default().matches(""),
        "an empty token matches nothing"
    );
}

#[tokio::test]
async fn a_memory_location_opens_a_working_store() {
    let store = StoreLocation::Memory.open().unwrap();
    store.allow_add("+1");
    assert_eq!(store.load_setup().await.unwrap().allow_list, ["+1"]);
}
