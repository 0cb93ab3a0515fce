//! Configuration errors: each names where the bad setting came from (a file and line, or an
//! environment variable), the key, and quotes the bad 'value'.

use crate::engine::EngineError;
use std::path::PathBuf;
use thiserror::Error;

/// Why a configuration could not be loaded. The `Display` text is for the user as is.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// A configuration file could not be read.
    #[error("config error: {}: cannot read: {source}", file.display())]
    Read {
        /// The file.
        file: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A file holds bad TOML, an unknown key, a value of the wrong type or out of range.
    #[error("config error: {file}:{line}: {message}")]
    File {
        /// The file, as named to the loader.
        file: String,
        /// The 1-based line of the bad key or value.
        line: usize,
        /// The dotted key (`server.listen`, `policies[1].park_timeout`); empty for a syntax
        /// error that names no key.
        key: String,
        /// The bad value as written, when there is one.
        value: Option<String>,
        /// What is wrong, naming the key and quoting the value.
        message: String,
    },
    /// An environment variable holds an unknown key or a bad value.
    #[error("config error: environment variable {var}: {message}")]
    Env {
        /// The variable (`PARKDESK__SERVER__LISTEN`).
        var: String,
        /// The dotted key it sets.
        key: String,
        /// Its value.
        value: String,
        /// What is wrong.
        message: String,
    },
    /// A setting breaks a rule, in settings that came from no file or variable (built in
    /// code, or a rule only the layers together break).
    #[error("config error: {message}")]
    Invalid {
        /// The dotted key.
        key: String,
        /// The bad value.
        value: String,
        /// What is wrong, naming the key and quoting the value.
        message: String,
    },
    /// The layered configuration failed in a way no single source explains.
    #[error("config error: {0}")]
    Layering(String),
    /// A default location is needed but the user has no home directory.
    #[error("config error: no home directory to place {what}; set {key} in the config file")]
    NoHome {
        /// What needed a place (`the database`).
        what: &'static str,
        /// The key to set instead (`[store] path`).
        key: &'static str,
    },
    /// The engine refused the directory or numbering the configuration gives.
    #[error("config error: {file}: {source}")]
    Engine {
        /// The file the setup came from (or `defaults`).
        file: String,
        /// The engine's refusal.
        #[source]
        source: EngineError,
    },
}

impl ConfigError {
    /// The dotted key the error is about, if it names one.
    pub fn key(&self) -> Option<&str> {
        match self {
            ConfigError::File { key, .. }
            | ConfigError::Env { key, .. }
            | ConfigError::Invalid { key, .. }
                if !key.is_empty() =>
            {
                Some(key)
            }
            _ => None,
        }
    }
}
