//! parkdesk: a call park and pickup engine and the terminal console that drives it.
//!
//! The map:
//! - [`engine`]: the sans-IO core — orbit ranges, codes, policies, parked calls, ring-back,
//!   pickup groups, announcements — driven with `handle_*(now, …)` and drained with `poll_*`.
//! - [`sip`]: the SIP side — a park and pickup server behind a PBX (ezk-sip-core/ua),
//!   serving the same switch boundary as the simulated switch.
//! - [`media`]: RTP on its own thread — G.711, music on hold, prompts, the relay, SDP.
//! - [`sim`]: the simulated switch (phones that ring, answer, are busy) and demo traffic,
//!   serving the engine's switch boundary until real SIP does.
//! - [`protocol`]: the WebSocket vocabulary of PROTOCOL.md, shared by server and clients:
//!   frames, objects, and the typed ops (`protocol::op`) both ends encode and decode.
//! - [`runtime`]: where the outside world enters — the driver clock (tokio's, so tests can
//!   pause it) and the OS's randomness, seeded once at startup.
//! - [`server`]: the tokio shell — WebSocket sessions, auth, fan-out, timers, drain.
//! - [`numbers`]: phone numbers, operators and emergency addresses (Operator Connect) —
//!   sans-IO rules the server drives.
//! - [`sound`]: mono audio, sound packs and the switch's spoken prompts — what the
//!   announcer, the SIP side and music on hold are made of.
//! - [`store`]: SQLite on its own thread — directory, tokens, history, audit.
//! - [`config`]: layered configuration with errors that name file, line and key.
//! - [`client`]: an async WebSocket client of the engine (console, monitor, admin, tests).
//! - [`console`]: the receptionist console and the read-only monitor (ratatui).
//! - [`announcer`]: PA announcements — composition, sound packs, sinks, the station.
//! - [`cli`]: the `parkdesk` binary's subcommands.

pub mod announcer;
pub mod cli;
pub mod client;
pub mod config;
pub mod console;
pub mod engine;
pub mod media;
pub mod numbers;
pub mod protocol;
pub mod runtime;
pub mod server;
pub mod sim;
pub mod sip;
pub mod sound;
pub mod store;
