//! The media figure: CPU per second of wall time for 1,000 streams playing music on hold.
//!
//! Run: `cargo bench --bench media` (aim: well under half a core, i.e. < 500 ms of CPU per
//! second). `MEDIA_BENCH_STREAMS` and `MEDIA_BENCH_SECONDS` change the size and the window.
//!
//! Media runs on its own thread, `parkdesk-media`; that thread's CPU time (from
//! `/proc/self/task/*/schedstat`, nanoseconds) is what is measured, and on loopback it
//! includes the kernel's delivery of every sent packet. Eight "phone" sockets receive the
//! music on another thread, check that 50 packets a second per stream arrive, and are not
//! counted.
//!
//! First the floor: the same packets sent by bare `sendto` calls from one thread, no runtime,
//! no media — what the kernel alone costs on this machine. Then two rounds: music alone (phones that listen), then music while every phone also sends
//! 50 packets a second to its stream (as most phones do while on hold): the receive path,
//! latching and the silence watch. In the second round the kernel's delivery of the phones'
//! packets is charged to the phones' thread, not to media.
#![allow(clippy::unwrap_used, missing_docs)] // bench code

use parkdesk::media::rtp::RtpHeader;
use parkdesk::media::{Codec, Media, MediaConfig, THREAD_NAME, raise_open_file_limit};
use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

const PHONES: usize = 8;
const FLOOR_THREAD: &str = "floor-tx";

#[allow(clippy::disallowed_methods)] // a benchmark measures wall time
fn clock() -> Instant {
    Instant::now()
}

#[allow(clippy::disallowed_methods)] // the phones pace themselves with real time
fn pause(d: Duration) {
    std::thread::sleep(d);
}

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// CPU time used so far by the threads named `name`, from the kernel's per-thread accounting.
fn cpu_of_threads(name: &str) -> Duration {
    let mut total = Duration::ZERO;
    for task in std::fs::read_dir("/proc/self/task").unwrap().flatten() {
        let path = task.path();
        let comm = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
        if comm.trim() != name {
            continue;
        }
        if let Ok(stat) = std::fs::read_to_string(path.join("schedstat")) {
            let ns: u64 = stat.split_whitespace().next().unwrap().parse().unwrap();
            total += Duration::from_nanos(ns);
        } else if let Ok(stat) = std::fs::read_to_string(path.join("stat")) {
            // fields after the ")" of the command name: utime is the 12th, stime the 13th
            let rest = &stat[stat.rfind(')').unwrap() + 2..];
            let f: Vec<u64> = rest
                .split_whitespace()
                .filter_map(|x| x.parse().ok())
                .collect();
            total += Duration::from_millis((f[11] + f[12]) * 10);
        }
    }
    total
}

/// One phone socket serving many streams: counts what arrives.
struct PhoneBank {
    sockets: Vec<Arc<UdpSocket>>,
    received: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    floor_stop: Arc<AtomicBool>,
}

