//! `parkdesk announcer` (the PA station) and `parkdesk announce` (queue an announcement on
//! the engine, or `--preview` it to a WAV file without waking the building).

use super::Connect;
use crate::announcer::sink::{
    DeviceSink, NullSink, PageOptions, Sink, SipPageSink, WavSink, WavTarget, list_devices,
};
use crate::announcer::station::{Backoff, Player, Station, StationNote, StationOptions};
use crate::announcer::{Request, Say, setup};
use crate::config::{AnnouncerSink, Settings};
use crate::engine::command::AnnounceArgs as EngineAnnounceArgs;
use crate::protocol::Op;
use crate::protocol::op::DeskOp;
use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Where the station's clips go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SinkKind {
    /// The local audio output (rodio).
    Device,
    /// WAV files, one per announcement, in the `--output` directory.
    Wav,
    /// Nowhere.
    Null,
    /// A SIP paging call to `--page` for each announcement.
    Sip,
}

impl From<AnnouncerSink> for SinkKind {
    fn from(sink: AnnouncerSink) -> SinkKind {
        match sink {
            AnnouncerSink::Device => SinkKind::Device,
            AnnouncerSink::Wav => SinkKind::Wav,
            AnnouncerSink::Null => SinkKind::Null,
            AnnouncerSink::Sip => SinkKind::Sip,
        }
    }
}

/// `parkdesk announcer` arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct AnnouncerArgs {
    /// Engine and token (PARKDESK_TOKEN or --token-file; role announcer).
    #[command(flatten)]
    pub connect: Connect,
    /// The PA zone to play (default: [announcer] zone).
    #[arg(long, value_name = "NAME")]
    pub zone: Option<String>,
    /// Where announcements go (default: [announcer] sink, else device).
    #[arg(long, value_enum)]
    pub sink: Option<SinkKind>,
    /// For `--sink wav`: the directory that receives `<announcement>.wav`.
    #[arg(long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// The audio output, a name or id from --list-devices (default: [announcer] device, else
    /// the system's default).
    #[arg(long, value_name = "NAME")]
    pub device: Option<String>,
    /// Output volume in percent, 0-100 (default: [announcer] volume).
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=100))]
    pub volume: Option<u8>,
    /// For `--sink sip`: the paging URI called for each announcement, e.g.
    /// sip:paging@10.0.0.20:5060 (default: [announcer] page_uri).
    #[arg(long, value_name = "URI")]
    pub page: Option<String>,
    /// For `--sink sip`: the station's own SIP address, reachable by the paging device
    /// (default: [announcer] sip_listen).
    #[arg(long, value_name = "ADDR")]
    pub sip_listen: Option<std::net::SocketAddr>,
    /// For wav and null sinks: how long the PA stays busy, as a share of each clip's length
    /// (1 = as long as a loudspeaker takes, 0 = no time).
    #[arg(long, default_value_t = 1.0)]
    pub pace: f32,
    /// List the audio outputs and exit.
    #[arg(long)]
    pub list_devices: bool,
    /// Stop when stdin closes (used when plain `parkdesk` runs the station as its child).
    #[arg(long, hide = true)]
    pub exit_with_stdin: bool,
}

/// `parkdesk announce` arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct AnnounceArgs {
    /// Engine and token (receptionist), unless --preview.
    #[command(flatten)]
    pub connect: Connect,
    /// Render to --output instead of asking the engine.
    #[arg(long)]
    pub preview: bool,
    /// A park code (on the engine: a parked call's code).
    #[arg(long, value_name = "CODE")]
    pub code: Option<String>,
    /// Who the call is for (preview only; the engine knows it from the park).
    #[arg(long = "for", value_name = "NAME")]
    pub for_name: Option<String>,
    /// Free text instead of a code.
    #[arg(long, value_name = "TEXT", conflicts_with = "for_name")]
    pub text: Option<String>,
    /// How many times, 1-5.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=5))]
    pub repeat: u8,
    /// The WAV file a preview is written to.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The PA zone (engine only).
    #[arg(long, value_name = "NAME")]
    pub zone: Option<String>,
    /// Priority, higher first (engine only).
    #[arg(long)]
    pub priority: Option<i32>,
}

