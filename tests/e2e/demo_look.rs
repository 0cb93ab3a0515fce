//! Plain `parkdesk` (the embedded demo) takes the console's look options: `--theme` (a
//! built-in, or `themes/NAME.toml` found by name), `--keymap` and `--no-mouse`; an unknown
//! theme is refused before anything starts, listing the themes there are.
#![allow(clippy::disallowed_methods)] // waits on wall time for a real process

use crate::support::poll;
use crate::support::process::{Proc, parkdesk};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// A working directory with `themes/harbour.toml` and a home of its own (config, logs).
fn site_with_a_theme() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let themes = dir.path().join("themes");
    std::fs::create_dir_all(&themes).expect("themes dir");
    std::fs::write(
        themes.join("harbour.toml"),
        "name = \"harbour\"\nbase = \"light\"\nparked_fg = \"#0087af\"\n",
    )
    .expect("theme file");
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).expect("home dir");
    (dir, home)
}

/// The environment of a run: nothing from the caller's home or `PARKDESK__*` variables.
fn isolated(command: &mut Command, home: &Path) {
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("LANG", "C.UTF-8")
        .env("LC_ALL", "C.UTF-8");
}

#[test]
fn the_demo_refuses_an_unknown_theme_listing_the_themes_before_it_starts() {
    let (dir, home) = site_with_a_theme();
    let mut command = Command::new(parkdesk());
    isolated(&mut command, &home);
    let child = command
        .args(["--theme", "neon", "--keymap", "vim"])
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn parkdesk");
    let mut proc = Proc(child);
    let status = poll::find(Duration::from_secs(10), || proc.0.try_wait().expect("wait"));
    let Some(status) = status else {
        panic!("parkdesk --theme neon did not exit within 10 s");
    };
    let mut said = String::new();
    if let Some(mut stderr) = proc.0.stderr.take() {
        std::io::Read::read_to_string(&mut stderr, &mut said).expect("stderr");
    }
    assert!(
        !status.success(),
        "an unknown theme is an error; it said:\n{said}"
    );
    assert!(said.contains("unknown theme 'neon'"), "{said}");
    assert!(
        said.contains("default, light, high-contrast, harbour"),
        "the error lists the built-ins and themes/harbour.toml:\n{said}"
    );
    assert!(
        !said.contains("listening on"),
        "refused before the demo engine starts:\n{said}"
    );
}

/// A tmux server on a socket of its own, killed when dropped.
struct Tmux {
    socket: String,
    home: PathBuf,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> String {
        let mut command = Command::new("tmux");
        isolated(&mut command, &self.home);
        let out = command
            .env("TERM", "xterm-256color")
            .args(["-u", "-f", "/dev/null", "-L", &self.socket])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
    }
}

#[test]
fn the_demo_runs_with_vim_keys_and_a_theme_found_by_name_in_themes() {
    let (dir, home) = site_with_a_theme();
    let tmux = Tmux {
        socket: format!("parkdesk-demo-look-{}", std::process::id()),
        home: home.clone(),
    };
    let cwd = dir.path().display().to_string();
    let command = format!(
        "exec '{bin}' --theme harbour --keymap vim --no-mouse 2>'{cwd}/stderr'",
        bin = parkdesk()
    );
    tmux.run(&["new-session", "-d", "-s", "idle", "-x", "40", "-y", "10"]);
    tmux.run(&["set-option", "-g", "remain-on-exit", "on"]);
    tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "main",
        "-c",
        &cwd,
        "-x",
        "120",
        "-y",
        "40",
        &command,
    ]);
    let mut screen = String::new();
    let shown = poll::find(Duration::from_secs(15), || {
        screen = tmux.run(&["capture-pane", "-p", "-t", "main"]);
        screen.contains("r retrieve").then_some(())
    });
    let said = std::fs::read_to_string(dir.path().join("stderr")).unwrap_or_default();
    assert!(
        shown.is_some(),
        "the board with vim's key hints; the screen:\n{screen}\nstderr:\n{said}"
    );
    assert!(!screen.contains("F3 retrieve"), "{screen}");
}
