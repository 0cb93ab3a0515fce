//! The dial plan's arithmetic: parsing numbers and orbit ranges, and deciding when two of
//! them collide.
//!
//! A number is an optional `*` or `#` followed by digits. A range is two numbers of the
//! same length and prefix; internally it is `(prefix, width, first..=last)` so a code is an
//! integer offset, never a string compared character by character.

use super::orbit::{OrbitRange, RangeKind};

/// The largest number of codes one range may hold (keeps per-range tables small).
pub const MAX_RANGE_CODES: u32 = 100_000;

/// The most digits a number may have after its prefix.
pub const MAX_DIGITS: usize = 9;

/// A number split into its optional prefix and its digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Number<'a> {
    /// `*`, `#` or none.
    pub prefix: Option<char>,
    /// One or more ASCII digits.
    pub digits: &'a str,
}

impl<'a> Number<'a> {
    /// Parses `701`, `*100`, `#1000`; `None` for anything else (empty, letters, `**1`).
    pub fn parse(text: &'a str) -> Option<Number<'a>> {
        let (prefix, digits) = match text.as_bytes().first()? {
            b'*' => (Some('*'), &text[1..]),
            b'#' => (Some('#'), &text[1..]),
            _ => (None, text),
        };
        let well_formed = !digits.is_empty()
            && digits.len() <= MAX_DIGITS
            && digits.bytes().all(|b| b.is_ascii_digit());
        well_formed.then_some(Number { prefix, digits })
    }

    /// The digits as an integer (at most nine digits, so it always fits).
    pub fn value(&self) -> u64 {
        self.digits
            .bytes()
            .fold(0u64, |acc, b| acc * 10 + u64::from(b - b'0'))
    }
}

/// A validated orbit range: prefix, digit width and the numeric bounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeSpec {
    /// The range's name.
    pub name: String,
    /// Park codes or pickup numbers.
    pub kind: RangeKind,
    /// `*`, `#` or none.
    pub prefix: Option<char>,
    /// Digits after the prefix.
    pub width: usize,
    /// First value.
    pub first: u64,
    /// Last value.
    pub last: u64,
}

impl RangeSpec {
    /// Checks a range's form: same length and prefix at both ends, digits only after the
    /// prefix, start not after end, not too large.
    pub fn parse(range: &OrbitRange) -> Result<RangeSpec, String> {
        let label = format!("range '{}' ({}-{})", range.name, range.start, range.end);
        if range.name.trim().is_empty() {
            return Err(format!("{label} needs a name"));
        }
        let start = Number::parse(&range.start).ok_or_else(|| {
            format!(
                "{label}: start '{}' is not a number (digits after an optional * or #)",
                range.start
            )
        })?;
        let end = Number::parse(&range.end).ok_or_else(|| {
            format!(
                "{label}: end '{}' is not a number (digits after an optional * or #)",
                range.end
            )
        })?;
        if start.prefix != end.prefix {
            return Err(format!("{label}: start and end must have the same prefix"));
        }
        if start.digits.len() != end.digits.len() {
            return Err(format!("{label}: start and end must have the same length"));
        }
        let (first, last) = (start.value(), end.value());
        if first > last {
            return Err(format!("{label}: start is after end"));
        }
        if last - first >= u64::from(MAX_RANGE_CODES) {
            return Err(format!(
                "{label} holds more than {MAX_RANGE_CODES} codes; split it"
            ));
        }
        Ok(RangeSpec {
            name: range.name.clone(),
            kind: range.kind,
            prefix: start.prefix,
            width: start.digits.len(),
            first,
            last,
        })
    }

    /// How many codes the range holds.
    pub fn len(&self) -> u32 {
        // Bounded by MAX_RANGE_CODES at parse time.
        u32::try_from(self.last - self.first + 1).unwrap_or(MAX_RANGE_CODES)
    }

    /// How many park codes the range holds (0 for a pickup range: it hands out no codes).
    pub fn park_len(&self) -> u32 {
        if self.kind == RangeKind::Park {
            self.len()
        } else {
            0
        }
    }

    /// Never true: a range holds at least one code.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The offset of `code` within the range, if the code belongs to it.
    pub fn offset_of(&self, code: &str) -> Option<u32> {
        let number = Number::parse(code)?;
        self.offset_of_number(number)
    }

    /// The offset of a parsed number within the range, if it belongs to it.
    pub fn offset_of_number(&self, number: Number<'_>) -> Option<u32> {
        if number.prefix != self.prefix || number.digits.len() != self.width {
            return None;
        }
        let value = number.value();
        if value < self.first || value > self.last {
            return None;
        }
        u32::try_from(value - self.first).ok()
    }

    /// The code at `offset`, exactly as dialled (leading zeros kept).
    pub fn code_at(&self, offset: u32) -> String {
        let mut value = self.first + u64::from(offset);
        let mut digits = [b'0'; MAX_DIGITS];
        for slot in digits[..self.width].iter_mut().rev() {
            *slot = b'0' + (value % 10) as u8;
            value /= 10;
        }
        let mut code = String::with_capacity(self.width + 1);
        if let Some(prefix) = self.prefix {
            code.push(prefix);
        }
        code.extend(digits[..self.width].iter().map(|&d| char::from(d)));
        code
    }