/// `parkdesk announcer`.
pub async fn run_station(
    config: Option<&Path>,
    log_level: Option<&str>,
    args: AnnouncerArgs,
) -> anyhow::Result<ExitCode> {
    let (settings, _guard) = super::engine_cmd::load_settings(config, log_level)?;
    if args.list_devices {
        return print_devices();
    }
    let token = crate::client::read_token(args.connect.token_file.as_deref())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let (composer, warnings) = setup::composer(&settings.announcer)?;
    for warning in &warnings {
        tracing::warn!("{warning}");
        println!("warning: {warning}");
    }
    if let Some(voice) = composer.voice() {
        tracing::info!(voice = %voice.describe(), "voice for names");
    }
    let make_sink = sink_factory(&settings, &args).await?;
    let player = Player::start(make_sink).context("starting the player thread")?;
    let url = args
        .connect
        .engine
        .clone()
        .unwrap_or_else(|| settings.console.engine.clone());
    let zone = args
        .zone
        .clone()
        .unwrap_or_else(|| settings.announcer.zone.clone());
    let options = StationOptions {
        url,
        token,
        zone,
        client_name: format!("parkdesk-announcer {}", env!("CARGO_PKG_VERSION")),
        backoff: Backoff::default(),
    };
    let (notes_tx, mut notes) = tokio::sync::mpsc::unbounded_channel();
    let printer = tokio::spawn(async move {
        while let Some(note) = notes.recv().await {
            println!("{}", status_line(&note));
        }
    });
    let station = Station::new(options, composer, player).with_notes(notes_tx);
    let exit_with_stdin = args.exit_with_stdin;
    let shutdown = async move {
        tokio::select! {
            _ = crate::server::shutdown_signal() => {}
            _ = stdin_closed(), if exit_with_stdin => {}
        }
    };
    let result = station.run(shutdown).await;
    let _ = printer.await;
    result?;
    Ok(ExitCode::SUCCESS)
}

/// Resolves once stdin reaches its end (the parent process is gone).
async fn stdin_closed() {
    use tokio::io::AsyncReadExt;
    let mut stdin = tokio::io::stdin();
    let mut buf = [0_u8; 256];
    while let Ok(n) = stdin.read(&mut buf).await {
        if n == 0 {
            break;
        }
    }
}

/// One line per thing the station does, on its stdout.
pub fn status_line(note: &StationNote) -> String {
    match note {
        StationNote::Serving { zone, url } => format!("serving zone '{zone}' on {url}"),
        StationNote::Disconnected { reason, retry_in } => format!(
            "disconnected ({reason}); retrying in {} ms",
            retry_in.as_millis()
        ),
        StationNote::Started {
            announcement,
            since_queued,
            since_heard,
            notes,
        } => {
            let queued = since_queued
                .map(|d| format!("{} ms after it was queued, ", d.as_millis()))
                .unwrap_or_default();
            let mut line = format!(
                "{announcement} started: first sample {queued}{} ms after its event",
                since_heard.as_millis()
            );
            for n in notes {
                line.push_str(&format!("; {n}"));
            }
            line
        }
        StationNote::Finished { announcement } => format!("{announcement} finished"),
        StationNote::Failed {
            announcement,
            reason,
        } => format!("{announcement} failed: {reason}"),
        StationNote::Skipped { announcement } => {
            format!("{announcement} skipped: dropped before it started")
        }
    }
}

async fn sink_factory(
    settings: &Settings,
    args: &AnnouncerArgs,
) -> anyhow::Result<crate::announcer::station::SinkFactory> {
    let pace = args.pace;
    if !(pace.is_finite() && pace >= 0.0) {
        bail!("--pace must be 0 or more, not {pace}");
    }
    let kind = args
        .sink
        .unwrap_or_else(|| SinkKind::from(settings.announcer.sink));
    Ok(match kind {
        SinkKind::Device => {
            let device = args.device.clone().or(settings.announcer.device.clone());
            let volume = f32::from(args.volume.unwrap_or(settings.announcer.volume)) / 100.0;
            Box::new(move || Box::new(DeviceSink::new(device, volume)) as Box<dyn Sink>)
        }
        SinkKind::Wav => {
            let Some(dir) = args.output.clone() else {
                bail!("--sink wav needs --output DIR (one WAV file per announcement)");
            };
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            Box::new(move || Box::new(WavSink::new(WavTarget::Directory(dir), pace)) as _)
        }
        SinkKind::Null => Box::new(move || Box::new(NullSink::new(pace)) as _),
        SinkKind::Sip => {
            let ann = &settings.announcer;
            let Some(uri) = args.page.clone().or(ann.page_uri.clone()) else {
                bail!("--sink sip needs --page URI (or [announcer] page_uri)");
            };
            let options = PageOptions {
                uri,
                listen: args.sip_listen.unwrap_or(ann.sip_listen),
                rtp_ports: ann.rtp_port_min..=ann.rtp_port_max,
                ring_time: std::time::Duration::from_secs(ann.page_ring_time),
            };
            let sink = SipPageSink::start(options).await?;
            println!("{}", sink.describe());
            Box::new(move || Box::new(sink) as _)
        }
    })
}

