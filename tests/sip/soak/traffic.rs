//! The soak's traffic: SIPp processes placing calls at a steady rate from injection files
//! (one line per call: the number dialled and the caller's asserted identity), and phones
//! answering or ringing; each counts its successful and failed calls in a statistics file.

use crate::support::poll;
use crate::support::sipp::free_port;
use crate::support::sipp_stats::read_stats;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The scenarios' directory.
fn scenarios() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/sip")
}

/// One kind of traffic in the mix, at `rate` calls per second.
pub enum Flow {
    /// Callers parked at the extension who hang up after two seconds.
    Abandons(f64),
    /// Directed parks, each retrieved by its code a second later.
    ParksAndRetrieves(f64),
    /// Ada's parks, rung back after the policy's ten seconds and answered.
    Timeouts(f64),
    /// Calls ringing Grace, picked up by Ada with the group number a second later.
    Pickups(f64),
}

impl Flow {
    /// See [`Flow::Abandons`].
    pub fn abandons(rate: f64) -> Flow {
        Flow::Abandons(rate)
    }

    /// See [`Flow::ParksAndRetrieves`].
    pub fn parks_and_retrieves(rate: f64) -> Flow {
        Flow::ParksAndRetrieves(rate)
    }

    /// See [`Flow::Timeouts`].
    pub fn timeouts(rate: f64) -> Flow {
        Flow::Timeouts(rate)
    }

    /// See [`Flow::Pickups`].
    pub fn pickups(rate: f64) -> Flow {
        Flow::Pickups(rate)
    }

    /// The flow's name: `abandons`, `parks`, `timeouts` or `pickups`.
    pub fn name(&self) -> &'static str {
        match self {
            Flow::Abandons(_) => "abandons",
            Flow::ParksAndRetrieves(_) => "parks",
            Flow::Timeouts(_) => "timeouts",
            Flow::Pickups(_) => "pickups",
        }
    }

    /// Starts this flow's SIPp processes for `secs` worth of calls against `engine`;
    /// callers' media goes to `rtp`, the phones listen on 127.0.0.2 at their ports.
    pub async fn start(
        &self,
        engine: SocketAddr,
        secs: u64,
        rtp: u16,
        ada_phone: u16,
        grace_phone: u16,
    ) -> Vec<SippLoad> {
        let calls = |rate: f64| ((rate * secs as f64).ceil() as u32).max(1);
        let caller = |name: &str, scenario: &str, rate: f64, lines: Vec<String>| {
            Load::caller(name, scenario, engine, rate, calls(rate), lines, rtp)
        };
        match *self {
            Flow::Abandons(rate) => {
                let lines = vec!["700;+15550100;".to_string()];
                vec![
                    caller("abandon", "soak_hang_up.xml", rate, lines)
                        .hold(2000)
                        .spawn(),
                ]
            }
            Flow::ParksAndRetrieves(rate) => {
                let codes: Vec<u32> = (7000..7100).collect();
                let park = codes.iter().map(|c| format!("*70{c};150;")).collect();
                let retrieve = codes.iter().map(|c| format!("{c};150;")).collect();
                let parker = caller("park", "soak_until_bye.xml", rate, park).spawn();
                tokio::time::sleep(Duration::from_secs(1)).await;
                let retriever = caller("retrieve", "soak_hang_up.xml", rate, retrieve);
                vec![parker, retriever.hold(1000).spawn()]
            }
            Flow::Timeouts(rate) => {
                let phone =
                    Load::phone("ada's phone", "soak_phone.xml", ada_phone, calls(rate), rtp);
                let lines = vec!["700;201;".to_string()];
                vec![
                    phone.hold(300).spawn(),
                    caller("timeout", "soak_until_bye.xml", rate, lines).spawn(),
                ]
            }
            Flow::Pickups(rate) => {
                let phone = Load::phone(
                    "grace's phone",
                    "phone_unanswered.xml",
                    grace_phone,
                    calls(rate),
                    rtp,
                );
                let ring = vec!["202;+15550123;".to_string()];
                let pick = vec!["881;201;".to_string()];
                let phone = phone.spawn();
                let ringing = caller("ring", "soak_until_bye.xml", rate, ring).spawn();
                tokio::time::sleep(Duration::from_secs(1)).await;
                let picker = caller("pickup", "soak_hang_up.xml", rate, pick).hold(1000);
                vec![phone, ringing, picker.spawn()]
            }
        }
    }
}

/// A SIPp process to be started.
struct Load {
    name: String,
    args: Vec<String>,
    local_ip: &'static str,
    lines: Vec<String>,
    calls: u32,
    caller: bool,
}

