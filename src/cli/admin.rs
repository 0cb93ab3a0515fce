//! `parkdesk admin …`: every admin op for people and scripts, over the WebSocket API.
//!
//! `set` commands take `key=value` pairs and merge them into the current object, so
//! `parkdesk admin policies set name=desk park_timeout=120` changes one setting and keeps
//! the rest. Values are JSON where they parse as JSON (`true`, `120`, `["a","b"]`), text
//! otherwise; list fields also take comma-separated text.

use super::Connect;
use super::admin_numbers::{self, AddressAction, NumberAction, OperatorAction};
use crate::client::{Client, read_token};
use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `parkdesk admin` arguments.
#[derive(Debug, Args)]
pub struct AdminArgs {
    /// Engine and token.
    #[command(flatten)]
    pub connect: Connect,
    /// Print the engine's JSON instead of a table.
    #[arg(long, global = true)]
    pub json: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: AdminCommand,
}

/// Objects managed with list / set / remove.
#[derive(Debug, Subcommand)]
pub enum Crud {
    /// List them.
    List,
    /// Create or change one: `key=value …` (merged into the current object).
    Set {
        /// `key=value` pairs.
        #[arg(required = true)]
        pairs: Vec<String>,
    },
    /// Remove one by name or id.
    Remove {
        /// Its name or id.
        name: String,
    },
}

/// `parkdesk admin` commands.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Uptime, parked calls, subscribers.
    Health,
    /// Orbit ranges (`name`, `kind` park|pickup, `start`, `end`).
    Ranges {
        /// Action.
        #[command(subcommand)]
        action: Crud,
    },
    /// Park policies.
    Policies {
        /// Action.
        #[command(subcommand)]
        action: PolicyAction,
    },
    /// Directory users.
    Users {
        /// Action.
        #[command(subcommand)]
        action: Crud,
    },
    /// Directory and pickup groups.
    Groups {
        /// Action.
        #[command(subcommand)]
        action: Crud,
    },
    /// Numbers allowed as targets besides users and groups.
    Allow {
        /// Action.
        #[command(subcommand)]
        action: AllowAction,
    },
    /// API tokens.
    Tokens {
        /// Action.
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Operators (Operator Connect), per country.
    Operators {
        /// Action.
        #[command(subcommand)]
        action: OperatorAction,
    },
    /// Phone numbers: list, import, assign, release, migrate.
    Numbers {
        /// Action.
        #[command(subcommand)]
        action: NumberAction,
    },
    /// Emergency (civic) addresses.
    Addresses {
        /// Action.
        #[command(subcommand)]
        action: AddressAction,
    },
    /// Park history.
    History {
        /// Action.
        #[command(subcommand)]
        action: HistoryAction,
    },
    /// Any op with `key=value` args, for what has no command of its own.
    Op {
        /// The op, e.g. `parked.list`.
        op: String,
        /// `key=value` pairs.
        pairs: Vec<String>,
    },
}

/// `admin policies …`.
#[derive(Debug, Subcommand)]
pub enum PolicyAction {
    /// List policies and group assignments.
    List,
    /// Create or change a policy: `name=… key=value …`.
    Set {
        /// `key=value` pairs.
        #[arg(required = true)]
        pairs: Vec<String>,
    },
    /// Remove a policy.
    Remove {
        /// Its name.
        name: String,
    },
    /// Give a group's members a policy at a rank (1 wins).
    AssignGroup {
        /// The group.
        group: String,
        /// The policy.
        policy: String,
        /// The rank (default 1).
        #[arg(long, default_value_t = 1)]
        rank: u32,
    },
    /// Take a group's policy assignment away.
    UnassignGroup {
        /// The group.
        group: String,
    },
}

/// `admin allow …`.
#[derive(Debug, Subcommand)]
pub enum AllowAction {
    /// List allowed numbers.
    List,
    /// Allow a number.
    Add {
        /// The number.
        number: String,
    },
    /// Disallow a number.
    Remove {
        /// The number.
        number: String,
    },
}