impl PhoneBank {
    /// Eight sockets read by one thread that drains them every 5 ms. It never waits inside a
    /// receive, so delivering a packet does not have to wake it: on loopback that wake-up
    /// would be charged to the sender (media), which a real network card never does.
    fn new() -> PhoneBank {
        let received = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let sockets: Vec<Arc<UdpSocket>> = (0..PHONES)
            .map(|_| {
                let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
                socket.set_nonblocking(true).unwrap();
                Arc::new(socket)
            })
            .collect();
        let (readers, count, halt) = (sockets.clone(), Arc::clone(&received), Arc::clone(&stop));
        std::thread::Builder::new()
            .name("phone-rx".into())
            .spawn(move || {
                let mut buf = [0u8; 2048];
                while !halt.load(Ordering::Relaxed) {
                    for socket in &readers {
                        while socket.recv_from(&mut buf).is_ok() {
                            count.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    pause(Duration::from_millis(5));
                }
            })
            .unwrap();
        PhoneBank {
            sockets,
            received,
            stop,
            floor_stop: Arc::new(AtomicBool::new(false)),
        }
    }

    fn addr(&self, i: usize) -> SocketAddr {
        self.sockets[i % PHONES].local_addr().unwrap()
    }
}

/// Sends 20 ms of PCMU from each phone to its stream, 50 times a second, until stopped.
fn spawn_talkers(bank: &PhoneBank, targets: Vec<SocketAddr>) -> std::thread::JoinHandle<()> {
    let sockets = bank.sockets.clone();
    let stop = Arc::clone(&bank.stop);
    std::thread::Builder::new()
        .name("phone-tx".into())
        .spawn(move || {
            let payload = Codec::Pcmu.encode(&[0; 160]);
            let start = clock();
            let mut frame: u32 = 0;
            while !stop.load(Ordering::Relaxed) {
                for (i, target) in targets.iter().enumerate() {
                    let header = RtpHeader {
                        marker: false,
                        payload_type: 0,
                        sequence: frame as u16,
                        timestamp: frame * 160,
                        ssrc: i as u32,
                    };
                    let _ = sockets[i % PHONES].send_to(&header.packet(&payload), target);
                }
                frame += 1;
                let next = start + Duration::from_millis(20) * frame;
                pause(next.saturating_duration_since(clock()));
            }
        })
        .unwrap()
}

/// The floor: `streams` plain sockets sending 172-byte packets 50 times a second from one
/// thread (`sendto` and nothing else), to compare media's figure with.
fn spawn_floor(bank: &PhoneBank, streams: usize) -> std::thread::JoinHandle<()> {
    let targets: Vec<SocketAddr> = (0..streams).map(|i| bank.addr(i)).collect();
    let stop = Arc::clone(&bank.floor_stop);
    std::thread::Builder::new()
        .name(FLOOR_THREAD.into())
        .spawn(move || {
            let sockets: Vec<UdpSocket> = (0..targets.len())
                .map(|_| UdpSocket::bind("127.0.0.1:0").unwrap())
                .collect();
            let packet = [0x80u8; 172];
            let start = clock();
            let mut frame: u32 = 0;
            while !stop.load(Ordering::Relaxed) {
                for (socket, target) in sockets.iter().zip(&targets) {
                    let _ = socket.send_to(&packet, target);
                }
                frame += 1;
                let next = start + Duration::from_millis(20) * frame;
                pause(next.saturating_duration_since(clock()));
            }
        })
        .unwrap()
}

fn measure(label: &str, threads: &str, bank: &PhoneBank, streams: usize, seconds: u64) {
    let before_rx = bank.received.load(Ordering::Relaxed);
    let before_cpu = cpu_of_threads(threads);
    let started = clock();
    pause(Duration::from_secs(seconds));
    let wall = started.elapsed();
    let cpu = cpu_of_threads(threads) - before_cpu;
    let rx = bank.received.load(Ordering::Relaxed) - before_rx;
    let per_second = cpu.as_secs_f64() / wall.as_secs_f64();
    let rate = rx as f64 / wall.as_secs_f64() / streams as f64;
    println!(
        "{label:<36} {streams} streams: CPU {:>6.1} ms per wall second ({:>4.1}% of a core); \
         {rate:.1} packets/s per stream arrived",
        per_second * 1000.0,
        per_second * 100.0,
    );
}

fn main() {
    let streams = env("MEDIA_BENCH_STREAMS", 1000) as usize;
    let seconds = env("MEDIA_BENCH_SECONDS", 10);
    let limit = raise_open_file_limit().unwrap();
    assert!(
        limit as usize > streams * 2 + 100,
        "open-file limit {limit} too low for {streams} streams"
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let bank = PhoneBank::new();
    let floor = spawn_floor(&bank, streams);
    pause(Duration::from_secs(1));
    measure(
        "floor: bare sendto, one thread",
        FLOOR_THREAD,
        &bank,
        streams,
        seconds,
    );
    bank.floor_stop.store(true, Ordering::Relaxed);
    floor.join().unwrap();

    let (media, _events, locals) = runtime.block_on(async {
        let mut config = MediaConfig::loopback(20_000..=29_999);
        config.silence_timeout = Duration::from_secs(60);
        let (media, events) = Media::start(config).await.unwrap();
        let mut locals = Vec::with_capacity(streams);
        for i in 0..streams {
            let stream = media.open().await.unwrap();
            let codec = if i % 2 == 0 { Codec::Pcmu } else { Codec::Pcma };
            media.configure(stream.id, Some(bank.addr(i)), codec, Some(101));
            media.music(stream.id);
            locals.push(stream.local);
        }
        (media, events, locals)
    });
    assert_eq!(media.active_streams(), streams);
    pause(Duration::from_secs(2)); // warm up
    measure(
        "media: music, phones listening",
        THREAD_NAME,
        &bank,
        streams,
        seconds,
    );

    let talkers = spawn_talkers(&bank, locals);
    pause(Duration::from_secs(2));
    measure(
        "media: music, phones sending too",
        THREAD_NAME,
        &bank,
        streams,
        seconds,
    );

    bank.stop.store(true, Ordering::Relaxed);
    talkers.join().unwrap();
    drop(media);
    runtime.shutdown_timeout(Duration::from_secs(1));
}