impl Load {
    fn caller(
        name: &str,
        scenario: &str,
        engine: SocketAddr,
        rate: f64,
        calls: u32,
        lines: Vec<String>,
        rtp: u16,
    ) -> Load {
        let per_10s = ((rate * 10.0).round() as u32).max(1);
        let args = vec![
            engine.to_string(),
            "-sf".into(),
            scenarios().join(scenario).display().to_string(),
            "-r".into(),
            per_10s.to_string(),
            "-rp".into(),
            "10000".into(),
            "-key".into(),
            "rtp_port".into(),
            rtp.to_string(),
        ];
        Load {
            name: name.into(),
            args,
            local_ip: "127.0.0.1",
            lines,
            calls,
            caller: true,
        }
    }

    fn phone(name: &str, scenario: &str, port: u16, calls: u32, rtp: u16) -> Load {
        let args = vec![
            "-sf".into(),
            scenarios().join(scenario).display().to_string(),
            "-p".into(),
            port.to_string(),
            "-key".into(),
            "rtp_port".into(),
            rtp.to_string(),
        ];
        Load {
            name: name.into(),
            args,
            local_ip: "127.0.0.2",
            lines: Vec::new(),
            calls,
            caller: false,
        }
    }

    /// The `-d` pause of the scenario, in milliseconds.
    fn hold(mut self, ms: u64) -> Load {
        self.args.extend(["-d".into(), ms.to_string()]);
        self
    }

    fn spawn(self) -> SippLoad {
        let dir = tempfile::tempdir().expect("tempdir");
        let stats = dir.path().join("stats.csv");
        let errors = dir.path().join("errors.log");
        let mut cmd = Command::new("sipp");
        cmd.args(&self.args)
            .args(["-i", self.local_ip])
            .args(["-mp", &free_port().to_string()])
            .args(["-m", &self.calls.to_string()])
            .args(["-recv_timeout", "30000", "-timeout", "7200s", "-l", "10000"])
            .args(["-nostdin", "-trace_stat", "-fd", "1", "-trace_err"])
            .arg("-stf")
            .arg(&stats)
            .arg("-error_file")
            .arg(&errors)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if self.caller {
            cmd.args(["-p", &free_port().to_string()]);
            let inf = dir.path().join("calls.csv");
            let text = format!("SEQUENTIAL\n{}\n", self.lines.join("\n"));
            std::fs::write(&inf, text).expect("injection file");
            cmd.arg("-inf").arg(&inf);
        }
        let child = cmd
            .spawn()
            .expect("sipp runs (the test command installs sip-tester)");
        SippLoad {
            name: self.name,
            child: Some(child),
            caller: self.caller,
            stats,
            errors,
            _dir: dir,
        }
    }
}

/// A SIPp process of the soak under way.
pub struct SippLoad {
    name: String,
    child: Option<Child>,
    caller: bool,
    stats: PathBuf,
    errors: PathBuf,
    _dir: tempfile::TempDir,
}

/// How one SIPp process's calls went.
pub struct LoadResult {
    name: String,
    successful: u64,
    failed: u64,
    errors: String,
}

impl LoadResult {
    /// No call failed, and some succeeded.
    pub fn clean(&self) -> bool {
        self.failed == 0 && self.successful > 0
    }
}

impl fmt::Display for LoadResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} calls succeeded, {} failed",
            self.name, self.successful, self.failed
        )?;
        if self.failed > 0 {
            let tail: Vec<&str> = self.errors.lines().rev().take(12).collect();
            for line in tail.iter().rev() {
                write!(f, "\n    {line}")?;
            }
        }
        Ok(())
    }
}

impl SippLoad {
    /// Whether a caller is still placing or finishing calls (phones only answer).
    pub fn is_calling(&mut self) -> bool {
        self.caller
            && self
                .child
                .as_mut()
                .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// Waits for a caller to finish (a phone gets a few seconds for its last call), then
    /// reads the statistics.
    pub async fn finish(mut self) -> LoadResult {
        let grace = if self.caller { 60 } else { 5 };
        if let Some(mut child) = self.child.take() {
            poll::until_async(Duration::from_secs(grace), || {
                std::future::ready(!matches!(child.try_wait(), Ok(None)))
            })
            .await;
            let _ = child.kill();
            let _ = child.wait();
        }
        let (successful, failed) = read_stats(&self.stats);
        LoadResult {
            name: self.name.clone(),
            successful,
            failed,
            errors: std::fs::read_to_string(&self.errors).unwrap_or_default(),
        }
    }
}

impl Drop for SippLoad {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
