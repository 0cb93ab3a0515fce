//! What can go wrong in media: ports, sockets, the music file, the open-file limit.

use std::net::SocketAddr;
use std::path::PathBuf;

/// A media failure. Each names what it concerns: the port range, the address, the file.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// Every even port of the configured range holds an open stream (or another program).
    #[error("no free RTP port in {start}-{end}: every even port in the range is in use")]
    PortsExhausted {
        /// First port of the configured range.
        start: u16,
        /// Last port of the configured range.
        end: u16,
    },
    /// The configured range holds no even port, so no stream can ever open.
    #[error("the RTP port range {start}-{end} holds no even port (RTP uses even ports)")]
    NoEvenPort {
        /// First port of the configured range.
        start: u16,
        /// Last port of the configured range.
        end: u16,
    },
    /// A socket could not be bound for a reason another port would not cure.
    #[error("cannot bind an RTP socket on {addr}: {source}")]
    Bind {
        /// The address the bind was for.
        addr: SocketAddr,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The music-on-hold file could not be used.
    #[error("music on hold '{}': {reason}", path.display())]
    BadWav {
        /// The configured file.
        path: PathBuf,
        /// Why it could not be used.
        reason: String,
    },
    /// The open-file limit could not be read or raised.
    #[error("cannot raise the open-file limit: {0}")]
    FileLimit(#[source] std::io::Error),
    /// The media thread or its runtime could not be started.
    #[error("cannot start the media thread: {0}")]
    Thread(#[source] std::io::Error),
    /// The media task is gone (the runtime is shutting down).
    #[error("the media task has stopped")]
    Stopped,
    /// No randomness for SSRCs and session ids.
    #[error("{0}")]
    Entropy(#[from] crate::runtime::EntropyError),
}
