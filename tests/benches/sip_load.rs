//! The SIP load figures, through the real `parkdesk engine` process on loopback:
//!
//! 1. SIPp against SIPp (`-sn uac` → `-sn uas`), the same run: the highest call rate SIPp
//!    sustains here with no failed call, the yardstick for the engine's figure;
//! 2. park + retrieve flows per second: a SIPp parker dials `*70<code>` (a directed park,
//!    the code from the call number through an injection file) and waits for the engine's
//!    BYE; a SIPp retriever, started a fixed delay later at the same rate with the same
//!    numbering, dials the code, is bridged, hangs up shortly after. A rate counts when
//!    every call of both succeeded, SIPp kept the pace (≥ 90 % of it) and the engine ended
//!    with nothing left; the highest such rate and its ratio to the SIPp baseline;
//! 3. CPU (user + system, all threads, from `/proc/<pid>/stat`) and resident memory of the
//!    engine idle, then with 1,000 parked calls streaming music on hold;
//! 4. the latency from a directed-park INVITE (a small UAC in this bench) to the console's
//!    `park.started`, while SIPp runs park + retrieve flows at half the best clean rate.
//!
//! Run: `cargo bench --bench sip_load` (about 5 minutes), or `cargo bench --bench sip_load --
//! quick` (about a minute, smaller and shorter). Knobs (environment): `SIP_LOAD_BASELINE_RATES`
//! and `SIP_LOAD_FLOW_RATES` (comma-separated calls/s), `SIP_LOAD_STEP_SECONDS` (calls per
//! step = rate × this), `SIP_LOAD_PARK_MS` (the retriever's delay), `SIP_LOAD_HOLD_MS` (the
//! retriever's talk time), `SIP_LOAD_MOH_CALLS`, `SIP_LOAD_SAMPLE_SECONDS`, `SIP_LOAD_PROBES`,
//! `SIP_LOAD_KEEP=1` (keep the temporary directory: engine log, SIPp statistics and errors),
//! `SIP_LOAD_DIR` (where that directory is made: the disk the store is on).
//!
//! The engine's store is a SQLite file in that directory, as a site has it, so every park
//! writes the caller's durable leg (dialog and stream) there before its `200 OK`.
//!
//! No RTP is sent by SIPp: the engine's music goes to a socket of this bench that drains it
//! and counts packets. The aims are reported, not asserted; the bench exits non-zero when a
//! step broke (the engine died, a step could not run, no clean rate at all, a probe failed).
#![allow(clippy::unwrap_used, missing_docs)] // bench code

#[path = "sip_load/console.rs"]
mod console;
#[allow(dead_code)] // shared with the restart bench, which also stops and restarts it
#[path = "sip_load/engine.rs"]
mod engine;
#[path = "sip_load/probe.rs"]
mod probe;
#[path = "sip_load/sipp.rs"]
mod sipp;
#[path = "../support/sipp_stats.rs"]
mod sipp_stats;

use console::{Console, Monitor};
use engine::{Engine, MONITOR, RECEPTION};
use sipp::{Outcome, Running, Scenario, Sipp};
use std::net::UdpSocket;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Codes the SIPp flows use: the first 8,000 of the range; probes take the rest.
const FLOW_CODES: std::ops::Range<u32> = engine::FIRST_CODE..18_000;
const PROBE_FIRST_CODE: u32 = 18_000;
/// A rate is sustained when this share of it was achieved.
const SUSTAINED: f64 = 0.9;

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

fn env_rates(name: &str, default: &[u32]) -> Vec<u32> {
    std::env::var(name)
        .ok()
        .map(|v| {
            v.split(',')
                .filter_map(|r| r.trim().parse().ok())
                .filter(|&r| r > 0)
                .collect::<Vec<u32>>()
        })
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| default.to_vec())
}