/// `admin tokens …`.
#[derive(Debug, Subcommand)]
pub enum TokenAction {
    /// List tokens (never the secrets).
    List,
    /// Create a token; the secret is printed once.
    Create {
        /// The user it acts as.
        #[arg(long)]
        user: String,
        /// Its roles (receptionist, admin, monitor, announcer, user).
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// A label.
        #[arg(long, default_value = "")]
        label: String,
    },
    /// Revoke a token by id.
    Revoke {
        /// The id.
        id: String,
    },
}

/// `admin history …`.
#[derive(Debug, Subcommand)]
pub enum HistoryAction {
    /// Show ended parks.
    List {
        /// Only parks ended after this RFC 3339 time.
        #[arg(long)]
        since: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Export ended parks as CSV or JSON.
    Export {
        /// `csv` or `json`.
        #[arg(long, default_value = "csv")]
        format: String,
        /// Only parks ended after this RFC 3339 time.
        #[arg(long)]
        since: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 10_000)]
        limit: usize,
        /// Write here instead of stdout.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

/// Which list field each object has, for comma-separated values.
const LIST_FIELDS: &[&str] = &["members", "numbers", "retrieve_ranges", "roles"];

/// Fields that are always text, even when they look like numbers (`start=701`).
const TEXT_FIELDS: &[&str] = &[
    "id",
    "name",
    "start",
    "end",
    "number",
    "code",
    "label",
    "user",
    "policy",
    "group",
    "park_range",
    "on_timeout",
    "caller_escape_digit",
    "ringback_alert_info",
    "static_contact",
    "sip_ha1",
];

/// Parses `key=value` pairs into a JSON object.
pub fn pairs_to_object(pairs: &[String]) -> anyhow::Result<Map<String, Value>> {
    let mut out = Map::new();
    for pair in pairs {
        let Some((key, raw)) = pair.split_once('=') else {
            bail!("'{pair}' is not key=value");
        };
        let key = key.trim();
        if key.is_empty() {
            bail!("'{pair}' has an empty key");
        }
        let value = match serde_json::from_str::<Value>(raw) {
            _ if TEXT_FIELDS.contains(&key) && raw != "null" => Value::String(raw.to_string()),
            Ok(v) if !(LIST_FIELDS.contains(&key) && v.is_string()) => v,
            _ if LIST_FIELDS.contains(&key) => Value::Array(
                raw.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| Value::String(s.to_string()))
                    .collect(),
            ),
            _ if raw == "null" || raw.is_empty() => Value::Null,
            _ => Value::String(raw.to_string()),
        };
        out.insert(key.to_string(), value);
    }
    Ok(out)
}

