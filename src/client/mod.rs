//! A small async client for the engine's WebSocket API (PROTOCOL.md), over tokio-tungstenite.
//!
//! [`Client::connect`] opens the socket and sends `hello` first; [`Client::request`] sends one
//! request and waits for the reply with the same `id`; [`Client::subscribe`] starts the event
//! stream, read with [`Client::next_event`]. A background task owns the socket: it routes
//! replies to their callers, queues events, answers WebSocket pings (tungstenite replies with
//! a pong on the next read) and records why the connection closed (e.g. `resync`), which is
//! surfaced as [`ClientError::Closed`].
//!
//! Requests can be sent from several tasks at once through a cloned [`ClientHandle`]; the
//! event stream stays with the [`Client`]. Tokens never travel on the command line: read
//! them with [`read_token`].

mod connection;
mod error;
mod token;

pub use connection::{Client, ClientHandle, DEFAULT_REQUEST_TIMEOUT};
pub use error::ClientError;
pub use token::{TOKEN_ENV, read_token, token_from};
