//! The engine's owner: one task that holds the engine, the simulated switch and the demo,
//! turns requests into commands, drains events and intents after every input, numbers and
//! fans out the events, and re-arms its timer from `poll_timeout` (str0m's rule).
//!
//! - [`handle`]: the mailbox ([`Msg`]) and the [`EngineHandle`] sessions and the server
//!   send through;
//! - `dispatch`: typed ops to the engine, the numbers desk, the tokens and the sim, with
//!   the idempotency cache and the audit log around them;
//! - `snapshot`: a new subscriber's replay (from the hub or the store's log) or snapshot;
//! - `reload`: a reloaded configuration applied all or nothing;
//! - [`durable`]: the engine's durable call records written to the store before anything
//!   they cover is acknowledged, and put back at start ([`EngineTask::restore_calls`]);
//! - `durable_log`: where a run picks up its store's history, the log of every event, the
//!   heartbeat.

mod dispatch;
pub mod durable;
pub mod durable_log;
pub mod handle;
mod reload;
mod snapshot;

pub use durable::RestoreReport;
pub use durable_log::Resume;
pub use handle::{EngineHandle, Msg, OpRequest, OpResult, Stopped, Subscription};

use super::auth::TokenRegistry;
use super::hub::{self, Hub, Published};
use super::idempotency::IdempotencyCache;
use super::numbers_ops::NumbersDesk;
use crate::engine::{Detail, Engine, EngineEvent, EventName, Instant, Subject};
use crate::protocol::{self, Timestamp};
use crate::runtime::DriverClock;
use crate::sim::{DemoDirectory, DemoTraffic, Output, SimSwitch, Switchboard, Wiring};
use crate::sip::blf::board::{LampBoard, changes_lamps};
use crate::store::{ParkEnded, ParkRecord, Store};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use tokio::sync::{mpsc, oneshot};

/// Pets systemd's watchdog on each tick; pending forever without one.
async fn pet(watchdog: &mut Option<(crate::runtime::Notifier, tokio::time::Interval)>) {
    match watchdog {
        Some((notifier, tick)) => {
            tick.tick().await;
            notifier.watchdog();
        }
        None => std::future::pending().await,
    }
}

/// How the engine task is set up.
#[derive(Debug, Clone)]
pub struct TaskSettings {
    /// Engine name and version for `hello`.
    pub name: String,
    /// Events kept for replay.
    pub event_buffer: usize,
    /// Events in a snapshot's `recent`.
    pub recent: usize,
    /// Queue per subscriber before it is closed with `resync`.
    pub subscriber_queue: usize,
    /// `sim.*` ops allowed.
    pub sim_enabled: bool,
    /// Demo traffic with this seed.
    pub demo_seed: Option<u64>,
    /// Seed for the engine's `random` allocation.
    pub seed: u64,
}

/// The engine task's state.
pub struct EngineTask {
    engine: Engine,
    sim: Option<SimSwitch>,
    sip: Option<Arc<crate::sip::SipService>>,
    demo: Option<DemoTraffic>,
    /// The loop between the engine, the simulated switch, the demo and the SIP side.
    board: Switchboard,
    clock: DriverClock,
    epoch: String,
    seq: u64,
    hub: Hub,
    tokens: TokenRegistry,
    idempotency: IdempotencyCache,
    store: Option<Store>,
    settings: TaskSettings,
    stations: HashMap<String, usize>,
    connections: Arc<AtomicUsize>,
    drain: Option<(Instant, oneshot::Sender<()>)>,
    /// A planned restart asked the task to stop; answered once the store is flushed.
    suspended: Option<oneshot::Sender<()>>,
    /// Where `engine.restart` and `engine.drain` go: the process's owner carries them out.
    stop_requests: Option<mpsc::UnboundedSender<super::StopRequest>>,
    /// An `engine.*` op was accepted already.
    stop_requested: bool,
    numbers: NumbersDesk,
    /// An input changed what a busy lamp may show since the lamps were last shown.
    lamps_changed: bool,
    /// The id number the next run may start from, as last written to the store.
    id_ceiling: u64,
    /// systemd's watchdog, petted from this loop (so a stuck loop stops petting it).
    watchdog: Option<(crate::runtime::Notifier, std::time::Duration)>,
    /// Events waiting for the store to write the durable records before them.
    held: durable::Held,
    /// Where the store's answers to those flushes arrive (taken by `run`).
    flushed: Option<mpsc::UnboundedReceiver<u64>>,
    /// The seq of the last event handed to the hub (below `seq` while events are held).
    published_seq: u64,
}

