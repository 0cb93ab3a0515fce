//! Loading: defaults ⊕ a file ⊕ `PARKDESK__SECTION__KEY` variables, layered by the `config`
//! crate, after each source has been checked alone so an error can name its file and line
//! or its variable.

use super::error::ConfigError;
use super::explain::{explain, quote};
use super::locate::{Document, KeyPath, line_of};
use super::settings::Settings;
use super::validate::{Issue, validate};
use super::{DEFAULT_TOML, paths};
use config::{Config, Environment, File, FileFormat};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The prefix of the variables that override settings, before `SECTION__KEY`.
pub const ENV_PREFIX: &str = "PARKDESK__";

/// Keys whose variables are comma-separated lists.
const ENV_LIST_KEYS: &[&str] = &["sip.trusted", "allow_list"];

/// A configuration file's name (as errors show it) and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The name errors use, usually the path.
    pub name: String,
    /// The TOML text.
    pub text: String,
}

impl SourceFile {
    /// Reads a file; a missing or unreadable file is an error naming it.
    pub fn read(path: &Path) -> Result<SourceFile, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            file: path.to_path_buf(),
            source,
        })?;
        Ok(SourceFile {
            name: path.display().to_string(),
            text,
        })
    }
}

/// Loads the configuration: the embedded defaults, then `path` if given (else the XDG
/// `parkdesk/config.toml` if it exists), then the process's `PARKDESK__…` variables.
pub fn load(path: Option<&Path>) -> Result<Settings, ConfigError> {
    let file = match path {
        Some(path) => Some(SourceFile::read(path)?),
        None => match paths::default_config_file() {
            Some(path) if path.is_file() => Some(SourceFile::read(&path)?),
            _ => None,
        },
    };
    load_layers(file.as_ref(), &process_env())
}

/// Loads `text` as the only file over the defaults, without the environment (for tests and
/// tools); `name` is what errors call the file.
pub fn load_str(name: &str, text: &str) -> Result<Settings, ConfigError> {
    let file = SourceFile {
        name: name.to_string(),
        text: text.to_string(),
    };
    load_layers(Some(&file), &HashMap::new())
}

/// Loads the defaults ⊕ `file` ⊕ the `PARKDESK__…` entries of `env`, then validates.
pub fn load_layers(
    file: Option<&SourceFile>,
    env: &HashMap<String, String>,
) -> Result<Settings, ConfigError> {
    let env: BTreeMap<String, String> = env
        .iter()
        .filter(|(k, _)| env_key(k).is_some())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();

    let document = match file {
        Some(file) => Some(check_file(file)?),
        None => None,
    };
    for (var, value) in &env {
        check_variable(var, value)?;
    }

    let mut builder = Config::builder().add_source(File::from_str(DEFAULT_TOML, FileFormat::Toml));
    if let Some(file) = file {
        builder = builder.add_source(File::from_str(&file.text, FileFormat::Toml));
    }
    let settings: Settings = builder
        .add_source(environment(&env))
        .build()
        .and_then(Config::try_deserialize)
        .map_err(|e| ConfigError::Layering(e.to_string()))?;

    match validate(&settings).into_iter().next() {
        None => Ok(settings),
        Some(issue) => Err(place(issue, file.zip(document.as_ref()), &env)),
    }
}

/// The process's variables that start with [`ENV_PREFIX`].
fn process_env() -> HashMap<String, String> {
    std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .filter(|(k, _)| env_key(k).is_some())
        .collect()
}

/// The dotted key a variable sets (`PARKDESK__SERVER__LISTEN` → `server.listen`), or `None`
/// for a variable without the prefix. Case does not matter, as in the `config` crate.
fn env_key(var: &str) -> Option<String> {
    let lower = var.to_lowercase();
    let rest = lower.strip_prefix(&ENV_PREFIX.to_lowercase())?;
    (!rest.is_empty()).then(|| rest.replace("__", "."))
}

/// The `config` source for `vars`.
fn environment(vars: &BTreeMap<String, String>) -> Environment {
    let map = vars.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let mut env = Environment::with_prefix("PARKDESK")
        .prefix_separator("__")
        .separator("__")
        .try_parsing(true)
        .list_separator(",");
    for key in ENV_LIST_KEYS {
        env = env.with_list_parse_key(key);
    }
    env.source(Some(map))
}

