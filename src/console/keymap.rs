//! Key maps: which key runs which [`Action`]. Two ship, compiled in (`desk`, the default:
//! function keys, arrows, keypad; and `vim`: `hjkl`); a user's file overrides either.
//!
//! A file is flat TOML, one action per key: `retrieve = ["F3", "r"]`. A user's file may say
//! `base = "vim"` to start from the vim map; each action it names replaces that action's
//! keys. A key bound to two actions is refused at start, naming the file, line and key.

use super::action::{ACTIONS, Action};
use super::settings::{SettingsError, parse_flat, read_user_file, shown};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::HashMap;

/// The desk-console key map (the default).
pub const DESK: &str = include_str!("../../config/keymap-desk.toml");
/// The vim key map.
pub const VIM: &str = include_str!("../../config/keymap-vim.toml");

/// One key with its modifiers, normalised (a shifted letter is the capital letter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeySpec {
    /// The key.
    pub code: KeyCode,
    /// Ctrl, Alt, Shift (Shift only on non-character keys).
    pub mods: KeyModifiers,
}

/// What a binding matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyPattern {
    /// One key.
    Key(KeySpec),
    /// Any digit `0`–`9` (written `<digit>`): the digit is passed to the action.
    AnyDigit,
}

impl KeySpec {
    /// The normalised form of a terminal key event.
    pub fn from_event(event: &KeyEvent) -> KeySpec {
        let mods =
            event.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        match event.code {
            KeyCode::Char(c) => KeySpec {
                code: KeyCode::Char(c),
                mods: mods - KeyModifiers::SHIFT,
            },
            KeyCode::BackTab => KeySpec {
                code: KeyCode::BackTab,
                mods: mods - KeyModifiers::SHIFT,
            },
            code => KeySpec { code, mods },
        }
    }

    /// Parses `F2`, `Shift-F2`, `Ctrl-c`, `Alt-1`, `?`, `Enter`, `Space`, `PageDown`…
    pub fn parse(text: &str) -> Result<KeySpec, String> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = text;
        loop {
            let lower = rest.to_ascii_lowercase();
            let (m, len) = if lower.starts_with("ctrl-") && rest.len() > 5 {
                (KeyModifiers::CONTROL, 5)
            } else if lower.starts_with("alt-") && rest.len() > 4 {
                (KeyModifiers::ALT, 4)
            } else if lower.starts_with("shift-") && rest.len() > 6 {
                (KeyModifiers::SHIFT, 6)
            } else {
                break;
            };
            mods |= m;
            rest = &rest[len..];
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(c),
            _ => named_key(rest).ok_or_else(|| format!("'{rest}' is not a key name"))?,
        };
        let spec = match code {
            KeyCode::Char(c) if mods.contains(KeyModifiers::SHIFT) => KeySpec {
                code: KeyCode::Char(c.to_uppercase().next().unwrap_or(c)),
                mods: mods - KeyModifiers::SHIFT,
            },
            KeyCode::Tab if mods.contains(KeyModifiers::SHIFT) => KeySpec {
                code: KeyCode::BackTab,
                mods: mods - KeyModifiers::SHIFT,
            },
            code => KeySpec { code, mods },
        };
        Ok(spec)
    }

    /// The key as the help shows it (and as a file writes it).
    pub fn label(&self) -> String {
        let mut out = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            out.push_str("Ctrl-");
        }
        if self.mods.contains(KeyModifiers::ALT) {
            out.push_str("Alt-");
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            out.push_str("Shift-");
        }
        let name = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Backspace => "Backspace".into(),
            KeyCode::Delete => "Delete".into(),
            KeyCode::Insert => "Insert".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::PageUp => "PageUp".into(),
            KeyCode::PageDown => "PageDown".into(),
            KeyCode::Up => "Up".into(),
            KeyCode::Down => "Down".into(),
            KeyCode::Left => "Left".into(),
            KeyCode::Right => "Right".into(),
            other => format!("{other:?}"),
        };
        out.push_str(&name);
        out
    }
}

