//! What `parkdesk engine` adds for running it as a service: reloading the configuration
//! file (SIGHUP, `engine.reload`), systemd's notifications (`Type=notify`) and the HTTP
//! health and metrics endpoint.

use super::engine_cmd::config_tokens;
use crate::config::{self, Settings};
use crate::runtime::Notifier;
use crate::server::ServerHandle;
use crate::server::http::{HttpServer, HttpState, start_http};
use crate::server::reload::{ConfigSource, ReloadPlan, ReloadSlot};
use crate::store::Store;
use anyhow::Context;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::task::JoinHandle;

/// The running service parts; [`Operations::stopping`] when the engine begins to stop.
pub struct Operations {
    notifier: Notifier,
    http: Option<HttpServer>,
    sighup: JoinHandle<()>,
}

impl Operations {
    /// Once the server serves: reload enabled (and on SIGHUP), the HTTP endpoint bound if
    /// `[http] listen` is set, this start counted in the store, then systemd told `READY=1`.
    pub async fn start(
        server: &ServerHandle,
        settings: &Settings,
        config_path: Option<&Path>,
        store: Option<Store>,
    ) -> anyhow::Result<Operations> {
        let notifier = Notifier::from_env();
        server.enable_reload(
            reload_source(config_path.map(Path::to_path_buf), settings.clone()),
            settings.engine_setup(),
            notifier.clone(),
        );
        let sighup = reload_on_sighup(server.reload_slot());
        let restarts = match &store {
            Some(store) => store
                .count_start()
                .await
                .context("counting this start in the store")?
                .saturating_sub(1),
            None => 0,
        };
        let http = match settings.http.listen {
            Some(listen) => {
                let state = HttpState {
                    engine: server.engine(),
                    store,
                    restarts,
                };
                let http = start_http(listen, state)
                    .await
                    .with_context(|| format!("cannot listen for HTTP on {listen}"))?;
                eprintln!(
                    "parkdesk engine health and metrics on http://{}/health",
                    http.addr
                );
                Some(http)
            }
            None => None,
        };
        notifier.ready();
        Ok(Operations {
            notifier,
            http,
            sighup,
        })
    }

    /// The engine begins to stop: systemd hears `STOPPING=1`, `/health` answers `503`.
    pub fn stopping(&self) {
        self.notifier.stopping();
        if let Some(http) = &self.http {
            http.set_stopping();
        }
    }

    /// Stops the HTTP endpoint and the SIGHUP listener.
    pub fn stop(self) {
        self.sighup.abort();
        if let Some(http) = self.http {
            http.stop();
        }
    }
}

/// Re-reads the configuration as `parkdesk config check` does (same errors: file, line,
/// key); `started` is what the engine runs with, for the keys that need a restart.
fn reload_source(path: Option<PathBuf>, started: Settings) -> ConfigSource {
    Arc::new(move || {
        let (settings, warnings) =
            config::check_with_warnings(path.as_deref()).map_err(|e| e.to_string())?;
        for warning in warnings {
            tracing::warn!("{warning}");
        }
        Ok(ReloadPlan {
            seed: settings.engine_setup(),
            tokens: config_tokens(&settings),
            trusted: settings.sip.as_ref().map(|sip| sip.trusted.clone()),
            restart_needed: restart_needed(&started, &settings),
        })
    })
}

/// The sections that changed but are read only at start (sockets, the store, logging, the
/// simulated switch), by name.
fn restart_needed(started: &Settings, now: &Settings) -> Vec<String> {
    let sip_without_trusted = |s: &Settings| {
        s.sip.clone().map(|mut sip| {
            sip.trusted.clear();
            sip
        })
    };
    let mut keys = Vec::new();
    let sections = [
        ("server", started.server != now.server),
        (
            "sip",
            sip_without_trusted(started) != sip_without_trusted(now),
        ),
        ("store", started.store != now.store),
        ("http", started.http != now.http),
        ("log", started.log != now.log),
        ("demo", started.demo != now.demo),
        ("sim", started.sim != now.sim),
    ];
    for (name, changed) in sections {
        if changed {
            tracing::warn!(
                section = name,
                "changed in the config file; applies at the next start"
            );
            keys.push(name.to_string());
        }
    }
    keys
}

/// SIGHUP reloads the configuration file; the outcome goes to the log and to stderr (the
/// journal under systemd). A refused reload changes nothing and the engine goes on.
fn reload_on_sighup(slot: ReloadSlot) -> JoinHandle<()> {
    tokio::spawn(async move {
        use tokio::signal::unix::{SignalKind, signal};
        let mut hangups = match signal(SignalKind::hangup()) {
            Ok(hangups) => hangups,
            Err(e) => {
                tracing::warn!(error = %e, "no SIGHUP handler: reload with `parkdesk admin reload`");
                return;
            }
        };
        while hangups.recv().await.is_some() {
            let Some(reloader) = slot.get() else { continue };
            match reloader.reload("sighup").await {
                Ok(ok) => eprintln!("parkdesk engine: configuration reloaded: {ok}"),
                Err(e) => eprintln!("parkdesk engine: reload refused: {}", e.message),
            }
        }
    })
}
