//! The receptionist console and the read-only monitor: a live park board in the terminal,
//! driven by keystrokes, speaking only the WebSocket protocol.
//!
//! Elm-shaped: terminal and engine inputs arrive as [`update::Msg`]; keys pass through the
//! [`keymap::KeyMap`] to an [`action::Action`]; [`update::update`] changes the
//! [`state::State`] and returns effects (requests to send, quit); [`view::draw`] draws the
//! state and never does I/O or reads the clock (the engine's time arrives as a tick).
//!
//! The pieces: [`board`] (what the engine said), [`activity`] (the log), [`bands`] (timer
//! bands), [`history`] (ended parks on demand), [`palette`] (`:` commands), [`theme`] and
//! [`keymap`] (files with built-ins compiled in), [`connection`] (reconnecting tokio task),
//! [`terminal`] (raw mode, restore on panic and signals), and [`run`], the loop tying them
//! together.

pub mod action;
pub mod activity;
mod app;
pub mod bands;
pub mod board;
pub mod clock;
pub mod connection;
pub mod history;
pub mod keymap;
pub mod numbers_admin;
pub mod palette;
pub mod settings;
pub mod state;
pub mod terminal;
pub mod theme;
pub mod update;
pub mod view;

pub use app::run;
pub use settings::SettingsError;

/// How to run the console; plain values so the caller's configuration layering decides them.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsoleOptions {
    /// The engine's WebSocket URL (`ws://127.0.0.1:7370/v1`; `host:port` also works).
    pub engine_url: String,
    /// The bearer token (from `PARKDESK_TOKEN` or `--token-file`, see
    /// [`crate::client::read_token`]).
    pub token: String,
    /// Monitor mode: the same board, read-only, with a `READ-ONLY` badge.
    pub read_only: bool,
    /// A built-in theme (`default`, `light`, `high-contrast`), a path, or the name of a
    /// `NAME.toml` in [`theme::theme_dirs`]; `None` = default.
    pub theme: Option<String>,
    /// A built-in key map (`desk`, `vim`) or a path; `None` = desk.
    pub keymap: Option<String>,
    /// Share of a park's time from which it shows as "soon" (0.0–1.0, default 0.75).
    pub warning_share: f64,
    /// Take mouse input (click to select, wheel to scroll); `--no-mouse` turns it off.
    pub mouse: bool,
    /// Force colours off (`Some(true)`) or on (`Some(false)`); `None` follows `NO_COLOR`.
    pub no_color: Option<bool>,
    /// The name sent in `hello`.
    pub client_name: String,
}

impl ConsoleOptions {
    /// Loads the theme and key map these options name, so that a caller can refuse a bad one
    /// before it starts anything (the demo's engine); [`run`] loads them again.
    pub fn check_look(&self) -> Result<(), SettingsError> {
        theme::Theme::load(self.theme.as_deref(), theme::ColorMode::NoColor)?;
        keymap::KeyMap::load(self.keymap.as_deref())?;
        Ok(())
    }
}

impl Default for ConsoleOptions {
    fn default() -> Self {
        ConsoleOptions {
            engine_url: "ws://127.0.0.1:7370/v1".into(),
            token: String::new(),
            read_only: false,
            theme: None,
            keymap: None,
            warning_share: 0.75,
            mouse: true,
            no_color: None,
            client_name: format!("parkdesk-console {}", env!("CARGO_PKG_VERSION")),
        }
    }
}
