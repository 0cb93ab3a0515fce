//! The engine's rules on a virtual clock (`support::engine`), and the simulated switch
//! (`sim::`) that stands in for a PBX in the demo and the tests.

#[path = "../support/mod.rs"]
mod support;

mod commands;
mod drain;
mod durable;
// Its regressions: `tests/proptest-regressions/durable_props.txt`.
mod durable_props;
mod hangup;
mod lifecycle;
mod park_arrival;
mod pickup;
mod policies;
// Its regressions: `tests/proptest-regressions/properties.txt` (proptest's path for this file).
mod properties;
mod ranges;
mod reload;
mod sim;
mod switch;
