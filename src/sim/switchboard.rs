//! The switchboard: the one loop that passes call events, intents and engine events between
//! the engine and its switches, for the tests ([`super::Pair`]) and for the server's engine
//! task alike, so what the tests drive is what ships.
//!
//! It is sans-IO. The driver lends it the parts for each input ([`Wiring`]: the engine, the
//! simulated switch if any, the demo if any) and reads what comes out with
//! [`Switchboard::poll_output`]: engine events (already shown to the demo) to publish, and
//! the intents for calls the simulated switch does not serve (SIP calls) to forward. The rule
//! is str0m's: after every input, pump until all is quiet, then re-arm from
//! [`Switchboard::poll_timeout`]. Timers fire one at a time, each at its own instant, with a
//! pump after each (engine, then switch, then demo), so a timer's consequences are settled
//! before the next timer looks at the state.

use super::demo::DemoTraffic;
use super::switch::SimSwitch;
use crate::engine::switch::{CallId, Intent, SwitchEvent};
use crate::engine::{DurableChange, Engine, EngineEvent, Instant};
use std::collections::VecDeque;

/// More exchanges than this in one pump (or rounds of timers at one instant) means the
/// engine and the switch feed each other forever; the switchboard stops and logs rather
/// than hang.
pub const MAX_EXCHANGES: usize = 100_000;

/// What the switchboard hands the driver, in the order it happened.
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)] // short-lived in a queue; a box would allocate per event
pub enum Output {
    /// An engine event, at the instant it came out (the demo has already seen it).
    Event(Instant, EngineEvent),
    /// A call event the simulated switch gave the engine (only when
    /// [`Switchboard::recording_switch_events`]).
    SwitchEvent(Instant, SwitchEvent),
    /// An intent for a call the simulated switch does not serve: the driver forwards it (to
    /// the SIP side) or, with nowhere to send it, drops it.
    Intent(Instant, Intent),
    /// A change to a call's durable record, at the end of the pump that made it: the
    /// driver writes it before it acknowledges anything of that pump.
    Durable(Instant, DurableChange),
}

/// The parts a switchboard connects, lent for one input.
#[derive(Debug)]
pub struct Wiring<'a> {
    /// The engine.
    pub engine: &'a mut Engine,
    /// The simulated switch, if calls run on one.
    pub switch: Option<&'a mut SimSwitch>,
    /// Demo traffic, if any; it plays on the simulated switch, so it is idle without one.
    pub demo: Option<&'a mut DemoTraffic>,
}

impl Wiring<'_> {
    /// The earliest timer of the engine, the switch and the demo.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let demo = match (&self.demo, &self.switch) {
            (Some(demo), Some(_)) => demo.poll_timeout(),
            _ => None,
        };
        [
            self.engine.poll_timeout(),
            self.switch.as_ref().and_then(|s| s.poll_timeout()),
            demo,
        ]
        .into_iter()
        .flatten()
        .min()
    }
}

/// The loop between the engine and its switches, with its clock and its output queue.
#[derive(Debug)]
pub struct Switchboard {
    /// The latest instant any input came at: time never runs backwards for the engine.
    now: Instant,
    /// Calls whose id starts with this go out as [`Output::Intent`] (the SIP side's `s-`).
    outside: Option<String>,
    record_switch_events: bool,
    outputs: VecDeque<Output>,
}

impl Switchboard {
    /// A switchboard whose clock reads `now`. Every intent goes to the simulated switch
    /// (out as [`Output::Intent`] when there is none).
    pub fn new(now: Instant) -> Switchboard {
        Switchboard {
            now,
            outside: None,
            record_switch_events: false,
            outputs: VecDeque::new(),
        }
    }

    /// Intents for calls whose id starts with `prefix` go out rather than to the simulated
    /// switch (the SIP side's calls are `s-…`).
    pub fn with_outside_calls(mut self, prefix: &str) -> Switchboard {
        self.outside = Some(prefix.to_string());
        self
    }

    /// Also hands out the call events the simulated switch gave the engine
    /// ([`Output::SwitchEvent`]), for tests that check them.
    pub fn recording_switch_events(mut self) -> Switchboard {
        self.record_switch_events = true;
        self
    }

    /// The latest instant an input came at.
    pub fn now(&self) -> Instant {
        self.now
    }

    /// The next output, oldest first; `None` when all were taken.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// A call event from outside the simulated switch (the SIP side) at `now`, then
    /// everything it set off.
    pub fn handle_switch(&mut self, wiring: &mut Wiring<'_>, now: Instant, event: SwitchEvent) {
        self.now = self.now.max(now);
        wiring.engine.handle_switch(self.now, event);
        self.pump(wiring, now);
    }

