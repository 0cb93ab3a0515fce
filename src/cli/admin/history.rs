//! `parkdesk admin history list|export`: ended parks, as a table, CSV or JSON.

use super::HistoryAction;
use super::output::{Output, call_args, table};
use crate::client::Client;
use crate::protocol::OpName;
use anyhow::{Context, bail};
use serde_json::{Value, json};

/// `history …`.
pub(super) async fn history(client: &Client, action: HistoryAction) -> anyhow::Result<Output> {
    match action {
        HistoryAction::List { since, limit } => {
            let v = list(client, since, limit).await?;
            let rows = v["entries"].as_array().cloned().unwrap_or_default();
            let text = table(
                &rows,
                &[
                    "code",
                    "caller_number",
                    "caller_name",
                    "parked_by",
                    "for",
                    "parked_at",
                    "ended_at",
                    "outcome",
                    "by",
                ],
            );
            Ok(Output::of(v, text))
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

/// History entries (as the engine sent them) as CSV with a header.
fn history_csv(entries: &Value) -> anyhow::Result<String> {
    let entries: Vec<crate::store::HistoryEntry> = serde_json::from_value(entries.clone())
        .context("the engine's history entries did not have the expected shape")?;
    let mut out = Vec::new();
    crate::store::export_history_csv(&entries, &mut out).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}