/// The bench's settings.
struct Knobs {
    quick: bool,
    baseline_rates: Vec<u32>,
    flow_rates: Vec<u32>,
    step_seconds: f64,
    park: Duration,
    hold: Duration,
    moh_calls: u64,
    moh_rate: u32,
    sample: Duration,
    probes: u32,
    probe_rate: u32,
}

impl Knobs {
    fn read() -> Knobs {
        let quick = std::env::args().skip(1).any(|a| a == "quick")
            || std::env::var("SIP_LOAD_QUICK").is_ok_and(|v| v == "1");
        let (baseline, flows, step, sample, probes): (&[u32], &[u32], u64, u64, u64) = if quick {
            (&[500, 2000], &[100, 300, 500], 2, 3, 60)
        } else {
            (
                &[
                    250, 500, 1000, 1500, 2000, 2500, 3000, 4000, 5000, 6000, 7000, 8000, 10000,
                ],
                &[
                    50, 100, 200, 300, 400, 500, 600, 750, 1000, 1250, 1500, 2000,
                ],
                5,
                10,
                400,
            )
        };
        Knobs {
            quick,
            baseline_rates: env_rates("SIP_LOAD_BASELINE_RATES", baseline),
            flow_rates: env_rates("SIP_LOAD_FLOW_RATES", flows),
            step_seconds: env_u64("SIP_LOAD_STEP_SECONDS", step) as f64,
            park: Duration::from_millis(env_u64("SIP_LOAD_PARK_MS", 1000)),
            hold: Duration::from_millis(env_u64("SIP_LOAD_HOLD_MS", 200)),
            moh_calls: env_u64("SIP_LOAD_MOH_CALLS", 1000).max(1),
            moh_rate: 250,
            sample: Duration::from_secs(env_u64("SIP_LOAD_SAMPLE_SECONDS", sample).max(1)),
            probes: env_u64("SIP_LOAD_PROBES", probes).clamp(1, 2000) as u32,
            probe_rate: 20,
        }
    }
}

