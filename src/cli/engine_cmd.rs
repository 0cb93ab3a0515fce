//! `parkdesk engine` (serve until SIGTERM, then drain) and plain `parkdesk` (an embedded
//! demo engine on an ephemeral loopback port, with the console on it).

use crate::config::{self, Settings};
use crate::engine::{EngineSetup, Role};
use crate::server::auth::{TokenEntry, TokenRegistry, digest};
use crate::server::engine_task::TaskSettings;
use crate::server::{ServerHandle, ServerOptions, shutdown_signal, start_server};
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

/// Opens the store, closes parks a crash left open as `lost`, and reads the saved setup.
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
    let now = crate::runtime::DriverClock::start().utc_now();
    let lost = store
        .close_open_parks_as_lost(now)
        .await
        .context("closing lost parks")?;
    if lost > 0 {
        tracing::warn!(
            lost,
            "parks left open by the last run were recorded as lost"
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

/// `parkdesk engine`: serve until SIGTERM or Ctrl-C, then drain and exit 0.
pub async fn run_engine(
    config_path: Option<&Path>,
    log_level: Option<&str>,
    listen: Option<SocketAddr>,
) -> anyhow::Result<ExitCode> {
    let (settings, _guard) = load_settings(config_path, log_level)?;
    let listen = listen.unwrap_or(settings.server.listen);
    let (store, saved) = open_store(&settings).await?;
    let setup = engine_setup(&settings, Some(saved));
    let mut tokens = config_tokens(&settings);
    for t in store.tokens().await.context("reading tokens")? {
        if let Some(entry) = stored_token(&t) {
            tokens.insert(entry);
        }
    }
    let server = start_server(server_options(
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
    shutdown_signal().await;
    eprintln!("parkdesk engine stopping: draining parked calls");
    operations.stopping();
    server.shutdown().await;
    operations.stop();
    Ok(ExitCode::SUCCESS)
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
