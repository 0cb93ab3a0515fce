//! Filtering and paging the numbers: starts with, contains, state, source, country,
//! operator, user.

use super::error::NumbersError;
use super::inventory::NumberInventory;
use super::number::{NumberRecord, NumberState, Source};
use serde::Deserialize;

/// Numbers shown per page unless asked otherwise.
pub const DEFAULT_LIMIT: usize = 50;
/// Most numbers in one page.
pub const MAX_LIMIT: usize = 500;

/// `number.list` arguments; every filter is optional and they combine.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct NumberQuery {
    /// Digits the number starts with (`+` and separators ignored).
    pub starts_with: Option<String>,
    /// Digits anywhere in the number.
    pub contains: Option<String>,
    /// Only this state.
    pub state: Option<NumberState>,
    /// Only this source.
    pub source: Option<Source>,
    /// Only this country.
    pub country: Option<String>,
    /// Only this operator's.
    pub operator: Option<String>,
    /// Only this user's.
    pub user: Option<String>,
    /// Skip this many matches (left off the wire when 0, as clients always sent it).
    #[serde(skip_serializing_if = "is_zero")]
    pub offset: usize,
    /// At most this many (1–500, default 50).
    pub limit: Option<usize>,
}

/// Whether an offset is the default.
fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// One page of matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<'a> {
    /// Matches in all.
    pub total: usize,
    /// The first match's position.
    pub offset: usize,
    /// The page size asked.
    pub limit: usize,
    /// The page.
    pub numbers: Vec<&'a NumberRecord>,
}

/// The digits of a number pattern, refusing anything but digits, `+` and separators.
fn digits(field: &str, pattern: &str) -> Result<String, NumbersError> {
    let mut out = String::new();
    for c in pattern.chars() {
        match c {
            '0'..='9' => out.push(c),
            '+' | ' ' | '-' | '.' | '(' | ')' => {}
            other => {
                return Err(NumbersError::bad(
                    field,
                    format!("'{pattern}': '{other}' is not a digit"),
                ));
            }
        }
    }
    Ok(out)
}

impl NumberInventory {
    /// The page of numbers matching `query`, in E.164 order.
    pub fn list(&self, query: &NumberQuery) -> Result<Page<'_>, NumbersError> {
        let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(NumbersError::bad(
                "limit",
                format!("{limit} is not between 1 and {MAX_LIMIT}"),
            ));
        }
        let starts = query
            .starts_with
            .as_deref()
            .map(|p| digits("starts_with", p))
            .transpose()?;
        let contains = query
            .contains
            .as_deref()
            .map(|p| digits("contains", p))
            .transpose()?;
        let country = query
            .country
            .as_deref()
            .map(|c| super::country::parse(c).map_err(|m| NumbersError::bad("country", m)))
            .transpose()?;
        let matches: Vec<&NumberRecord> = self
            .numbers
            .values()
            .filter(|n| {
                let bare = n.number.trim_start_matches('+');
                starts.as_deref().is_none_or(|s| bare.starts_with(s))
                    && contains.as_deref().is_none_or(|s| bare.contains(s))
                    && query.state.is_none_or(|s| n.state == s)
                    && query.source.is_none_or(|s| n.source == s)
                    && country.as_deref().is_none_or(|c| n.country == c)
                    && query
                        .operator
                        .as_deref()
                        .is_none_or(|o| n.operator.as_deref() == Some(o))
                    && query
                        .user
                        .as_deref()
                        .is_none_or(|u| n.user.as_deref() == Some(u))
            })
            .collect();
        Ok(Page {
            total: matches.len(),
            offset: query.offset,
            limit,
            numbers: matches.into_iter().skip(query.offset).take(limit).collect(),
        })
    }
}