/// Sockets standing for the SIPp phones' media ports (calls take them in turn): one thread
/// drains them every 5 ms and counts the packets (the engine's music and relayed audio).
/// Several sockets, so that 50,000 packets a second fit in their receive buffers between
/// two drains, as in the media bench.
struct Sink {
    ports: Vec<u16>,
    packets: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

const PHONE_SOCKETS: usize = 8;

impl Sink {
    fn start() -> Sink {
        let sockets: Vec<UdpSocket> = (0..PHONE_SOCKETS)
            .map(|_| {
                let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
                socket.set_nonblocking(true).unwrap();
                socket
            })
            .collect();
        let ports = sockets
            .iter()
            .map(|s| s.local_addr().unwrap().port())
            .collect();
        let packets = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (count, halt) = (Arc::clone(&packets), Arc::clone(&stop));
        std::thread::Builder::new()
            .name("rtp-sink".into())
            .spawn(move || {
                let mut buf = [0u8; 2048];
                while !halt.load(Ordering::Relaxed) {
                    for socket in &sockets {
                        while socket.recv_from(&mut buf).is_ok() {
                            count.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    pause(Duration::from_millis(5));
                }
            })
            .unwrap();
        Sink {
            ports,
            packets,
            stop,
        }
    }

    fn count(&self) -> u64 {
        self.packets.load(Ordering::Relaxed)
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// One rate of a ramp.
#[derive(Debug, Clone)]
struct Step {
    rate: u32,
    achieved: f64,
    clean: bool,
    note: String,
}

/// Runs `step` at each rate until one is not clean; every step is printed.
fn ramp(
    label: &str,
    rates: &[u32],
    mut step: impl FnMut(u32) -> Step,
) -> (Option<Step>, Option<Step>) {
    let mut best = None;
    for &rate in rates {
        let s = step(rate);
        println!(
            "  {label:<9} {:>5}/s requested: {:>7.1}/s achieved, {}{}",
            s.rate,
            s.achieved,
            if s.clean { "clean" } else { "NOT clean" },
            if s.note.is_empty() {
                String::new()
            } else {
                format!(" — {}", s.note)
            }
        );
        if !s.clean {
            return (best, Some(s));
        }
        best = Some(s);
    }
    (best, None)
}

fn calls_for(rate: u32, seconds: f64) -> u64 {
    ((f64::from(rate) * seconds).round() as u64).max(1)
}

/// SIPp against SIPp at `rate` for `calls` calls.
fn baseline_step(dir: &Path, uas_port: u16, rate: u32, calls: u64) -> Step {
    let limit = Duration::from_secs(calls / u64::from(rate) + 30);
    let target = std::net::SocketAddr::from(([127, 0, 0, 1], uas_port));
    let run = Sipp::new(Scenario::Builtin("uac"), &format!("baseline-{rate}"))
        .calls(calls, rate)
        .start(dir, Some(target), engine::free_port(), limit)
        .map(|r| r.wait(limit + Duration::from_secs(10)));
    match run {
        Err(e) => Step {
            rate,
            achieved: 0.0,
            clean: false,
            note: e,
        },
        Ok(out) => {
            let achieved = out.successful as f64 / out.wall.as_secs_f64();
            let clean = out.clean(calls) && achieved >= SUSTAINED * f64::from(rate);
            Step {
                rate,
                achieved,
                clean,
                note: if out.clean(calls) {
                    String::new()
                } else {
                    out.problem()
                },
            }
        }
    }
}

/// What a flow run needs.
struct Flows<'a> {
    dir: &'a Path,
    engine: &'a Engine,
    sink: &'a [u16],
    park: Duration,
    hold: Duration,
    next_code: u32,
}

/// A parker and a retriever running.
struct FlowRun {
    parker: Running,
    retriever: Running,
    started: Instant,
    calls: u64,
    limit: Duration,
}

impl Flows<'_> {
    /// Starts the parker, waits the park delay, starts the retriever.
    fn start(&mut self, name: &str, rate: u32, calls: u64) -> Result<FlowRun, String> {
        let codes = sipp::code_file(self.dir, name, self.next_code, FLOW_CODES, self.sink);
        self.next_code = FLOW_CODES.start
            + (self.next_code - FLOW_CODES.start + calls as u32)
                % (FLOW_CODES.end - FLOW_CODES.start);
        let limit = Duration::from_secs(calls / u64::from(rate) + 30) + self.park + self.hold;
        let started = clock();
        let parker = Sipp::new(Scenario::File("load_park.xml"), &format!("{name}-parker"))
            .calls(calls, rate)
            .arg("-inf", codes.display())
            .key("pai", "+15550100")
            .start(self.dir, Some(self.engine.sip), engine::free_port(), limit)?;
        pause(self.park);
        let retriever = Sipp::new(
            Scenario::File("load_retrieve.xml"),
            &format!("{name}-retriever"),
        )
        .calls(calls, rate)
        .arg("-inf", codes.display())
        .arg("-d", self.hold.as_millis())
        .key("pai", engine::DESK_NUMBER)
        .start(self.dir, Some(self.engine.sip), engine::free_port(), limit)?;
        Ok(FlowRun {
            parker,
            retriever,
            started,
            calls,
            limit,
        })
    }
}

impl FlowRun {
    /// Waits for both; (achieved flows/s, clean, what went wrong).
    fn finish(self, rate: u32, park: Duration, hold: Duration) -> (f64, bool, String) {
        let retriever: Outcome = self.retriever.wait(self.limit + Duration::from_secs(10));
        let parker: Outcome = self.parker.wait(self.limit + Duration::from_secs(10));
        let wall = self.started.elapsed();
        let flows = parker.successful.min(retriever.successful);
        let busy = wall.saturating_sub(park + hold).as_secs_f64().max(1e-3);
        let achieved = flows as f64 / busy;
        let mut problems = Vec::new();
        if !parker.clean(self.calls) {
            problems.push(parker.problem());
        }
        if !retriever.clean(self.calls) {
            problems.push(retriever.problem());
        }
        let clean = problems.is_empty() && achieved >= SUSTAINED * f64::from(rate);
        (achieved, clean, problems.join("; "))
    }
}

/// CPU in cores and resident memory over a window.
#[derive(Debug, Clone, Copy)]
struct Usage {
    cores: f64,
    rss_mib: f64,
    packets_per_call: Option<f64>,
}

fn sample(engine: &Engine, sink: &Sink, window: Duration, calls: u64) -> Usage {
    let (cpu0, rx0, t0) = (engine.cpu(), sink.count(), clock());
    pause(window);
    let (cpu1, rx1, wall) = (engine.cpu(), sink.count(), t0.elapsed());
    Usage {
        cores: (cpu1 - cpu0).as_secs_f64() / wall.as_secs_f64(),
        rss_mib: engine.rss_kib() as f64 / 1024.0,
        packets_per_call: (calls > 0)
            .then(|| (rx1 - rx0) as f64 / wall.as_secs_f64() / calls as f64),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn machine() -> (usize, String, String) {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    (cores, model, loadavg())
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// Everything measured, for the table.
#[derive(Default)]
struct Report {
    baseline: Option<Step>,
    baseline_stop: Option<Step>,
    flows: Option<Step>,
    flows_stop: Option<Step>,
    idle: Option<Usage>,
    moh: Option<Usage>,
    moh_calls: u64,
    latency: Option<(Vec<Duration>, u32)>,
    broken: Vec<String>,
}

fn main() {
    let code = run();
    std::process::exit(code);
}

fn run() -> i32 {
    let knobs = Knobs::read();
    let (cores, model, load_before) = machine();
    let version = sipp::version();
    println!(
        "SIP load bench{}",
        if knobs.quick { " (quick)" } else { "" }
    );
    println!("  machine: {cores} cores, {model}; load average {load_before}; {version}");
    let tmp = match std::env::var_os("SIP_LOAD_DIR") {
        Some(parent) => tempfile::Builder::new()
            .prefix("sip-load-")
            .tempdir_in(parent),
        None => tempfile::Builder::new().prefix("sip-load-").tempdir(),
    }
    .unwrap();
    let dir = tmp.path().to_path_buf();
    if std::env::var("SIP_LOAD_KEEP").is_ok_and(|v| v == "1") {
        let kept = tmp.keep();
        println!("  keeping {}", kept.display());
    }
    let mut report = Report {
        moh_calls: knobs.moh_calls,
        ..Report::default()
    };

    // 1. SIPp against SIPp.
    println!("SIPp against SIPp (uac → uas, loopback):");
    {
        let uas_port = engine::free_port();
        let uas = Sipp::new(Scenario::Builtin("uas"), "baseline-uas").start(
            &dir,
            None,
            uas_port,
            Duration::from_secs(3600),
        );
        match uas {
            Err(e) => report.broken.push(format!("SIPp UAS: {e}")),
            Ok(_uas) => {
                pause(Duration::from_millis(300));
                let (best, stop) = ramp("baseline", &knobs.baseline_rates, |rate| {
                    baseline_step(&dir, uas_port, rate, calls_for(rate, knobs.step_seconds))
                });
                report.baseline = best;
                report.baseline_stop = stop;
            }
        }
        if report.baseline.is_none() {
            report
                .broken
                .push("SIPp against SIPp: no clean rate".into());
        }
    }

    // The engine, a console watching every event, a monitor asking health.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let mut engine = match Engine::start(&dir) {
        Ok(engine) => engine,
        Err(e) => {
            report.broken.push(e);
            print_report(&report, &knobs, cores, &model, &version, &load_before);
            return 1;
        }
    };
    let sink = Sink::start();
    let clients = runtime.block_on(async {
        let console = Console::start(&engine.url, RECEPTION, PROBE_FIRST_CODE).await?;
        let monitor = Monitor::start(&engine.url, MONITOR).await?;
        Ok::<_, String>((console, monitor))
    });
    let (console, mut monitor) = match clients {
        Ok(c) => c,
        Err(e) => {
            report.broken.push(format!("WebSocket clients: {e}"));
            print_report(&report, &knobs, cores, &model, &version, &load_before);
            return 1;
        }
    };
    pause(Duration::from_secs(1));

    // 2. Idle, then 1,000 parked calls streaming music.
    println!("Parked calls on music on hold:");
    report.idle = Some(sample(&engine, &sink, knobs.sample, 0));
    let mut flows = Flows {
        dir: &dir,
        engine: &engine,
        sink: &sink.ports,
        park: knobs.park,
        hold: knobs.hold,
        next_code: FLOW_CODES.start,
    };
    match moh_step(&mut flows, &mut monitor, &runtime, &sink, &knobs) {
        Ok(usage) => report.moh = Some(usage),
        Err(e) => report.broken.push(format!("music on hold: {e}")),
    }
    println!(
        "  idle: {}; {} parked: {}",
        usage_text(report.idle),
        knobs.moh_calls,
        usage_text(report.moh)
    );

    // 3. Park + retrieve flows.
    println!(
        "Park + retrieve flows (retriever {} ms after the parker, holds {} ms):",
        knobs.park.as_millis(),
        knobs.hold.as_millis()
    );
    let (best, stop) = ramp("flows", &knobs.flow_rates, |rate| {
        flow_step(
            &mut flows,
            &mut monitor,
            &console,
            &runtime,
            rate,
            knobs.step_seconds,
        )
    });
    report.flows = best;
    report.flows_stop = stop;
    if report.flows.is_none() {
        report.broken.push("park + retrieve: no clean rate".into());
    }
    if let Err(e) = drain(&mut monitor, &runtime) {
        println!("  after the ramp: {e}");
    }

    // 4. Latency under load.
    let load_rate = report.flows.as_ref().map_or(0, |s| s.rate / 2).max(1);
    println!(
        "Latency: {} directed parks at {}/s, INVITE → park.started, under {load_rate} flows/s:",
        knobs.probes, knobs.probe_rate
    );
    match latency_step(&mut flows, &console, &runtime, &sink, &knobs, load_rate) {
        Ok((latencies, failed)) => {
            if failed > 0 {
                report.broken.push(format!(
                    "latency: {failed} probe calls did not complete cleanly"
                ));
            }
            report.latency = Some((latencies, failed));
        }
        Err(e) => report.broken.push(format!("latency: {e}")),
    }

    if !engine.alive() {
        report.broken.push("the engine died".into());
    }
    if let Some(reason) = console.closed() {
        report
            .broken
            .push(format!("the console's connection closed: {reason}"));
    }
    let warnings = engine.log_warnings(5);
    if !warnings.is_empty() {
        println!("Engine log, last warnings:");
        for w in &warnings {
            println!("  {}", w.chars().take(300).collect::<String>());
        }
    }
    print_report(&report, &knobs, cores, &model, &version, &load_before);
    drop(console);
    drop(monitor);
    drop(engine);
    runtime.shutdown_timeout(Duration::from_secs(1));
    i32::from(!report.broken.is_empty())
}

fn usage_text(usage: Option<Usage>) -> String {
    match usage {
        None => "not measured".into(),
        Some(u) => format!(
            "{:.3} cores, RSS {:.1} MiB{}",
            u.cores,
            u.rss_mib,
            u.packets_per_call
                .map(|p| format!(", {p:.1} RTP packets/s per call arrived"))
                .unwrap_or_default()
        ),
    }
}

/// Waits until the engine holds no call (up to 20 s); the leftovers otherwise.
fn drain(monitor: &mut Monitor, runtime: &tokio::runtime::Runtime) -> Result<(), String> {
    runtime
        .block_on(monitor.until(Duration::from_secs(20), |h| h.parked == 0 && h.calls == 0))
        .map(|_| ())
        .map_err(|h| {
            format!(
                "{} parked and {} calls left in the engine",
                h.parked, h.calls
            )
        })
}

fn moh_step(
    flows: &mut Flows<'_>,
    monitor: &mut Monitor,
    runtime: &tokio::runtime::Runtime,
    sink: &Sink,
    knobs: &Knobs,
) -> Result<Usage, String> {
    let calls = knobs.moh_calls;
    let rate = knobs.moh_rate;
    let arrive = Duration::from_secs_f64(calls as f64 / f64::from(rate));
    // Long enough to park them all, settle, measure, with a margin; then they hang up.
    let hold = arrive + Duration::from_secs(8) + knobs.sample;
    let codes = sipp::code_file(flows.dir, "moh", flows.next_code, FLOW_CODES, flows.sink);
    flows.next_code = FLOW_CODES.start
        + (flows.next_code - FLOW_CODES.start + calls as u32) % (FLOW_CODES.end - FLOW_CODES.start);
    let limit = hold + arrive + Duration::from_secs(30);
    let run = Sipp::new(Scenario::File("load_moh.xml"), "moh")
        .calls(calls, rate)
        .arg("-inf", codes.display())
        .arg("-d", hold.as_millis())
        .key("pai", "+15550100")
        .start(
            flows.dir,
            Some(flows.engine.sip),
            engine::free_port(),
            limit,
        )?;
    let parked =
        runtime.block_on(monitor.until(arrive + Duration::from_secs(5), |h| h.parked >= calls));
    if let Err(h) = parked {
        let out = run.wait(Duration::ZERO);
        return Err(format!(
            "only {} of {calls} parked in time ({})",
            h.parked,
            out.problem()
        ));
    }
    pause(Duration::from_secs(1));
    let usage = sample(flows.engine, sink, knobs.sample, calls);
    let still = runtime.block_on(monitor.health()).unwrap_or_default();
    let out = run.wait(limit + Duration::from_secs(10));
    if still.parked != calls {
        return Err(format!(
            "{} of {calls} still parked after the sample",
            still.parked
        ));
    }
    if !out.clean(calls) {
        return Err(out.problem());
    }
    drain(monitor, runtime)?;
    Ok(usage)
}

fn flow_step(
    flows: &mut Flows<'_>,
    monitor: &mut Monitor,
    console: &Console,
    runtime: &tokio::runtime::Runtime,
    rate: u32,
    seconds: f64,
) -> Step {
    let calls = calls_for(rate, seconds);
    let (_, retrieved_before, other_before) = console.counts();
    let run = match flows.start(&format!("flows-{rate}"), rate, calls) {
        Ok(run) => run,
        Err(e) => {
            return Step {
                rate,
                achieved: 0.0,
                clean: false,
                note: e,
            };
        }
    };
    let (achieved, mut clean, mut note) = run.finish(rate, flows.park, flows.hold);
    if let Err(e) = drain(monitor, runtime) {
        clean = false;
        note = [note, e].join("; ");
    }
    let (_, retrieved, other) = console.counts();
    let (retrieved, other) = (retrieved - retrieved_before, other - other_before);
    if retrieved != calls || other != 0 {
        clean = false;
        note = [
            note,
            format!("the console saw {retrieved} retrieved and {other} other park ends of {calls}"),
        ]
        .join("; ");
    }
    Step {
        rate,
        achieved,
        clean,
        note: note.trim_start_matches("; ").to_string(),
    }
}

fn latency_step(
    flows: &mut Flows<'_>,
    console: &Console,
    runtime: &tokio::runtime::Runtime,
    sink: &Sink,
    knobs: &Knobs,
    load_rate: u32,
) -> Result<(Vec<Duration>, u32), String> {
    let probing = f64::from(knobs.probes) / f64::from(knobs.probe_rate);
    let calls = calls_for(load_rate, probing + knobs.park.as_secs_f64() + 3.0);
    let run = flows.start("latency-load", load_rate, calls)?;
    let result = runtime.block_on(probe::run(
        flows.engine.sip,
        sink.ports[0],
        knobs.probes,
        knobs.probe_rate,
        PROBE_FIRST_CODE,
        console,
    ))?;
    let (achieved, clean, note) = run.finish(load_rate, flows.park, flows.hold);
    println!(
        "  load: {load_rate} flows/s requested, {achieved:.1}/s achieved, {}",
        if clean {
            "clean".to_string()
        } else {
            format!("NOT clean — {note}")
        }
    );
    for failure in result.failures.iter().take(5) {
        println!("  probe failed: {failure}");
    }
    let mut latencies = result.latencies;
    latencies.sort();
    Ok((latencies, result.failures.len() as u32))
}

fn print_report(
    report: &Report,
    knobs: &Knobs,
    cores: usize,
    model: &str,
    version: &str,
    load_before: &str,
) {
    let rate = |s: &Option<Step>| {
        s.as_ref().map_or("none clean".to_string(), |s| {
            format!("{:.0}/s (asked {}/s)", s.achieved, s.rate)
        })
    };
    let stop = |s: &Option<Step>| {
        s.as_ref()
            .map_or("(the top of the ramp was clean)".to_string(), |s| {
                format!(
                    "first not clean: {}/s asked, {:.0}/s achieved",
                    s.rate, s.achieved
                )
            })
    };
    println!();
    println!("| figure | measured | aim |");
    println!("|---|---|---|");
    println!(
        "| machine | {cores} cores, {model}; load average {load_before} before, {} after | |",
        loadavg()
    );
    println!("| SIPp | {version} | |");
    println!(
        "| SIPp → SIPp calls/s, no failed call | {}; {} | |",
        rate(&report.baseline),
        stop(&report.baseline_stop)
    );
    println!(
        "| engine park + retrieve flows/s, no failed call | {}; {} | ≥ 500/s |",
        rate(&report.flows),
        stop(&report.flows_stop)
    );
    let ratio = match (&report.baseline, &report.flows) {
        (Some(b), Some(f)) if b.achieved > 0.0 => format!("{:.3}", f.achieved / b.achieved),
        _ => "–".into(),
    };
    println!("| flows/s ÷ SIPp calls/s | {ratio} | |");
    println!("| engine idle | {} | |", usage_text(report.idle));
    println!(
        "| engine, {} parked calls on music | {} | < 0.5 cores |",
        report.moh_calls,
        usage_text(report.moh)
    );
    match &report.latency {
        Some((l, failed)) if !l.is_empty() => println!(
            "| SIP park → console park.started ({} samples{}) | p50 {}, p99 {}, max {} | p99 low |",
            l.len(),
            if *failed > 0 {
                format!(", {failed} failed")
            } else {
                String::new()
            },
            ms(percentile(l, 0.5)),
            ms(percentile(l, 0.99)),
            ms(*l.last().unwrap()),
        ),
        _ => println!("| SIP park → console park.started | not measured | p99 low |"),
    }
    println!(
        "| settings | steps of {} s, retriever after {} ms, holds {} ms{} | |",
        knobs.step_seconds,
        knobs.park.as_millis(),
        knobs.hold.as_millis(),
        if knobs.quick { ", quick" } else { "" }
    );
    if report.broken.is_empty() {
        println!("\nEvery step ran.");
    } else {
        println!("\nBROKEN:");
        for b in &report.broken {
            println!("  - {b}");
        }
    }
}
