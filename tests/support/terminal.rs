//! The real `parkdesk` binary in a real terminal: a console or monitor in a detached tmux
//! session on a socket of its own, next to an engine process (`support::process`) on the
//! site's port (`support::site`), and blocking protocol requests for the engine's side of
//! the story. Everything started here is killed on every way out, panics included (Drop).
//!
//! Waiting is polling with a deadline, never a fixed sleep: a screen is read every 100 ms
//! until it shows what the test waits for, and a failure prints the last screen.

use crate::support::Peer;
use crate::support::poll as wait;
pub use crate::support::process::{EngineProcess, parkdesk};
pub use crate::support::site::{Site, free_port};
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// How long a test waits for a screen or the engine before it fails.
pub const PATIENCE: Duration = Duration::from_secs(15);

/// Lets a moment pass: for a check that something did *not* happen, anything wrongly sent
/// needs time to land before the engine is asked.
pub fn settle() {
    let _ = poll(Duration::from_millis(500), || None::<()>);
}

/// Polls `check` every 100 ms until it returns `Some` or `within` has passed.
pub fn poll<T>(within: Duration, check: impl FnMut() -> Option<T>) -> Option<T> {
    wait::find_every(within, Duration::from_millis(100), check)
}

/// Sends one request as `token` on a fresh connection and returns its `ok` body.
pub fn request(url: &str, token: &str, op: &str, args: Value) -> Value {
    runtime().block_on(async {
        let (mut peer, _) = Peer::hello(url, token).await;
        peer.ok(op, args).await
    })
}

/// The engine's snapshot as a receptionist sees it (calls, parked, groups, recent).
pub fn snapshot(url: &str, token: &str) -> Value {
    runtime().block_on(async {
        let (mut peer, _) = Peer::hello(url, token).await;
        peer.ok("subscribe", serde_json::json!({})).await["snapshot"].clone()
    })
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

static SESSIONS: AtomicUsize = AtomicUsize::new(0);

/// Which client runs in the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Client {
    /// `parkdesk console`.
    Console,
    /// `parkdesk monitor`.
    Monitor,
}

/// A detached tmux session on a socket of its own, running a console or monitor. The pane
/// stays after the client exits (so its last words can be read); the whole tmux server is
/// killed when this is dropped.
pub struct Terminal {
    socket: String,
    /// HOME and the XDG directories of everything run in the terminal.
    home: PathBuf,
    /// The token, in the environment of the tmux server.
    token: String,
    /// The client's process id.
    pub pid: u32,
}

impl Terminal {
    /// Starts `client` against `url` as `token` in a `width`×`height` terminal. The token
    /// reaches it through the environment (`PARKDESK_TOKEN`), never the command line.
    pub fn start(site: &Site, client: Client, url: &str, token: &str, size: (u16, u16)) -> Self {
        let socket = format!(
            "pd-e2e-{}-{}",
            std::process::id(),
            SESSIONS.fetch_add(1, Ordering::Relaxed)
        );
        let home = site.dir.path().join("home");
        std::fs::create_dir_all(&home).expect("home dir");
        let mut terminal = Terminal {
            socket,
            home,
            token: token.to_string(),
            pid: 0,
        };
        // A placeholder session starts the server, so `remain-on-exit` is set before the
        // client's pane exists.
        terminal.tmux(&["new-session", "-d", "-s", "idle", "-x", "40", "-y", "10"]);
        terminal.tmux(&["set-option", "-g", "remain-on-exit", "on"]);
        let role = match client {
            Client::Console => "console",
            Client::Monitor => "monitor",
        };
        let command = format!(
            "exec '{bin}' --config '{config}' {role} --engine '{url}'",
            bin = parkdesk(),
            config = site.console_config.display(),
        );
        let (w, h) = (size.0.to_string(), size.1.to_string());
        terminal.tmux(&[
            "new-session",
            "-d",
            "-s",
            "main",
            "-x",
            &w,
            "-y",
            &h,
            &command,
        ]);
        terminal.pid = terminal
            .tmux(&["display-message", "-p", "-t", "main", "#{pane_pid}"])
            .trim()
            .parse()
            .expect("the pane's process id");
        terminal
    }

    /// Runs tmux on this terminal's socket, in a clean environment: no user config, no
    /// `PARKDESK__*` overrides from the caller, a UTF-8 locale (else tmux draws `_` for
    /// box-drawing characters) and the token.
    fn tmux(&self, args: &[&str]) -> String {
        let home = &self.home;
        let mut command = Command::new("tmux");
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_STATE_HOME", home.join("state"))
            .env("TERM", "xterm-256color")
            .env("LANG", "C.UTF-8")
            .env("LC_ALL", "C.UTF-8")
            .env("PARKDESK_TOKEN", &self.token);
        let out = command
            .args(["-u", "-f", "/dev/null", "-L", &self.socket])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run tmux ({e}); tests/run.sh installs it on a fresh machine")
            });
        assert!(
            out.status.success(),
            "tmux {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Presses keys, in tmux's names (`F2`, `M-2`, `Enter`, `Escape`, or plain text).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "main"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    /// Resizes the terminal.
    pub fn resize(&self, width: u16, height: u16) {
        self.tmux(&[
            "resize-window",
            "-t",
            "main",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
        ]);
    }

    /// The screen as text, one line per row.
    pub fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "main"])
    }

    /// Waits until the screen satisfies `check`, returning that screen; fails naming `what`
    /// with the last screen after [`PATIENCE`].
    pub fn wait_for(&self, what: &str, check: impl Fn(&str) -> bool) -> String {
        let mut last = String::new();
        let found = poll(PATIENCE, || {
            last = self.screen();
            check(&last).then(|| last.clone())
        });
        found.unwrap_or_else(|| panic!("waited {PATIENCE:?} for {what}; the screen:\n{last}"))
    }

    /// Whether the client process is gone (exited or a zombie).
    pub fn client_exited(&self) -> bool {
        match std::fs::read_to_string(format!("/proc/{}/stat", self.pid)) {
            Err(_) => true,
            // The state is the field after the parenthesised command name.
            Ok(stat) => stat
                .rsplit(')')
                .next()
                .and_then(|rest| rest.split_whitespace().next())
                .is_some_and(|state| state == "Z" || state == "X"),
        }
    }

    /// Kills the tmux server (and with it the terminal the client runs in).
    pub fn close(&self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        self.close();
        // A client that outlives its terminal would be a bug the tests catch; don't leave
        // it running whatever happened.
        if self.pid != 0 && !self.client_exited() {
            let _ = poll(Duration::from_secs(2), || {
                self.client_exited().then_some(())
            });
            if !self.client_exited() {
                let _ = Command::new("kill")
                    .args(["-KILL", &self.pid.to_string()])
                    .status();
            }
        }
    }
}

/// The code of the first row of the parked board that is in `state`, read off the screen:
/// a row reads `│▸702    parked  …` (the marker only on the selected row).
pub fn board_code(screen: &str, state: &str) -> Option<String> {
    screen.lines().find_map(|line| {
        let row = line.trim_start_matches('│').trim_start_matches('▸');
        let mut words = row.split_whitespace();
        let code = words.next()?;
        let looks_like_code = code.len() == 3 && code.starts_with('7');
        (looks_like_code && code.chars().all(|c| c.is_ascii_digit()) && words.next()? == state)
            .then(|| code.to_string())
    })
}
