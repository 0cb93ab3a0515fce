//! `parkdesk admin history list|export`: ended parks, as a table, CSV or JSON.

use super::HistoryAction;
use super::output::{Output, call_args, table};
use crate::client::Client;
use crate::protocol::OpName;
use crate::store::HistoryEntry;
use anyhow::{Context, bail};
use serde_json::{Value, json};

/// The table's columns; `caller_number` and `caller_name` are the entry's `caller`.
const COLUMNS: [&str; 9] = [
    "code",
    "caller_number",
    "caller_name",
    "parked_by",
    "for",
    "parked_at",
    "ended_at",
    "outcome",
    "by",
];

/// `history …`.
pub(super) async fn history(client: &Client, action: HistoryAction) -> anyhow::Result<Output> {
    match action {
        HistoryAction::List { since, limit } => {
            let v = list(client, since, limit).await?;
            let rows: Vec<Value> = entries(&v["entries"])?.iter().map(table_row).collect();
            Ok(Output::of(v, table(&rows, &COLUMNS)))
        }
        HistoryAction::Export {
            format,
            since,
            limit,
            output,
        } => {
            let v = list(client, since, limit).await?;
            let text = match format.as_str() {
                "json" => serde_json::to_string_pretty(&v["entries"])? + "\n",
                "csv" => history_csv(&v["entries"])?,
                other => bail!("--format '{other}': use csv or json"),
            };
            match output {
                Some(path) => {
                    std::fs::write(&path, &text)
                        .with_context(|| format!("writing {}", path.display()))?;
                    Ok(Output::of(v, format!("wrote {}\n", path.display())))
                }
                None => Ok(Output::of(v, text)),
            }
        }
    }
}

/// `history.list`; `since` stays text here, so the engine names a bad time.
async fn list(client: &Client, since: Option<String>, limit: usize) -> anyhow::Result<Value> {
    let args = json!({ "since": since, "limit": limit });
    call_args(client, OpName::HistoryList, args).await
}

/// The history entries the engine sent (`caller` is `{number, name}` on the wire).
fn entries(entries: &Value) -> anyhow::Result<Vec<HistoryEntry>> {
    serde_json::from_value(entries.clone())
        .context("the engine's history entries did not have the expected shape")
}

/// An entry as a row of [`COLUMNS`]; an empty caller name shows as `-`, like any absent value.
fn table_row(e: &HistoryEntry) -> Value {
    let name = Some(e.caller.name.as_str()).filter(|n| !n.is_empty());
    json!({
        "code": e.code,
        "caller_number": e.caller.number,
        "caller_name": name,
        "parked_by": e.parked_by,
        "for": e.for_note,
        "parked_at": e.parked_at,
        "ended_at": e.ended_at,
        "outcome": e.outcome,
        "by": e.by,
    })
}

/// History entries (as the engine sent them) as CSV with a header.
fn history_csv(entries_sent: &Value) -> anyhow::Result<String> {
    let entries = entries(entries_sent)?;
    let mut out = Vec::new();
    crate::store::export_history_csv(&entries, &mut out).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}
