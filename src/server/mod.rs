//! The server: a thin tokio shell around the engine, in mini-redis's shape. One task owns
//! the engine (an actor); each WebSocket client is a session holding a handle to it. The
//! accept loop backs off when the OS refuses connections ([`listener`]). Shutdown drains
//! parked calls, then tells every session to close (a `watch`) and waits until each has
//! dropped its completion sender (an `mpsc` that closes when the last one is gone).

pub mod abuse;
pub mod auth;
pub mod engine_task;
pub mod http;
pub mod hub;
pub mod idempotency;
pub mod listener;
pub mod numbers_ops;
pub mod ops;
pub mod reload;
mod restore;
pub mod session;

use crate::engine::{Engine, EngineError, EngineSetup};
use crate::runtime::DriverClock;
use crate::store::{DurableState, Store};
use auth::TokenRegistry;
use engine_task::{EngineHandle, EngineTask, TaskSettings};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use thiserror::Error;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinHandle;

/// How long shutdown waits for the sessions to close by themselves before it cuts the ones
/// left (a client stuck in its handshake, a socket nobody reads).
const SESSIONS_CLOSE: Duration = Duration::from_millis(1000);

/// Why the server could not start.
#[derive(Debug, Error)]
pub enum ServerError {
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// The engine refused its setup.
    #[error("engine setup: {0}")]
    Setup(#[from] EngineError),
    /// The SIP side could not start.
    #[error("SIP: {0}")]
    Sip(#[from] crate::sip::SipError),
    /// The store could not be read at start.
    #[error("store: {0}")]
    Store(#[source] crate::store::StoreError),
    /// No randomness for the epoch, tokens and keys.
    #[error("{0}")]
    Entropy(#[from] crate::runtime::EntropyError),
}

/// What a session needs besides its socket.
#[derive(Debug)]
pub struct SessionContext {
    /// The engine task.
    pub engine: EngineHandle,
    /// The driver clock (for `hello.now`).
    pub clock: DriverClock,
    /// This run's epoch.
    pub epoch: String,
    /// Engine name and version.
    pub name: String,
    /// The store, for history reads.
    pub store: Option<Store>,
    /// Flips to true when the server closes its sessions.
    pub stopping: watch::Receiver<bool>,
    /// `engine.reload`'s reloader, once the server was given the configuration's source.
    pub reload: reload::ReloadSlot,
}

/// Everything `start_server` needs.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Where to listen (`127.0.0.1:0` for an ephemeral port).
    pub listen: SocketAddr,
    /// The engine's setup.
    pub setup: EngineSetup,
    /// Accepted tokens.
    pub tokens: TokenRegistry,
    /// The store, if any.
    pub store: Option<Store>,
    /// The engine task's settings.
    pub task: TaskSettings,
    /// Connections served at once.
    pub max_connections: usize,
    /// How long a drain lets parked calls ring back before releasing them.
    pub shutdown_grace: Duration,
    /// `[sip]`: serve real calls over SIP; `None` for none.
    pub sip: Option<crate::config::SipSettings>,
}

/// A running server.
#[derive(Debug)]
pub struct ServerHandle {
    /// The bound address.
    pub addr: SocketAddr,
    /// This run's epoch.
    pub epoch: String,
    /// The SIP side, when `[sip]` is configured.
    pub sip: Option<Arc<crate::sip::SipService>>,
    engine: EngineHandle,
    /// Tells every session to close.
    stop: watch::Sender<bool>,
    /// Cuts the sessions still open after [`SESSIONS_CLOSE`].
    cut: watch::Sender<bool>,
    /// Closes when the accept loop and every session have ended (each holds a sender).
    complete: mpsc::Receiver<()>,
    task: JoinHandle<()>,
    accept: JoinHandle<()>,
    grace: Duration,
    reload: reload::ReloadSlot,
}

impl ServerHandle {
    /// The WebSocket URL clients connect to.
    pub fn url(&self) -> String {
        format!("ws://{}{}", self.addr, crate::protocol::PATH)
    }

    /// A handle to the engine task (the HTTP health endpoint asks it).
    pub fn engine(&self) -> EngineHandle {
        self.engine.clone()
    }

    /// Lets SIGHUP and `engine.reload` re-read the configuration through `source`; `seed`
    /// is the file's directory seed the engine started with. Once only: later calls are
    /// ignored.
    pub fn enable_reload(
        &self,
        source: reload::ConfigSource,
        seed: EngineSetup,
        notifier: crate::runtime::Notifier,
    ) {
        let reloader = reload::Reloader::new(source, seed, self.engine.clone(), notifier);
        let _ = self.reload.set(reloader);
    }

    /// Where the reloader is, for a task that reloads on a signal.
    pub fn reload_slot(&self) -> reload::ReloadSlot {
        self.reload.clone()
    }

    /// Reloads the configuration (see [`reload::Reloader::reload`]); `by` names who asked.
    pub async fn reload(&self, by: &str) -> Result<serde_json::Value, crate::protocol::ErrorBody> {
        match self.reload.get() {
            Some(reloader) => reloader.reload(by).await,
            None => Err(reload::not_enabled()),
        }
    }

    /// Drains (engine.stopping, ring-backs, releases after the grace), writes history,
    /// closes every client and stops. When it returns, no session is left: the ones that did
    /// not close within a second are cut.
    pub async fn shutdown(mut self) {
        // Taking no more connections: the aborted loop drops its completion sender.
        self.accept.abort();
        if let Ok(rx) = self.engine.drain(self.grace).await {
            let limit = self.grace + Duration::from_millis(1500);
            let _ = tokio::time::timeout(limit, rx).await;
        }
        if let Some(sip) = &self.sip {
            // Phones' busy lamps learn the engine is going (`terminated` NOTIFYs).
            sip.end_subscriptions().await;
        }
        let _ = self.stop.send(true);
        drop(self.engine);
        let _ = tokio::time::timeout(Duration::from_millis(400), self.task).await;
        // Let every session send what it still holds and close its socket cleanly: `recv`
        // answers `None` once the last completion sender is dropped.
        let closed = tokio::time::timeout(SESSIONS_CLOSE, self.complete.recv()).await;
        if closed.is_err() {
            tracing::debug!("cutting the sessions still open");
            let _ = self.cut.send(true);
            let _ = self.complete.recv().await;
        }
    }
}

/// Builds the engine and starts serving.
pub async fn start_server(opts: ServerOptions) -> Result<ServerHandle, ServerError> {
    // Keys, tokens and the epoch are drawn below and later: no randomness, no server.
    crate::runtime::entropy::init()?;
    // What the process before left: calls to carry on, read before anything is served.
    let durable = match &opts.store {
        Some(store) => store.load_durable().await.map_err(ServerError::Store)?,
        None => DurableState::default(),
    };
    // The clock reaches back far enough that restored calls keep their real times.
    let clock = match engine_task::durable::oldest_time(&durable.calls) {
        Some(oldest) => DriverClock::start_reaching_back(oldest),
        None => DriverClock::start(),
    };
    let engine = Engine::new(opts.setup.clone(), opts.task.seed, clock.now())?;
    let listener = TcpListener::bind(opts.listen)
        .await
        .map_err(|source| ServerError::Bind {
            addr: opts.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| ServerError::Bind {
        addr: opts.listen,
        source,
    })?;
    let epoch = crate::runtime::entropy::random_hex(8);
    // For `health`; shutdown waits on completion senders, not on this count.
    let connections = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = EngineHandle::channel(1024);
    let sip = match opts.sip.clone() {
        Some(settings) => {
            let (events, mut incoming) = mpsc::unbounded_channel();
            let sip = crate::sip::start(settings, &opts.setup, clock, events).await?;
            if let Some(store) = &opts.store {
                sip.attach_store(store.clone(), !durable.legs.is_empty());
            }
            let to_engine = tx.clone();
            tokio::spawn(async move {
                while let Some(event) = incoming.recv().await {
                    if to_engine.switch(event).await.is_err() {
                        break;
                    }
                }
            });
            Some(Arc::new(sip))
        }
        None => None,
    };
    let mut task = EngineTask::new(
        engine,
        clock,
        epoch.clone(),
        opts.tokens.clone(),
        opts.store.clone(),
        opts.task.clone(),
        connections.clone(),
    )
    .with_sip(sip.clone());
    restore::carry_on(&mut task, sip.as_deref(), &durable).await;
    if let Some(sip) = &sip {
        sip.attach_number_routes(task.numbers().routes());
    }
    let task = tokio::spawn(task.run(rx));
    let (stop, stopping) = watch::channel(false);
    let reload = reload::ReloadSlot::default();
    let ctx = Arc::new(SessionContext {
        engine: tx.clone(),
        clock,
        epoch: epoch.clone(),
        name: opts.task.name.clone(),
        store: opts.store.clone(),
        stopping,
        reload: reload.clone(),
    });
    let limit = Arc::new(Semaphore::new(opts.max_connections.max(1)));
    let (complete_tx, complete) = mpsc::channel(1);
    let (cut, cut_rx) = watch::channel(false);
    let accept = tokio::spawn(listener::accept_loop(listener, move |(stream, peer)| {
        let _ = stream.set_nodelay(true);
        let ctx = ctx.clone();
        let permit = limit.clone().try_acquire_owned();
        let connections = connections.clone();
        // Held until the session ends: shutdown waits for every one to be dropped.
        let complete = complete_tx.clone();
        let mut cut = cut_rx.clone();
        tokio::spawn(async move {
            tracing::debug!(%peer, "connection");
            let over = permit.is_err();
            connections.fetch_add(1, Ordering::Relaxed);
            tokio::select! {
                () = session::serve(stream, ctx, over) => {}
                // Dropping the session closes its socket.
                _ = cut.wait_for(|cut| *cut) => {}
            }
            connections.fetch_sub(1, Ordering::Relaxed);
            drop(permit);
            drop(complete);
        });
    }));
    tracing::info!(%addr, %epoch, "engine listening");
    Ok(ServerHandle {
        addr,
        epoch,
        sip,
        engine: tx,
        stop,
        cut,
        complete,
        task,
        accept,
        grace: opts.shutdown_grace,
        reload,
    })
}

/// Waits for SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
