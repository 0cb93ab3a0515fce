//! The real `parkdesk` binary as a child process: `parkdesk engine --config FILE` started,
//! signalled, waited for; a PA station (`parkdesk announcer`) and its status lines; each
//! killed on every way out (Drop), panics included.

use crate::support::poll;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;
use tokio::sync::mpsc;

/// The binary under test.
pub fn parkdesk() -> &'static str {
    env!("CARGO_BIN_EXE_parkdesk")
}

/// A running `parkdesk engine`; SIGKILLed when dropped.
pub struct EngineProcess {
    child: Child,
    /// The URL it printed ("… listening on ws://…").
    pub url: String,
}

impl EngineProcess {
    /// Starts the engine on `config` and waits until it prints where it listens; the rest
    /// of its stderr is drained in the background so it never blocks on a full pipe.
    pub fn start(config: &Path) -> EngineProcess {
        EngineProcess::start_with_env(config, &[])
    }

    /// [`EngineProcess::start`] with these variables set in its environment.
    pub fn start_with_env(config: &Path, env: &[(&str, &str)]) -> EngineProcess {
        let mut child = Command::new(parkdesk())
            .args(["engine", "--config"])
            .arg(config)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn parkdesk engine");
        let stderr = child.stderr.take().expect("engine stderr");
        let mut lines = BufReader::new(stderr).lines();
        let mut said = String::new();
        let url = loop {
            let Some(Ok(line)) = lines.next() else {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the engine exited before listening; it said:\n{said}");
            };
            if let Some(rest) = line.split("listening on ").nth(1) {
                break rest
                    .split_whitespace()
                    .next()
                    .expect("a URL after 'listening on'")
                    .to_string();
            }
            said.push_str(&line);
            said.push('\n');
        };
        std::thread::spawn(move || for _ in lines {});
        EngineProcess { child, url }
    }

    /// The process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Sends `signal` (`-TERM`, `-KILL`, …) with kill(1); panics unless it was delivered.
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
    }

    /// Its exit status once it has exited, waiting up to `within`.
    pub fn wait_exit(&mut self, within: Duration) -> Option<ExitStatus> {
        poll::find(within, || self.child.try_wait().expect("wait"))
    }

    /// SIGTERM, then wait (up to 10 s) for the drain and the store's last writes.
    pub fn stop(mut self) {
        self.signal("-TERM");
        if self.wait_exit(Duration::from_secs(10)).is_none() {
            panic!("the engine did not stop on SIGTERM");
        }
    }

    /// Kills the engine with SIGKILL (no drain, no goodbye) and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for EngineProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A child process killed when dropped.
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A `parkdesk announcer` process (a PA station) and the status lines it prints.
pub struct StationProcess {
    /// The process.
    pub proc: Proc,
    lines: mpsc::UnboundedReceiver<String>,
    /// Every status line read so far.
    pub seen: Vec<String>,
    /// How long [`StationProcess::line`] waits for the next line.
    patience: Duration,
}

impl StationProcess {
    /// Starts `parkdesk --config CONFIG announcer --engine URL ARGS…` as `token` (through
    /// `PARKDESK_TOKEN`), not waiting for it; [`StationProcess::line`] waits up to `patience`
    /// for each line.
    pub fn spawn(
        config: &Path,
        url: &str,
        token: &str,
        args: &[&str],
        patience: Duration,
    ) -> StationProcess {
        let mut child = Command::new(parkdesk())
            .arg("--config")
            .arg(config)
            .args(["announcer", "--engine", url])
            .args(args)
            .env("PARKDESK_TOKEN", token)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn station");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = mpsc::unbounded_channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        StationProcess {
            proc: Proc(child),
            lines,
            seen: Vec::new(),
            patience,
        }
    }

    /// The first status line containing `text` (already seen, or the next ones).
    pub async fn line(&mut self, text: &str) -> String {
        if let Some(l) = self.seen.iter().find(|l| l.contains(text)) {
            return l.clone();
        }
        loop {
            let line = tokio::time::timeout(self.patience, self.lines.recv())
                .await
                .unwrap_or_else(|_| panic!("no '{text}' from the station; saw {:?}", self.seen))
                .unwrap_or_else(|| panic!("station exited; saw {:?}", self.seen));
            self.seen.push(line.clone());
            if line.contains(text) {
                return line;
            }
        }
    }
}
