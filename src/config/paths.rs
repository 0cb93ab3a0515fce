//! Default locations, following XDG: the config file, the database and the log directory.

use super::error::ConfigError;
use super::settings::{LogSettings, StoreSettings};
use directories::ProjectDirs;
use std::path::PathBuf;

/// The `[store] path` value that keeps the database in memory.
pub const MEMORY: &str = ":memory:";

fn project() -> Option<ProjectDirs> {
    ProjectDirs::from("", "", "parkdesk")
}

/// The XDG config file, `parkdesk/config.toml` in the config directory, whether it exists or
/// not; `None` without a home directory.
pub fn default_config_file() -> Option<PathBuf> {
    project().map(|p| p.config_dir().join("config.toml"))
}

/// The user's theme directory, `parkdesk/themes/` in the XDG config directory; `None`
/// without a home directory.
pub fn user_theme_dir() -> Option<PathBuf> {
    project().map(|p| p.config_dir().join("themes"))
}

/// Where the store lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreLocation {
    /// In memory: nothing survives a restart.
    Memory,
    /// A database file.
    File(PathBuf),
}

impl StoreLocation {
    /// Opens the store here (creating the file and its directory if needed).
    pub fn open(&self) -> Result<crate::store::Store, crate::store::StoreError> {
        match self {
            StoreLocation::Memory => crate::store::Store::open_in_memory(),
            StoreLocation::File(path) => crate::store::Store::open(path),
        }
    }
}

impl StoreSettings {
    /// The database's location: the configured path, `:memory:`, or `parkdesk/parkdesk.db`
    /// in the XDG data directory.
    pub fn location(&self) -> Result<StoreLocation, ConfigError> {
        match &self.path {
            Some(path) if path.as_os_str() == MEMORY => Ok(StoreLocation::Memory),
            Some(path) => Ok(StoreLocation::File(path.clone())),
            None => project()
                .map(|p| StoreLocation::File(p.data_dir().join("parkdesk.db")))
                .ok_or(ConfigError::NoHome {
                    what: "the database",
                    key: "[store] path",
                }),
        }
    }
}

impl LogSettings {
    /// The log directory: the configured one, or `parkdesk/logs` in the XDG state directory
    /// (the data directory on systems without one).
    pub fn directory(&self) -> Result<PathBuf, ConfigError> {
        match &self.dir {
            Some(dir) => Ok(dir.clone()),
            None => project()
                .map(|p| p.state_dir().unwrap_or_else(|| p.data_dir()).join("logs"))
                .ok_or(ConfigError::NoHome {
                    what: "the log files",
                    key: "[log] dir",
                }),
        }
    }
}
