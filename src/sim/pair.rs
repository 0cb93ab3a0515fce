//! An engine and a simulated switch wired together on one virtual clock, optionally with
//! demo traffic: the whole conversation in memory, as quinn-proto's `Pair` does for QUIC.
//!
//! It is a thin holder around the [`Switchboard`], the loop the server's engine task runs
//! too: after every input, drain the switch's events into the engine, the engine's intents
//! into the switch and its events out, until all is quiet; then re-arm from the earliest
//! `poll_timeout()`. Tests use it to run whole call scenarios in milliseconds.

use super::demo::DemoTraffic;
use super::error::SimError;
use super::switch::SimSwitch;
use super::switchboard::{Output, Switchboard, Wiring};
use crate::engine::switch::{CallId, Party, SwitchEvent};
use crate::engine::{
    Actor, Command, CommandOk, DurableChange, Engine, EngineError, EngineEvent, Instant,
};
use std::time::Duration;

/// An [`Engine`] on a [`SimSwitch`], with optional [`DemoTraffic`], on a virtual clock.
#[derive(Debug)]
pub struct Pair {
    /// The engine.
    pub engine: Engine,
    /// The simulated switch its calls run on.
    pub switch: SimSwitch,
    /// Demo traffic, if any.
    pub demo: Option<DemoTraffic>,
    board: Switchboard,
    events: Vec<(Instant, EngineEvent)>,
    switch_events: Vec<(Instant, SwitchEvent)>,
    durable: Vec<(Instant, DurableChange)>,
}

impl Pair {
    /// Wires `engine` to `switch`, the clock at `now`.
    pub fn new(engine: Engine, switch: SimSwitch, now: Instant) -> Pair {
        Pair {
            engine,
            switch,
            demo: None,
            board: Switchboard::new(now).recording_switch_events(),
            events: Vec::new(),
            switch_events: Vec::new(),
            durable: Vec::new(),
        }
    }

    /// Adds demo traffic; it starts at the next [`Pair::advance_to`].
    pub fn with_demo(mut self, demo: DemoTraffic) -> Pair {
        self.demo = Some(demo);
        self
    }

    /// The virtual clock.
    pub fn now(&self) -> Instant {
        self.board.now()
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

    /// The changes to durable call records so far, in order, each with its instant, and
    /// forgets them.
    pub fn take_durable(&mut self) -> Vec<(Instant, DurableChange)> {
        std::mem::take(&mut self.durable)
    }

    /// A client's command at the current instant, then everything it set off.
    pub fn command(&mut self, actor: &Actor, command: Command) -> Result<CommandOk, EngineError> {
        let result = self.engine.handle_command(self.now(), actor, command);
        self.pump();
        result
    }

    /// An outside call offered to line `to` at the current instant (what `sim.offer` does),
    /// then everything it set off.
    pub fn offer(&mut self, from: Party, to: &str) -> Result<CallId, SimError> {
        let call = self.switch.offer(self.now(), from, to)?;
        self.pump();
        Ok(call)
    }

    /// Does something on the switch at the current instant (a hang-up, a dial, a digit),
    /// then everything it set off.
    pub fn on_switch<T>(&mut self, act: impl FnOnce(&mut SimSwitch, Instant) -> T) -> T {
        let now = self.now();
        let result = act(&mut self.switch, now);
        self.pump();
        result
    }

    /// Moves the clock forward by `by`, firing every timer on the way.
    pub fn advance(&mut self, by: Duration) {
        self.advance_to(self.now() + by);
    }

    /// Moves the clock to `until`, firing every timer of the engine, the switch and the
    /// demo due on the way, each at its own instant.
    pub fn advance_to(&mut self, until: Instant) {
        let mut wiring = Wiring {
            engine: &mut self.engine,
            switch: Some(&mut self.switch),
            demo: self.demo.as_mut(),
        };
        self.board.advance_to(&mut wiring, until);
        self.collect();
    }

    /// Passes everything queued on either side to the other until both are quiet.
    pub fn pump(&mut self) {
        let mut wiring = Wiring {
            engine: &mut self.engine,
            switch: Some(&mut self.switch),
            demo: self.demo.as_mut(),
        };
        let now = self.board.now();
        self.board.pump(&mut wiring, now);
        self.collect();
    }

    /// Keeps what the switchboard handed out for the test to take.
    fn collect(&mut self) {
        while let Some(output) = self.board.poll_output() {
            match output {
                Output::Event(at, event) => self.events.push((at, event)),
                Output::SwitchEvent(at, event) => self.switch_events.push((at, event)),
                Output::Durable(at, change) => self.durable.push((at, change)),
                // Every call of a pair runs on its simulated switch.
                Output::Intent(at, intent) => {
                    tracing::debug!(at = at.as_millis(), ?intent, "intent for no switch")
                }
            }
        }
    }
}
