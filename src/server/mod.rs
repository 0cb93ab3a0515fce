//! The server: a thin tokio shell around the engine, in mini-redis's shape. One task owns
//! the engine (an actor); each WebSocket client is a session holding a handle to it. The
//! accept loop backs off when the OS refuses connections ([`listener`]). Stopping
//! ([`stopping`]) is a planned restart that leaves every call as it is, or a drain that
//! hands parked calls back and hangs every leg up; either then tells every session to close
//! (a `watch`) and waits until each has dropped its completion sender (an `mpsc` that
//! closes when the last one is gone).

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
pub mod stopping;

pub use stopping::StopRequest;

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
    /// The store could not be read at start (durable calls, the epoch, the last seq, the id
    /// numbers).
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
    /// The epoch: the store's, unbroken across restarts and crashes.
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
    /// The epoch: the store's, unbroken across restarts and crashes.
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
    /// `engine.restart` / `engine.drain` from the API.
    stop_requests: mpsc::UnboundedReceiver<StopRequest>,
    /// The reloader, once enabled.
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
    // Where this run picks up the store's history: epoch, seq, id numbers.
    let resume = match &opts.store {
        Some(store) => engine_task::Resume::load(store)
            .await
            .map_err(ServerError::Store)?,
        None => engine_task::Resume::fresh(),
    };
    let epoch = resume.epoch.clone();
    // For `health`; shutdown waits on completion senders, not on this count.
    let connections = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = EngineHandle::channel(1024);
    let (stop_tx, stop_requests) = mpsc::unbounded_channel();
    let sip = match opts.sip.clone() {
        Some(settings) => {
            let (events, mut incoming) = mpsc::unbounded_channel();
            let sip =
                crate::sip::start(settings, &opts.setup, clock, events, resume.first_id).await?;
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
    .resume(&resume)
    .with_sip(sip.clone())
    .with_stop_requests(stop_tx);
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
        stop_requests,
        reload,
    })
}

/// Waits for SIGTERM or Ctrl-C (a planned restart).
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
