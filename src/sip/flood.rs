//! The per-source flood limit: every untrusted source address gets a token bucket of
//! requests (`[sip] flood_rate` per second, `flood_burst` at once). A request beyond it is
//! answered `503 Service Unavailable` with `Retry-After`, statelessly, before any transaction,
//! dialog or digest work is spent on it. Trusted peers (the PBX) are never limited: one PBX
//! carries a whole site's calls.
//!
//! [`FloodLimit`] is the pure rule (time passed in); [`FloodGate`] is the SIP layer around it.

use super::identity::is_trusted;
use super::msg::tag_response;
use super::shared::Shared;
use sip_core::{Endpoint, IncomingRequest, Layer, MayTake};
use sip_types::{Method, Name, StatusCode};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// Sources tracked at most; beyond them new sources share one bucket, so a flood from
/// spoofed addresses cannot grow the table without bound.
const MAX_SOURCES: usize = 65_536;

/// One source's bucket.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    /// Requests it may still send now (fractional while refilling).
    tokens: f64,
    /// When `tokens` was last brought up to date, in milliseconds.
    at_ms: u64,
}

impl Bucket {
    /// The tokens it holds at `now_ms`, refilled at `rate` per second up to `burst`.
    fn tokens_at(&self, now_ms: u64, rate: f64, burst: f64) -> f64 {
        let elapsed = now_ms.saturating_sub(self.at_ms) as f64 / 1000.0;
        (self.tokens + elapsed * rate).min(burst)
    }
}

/// The per-source token buckets.
#[derive(Debug)]
pub struct FloodLimit {
    rate: f64,
    burst: f64,
    sources: HashMap<IpAddr, Bucket>,
    overflow: Option<Bucket>,
    /// When the table was last swept of idle sources; a sweep runs at most once a second.
    swept_ms: Option<u64>,
}

/// A request over the limit: how long the source should wait before trying again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    /// Whole seconds for `Retry-After`, at least 1.
    pub retry_after: u64,
}

impl FloodLimit {
    /// A limit of `rate` requests per second with bursts of `burst`; a `rate` of 0 is no
    /// limit at all.
    pub fn new(rate: u32, burst: u32) -> FloodLimit {
        FloodLimit {
            rate: f64::from(rate),
            burst: f64::from(burst.max(1)),
            sources: HashMap::new(),
            overflow: None,
            swept_ms: None,
        }
    }

    /// Whether the limit is on.
    pub fn enabled(&self) -> bool {
        self.rate > 0.0
    }

    /// Sources being tracked now.
    pub fn tracked(&self) -> usize {
        self.sources.len()
    }

    /// Counts one request from `source` at `now_ms`: `Ok` to serve it, `Err` to refuse it.
    pub fn admit(&mut self, source: IpAddr, now_ms: u64) -> Result<(), Refused> {
        if !self.enabled() {
            return Ok(());
        }
        if !self.sources.contains_key(&source) && self.sources.len() >= MAX_SOURCES {
            self.forget_idle(now_ms);
        }
        let (rate, burst) = (self.rate, self.burst);
        let fresh = Bucket {
            tokens: burst,
            at_ms: now_ms,
        };
        let bucket = if self.sources.len() < MAX_SOURCES || self.sources.contains_key(&source) {
            self.sources.entry(source).or_insert(fresh)
        } else {
            self.overflow.get_or_insert(fresh)
        };
        bucket.tokens = bucket.tokens_at(now_ms, rate, burst);
        bucket.at_ms = bucket.at_ms.max(now_ms);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Ok(());
        }
        // Back off until the bucket is half full again: a client that retries after
        // `Retry-After` then has room for a burst, not for one request.
        let wanted = burst / 2.0 - bucket.tokens;
        let retry_after = (wanted / rate).ceil().max(1.0) as u64;
        Err(Refused { retry_after })
    }

    /// Drops the buckets that have refilled completely: those sources are as good as new.
    fn forget_idle(&mut self, now_ms: u64) {
        if self
            .swept_ms
            .is_some_and(|at| now_ms < at.saturating_add(1000))
        {
            return;
        }
        self.swept_ms = Some(now_ms);
        let (rate, burst) = (self.rate, self.burst);
        self.sources
            .retain(|_, bucket| bucket.tokens_at(now_ms, rate, burst) < burst);
    }
}

/// The SIP layer that applies [`FloodLimit`] to every request before any other layer.
pub struct FloodGate {
    shared: Arc<Shared>,
    limit: Mutex<FloodLimit>,
}

