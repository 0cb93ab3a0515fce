//! The open-file limit: each stream is a socket, and a thousand parked calls need a
//! thousand of them on top of SIP, the store and the WebSocket clients.

use super::error::MediaError;

/// Raises the soft open-file limit as far as the hard limit allows and returns the new soft
/// limit. Harmless to call twice; on a system without such limits it returns what it asked.
pub fn raise_open_file_limit() -> Result<u64, MediaError> {
    let limit = rlimit::increase_nofile_limit(u64::MAX).map_err(MediaError::FileLimit)?;
    tracing::debug!(limit, "open-file soft limit");
    Ok(limit)
}
