//! The `:` command palette: parsing what the receptionist types into a command.
//!
//! ```text
//! :park [CODE] [announce] [for NAME…]   park the selected desk call (no code: next free)
//! :retrieve CODE [to USER]              retrieve to my line (or to USER)
//! :announce CODE [REPEAT]               announce on the PA (repeat 1-5)
//! :extend CODE [SECONDS]                more time (default 60, 1-1800)
//! :pickup GROUP [CALL]                  pick up in a group (its number or id)
//! :transfer USER                        transfer the selected call
//! :hangup                               hang up the selected call (asks first)
//! :find NAME…                           search the directory
//! :sort time|code|parked|caller         sort the board
//! :history   :help   :quit
//! ```

use super::state::SortKey;

/// A parsed palette command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaletteCommand {
    /// Park the selected desk call.
    Park {
        /// A directed code, or `None` for the next free one.
        code: Option<String>,
        /// Who the call is for.
        for_note: Option<String>,
        /// Announce it on the PA.
        announce: bool,
    },
    /// Retrieve a parked call.
    Retrieve {
        /// Its code.
        code: String,
        /// Where to (default: my line).
        to: Option<String>,
    },
    /// Announce a parked call.
    Announce {
        /// Its code.
        code: String,
        /// Times to play, 1–5.
        repeat: Option<u8>,
    },
    /// Give a parked call more time.
    Extend {
        /// Its code.
        code: String,
        /// Seconds to add.
        seconds: u32,
    },
    /// Pick up a call ringing in a group.
    Pickup {
        /// The group's number or id.
        group: String,
        /// A named call, else the longest-ringing.
        call: Option<String>,
    },
    /// Transfer the selected call to a user.
    Transfer {
        /// The user.
        to: String,
    },
    /// Hang up the selected call (after a confirm).
    Hangup,
    /// Search the directory.
    Find {
        /// Name, number or group.
        query: String,
    },
    /// Sort the board.
    Sort(SortKey),
    /// Show the parks that ended lately.
    History,
    /// Open the admin pane for operators, numbers and addresses.
    Numbers,
    /// Show the help.
    Help,
    /// Quit.
    Quit,
}

/// Why a palette line was not understood (nothing is sent).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaletteError {
    /// Nothing typed.
    #[error("type a command, e.g. park 705 for Ada")]
    Empty,
    /// Not a command.
    #[error(
        "unknown command '{0}': park, retrieve, announce, extend, pickup, transfer, hangup, find, sort, history, numbers, help, quit"
    )]
    Unknown(String),
    /// A required argument is missing.
    #[error("{command} needs {what}, e.g. {example}")]
    Missing {
        /// The command.
        command: &'static str,
        /// What is missing.
        what: &'static str,
        /// An example.
        example: &'static str,
    },
    /// A code is not digits (with an optional leading * or #).
    #[error("'{0}' is not a park code (digits, optionally after * or #)")]
    BadCode(String),
    /// A number out of range.
    #[error("{what} '{value}' must be a whole number from {min} to {max}")]
    BadNumber {
        /// What the number is.
        what: &'static str,
        /// As typed.
        value: String,
        /// Lowest allowed.
        min: u32,
        /// Highest allowed.
        max: u32,
    },
    /// Words left over.
    #[error("unexpected '{0}'")]
    Unexpected(String),
}

/// Whether `text` looks like a park code: digits, optionally after one `*` or `#`.
pub fn is_code(text: &str) -> bool {
    let digits = text.strip_prefix(['*', '#']).unwrap_or(text);
    !digits.is_empty() && digits.len() <= 15 && digits.bytes().all(|b| b.is_ascii_digit())
}

fn code(
    text: Option<&str>,
    command: &'static str,
    example: &'static str,
) -> Result<String, PaletteError> {
    let text = text.ok_or(PaletteError::Missing {
        command,
        what: "a code",
        example,
    })?;
    if is_code(text) {
        Ok(text.to_string())
    } else {
        Err(PaletteError::BadCode(text.to_string()))
    }
}

fn number(text: &str, what: &'static str, min: u32, max: u32) -> Result<u32, PaletteError> {
    text.parse::<u32>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or(PaletteError::BadNumber {
            what,
            value: text.to_string(),
            min,
            max,
        })
}

fn no_more(words: &mut std::slice::Iter<'_, &str>) -> Result<(), PaletteError> {
    match words.next() {
        Some(extra) => Err(PaletteError::Unexpected((*extra).to_string())),
        None => Ok(()),
    }
}

