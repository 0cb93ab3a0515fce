//! Exporting park history as CSV (RFC 4180) or JSON, for
//! `parkdesk admin history export --format csv|json --since …`.

use super::error::StoreError;
use super::history::HistoryEntry;
use std::io::Write;
use std::str::FromStr;

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// A JSON array of history entries.
    Json,
}

impl FromStr for ExportFormat {
    type Err = StoreError;

    fn from_str(text: &str) -> Result<ExportFormat, StoreError> {
        match text.to_ascii_lowercase().as_str() {
            "csv" => Ok(ExportFormat::Csv),
            "json" => Ok(ExportFormat::Json),
            _ => Err(StoreError::UnknownFormat(text.to_string())),
        }
    }
}

/// The CSV columns, in order.
pub const CSV_COLUMNS: [&str; 12] = [
    "call",
    "code",
    "range",
    "caller_number",
    "caller_name",
    "parked_by",
    "for",
    "policy",
    "parked_at",
    "ended_at",
    "outcome",
    "by",
];

/// Writes `entries` in `format`.
pub fn export_history(
    format: ExportFormat,
    entries: &[HistoryEntry],
    writer: impl Write,
) -> Result<(), StoreError> {
    match format {
        ExportFormat::Csv => export_history_csv(entries, writer),
        ExportFormat::Json => export_history_json(entries, writer),
    }
}

/// Writes `entries` as CSV: a header row of [`CSV_COLUMNS`], then one row per entry, CRLF
/// line ends, times in RFC 3339 UTC. A field holding a comma, a quote or a line break is
/// quoted, its quotes doubled (RFC 4180); an absent value is an empty field.
pub fn export_history_csv(
    entries: &[HistoryEntry],
    mut writer: impl Write,
) -> Result<(), StoreError> {
    let mut out = String::new();
    push_row(&mut out, CSV_COLUMNS.iter().copied());
    for e in entries {
        let parked_at = e.parked_at.to_rfc3339();
        let ended_at = e.ended_at.to_rfc3339();
        push_row(
            &mut out,
            [
                e.call.0.as_str(),
                e.code.as_str(),
                e.range.as_str(),
                e.caller.number.as_str(),
                e.caller.name.as_str(),
                e.parked_by.as_str(),
                e.for_note.as_deref().unwrap_or(""),
                e.policy.as_str(),
                parked_at.as_str(),
                ended_at.as_str(),
                e.outcome.as_str(),
                e.by.as_deref().unwrap_or(""),
            ],
        );
    }
    writer
        .write_all(out.as_bytes())
        .and_then(|()| writer.flush())
        .map_err(StoreError::Export)
}

/// Writes `entries` as a pretty-printed JSON array of history entries, with a final newline.
pub fn export_history_json(
    entries: &[HistoryEntry],
    mut writer: impl Write,
) -> Result<(), StoreError> {
    serde_json::to_writer_pretty(&mut writer, entries).map_err(|e| StoreError::Export(e.into()))?;
    writer
        .write_all(b"\n")
        .and_then(|()| writer.flush())
        .map_err(StoreError::Export)
}

fn push_row<'a>(out: &mut String, fields: impl IntoIterator<Item = &'a str>) {
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_field(out, field);
    }
    out.push_str("\r\n");
}

fn push_field(out: &mut String, field: &str) {
    if field.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}
