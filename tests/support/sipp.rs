//! The SIP test harness: an engine with `[sip]` on ephemeral ports, SIPp processes with
//! their own ports running scenarios from `tests/sip/`, and RTP sockets the harness owns
//! so it can check what the engine sent.

#![allow(clippy::disallowed_methods)] // SIPp and RTP run on wall time

use parkdesk::config::{Cidr, SipSettings};
use parkdesk::engine::EngineSetup;
use parkdesk::server::{ServerHandle, start_server};
use std::net::{SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Duration;
use tokio::sync::{Mutex, MutexGuard};

use crate::support::{self, poll};

static SERIAL: Mutex<()> = Mutex::const_new(());

/// SIP tests run one at a time: SIPp processes and RTP timing stay predictable on 2 cores.
pub async fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().await
}

static NEXT_RTP: AtomicU16 = AtomicU16::new(0);

/// A block of 200 RTP ports of its own for each engine of this test process.
pub fn rtp_block() -> (u16, u16) {
    // Below the ephemeral range (32768+), where SIPp and the test sockets take their ports,
    // and above 21000–22999, which the media tests (`sip::media`, same process) take.
    let base = 23_000 + (std::process::id() % 7) as u16 * 1000;
    let n = NEXT_RTP.fetch_add(1, Ordering::Relaxed) % 5;
    let min = base + n * 200;
    (min, min + 199)
}

/// Waits (up to 5 s) until something holds UDP `port` on 127.0.0.1: a phone started with
/// [`Sipp::serve`] is listening there.
pub async fn until_listening(port: u16) -> bool {
    poll::until_async(Duration::from_secs(5), || {
        std::future::ready(UdpSocket::bind(("127.0.0.1", port)).is_err())
    })
    .await
}

/// A free UDP port on 127.0.0.1 (bound and released).
pub fn free_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// An engine with SIP on loopback; 127.0.0.1 is the trusted PBX.
pub struct SipEngine {
    pub server: ServerHandle,
    pub sip: SocketAddr,
    pub url: String,
}

/// Starts an engine for `setup` with SIP, `edit` adjusting the `[sip]` settings.
pub async fn start(setup: EngineSetup, edit: impl FnOnce(&mut SipSettings)) -> SipEngine {
    // `SIP_TEST_LOG=/tmp/sip.log cargo test --test sip` keeps the engine's log for a look.
    if let Ok(path) = std::env::var("SIP_TEST_LOG")
        && let Ok(file) = std::fs::File::create(path)
    {
        let _ = tracing_subscriber::fmt()
            .with_writer(std::sync::Mutex::new(file))
            .with_env_filter("debug")
            .with_ansi(false)
            .try_init();
    }
    let (min, max) = rtp_block();
    let mut sip = SipSettings {
        listen: "127.0.0.1:0".parse().expect("addr"),
        trusted: vec!["127.0.0.1/32".parse::<Cidr>().expect("cidr")],
        park_extension_policy: Some("global".into()),
        rtp_port_min: min,
        rtp_port_max: max,
        ..SipSettings::default()
    };
    edit(&mut sip);
    let mut options = support::options(setup);
    options.sip = Some(sip);
    options.task.sim_enabled = false;
    let server = start_server(options).await.expect("engine with SIP starts");
    let sip = server.sip.as_ref().expect("SIP is on").addr;
    let url = server.url();
    SipEngine { server, sip, url }
}

/// A SIPp run: scenario, target, keys; its messages traced to a file.
pub struct Sipp {
    scenario: String,
    service: String,
    keys: Vec<(String, String)>,
    local_ip: String,
    calls: u32,
    extra: Vec<String>,
}

/// A finished SIPp run.
pub struct SippRun {
    pub success: bool,
    pub messages: String,
    pub errors: String,
}

impl SippRun {
    /// The status codes SIPp received, in order.
    pub fn statuses(&self) -> Vec<u16> {
        self.messages
            .lines()
            .filter_map(|l| l.strip_prefix("SIP/2.0 "))
            .filter_map(|rest| rest.get(..3)?.parse().ok())
            .collect()
    }

