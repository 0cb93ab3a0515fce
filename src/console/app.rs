//! The run loop: terminal input, the connection task and a one-second tick feed
//! [`update`]; the effects go to the connection or end the loop; the screen is redrawn
//! when something changed (at most once per batch of inputs, at least once a second).

use super::ConsoleOptions;
use super::clock::{EngineClock, local_now};
use super::connection::{self, ConnectionConfig};
use super::keymap::KeyMap;
use super::state::{Mode, State};
use super::terminal;
use super::theme::{ColorMode, Theme};
use super::update::{ConnEvent, Effect, Msg, update};
use super::view;
use crate::protocol::Timestamp;
use anyhow::Context;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

/// A prefix for this console's idempotency keys: unique per run (process id and start time),
/// so two consoles of one user never share a key.
#[allow(clippy::disallowed_methods)]
fn key_prefix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("pd-{:x}-{:x}", std::process::id(), nanos % 0xffff_ffff_ffff)
}

/// The wall clock, only to date log notes made before the engine's `hello` gives its time.
#[allow(clippy::disallowed_methods)]
fn wall_now() -> Timestamp {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or_default();
    Timestamp::from_unix_millis(ms)
}

/// Runs the console (or, with `read_only`, the monitor) until the user quits or a signal
/// arrives. Async: call it inside a tokio runtime (multi-threaded or current-thread; the
/// terminal is read on a thread of its own). A bad theme, key map or warning share is
/// refused before the terminal is touched, naming the file, line, key and value. The
/// caller that started an embedded engine stops it when this returns.
pub async fn run(opts: ConsoleOptions) -> anyhow::Result<()> {
    if !(0.0..=1.0).contains(&opts.warning_share) || opts.warning_share.is_nan() {
        anyhow::bail!(
            "console.warning_share = '{}': must be between 0 and 1 (e.g. 0.75)",
            opts.warning_share
        );
    }
    let color = match opts.no_color {
        Some(true) => ColorMode::NoColor,
        Some(false) => ColorMode::Color,
        None => ColorMode::from_env(),
    };
    let theme = Theme::load(opts.theme.as_deref(), color)?;
    let keys = KeyMap::load(opts.keymap.as_deref())?;
    let mode = if opts.read_only {
        Mode::Monitor
    } else {
        Mode::Console
    };
    let mut state = State::new(mode, keys, opts.warning_share, key_prefix(), wall_now());
    state.mouse = opts.mouse;

    let (ui_tx, mut conn_rx) = mpsc::unbounded_channel::<ConnEvent>();
    let requests = connection::spawn(
        ConnectionConfig {
            url: opts.engine_url.clone(),
            token: opts.token.clone(),
            client_name: opts.client_name.clone(),
        },
        ui_tx,
    );

    let (mut term, guard) = terminal::enter(opts.mouse).context("cannot set up the terminal")?;
    let size = term.size().context("cannot read the terminal size")?;
    state.size = (size.width, size.height);
    let (input_tx, mut input_rx) = mpsc::channel::<Msg>(256);
    let stop = Arc::new(AtomicBool::new(false));
    let input = terminal::spawn_input(input_tx, stop.clone());
    let mut terminate = signal(SignalKind::terminate()).context("cannot watch SIGTERM")?;
    let mut hangup = signal(SignalKind::hangup()).context("cannot watch SIGHUP")?;
    let mut interrupt = signal(SignalKind::interrupt()).context("cannot watch SIGINT")?;
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut clock: Option<EngineClock> = None;

    let result: anyhow::Result<()> = async {
        loop {
            if state.dirty {
                term.draw(|frame| view::draw(frame, &state, &theme))
                    .context("cannot draw")?;
                state.dirty = false;
            }
            let first = tokio::select! {
                Some(msg) = input_rx.recv() => msg,
                Some(event) = conn_rx.recv() => conn_msg(event, &mut clock),
                _ = tick.tick() => match clock {
                    Some(c) => Msg::Tick(c.now_at(local_now())),
                    None => continue,
                },
                _ = terminate.recv() => Msg::Shutdown,
                _ = hangup.recv() => Msg::Shutdown,
                _ = interrupt.recv() => Msg::Shutdown,
            };
            // Take everything already waiting before drawing again: one frame per batch.
            let mut batch = vec![first];
            while let Ok(msg) = input_rx.try_recv() {
                batch.push(msg);
            }
            while let Ok(event) = conn_rx.try_recv() {
                batch.push(conn_msg(event, &mut clock));
            }
            for msg in batch {
                for effect in update(&mut state, msg) {
                    match effect {
                        Effect::Send(request) => {
                            // The task only stops when we drop `requests`; a failure here
                            // means it died, and the next reply never comes.
                            if requests.send(request).is_err() {
                                tracing::error!("connection task is gone");
                            }
                        }
                        Effect::Quit => return Ok(()),
                    }
                }
            }
        }
    }
    .await;

    stop.store(true, Ordering::Relaxed);
    drop(requests);
    drop(guard);
    stop_input(input).await;
    result
}

/// How long the way out waits for the input thread. It notices `stop` within one poll
/// (200 ms); but on a terminal that has gone away (the SSH session or tmux pane closed),
/// crossterm's reader spins inside its poll on a tty that reads end-of-file and never
/// returns, and the process must end all the same.
const INPUT_STOP_WAIT: Duration = Duration::from_millis(600);

/// Joins the input thread if it stops in time; otherwise leaves it to the process exit.
async fn stop_input(input: std::thread::JoinHandle<()>) {
    let stopped = tokio::time::timeout(INPUT_STOP_WAIT, async {
        while !input.is_finished() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    if stopped.is_ok() {
        let _ = input.join();
    } else {
        tracing::warn!("terminal input thread did not stop (terminal gone?); exiting without it");
    }
}

/// A connection event as a message; `hello` re-anchors the engine clock.
fn conn_msg(event: ConnEvent, clock: &mut Option<EngineClock>) -> Msg {
    if let ConnEvent::Connected { hello } = &event {
        *clock = Some(EngineClock::anchored(hello.now, local_now()));
    }
    Msg::Conn(event)
}
