//! The two ways the server stops. A planned restart ([`ServerHandle::suspend`]) leaves
//! every call exactly as it is for the next process: no ring-back, no BYE, no prompt. A
//! drain ([`ServerHandle::shutdown`]) takes the node out of service: parked calls handed
//! back to their parkers, bridged calls relayed until they end or the grace runs out, and
//! every leg hung up (goodbye played, BYE sent) before it returns.

use super::ServerHandle;
use std::time::Duration;

/// What an admin asked of the running engine over the API (`engine.restart`,
/// `engine.drain`); the process's owner carries it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopRequest {
    /// A planned restart, then start again in place.
    Restart,
    /// Take the node out of service.
    Drain,
}

/// How long a restart waits for the SIP side to cancel the forks still ringing.
const SIP_SUSPEND: Duration = Duration::from_millis(500);
/// How long a restart waits for the engine task to write the store and stop.
const ENGINE_SUSPEND: Duration = Duration::from_millis(1000);
/// How long a restart lets sessions close by themselves before cutting them.
const SESSIONS_CLOSE_FAST: Duration = Duration::from_millis(300);
/// After the engine's drain: how long the SIP side gets to play the last goodbyes and see
/// every BYE answered. A hard limit well past any prompt: normally the wait ends as soon
/// as the last leg is gone.
const LEGS_HANG_UP: Duration = Duration::from_secs(20);

impl ServerHandle {
    /// The next `engine.restart` / `engine.drain` an admin asked for; pending forever when
    /// none comes.
    pub async fn stop_requested(&mut self) -> StopRequest {
        match self.stop_requests.recv().await {
            Some(request) => request,
            None => std::future::pending().await,
        }
    }

    /// A planned restart: stop accepting (WebSocket listener closed, new SIP calls `503`
    /// with `Retry-After`), `engine.restarting` to every subscriber, the store flushed,
    /// every session closed; every call left exactly as it is. Returns within about a
    /// second; the process may then exit (or exec itself).
    pub async fn suspend(mut self) {
        self.accept.abort();
        if tokio::time::timeout(ENGINE_SUSPEND, self.engine.suspend())
            .await
            .is_err()
        {
            tracing::warn!("the engine task did not stop within a second");
        }
        if let Some(sip) = &self.sip {
            sip.suspend(SIP_SUSPEND).await;
        }
        let _ = self.stop.send(true);
        drop(self.engine);
        let _ = tokio::time::timeout(Duration::from_millis(300), self.task).await;
        let closed = tokio::time::timeout(SESSIONS_CLOSE_FAST, self.complete.recv()).await;
        if closed.is_err() {
            let _ = self.cut.send(true);
            let _ = self.complete.recv().await;
        }
        tracing::info!("suspended for a restart: every call left as it is");
    }

    /// Drains (engine.stopping, parked calls handed back staggered, releases after the
    /// grace), waits until the SIP side has hung up every leg, writes history, closes every
    /// client and stops. When it returns, no session is left: the ones that did not close
    /// within a second are cut.
    pub async fn shutdown(mut self) {
        // Taking no more connections: the aborted loop drops its completion sender.
        self.accept.abort();
        if let Some(sip) = &self.sip {
            sip.refuse_parks();
        }
        if let Ok(rx) = self.engine.drain(self.grace).await {
            let limit = self.grace + Duration::from_millis(1500);
            let _ = tokio::time::timeout(limit, rx).await;
        }
        if let Some(sip) = &self.sip {
            // The engine takes no call any more: a retrieve dialled now would hang.
            sip.refuse_calls();
            // Every leg gets its BYE (after its goodbye) before the process may exit.
            if !sip.wait_no_legs(LEGS_HANG_UP).await {
                tracing::warn!(legs = sip.live().0, "legs still up after the drain");
            }
            // Phones' busy lamps learn the engine is going (`terminated` NOTIFYs).
            sip.end_subscriptions().await;
        }
        let _ = self.stop.send(true);
        drop(self.engine);
        let _ = tokio::time::timeout(Duration::from_millis(400), self.task).await;
        // Let every session send what it still holds and close its socket cleanly: `recv`
        // answers `None` once the last completion sender is dropped.
        let closed = tokio::time::timeout(super::SESSIONS_CLOSE, self.complete.recv()).await;
        if closed.is_err() {
            tracing::debug!("cutting the sessions still open");
            let _ = self.cut.send(true);
            let _ = self.complete.recv().await;
        }
    }
}