    /// `701-799`, as messages quote it.
    pub fn bounds(&self) -> String {
        format!("{}-{}", self.code_at(0), self.code_at(self.len() - 1))
    }

    /// `range 'main' (701-799)`, as messages quote it.
    pub fn label(&self) -> String {
        format!("range '{}' ({})", self.name, self.bounds())
    }

    /// Whether the two ranges share a code.
    pub fn overlaps(&self, other: &RangeSpec) -> bool {
        self.prefix == other.prefix
            && self.width == other.width
            && self.first <= other.last
            && other.first <= self.last
    }

    /// Whether `number` is one of the range's codes.
    pub fn contains(&self, number: &str) -> bool {
        self.offset_of(number).is_some()
    }

    /// Whether some code of the range starts with `number`, or `number` starts with some
    /// code of the range: dialling one would be ambiguous with the other.
    pub fn prefix_clash(&self, number: &str) -> bool {
        let Some(parsed) = Number::parse(number) else {
            return false;
        };
        if parsed.prefix != self.prefix {
            return false;
        }
        let digits = parsed.digits.len();
        let value = parsed.value();
        if digits <= self.width {
            // Codes starting with `number` form one block of values.
            let scale = 10u64.pow(u32::try_from(self.width - digits).unwrap_or(0));
            let low = value * scale;
            let high = (value + 1) * scale - 1;
            low <= self.last && self.first <= high
        } else {
            // `number` starts with a code: its first `width` digits.
            let scale = 10u64.pow(u32::try_from(digits - self.width).unwrap_or(0));
            let head = value / scale;
            self.first <= head && head <= self.last
        }
    }
}

/// Whether one of the two numbers starts with the other (equal numbers included).
pub fn numbers_clash(a: &str, b: &str) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(start: &str, end: &str) -> OrbitRange {
        OrbitRange {
            name: "r".into(),
            kind: RangeKind::Park,
            start: start.into(),
            end: end.into(),
        }
    }

    #[test]
    fn the_four_range_forms_parse() {
        for (start, end, len) in [
            ("701", "799", 99),
            ("*100", "*199", 100),
            ("#1000", "#1999", 1000),
            ("10", "99", 90),
        ] {
            let spec = RangeSpec::parse(&range(start, end)).unwrap();
            assert_eq!(spec.len(), len);
            assert_eq!(spec.code_at(0), start);
            assert_eq!(spec.code_at(len - 1), end);
        }
    }

    #[test]
    fn malformed_ranges_are_refused_with_a_reason() {
        for (start, end, why) in [
            ("701", "7999", "same length"),
            ("*100", "#199", "same prefix"),
            ("799", "701", "after end"),
            ("7a1", "799", "not a number"),
            ("", "799", "not a number"),
            ("**1", "**9", "not a number"),
            ("0000000", "9999999", "more than"),
        ] {
            let err = RangeSpec::parse(&range(start, end)).unwrap_err();
            assert!(err.contains(why), "{start}-{end}: {err}");
        }
    }

    #[test]
    fn offsets_respect_prefix_width_and_bounds() {
        let spec = RangeSpec::parse(&range("*100", "*199")).unwrap();
        assert_eq!(spec.offset_of("*105"), Some(5));
        assert_eq!(spec.offset_of("105"), None);
        assert_eq!(spec.offset_of("*1050"), None);
        assert_eq!(spec.offset_of("*200"), None);
        assert_eq!(spec.offset_of("#105"), None);
    }

    #[test]
    fn leading_zeros_are_kept_in_codes() {
        let spec = RangeSpec::parse(&range("001", "099")).unwrap();
        assert_eq!(spec.code_at(4), "005");
        assert_eq!(spec.offset_of("005"), Some(4));
    }

    #[test]
    fn a_prefix_clash_is_found_in_both_directions() {
        let star = RangeSpec::parse(&range("*700", "*799")).unwrap();
        assert!(star.prefix_clash("*70"), "codes *700-*709 start with *70");
        let short = RangeSpec::parse(&range("*1", "*9")).unwrap();
        assert!(short.prefix_clash("*70"), "*70 starts with code *7");
        let other = RangeSpec::parse(&range("*100", "*199")).unwrap();
        assert!(!other.prefix_clash("*70"));
        let plain = RangeSpec::parse(&range("701", "799")).unwrap();
        assert!(!plain.prefix_clash("*70"), "different prefix");
    }

    #[test]
    fn ranges_overlap_only_with_the_same_form() {
        let main = RangeSpec::parse(&range("701", "799")).unwrap();
        let vip = RangeSpec::parse(&range("750", "760")).unwrap();
        let star = RangeSpec::parse(&range("*750", "*760")).unwrap();
        assert!(main.overlaps(&vip));
        assert!(!main.overlaps(&star));
    }
}
