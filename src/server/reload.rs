//! Reloading the configuration file (SIGHUP, `engine.reload`): the file is read and checked
//! off the engine task, then the engine task applies what changed since the last read, all
//! or nothing ([`crate::engine::merge_reload`] keeps the store's admin edits). One reload at
//! a time, so two never apply out of the order they read the file in.

use super::auth::TokenRegistry;
use super::engine_task::EngineHandle;
use crate::config::Cidr;
use crate::engine::EngineSetup;
use crate::protocol::{ErrorBody, ErrorCode};
use crate::runtime::Notifier;
use serde_json::Value;
use std::sync::{Arc, OnceLock};
use tokio::sync::Mutex;

/// What a reload read from the configuration file.
#[derive(Debug, Clone)]
pub struct ReloadPlan {
    /// The file's directory seed and numbering as it is now.
    pub seed: EngineSetup,
    /// The file's tokens (`config:N`), hashed.
    pub tokens: TokenRegistry,
    /// `[sip] trusted`, when `[sip]` is there.
    pub trusted: Option<Vec<Cidr>>,
    /// Keys that changed but only apply at the next start (`server.listen`, …).
    pub restart_needed: Vec<String>,
}

/// Reads and checks the configuration file the engine was started with; the error is the
/// text `parkdesk config check` prints (file, line, key).
pub type ConfigSource = Arc<dyn Fn() -> Result<ReloadPlan, String> + Send + Sync>;

/// What the engine task applies: the seed the file had at the last read, and the new plan.
#[derive(Debug, Clone)]
pub struct ReloadRequest {
    /// The file's seed when it was last read (at start, or the last reload that applied).
    pub old_seed: EngineSetup,
    /// What the file says now.
    pub plan: ReloadPlan,
    /// Who asked (a user, or `sighup`), for the audit log.
    pub by: String,
}

/// Reloads for the engine: held by the server once [`super::ServerHandle::enable_reload`]
/// gave it the configuration's source.
pub struct Reloader {
    source: ConfigSource,
    engine: EngineHandle,
    notifier: Notifier,
    /// The file's seed at the last read that applied; locked for a whole reload.
    last_seed: Mutex<EngineSetup>,
}

impl std::fmt::Debug for Reloader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reloader").finish_non_exhaustive()
    }
}

/// Where sessions find the reloader (empty for an engine not started from a file).
pub type ReloadSlot = Arc<OnceLock<Reloader>>;

impl Reloader {
    /// A reloader reading `source`, the file's seed at start being `seed`.
    pub fn new(
        source: ConfigSource,
        seed: EngineSetup,
        engine: EngineHandle,
        notifier: Notifier,
    ) -> Reloader {
        Reloader {
            source,
            engine,
            notifier,
            last_seed: Mutex::new(seed),
        }
    }

    /// Reads the file and applies what changed; `ok` says what (`changed`,
    /// `restart_needed`). A refusal (a bad file, a parked call's range orphaned) changes
    /// nothing and is logged. systemd hears `RELOADING=1`, then `READY=1`.
    pub async fn reload(&self, by: &str) -> Result<Value, ErrorBody> {
        let mut last_seed = self.last_seed.lock().await;
        self.notifier.reloading();
        let result = self.read_and_apply(&last_seed, by).await;
        self.notifier.ready();
        match result {
            Ok((ok, seed)) => {
                *last_seed = seed;
                tracing::info!(%by, changed = %ok["changed"], "configuration reloaded");
                Ok(ok)
            }
            Err(e) => {
                tracing::error!(%by, reason = %e.message, "configuration reload refused");
                Err(e)
            }
        }
    }

    async fn read_and_apply(
        &self,
        old_seed: &EngineSetup,
        by: &str,
    ) -> Result<(Value, EngineSetup), ErrorBody> {
        let source = self.source.clone();
        let plan = tokio::task::spawn_blocking(move || source())
            .await
            .map_err(|e| ErrorBody::new(ErrorCode::Internal, format!("reading the config: {e}")))?
            .map_err(|message| ErrorBody::new(ErrorCode::BadRequest, message))?;
        let seed = plan.seed.clone();
        let request = ReloadRequest {
            old_seed: old_seed.clone(),
            plan,
            by: by.to_string(),
        };
        let ok = self
            .engine
            .reload(request)
            .await
            .map_err(|_| ErrorBody::new(ErrorCode::Internal, "the engine is stopping"))??;
        Ok((ok, seed))
    }
}

/// `engine.reload` on an engine that was not started from a configuration file.
pub fn not_enabled() -> ErrorBody {
    ErrorBody::new(
        ErrorCode::BadRequest,
        "engine.reload: this engine was not started from a configuration file",
    )
}
