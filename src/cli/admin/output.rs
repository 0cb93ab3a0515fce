//! What an admin command prints (a table or the engine's JSON), and sending its op.

use crate::client::{Client, ClientError};
use crate::protocol::{Op, OpName};
use serde_json::Value;

/// What a command prints.
pub(super) struct Output {
    pub(super) value: Value,
    pub(super) table: String,
}

impl Output {
    pub(super) fn of(value: Value, table: String) -> Output {
        Output { value, table }
    }
}

/// Sends a typed op.
pub(super) async fn call(client: &Client, op: Op) -> anyhow::Result<Value> {
    let name = op.name();
    client
        .op(op)
        .await
        .map_err(|e| anyhow::anyhow!("{name}: {e}"))
}

/// Sends args gathered from the command line for the op `name`: typed when they decode;
/// otherwise as given, so the engine refuses them in its own words and order (a token
/// without the role is `forbidden` whatever its args).
pub(super) async fn send_args(
    client: &Client,
    name: OpName,
    args: Value,
) -> Result<Value, ClientError> {
    match Op::decode(name, &args) {
        Ok(op) => client.op(op).await,
        Err(_) => client.request(name.as_str(), args).await,
    }
}

/// [`send_args`], the error naming the op.
pub(super) async fn call_args(client: &Client, name: OpName, args: Value) -> anyhow::Result<Value> {
    send_args(client, name, args)
        .await
        .map_err(|e| anyhow::anyhow!("{name}: {e}"))
}

/// One line per string of the JSON list `list`, written by `line`; nothing for no list.
pub(super) fn lines_of(list: &Value, line: impl Fn(&str) -> String) -> String {
    list.as_array()
        .map(|items| items.iter().filter_map(Value::as_str).map(line).collect())
        .unwrap_or_default()
}

/// Rows as a table with upper-case headers, columns as wide as their widest cell.
pub(super) fn table(rows: &[Value], columns: &[&str]) -> String {
    let cell = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        Value::Array(a) => a
            .iter()
            .map(|x| x.as_str().map_or(x.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join(","),
        other => other.to_string(),
    };
    let mut widths: Vec<usize> = columns.iter().map(|c| c.len()).collect();
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| columns.iter().map(|c| cell(&r[*c])).collect())
        .collect();
    for row in &body {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let line = |cells: Vec<String>, out: &mut String| {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}", w = *w))
            .collect();
        out.push_str(parts.join("  ").trim_end());
        out.push('\n');
    };
    line(columns.iter().map(|c| c.to_uppercase()).collect(), &mut out);
    for row in body {
        line(row, &mut out);
    }
    out
}
