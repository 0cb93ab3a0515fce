//! A console whose terminal goes away (a dropped SSH session) exits instead of spinning.
#![allow(clippy::disallowed_methods)] // waits on wall time for a real process

use crate::support::poll;
use std::process::Command;
use std::time::Duration;

fn alive(pid: &str) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .unwrap_or_default()
            .contains(") Z ")
}

#[test]
fn plain_parkdesk_exits_when_its_terminal_hangs_up() {
    let socket = format!("parkdesk-hangup-{}", std::process::id());
    let dir = tempfile::tempdir().expect("tempdir");
    let pidfile = dir.path().join("pid");
    let logs = dir.path().join("logs");
    let script = format!(
        "echo $$ > {pid}; exec env PARKDESK__LOG__DIR={logs} {bin}",
        pid = pidfile.display(),
        logs = logs.display(),
        bin = env!("CARGO_BIN_EXE_parkdesk")
    );
    let started = Command::new("tmux")
        .args([
            "-L",
            &socket,
            "new-session",
            "-d",
            "-x",
            "100",
            "-y",
            "30",
            "sh",
            "-c",
            &script,
        ])
        .status()
        .expect("tmux runs");
    assert!(started.success());
    // The shell creates the file before it writes the pid: wait for a whole number.
    let pid = poll::find(Duration::from_secs(10), || {
        std::fs::read_to_string(&pidfile)
            .ok()
            .filter(|text| text.ends_with('\n'))
            .and_then(|text| text.trim().parse::<u32>().ok())
    })
    .map(|pid| pid.to_string());
    assert!(pid.is_some(), "parkdesk did not start");
    let pid = pid.unwrap_or_default();
    // The console must still be running a while after it started: this waits on purpose.
    std::thread::sleep(Duration::from_millis(1500));
    assert!(alive(&pid), "the console is running");
    let _ = Command::new("tmux")
        .args(["-L", &socket, "kill-server"])
        .status();
    if !poll::until(Duration::from_secs(5), || !alive(&pid)) {
        let _ = Command::new("kill").args(["-9", &pid]).status();
        panic!("parkdesk still running 5 s after its terminal hung up");
    }
}
