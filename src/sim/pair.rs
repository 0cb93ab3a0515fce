//! An engine and a simulated switch wired together on one virtual clock, optionally with
//! demo traffic: the whole conversation in memory, as quinn-proto's `Pair` does for QUIC.
//!
//! It follows the driver's rule of STYLE.md: after every input, drain the switch's events
//! into the engine, the engine's intents into the switch and its events out, until all is
//! quiet; then re-arm from the earliest `poll_timeout()`. Tests use it to run whole call
//! scenarios in milliseconds; the server's engine task does the same with real timers.

use super::demo::DemoTraffic;
use super::error::SimError;
use super::switch::SimSwitch;
use crate::engine::switch::{CallId, Party, SwitchEvent};
use crate::engine::{Actor, Command, CommandOk, Engine, EngineError, EngineEvent, Instant};
use std::time::Duration;

/// More exchanges than this in one pump (or rounds of timers at one instant) means the
/// engine and the switch feed each other forever; the pair stops and logs rather than hang.
const MAX_EXCHANGES: usize = 100_000;

/// An [`Engine`] on a [`SimSwitch`], with optional [`DemoTraffic`], on a virtual clock.
#[derive(Debug)]
pub struct Pair {
    /// The engine.
    pub engine: Engine,
    /// The simulated switch its calls run on.
    pub switch: SimSwitch,
    /// Demo traffic, if any.
    pub demo: Option<DemoTraffic>,
    now: Instant,
    events: Vec<(Instant, EngineEvent)>,
    switch_events: Vec<(Instant, SwitchEvent)>,
}

impl Pair {
    /// Wires `engine` to `switch`, the clock at `now`.
    pub fn new(engine: Engine, switch: SimSwitch, now: Instant) -> Pair {
        Pair {
            engine,
            switch,
            demo: None,
            now,
            events: Vec::new(),
            switch_events: Vec::new(),
        }
    }

    /// Adds demo traffic; it starts at the next [`Pair::advance_to`].
    pub fn with_demo(mut self, demo: DemoTraffic) -> Pair {
        self.demo = Some(demo);
        self
    }

    /// The virtual clock.
    pub fn now(&self) -> Instant {
        self.now
    }

    /// The engine events so far, each with the instant it came out, and forgets them.
    pub fn take_events(&mut self) -> Vec<(Instant, EngineEvent)> {
        std::mem::take(&mut self.events)
    }

    /// The call events the switch sent the engine so far, each with its instant, and
    /// forgets them.
    pub fn take_switch_events(&mut self) -> Vec<(Instant, SwitchEvent)> {
        std::mem::take(&mut self.switch_events)
    }

    /// A client's command at the current instant, then everything it set off.
    pub fn command(&mut self, actor: &Actor, command: Command) -> Result<CommandOk, EngineError> {
        let result = self.engine.handle_command(self.now, actor, command);
        self.pump();
        result
    }

    /// An outside call offered to line `to` at the current instant (what `sim.offer` does),
    /// then everything it set off.
    pub fn offer(&mut self, from: Party, to: &str) -> Result<CallId, SimError> {
        let call = self.switch.offer(self.now, from, to)?;
        self.pump();
        Ok(call)
    }

    /// Does something on the switch at the current instant (a hang-up, a dial, a digit),
    /// then everything it set off.
    pub fn on_switch<T>(&mut self, act: impl FnOnce(&mut SimSwitch, Instant) -> T) -> T {
        let result = act(&mut self.switch, self.now);
        self.pump();
        result
    }

    /// Moves the clock forward by `by`, firing every timer on the way.
    pub fn advance(&mut self, by: Duration) {
        self.advance_to(self.now + by);
    }

    /// Moves the clock to `until`, firing every timer of the engine, the switch and the
    /// demo due on the way, each at its own instant.
    pub fn advance_to(&mut self, until: Instant) {
        self.pump();
        let mut rounds_at_this_instant = 0;
        loop {
            let next = [
                self.engine.poll_timeout(),
                self.switch.poll_timeout(),
                self.demo.as_ref().and_then(DemoTraffic::poll_timeout),
            ]
            .into_iter()
            .flatten()
            .min()
            .filter(|next| *next <= until);
            let Some(next) = next else {
                break;
            };
            if next <= self.now {
                rounds_at_this_instant += 1;
                if rounds_at_this_instant > MAX_EXCHANGES {
                    tracing::warn!(now = self.now.as_millis(), "a timer stays due after firing");
                    break;
                }
            } else {
                rounds_at_this_instant = 0;
            }
            self.now = self.now.max(next);
            let now = self.now;
            if self.engine.poll_timeout().is_some_and(|t| t <= now) {
                self.engine.handle_timeout(now);
                self.pump();
            }
            if self.switch.poll_timeout().is_some_and(|t| t <= now) {
                self.switch.handle_timeout(now);
                self.pump();
            }
            if let Some(demo) = self.demo.as_mut()
                && demo.poll_timeout().is_some_and(|t| t <= now)
            {
                demo.handle_timeout(now, &mut self.switch);
                self.pump();
            }
        }
        self.now = self.now.max(until);
    }

    /// Passes everything queued on either side to the other until both are quiet.
    pub fn pump(&mut self) {
        let now = self.now;
        for _ in 0..MAX_EXCHANGES {
            let mut quiet = true;
            while let Some(event) = self.switch.poll_event() {
                self.switch_events.push((now, event.clone()));
                self.engine.handle_switch(now, event);
                quiet = false;
            }
            while let Some(intent) = self.engine.poll_intent() {
                self.switch.handle_intent(now, intent);
                quiet = false;
            }
            while let Some(event) = self.engine.poll_event() {
                if let Some(demo) = self.demo.as_mut() {
                    demo.observe(now, &event);
                }
                self.events.push((now, event));
                quiet = false;
            }
            if quiet {
                return;
            }
        }
        tracing::warn!("engine and simulated switch still busy after {MAX_EXCHANGES} exchanges");
    }
}
