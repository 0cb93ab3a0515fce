//! The PA announcer: composition, the sound pack, sinks, the station process against a real
//! engine, the station embedded in plain `parkdesk`, and paging over SIP (SIPp).

#[path = "../support/mod.rs"]
mod support;

mod compose;
mod embedded;
mod pack;
// Not `properties`: proptest keeps regressions in `tests/proptest-regressions/<file>.txt`,
// one folder for every binary, so property modules need names no other binary uses.
mod queue_properties;
mod sinks;
mod sip_paging;
mod station;
