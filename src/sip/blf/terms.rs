//! The terms of a subscription, read from a SUBSCRIBE: which event package, how long, and
//! whether the subscriber reads the document parkdesk writes. Pure.

use super::dialog_info::CONTENT_TYPE;

/// The only event package served.
pub const PACKAGE: &str = "dialog";

/// The shortest subscription granted (shorter asks get `423` with `Min-Expires`).
pub const MIN_EXPIRES: u32 = 60;

/// The longest subscription granted: longer asks are cut to this, so a subscriber that
/// vanished is forgotten within the hour, and phones refresh often enough to notice an
/// engine restart (their refresh gets `481` and they subscribe anew).
pub const MAX_EXPIRES: u32 = 1800;

/// The duration RFC 4235 gives a SUBSCRIBE without `Expires`.
pub const DEFAULT_EXPIRES: u32 = 3600;

/// Whether an `Event` header value names the `dialog` package (parameters aside).
pub fn is_dialog_package(event: Option<&str>) -> bool {
    event
        .and_then(|e| e.split(';').next())
        .is_some_and(|package| package.trim().eq_ignore_ascii_case(PACKAGE))
}

/// What a SUBSCRIBE's `Expires` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Term {
    /// `Expires: 0`: one NOTIFY with the state now, then the subscription ends (a fetch,
    /// or an unsubscribe in a dialog).
    End,
    /// Granted for this many seconds.
    For(u32),
    /// Too brief: `423 Interval Too Brief`.
    TooBrief,
}

/// The term granted for an `Expires` header value (`None` when absent). A value that is
/// not a number is read as absent, as RFC 3261 §20.19 lets a server do.
pub fn term(expires: Option<&str>) -> Term {
    let asked = expires
        .and_then(|e| e.trim().parse::<u64>().ok())
        .map_or(DEFAULT_EXPIRES, |e| {
            u32::try_from(e.min(u64::from(u32::MAX))).unwrap_or(u32::MAX)
        });
    match asked {
        0 => Term::End,
        n if n < MIN_EXPIRES => Term::TooBrief,
        n => Term::For(n.min(MAX_EXPIRES)),
    }
}

/// Whether the `Accept` header values (none: anything goes) admit `application/dialog-info+xml`.
pub fn accepts<'a>(accept: impl IntoIterator<Item = &'a str>) -> bool {
    let mut any = false;
    for value in accept {
        for range in value.split(',') {
            let range = range.split(';').next().unwrap_or("").trim();
            if range.is_empty() {
                continue;
            }
            any = true;
            if range.eq_ignore_ascii_case(CONTENT_TYPE)
                || range == "*/*"
                || range.eq_ignore_ascii_case("application/*")
            {
                return true;
            }
        }
    }
    !any
}
