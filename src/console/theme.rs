//! Themes: flat TOML files of semantic colour keys (`parked_fg`, `warning_fg`,
//! `selection_bg`…). Widgets ask for a [`Role`]; the theme answers with a style. Built-ins
//! (`default` dark, `light`, `high-contrast`) are compiled in; a user's file may name a
//! `base` and override any keys. Under `NO_COLOR` only bold, dim and reverse are used, and
//! every state still carries a glyph or a word.

use super::settings::{SettingsError, parse_flat, read_user_file, shown};
use ratatui::style::{Color, Modifier, Style};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The dark default theme.
pub const DEFAULT: &str = include_str!("../../themes/default.toml");
/// The light theme.
pub const LIGHT: &str = include_str!("../../themes/light.toml");
/// The high-contrast theme.
pub const HIGH_CONTRAST: &str = include_str!("../../themes/high-contrast.toml");

/// Whether colours are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorMode {
    /// Colours from the theme.
    Color,
    /// No colours (`NO_COLOR`): modifiers only.
    NoColor,
}

impl ColorMode {
    /// `NoColor` when the `NO_COLOR` variable is set to anything non-empty (no-color.org).
    pub fn from_env() -> ColorMode {
        match std::env::var_os("NO_COLOR") {
            Some(v) if !v.is_empty() => ColorMode::NoColor,
            _ => ColorMode::Color,
        }
    }
}

/// What a piece of the screen is, for styling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(missing_docs)] // the names say it; the theme keys are listed in THEME_KEYS
pub enum Role {
    Text,
    Dim,
    Border,
    BorderFocus,
    Title,
    Header,
    ReadOnly,
    Offline,
    Selection,
    Parked,
    Retrieving,
    Ringback,
    Fallback,
    Normal,
    Warning,
    Critical,
    Ringing,
    Connected,
    Held,
    Info,
    Error,
    Key,
    Time,
    Bar,
    BarEmpty,
    LogPark,
    LogRetrieve,
    LogFailure,
    LogPickup,
    LogAnnounce,
    LogNote,
}

/// Every key a theme file may set: each role's `_fg` (and `_bg` where it has one), plus
/// `background` and `foreground`.
pub const THEME_KEYS: &[&str] = &[
    "background",
    "foreground",
    "dim_fg",
    "border_fg",
    "border_focus_fg",
    "title_fg",
    "header_fg",
    "header_bg",
    "readonly_fg",
    "readonly_bg",
    "offline_fg",
    "offline_bg",
    "selection_fg",
    "selection_bg",
    "parked_fg",
    "retrieving_fg",
    "ringback_fg",
    "fallback_fg",
    "normal_fg",
    "warning_fg",
    "critical_fg",
    "ringing_fg",
    "connected_fg",
    "held_fg",
    "info_fg",
    "error_fg",
    "key_fg",
    "time_fg",
    "bar_fg",
    "bar_empty_fg",
    "log_park_fg",
    "log_retrieve_fg",
    "log_failure_fg",
    "log_pickup_fg",
    "log_announce_fg",
    "log_note_fg",
];

impl Role {
    /// The theme keys for this role's foreground and background.
    fn keys(self) -> (&'static str, Option<&'static str>) {
        match self {
            Role::Text => ("foreground", Some("background")),
            Role::Dim => ("dim_fg", None),
            Role::Border => ("border_fg", None),
            Role::BorderFocus => ("border_focus_fg", None),
            Role::Title => ("title_fg", None),
            Role::Header => ("header_fg", Some("header_bg")),
            Role::ReadOnly => ("readonly_fg", Some("readonly_bg")),
            Role::Offline => ("offline_fg", Some("offline_bg")),
            Role::Selection => ("selection_fg", Some("selection_bg")),
            Role::Parked => ("parked_fg", None),
            Role::Retrieving => ("retrieving_fg", None),
            Role::Ringback => ("ringback_fg", None),
            Role::Fallback => ("fallback_fg", None),
            Role::Normal => ("normal_fg", None),
            Role::Warning => ("warning_fg", None),
            Role::Critical => ("critical_fg", None),
            Role::Ringing => ("ringing_fg", None),
            Role::Connected => ("connected_fg", None),
            Role::Held => ("held_fg", None),
            Role::Info => ("info_fg", None),
            Role::Error => ("error_fg", None),
            Role::Key => ("key_fg", None),
            Role::Time => ("time_fg", None),
            Role::Bar => ("bar_fg", None),
            Role::BarEmpty => ("bar_empty_fg", None),
            Role::LogPark => ("log_park_fg", None),
            Role::LogRetrieve => ("log_retrieve_fg", None),
            Role::LogFailure => ("log_failure_fg", None),
            Role::LogPickup => ("log_pickup_fg", None),
            Role::LogAnnounce => ("log_announce_fg", None),
            Role::LogNote => ("log_note_fg", None),
        }
    }

