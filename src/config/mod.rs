//! Configuration: the embedded defaults, a TOML file and `PARKDESK__SECTION__KEY`
//! variables, layered in that order by the `config` crate into [`Settings`].
//!
//! Each file is also parsed alone with `toml`, keeping spans, so a bad setting is reported
//! as `config error: FILE:LINE: [section] key = 'value': what is wrong`, and an unknown key
//! gets a did-you-mean. A bad variable is named. `config/default.toml` lists every key with
//! its default and is the reference for writing a file.
//!
//! Logging lives here too ([`logging`]): it is configured by `[log]` and started before
//! anything else runs. So does the paging URI's parsing ([`page_uri`]): the check and the
//! announcer's SIP paging sink read a URI alike.

pub mod cidr;
pub mod error;
mod explain;
pub mod load;
mod locate;
pub mod logging;
pub mod page_uri;
pub mod paths;
pub mod settings;
mod validate;

pub use cidr::Cidr;
pub use error::ConfigError;
pub use load::{ENV_PREFIX, SourceFile, load, load_layers, load_str};
pub use logging::{LogError, LogGuard};
pub use page_uri::{BadPageUri, parse_page_uri};
pub use paths::{StoreLocation, default_config_file, user_theme_dir};
pub use settings::{
    AnnouncerSettings, AnnouncerSink, ConsoleSettings, DemoSettings, HttpSettings, LogSettings,
    ParkSettings, ServerSettings, Settings, SimSettings, SipSettings, StoreSettings, TokenSettings,
};

use crate::engine::{Engine, Instant};
use std::path::Path;

/// The documented defaults, every key commented out with its default value.
pub const DEFAULT_TOML: &str = include_str!("../../config/default.toml");

/// `parkdesk config check [FILE]`: loads like [`load`], then builds an engine from the
/// setup so directory errors (colliding numbers, unknown ranges) are found before a start.
pub fn check(path: Option<&Path>) -> Result<Settings, ConfigError> {
    check_with_warnings(path).map(|(settings, _)| settings)
}

/// [`check`], with what the setup holds that is valid but deserves a warning (a range of
/// `#` codes), one sentence each; `parkdesk config check` prints them.
pub fn check_with_warnings(path: Option<&Path>) -> Result<(Settings, Vec<String>), ConfigError> {
    let settings = load(path)?;
    let file = match path {
        Some(path) => path.display().to_string(),
        None => default_config_file()
            .filter(|p| p.is_file())
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "defaults".to_string()),
    };
    let engine = Engine::new(settings.engine_setup(), settings.demo.seed, Instant::ZERO)
        .map_err(|source| ConfigError::Engine { file, source })?;
    let warnings = engine.warnings();
    Ok((settings, warnings))
}
