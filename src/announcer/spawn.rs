//! Running the station as a child process, for plain `parkdesk`: audio is never opened in
//! the process that draws the console, so ALSA's messages (written straight to stderr by
//! the C library) can never reach its screen.

use crate::client::TOKEN_ENV;
use std::fs::OpenOptions;
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// The file in the log directory that takes the station's stderr.
pub const STDERR_FILE: &str = "announcer-stderr.log";

/// Starts `parkdesk announcer --engine URL` (this same executable) with `token` in
/// `PARKDESK_TOKEN` (never on its command line), `--config` passed on when given, its logs
/// in `log_dir` and its stderr appended to `log_dir/announcer-stderr.log`. Its stdin is a
/// pipe: when this process exits, however it exits, the pipe closes and the station stops.
///
/// Keep the [`Child`] (and its stdin) for as long as the station should run; kill and wait
/// for it on the way out.
pub fn spawn_station(
    url: &str,
    token: &str,
    log_dir: &Path,
    config: Option<&Path>,
) -> std::io::Result<Child> {
    let exe = std::env::current_exe()?;
    station_command(&exe, url, token, log_dir, config)?.spawn()
}

/// The command [`spawn_station`] runs, with the `parkdesk` executable named.
pub fn station_command(
    exe: &Path,
    url: &str,
    token: &str,
    log_dir: &Path,
    config: Option<&Path>,
) -> std::io::Result<Command> {
    std::fs::create_dir_all(log_dir)?;
    let stderr = OpenOptions::new()
        .create(true)
        .append(true)
        .open(log_dir.join(STDERR_FILE))?;
    let mut command = Command::new(exe);
    if let Some(config) = config {
        command.arg("--config").arg(config);
    }
    command
        .args(["announcer", "--engine", url, "--exit-with-stdin"])
        .env(TOKEN_ENV, token)
        .env("PARKDESK__LOG__DIR", log_dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::from(stderr));
    Ok(command)
}

/// The station child of plain `parkdesk`: killed and reaped when dropped.
#[derive(Debug)]
pub struct StationChild(Child);

impl StationChild {
    /// The child's process id.
    pub fn id(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for StationChild {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the embedded engine's station with [`spawn_station`], logging (never printing)
/// why it could not start: the console runs without PA announcements then, and the engine
/// fails them with "no announcer station".
pub fn embedded_station(
    url: &str,
    token: &str,
    log_dir: Option<&Path>,
    config: Option<&Path>,
) -> Option<StationChild> {
    let Some(log_dir) = log_dir else {
        tracing::warn!("no log directory: the announcer station is not started");
        return None;
    };
    match spawn_station(url, token, log_dir, config) {
        Ok(child) => {
            tracing::info!(pid = child.id(), "announcer station started");
            Some(StationChild(child))
        }
        Err(error) => {
            tracing::warn!(%error, "the announcer station could not start");
            None
        }
    }
}