    /// Modifiers kept in every colour mode: what makes the role readable without colour.
    fn modifiers(self) -> Modifier {
        match self {
            Role::Title | Role::Header | Role::Critical | Role::Error | Role::Key => Modifier::BOLD,
            Role::ReadOnly | Role::Offline | Role::Selection => Modifier::REVERSED | Modifier::BOLD,
            Role::Dim | Role::BarEmpty => Modifier::DIM,
            Role::BorderFocus => Modifier::BOLD,
            _ => Modifier::empty(),
        }
    }
}

const ALL_ROLES: &[Role] = &[
    Role::Text,
    Role::Dim,
    Role::Border,
    Role::BorderFocus,
    Role::Title,
    Role::Header,
    Role::ReadOnly,
    Role::Offline,
    Role::Selection,
    Role::Parked,
    Role::Retrieving,
    Role::Ringback,
    Role::Fallback,
    Role::Normal,
    Role::Warning,
    Role::Critical,
    Role::Ringing,
    Role::Connected,
    Role::Held,
    Role::Info,
    Role::Error,
    Role::Key,
    Role::Time,
    Role::Bar,
    Role::BarEmpty,
    Role::LogPark,
    Role::LogRetrieve,
    Role::LogFailure,
    Role::LogPickup,
    Role::LogAnnounce,
    Role::LogNote,
];

/// A compiled theme: a style per role.
#[derive(Debug, Clone)]
pub struct Theme {
    /// The theme's name.
    pub name: String,
    styles: BTreeMap<Role, Style>,
}

/// The built-in themes' names, in the order they are listed.
pub const BUILTIN_NAMES: &[&str] = &["default", "light", "high-contrast"];

/// Where `--theme NAME` (and `[console] theme`) looks for `NAME.toml` after the built-ins:
/// `themes/` in the current directory (a checkout of the repository, or a site's own
/// folder), then the user's theme directory (`themes/` beside the XDG config file).
pub fn theme_dirs() -> Vec<PathBuf> {
    let mut dirs = vec![PathBuf::from("themes")];
    dirs.extend(crate::config::user_theme_dir());
    dirs
}

/// The built-in names, then the stem of every `*.toml` in `dirs` (each name once).
fn known_names(dirs: &[PathBuf]) -> Vec<String> {
    let mut names: Vec<String> = BUILTIN_NAMES.iter().map(|n| n.to_string()).collect();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut found: Vec<String> = entries
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.extension().is_some_and(|e| e == "toml") && path.is_file())
            .filter_map(|path| path.file_stem().map(|s| s.to_string_lossy().into_owned()))
            .filter(|name| !names.contains(name))
            .collect();
        found.sort();
        found.dedup();
        names.extend(found);
    }
    names
}

fn builtin_text(name: &str) -> Option<&'static str> {
    match name {
        "default" | "dark" => Some(DEFAULT),
        "light" => Some(LIGHT),
        "high-contrast" => Some(HIGH_CONTRAST),
        _ => None,
    }
}

/// Parses a colour: a name (`red`, `light_blue`, `dark_gray`), `#rrggbb`, an index `0`–`255`,
/// or `reset` (the terminal's own).
pub fn parse_color(text: &str) -> Result<Color, String> {
    let t = text.trim();
    if t.starts_with('#') && t.len() != 7 {
        return Err("a hex colour is #rrggbb".into());
    }
    Color::from_str(t).map_err(|_| {
        "not a colour: use a name (red, light_blue, dark_gray…), #rrggbb, 0-255 or reset".into()
    })
}

type Colors = BTreeMap<String, Color>;

fn parse_theme(file: &str, text: &str) -> Result<(Option<String>, Colors), SettingsError> {
    let mut base = None;
    let mut colors = BTreeMap::new();
    for (key, line, value) in parse_flat(file, text)? {
        let bad = |problem: String| SettingsError::Value {
            file: file.to_string(),
            line,
            key: key.clone(),
            value: shown(&value),
            problem,
        };
        match (key.as_str(), &value) {
            ("name", toml::Value::String(_)) => {}
            ("base", toml::Value::String(s)) if builtin_text(s).is_some() => base = Some(s.clone()),
            ("base", _) => return Err(bad("base must be default, light or high-contrast".into())),
            (k, toml::Value::String(s)) if THEME_KEYS.contains(&k) => {
                colors.insert(key.clone(), parse_color(s).map_err(bad)?);
            }
            (k, _) if THEME_KEYS.contains(&k) => {
                return Err(bad("expected a colour string".into()));
            }
            _ => {
                return Err(bad(format!(
                    "unknown theme key; keys are {}",
                    THEME_KEYS.join(", ")
                )));
            }
        }
    }
    Ok((base, colors))
}