    /// The first message starting with `start_line` (e.g. `SIP/2.0 200`), headers and body.
    pub fn message(&self, start_line: &str) -> Option<String> {
        let at = self.messages.find(start_line)?;
        let rest = &self.messages[at..];
        let end = rest.find("\n----").unwrap_or(rest.len());
        Some(rest[..end].to_string())
    }
}

fn scenario_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/sip")
}

impl Sipp {
    /// `scenario` (a file in `tests/sip/`) dialling `service`.
    pub fn new(scenario: &str, service: &str) -> Sipp {
        Sipp {
            scenario: scenario.into(),
            service: service.into(),
            keys: Vec::new(),
            local_ip: "127.0.0.1".into(),
            calls: 1,
            extra: Vec::new(),
        }
    }

    /// A `[name]` keyword for the scenario.
    pub fn key(mut self, name: &str, value: impl ToString) -> Sipp {
        self.keys.push((name.into(), value.to_string()));
        self
    }

    /// Send from another loopback address (not the trusted 127.0.0.1).
    pub fn source_ip(mut self, ip: &str) -> Sipp {
        self.local_ip = ip.into();
        self
    }

    /// More command-line arguments.
    pub fn arg(mut self, arg: &str) -> Sipp {
        self.extra.push(arg.into());
        self
    }

    /// Several more command-line arguments.
    pub fn args<const N: usize>(mut self, args: [&str; N]) -> Sipp {
        self.extra.extend(args.iter().map(|a| a.to_string()));
        self
    }

    /// Runs SIPp against `target` in the background.
    pub fn spawn(self, target: SocketAddr) -> RunningSipp {
        self.launch(Some(target), free_port())
    }

    /// Runs SIPp as a phone (a UAS) listening on `port`, in the background.
    pub fn serve(self, port: u16) -> RunningSipp {
        self.launch(None, port)
    }

    fn launch(self, target: Option<SocketAddr>, port: u16) -> RunningSipp {
        let dir = tempfile::tempdir().expect("tempdir");
        let trace = dir.path().join("messages.log");
        let errors = dir.path().join("errors.log");
        let mut cmd = Command::new("sipp");
        if let Some(target) = target {
            cmd.arg(target.to_string()).args(["-s", &self.service]);
        }
        cmd.arg("-sf")
            .arg(scenario_dir().join(&self.scenario))
            .args(["-i", &self.local_ip])
            .args(["-p", &port.to_string()])
            .args(["-mp", &free_port().to_string()])
            .args(["-m", &self.calls.to_string()])
            .args(["-timeout", "40s", "-timeout_error"])
            .args(["-nostdin", "-trace_msg", "-trace_err"])
            .arg("-message_file")
            .arg(&trace)
            .arg("-error_file")
            .arg(&errors)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (name, value) in &self.keys {
            cmd.args(["-key", name, value]);
        }
        cmd.args(&self.extra);
        let child = cmd
            .spawn()
            .expect("sipp runs (the test command installs sip-tester)");
        RunningSipp {
            child,
            dir,
            trace,
            errors,
        }
    }
}

/// A SIPp process under way.
pub struct RunningSipp {
    child: std::process::Child,
    dir: tempfile::TempDir,
    trace: PathBuf,
    errors: PathBuf,
}

impl RunningSipp {
    /// The messages traced so far (SIPp writes each one as it goes).
    pub fn messages_so_far(&self) -> String {
        std::fs::read_to_string(&self.trace).unwrap_or_default()
    }

    /// Stops it now and reads its traces.
    pub async fn stop(mut self) -> SippRun {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.finish().await
    }

    /// Waits for it (at most 45 s) and reads its traces.
    pub async fn finish(mut self) -> SippRun {
        let child = &mut self.child;
        let status = poll::find_async(Duration::from_secs(45), || {
            std::future::ready(child.try_wait().expect("wait sipp"))
        })
        .await;
        if status.is_none() {
            let _ = self.child.kill();
        }
        let messages = std::fs::read_to_string(&self.trace).unwrap_or_default();
        let errors = std::fs::read_to_string(&self.errors).unwrap_or_default();
        drop(self.dir);
        SippRun {
            success: status.is_some_and(|s| s.success()),
            messages,
            errors,
        }
    }
}