impl std::fmt::Debug for EngineTask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineTask")
            .field("epoch", &self.epoch)
            .field("seq", &self.seq)
            .finish()
    }
}

impl EngineTask {
    /// A task around a built engine.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        engine: Engine,
        clock: DriverClock,
        epoch: String,
        tokens: TokenRegistry,
        store: Option<Store>,
        settings: TaskSettings,
        connections: Arc<AtomicUsize>,
    ) -> EngineTask {
        let sim_on = settings.sim_enabled || settings.demo_seed.is_some();
        let sim = sim_on.then(|| SimSwitch::for_setup(engine.setup()));
        let demo = settings
            .demo_seed
            .map(|seed| DemoTraffic::new(seed, DemoDirectory::from_setup(engine.setup())));
        let board = Switchboard::new(clock.now());
        let (flushed_tx, flushed) = mpsc::unbounded_channel();
        EngineTask {
            engine,
            sim,
            sip: None,
            demo,
            board,
            clock,
            epoch,
            seq: 0,
            hub: Hub::new(settings.event_buffer, settings.subscriber_queue),
            tokens,
            idempotency: IdempotencyCache::default(),
            store,
            settings,
            stations: HashMap::new(),
            connections,
            drain: None,
            suspended: None,
            stop_requests: None,
            stop_requested: false,
            numbers: NumbersDesk::default(),
            lamps_changed: false,
            id_ceiling: 0,
            watchdog: crate::runtime::notify::watchdog_period()
                .map(|period| (crate::runtime::Notifier::from_env(), period)),
            held: durable::Held::new(flushed_tx),
            flushed: Some(flushed),
            published_seq: 0,
        }
    }

    /// Serves real calls through `sip` as well (calls it created are `s-…`).
    pub fn with_sip(mut self, sip: Option<Arc<crate::sip::SipService>>) -> EngineTask {
        if sip.is_some() {
            // The SIP side's calls are `s-…`; the switchboard hands their intents out.
            self.board = Switchboard::new(self.board.now()).with_outside_calls("s-");
        }
        self.sip = sip;
        self
    }

    /// `engine.restart` and `engine.drain` are passed to `requests` (without it they are
    /// refused: nobody would carry them out).
    pub fn with_stop_requests(
        mut self,
        requests: mpsc::UnboundedSender<super::StopRequest>,
    ) -> EngineTask {
        self.stop_requests = Some(requests);
        self
    }

    /// The parts the switchboard connects, lent for one input.
    fn wiring(&mut self) -> (&mut Switchboard, Wiring<'_>) {
        let wiring = Wiring {
            engine: &mut self.engine,
            switch: self.sim.as_mut(),
            demo: self.demo.as_mut(),
        };
        (&mut self.board, wiring)
    }

    /// What the switchboard handed out: events published (returns the last seq), intents
    /// for SIP calls (or for no switch at all) forwarded to the SIP side.
    ///
    /// Durable records first: a pump's record changes are queued to the store before its
    /// intents go out, and its events are held until the store has written them (see
    /// [`durable`]).
    fn forward_outputs(&mut self) -> Option<u64> {
        let outputs: Vec<Output> = std::iter::from_fn(|| self.board.poll_output()).collect();
        let changes = outputs
            .iter()
            .filter_map(|output| match output {
                Output::Durable(at, change) => Some((*at, change.clone())),
                _ => None,
            })
            .collect();
        self.write_durable(changes);
        let mut last = None;
        for output in outputs {
            match output {
                Output::Event(at, event) => last = Some(self.publish(at, &event)),
                Output::Intent(_, intent) => match &self.sip {
                    Some(sip) => sip.intent(intent),
                    None => tracing::debug!(?intent, "no switch for intent"),
                },
                Output::SwitchEvent(..) | Output::Durable(..) => {}
            }
        }
        last
    }

    /// Hands an event to the hub, or holds it behind events waiting for the store.
    fn hand_out(&mut self, event: Published) {
        if self.held.is_holding() {
            self.held.hold(event);
        } else {
            self.published_seq = event.seq;
            self.hub.publish(event);
        }
    }

    /// Hands the events a store flush released to the hub, in order.
    fn release_held(&mut self, events: Vec<Published>) {
        for event in events {
            self.published_seq = event.seq;
            self.hub.publish(event);
        }
    }

    /// The numbers desk: the inventory and its read view for SIP
    /// ([`NumbersDesk::routes`], [`NumbersDesk::is_suspended_number`],
    /// [`NumbersDesk::user_of_number`]).
    pub fn numbers(&self) -> &NumbersDesk {
        &self.numbers
    }

    /// Runs until every sender is gone, a drain completes or a restart suspends it.
    pub async fn run(mut self, mut rx: mpsc::Receiver<Msg>) {
        self.seed_from_log().await;
        if let Some(store) = &self.store {
            match store.load_numbers().await {
                Ok(stored) => self.numbers.load(stored.into_inventory()),
                Err(e) => tracing::error!(error = %e, "reading the numbers inventory failed"),
            }
        }
        let now = self.clock.now();
        self.pump(now);
        self.show_lamps();
        let sip = self.sip.clone();
        let mut heartbeat = tokio::time::interval(durable_log::HEARTBEAT);
        heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let beating = self.store.is_some();
        let mut watchdog = self.watchdog.clone().map(|(notifier, period)| {
            let mut tick = tokio::time::interval(period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            (notifier, tick)
        });
        let mut flushed = self.flushed.take();
        loop {
            let next = self.next_deadline();
            let sleep = async {
                match next {
                    Some(at) => tokio::time::sleep_until(self.clock.deadline(at)).await,
                    None => std::future::pending().await,
                }
            };
            let lamps_wanted = async {
                match &sip {
                    Some(sip) => sip.lamps_wanted().await,
                    None => std::future::pending().await,
                }
            };
            let store_wrote = async {
                match flushed.as_mut() {
                    Some(flushed) => flushed.recv().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                Some(batch) = store_wrote => {
                    let events = self.held.release(batch);
                    self.release_held(events);
                }
                msg = rx.recv() => match msg {
                    Some(msg) => self.handle_msg(msg),
                    None => break,
                },
                () = sleep => {
                    let now = self.clock.now();
                    self.on_timer(now);
                }
                () = lamps_wanted => self.show_lamps(),
                _ = heartbeat.tick(), if beating => self.heartbeat(),
                () = pet(&mut watchdog) => {}
            }
            if self.drain_complete() || self.suspended.is_some() {
                break;
            }
        }
        if let Some(store) = &self.store
            && let Err(e) = store.flush().await
        {
            tracing::error!(error = %e, "store writes failed");
        }
        // Everything is written now: held events go out before the subscribers are let go.
        let events = self.held.release_all();
        self.release_held(events);
        self.hub.detach_all();
        if let Some((_, reply)) = self.drain.take() {
            let _ = reply.send(());
        }
        if let Some(reply) = self.suspended.take() {
            let _ = reply.send(());
        }
    }

    /// The earliest timer of the engine, the switch, the demo and the drain.
    fn next_deadline(&mut self) -> Option<Instant> {
        let drain = self.drain.as_ref().map(|(deadline, _)| *deadline);
        let (_, wiring) = self.wiring();
        [wiring.poll_timeout(), drain].into_iter().flatten().min()
    }

    /// Fires what is due by `now`, one timer at a time with a pump after each (the
    /// switchboard's rule), then the drain's deadline.
    fn on_timer(&mut self, now: Instant) {
        let (board, mut wiring) = self.wiring();
        board.advance_to(&mut wiring, now);
        if let Some((deadline, _)) = &self.drain
            && now >= *deadline
        {
            self.engine.handle_drain_deadline(now);
        }
        self.pump(now);
    }

    /// The drain is over when the engine holds no call any more (parked calls handed back
    /// and bridged ones hung up), or its deadline passed (and the deadline's releases were
    /// drained).
    fn drain_complete(&self) -> bool {
        match &self.drain {
            Some((deadline, _)) => self.engine.calls().is_empty() || self.clock.now() >= *deadline,
            None => false,
        }
    }

    /// After every input: the switchboard passes events and intents around until all is
    /// quiet; its events go to the subscribers, its SIP intents to the SIP side. Returns the
    /// seq of the last event published.
    fn pump(&mut self, now: Instant) -> Option<u64> {
        let (board, mut wiring) = self.wiring();
        board.pump(&mut wiring, now);
        let last = self.forward_outputs();
        if self.lamps_changed {
            self.show_lamps();
        }
        self.sync_stations(now);
        last
    }

    /// Busy lamps follow the engine's parked calls and ringing groups (the SIP side reads
    /// the board only while a phone watches a lamp, and sends a NOTIFY only for the lamps
    /// that changed).
    fn show_lamps(&mut self) {
        self.lamps_changed = false;
        if let Some(sip) = &self.sip {
            sip.show_lamps(|| LampBoard::read(&self.engine));
        }
    }

    fn publish(&mut self, now: Instant, event: &EngineEvent) -> u64 {
        self.lamps_changed |= changes_lamps(event.name);
        self.seq += 1;
        let at = self.clock.utc().at(now);
        self.record(event, at);
        // The frame of PROTOCOL.md, written once and shared by every subscriber.
        let text = format!(
            "{{\"event\":\"{}\",\"seq\":{},\"at\":\"{}\",\"data\":{}}}",
            event.name.as_str(),
            self.seq,
            at,
            protocol::event_data_json(event, self.clock.utc())
        );
        let published = Published {
            seq: self.seq,
            name: event.name,
            text: text.into(),
            concerns: hub::concerns(event),
        };
        self.log_event(&published, at);
        self.hand_out(published);
        self.seq
    }

    /// Park history for the store.
    fn record(&self, event: &EngineEvent, at: Timestamp) {
        let (Some(store), crate::engine::Subject::Parked(p)) = (&self.store, &event.subject) else {
            return;
        };
        match event.name {
            EventName::ParkStarted => {
                store.park_started(ParkRecord::from_parked(p, self.clock.utc()))
            }
            EventName::ParkEnded => store.park_ended(ParkEnded {
                call: p.call.clone(),
                code: p.code.clone(),
                outcome: event
                    .detail
                    .outcome
                    .unwrap_or(crate::engine::ParkOutcome::Released),
                by: event.detail.by.clone(),
                ended_at: at,
            }),
            _ => {}
        }
    }

    /// Tells the engine when a zone gains or loses its last station.
    fn sync_stations(&mut self, now: Instant) {
        let Some(current) = self.hub.stations_if_changed() else {
            return;
        };
        let zones: Vec<String> = current
            .keys()
            .chain(self.stations.keys())
            .cloned()
            .collect::<Vec<_>>();
        let mut changed = false;
        for zone in zones {
            let n = current.get(&zone).copied().unwrap_or(0);
            if self.stations.get(&zone).copied().unwrap_or(0) != n {
                self.engine.handle_stations(now, &zone, n);
                changed = true;
            }
        }
        self.stations = current;
        if changed {
            // The engine may have failed announcements for a zone that lost its station:
            // through the switchboard like every other input.
            let (board, mut wiring) = self.wiring();
            board.pump(&mut wiring, now);
            self.forward_outputs();
        }
    }

    fn handle_msg(&mut self, msg: Msg) {
        // A park is durable or not made: while the store cannot write, parks are refused.
        if let Some(store) = &self.store {
            let writable = store.writable();
            self.engine.set_store_writable(writable);
        }
        match msg {
            Msg::Hello { token, reply } => {
                let _ = reply.send(self.tokens.authenticate(&token));
            }
            Msg::Op {
                actor,
                request,
                key,
                reply,
            } => {
                let now = self.clock.now();
                let result = self.op(now, &actor, *request, key.as_deref());
                let _ = reply.send(result);
            }
            Msg::Subscribe {
                actor,
                args,
                zone,
                reply,
            } => {
                let now = self.clock.now();
                match self.subscribe(&actor, args, zone) {
                    snapshot::Subscribed::Now(answer) => {
                        let _ = reply.send(answer);
                    }
                    // Read from the store's log off the engine's task; live events queue
                    // for the subscriber meanwhile.
                    snapshot::Subscribed::FromLog(answer) => {
                        tokio::spawn(async move {
                            let _ = reply.send(answer.await);
                        });
                    }
                }
                self.sync_stations(now);
            }
            Msg::Switch(event) => {
                let now = self.clock.now();
                self.engine.handle_switch(now, event);
                self.pump(now);
            }
            Msg::Unsubscribe { id } => {
                let now = self.clock.now();
                self.hub.detach(id);
                self.sync_stations(now);
            }
            Msg::Reload { request, reply } => {
                let now = self.clock.now();
                let _ = reply.send(self.reload(now, *request));
            }
            Msg::Drain { grace, reply } => {
                let now = self.clock.now();
                self.engine.handle_drain(now);
                self.drain = Some((now + grace, reply));
                if grace.is_zero() {
                    self.engine.handle_drain_deadline(now);
                }
                self.pump(now);
            }
            Msg::Suspend { reply } => {
                // The engine is left exactly as it is: no timer fires, no intent goes out.
                let now = self.clock.now();
                let restarting = EngineEvent {
                    name: EventName::EngineRestarting,
                    subject: Subject::Engine,
                    detail: Detail::default(),
                };
                self.publish(now, &restarting);
                self.suspended = Some(reply);
            }
        }
    }
}
