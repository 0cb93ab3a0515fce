//! The engine under test: the real `parkdesk engine` process with SIP on loopback, its config
//! written to a temporary directory, killed when dropped (also on a panic), and measured from
//! `/proc` (CPU ticks and resident memory).

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The receptionist's token: the console that watches the events.
pub const RECEPTION: &str = "load-reception";
/// The monitor's token: asks `health`.
pub const MONITOR: &str = "load-wallboard";
/// The directory user the retrieving desk asserts (P-Asserted-Identity).
pub const DESK_NUMBER: &str = "201";
/// The first and last park codes: ten thousand 5-digit codes.
pub const FIRST_CODE: u32 = 10_000;
/// See [`FIRST_CODE`].
pub const LAST_CODE: u32 = 19_999;

/// A running engine process.
pub struct Engine {
    child: Child,
    /// Its process id, for `/proc`.
    pub pid: u32,
    /// The WebSocket URL it printed.
    pub url: String,
    /// Its SIP address (UDP and TCP).
    pub sip: SocketAddr,
    /// Its log directory.
    pub logs: PathBuf,
    /// When the process was spawned.
    pub spawned: Instant,
    /// When it printed its address (its listeners bound, its store open).
    pub listening: Instant,
}

/// A free UDP port on 127.0.0.1 (bound and released).
pub fn free_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn config(dir: &Path, sip: SocketAddr) -> PathBuf {
    let text = format!(
        r#"# The SIP load bench's engine: 10,000 codes, park allowed, music on hold.
[[ranges]]
name = "load"
kind = "park"
start = "{FIRST_CODE}"
end = "{LAST_CODE}"

[[policies]]
name = "global"
allow_park = true
park_range = "load"
park_timeout = 1800
music_on_hold = true

[[users]]
id = "reception"
name = "Reception"
numbers = ["100"]
voice_enabled = true

[[users]]
id = "desk"
name = "Load Desk"
numbers = ["{DESK_NUMBER}"]
voice_enabled = true

[[tokens]]
token = "{RECEPTION}"
user = "reception"
roles = ["receptionist"]

[[tokens]]
token = "{MONITOR}"
user = "wallboard"
roles = ["monitor"]

[server]
listen = "127.0.0.1:0"
shutdown_grace = 1

[sip]
listen = "{sip}"
trusted = ["127.0.0.1/32"]
park_extension_policy = "global"
rtp_port_min = 10000
rtp_port_max = 19999
media_timeout = 3600

[store]
path = "{db}"

[log]
dir = "{logs}"
level = "info"
"#,
        db = dir.join("parkdesk.db").display(),
        logs = dir.join("logs").display(),
    );
    let path = dir.join("engine.toml");
    std::fs::write(&path, text).expect("write the engine's config");
    path
}

impl Engine {
    /// Starts `parkdesk engine --config <dir>/engine.toml` and waits (up to 30 s) for the
    /// address it prints.
    pub fn start(dir: &Path) -> Result<Engine, String> {
        Engine::start_at(dir, SocketAddr::from(([127, 0, 0, 1], free_port())))
    }

    /// [`Engine::start`] with SIP on `sip`: run again on the same directory and address, the
    /// next process has the same config, store and ports (a restart).
    pub fn start_at(dir: &Path, sip: SocketAddr) -> Result<Engine, String> {
        let path = config(dir, sip);
        let spawned = crate::clock();
        let mut child = Command::new(env!("CARGO_BIN_EXE_parkdesk"))
            .args(["engine", "--config"])
            .arg(&path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start the engine: {e}"))?;
        let stderr = child.stderr.take().expect("piped stderr");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut found = false;
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if !found && let Some(rest) = line.split("listening on ").nth(1) {
                    found = true;
                    let url = rest.split_whitespace().next().unwrap_or("").to_string();
                    let _ = tx.send(Ok(url));
                } else if !found {
                    let _ = tx.send(Err(line));
                }
            }
        });
        let mut engine = Engine {
            pid: child.id(),
            child,
            url: String::new(),
            sip,
            logs: dir.join("logs"),
            spawned,
            listening: spawned,
        };
        let mut said = Vec::new();
        loop {
            match rx.recv_timeout(Duration::from_secs(30)) {
                Ok(Ok(url)) => {
                    engine.url = url;
                    engine.listening = crate::clock();
                    return Ok(engine);
                }
                Ok(Err(line)) => said.push(line),
                Err(_) => {
                    return Err(format!("the engine did not start: {}", said.join(" | ")));
                }
            }
        }
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Sends `signal` (`-TERM`, `-KILL`) to the process.
    pub fn signal(&self, signal: &str) -> Result<(), String> {
        let status = Command::new("kill")
            .args([signal, &self.pid.to_string()])
            .status()
            .map_err(|e| format!("kill {signal}: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("kill {signal} {}: {status}", self.pid))
        }
    }

    /// Its exit status once it has exited, waiting up to `limit`; `Err` when it has not.
    pub fn wait_exit(&mut self, limit: Duration) -> Result<std::process::ExitStatus, String> {
        let deadline = crate::clock() + limit;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return Ok(status),
                Ok(None) if crate::clock() < deadline => crate::pause(Duration::from_millis(5)),
                Ok(None) => return Err(format!("still running after {limit:?}")),
                Err(e) => return Err(format!("wait: {e}")),
            }
        }
    }

    /// CPU time used so far (user + system, every thread).
    pub fn cpu(&self) -> Duration {
        cpu_of(self.pid)
    }

    /// Resident memory now, in KiB.
    pub fn rss_kib(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.pid))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("VmRSS:"))
                    .and_then(|v| v.split_whitespace().next()?.parse().ok())
            })
            .unwrap_or(0)
    }

    /// The last `n` lines of the engine's log files that say WARN or ERROR.
    pub fn log_warnings(&self, n: usize) -> Vec<String> {
        let mut lines = Vec::new();
        if let Ok(dir) = std::fs::read_dir(&self.logs) {
            for file in dir.flatten() {
                if let Ok(text) = std::fs::read_to_string(file.path()) {
                    lines.extend(
                        text.lines()
                            .filter(|l| l.contains("WARN") || l.contains("ERROR"))
                            .map(str::to_string),
                    );
                }
            }
        }
        let skip = lines.len().saturating_sub(n);
        lines.split_off(skip)
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Clock ticks per second of `/proc/<pid>/stat` (`getconf CLK_TCK`, 100 almost everywhere).
fn ticks_per_second() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .filter(|&t| t > 0)
        .unwrap_or(100)
}

/// CPU time (utime + stime) of process `pid`, all its threads.
pub fn cpu_of(pid: u32) -> Duration {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return Duration::ZERO;
    };
    // The fields after the ")" closing the command name: utime is the 12th, stime the 13th.
    let Some(close) = stat.rfind(')') else {
        return Duration::ZERO;
    };
    let fields: Vec<u64> = stat[close + 2..]
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    let ticks = fields.get(11).copied().unwrap_or(0) + fields.get(12).copied().unwrap_or(0);
    Duration::from_millis(ticks * 1000 / ticks_per_second())
}
