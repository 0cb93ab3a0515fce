//! Key maps, themes and palette commands: the built-ins load, user files override, and bad
//! files are refused naming the file, line, key and value.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too: a failure is the test failing

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use parkdesk::console::action::{ACTIONS, Action};
use parkdesk::console::keymap::{KeyMap, KeySpec};
use parkdesk::console::palette::{PaletteCommand, PaletteError, parse};
use parkdesk::console::state::SortKey;
use parkdesk::console::theme::{ColorMode, Role, THEME_KEYS, Theme};
use ratatui::style::{Color, Modifier};

fn press(map: &KeyMap, code: KeyCode, mods: KeyModifiers) -> Option<Action> {
    map.lookup(&KeyEvent::new(code, mods)).map(|b| b.action)
}

#[test]
fn both_built_in_key_maps_load_and_bind_every_action() {
    for name in ["desk", "vim"] {
        let map = KeyMap::builtin(name).unwrap_or_else(|| panic!("{name} does not load"));
        for info in ACTIONS {
            assert!(
                !map.keys_for(info.action).is_empty(),
                "{name} leaves {} unbound",
                info.name
            );
        }
        assert_eq!(
            press(&map, KeyCode::Char('?'), KeyModifiers::NONE),
            Some(Action::Help)
        );
        assert_eq!(
            press(&map, KeyCode::Esc, KeyModifiers::NONE),
            Some(Action::Close)
        );
        assert_eq!(
            press(&map, KeyCode::Char('q'), KeyModifiers::NONE),
            Some(Action::Quit)
        );
    }
}

#[test]
fn the_desk_map_uses_function_keys_and_the_vim_map_hjkl() {
    let desk = KeyMap::load(None).unwrap();
    assert_eq!(
        press(&desk, KeyCode::F(3), KeyModifiers::NONE),
        Some(Action::Retrieve)
    );
    assert_eq!(
        press(&desk, KeyCode::F(2), KeyModifiers::SHIFT),
        Some(Action::ParkNext)
    );
    let digit = desk
        .lookup(&KeyEvent::new(KeyCode::Char('7'), KeyModifiers::NONE))
        .unwrap();
    assert_eq!((digit.action, digit.digit), (Action::Jump, Some('7')));
    let vim = KeyMap::load(Some("vim")).unwrap();
    assert_eq!(
        press(&vim, KeyCode::Char('j'), KeyModifiers::NONE),
        Some(Action::Down)
    );
    assert_eq!(
        press(&vim, KeyCode::Char('G'), KeyModifiers::SHIFT),
        Some(Action::Bottom)
    );
    assert_eq!(
        press(&vim, KeyCode::Char('3'), KeyModifiers::NONE),
        Some(Action::FocusGroups)
    );
}

#[test]
fn key_names_parse_and_print_back() {
    for text in [
        "F2",
        "Shift-F2",
        "Ctrl-c",
        "Alt-1",
        "?",
        "Enter",
        "Space",
        "PageDown",
        "Shift-Tab",
        "G",
    ] {
        let spec = KeySpec::parse(text).unwrap();
        assert_eq!(spec.label(), text);
    }
    assert_eq!(KeySpec::parse("shift-a").unwrap().label(), "A");
    assert!(KeySpec::parse("F99").is_err());
    assert!(KeySpec::parse("Hyper-x").is_err());
}

#[test]
fn a_user_file_overrides_only_the_actions_it_names() {
    let map =
        KeyMap::from_user_file("my.toml", "base = \"vim\"\nretrieve = [\"R\", \"F3\"]\n").unwrap();
    assert_eq!(
        press(&map, KeyCode::Char('R'), KeyModifiers::NONE),
        Some(Action::Retrieve)
    );
    assert_eq!(
        press(&map, KeyCode::Char('r'), KeyModifiers::NONE),
        None,
        "the old key is gone"
    );
    assert_eq!(
        press(&map, KeyCode::Char('j'), KeyModifiers::NONE),
        Some(Action::Down),
        "vim base kept"
    );
}

