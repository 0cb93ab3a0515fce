//! The command line: `parkdesk admin …` against a real engine process, and the
//! configuration (defaults, files, environment variables, logging, setup), and the engine run
//! as a service (reload, systemd, backup and restore, health and metrics).
//!
//! `config::logging` starts the process's one global tracing subscriber: no other test in
//! this binary may start one.

#[path = "../support/mod.rs"]
mod support;

mod admin;
mod admin_numbers;
mod config;
mod operations;