/// Parses a file alone and deserializes it alone, so an unknown key or a bad value is
/// reported with the file's line.
fn check_file(file: &SourceFile) -> Result<Document<'_>, ConfigError> {
    let document = Document::parse(&file.text).map_err(|e| {
        let line = e.span().map(|s| line_of(&file.text, s.start)).unwrap_or(1);
        ConfigError::File {
            file: file.name.clone(),
            line,
            key: String::new(),
            value: None,
            message: format!("not valid TOML: {}", e.message().trim()),
        }
    })?;
    if let Err(e) = toml::from_str::<Settings>(&file.text) {
        let found = e
            .span()
            .and_then(|s| document.find_at(s.start))
            .map(|found| document.narrow(found, e.message()));
        let (path, value, line) = match found {
            Some(found) => (found.path, found.value, found.line),
            None => {
                let line = e.span().map(|s| document.line_of(s.start)).unwrap_or(1);
                (KeyPath::default(), None, line)
            }
        };
        let mut message = explain(&path, value.as_deref(), e.message().trim());
        if e.message().starts_with("unknown field") && is_misplaced_top_level_key(&path) {
            message.push_str(" (top-level keys must come before the first [section])");
        }
        return Err(ConfigError::File {
            file: file.name.clone(),
            line,
            key: path.dotted(),
            message,
            value,
        });
    }
    Ok(document)
}

/// Whether `path` is a top-level key (`allow_list`, `[[ranges]]`…) written inside a section:
/// TOML puts a key after a `[section]` header into that section.
fn is_misplaced_top_level_key(path: &KeyPath) -> bool {
    let (Some(_), Some(leaf)) = (path.section(), path.leaf()) else {
        return false;
    };
    match serde_json::to_value(Settings::default()) {
        Ok(serde_json::Value::Object(top)) => top.contains_key(leaf),
        _ => false,
    }
}

/// Deserializes one variable alone over the defaults, so a bad one is named.
fn check_variable(var: &str, value: &str) -> Result<(), ConfigError> {
    let key = env_key(var).unwrap_or_default();
    let single = BTreeMap::from([(var.to_string(), value.to_string())]);
    let result = Config::builder()
        .add_source(environment(&single))
        .build()
        .and_then(Config::try_deserialize::<Settings>);
    let Err(e) = result else { return Ok(()) };
    let path = KeyPath::keys(&key.split('.').collect::<Vec<_>>());
    let mut text = e.to_string();
    // The `config` crate appends where it was ("for key `server.listen` in the
    // environment"); the variable's name says it better.
    if let Some(at) = text.find(" for key `") {
        text.truncate(at);
    }
    let message = match text.find("unknown field ") {
        Some(at) => explain(&path, Some(value), text[at..].trim()),
        None => format!("{} = {}: {}", path.describe(), quote(&path, value), text),
    };
    Err(ConfigError::Env {
        var: var.to_string(),
        key,
        value: value.to_string(),
        message,
    })
}

/// Names the source of a broken rule: the variable that set the key, else the file's line.
fn place(
    issue: Issue,
    file: Option<(&SourceFile, &Document<'_>)>,
    env: &BTreeMap<String, String>,
) -> ConfigError {
    let dotted = issue.path.dotted();
    if let Some((var, value)) = env
        .iter()
        .find(|(k, _)| env_key(k).as_deref() == Some(&dotted))
    {
        return ConfigError::Env {
            var: var.clone(),
            key: dotted,
            value: value.clone(),
            message: issue.message(),
        };
    }
    if let Some((file, document)) = file
        && let Some(found) = document.locate(&issue.path)
    {
        return ConfigError::File {
            file: file.name.clone(),
            line: found.line,
            key: dotted,
            value: Some(issue.value.clone()),
            message: issue.message(),
        };
    }
    issue.into_error()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_variable_names_its_dotted_key_whatever_its_case() {
        assert_eq!(
            env_key("PARKDESK__SERVER__LISTEN").as_deref(),
            Some("server.listen")
        );
        assert_eq!(
            env_key("parkdesk__server__max_connections").as_deref(),
            Some("server.max_connections")
        );
        assert_eq!(env_key("PARKDESK_TOKEN"), None);
        assert_eq!(env_key("PARKDESK__"), None);
    }
}