/// One received RTP packet.
#[derive(Debug, Clone)]
pub struct RtpPacket {
    pub from: SocketAddr,
    pub payload_type: u8,
    pub sequence: u16,
    pub timestamp: u32,
    pub ssrc: u32,
    pub payload: Vec<u8>,
}

/// An RTP socket owned by the test, standing in for a phone's media.
pub struct Rtp {
    socket: tokio::net::UdpSocket,
    pub port: u16,
}

impl Rtp {
    /// Binds a socket on 127.0.0.1.
    pub async fn bind() -> Rtp {
        let socket = tokio::net::UdpSocket::bind("127.0.0.1:0")
            .await
            .expect("rtp socket");
        let port = socket.local_addr().expect("addr").port();
        Rtp { socket, port }
    }

    /// Throws away what queued up unread (a socket buffer that overflowed meanwhile would
    /// show gaps that are the test's, not the engine's).
    pub fn drain(&self) {
        let mut buf = [0u8; 2048];
        while self.socket.try_recv_from(&mut buf).is_ok() {}
    }

    /// Everything that arrives within `window`, after dropping what queued up unread.
    pub async fn fresh_for(&self, window: Duration) -> Vec<RtpPacket> {
        self.drain();
        self.receive_for(window).await
    }

    /// Everything that arrives within `window`.
    pub async fn receive_for(&self, window: Duration) -> Vec<RtpPacket> {
        let timed = self.receive_timed(window).await;
        timed.into_iter().map(|(_, packet)| packet).collect()
    }

    /// Everything that arrives within `window`, each with when it arrived.
    pub async fn receive_timed(&self, window: Duration) -> Vec<(tokio::time::Instant, RtpPacket)> {
        let deadline = tokio::time::Instant::now() + window;
        let mut packets = Vec::new();
        let mut buf = [0u8; 2048];
        loop {
            let next = tokio::time::timeout_at(deadline, self.socket.recv_from(&mut buf)).await;
            let Ok(Ok((n, from))) = next else {
                break;
            };
            if let Some(packet) = parse_rtp(&buf[..n], from) {
                packets.push((tokio::time::Instant::now(), packet));
            }
        }
        packets
    }

    /// Sends `count` 20 ms packets of a 440 Hz tone in `payload_type` to `to`, paced.
    pub async fn send_tone(&self, to: SocketAddr, payload_type: u8, count: u16) {
        let ssrc = 0x5eed_1234;
        let mut interval = tokio::time::interval(Duration::from_millis(20));
        for i in 0..count {
            interval.tick().await;
            let mut packet = vec![0x80, payload_type & 0x7f];
            packet.extend_from_slice(&i.to_be_bytes());
            packet.extend_from_slice(&(u32::from(i) * 160).to_be_bytes());
            packet.extend_from_slice(&u32::to_be_bytes(ssrc));
            for n in 0..160u32 {
                let t = f64::from(u32::from(i) * 160 + n) / 8000.0;
                let sample = (t * 440.0 * std::f64::consts::TAU).sin() * 8000.0;
                packet.push(encode_ulaw_or_alaw(sample as i16, payload_type));
            }
            let _ = self.socket.send_to(&packet, to).await;
        }
    }
}