#[test]
fn a_key_bound_twice_is_refused_naming_file_line_key_and_the_other_action() {
    let err = KeyMap::from_user_file("my.toml", "# mine\nretrieve = \"F3\"\nannounce = \"F3\"\n")
        .unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("my.toml:"), "{text}");
    assert!(text.contains("'F3'"), "{text}");
    assert!(
        text.contains("retrieve") && text.contains("announce"),
        "{text}"
    );
    let err = KeyMap::from_user_file("my.toml", "\n\nretrieve = \"F8\"\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("my.toml:3:"), "{err}");
    assert!(
        err.contains("hangup"),
        "F8 belongs to hangup in the desk map: {err}"
    );
}

#[test]
fn bad_key_map_entries_name_the_line_key_and_value() {
    let err = KeyMap::from_user_file("my.toml", "retrieve = \"F3\"\nteleport = \"t\"\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("my.toml:2: teleport = 't': unknown action"),
        "{err}"
    );
    let err = KeyMap::from_user_file("my.toml", "retrieve = \"Hyper-r\"\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("my.toml:1: retrieve = 'Hyper-r'"), "{err}");
    let err = KeyMap::from_user_file("my.toml", "retrieve = [\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("my.toml:") && err.contains("not valid TOML"),
        "{err}"
    );
    let err = KeyMap::from_user_file("my.toml", "quit = []\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("quit") && err.contains("at least one key"),
        "{err}"
    );
    assert!(
        KeyMap::load(Some("emacs"))
            .unwrap_err()
            .to_string()
            .contains("unknown key map 'emacs'")
    );
}

#[test]
fn every_built_in_theme_sets_every_key() {
    for (name, text) in [
        ("default", parkdesk::console::theme::DEFAULT),
        ("light", parkdesk::console::theme::LIGHT),
        ("high-contrast", parkdesk::console::theme::HIGH_CONTRAST),
    ] {
        for key in THEME_KEYS {
            assert!(
                text.lines().any(|l| l.starts_with(&format!("{key} ="))),
                "{name} lacks {key}"
            );
        }
        assert!(
            Theme::builtin(name, ColorMode::Color).is_some(),
            "{name} does not load"
        );
    }
}

#[test]
fn a_user_theme_overrides_its_base_and_no_color_keeps_only_modifiers() {
    let theme = Theme::from_user_file(
        "t.toml",
        "base = \"light\"\nwarning_fg = \"#ff8800\"\n",
        ColorMode::Color,
    )
    .unwrap();
    assert_eq!(
        theme.style(Role::Warning).fg,
        Some(Color::Rgb(0xff, 0x88, 0x00))
    );
    assert_eq!(
        theme.style(Role::Critical).fg,
        Some(Color::Rgb(0xaf, 0, 0)),
        "light's critical kept"
    );
    let plain = Theme::builtin("default", ColorMode::NoColor).unwrap();
    assert_eq!(plain.style(Role::Warning).fg, None);
    assert!(
        plain
            .style(Role::Selection)
            .add_modifier
            .contains(Modifier::REVERSED)
    );
}

#[test]
fn bad_theme_entries_name_the_file_line_key_and_value() {
    let err = Theme::from_user_file(
        "t.toml",
        "name = \"x\"\nparked_fg = \"#12\"\n",
        ColorMode::Color,
    )
    .unwrap_err()
    .to_string();
    assert!(err.starts_with("t.toml:2: parked_fg = '#12'"), "{err}");
    let err = Theme::from_user_file("t.toml", "parked_fg = \"mauve-ish\"\n", ColorMode::Color)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("'mauve-ish'") && err.contains("not a colour"),
        "{err}"
    );
    let err = Theme::from_user_file("t.toml", "\nparkd_fg = \"red\"\n", ColorMode::Color)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("t.toml:2: parkd_fg = 'red': unknown theme key"),
        "{err}"
    );
    assert!(
        Theme::load(Some("neon"), ColorMode::Color)
            .unwrap_err()
            .to_string()
            .contains("unknown theme 'neon'")
    );
}

