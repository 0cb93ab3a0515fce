//! SIPp's statistics file (`-trace_stat -stf FILE`): how many calls succeeded and failed.
//! Shared by the soak (`tests/sip/soak`) and the load bench (`tests/benches/sip_load.rs`).

use std::path::Path;

/// `SuccessfulCall(C)` and `FailedCall(C)` from the last line of SIPp's statistics file;
/// `(0, 0)` when there is none yet.
pub fn read_stats(path: &Path) -> (u64, u64) {
    let Ok(text) = std::fs::read_to_string(path) else {
        return (0, 0);
    };
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let Some(header) = lines.next() else {
        return (0, 0);
    };
    let Some(last) = lines.next_back() else {
        return (0, 0);
    };
    let names: Vec<&str> = header.split(';').collect();
    let values: Vec<&str> = last.split(';').collect();
    let field = |name: &str| {
        names
            .iter()
            .position(|n| *n == name)
            .and_then(|i| values.get(i))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    };
    (field("SuccessfulCall(C)"), field("FailedCall(C)"))
}
