//! SIPp runs for the load figures: a built-in scenario (`uac`, `uas`) or a `tests/sip/load_*`
//! scenario, each in its own directory with its statistics file, killed when dropped (also
//! on a panic). A run's result is what SIPp counted (successful and failed calls, its exit
//! status) and the wall time the bench saw.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::sipp_stats::read_stats;
use crate::{clock, engine::free_port, pause};

/// What SIPp plays.
pub enum Scenario {
    /// A built-in scenario (`-sn`).
    Builtin(&'static str),
    /// A file in `tests/sip/`.
    File(&'static str),
}

/// A SIPp run to start.
pub struct Sipp {
    scenario: Scenario,
    name: String,
    args: Vec<String>,
}

impl Sipp {
    /// A run called `name` (its directory under `dir`) playing `scenario`.
    pub fn new(scenario: Scenario, name: &str) -> Sipp {
        Sipp {
            scenario,
            name: name.into(),
            args: Vec::new(),
        }
    }

    /// `calls` calls at `rate` calls per second.
    pub fn calls(self, calls: u64, rate: u32) -> Sipp {
        self.arg("-m", calls).arg("-r", rate)
    }

    /// A `[name]` keyword in message text.
    pub fn key(mut self, name: &str, value: impl ToString) -> Sipp {
        self.args
            .extend(["-key".into(), name.into(), value.to_string()]);
        self
    }

    /// One more option with its value.
    pub fn arg(mut self, option: &str, value: impl ToString) -> Sipp {
        self.args.extend([option.into(), value.to_string()]);
        self
    }

    /// Starts SIPp in `dir/<name>`, against `target` (a UAC) or serving on `port` (a UAS);
    /// it gives up on its own after `timeout` (and counts that as a failure).
    pub fn start(
        self,
        dir: &Path,
        target: Option<SocketAddr>,
        port: u16,
        timeout: Duration,
    ) -> Result<Running, String> {
        let dir = dir.join(&self.name);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut cmd = Command::new("sipp");
        if let Some(target) = target {
            cmd.arg(target.to_string());
        }
        match self.scenario {
            Scenario::Builtin(name) => cmd.args(["-sn", name]),
            Scenario::File(file) => cmd.arg("-sf").arg(scenario_dir().join(file)),
        };
        cmd.args(["-i", "127.0.0.1"])
            .args(["-p", &port.to_string()])
            .args(["-mp", &free_port().to_string()])
            // Calls open at once are not what limits a run: the rate alone paces it (SIPp
            // wants this under its open-file limit).
            .args(["-l", "15000"])
            // A call waiting more than 10 s for a message fails (and ends with a BYE).
            .args(["-recv_timeout", "10000"])
            .args(["-timeout", &format!("{}s", timeout.as_secs().max(1))])
            .arg("-timeout_error")
            // In-dialog OPTIONS, INFO, NOTIFY or UPDATE are answered, as a PBX would.
            .arg("-aa")
            .args(["-nostdin", "-trace_stat", "-trace_err"])
            .arg("-stf")
            .arg(dir.join("stat.csv"))
            .arg("-error_file")
            .arg(dir.join("errors.log"))
            .args(&self.args)
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let child = cmd
            .spawn()
            .map_err(|e| format!("cannot run sipp (Debian: sip-tester): {e}"))?;
        Ok(Running {
            child,
            dir,
            started: clock(),
            name: self.name,
        })
    }
}

fn scenario_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/sip")
}

/// A SIPp process; killed when dropped.
pub struct Running {
    child: Child,
    dir: PathBuf,
    started: Instant,
    name: String,
}

/// What a SIPp run did.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The run's name.
    pub name: String,
    /// SIPp's exit status (0: every call succeeded); `None` when the bench had to kill it.
    pub status: Option<i32>,
    /// Calls SIPp counted as successful.
    pub successful: u64,
    /// Calls SIPp counted as failed.
    pub failed: u64,
    /// From start to exit, as the bench saw it.
    pub wall: Duration,
    /// The first lines of SIPp's error file, if it complained.
    pub errors: String,
}

impl Outcome {
    /// Every call succeeded and SIPp said so.
    pub fn clean(&self, expected: u64) -> bool {
        self.status == Some(0) && self.failed == 0 && self.successful == expected
    }

    /// One line on what went wrong, for the report.
    pub fn problem(&self) -> String {
        format!(
            "{}: exit {:?}, {} successful, {} failed{}",
            self.name,
            self.status,
            self.successful,
            self.failed,
            if self.errors.is_empty() {
                String::new()
            } else {
                format!(" — {}", self.errors)
            }
        )
    }
}

impl Running {
    /// Waits until SIPp exits, killing it after `limit`; reads its statistics.
    pub fn wait(mut self, limit: Duration) -> Outcome {
        let deadline = self.started + limit;
        let status = loop {
            match self.child.try_wait() {
                Ok(Some(status)) => break status.code(),
                Ok(None) if clock() < deadline => pause(Duration::from_millis(10)),
                _ => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    break None;
                }
            }
        };
        let wall = self.started.elapsed();
        let (successful, failed) = read_stats(&self.dir.join("stat.csv"));
        let errors = std::fs::read_to_string(self.dir.join("errors.log"))
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .take(3)
            .collect::<Vec<_>>()
            .join(" / ");
        Outcome {
            name: self.name.clone(),
            status,
            successful,
            failed,
            wall,
            errors: errors.chars().take(400).collect(),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// An injection file of park codes and media ports, one call a line, read in order: call
/// number `n` of every SIPp run that uses it gets the same code (`[field0]`, `first + n`
/// wrapped in the window) and a media port (`[field1]`, the phones' ports in turn).
pub fn code_file(
    dir: &Path,
    name: &str,
    first: u32,
    window: std::ops::Range<u32>,
    ports: &[u16],
) -> PathBuf {
    let span = window.end - window.start;
    let mut text = String::from("SEQUENTIAL\n");
    for i in 0..span {
        let code = window.start + (first - window.start + i) % span;
        let port = ports[i as usize % ports.len()];
        text.push_str(&format!("{code};{port}\n"));
    }
    let path = dir.join(format!("{name}.csv"));
    std::fs::write(&path, text).expect("write the codes file");
    path
}

/// `sipp -v`'s version line.
pub fn version() -> String {
    Command::new("sipp")
        .arg("-v")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .and_then(|s| {
            s.lines()
                .find(|l| l.contains("SIPp v"))
                .map(|l| l.trim().to_string())
        })
        .unwrap_or_else(|| "sipp not found".into())
}
