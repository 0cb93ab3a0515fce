//! The real `parkdesk` binary end to end: engine processes signalled and killed, the console
//! and monitor in tmux terminals.

#[path = "../support/mod.rs"]
mod support;

mod console_hangup;
mod console_tmux;
mod demo_look;
mod engine_process;
