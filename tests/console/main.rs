//! The console without a terminal: the pure update function, the client on loopback, key
//! maps and themes, and snapshots of whole screens (`snapshots/`) at a fixed engine time.

#[path = "../support/mod.rs"]
mod support;

mod activity;
mod client;
mod files;
mod numbers_admin;
mod screens;
mod update;
