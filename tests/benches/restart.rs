//! The restart figures, through the real `parkdesk engine` process on loopback:
//!
//! 1. **Restart gap.** `RESTART_CALLS` callers (default 100) are parked through the trusted
//!    PBX by SIPp (`tests/sip/load_moh.xml`: a directed park `*70<code>`, media at a socket
//!    of this bench); the engine gets SIGTERM (a planned restart) and a new process is
//!    started on the same config, store and ports. Every RTP packet's arrival is recorded,
//!    grouped by the engine's source port (one stream a call; its SSRC is kept); a call's
//!    gap is its longest silence across the restart, reported as median and max, with the
//!    calls that never streamed again. Then the same with SIGKILL (a crash): the new process
//!    probes each caller with an in-dialog OPTIONS, which `tests/sip/load_moh_crash.xml`
//!    answers 200. In both, SIPp's statistics tell whether a caller got a BYE (the call
//!    fails on the unexpected message): every caller hangs up into the new process.
//! 2. **Recovery.** `RESTART_RECOVERY_CALLS` parked calls (default 1,000), SIGKILL, start:
//!    from the new process's spawn to the first restored stream heard, and to the moment
//!    every one of them is heard again.
//!
//! Run: `cargo bench --bench restart` (a few minutes), or `cargo bench --bench restart --
//! quick` (about a minute: 50 and 200 calls). Knobs (environment): `RESTART_CALLS`,
//! `RESTART_RECOVERY_CALLS`, `RESTART_RATE` (parks per second), `RESTART_KEEP=1` (keep the
//! temporary directory: engine configs, stores and logs, SIPp statistics and errors).
//!
//! The aims (a gap of at most 1 s, no signalling to a parked caller) are reported, not
//! asserted; the bench exits non-zero when a step broke (an engine did not start or stop, a
//! call could not be parked, a SIPp run failed).
#![allow(clippy::unwrap_used, missing_docs)] // bench code

#[allow(dead_code)] // the load bench's console; the monitor is used here
#[path = "sip_load/console.rs"]
mod console;
#[allow(dead_code)]
#[path = "sip_load/engine.rs"]
mod engine;
#[allow(dead_code)]
#[path = "sip_load/sipp.rs"]
mod sipp;
#[allow(dead_code)]
#[path = "../support/sipp_stats.rs"]
mod sipp_stats;

use console::Monitor;
use engine::{Engine, FIRST_CODE, LAST_CODE, MONITOR};
use sipp::{Outcome, Scenario, Sipp};
use std::collections::HashMap;
use std::net::UdpSocket;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[allow(clippy::disallowed_methods)] // a benchmark measures wall time
pub fn clock() -> Instant {
    Instant::now()
}

