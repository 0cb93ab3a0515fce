//! The engine's SIP side: a park and pickup application server behind a PBX.
//!
//! It serves the same switch boundary as the simulated switch: SIP dialogs become the
//! engine's call events, and the engine's intents are carried out on real calls. Built on
//! `ezk-sip-core` (transports, RFC 3261 transactions) and `ezk-sip-ua` (dialogs, INVITE
//! sessions with session timers); media stays in [`crate::media`].
//!
//! - [`dialplan`]: what a dialled number is (park extension, directed park, code, group,
//!   user, nothing);
//! - [`identity`] and [`digest`]: trusted peers and their asserted identity, digest for
//!   everyone else;
//! - [`registrar`]: phones registered by users;
//! - [`flood`]: the per-source flood limit every request meets first (`503`, `Retry-After`);
//! - [`sanity`]: the checks a request passes before anything else looks at it (`400`, `420`);
//! - [`retransmissions`]: INVITE copies the transactions missed, dropped for 32 s;
//! - [`blf`]: busy lamps (SUBSCRIBE/NOTIFY, `dialog` event package) for codes and groups;
//! - `front`: requests outside a dialog (INVITE, REGISTER, OPTIONS, the rest);
//! - [`uac`]: the outgoing INVITE, shared by outgoing legs and the announcer's paging calls;
//! - `legs`: a task per leg (incoming call, outgoing fork) and its session;
//! - `core`: the sans-IO core that owns the calls and talks to the engine, and the task
//!   around it.

pub mod blf;
pub mod dialplan;
pub mod digest;
pub mod flood;
pub mod identity;
pub mod msg;
pub mod registrar;
pub mod retransmissions;
pub mod sanity;
pub mod uac;

mod core;
pub mod durable;
mod front;
mod legs;
mod shared;

pub use self::core::{fail_cause, refusal_status};

use self::blf::Blf;
use self::blf::board::LampBoard;
use self::core::{CoreMsg, CoreShell};
use self::dialplan::DialPlan;
use self::digest::DigestRealm;
use self::front::Front;
use self::legs::LegContext;
use self::shared::Shared;
use crate::config::SipSettings;
use crate::engine::EngineSetup;
use crate::engine::switch::{CallId, Intent, SwitchEvent};
use crate::media::{Media, MediaConfig, MediaError};
use crate::runtime::DriverClock;
use crate::sound::SoundPack;
use crate::store::{DurableRow, Store};
use bytesstr::BytesStr;
use durable::restore::LegsRestored;
use sip_core::Endpoint;
use sip_types::header::typed::Contact;
use sip_types::uri::{NameAddr, SipUri};
use sip_ua::dialog::DialogLayer;
use sip_ua::invite::InviteLayer;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use thiserror::Error;
use tokio::sync::mpsc;

