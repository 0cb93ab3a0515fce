//! What the front layer, the core and the leg tasks share: settings, the dial plan (swapped
//! when the directory changes), the registrar, the digest realm, the clock, the prompts.

use super::dialplan::DialPlan;
use super::digest::DigestRealm;
use super::registrar::Registrar;
use crate::config::SipSettings;
use crate::numbers::NumberRoutes;
use crate::runtime::DriverClock;
use crate::sound::SoundPack;
use std::sync::atomic::{AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use tokio::sync::watch;

/// State shared by every part of the SIP side.
pub struct Shared {
    /// `[sip]` settings (`trusted` as at start: read [`Shared::trusted`], which a reload
    /// replaces).
    pub settings: SipSettings,
    /// The trusted peers now.
    trusted: RwLock<Arc<Vec<crate::config::Cidr>>>,
    plan: RwLock<Arc<DialPlan>>,
    registrar: Mutex<Registrar>,
    /// The digest realm.
    pub realm: DigestRealm,
    /// The server's clock.
    pub clock: DriverClock,
    /// The prompts' sound pack, if it loaded.
    pub sounds: Option<SoundPack>,
    /// Host (and port) for Contact, From and SDP.
    advertised: String,
    /// The numbers inventory's read view (suspended operators), once attached.
    routes: Mutex<Option<watch::Receiver<Arc<NumberRoutes>>>>,
    /// Leg tasks (dialogs being set up or established) alive now.
    pub live_legs: Arc<AtomicUsize>,
    /// Calls the core holds now.
    pub live_calls: AtomicUsize,
    /// Which new calls the front takes ([`Admission`] as a byte).
    admission: AtomicU8,
    /// The number the next incoming call's id (`s-N`) carries: unique across runs.
    pub next_call: AtomicU64,
    /// Durable legs written, and restored dialogs.
    pub durable: super::durable::DurableLegs,
}

/// Which new calls (out-of-dialog INVITEs) the front takes while the engine stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Every call.
    Open = 0,
    /// Draining: no new parks and no calls to users (`503` with `Retry-After`, so the PBX
    /// tries another node); retrieves by code and pickups still come in, since they take
    /// calls off this node.
    Draining = 1,
    /// Suspended for a planned restart: every new call gets `503` with `Retry-After`.
    Closed = 2,
}

/// What a `503` of a stopping engine tells the caller's side: try again in this many
/// seconds (a restart is back by then; a drained node has gone from the PBX's routes).
pub const RETRY_AFTER_SECS: u32 = 5;

impl Shared {
    /// Shared state for a SIP side reachable at `advertised`.
    pub fn new(
        settings: SipSettings,
        plan: DialPlan,
        realm: DigestRealm,
        clock: DriverClock,
        sounds: Option<SoundPack>,
        advertised: String,
    ) -> Shared {
        Shared {
            trusted: RwLock::new(Arc::new(settings.trusted.clone())),
            settings,
            plan: RwLock::new(Arc::new(plan)),
            registrar: Mutex::new(Registrar::default()),
            realm,
            clock,
            sounds,
            advertised,
            routes: Mutex::new(None),
            live_legs: Arc::new(AtomicUsize::new(0)),
            live_calls: AtomicUsize::new(0),
            admission: AtomicU8::new(Admission::Open as u8),
            next_call: AtomicU64::new(1),
            durable: super::durable::DurableLegs::default(),
        }
    }

    /// Which new calls the front takes now.
    pub fn admission(&self) -> Admission {
        match self.admission.load(Ordering::Acquire) {
            0 => Admission::Open,
            1 => Admission::Draining,
            _ => Admission::Closed,
        }
    }

    /// Narrows which new calls the front takes; never widens (a suspension is not undone
    /// by a drain that comes after it).
    pub fn narrow_admission(&self, admission: Admission) {
        self.admission.fetch_max(admission as u8, Ordering::AcqRel);
    }

    /// Attaches the numbers inventory's read view.
    pub fn set_routes(&self, routes: watch::Receiver<Arc<NumberRoutes>>) {
        match self.routes.lock() {
            Ok(mut slot) => *slot = Some(routes),
            Err(poisoned) => *poisoned.into_inner() = Some(routes),
        }
    }

    /// Whether `dialled` belongs to a suspended operator (its calls get `480`).
    pub fn is_suspended_number(&self, dialled: &str) -> bool {
        let guard = match self.routes.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        guard
            .as_ref()
            .is_some_and(|routes| routes.borrow().is_suspended(dialled))
    }

    /// The current dial plan.
    pub fn plan(&self) -> Arc<DialPlan> {
        match self.plan.read() {
            Ok(plan) => plan.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Replaces the dial plan (the directory changed).
    pub fn set_plan(&self, plan: DialPlan) {
        match self.plan.write() {
            Ok(mut slot) => *slot = Arc::new(plan),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(plan),
        }
    }

    /// The trusted peers now (PBXs: no digest, their asserted identity believed).
    pub fn trusted(&self) -> Arc<Vec<crate::config::Cidr>> {
        match self.trusted.read() {
            Ok(trusted) => trusted.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Replaces the trusted peers (a reloaded configuration).
    pub fn set_trusted(&self, trusted: Vec<crate::config::Cidr>) {
        match self.trusted.write() {
            Ok(mut slot) => *slot = Arc::new(trusted),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(trusted),
        }
    }

    /// The registrar.
    pub fn registrar(&self) -> MutexGuard<'_, Registrar> {
        match self.registrar.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Seconds on the server's monotonic clock.
    pub fn now_secs(&self) -> u64 {
        self.clock.now().0 / 1000
    }

    /// The advertised `host[:port]`.
    pub fn advertised_host(&self) -> &str {
        &self.advertised
    }

    /// Shared state for unit tests: the default settings, no sound pack, `127.0.0.1:5060`.
    #[cfg(test)]
    pub fn for_tests(plan: DialPlan) -> Shared {
        Shared::new(
            SipSettings::default(),
            plan,
            DigestRealm::new("parkdesk", [7; 32]),
            DriverClock::start(),
            None,
            "127.0.0.1:5060".to_string(),
        )
    }
}
