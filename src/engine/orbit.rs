//! Orbit ranges and park codes: the numbers a parked call or a pickup group is reached on.

use serde::{Deserialize, Serialize};

/// What a range's numbers are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RangeKind {
    /// Codes handed to parked calls.
    Park,
    /// Numbers of pickup groups.
    Pickup,
}

/// A named, contiguous block of dialable numbers such as `701`–`799`, `*100`–`*199`,
/// `#1000`–`#1999` or `10`–`99`. Both ends have the same length and the same prefix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrbitRange {
    /// Unique name, e.g. `main`.
    pub name: String,
    /// `park` or `pickup`.
    pub kind: RangeKind,
    /// First number, exactly as dialled (`701`, `*100`).
    pub start: String,
    /// Last number, exactly as dialled (`799`, `*199`).
    pub end: String,
}

/// A code exactly as dialled: an optional `*` or `#` prefix and digits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ParkCode(pub String);

impl ParkCode {
    /// The code as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ParkCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The code read out digit by digit, as the PA and the prompts say it:
/// `*705` is "star seven zero five", `#12` is "hash one two".
pub fn spoken(code: &str) -> String {
    let mut words = String::with_capacity(code.len() * 6);
    for c in code.chars() {
        if !words.is_empty() {
            words.push(' ');
        }
        words.push_str(match c {
            '*' => "star",
            '#' => "hash",
            '0' => "zero",
            '1' => "one",
            '2' => "two",
            '3' => "three",
            '4' => "four",
            '5' => "five",
            '6' => "six",
            '7' => "seven",
            '8' => "eight",
            _ => "nine",
        });
    }
    words
}
