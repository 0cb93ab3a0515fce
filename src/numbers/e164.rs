//! E.164 phone numbers: parsing what people type (`+1 (425) 555-0100`) into the one form
//! parkdesk stores and shows (`+14255550100`), with an optional `;ext=` for direct routing.

use thiserror::Error;

/// Fewest digits accepted (country code included): the shortest numbers in service.
pub const MIN_DIGITS: usize = 7;
/// Most digits E.164 allows (country code included).
pub const MAX_DIGITS: usize = 15;
/// Most digits in an extension.
pub const MAX_EXT_DIGITS: usize = 10;

/// Why a text is not an E.164 number. Every message quotes the input.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum E164Error {
    /// Nothing but spaces.
    #[error("the number is empty")]
    Empty,
    /// A character that is neither a digit nor a separator.
    #[error("'{input}' is not an E.164 number: '{ch}' is not a digit")]
    BadCharacter {
        /// The input.
        input: String,
        /// The bad character.
        ch: char,
    },
    /// The country code cannot start with 0 (national and `00` forms are not E.164).
    #[error("'{input}' is not an E.164 number: it must start with + and a country code, not 0")]
    LeadingZero {
        /// The input.
        input: String,
    },
    /// Too few or too many digits.
    #[error("'{input}' is not an E.164 number: {digits} digits (7 to 15 expected)")]
    Length {
        /// The input.
        input: String,
        /// How many digits it has.
        digits: usize,
    },
    /// An extension that is empty, too long or not digits.
    #[error("'{input}' has a bad extension: 1 to 10 digits after ';ext='")]
    BadExtension {
        /// The input.
        input: String,
    },
}

/// A phone number in E.164 form, with an optional extension.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber {
    digits: String,
    extension: Option<String>,
}

/// Characters people put between digits; they carry no meaning.
fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '.' | '(' | ')' | '/' | '\u{a0}')
}

impl PhoneNumber {
    /// Parses a number as typed: an optional `+`, digits with separators (space, `-`, `.`,
    /// `(`, `)`, `/`), an optional `;ext=digits`. Without a `+` the digits are read as
    /// international (country code first).
    pub fn parse(input: &str) -> Result<PhoneNumber, E164Error> {
        let text = input.trim();
        if text.is_empty() {
            return Err(E164Error::Empty);
        }
        let (main, extension) = match text.split_once(';') {
            Some((main, parameter)) => {
                let ext = parameter
                    .split_once('=')
                    .filter(|(key, _)| key.trim().eq_ignore_ascii_case("ext"))
                    .map(|(_, value)| value.trim());
                match ext {
                    Some(ext)
                        if !ext.is_empty()
                            && ext.len() <= MAX_EXT_DIGITS
                            && ext.chars().all(|c| c.is_ascii_digit()) =>
                    {
                        (main, Some(ext.to_string()))
                    }
                    _ => {
                        return Err(E164Error::BadExtension {
                            input: input.to_string(),
                        });
                    }
                }
            }
            None => (text, None),
        };
        let main = main.trim();
        let body = main.strip_prefix('+').unwrap_or(main);
        let mut digits = String::with_capacity(MAX_DIGITS);
        for c in body.chars() {
            if c.is_ascii_digit() {
                digits.push(c);
            } else if !is_separator(c) {
                return Err(E164Error::BadCharacter {
                    input: input.to_string(),
                    ch: c,
                });
            }
        }
        if digits.starts_with('0') {
            return Err(E164Error::LeadingZero {
                input: input.to_string(),
            });
        }
        if !(MIN_DIGITS..=MAX_DIGITS).contains(&digits.len()) {
            return Err(E164Error::Length {
                input: input.to_string(),
                digits: digits.len(),
            });
        }
        Ok(PhoneNumber { digits, extension })
    }

    /// The digits after the `+` (country code first).
    pub fn digits(&self) -> &str {
        &self.digits
    }

    /// The extension, if any.
    pub fn extension(&self) -> Option<&str> {
        self.extension.as_deref()
    }

    /// The same number without its extension.
    pub fn without_extension(&self) -> PhoneNumber {
        PhoneNumber {
            digits: self.digits.clone(),
            extension: None,
        }
    }
}

impl std::fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "+{}", self.digits)?;
        if let Some(ext) = &self.extension {
            write!(f, ";ext={ext}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for PhoneNumber {
    type Err = E164Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PhoneNumber::parse(s)
    }
}

/// The canonical form of a dialled or presented number, for lookups: strips a `tel:`,
/// `sip:` or `sips:` scheme and an `@host` part, then parses. `None` when it is no E.164
/// number (an extension, a code, garbage).
pub fn canonical(dialled: &str) -> Option<String> {
    let text = dialled.trim();
    let lower = text.to_ascii_lowercase();
    let text = ["tel:", "sips:", "sip:"]
        .iter()
        .find(|scheme| lower.starts_with(*scheme))
        .map_or(text, |scheme| &text[scheme.len()..]);
    let text = text.split('@').next().unwrap_or(text);
    PhoneNumber::parse(text).ok().map(|n| n.to_string())
}
