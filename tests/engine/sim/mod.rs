//! The simulated switch: phones, caller actions, the engine's intents carried out, demo
//! traffic, and the engine and switch paired on one virtual clock.

mod caller_actions;
mod demo;
mod demo_setup;
mod intents;
mod pair;
mod phones;
mod properties;