impl Theme {
    /// A built-in theme by name.
    pub fn builtin(name: &str, mode: ColorMode) -> Option<Theme> {
        let text = builtin_text(name)?;
        let file = format!("themes/{name}.toml (built in)");
        let (_, colors) = parse_theme(&file, text).ok()?;
        Theme::compile(name, &colors, mode).ok()
    }

    /// The theme chosen by the user: `None` → `default`, a built-in name, a path to a file
    /// that overrides `default` (or its `base`), or the name of a `NAME.toml` in one of the
    /// [`theme_dirs`].
    pub fn load(choice: Option<&str>, mode: ColorMode) -> Result<Theme, SettingsError> {
        Theme::find(choice, &theme_dirs(), mode)
    }

    /// [`Theme::load`] with the theme directories given: a built-in first, then a path
    /// (`….toml`, or a file that exists), then `NAME.toml` in each of `dirs` in turn. An
    /// unknown name is refused listing the built-ins and the files found in `dirs`.
    pub fn find(
        choice: Option<&str>,
        dirs: &[PathBuf],
        mode: ColorMode,
    ) -> Result<Theme, SettingsError> {
        let choice = choice.unwrap_or("default");
        if let Some(theme) = Theme::builtin(choice, mode) {
            return Ok(theme);
        }
        if choice.ends_with(".toml") || Path::new(choice).exists() {
            let text = read_user_file(choice)?;
            return Theme::from_user_file(choice, &text, mode);
        }
        // A plain name only: `../x` is not looked up beside the theme directories.
        let plain = !choice.is_empty() && !choice.contains(['/', '\\']);
        let found = dirs
            .iter()
            .map(|dir| dir.join(format!("{choice}.toml")))
            .find(|file| plain && file.is_file());
        if let Some(file) = found {
            let file = file.display().to_string();
            let text = read_user_file(&file)?;
            return Theme::from_user_file(&file, &text, mode);
        }
        Err(SettingsError::UnknownTheme {
            name: choice.to_string(),
            known: known_names(dirs).join(", "),
            searched: if dirs.is_empty() {
                "no theme directory".into()
            } else {
                dirs.iter()
                    .map(|d| d.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        })
    }

    /// A user's theme file over its base.
    pub fn from_user_file(file: &str, text: &str, mode: ColorMode) -> Result<Theme, SettingsError> {
        let (base, overrides) = parse_theme(file, text)?;
        let base = base.unwrap_or_else(|| "default".to_string());
        let base_text = builtin_text(&base).unwrap_or(DEFAULT);
        let (_, mut colors) = parse_theme(&format!("themes/{base}.toml (built in)"), base_text)?;
        colors.extend(overrides);
        Theme::compile(file, &colors, mode)
    }

    fn compile(name: &str, colors: &Colors, mode: ColorMode) -> Result<Theme, SettingsError> {
        if let Some(missing) = THEME_KEYS.iter().find(|k| !colors.contains_key(**k)) {
            return Err(SettingsError::Value {
                file: name.to_string(),
                line: 1,
                key: (*missing).to_string(),
                value: String::new(),
                problem: "missing from the theme".into(),
            });
        }
        let mut styles = BTreeMap::new();
        for role in ALL_ROLES {
            let (fg_key, bg_key) = role.keys();
            let mut style = Style::default().add_modifier(role.modifiers());
            if mode == ColorMode::Color {
                // Reversed roles use their colours directly, not swapped.
                style = style.remove_modifier(Modifier::REVERSED);
                if let Some(fg) = colors.get(fg_key) {
                    style = style.fg(*fg);
                }
                if let Some(bg) = bg_key.and_then(|k| colors.get(k)) {
                    style = style.bg(*bg);
                }
            }
            styles.insert(*role, style);
        }
        Ok(Theme {
            name: name.to_string(),
            styles,
        })
    }

    /// The style for `role`.
    pub fn style(&self, role: Role) -> Style {
        self.styles.get(&role).copied().unwrap_or_default()
    }
}
