//! The server in the test's process (`support::start` on `127.0.0.1:0`), driven over a
//! real WebSocket by raw protocol peers (`support::Peer`).

#[path = "../support/mod.rs"]
mod support;

mod demo;
mod durable;
mod durable_log;
mod numbers;
mod parking;
mod protocol;
mod reload;
mod shell;
mod stopping;
