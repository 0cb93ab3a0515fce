//! The simulated switch and the demo traffic.
//!
//! Until real SIP exists, [`SimSwitch`] is what the engine's calls run on: phones that
//! ring, answer, are busy, decline, never answer, cannot be reached, or answer across a
//! cancel. It serves the engine's switch boundary (`SwitchEvent` in, `Intent` out) and is
//! sans-IO like the engine, so the server's engine task drives both the same way: input
//! with `handle_*(now, …)`, drain `poll_event()`, re-arm from `poll_timeout()`.
//!
//! [`DemoTraffic`] plays the people: outside callers ringing the reception line and the
//! pickup groups, callers who give up, colleagues who retrieve parked calls by dialling
//! their codes. It is seeded: the same seed gives the same traffic. [`demo_setup`] seeds
//! the directory it plays in.
//!
//! [`Switchboard`] is the one loop between the engine and its switches (events, intents,
//! timers), driven by the server's engine task and by [`Pair`], which wires an engine to a
//! switch (and demo traffic) on one virtual clock for tests that run whole call scenarios
//! in memory.

mod actions;
mod call;
mod callers;
mod demo;
mod demo_directory;
mod error;
mod intents;
mod pair;
mod phone;
mod schedule;
mod switch;
pub mod switchboard;

pub use call::{Leg, LegState, Origin, SimCall};
pub use demo::DemoTraffic;
pub use demo_directory::{DemoDirectory, DemoGroup, demo_setup};
pub use error::SimError;
pub use pair::Pair;
pub use phone::Behaviour;
pub use switch::SimSwitch;
pub use switchboard::{Output, Switchboard, Wiring};