impl FloodGate {
    /// A gate with the `[sip]` flood settings of `shared`.
    pub fn new(shared: Arc<Shared>) -> FloodGate {
        let limit = FloodLimit::new(shared.settings.flood_rate, shared.settings.flood_burst);
        FloodGate {
            shared,
            limit: Mutex::new(limit),
        }
    }

    fn admit(&self, source: IpAddr) -> Result<(), Refused> {
        let now_ms = self.shared.clock.now().0;
        match self.limit.lock() {
            Ok(mut limit) => limit.admit(source, now_ms),
            Err(poisoned) => poisoned.into_inner().admit(source, now_ms),
        }
    }
}

#[async_trait::async_trait]
impl Layer for FloodGate {
    fn name(&self) -> &'static str {
        "parkdesk-flood"
    }

    async fn receive(&self, endpoint: &Endpoint, request: MayTake<'_, IncomingRequest>) {
        // An ACK has no answer to send and completes a transaction already counted.
        if request.line.method == Method::ACK {
            return;
        }
        let source = request.tp_info.source.ip();
        if is_trusted(&self.shared.trusted(), source) {
            return;
        }
        let Err(refused) = self.admit(source) else {
            return;
        };
        let request = request.take();
        tracing::debug!(%source, method = %request.line.method, "flood limit: 503");
        refuse_statelessly(endpoint, &request, refused).await;
    }
}

/// Sends `503` with `Retry-After` without a transaction: a flood must not fill the
/// transaction table, and a retransmission is simply refused again.
async fn refuse_statelessly(endpoint: &Endpoint, request: &IncomingRequest, refused: Refused) {
    let mut response = endpoint.create_response(request, StatusCode::SERVICE_UNAVAILABLE, None);
    if request.base_headers.to.tag.is_none() {
        tag_response(&mut response, "flood");
    }
    response
        .msg
        .headers
        .insert(Name::RETRY_AFTER, refused.retry_after.to_string());
    if let Err(e) = endpoint.send_outgoing_response(&mut response).await {
        tracing::debug!(error = %e, "503 not sent");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([192, 0, 2, last])
    }

    #[test]
    fn a_source_may_send_its_burst_at_once_and_then_is_refused_with_a_retry_after() {
        let mut limit = FloodLimit::new(10, 20);
        for _ in 0..20 {
            assert_eq!(limit.admit(ip(1), 0), Ok(()));
        }
        assert_eq!(limit.admit(ip(1), 0), Err(Refused { retry_after: 1 }));
        // Another source is not affected.
        assert_eq!(limit.admit(ip(2), 0), Ok(()));
    }

    #[test]
    fn the_bucket_refills_at_the_rate() {
        let mut limit = FloodLimit::new(10, 5);
        for _ in 0..5 {
            assert!(limit.admit(ip(1), 0).is_ok());
        }
        assert!(limit.admit(ip(1), 50).is_err());
        assert!(
            limit.admit(ip(1), 100).is_ok(),
            "one token after 100 ms at 10/s"
        );
        assert!(limit.admit(ip(1), 100).is_err());
    }

    #[test]
    fn retry_after_covers_half_the_burst() {
        let mut limit = FloodLimit::new(2, 100);
        for _ in 0..100 {
            assert!(limit.admit(ip(1), 0).is_ok());
        }
        assert_eq!(limit.admit(ip(1), 0), Err(Refused { retry_after: 25 }));
    }

    #[test]
    fn a_rate_of_zero_is_no_limit() {
        let mut limit = FloodLimit::new(0, 1);
        for _ in 0..10_000 {
            assert!(limit.admit(ip(1), 0).is_ok());
        }
        assert_eq!(limit.tracked(), 0);
    }

    #[test]
    fn the_table_of_sources_stays_bounded_and_idle_sources_are_forgotten() {
        let mut limit = FloodLimit::new(1000, 2);
        for n in 0..MAX_SOURCES as u32 {
            let source = IpAddr::from(n.to_be_bytes());
            assert!(limit.admit(source, 0).is_ok());
        }
        // Beyond the table, new sources share one bucket.
        assert!(limit.admit(ip(7), 0).is_ok());
        assert!(limit.admit(ip(8), 0).is_ok());
        assert!(limit.admit(ip(9), 0).is_err(), "the shared bucket is empty");
        assert_eq!(limit.tracked(), MAX_SOURCES);
        // A second later every bucket has refilled: a new source makes room.
        assert!(limit.admit(ip(10), 1000).is_ok());
        assert_eq!(limit.tracked(), 1);
    }
}
