//! `parkdesk engine` (serve until SIGTERM, a planned restart that leaves every call as it
//! is, or SIGUSR1, a drain that hangs every call up) and plain `parkdesk` (an embedded
//! demo engine on an ephemeral loopback port, with the console on it). `parkdesk engine
//! restart` and `parkdesk engine drain` ask a running engine for the same over the API.

use crate::config::{self, Settings};
use crate::engine::{EngineSetup, Role};
use crate::server::auth::{TokenEntry, TokenRegistry, digest};
use crate::server::engine_task::TaskSettings;
use crate::server::{ServerHandle, ServerOptions, StopRequest, start_server};
use crate::store::{Store, StoredSetup};
use anyhow::Context;
use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

/// Loads the layered configuration and starts the log file.
pub fn load_settings(
    path: Option<&Path>,
    log_level: Option<&str>,
) -> anyhow::Result<(Settings, Option<config::logging::LogGuard>)> {
    let settings = config::load(path).map_err(|e| anyhow::anyhow!("{e}"))?;
    let guard = match config::logging::init(&settings.log, log_level) {
        Ok(g) => Some(g),
        Err(e) => {
            eprintln!("parkdesk: logging disabled: {e}");
            None
        }
    };
    Ok((settings, guard))
}

/// The tokens of the config file, hashed.
pub fn config_tokens(settings: &Settings) -> TokenRegistry {
    let mut tokens = TokenRegistry::default();
    for (i, t) in settings.tokens.iter().enumerate() {
        tokens.insert(TokenEntry {
            id: format!("config:{i}"),
            hash: digest(&t.token),
            user: t.user.clone(),
            roles: t.roles.clone(),
            label: "config".into(),
        });
    }
    tokens
}

/// The engine's setup: the store's saved directory once one was written (so what an admin
/// deleted does not come back from the file), else the config's seed; with the demo
/// directory added when the demo runs.
pub fn engine_setup(settings: &Settings, stored: Option<StoredSetup>) -> EngineSetup {
    let config = settings.engine_setup();
    let mut setup = match stored {
        Some(stored) => stored.merge_into(config),
        None => config,
    };
    if settings.demo.enabled {
        let users: Vec<(String, Vec<Role>)> = settings
            .tokens
            .iter()
            .map(|t| (t.user.clone(), t.roles.clone()))
            .collect();
        let demo = crate::sim::demo_setup(&users);
        merge_missing(&mut setup, demo);
    }
    setup
}

/// Adds to `setup` whatever `extra` has that `setup` lacks (by name or id), and lets the
/// demo's `global` policy (which allows park) replace a default one.
fn merge_missing(setup: &mut EngineSetup, extra: EngineSetup) {
    for r in extra.ranges {
        if !setup.ranges.iter().any(|x| x.name == r.name) {
            setup.ranges.push(r);
        }
    }
    for p in extra.policies {
        match setup.policies.iter_mut().find(|x| x.name == p.name) {
            Some(existing) if *existing == crate::engine::ParkPolicy::default() => *existing = p,
            Some(_) => {}
            None => setup.policies.push(p),
        }
    }
    for u in extra.users {
        if !setup.users.iter().any(|x| x.id == u.id) {
            setup.users.push(u);
        }
    }
    for g in extra.groups {
        if !setup.groups.iter().any(|x| x.id == g.id) {
            setup.groups.push(g);
        }
    }
    for a in extra.assignments {
        if !setup.assignments.iter().any(|x| x.group == a.group) {
            setup.assignments.push(a);
        }
    }
}

/// Opens the store (refused while another engine holds it), closes the parks the last
/// process left open and that no durable record carries on as `lost` at its last heartbeat
/// (a new epoch then: they ended with no event), and reads the saved setup.
async fn open_store(settings: &Settings) -> anyhow::Result<(Store, StoredSetup)> {
    let store = match settings
        .store
        .location()
        .map_err(|e| anyhow::anyhow!("{e}"))?
    {
        config::StoreLocation::Memory => Store::open_in_memory().context("opening the store")?,
        config::StoreLocation::File(path) => Store::open(&path)
            .with_context(|| format!("opening the store at {}", path.display()))?,
    };
    store.set_event_retention(settings.store.event_retention);
    // Read before this run's first heartbeat: when the last process was last known alive.
    let last_alive = store
        .last_alive()
        .await
        .context("reading the last heartbeat")?;
    let at = last_alive.unwrap_or_else(|| crate::runtime::DriverClock::start().utc_now());
    // A park whose call has a durable record is carried on (or ended, with its event) by
    // the start-up's restore: only the others are closed here.
    let carried: Vec<crate::engine::switch::CallId> = store
        .load_durable()
        .await
        .context("reading the durable calls")?
        .calls
        .into_iter()
        .map(|row| crate::engine::switch::CallId(row.call))
        .collect();
    let lost = store
        .close_open_parks_as_lost_except(at, &carried)
        .await
        .context("closing lost parks")?;
    if lost > 0 {
        // Those parks ended with no event: a client's view can no longer be brought up to
        // date by replaying the log, so the history starts anew (clients take a snapshot).
        let epoch = store.new_epoch().await.context("renewing the epoch")?;
        tracing::warn!(
            lost,
            %epoch,
            "parks left open by the last run were recorded as lost; new epoch"
        );
    }
    let saved = store.load_setup().await.context("reading the directory")?;
    Ok((store, saved))
}