/// Parses a palette line (with or without the leading `:`).
pub fn parse(line: &str) -> Result<PaletteCommand, PaletteError> {
    let line = line.trim().trim_start_matches(':').trim();
    let words: Vec<&str> = line.split_whitespace().collect();
    let mut it = words.iter();
    let Some(name) = it.next() else {
        return Err(PaletteError::Empty);
    };
    let command = match name.to_ascii_lowercase().as_str() {
        "park" | "p" => {
            let mut code_arg = None;
            let mut announce = false;
            let mut for_note = None;
            while let Some(word) = it.next() {
                match word.to_ascii_lowercase().as_str() {
                    "for" => {
                        let rest: Vec<&str> = it.by_ref().copied().collect();
                        if rest.is_empty() {
                            return Err(PaletteError::Missing {
                                command: "park … for",
                                what: "a name",
                                example: "park 705 for Ada",
                            });
                        }
                        for_note = Some(rest.join(" "));
                    }
                    "announce" | "+a" if !announce => announce = true,
                    _ if code_arg.is_none() && !announce && is_code(word) => {
                        code_arg = Some((*word).to_string());
                    }
                    _ if code_arg.is_none()
                        && !announce
                        && word
                            .starts_with(|c: char| c.is_ascii_digit() || c == '*' || c == '#') =>
                    {
                        return Err(PaletteError::BadCode((*word).to_string()));
                    }
                    _ => return Err(PaletteError::Unexpected((*word).to_string())),
                }
            }
            PaletteCommand::Park {
                code: code_arg,
                for_note,
                announce,
            }
        }
        "retrieve" | "r" => {
            let code = code(it.next().copied(), "retrieve", "retrieve 705")?;
            let to = match it.next() {
                Some(w) if w.eq_ignore_ascii_case("to") => Some(
                    it.next()
                        .ok_or(PaletteError::Missing {
                            command: "retrieve … to",
                            what: "a user",
                            example: "retrieve 705 to bob",
                        })?
                        .to_string(),
                ),
                Some(w) => return Err(PaletteError::Unexpected((*w).to_string())),
                None => None,
            };
            no_more(&mut it)?;
            PaletteCommand::Retrieve { code, to }
        }
        "announce" | "a" => {
            let code = code(it.next().copied(), "announce", "announce 705")?;
            let repeat = match it.next() {
                Some(w) => Some(number(w.trim_start_matches('x'), "repeat", 1, 5)? as u8),
                None => None,
            };
            no_more(&mut it)?;
            PaletteCommand::Announce { code, repeat }
        }
        "extend" | "e" => {
            let code = code(it.next().copied(), "extend", "extend 705 120")?;
            let seconds = match it.next() {
                Some(w) => number(w, "seconds", 1, 1800)?,
                None => 60,
            };
            no_more(&mut it)?;
            PaletteCommand::Extend { code, seconds }
        }
        "pickup" | "u" => {
            let group = it
                .next()
                .ok_or(PaletteError::Missing {
                    command: "pickup",
                    what: "a group",
                    example: "pickup 880",
                })?
                .to_string();
            let call = it.next().map(|c| (*c).to_string());
            no_more(&mut it)?;
            PaletteCommand::Pickup { group, call }
        }
        "transfer" | "t" => {
            let to = it
                .next()
                .ok_or(PaletteError::Missing {
                    command: "transfer",
                    what: "a user",
                    example: "transfer bob",
                })?
                .to_string();
            no_more(&mut it)?;
            PaletteCommand::Transfer { to }
        }
        "hangup" => {
            no_more(&mut it)?;
            PaletteCommand::Hangup
        }
        "find" | "f" => {
            let rest: Vec<&str> = it.copied().collect();
            if rest.is_empty() {
                return Err(PaletteError::Missing {
                    command: "find",
                    what: "a name, number or group",
                    example: "find ada",
                });
            }
            PaletteCommand::Find {
                query: rest.join(" "),
            }
        }
        "sort" => {
            let key = match it.next().map(|w| w.to_ascii_lowercase()) {
                Some(w) if w == "time" || w == "left" => SortKey::TimeLeft,
                Some(w) if w == "code" => SortKey::Code,
                Some(w) if w == "parked" => SortKey::ParkedAt,
                Some(w) if w == "caller" => SortKey::Caller,
                Some(w) => return Err(PaletteError::Unexpected(w)),
                None => {
                    return Err(PaletteError::Missing {
                        command: "sort",
                        what: "time, code, parked or caller",
                        example: "sort code",
                    });
                }
            };
            no_more(&mut it)?;
            PaletteCommand::Sort(key)
        }
        "history" => PaletteCommand::History,
        "numbers" => PaletteCommand::Numbers,
        "help" | "?" => PaletteCommand::Help,
        "quit" | "q" => PaletteCommand::Quit,
        other => return Err(PaletteError::Unknown(other.to_string())),
    };
    Ok(command)
}
