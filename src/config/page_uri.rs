//! The announcer's paging URI (`[announcer] page_uri`), parsed in one place: by the config
//! check, so a bad URI stops a start, and by the SIP paging sink that calls it.

use sip_types::uri::SipUri;
use thiserror::Error;

/// The text given as a paging URI is not a SIP URI.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("page URI '{0}' is not a SIP URI (sip:user@host[:port])")]
pub struct BadPageUri(pub String);

/// The paging URI, parsed (`sip:` or `sips:`, surrounding spaces ignored); the error quotes
/// the text as given.
pub fn parse_page_uri(text: &str) -> Result<SipUri, BadPageUri> {
    let trimmed = text.trim();
    let lower = trimmed.to_ascii_lowercase();
    if !(lower.starts_with("sip:") || lower.starts_with("sips:")) {
        return Err(BadPageUri(text.to_string()));
    }
    trimmed
        .parse::<SipUri>()
        .map_err(|_| BadPageUri(text.to_string()))
}
