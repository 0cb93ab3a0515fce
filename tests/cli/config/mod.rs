//! The configuration: `config/default.toml`, files, `PARKDESK__…` variables, logging and
//! the engine's setup made from the settings.

mod defaults;
mod env;
mod files;
mod logging;
mod setup;