/// Runs an admin command.
pub async fn run(config: Option<&Path>, args: AdminArgs) -> anyhow::Result<ExitCode> {
    let url = engine_url(config, args.connect.engine.as_deref())?;
    let token =
        read_token(args.connect.token_file.as_deref()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let (client, _hello) = Client::connect(&url, &token, "parkdesk-admin")
        .await
        .map_err(|e| anyhow::anyhow!("{url}: {e}"))?;
    let json_out = args.json;
    let result = execute(&client, args.command).await;
    client.close();
    match result {
        Ok(Output { value, table }) => {
            if json_out {
                println!("{}", serde_json::to_string_pretty(&value)?);
            } else {
                print!("{table}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("parkdesk admin: {e:#}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// The engine URL: the flag, else `[console] engine` from the config.
fn engine_url(config: Option<&Path>, flag: Option<&str>) -> anyhow::Result<String> {
    if let Some(url) = flag {
        return Ok(url.to_string());
    }
    let settings = crate::config::load(config).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(settings.console.engine)
}

/// What a command prints.
pub(super) struct Output {
    value: Value,
    table: String,
}

impl Output {
    pub(super) fn of(value: Value, table: String) -> Output {
        Output { value, table }
    }
}

pub(super) async fn call(client: &Client, op: &str, args: Value) -> anyhow::Result<Value> {
    client
        .request(op, args)
        .await
        .map_err(|e| anyhow::anyhow!("{op}: {e}"))
}

/// `set`: fetch the current object by its key, merge the pairs, send the whole object.
async fn merge_set(
    client: &Client,
    list_op: &str,
    list_key: &str,
    id_key: &str,
    set_op: &str,
    pairs: &[String],
) -> anyhow::Result<Output> {
    let changes = pairs_to_object(pairs)?;
    let Some(id) = changes
        .get(id_key)
        .and_then(Value::as_str)
        .map(str::to_string)
    else {
        bail!("{id_key}=… is required");
    };
    let listed = call(client, list_op, json!({})).await?;
    let mut object = listed[list_key]
        .as_array()
        .and_then(|items| items.iter().find(|i| i[id_key] == id.as_str()))
        .and_then(|i| i.as_object().cloned())
        .unwrap_or_default();
    object.extend(changes);
    let value = call(client, set_op, Value::Object(object)).await?;
    Ok(Output::of(value, format!("{set_op} {id}: ok\n")))
}

/// One line per string of the JSON list `list`, written by `line`; nothing for no list.
pub(super) fn lines_of(list: &Value, line: impl Fn(&str) -> String) -> String {
    list.as_array()
        .map(|items| items.iter().filter_map(Value::as_str).map(line).collect())
        .unwrap_or_default()
}

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

async fn crud(
    client: &Client,
    noun: &str,
    plural: &str,
    id_key: &str,
    columns: &[&str],
    action: Crud,
) -> anyhow::Result<Output> {
    match action {
        Crud::List => {
            let v = call(client, &format!("{noun}.list"), json!({})).await?;
            let rows = v[plural].as_array().cloned().unwrap_or_default();
            Ok(Output::of(v, table(&rows, columns)))
        }
        Crud::Set { pairs } => {
            merge_set(
                client,
                &format!("{noun}.list"),
                plural,
                id_key,
                &format!("{noun}.set"),
                &pairs,
            )
            .await
        }
        Crud::Remove { name } => {
            let v = call(client, &format!("{noun}.remove"), json!({ id_key: name })).await?;
            Ok(Output::of(v, format!("{noun}.remove {name}: ok\n")))
        }
    }
}

async fn execute(client: &Client, command: AdminCommand) -> anyhow::Result<Output> {
    match command {
        AdminCommand::Health => {
            let v = call(client, "health", json!({})).await?;
            let text = v
                .as_object()
                .map(|o| o.iter().map(|(k, v)| format!("{k}: {v}\n")).collect())
                .unwrap_or_default();
            Ok(Output::of(v, text))
        }
        AdminCommand::Ranges { action } => {
            crud(
                client,
                "range",
                "ranges",
                "name",
                &["name", "kind", "start", "end"],
                action,
            )
            .await
        }
        AdminCommand::Users { action } => {
            crud(
                client,
                "user",
                "users",
                "id",
                &["id", "name", "numbers", "voice_enabled", "policy"],
                action,
            )
            .await
        }
        AdminCommand::Groups { action } => {
            crud(
                client,
                "group",
                "groups",
                "id",
                &["id", "name", "number", "pickup_by", "members"],
                action,
            )
            .await
        }
        AdminCommand::Policies { action } => match action {
            PolicyAction::List => {
                let v = call(client, "policy.list", json!({})).await?;
                let rows = v["policies"].as_array().cloned().unwrap_or_default();
                let mut text = table(
                    &rows,
                    &[
                        "name",
                        "allow_park",
                        "park_range",
                        "allocation",
                        "park_timeout",
                        "ringback_attempts",
                        "on_timeout",
                    ],
                );
                let assignments = v["assignments"].as_array().cloned().unwrap_or_default();
                if !assignments.is_empty() {
                    text.push('\n');
                    text.push_str(&table(&assignments, &["group", "policy", "rank"]));
                }
                Ok(Output::of(v, text))
            }
            PolicyAction::Set { pairs } => {
                merge_set(
                    client,
                    "policy.list",
                    "policies",
                    "name",
                    "policy.set",
                    &pairs,
                )
                .await
            }
            PolicyAction::Remove { name } => {
                let v = call(client, "policy.remove", json!({ "name": name })).await?;
                Ok(Output::of(v, format!("policy.remove {name}: ok\n")))
            }
            PolicyAction::AssignGroup {
                group,
                policy,
                rank,
            } => {
                let args = json!({ "group": group, "policy": policy, "rank": rank });
                let v = call(client, "policy.assign_group", args).await?;
                Ok(Output::of(
                    v,
                    format!("{group} → {policy} at rank {rank}: ok\n"),
                ))
            }
            PolicyAction::UnassignGroup { group } => {
                let v = call(client, "policy.unassign_group", json!({ "group": group })).await?;
                Ok(Output::of(v, format!("{group}: unassigned\n")))
            }
        },
        AdminCommand::Allow { action } => match action {
            AllowAction::List => {
                let v = call(client, "allow.list", json!({})).await?;
                let text = lines_of(&v["allow_list"], |n| format!("{n}\n"));
                Ok(Output::of(v, text))
            }
            AllowAction::Add { number } => {
                let v = call(client, "allow.add", json!({ "number": number })).await?;
                Ok(Output::of(v, format!("{number}: allowed\n")))
            }
            AllowAction::Remove { number } => {
                let v = call(client, "allow.remove", json!({ "number": number })).await?;
                Ok(Output::of(v, format!("{number}: removed\n")))
            }
        },
        AdminCommand::Tokens { action } => match action {
            TokenAction::List => {
                let v = call(client, "token.list", json!({})).await?;
                let rows = v["tokens"].as_array().cloned().unwrap_or_default();
                Ok(Output::of(
                    v.clone(),
                    table(&rows, &["id", "user", "roles", "label"]),
                ))
            }
            TokenAction::Create { user, roles, label } => {
                let args = json!({ "user": user, "roles": roles, "label": label });
                let v = call(client, "token.create", args).await?;
                let text = format!(
                    "token {} for {}: {}\n(shown once: store it now)\n",
                    v["id"].as_str().unwrap_or("?"),
                    user,
                    v["token"].as_str().unwrap_or("?")
                );
                Ok(Output::of(v, text))
            }
            TokenAction::Revoke { id } => {
                let v = call(client, "token.revoke", json!({ "id": id })).await?;
                Ok(Output::of(v, format!("{id}: revoked\n")))
            }
        },
        AdminCommand::History { action } => match action {
            HistoryAction::List { since, limit } => {
                let v = call(
                    client,
                    "history.list",
                    json!({ "since": since, "limit": limit }),
                )
                .await?;
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
                let v = call(
                    client,
                    "history.list",
                    json!({ "since": since, "limit": limit }),
                )
                .await?;
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
        },
        AdminCommand::Operators { action } => admin_numbers::operators(client, action).await,
        AdminCommand::Numbers { action } => admin_numbers::numbers(client, action).await,
        AdminCommand::Addresses { action } => admin_numbers::addresses(client, action).await,
        AdminCommand::Op { op, pairs } => {
            let args = pairs_to_object(&pairs)?;
            let v = call(client, &op, Value::Object(args)).await?;
            let text = serde_json::to_string_pretty(&v)? + "\n";
            Ok(Output::of(v, text))
        }
    }
}

/// History entries (as the engine sent them) as CSV with a header.
fn history_csv(entries: &Value) -> anyhow::Result<String> {
    let entries: Vec<crate::store::HistoryEntry> = serde_json::from_value(entries.clone())
        .context("the engine's history entries did not have the expected shape")?;
    let mut out = Vec::new();
    crate::store::export_history_csv(&entries, &mut out).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_become_json_with_lists_and_plain_text() {
        let pairs: Vec<String> = [
            "name=desk",
            "allow_park=true",
            "park_timeout=120",
            "retrieve_ranges=main,vip",
            "on_timeout=null",
            "start=701",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        let o = pairs_to_object(&pairs).expect("parses");
        assert_eq!(o["name"], "desk");
        assert_eq!(o["allow_park"], true);
        assert_eq!(o["park_timeout"], 120);
        assert_eq!(o["retrieve_ranges"], json!(["main", "vip"]));
        assert_eq!(o["on_timeout"], Value::Null);
        assert_eq!(o["start"], "701", "codes stay text");
        assert!(pairs_to_object(&["oops".to_string()]).is_err());
    }
}
