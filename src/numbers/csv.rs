//! The operator's number file: CSV with the header
//! `number,source,operator,country,city,capability`, RFC 4180 quoting (a city may hold a
//! comma). Parsing keeps each row's line so a bad row is reported where it is.

use super::error::RowError;

/// The header an import file starts with.
pub const HEADER: [&str; 6] = [
    "number",
    "source",
    "operator",
    "country",
    "city",
    "capability",
];

/// One data row, as text, with its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// The line it starts on (the header is line 1).
    pub line: usize,
    /// `number`.
    pub number: String,
    /// `source`.
    pub source: String,
    /// `operator` (may be empty).
    pub operator: String,
    /// `country`.
    pub country: String,
    /// `city`.
    pub city: String,
    /// `capability`.
    pub capability: String,
}

/// Splits CSV text into records of fields, each with the line it starts on. Blank lines
/// are skipped. A quote left open is an error at the line it opened.
fn records(text: &str) -> Result<Vec<(usize, Vec<String>)>, RowError> {
    let mut out = Vec::new();
    let mut line = 1;
    let mut chars = text.chars().peekable();
    let text_start = |c: Option<&char>| c.is_some();
    while text_start(chars.peek()) {
        let start = line;
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        let mut was_quoted = false;
        loop {
            let Some(c) = chars.next() else {
                if quoted {
                    return Err(RowError {
                        line: start,
                        field: "csv".into(),
                        reason: "a quoted field is never closed".into(),
                    });
                }
                break;
            };
            if quoted {
                match c {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    '"' => quoted = false,
                    '\n' => {
                        line += 1;
                        field.push('\n');
                    }
                    c => field.push(c),
                }
                continue;
            }
            match c {
                '"' if field.trim().is_empty() && !was_quoted => {
                    field.clear();
                    quoted = true;
                    was_quoted = true;
                }
                ',' => {
                    fields.push(std::mem::take(&mut field));
                    was_quoted = false;
                }
                '\r' => {}
                '\n' => {
                    line += 1;
                    break;
                }
                c => field.push(c),
            }
        }
        fields.push(field);
        let blank = fields.len() == 1 && fields[0].trim().is_empty();
        if !blank {
            out.push((start, fields));
        }
    }
    Ok(out)
}

/// Parses an import file: the header, then rows of six fields. Every bad row is reported
/// (with its line), not only the first.
pub fn parse(text: &str) -> Result<Vec<ImportRow>, Vec<RowError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let records = records(text).map_err(|e| vec![e])?;
    let mut records = records.into_iter();
    let Some((line, header)) = records.next() else {
        return Err(vec![RowError {
            line: 1,
            field: "header".into(),
            reason: format!(
                "the file is empty; it must start with '{}'",
                HEADER.join(",")
            ),
        }]);
    };
    let names: Vec<String> = header
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    if names != HEADER {
        return Err(vec![RowError {
            line,
            field: "header".into(),
            reason: format!(
                "expected '{}', found '{}'",
                HEADER.join(","),
                header.join(",")
            ),
        }]);
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (line, fields) in records {
        if fields.len() != HEADER.len() {
            errors.push(RowError {
                line,
                field: "row".into(),
                reason: format!("{} fields, expected {}", fields.len(), HEADER.len()),
            });
            continue;
        }
        let mut f = fields.into_iter().map(|s| s.trim().to_string());
        let mut next = || f.next().unwrap_or_default();
        rows.push(ImportRow {
            line,
            number: next(),
            source: next(),
            operator: next(),
            country: next(),
            city: next(),
            capability: next(),
        });
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quoted_city_may_hold_a_comma_and_lines_are_counted() {
        let text = "number,source,operator,country,city,capability\n\n\
                    +14255550100,operator_connect,contoso,US,\"Washington, D.C.\",user\r\n\
                    +14255550101,calling_plan,,US,Redmond,user\n";
        let rows = parse(text).expect("parses");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 3);
        assert_eq!(rows[0].city, "Washington, D.C.");
        assert_eq!(rows[1].line, 4);
        assert_eq!(rows[1].operator, "");
    }

    #[test]
    fn a_wrong_header_or_a_short_row_is_reported_with_its_line() {
        let errors = parse("number,source\n").expect_err("bad header");
        assert_eq!(errors[0].line, 1);
        let errors =
            parse("number,source,operator,country,city,capability\n+1,a\n").expect_err("short row");
        assert_eq!(errors[0].line, 2);
        assert_eq!(errors[0].field, "row");
    }

    #[test]
    fn an_unclosed_quote_is_an_error_at_its_line() {
        let errors = parse("number,source,operator,country,city,capability\n\"+1,x\n")
            .expect_err("open quote");
        assert_eq!(errors[0].line, 2);
    }
}