impl Rtp {
    /// Presses `digit` as RFC 4733 telephone-events (payload type `pt`): three packets of
    /// one event, the last with the end bit, as phones send them.
    pub async fn press(&self, to: SocketAddr, digit: char, pt: u8) {
        let event = match digit {
            '0'..='9' => digit as u8 - b'0',
            '*' => 10,
            '#' => 11,
            _ => return,
        };
        let timestamp: u32 = 48_000;
        for (i, end) in [(0u16, false), (1, false), (2, true)] {
            let mut packet = vec![0x80, pt & 0x7f];
            if i == 0 {
                packet[1] |= 0x80; // marker on the first packet of the event
            }
            packet.extend_from_slice(&(900 + i).to_be_bytes());
            packet.extend_from_slice(&timestamp.to_be_bytes());
            packet.extend_from_slice(&0x0d7f_0001u32.to_be_bytes());
            let duration: u16 = 160 * (i + 1);
            packet.push(event);
            packet.push(if end { 0x80 | 10 } else { 10 });
            packet.extend_from_slice(&duration.to_be_bytes());
            let _ = self.socket.send_to(&packet, to).await;
            // One packet per 20 ms frame: the pacing a phone sends at.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn parse_rtp(bytes: &[u8], from: SocketAddr) -> Option<RtpPacket> {
    if bytes.len() < 12 || bytes[0] >> 6 != 2 {
        return None;
    }
    let csrc = usize::from(bytes[0] & 0x0f);
    let start = 12 + 4 * csrc;
    Some(RtpPacket {
        from,
        payload_type: bytes[1] & 0x7f,
        sequence: u16::from_be_bytes([bytes[2], bytes[3]]),
        timestamp: u32::from_be_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]),
        ssrc: u32::from_be_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]),
        payload: bytes.get(start..)?.to_vec(),
    })
}

/// G.711 decode, written here independently of the engine's codec.
pub fn decode(byte: u8, payload_type: u8) -> i16 {
    if payload_type == 8 {
        let a = byte ^ 0x55;
        let mut t = i32::from(a & 0x0f) << 4;
        let seg = (a & 0x70) >> 4;
        match seg {
            0 => t += 8,
            1 => t += 0x108,
            _ => {
                t += 0x108;
                t <<= seg - 1;
            }
        }
        (if a & 0x80 != 0 { t } else { -t }) as i16
    } else {
        let u = !byte;
        let t = ((i32::from(u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
        (if u & 0x80 != 0 { 0x84 - t } else { t - 0x84 }) as i16
    }
}

fn encode_ulaw_or_alaw(sample: i16, payload_type: u8) -> u8 {
    // Nearest code by search over the 256 values: slow but obviously right.
    (0..=255u8)
        .min_by_key(|b| (i32::from(decode(*b, payload_type)) - i32::from(sample)).abs())
        .unwrap_or(0)
}

/// Checks a stream as a phone would: one SSRC, the expected payload type, sequence +1,
/// timestamp +160 per packet, at least `min` packets, and sound (not silence).
pub fn check_stream(packets: &[RtpPacket], payload_type: u8, min: usize) -> Result<(), String> {
    if packets.len() < min {
        return Err(format!("{} packets, wanted at least {min}", packets.len()));
    }
    let first = &packets[0];
    for pair in packets.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if b.ssrc != first.ssrc {
            return Err(format!("SSRC changed {:#x} → {:#x}", first.ssrc, b.ssrc));
        }
        if b.sequence != a.sequence.wrapping_add(1) {
            return Err(format!("sequence {} then {}", a.sequence, b.sequence));
        }
        if b.timestamp != a.timestamp.wrapping_add(160) {
            return Err(format!("timestamp {} then {}", a.timestamp, b.timestamp));
        }
    }
    if let Some(p) = packets.iter().find(|p| p.payload_type != payload_type) {
        return Err(format!(
            "payload type {}, wanted {payload_type}",
            p.payload_type
        ));
    }
    if let Some(p) = packets.iter().find(|p| p.payload.len() != 160) {
        return Err(format!("a payload of {} bytes, not 160", p.payload.len()));
    }
    let loud = packets
        .iter()
        .filter(|p| rms(&p.payload, payload_type) > 100.0)
        .count();
    if loud * 2 < packets.len() {
        return Err(format!("{loud} of {} packets carry sound", packets.len()));
    }
    Ok(())
}

/// The RMS level of a G.711 payload.
pub fn rms(payload: &[u8], payload_type: u8) -> f64 {
    if payload.is_empty() {
        return 0.0;
    }
    let sum: f64 = payload
        .iter()
        .map(|b| f64::from(decode(*b, payload_type)).powi(2))
        .sum();
    (sum / payload.len() as f64).sqrt()
}