    /// Passes everything queued on any side to the others until all are quiet: the switch's
    /// call events to the engine, the engine's intents to the switch (or out), the engine's
    /// events to the demo and out. Call it after every input given to a part directly.
    pub fn pump(&mut self, wiring: &mut Wiring<'_>, now: Instant) {
        self.now = self.now.max(now);
        let now = self.now;
        for _ in 0..MAX_EXCHANGES {
            let mut quiet = true;
            if let Some(switch) = wiring.switch.as_deref_mut() {
                while let Some(event) = switch.poll_event() {
                    if self.record_switch_events {
                        self.outputs
                            .push_back(Output::SwitchEvent(now, event.clone()));
                    }
                    wiring.engine.handle_switch(now, event);
                    quiet = false;
                }
            }
            while let Some(intent) = wiring.engine.poll_intent() {
                self.route(wiring, now, intent);
                quiet = false;
            }
            while let Some(event) = wiring.engine.poll_event() {
                if let Some(demo) = wiring.demo.as_deref_mut() {
                    demo.observe(now, &event);
                }
                self.outputs.push_back(Output::Event(now, event));
                quiet = false;
            }
            if quiet {
                // Once per pump: a call changed many times in it is written once.
                while let Some(change) = wiring.engine.poll_durable() {
                    self.outputs.push_back(Output::Durable(now, change));
                }
                return;
            }
        }
        tracing::warn!("engine and switch still busy after {MAX_EXCHANGES} exchanges");
    }

    /// Moves the clock to `until`, firing every timer of the engine, the switch and the demo
    /// due on the way, each at its own instant (or now, if that is later), with a pump after
    /// each.
    pub fn advance_to(&mut self, wiring: &mut Wiring<'_>, until: Instant) {
        self.pump(wiring, self.now);
        let mut rounds_at_this_instant = 0;
        while let Some(next) = wiring.poll_timeout().filter(|next| *next <= until) {
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
            if wiring.engine.poll_timeout().is_some_and(|t| t <= now) {
                wiring.engine.handle_timeout(now);
                self.pump(wiring, now);
            }
            if let Some(switch) = wiring.switch.as_deref_mut()
                && switch.poll_timeout().is_some_and(|t| t <= now)
            {
                switch.handle_timeout(now);
                self.pump(wiring, now);
            }
            if let (Some(demo), Some(switch)) =
                (wiring.demo.as_deref_mut(), wiring.switch.as_deref_mut())
                && demo.poll_timeout().is_some_and(|t| t <= now)
            {
                demo.handle_timeout(now, switch);
                self.pump(wiring, now);
            }
        }
        self.now = self.now.max(until);
    }

    /// An intent goes to the simulated switch unless its call is an outside one or there is
    /// no simulated switch.
    fn route(&mut self, wiring: &mut Wiring<'_>, now: Instant, intent: Intent) {
        let outside = self
            .outside
            .as_deref()
            .is_some_and(|prefix| call_of(&intent).0.starts_with(prefix));
        match wiring.switch.as_deref_mut() {
            Some(switch) if !outside => switch.handle_intent(now, intent),
            _ => self.outputs.push_back(Output::Intent(now, intent)),
        }
    }
}

/// The call an intent is about.
fn call_of(intent: &Intent) -> &CallId {
    match intent {
        Intent::Ring { call, .. }
        | Intent::AnswerWithHold { call, .. }
        | Intent::Release { call, .. }
        | Intent::Play { call, .. } => call,
        Intent::Bridge { a, .. } => &a.call,
        Intent::Cancel { leg, .. } => &leg.call,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::command::HangupArgs;
    use crate::engine::switch::Party;
    use crate::engine::{Actor, Command, EngineSetup, Role, User};

    fn engine() -> Engine {
        let setup = EngineSetup {
            users: vec![User {
                id: "reception".into(),
                name: "Reception".into(),
                numbers: vec!["100".into()],
                voice_enabled: true,
                ..User::default()
            }],
            ..EngineSetup::default()
        };
        Engine::new(setup, 7, Instant::ZERO).expect("engine")
    }

    fn reception() -> Actor {
        Actor {
            user: "reception".into(),
            roles: vec![Role::Receptionist],
        }
    }

    fn offered(call: &str) -> SwitchEvent {
        SwitchEvent::Offered {
            call: CallId(call.into()),
            from: Party {
                number: "+442079460001".into(),
                name: "Ada".into(),
            },
            to: "reception".into(),
            line: "reception".into(),
        }
    }

    fn outputs(board: &mut Switchboard) -> Vec<Output> {
        std::iter::from_fn(|| board.poll_output()).collect()
    }

    #[test]
    fn an_outside_calls_intents_go_out_and_the_simulated_switchs_stay_in() {
        let (mut engine, mut switch) = (engine(), SimSwitch::new());
        let mut board = Switchboard::new(Instant::ZERO).with_outside_calls("s-");
        let mut wiring = Wiring {
            engine: &mut engine,
            switch: Some(&mut switch),
            demo: None,
        };
        board.handle_switch(&mut wiring, Instant(10), offered("s-1"));
        let sim_call = wiring
            .switch
            .as_deref_mut()
            .expect("switch")
            .offer(Instant(10), Party::default(), "reception")
            .expect("offer");
        board.pump(&mut wiring, Instant(10));
        let _ = outputs(&mut board);
        // The simulated call's release goes to the switch, the SIP call's out.
        for call in [CallId("s-1".into()), sim_call] {
            let command = Command::Hangup(HangupArgs { call });
            wiring
                .engine
                .handle_command(Instant(20), &reception(), command)
                .expect("hang up");
        }
        board.pump(&mut wiring, Instant(20));
        let out = outputs(&mut board);
        let intents: Vec<&Intent> = out
            .iter()
            .filter_map(|o| match o {
                Output::Intent(_, intent) => Some(intent),
                _ => None,
            })
            .collect();
        assert_eq!(intents.len(), 1, "{out:?}");
        assert_eq!(call_of(intents[0]).0, "s-1");
    }
}