#[allow(clippy::disallowed_methods)] // the bench paces its steps with real time
pub fn pause(d: Duration) {
    std::thread::sleep(d);
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// Silences shorter than this are not noted (music is a packet every 20 ms).
const NOTED_GAP: Duration = Duration::from_millis(30);
/// Sockets standing for the phones' media ports (calls take them in turn), each read by a
/// thread of its own, so that 50,000 packets a second fit in their receive buffers.
const PHONE_SOCKETS: usize = 4;
/// How long the new process has to bring every stream back before a call counts as silent.
const RESUME_LIMIT: Duration = Duration::from_secs(10);

/// One engine RTP stream as the phones heard it.
#[derive(Debug, Clone, Default)]
struct Stream {
    ssrc: u32,
    /// Times a packet came with another SSRC than the one before.
    ssrc_changes: u32,
    packets: u64,
    first: Option<Instant>,
    last: Option<Instant>,
    /// Silences of at least [`NOTED_GAP`]: (last packet before, first packet after).
    gaps: Vec<(Instant, Instant)>,
}

impl Stream {
    fn heard(&mut self, at: Instant, ssrc: u32) {
        if let Some(last) = self.last {
            if at - last >= NOTED_GAP {
                self.gaps.push((last, at));
            }
            if ssrc != self.ssrc {
                self.ssrc_changes += 1;
            }
        } else {
            self.first = Some(at);
        }
        self.ssrc = ssrc;
        self.packets += 1;
        self.last = Some(at);
    }

    /// The longest silence that ended after `since`, if the stream was heard after it.
    fn longest_gap_after(&self, since: Instant) -> Option<Duration> {
        if self.last? <= since {
            return None;
        }
        let noted = self
            .gaps
            .iter()
            .filter(|(_, end)| *end > since)
            .map(|(start, end)| *end - *start)
            .max();
        Some(noted.unwrap_or(Duration::ZERO))
    }

    /// The first packet after the restart: the end of the longest silence that ended after
    /// `since` (the old process's last packets may be read a little late, so "the first
    /// packet after it exited" could be one of its own); `since` when none was noted.
    fn back_after(&self, since: Instant) -> Option<Instant> {
        if self.last? <= since {
            return None;
        }
        self.gaps
            .iter()
            .filter(|(_, end)| *end > since)
            .max_by_key(|(start, end)| *end - *start)
            .map(|(_, end)| *end)
            .or(Some(since))
    }
}

type Streams = HashMap<u16, Stream>;

/// The phones' sockets, recording every packet's arrival by the engine's source port.
struct Recorder {
    ports: Vec<u16>,
    streams: Vec<Arc<Mutex<Streams>>>,
    stop: Arc<AtomicBool>,
}

impl Recorder {
    fn start() -> Recorder {
        let stop = Arc::new(AtomicBool::new(false));
        let mut ports = Vec::new();
        let mut streams = Vec::new();
        for i in 0..PHONE_SOCKETS {
            let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
            socket
                .set_read_timeout(Some(Duration::from_millis(100)))
                .unwrap();
            ports.push(socket.local_addr().unwrap().port());
            let map = Arc::new(Mutex::new(Streams::new()));
            streams.push(Arc::clone(&map));
            let halt = Arc::clone(&stop);
            std::thread::Builder::new()
                .name(format!("rtp-phone-{i}"))
                .spawn(move || {
                    let mut buf = [0u8; 2048];
                    while !halt.load(Ordering::Relaxed) {
                        let Ok((n, from)) = socket.recv_from(&mut buf) else {
                            continue;
                        };
                        let at = clock();
                        if n < 12 {
                            continue;
                        }
                        let ssrc = u32::from_be_bytes([buf[8], buf[9], buf[10], buf[11]]);
                        map.lock()
                            .unwrap()
                            .entry(from.port())
                            .or_default()
                            .heard(at, ssrc);
                    }
                })
                .unwrap();
        }
        Recorder {
            ports,
            streams,
            stop,
        }
    }

    fn snapshot(&self) -> Streams {
        let mut all = Streams::new();
        for map in &self.streams {
            all.extend(map.lock().unwrap().iter().map(|(k, v)| (*k, v.clone())));
        }
        all
    }

    /// Streams heard after `since`.
    fn heard_since(&self, since: Instant) -> usize {
        self.streams
            .iter()
            .map(|m| {
                m.lock()
                    .unwrap()
                    .values()
                    .filter(|s| s.last.is_some_and(|l| l > since))
                    .count()
            })
            .sum()
    }

    /// Waits until `count` streams have been heard after `since`, for at most `limit`.
    fn until_heard(&self, count: usize, since: Instant, limit: Duration) -> usize {
        let deadline = clock() + limit;
        loop {
            let heard = self.heard_since(since);
            if heard >= count || clock() >= deadline {
                return heard;
            }
            pause(Duration::from_millis(10));
        }
    }

    /// Waits until `count` streams are playing (heard in the last 200 ms).
    fn until_playing(&self, count: usize, limit: Duration) -> usize {
        let deadline = clock() + limit;
        loop {
            let now = clock();
            let playing = self.heard_since(now - Duration::from_millis(200));
            if playing >= count || now >= deadline {
                return playing;
            }
            pause(Duration::from_millis(50));
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// How the engine is stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// SIGTERM: a planned restart.
    Term,
    /// SIGKILL: a crash.
    Kill,
}

impl Stop {
    fn signal(self) -> &'static str {
        match self {
            Stop::Term => "-TERM",
            Stop::Kill => "-KILL",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Stop::Term => "SIGTERM",
            Stop::Kill => "SIGKILL",
        }
    }

    /// The SIPp scenario: after a crash the next process probes every caller.
    fn scenario(self) -> &'static str {
        match self {
            Stop::Term => "load_moh.xml",
            Stop::Kill => "load_moh_crash.xml",
        }
    }
}

/// What one restart measured.
struct Restart {
    calls: u64,
    stop: Stop,
    /// Signal → the old process gone, and how it exited.
    stopped_in: Duration,
    exit: String,
    /// Spawn → the new process printed its address.
    listening_in: Duration,
    /// Each call's longest silence across the restart (calls heard again), sorted.
    gaps: Vec<Duration>,
    /// The longest silence of any call in the second before the signal (the yardstick:
    /// the engine's pacing and this bench's reading, under the same load).
    steady: Duration,
    /// Calls playing before the restart and never heard after it.
    silent: usize,
    /// Streams heard only after the restart (a new engine port).
    new_streams: usize,
    /// Streams whose SSRC changed.
    ssrc_changed: usize,
    /// Spawn → the first restored stream heard, and → the last of them.
    first_back: Option<Duration>,
    all_back: Option<Duration>,
    /// Parked calls the engine counted before and after (`health`).
    parked_before: Option<u64>,
    parked_after: Option<u64>,
    sipp: Outcome,
    /// Calls SIPp failed on an unexpected message (a BYE from the engine, say).
    unexpected: u64,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

/// One field of the last line of SIPp's statistics file.
fn sipp_stat(path: &Path, name: &str) -> u64 {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let (Some(header), Some(last)) = (lines.next(), lines.next_back()) else {
        return 0;
    };
    header
        .split(';')
        .position(|n| n == name)
        .and_then(|i| last.split(';').nth(i))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

fn parked(runtime: &tokio::runtime::Runtime, url: &str, at_least: u64) -> Option<u64> {
    runtime.block_on(async {
        let mut monitor = Monitor::start(url, MONITOR).await.ok()?;
        let health = monitor
            .until(Duration::from_secs(3), |h| h.parked >= at_least)
            .await
            .unwrap_or_else(|h| h);
        Some(health.parked)
    })
}

/// Parks `calls` callers at `rate`, stops the engine with `stop`, starts it again on the same
/// directory and SIP address, and records every stream across it.
fn restart(
    dir: &Path,
    runtime: &tokio::runtime::Runtime,
    stop: Stop,
    calls: u64,
    rate: u64,
) -> Result<Restart, String> {
    let name = format!("{}-{calls}", stop.name().to_lowercase());
    let dir = dir.join(&name);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let phones = Recorder::start();
    let mut engine = Engine::start(&dir)?;
    let sip = engine.sip;
    let codes = sipp::code_file(
        &dir,
        "codes",
        FIRST_CODE,
        FIRST_CODE..LAST_CODE + 1,
        &phones.ports,
    );
    let arrive = Duration::from_secs_f64(calls as f64 / rate as f64);
    // A planned restart's callers wait from their answer, long enough for the parks, the
    // restart and the record; a crash's wait from the probe, a few seconds of music.
    let hold = match stop {
        Stop::Term => arrive + RESUME_LIMIT + Duration::from_secs(6),
        Stop::Kill => Duration::from_secs(4),
    };
    let limit = arrive + hold + RESUME_LIMIT + Duration::from_secs(30);
    let run = Sipp::new(Scenario::File(stop.scenario()), "callers")
        .calls(calls, rate as u32)
        .arg("-inf", codes.display())
        .arg("-d", hold.as_millis())
        .key("pai", "+15550100")
        .start(&dir, Some(sip), engine::free_port(), limit)?;
    let playing = phones.until_playing(calls as usize, arrive + Duration::from_secs(10));
    if playing < calls as usize {
        let out = run.wait(Duration::ZERO);
        return Err(format!(
            "only {playing} of {calls} parked callers hear music ({})",
            out.problem()
        ));
    }
    let parked_before = parked(runtime, &engine.url, calls);
    pause(Duration::from_secs(1));

    let signalled = clock();
    engine.signal(stop.signal())?;
    let status = engine.wait_exit(Duration::from_secs(20))?;
    let exited = clock();
    drop(engine);
    let engine = Engine::start_at(&dir, sip)?;
    let heard = phones.until_heard(calls as usize, exited, RESUME_LIMIT);
    // A little more music, so that a stream which stalls again right after counts.
    pause(Duration::from_secs(1));
    let streams = phones.snapshot();
    let parked_after = parked(runtime, &engine.url, calls);

    let before: Vec<&Stream> = streams
        .values()
        .filter(|s| s.first.is_some_and(|f| f < signalled))
        .collect();
    let mut gaps: Vec<Duration> = before
        .iter()
        .filter_map(|s| s.longest_gap_after(signalled))
        .collect();
    gaps.sort();
    let steady = before
        .iter()
        .flat_map(|s| s.gaps.iter())
        .filter(|(start, end)| *start >= signalled - Duration::from_secs(1) && *end <= signalled)
        .map(|(start, end)| *end - *start)
        .max()
        .unwrap_or(Duration::ZERO);
    let backs: Vec<Instant> = before
        .iter()
        .filter_map(|s| s.back_after(signalled))
        .collect();
    let result = Restart {
        calls,
        stop,
        stopped_in: exited - signalled,
        exit: status.to_string(),
        listening_in: engine.listening - engine.spawned,
        steady,
        silent: before.len() - backs.len(),
        gaps,
        new_streams: streams.len() - before.len(),
        ssrc_changed: streams.values().filter(|s| s.ssrc_changes > 0).count(),
        first_back: backs
            .iter()
            .min()
            .map(|b| b.saturating_duration_since(engine.spawned)),
        all_back: (heard >= calls as usize && backs.len() == before.len())
            .then(|| backs.iter().max())
            .flatten()
            .map(|b| b.saturating_duration_since(engine.spawned)),
        parked_before,
        parked_after,
        // Callers whose music never came back wait no longer than their hold.
        sipp: run.wait(if heard >= calls as usize {
            limit + Duration::from_secs(10)
        } else {
            arrive + hold + Duration::from_secs(5)
        }),
        unexpected: sipp_stat(&dir.join("callers/stat.csv"), "FailedUnexpectedMessage(C)"),
    };
    drop(engine);
    Ok(result)
}

fn print_restart(r: &Restart) {
    println!(
        "  {} with {} parked: stopped in {} ({}), new process listening {} after spawn",
        r.stop.name(),
        r.calls,
        ms(r.stopped_in),
        r.exit,
        ms(r.listening_in)
    );
    println!(
        "    longest silence per call: median {}, p90 {}, max {} (the second before: max {}); \
         {} of {} never heard again; {} new streams, {} SSRC changes",
        ms(percentile(&r.gaps, 0.5)),
        ms(percentile(&r.gaps, 0.9)),
        ms(r.gaps.last().copied().unwrap_or_default()),
        steady_text(r.steady),
        r.silent,
        r.calls,
        r.new_streams,
        r.ssrc_changed
    );
    println!(
        "    spawn → first stream back {}, → every stream back {}; parked (health) {} before, {} after",
        r.first_back.map_or("–".into(), ms),
        r.all_back.map_or("not all".into(), ms),
        r.parked_before.map_or("?".into(), |p| p.to_string()),
        r.parked_after.map_or("?".into(), |p| p.to_string()),
    );
    println!(
        "    SIPp: {} successful, {} failed ({} on an unexpected message){}",
        r.sipp.successful,
        r.sipp.failed,
        r.unexpected,
        if r.sipp.clean(r.calls) {
            String::new()
        } else {
            format!(" — {}", r.sipp.problem())
        }
    );
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// Silences under [`NOTED_GAP`] are not noted.
fn steady_text(d: Duration) -> String {
    if d.is_zero() {
        format!("< {}", ms(NOTED_GAP))
    } else {
        ms(d)
    }
}

fn gap_cell(r: &Restart) -> String {
    format!(
        "median {}, max {} over {} calls (in the second before: {}); {} not heard again; {} of {} SIPp callers clean, {} failed ({} on an unexpected message)",
        ms(percentile(&r.gaps, 0.5)),
        ms(r.gaps.last().copied().unwrap_or_default()),
        r.calls,
        steady_text(r.steady),
        r.silent,
        r.sipp.successful,
        r.calls,
        r.sipp.failed,
        r.unexpected
    )
}

fn main() {
    std::process::exit(run());
}

fn run() -> i32 {
    let quick = std::env::args().skip(1).any(|a| a == "quick");
    let calls = env_u64("RESTART_CALLS", if quick { 50 } else { 100 }).max(1);
    let recovery = env_u64("RESTART_RECOVERY_CALLS", if quick { 200 } else { 1000 }).max(1);
    let rate = env_u64("RESTART_RATE", 250).max(1);
    let load_before = loadavg();
    println!(
        "Restart bench{}: {calls} calls for the gaps, {recovery} for the recovery, parked at \
         {rate}/s; {}; load average {load_before}",
        if quick { " (quick)" } else { "" },
        sipp::version()
    );
    let tmp = tempfile::Builder::new()
        .prefix("restart-")
        .tempdir()
        .unwrap();
    let dir = tmp.path().to_path_buf();
    if std::env::var("RESTART_KEEP").is_ok_and(|v| v == "1") {
        let kept = tmp.keep();
        println!("  keeping {}", kept.display());
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut broken = Vec::new();
    let mut step = |stop: Stop, n: u64| match restart(&dir, &runtime, stop, n, rate) {
        Ok(r) => {
            print_restart(&r);
            if !r.sipp.clean(n) {
                broken.push(format!("{} {n}: {}", stop.name(), r.sipp.problem()));
            }
            Some(r)
        }
        Err(e) => {
            println!("  {} with {n} parked: BROKEN — {e}", stop.name());
            broken.push(format!("{} {n}: {e}", stop.name()));
            None
        }
    };
    let term = step(Stop::Term, calls);
    let kill = step(Stop::Kill, calls);
    let recovered = step(Stop::Kill, recovery);

    println!();
    println!("| figure | measured | aim |");
    println!("|---|---|---|");
    let gap = |label: &str, r: &Option<Restart>| match r {
        Some(r) => println!(
            "| {label}: longest silence a parked caller hears | {} | ≤ 1 s, no BYE |",
            gap_cell(r)
        ),
        None => println!("| {label} | broken | ≤ 1 s, no BYE |"),
    };
    gap("planned restart (SIGTERM + start)", &term);
    gap("crash (SIGKILL + start, every caller probed)", &kill);
    match &recovered {
        Some(r) => println!(
            "| {} parked calls, SIGKILL: new process's spawn → first / every stream heard again | {} / {} (listening after {}; {} not heard again) | |",
            r.calls,
            r.first_back.map_or("–".into(), ms),
            r.all_back.map_or("not all".into(), ms),
            ms(r.listening_in),
            r.silent
        ),
        None => println!("| {recovery} parked calls, SIGKILL: recovery | broken | |"),
    }
    println!(
        "| load average | {load_before} before, {} after | |",
        loadavg()
    );
    if broken.is_empty() {
        println!("\nEvery step ran.");
        0
    } else {
        println!("\nBROKEN:");
        for b in &broken {
            println!("  - {b}");
        }
        1
    }
}