fn server_options(
    settings: &Settings,
    listen: SocketAddr,
    setup: EngineSetup,
    tokens: TokenRegistry,
    store: Option<Store>,
) -> ServerOptions {
    ServerOptions {
        listen,
        setup,
        tokens,
        store,
        task: TaskSettings {
            name: format!("{} {}", settings.server.name, env!("CARGO_PKG_VERSION")),
            event_buffer: settings.server.event_buffer,
            recent: settings.server.recent,
            subscriber_queue: settings.server.subscriber_queue,
            sim_enabled: settings.sim.enabled,
            demo_seed: settings.demo.enabled.then_some(settings.demo.seed),
            seed: settings.demo.seed,
        },
        max_connections: settings.server.max_connections as usize,
        shutdown_grace: Duration::from_secs(settings.server.shutdown_grace),
        sip: settings.sip.clone(),
    }
}

/// `parkdesk engine`: serve until told to stop, then stop that way and exit 0: SIGTERM or
/// Ctrl-C is a planned restart (calls left as they are; a service manager starts the next
/// process), `engine.restart` the same followed by an exec of this very command line,
/// SIGUSR1 or `engine.drain` a drain.
pub async fn run_engine(
    config_path: Option<&Path>,
    log_level: Option<&str>,
    listen: Option<SocketAddr>,
) -> anyhow::Result<ExitCode> {
    let (settings, guard) = load_settings(config_path, log_level)?;
    let listen = listen.unwrap_or(settings.server.listen);
    let (store, saved) = open_store(&settings).await?;
    let setup = engine_setup(&settings, Some(saved));
    let mut tokens = config_tokens(&settings);
    for t in store.tokens().await.context("reading tokens")? {
        if let Some(entry) = stored_token(&t) {
            tokens.insert(entry);
        }
    }
    let mut server = start_server(server_options(
        &settings,
        listen,
        setup,
        tokens,
        Some(store.clone()),
    ))
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    // Reload, HTTP and systemd's READY=1 before "listening": then every part serves.
    let operations =
        super::engine_ops::Operations::start(&server, &settings, config_path, Some(store)).await?;
    eprintln!(
        "parkdesk engine listening on {} (epoch {})",
        server.url(),
        server.epoch
    );
    let stop = tokio::select! {
        stop = stop_signal() => stop,
        request = server.stop_requested() => match request {
            StopRequest::Restart => Stop::RestartInPlace,
            StopRequest::Drain => Stop::Drain,
        },
    };
    // systemd hears STOPPING=1 and /health answers 503 from here on, whichever way it goes.
    operations.stopping();
    match stop {
        Stop::Restart => {
            eprintln!("parkdesk engine restarting: every call is left as it is");
            server.suspend().await;
            operations.stop();
            // Exit here rather than through the runtime's teardown: no leg task is polled
            // again, so none can take its closing command channel for a hang-up.
            drop(guard);
            std::process::exit(0);
        }
        Stop::RestartInPlace => {
            eprintln!("parkdesk engine restarting in place: every call is left as it is");
            server.suspend().await;
            operations.stop();
            // The log file gets its last lines before this image is replaced.
            drop(guard);
            return Err(reexec());
        }
        Stop::Drain => {
            eprintln!("parkdesk engine draining: parked calls go back to their parkers");
            server.shutdown().await;
            operations.stop();
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// How the engine process was told to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// SIGTERM or Ctrl-C: a planned restart; the service manager starts the next process.
    Restart,
    /// `engine.restart`: a planned restart, then this process execs itself.
    RestartInPlace,
    /// SIGUSR1 or `engine.drain`: take the node out of service.
    Drain,
}

/// Waits for the signal that stops the engine: SIGTERM or Ctrl-C (restart), SIGUSR1
/// (drain). Every signal the engine takes is here, in one place.
async fn stop_signal() -> Stop {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut usr1)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::user_defined1()),
    ) else {
        let _ = tokio::signal::ctrl_c().await;
        return Stop::Restart;
    };
    tokio::select! {
        _ = term.recv() => Stop::Restart,
        _ = tokio::signal::ctrl_c() => Stop::Restart,
        _ = usr1.recv() => Stop::Drain,
    }
}

