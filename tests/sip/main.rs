//! SIP and media: real calls driven by SIPp (`calls`, scenarios in this folder), busy lamps
//! (`blf`), hostile input (`hostile`), fuzzing (`fuzz`), the soak (`soak`) and the media
//! side on loopback sockets (`media`).
//!
//! The tests that run SIPp or an engine with SIP take `support::sipp::serial()`: one at a
//! time, as when each was a binary of its own.

#[path = "../support/mod.rs"]
mod support;

mod blf;
mod calls;
mod fuzz;
mod hostile;
mod media;
mod restart;
mod soak;