#[test]
fn a_theme_is_found_by_name_in_a_theme_directory_and_an_unknown_name_lists_the_themes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("harbour.toml"),
        "name = \"harbour\"\nbase = \"light\"\nparked_fg = \"#0087af\"\n",
    )
    .unwrap();
    let dirs = [dir.path().to_path_buf()];
    let theme = Theme::find(Some("harbour"), &dirs, ColorMode::Color).unwrap();
    assert_eq!(
        theme.style(Role::Parked).fg,
        Some(Color::Rgb(0, 0x87, 0xaf))
    );
    assert_eq!(
        theme.style(Role::Critical).fg,
        Some(Color::Rgb(0xaf, 0, 0)),
        "its base (light) fills the rest"
    );
    assert!(
        Theme::find(Some("light"), &dirs, ColorMode::Color).is_ok(),
        "the built-ins still load"
    );
    let err = Theme::find(Some("neon"), &dirs, ColorMode::Color)
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown theme 'neon'"), "{err}");
    assert!(
        err.contains("default, light, high-contrast, harbour"),
        "the list names the built-ins and the files found: {err}"
    );
    assert!(
        err.contains(&dir.path().display().to_string()),
        "it says where it looked: {err}"
    );
}

#[test]
fn every_theme_file_shipped_in_themes_loads_by_its_name() {
    let themes = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&themes).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            names.push(path.file_stem().unwrap().to_string_lossy().into_owned());
        }
    }
    assert!(names.len() >= 3, "themes/ holds {names:?}");
    let dirs = [themes];
    for name in names {
        let theme = Theme::find(Some(&name), &dirs, ColorMode::Color);
        assert!(theme.is_ok(), "--theme {name}: {:?}", theme.err());
    }
}

#[test]
fn palette_commands_parse_as_the_desk_types_them() {
    assert_eq!(
        parse(":park 705 for Ada Lovelace").unwrap(),
        PaletteCommand::Park {
            code: Some("705".into()),
            for_note: Some("Ada Lovelace".into()),
            announce: false
        }
    );
    assert_eq!(
        parse("park announce for Ada").unwrap(),
        PaletteCommand::Park {
            code: None,
            for_note: Some("Ada".into()),
            announce: true
        }
    );
    assert_eq!(
        parse(":retrieve 705").unwrap(),
        PaletteCommand::Retrieve {
            code: "705".into(),
            to: None
        }
    );
    assert_eq!(
        parse(":retrieve *105 to bob").unwrap(),
        PaletteCommand::Retrieve {
            code: "*105".into(),
            to: Some("bob".into())
        }
    );
    assert_eq!(
        parse(":announce 705").unwrap(),
        PaletteCommand::Announce {
            code: "705".into(),
            repeat: None
        }
    );
    assert_eq!(
        parse(":announce 705 3").unwrap(),
        PaletteCommand::Announce {
            code: "705".into(),
            repeat: Some(3)
        }
    );
    assert_eq!(
        parse(":pickup 880").unwrap(),
        PaletteCommand::Pickup {
            group: "880".into(),
            call: None
        }
    );
    assert_eq!(
        parse(":find Ada Love").unwrap(),
        PaletteCommand::Find {
            query: "Ada Love".into()
        }
    );
    assert_eq!(
        parse(":extend 705").unwrap(),
        PaletteCommand::Extend {
            code: "705".into(),
            seconds: 60
        }
    );
    assert_eq!(
        parse(":sort code").unwrap(),
        PaletteCommand::Sort(SortKey::Code)
    );
    assert_eq!(parse(":q").unwrap(), PaletteCommand::Quit);
}

#[test]
fn bad_palette_lines_are_typed_errors() {
    assert_eq!(parse(":"), Err(PaletteError::Empty));
    assert_eq!(
        parse(":teleport 705"),
        Err(PaletteError::Unknown("teleport".into()))
    );
    assert_eq!(
        parse(":retrieve"),
        Err(PaletteError::Missing {
            command: "retrieve",
            what: "a code",
            example: "retrieve 705"
        })
    );
    assert_eq!(
        parse(":retrieve 7o5"),
        Err(PaletteError::BadCode("7o5".into()))
    );
    assert!(matches!(
        parse(":announce 705 9"),
        Err(PaletteError::BadNumber { what: "repeat", .. })
    ));
    assert!(matches!(
        parse(":extend 705 4000"),
        Err(PaletteError::BadNumber {
            what: "seconds",
            ..
        })
    ));
    assert!(matches!(
        parse(":park 705 for"),
        Err(PaletteError::Missing { .. })
    ));
    assert_eq!(
        parse(":retrieve 705 now"),
        Err(PaletteError::Unexpected("now".into()))
    );
    assert_eq!(
        parse(":find"),
        Err(PaletteError::Missing {
            command: "find",
            what: "a name, number or group",
            example: "find ada"
        })
    );
}