fn named_key(name: &str) -> Option<KeyCode> {
    let lower = name.to_ascii_lowercase();
    let code = match lower.as_str() {
        "enter" | "return" => KeyCode::Enter,
        "esc" | "escape" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "backtab" => KeyCode::BackTab,
        "backspace" => KeyCode::Backspace,
        "delete" | "del" => KeyCode::Delete,
        "insert" | "ins" => KeyCode::Insert,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "pageup" | "pgup" => KeyCode::PageUp,
        "pagedown" | "pgdn" => KeyCode::PageDown,
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "space" => KeyCode::Char(' '),
        "minus" => KeyCode::Char('-'),
        _ => {
            let n: u8 = lower.strip_prefix('f')?.parse().ok()?;
            if (1..=24).contains(&n) {
                KeyCode::F(n)
            } else {
                return None;
            }
        }
    };
    Some(code)
}

impl KeyPattern {
    /// Parses a key, or `<digit>`.
    pub fn parse(text: &str) -> Result<KeyPattern, String> {
        if text.eq_ignore_ascii_case("<digit>") {
            Ok(KeyPattern::AnyDigit)
        } else {
            KeySpec::parse(text).map(KeyPattern::Key)
        }
    }

    /// As the help shows it.
    pub fn label(&self) -> String {
        match self {
            KeyPattern::Key(k) => k.label(),
            KeyPattern::AnyDigit => "0-9".into(),
        }
    }
}

/// Where a binding came from, for conflict messages.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Origin {
    file: String,
    line: usize,
}

/// A compiled key map.
#[derive(Debug, Clone)]
pub struct KeyMap {
    /// Each action's keys, in file order.
    bindings: Vec<(Action, Vec<KeyPattern>)>,
    lookup: HashMap<KeyPattern, Action>,
    /// The name shown in the help title (`desk`, `vim` or the user's file).
    pub name: String,
}

/// What a key press means under a key map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bound {
    /// The action.
    pub action: Action,
    /// The digit typed, for `<digit>` bindings.
    pub digit: Option<char>,
}

type Parsed = Vec<(Action, Vec<KeyPattern>, Origin)>;