/// Replaces this process with a fresh run of the same executable and arguments (the
/// listeners are closed and the store written by now). Returns only when exec failed.
fn reexec() -> anyhow::Error {
    use std::os::unix::process::CommandExt;
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => return anyhow::anyhow!("restart: cannot find this executable: {e}"),
    };
    let error = std::process::Command::new(&exe)
        .args(std::env::args_os().skip(1))
        .exec();
    anyhow::anyhow!("restart: cannot exec {}: {error}", exe.display())
}

/// `parkdesk engine restart` / `parkdesk engine drain`: asks the engine at `connect`
/// (admin token) for a planned restart or a drain, and returns once it is accepted.
pub async fn request_stop(
    config: Option<&Path>,
    connect: super::Connect,
    request: StopRequest,
) -> anyhow::Result<ExitCode> {
    use crate::protocol::Op;
    use crate::protocol::op::EngineOp;
    let url = match connect.engine {
        Some(url) => url,
        None => {
            config::load(config)
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .console
                .engine
        }
    };
    let token = crate::client::read_token(connect.token_file.as_deref())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let (client, _hello) = crate::client::Client::connect(&url, &token, "parkdesk-engine")
        .await
        .map_err(|e| anyhow::anyhow!("{url}: {e}"))?;
    let (op, what) = match request {
        StopRequest::Restart => (EngineOp::Restart, "restarting in place; calls stay up"),
        StopRequest::Drain => (
            EngineOp::Drain,
            "draining: parked calls go back to their parkers, then every call is hung up",
        ),
    };
    let result = client.op(Op::Engine(op)).await;
    client.close();
    match result {
        Ok(_) => {
            println!("{url}: {what}");
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("parkdesk engine: {url}: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

fn stored_token(t: &crate::store::TokenRecord) -> Option<TokenEntry> {
    let bytes = hex::decode(&t.hash).ok()?;
    let hash: [u8; 32] = bytes.try_into().ok()?;
    Some(TokenEntry {
        id: t.id.clone(),
        hash,
        user: t.user.clone(),
        roles: t.roles.clone(),
        label: t.label.clone(),
    })
}

/// Starts the embedded demo engine of plain `parkdesk`: ephemeral loopback port, demo
/// traffic, an in-memory store, grace 0. Returns the server, a receptionist token and an
/// announcer token (for the PA station child).
pub async fn start_embedded(settings: &Settings) -> anyhow::Result<(ServerHandle, String, String)> {
    let mut settings = settings.clone();
    settings.demo.enabled = true;
    crate::runtime::entropy::init().context("no system randomness for the tokens")?;
    let token = crate::runtime::entropy::random_hex(16);
    settings.tokens.push(config::TokenSettings {
        token: token.clone(),
        user: "reception".into(),
        roles: vec![Role::Receptionist],
    });
    let pa_token = crate::runtime::entropy::random_hex(16);
    settings.tokens.push(config::TokenSettings {
        token: pa_token.clone(),
        user: "pa-station".into(),
        roles: vec![Role::Announcer],
    });
    let store = Store::open_in_memory().context("opening the in-memory store")?;
    let setup = engine_setup(&settings, None);
    let tokens = config_tokens(&settings);
    let listen: SocketAddr = ([127, 0, 0, 1], 0).into();
    let mut opts = server_options(&settings, listen, setup, tokens, Some(store));
    opts.shutdown_grace = Duration::ZERO;
    let server = start_server(opts)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((server, token, pa_token))
}

/// Plain `parkdesk`: the console on an embedded demo engine. Quitting the console stops
/// the engine at once (grace 0).
pub async fn run_embedded(
    config_path: Option<&Path>,
    log_level: Option<&str>,
    look: super::Look,
) -> anyhow::Result<ExitCode> {
    let (settings, _guard) = load_settings(config_path, log_level)?;
    // A bad theme or key map is refused before the engine and the PA station start.
    let opts = super::console_cmd::options(&settings, String::new(), String::new(), look, false);
    opts.check_look()?;
    let (server, token, pa_token) = start_embedded(&settings).await?;
    let url = server.url();
    tracing::info!(%url, "embedded demo engine");
    eprintln!("parkdesk: embedded demo engine listening on {url}");
    // The PA station runs as a child so audio (and ALSA's stderr) stays out of this screen.
    let log_dir = _guard.as_ref().map(|g| g.dir().to_path_buf());
    let _station =
        crate::announcer::spawn::embedded_station(&url, &pa_token, log_dir.as_deref(), config_path);
    let opts = crate::console::ConsoleOptions {
        engine_url: url.clone(),
        token,
        ..opts
    };
    let result = crate::console::run(opts).await;
    server.shutdown().await;
    result?;
    eprintln!("parkdesk: the embedded demo engine on {url} has stopped");
    Ok(ExitCode::SUCCESS)
}
