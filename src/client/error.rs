//! The client's errors: one enum for every way talking to the engine can fail.

use crate::protocol::ErrorCode;
use serde_json::Value;
use std::path::PathBuf;

/// Why a client call failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The WebSocket could not be opened (engine down, wrong address, bad URL).
    #[error("could not connect to {url}: {source}")]
    ConnectFailed {
        /// The URL tried.
        url: String,
        /// What went wrong.
        #[source]
        source: Box<tokio_tungstenite::tungstenite::Error>,
    },
    /// The engine did not accept the token (the connection is closed).
    #[error("the engine refused the token: {message}")]
    Unauthenticated {
        /// The engine's message.
        message: String,
    },
    /// The engine does not speak this client's protocol version.
    #[error("the engine does not speak protocol {wanted} (it speaks {supported:?}): {message}")]
    UnsupportedProtocol {
        /// The version this client asked for.
        wanted: u32,
        /// The versions the engine listed.
        supported: Vec<u32>,
        /// The engine's message.
        message: String,
    },
    /// The engine answered the request with an error; nothing changed.
    #[error("{op} refused ({code:?}): {message}")]
    Refused {
        /// The op that was refused.
        op: String,
        /// The error code.
        code: ErrorCode,
        /// The engine's message.
        message: String,
        /// Extra data (e.g. `by` for `conflict`).
        data: Option<Value>,
    },
    /// The connection is closed; `reason` is the engine's close reason if it gave one
    /// (`resync` means "too slow: subscribe again with `since`").
    #[error("connection closed{}", reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default())]
    Closed {
        /// The close frame's reason, if any.
        reason: Option<String>,
    },
    /// No reply arrived in time.
    #[error("no reply to {op} within {seconds} s")]
    Timeout {
        /// The op that timed out.
        op: String,
        /// The time waited.
        seconds: u64,
    },
    /// The engine sent something this client cannot read.
    #[error("the engine sent an unreadable {what}: {detail}")]
    BadFrame {
        /// What was being read (`hello reply`, `subscribe reply`, …).
        what: &'static str,
        /// Why it could not be read.
        detail: String,
    },
    /// Neither `PARKDESK_TOKEN` nor a token file gave a token.
    #[error(
        "no token: set PARKDESK_TOKEN or pass --token-file (tokens never go on the command line)"
    )]
    NoToken,
    /// The token file could not be read.
    #[error("cannot read token file {}: {source}", path.display())]
    TokenFile {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The token source held only whitespace.
    #[error("the token in {source_name} is empty")]
    EmptyToken {
        /// `PARKDESK_TOKEN` or the file's path.
        source_name: String,
    },
}

impl ClientError {
    /// The engine's error code, when the engine refused the request.
    pub fn refusal_code(&self) -> Option<ErrorCode> {
        match self {
            ClientError::Refused { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// Whether the error means the connection is gone (a reconnect may help).
    pub fn is_connection_lost(&self) -> bool {
        matches!(
            self,
            ClientError::Closed { .. }
                | ClientError::ConnectFailed { .. }
                | ClientError::Timeout { .. }
        )
    }
}