fn parse_map(file: &str, text: &str) -> Result<(Option<String>, Parsed), SettingsError> {
    let mut base = None;
    let mut out = Vec::new();
    for (key, line, value) in parse_flat(file, text)? {
        let bad = |problem: String| SettingsError::Value {
            file: file.to_string(),
            line,
            key: key.clone(),
            value: shown(&value),
            problem,
        };
        if key == "base" {
            match &value {
                toml::Value::String(s) if s == "desk" || s == "vim" => base = Some(s.clone()),
                _ => return Err(bad("base must be \"desk\" or \"vim\"".into())),
            }
            continue;
        }
        let action = Action::from_name(&key).ok_or_else(|| {
            bad(format!(
                "unknown action; actions are {}",
                ACTIONS
                    .iter()
                    .map(|a| a.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
        let texts: Vec<String> = match &value {
            toml::Value::String(s) => vec![s.clone()],
            toml::Value::Array(items) => items
                .iter()
                .map(|i| i.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| bad("keys must be strings, e.g. [\"F3\", \"r\"]".into()))?,
            _ => {
                return Err(bad(
                    "expected a key or a list of keys, e.g. [\"F3\", \"r\"]".into(),
                ));
            }
        };
        let mut keys = Vec::new();
        for t in &texts {
            let pattern = KeyPattern::parse(t).map_err(|problem| SettingsError::Value {
                file: file.to_string(),
                line,
                key: key.clone(),
                value: t.clone(),
                problem,
            })?;
            keys.push(pattern);
        }
        out.push((
            action,
            keys,
            Origin {
                file: file.to_string(),
                line,
            },
        ));
    }
    Ok((base, out))
}

impl KeyMap {
    /// A built-in map by name (`desk` or `vim`).
    pub fn builtin(name: &str) -> Option<KeyMap> {
        let text = match name {
            "desk" => DESK,
            "vim" => VIM,
            _ => return None,
        };
        let file = format!("config/keymap-{name}.toml (built in)");
        let (_, parsed) = parse_map(&file, text).ok()?;
        KeyMap::compile(name.to_string(), parsed).ok()
    }

    /// The map chosen by the user: `None` or `desk` → desk, `vim`, or a path to a file that
    /// overrides the desk map (or the one its `base` names).
    pub fn load(choice: Option<&str>) -> Result<KeyMap, SettingsError> {
        let choice = choice.unwrap_or("desk");
        if let Some(map) = KeyMap::builtin(choice) {
            return Ok(map);
        }
        let path = std::path::Path::new(choice);
        if !choice.ends_with(".toml") && !path.exists() {
            return Err(SettingsError::UnknownName {
                what: "key map",
                name: choice.to_string(),
                builtins: "desk, vim".into(),
            });
        }
        let text = read_user_file(choice)?;
        KeyMap::from_user_file(choice, &text)
    }

    /// A user's file `text` (named `file` in errors) over its base map.
    pub fn from_user_file(file: &str, text: &str) -> Result<KeyMap, SettingsError> {
        let (base, user) = parse_map(file, text)?;
        let base = base.unwrap_or_else(|| "desk".to_string());
        let base_file = format!("config/keymap-{base}.toml (built in)");
        let base_text = if base == "vim" { VIM } else { DESK };
        let (_, mut merged) = parse_map(&base_file, base_text)?;
        for (action, keys, origin) in user {
            merged.retain(|(a, _, _)| *a != action);
            merged.push((action, keys, origin));
        }
        KeyMap::compile(file.to_string(), merged)
    }

    fn compile(name: String, parsed: Parsed) -> Result<KeyMap, SettingsError> {
        let mut lookup: HashMap<KeyPattern, (Action, Origin)> = HashMap::new();
        for (action, keys, origin) in &parsed {
            for key in keys {
                if let Some((other, other_origin)) = lookup.get(key)
                    && other != action
                {
                    return Err(SettingsError::Value {
                        file: origin.file.clone(),
                        line: origin.line,
                        key: action.info().name.to_string(),
                        value: key.label(),
                        problem: format!(
                            "key already bound to '{}' ({}:{}); bind that action to another key too",
                            other.info().name,
                            other_origin.file,
                            other_origin.line
                        ),
                    });
                }
                lookup.insert(*key, (*action, origin.clone()));
            }
        }
        for needed in [Action::Quit, Action::Close, Action::Help] {
            if !parsed
                .iter()
                .any(|(a, keys, _)| *a == needed && !keys.is_empty())
            {
                return Err(SettingsError::Value {
                    file: name.clone(),
                    line: 1,
                    key: needed.info().name.to_string(),
                    value: String::new(),
                    problem: "must keep at least one key".into(),
                });
            }
        }
        let mut bindings: Vec<(Action, Vec<KeyPattern>)> =
            parsed.into_iter().map(|(a, k, _)| (a, k)).collect();
        bindings.sort_by_key(|(a, _)| ACTIONS.iter().position(|i| i.action == *a));
        Ok(KeyMap {
            bindings,
            lookup: lookup.into_iter().map(|(k, (a, _))| (k, a)).collect(),
            name,
        })
    }

    /// What `event` means, if anything.
    pub fn lookup(&self, event: &KeyEvent) -> Option<Bound> {
        let spec = KeySpec::from_event(event);
        if let Some(action) = self.lookup.get(&KeyPattern::Key(spec)) {
            return Some(Bound {
                action: *action,
                digit: None,
            });
        }
        match spec.code {
            KeyCode::Char(c) if c.is_ascii_digit() && spec.mods.is_empty() => {
                self.lookup.get(&KeyPattern::AnyDigit).map(|a| Bound {
                    action: *a,
                    digit: Some(c),
                })
            }
            _ => None,
        }
    }

    /// The keys of `action`, as the help shows them.
    pub fn keys_for(&self, action: Action) -> Vec<String> {
        self.bindings
            .iter()
            .find(|(a, _)| *a == action)
            .map(|(_, keys)| keys.iter().map(KeyPattern::label).collect())
            .unwrap_or_default()
    }

    /// The first key of `action` (for hints), if bound.
    pub fn first_key(&self, action: Action) -> Option<String> {
        self.keys_for(action).into_iter().next()
    }
}