fn print_devices() -> anyhow::Result<ExitCode> {
    match list_devices() {
        Ok(devices) if devices.is_empty() => {
            println!("no audio output devices");
            Ok(ExitCode::SUCCESS)
        }
        Ok(devices) => {
            for d in devices {
                let mark = if d.default { " (default)" } else { "" };
                println!("{}{mark}\t{}", d.name, d.id);
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("parkdesk: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// `parkdesk announce`.
pub async fn run_announce(
    config: Option<&Path>,
    log_level: Option<&str>,
    args: AnnounceArgs,
) -> anyhow::Result<ExitCode> {
    let (settings, _guard) = super::engine_cmd::load_settings(config, log_level)?;
    if args.preview {
        return preview(&settings, &args);
    }
    let token = crate::client::read_token(args.connect.token_file.as_deref())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if args.for_name.is_some() {
        bail!("--for is for --preview; the engine takes the name from the park");
    }
    if args.code.is_none() && args.text.is_none() {
        bail!("give --code or --text");
    }
    let op = Op::Desk(DeskOp::Announce(EngineAnnounceArgs {
        code: args.code.clone(),
        text: args.text.clone(),
        repeat: Some(args.repeat),
        zone: args.zone.clone(),
        priority: args.priority,
    }));
    let url = args
        .connect
        .engine
        .clone()
        .unwrap_or_else(|| settings.console.engine.clone());
    let client_name = format!("parkdesk-announce {}", env!("CARGO_PKG_VERSION"));
    let (client, _) = crate::client::Client::connect(&url, &token, &client_name).await?;
    let ok = client.op(op).await?;
    let id = ok["announcement"]["announcement"].as_str().unwrap_or("?");
    let state = ok["announcement"]["state"].as_str().unwrap_or("?");
    match ok["announcement"]["reason"].as_str() {
        Some(reason) => println!("{id} {state}: {reason}"),
        None => println!("{id} {state}"),
    }
    client.close();
    Ok(if state == "failed" {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// `parkdesk announce --preview`: the template rendered to a WAV file.
fn preview(settings: &Settings, args: &AnnounceArgs) -> anyhow::Result<ExitCode> {
    let Some(output) = &args.output else {
        bail!("--preview needs --output FILE.wav");
    };
    let say = match (&args.code, &args.text) {
        (Some(code), None) => Say::Park {
            code: code.clone(),
            name: args.for_name.clone(),
        },
        (None, Some(text)) => Say::Text(text.clone()),
        (Some(_), Some(_)) => bail!("give --code or --text, not both"),
        (None, None) => bail!("give --code (with --for) or --text"),
    };
    let (composer, warnings) = setup::composer(&settings.announcer)?;
    for warning in warnings {
        eprintln!("warning: {warning}");
    }
    let rendered = composer.render(&Request {
        say,
        repeat: args.repeat,
    })?;
    let mut sink = WavSink::new(WavTarget::File(output.clone()), 0.0);
    sink.play(
        crate::announcer::Clip {
            id: "preview",
            audio: &rendered.audio,
        },
        &mut || {},
    )?;
    println!(
        "wrote {} ({:.2} s): {}",
        output.display(),
        rendered.audio.duration().as_secs_f64(),
        rendered.outline().join(" ")
    );
    for note in &rendered.notes {
        println!("note: {note}");
    }
    Ok(ExitCode::SUCCESS)
}