/// Why the SIP side could not start.
#[derive(Debug, Error)]
pub enum SipError {
    /// The SIP address could not be bound.
    #[error("cannot listen for SIP on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// The media side could not start.
    #[error("media: {0}")]
    Media(#[from] MediaError),
    /// The advertised address is not usable in a SIP URI.
    #[error("sip.advertise '{0}' is not a usable host[:port]")]
    Advertise(String),
    /// No randomness for the digest key.
    #[error("{0}")]
    Entropy(#[from] crate::runtime::EntropyError),
}

/// A running SIP side.
pub struct SipService {
    /// The bound SIP address (UDP and TCP).
    pub addr: SocketAddr,
    core: mpsc::UnboundedSender<CoreMsg>,
    shared: Arc<Shared>,
    media: Media,
    blf: Arc<Blf>,
    legs: LegContext,
    _endpoint: Endpoint,
}

impl std::fmt::Debug for SipService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SipService")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl SipService {
    /// Writes parked callers' dialogs and streams to `store` from now on, and says whether
    /// the process before left any to take on (until [`SipService::restore`] ran, in-dialog
    /// requests for unknown dialogs wait for it rather than get `481`).
    pub fn attach_store(&self, store: Store, legs_waiting: bool) {
        self.shared.durable.attach(store);
        self.shared.durable.set_restoring(legs_waiting);
    }

    /// Takes on the legs the process before left (`rows`, from the store): each parked
    /// caller's dialog and stream go on; see [`durable::restore`].
    pub async fn restore(&self, rows: &[DurableRow]) -> LegsRestored {
        let now_ms = self.shared.clock.utc_now().unix_millis();
        durable::restore::restore(&self.legs, rows, now_ms).await
    }

    /// A planned restart: writes every durable leg's stream exactly as it stands (numbering,
    /// place in the music) and marks it clean, so the next process resumes it without a
    /// probe; waits until the store has it. Nothing is sent to any phone.
    pub async fn write_down(&self) -> bool {
        let states = self.media.states().await;
        let now_ms = self.shared.clock.utc_now().unix_millis();
        let durable = &self.shared.durable;
        for mut record in durable.records() {
            let Some((_, state)) = states.iter().find(|(_, s)| s.port == record.media.port) else {
                continue;
            };
            record.media.rtp = state.rtp;
            record.media.music_position = state.music;
            record.media.at_ms = now_ms;
            record.media.clean = true;
            durable.save(&record, now_ms);
        }
        durable.flush().await
    }

    /// Hangs up every leg of `call` (a restored leg whose call the engine could not carry
    /// on).
    pub fn hang_up(&self, call: CallId) {
        let _ = self.core.send(CoreMsg::HangUp(call));
    }

    /// Carries out an engine intent on real calls.
    pub fn intent(&self, intent: Intent) {
        let _ = self.core.send(CoreMsg::Intent(intent));
    }

    /// The directory changed: numbers, users, groups and credentials are read anew.
    pub fn update_directory(&self, setup: &EngineSetup) {
        self.shared.set_plan(DialPlan::new(
            setup,
            &self.shared.settings.emergency_numbers,
        ));
    }

    /// The trusted peers now.
    pub fn trusted(&self) -> Vec<crate::config::Cidr> {
        self.shared.trusted().as_ref().clone()
    }

    /// Replaces the trusted peers (a reloaded configuration); requests already being
    /// handled keep the peers they were checked against.
    pub fn set_trusted(&self, trusted: Vec<crate::config::Cidr>) {
        self.shared.set_trusted(trusted);
    }

    /// Reads suspended operators' numbers from the inventory's view (their calls get `480`).
    pub fn attach_number_routes(
        &self,
        routes: tokio::sync::watch::Receiver<Arc<crate::numbers::NumberRoutes>>,
    ) {
        self.shared.set_routes(routes);
    }

    /// Media streams open now.
    pub fn active_streams(&self) -> usize {
        self.media.active_streams()
    }

    /// Shows the engine's parked calls and pickup groups on the busy lamps; subscribers
    /// whose lamp changed get a NOTIFY. The board is read by `read` only while a phone
    /// subscribes to a lamp; otherwise it is marked stale, and the first subscriber to come
    /// asks for it through [`SipService::lamps_wanted`].
    pub fn show_lamps(&self, read: impl FnOnce() -> LampBoard) {
        self.blf.show(read);
    }

    /// Resolves when a new busy-lamp subscriber found the board stale: the engine's owner
    /// answers with [`SipService::show_lamps`] at once (the subscriber's first NOTIFY waits
    /// for it, up to a second).
    pub async fn lamps_wanted(&self) {
        self.blf.wanted().await;
    }

    /// Busy-lamp subscriptions held now.
    pub fn subscriptions(&self) -> usize {
        self.blf.subscriptions()
    }

    /// Ends every busy-lamp subscription (the engine stops): each subscriber gets a
    /// `terminated` NOTIFY; new SUBSCRIBEs get `503`.
    pub async fn end_subscriptions(&self) {
        self.blf.end_all().await;
    }

    /// A drain began: new parks and calls to users get `503` with `Retry-After`; retrieves
    /// by code and pickups still come in.
    pub fn refuse_parks(&self) {
        self.shared.narrow_admission(shared::Admission::Draining);
    }

    /// The engine has stopped taking calls (its drain is over): every new call gets `503`
    /// with `Retry-After`, as nobody would answer it now.
    pub fn refuse_calls(&self) {
        self.shared.narrow_admission(shared::Admission::Closed);
    }

    /// A planned restart: every new call gets `503` with `Retry-After`, the engine's intents
    /// and the core's timers are no longer carried out, and every answered leg is left as
    /// it is: no BYE, no prompt, its media still flowing until the process exits (dropping
    /// a leg task sends nothing: ezk's `InviteSession` and `Dialog` have no BYE on drop).
    /// Outgoing forks still ringing are cancelled (the restored engine rings again) and
    /// unanswered incoming calls turned away with `503`; once those leg tasks have ended
    /// (or after `limit`), every durable leg is written down as it stands
    /// ([`SipService::write_down`]) for the next process.
    pub async fn suspend(&self, limit: Duration) {
        self.stop_calls(limit).await;
        if !self.write_down().await {
            tracing::error!("the durable legs could not be written down for the restart");
        }
    }

    /// [`SipService::suspend`] up to the write-down.
    async fn stop_calls(&self, limit: Duration) {
        self.shared.narrow_admission(shared::Admission::Closed);
        let (reply, kept) = tokio::sync::oneshot::channel();
        if self.core.send(CoreMsg::Suspend(reply)).is_err() {
            return;
        }
        let Ok(Ok(kept)) = tokio::time::timeout(limit, kept).await else {
            return;
        };
        let live = &self.shared.live_legs;
        let _ = tokio::time::timeout(limit, async {
            while live.load(Ordering::Relaxed) > kept {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await;
    }

    /// Waits until no leg task is left (every leg hung up: BYE sent and answered, or
    /// given up on), up to `limit`; returns whether none is left.
    pub async fn wait_no_legs(&self, limit: Duration) -> bool {
        let live = &self.shared.live_legs;
        tokio::time::timeout(limit, async {
            while live.load(Ordering::Relaxed) > 0 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await
        .is_ok()
    }

    /// Leg tasks (dialogs) alive and calls held now: both return to zero when the traffic
    /// stops, which the soak run checks.
    pub fn live(&self) -> (usize, usize) {
        (
            self.shared.live_legs.load(Ordering::Relaxed),
            self.shared.live_calls.load(Ordering::Relaxed),
        )
    }

    /// The number the next incoming call's id (`s-N`) will carry.
    pub fn next_call_number(&self) -> u64 {
        self.shared.next_call.load(Ordering::Relaxed)
    }

    /// Phones registered now.
    pub fn registrations(&self) -> usize {
        self.shared.registrar().len()
    }
}

/// Starts the SIP side: media, the endpoint on UDP and TCP, the core. Call events go to
/// `events`; incoming calls are numbered from `s-{first_call}` (unique across runs).
pub async fn start(
    settings: SipSettings,
    setup: &EngineSetup,
    clock: DriverClock,
    events: mpsc::UnboundedSender<SwitchEvent>,
    first_call: u64,
) -> Result<SipService, SipError> {
    match crate::media::raise_open_file_limit() {
        Ok(limit) => tracing::info!(limit, "open-file limit"),
        Err(e) => tracing::warn!(error = %e, "open-file limit not raised"),
    }
    let listen_ip = settings.listen.ip();
    let advertised_ip = settings
        .advertise
        .as_deref()
        .map(|a| a.rsplit_once(':').map_or(a, |(host, _)| host))
        .and_then(|host| host.trim_matches(['[', ']']).parse::<IpAddr>().ok())
        .unwrap_or(listen_ip);
    let media_config = MediaConfig {
        bind: listen_ip,
        advertise: advertised_ip,
        ports: settings.rtp_port_min..=settings.rtp_port_max,
        music: settings.music_on_hold.clone(),
        silence_timeout: Duration::from_secs(settings.media_timeout),
    };
    let (media, mut media_events) = Media::start(media_config).await?;

    let mut builder = Endpoint::builder();
    builder.user_agent(BytesStr::from(format!(
        "parkdesk/{}",
        env!("CARGO_PKG_VERSION")
    )));
    let bind_error = |source| SipError::Bind {
        addr: settings.listen,
        source,
    };
    let udp = builder
        .bind_udp(settings.listen)
        .await
        .map_err(bind_error)?;
    let addr = udp.bound();
    builder
        .listen_tcp(addr)
        .await
        .map_err(|source| SipError::Bind { addr, source })?;
    let advertised = match &settings.advertise {
        Some(host) => host.clone(),
        None => addr.to_string(),
    };
    let contact_uri: SipUri = format!("sip:parkdesk@{advertised}")
        .parse()
        .map_err(|_| SipError::Advertise(advertised.clone()))?;
    let contact = Contact::new(NameAddr::uri(contact_uri));
    crate::runtime::entropy::init()?;
    let key: [u8; 32] = crate::runtime::entropy::bytes();
    let plan = DialPlan::new(setup, &settings.emergency_numbers);
    let realm = DigestRealm::new(&settings.realm, key);
    let sounds = SoundPack::builtin("default", "en")
        .map_err(|e| tracing::warn!(error = %e, "no prompts: the sound pack did not load"))
        .ok();
    let shared = Arc::new(Shared::new(
        settings.clone(),
        plan,
        realm,
        clock,
        sounds,
        advertised,
    ));
    shared.next_call.store(first_call.max(1), Ordering::Relaxed);
    let (core_tx, core_rx) = mpsc::unbounded_channel();
    let blf = Arc::new(Blf::new(shared.clone(), contact.clone()));
    // The flood limit looks at every request first, before any work is spent on it.
    builder.add_layer(flood::FloodGate::new(shared.clone()));
    builder.add_layer(DialogLayer::default());
    builder.add_layer(InviteLayer::default());
    builder.add_layer(Front::new(
        shared.clone(),
        media.clone(),
        core_tx.clone(),
        contact.clone(),
        blf.clone(),
    ));
    let endpoint = builder.build();
    let ctx = LegContext {
        endpoint: endpoint.clone(),
        media: media.clone(),
        contact,
        core: core_tx.clone(),
        shared: shared.clone(),
    };
    tokio::spawn(CoreShell::new(ctx.clone(), events).run(core_rx));
    let forward = core_tx.clone();
    tokio::spawn(async move {
        while let Some(event) = media_events.recv().await {
            if forward.send(CoreMsg::Media(event)).is_err() {
                break;
            }
        }
    });
    tracing::info!(%addr, "SIP listening on UDP and TCP");
    Ok(SipService {
        addr,
        core: core_tx,
        shared,
        media,
        blf,
        legs: ctx,
        _endpoint: endpoint,
    })
}
