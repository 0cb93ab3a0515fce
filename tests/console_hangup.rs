//! A console whose terminal goes away (a dropped SSH session) exits instead of spinning.
#![allow(clippy::disallowed_methods)] // waits on wall time for a real process

use std::process::Command;
use std::time::{Duration, Instant};

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
    let deadline = Instant::now() + Duration::from_secs(10);
    let pid = loop {
        // The shell creates the file before it writes the pid: wait for a whole number.
        if let Some(pid) = std::fs::read_to_string(&pidfile)
            .ok()
            .filter(|text| text.ends_with('\n'))
            .and_then(|text| text.trim().parse::<u32>().ok())
        {
            break pid.to_string();
        }
        assert!(Instant::now() < deadline, "parkdesk did not start");
        std::thread::sleep(Duration::from_millis(50));
    };
    std::thread::sleep(Duration::from_millis(1500));
    assert!(alive(&pid), "the console is running");
    let _ = Command::new("tmux")
        .args(["-L", &socket, "kill-server"])
        .status();
    let deadline = Instant::now() + Duration::from_secs(5);
    while alive(&pid) {
        if Instant::now() > deadline {
            let _ = Command::new("kill").args(["-9", &pid]).status();
            panic!("parkdesk still running 5 s after its terminal hung up");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
