//! The one test harness, shared by every test binary (`#[path = "../support/mod.rs"]`):
//! each binary uses its own share of it.
//!
//! - [`server`]: a server on `127.0.0.1:0` in the test's process and a raw WebSocket peer;
//!   its items are re-exported here (`support::Peer`, `support::RECEPTION`, …).
//! - [`process`]: the real `parkdesk` binary as a child process: an engine, a PA station.
//! - [`site`]: the test site: an engine config as TOML in a temporary directory, the
//!   end-to-end site, the SIP tests' users and park policy.
//! - [`engine`]: the engine's scenario harness on a virtual clock.
//! - [`console`]: the console's state, keys and screens without a terminal.
//! - [`terminal`]: the real binary in a tmux terminal.
//! - [`media`]: the media side and RTP phones on sockets the test owns.
//! - [`sipp`], [`sipp_stats`]: an engine with SIP, SIPp processes, RTP checks.
//! - [`poll`]: waiting on a condition with a deadline instead of a fixed sleep.
#![allow(dead_code, unused_imports)] // each binary uses its own share

pub mod console;
pub mod engine;
pub mod media;
pub mod poll;
pub mod process;
pub mod server;
pub mod sipp;
pub mod sipp_stats;
pub mod site;
pub mod terminal;

pub use server::*;
