//! The WebSocket vocabulary of PROTOCOL.md, shared by both ends: the server encodes these
//! types and every client (console, monitor, announcer, admin, tests) decodes the same ones.
//!
//! - [`envelope`]: requests, replies, events, errors, and the session's shapes;
//! - [`op`]: the typed ops — names, roles, whether each mutates, args and results — that a
//!   client encodes with [`Op::into_request`] and the server decodes with
//!   [`OpName::parse`] then [`Op::decode`];
//! - [`objects`]: calls, parked calls, groups, announcements as the wire shows them;
//! - [`time`]: RFC 3339 timestamps and the engine's UTC clock.

pub mod envelope;
pub mod objects;
pub mod op;
pub mod time;

pub use envelope::*;
pub use objects::*;
pub use op::{Op, OpName, ProtocolError};
pub use time::{Timestamp, UtcClock};

/// The protocol version this build speaks.
pub const PROTOCOL_VERSION: u32 = 1;

/// Largest frame a client may send.
pub const MAX_CLIENT_FRAME: usize = 64 * 1024;

/// Largest frame the engine sends.
pub const MAX_SERVER_FRAME: usize = 16 * 1024 * 1024;

/// The WebSocket path.
pub const PATH: &str = "/v1";
