//! `parkdesk console` and `parkdesk monitor`: the board on an engine over WebSocket.

use super::{Connect, Look};
use crate::config::Settings;
use crate::console::ConsoleOptions;
use std::path::Path;
use std::process::ExitCode;

/// The console's options from the configuration and the command line (the line wins).
pub fn options(
    settings: &Settings,
    engine_url: String,
    token: String,
    look: Look,
    read_only: bool,
) -> ConsoleOptions {
    ConsoleOptions {
        engine_url,
        token,
        read_only,
        theme: Some(look.theme.unwrap_or_else(|| settings.console.theme.clone())),
        keymap: Some(
            look.keymap
                .unwrap_or_else(|| settings.console.keymap.clone()),
        ),
        warning_share: settings.console.warning_share,
        mouse: settings.console.mouse && !look.no_mouse,
        no_color: None,
        client_name: format!(
            "parkdesk-{} {}",
            if read_only { "monitor" } else { "console" },
            env!("CARGO_PKG_VERSION")
        ),
    }
}

/// Runs the console (or, `read_only`, the monitor) until the user quits.
pub async fn run(
    config: Option<&Path>,
    log_level: Option<&str>,
    connect: Connect,
    look: Look,
    read_only: bool,
) -> anyhow::Result<ExitCode> {
    let (settings, _guard) = super::engine_cmd::load_settings(config, log_level)?;
    let token = crate::client::read_token(connect.token_file.as_deref())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let url = connect
        .engine
        .unwrap_or_else(|| settings.console.engine.clone());
    crate::console::run(options(&settings, url, token, look, read_only)).await?;
    Ok(ExitCode::SUCCESS)
}
