//! `parkdesk admin …`: every admin op for people and scripts, over the WebSocket API.
//!
//! One file per job: [`directory`] (ranges, policies, users, groups, allow-list, tokens),
//! [`history`], [`numbers`] (operators, numbers, addresses), [`pairs`] (the one
//! `key=value` parser and its rule), [`output`] (tables, sending typed ops), [`store_file`]
//! (backup and restore of the database file, without the engine).
//!
//! `set` commands take `key=value` pairs and merge them into the current object, so
//! `parkdesk admin policies set name=desk park_timeout=120` changes one setting and keeps
//! the rest. Values follow the one rule of [`pairs`]: JSON where they parse as JSON
//! (`true`, `120`, `["a","b"]`), text otherwise; codes and names stay text; list fields
//! also take comma-separated text.

mod directory;
mod history;
pub mod numbers;
mod output;
pub mod pairs;
mod store_file;

pub use numbers::{AddressAction, NumberAction, OperatorAction};
pub use pairs::pairs_to_object;

use super::Connect;
use crate::client::{Client, read_token};
use crate::protocol::op::{AdminOp, EngineOp, QueryOp};
use crate::protocol::{Op, OpName};
use clap::{Args, Subcommand};
use directory::Noun;
use output::{Output, call, call_args};
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
    /// Re-read the engine's configuration file and apply what changed (as SIGHUP does);
    /// a refused reload is printed and exits non-zero.
    Reload,
    /// Back up the store (`[store] path` of --config) to FILE while the engine runs.
    Backup {
        /// Where the copy goes.
        file: PathBuf,
    },
    /// Restore FILE into the store (`[store] path` of --config); the engine must be stopped.
    Restore {
        /// A backup made with `admin backup`.
        file: PathBuf,
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

/// Runs an admin command.
pub async fn run(config: Option<&Path>, args: AdminArgs) -> anyhow::Result<ExitCode> {
    // Backup and restore work on the database file, not through the engine.
    let on_file = match &args.command {
        AdminCommand::Backup { file } => Some(store_file::backup(config, file)),
        AdminCommand::Restore { file } => Some(store_file::restore(config, file)),
        _ => None,
    };
    if let Some(result) = on_file {
        return match result {
            Ok(text) => {
                print!("{text}");
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("parkdesk admin: {e:#}");
                Ok(ExitCode::FAILURE)
            }
        };
    }
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

async fn execute(client: &Client, command: AdminCommand) -> anyhow::Result<Output> {
    match command {
        AdminCommand::Health => {
            let v = call(client, Op::Query(QueryOp::Health)).await?;
            let text = v
                .as_object()
                .map(|o| o.iter().map(|(k, v)| format!("{k}: {v}\n")).collect())
                .unwrap_or_default();
            Ok(Output::of(v, text))
        }
        AdminCommand::Ranges { action } => {
            let noun = Noun {
                list: AdminOp::RangeList,
                set: OpName::RangeSet,
                remove: OpName::RangeRemove,
                plural: "ranges",
                id_key: "name",
                columns: &["name", "kind", "start", "end"],
            };
            directory::crud(client, noun, action).await
        }
        AdminCommand::Users { action } => {
            let noun = Noun {
                list: AdminOp::UserList,
                set: OpName::UserSet,
                remove: OpName::UserRemove,
                plural: "users",
                id_key: "id",
                columns: &["id", "name", "numbers", "voice_enabled", "policy"],
            };
            directory::crud(client, noun, action).await
        }
        AdminCommand::Groups { action } => {
            let noun = Noun {
                list: AdminOp::GroupList,
                set: OpName::GroupSet,
                remove: OpName::GroupRemove,
                plural: "groups",
                id_key: "id",
                columns: &["id", "name", "number", "pickup_by", "members"],
            };
            directory::crud(client, noun, action).await
        }
        AdminCommand::Policies { action } => directory::policies(client, action).await,
        AdminCommand::Allow { action } => directory::allow(client, action).await,
        AdminCommand::Tokens { action } => directory::tokens(client, action).await,
        AdminCommand::History { action } => history::history(client, action).await,
        AdminCommand::Operators { action } => numbers::operators(client, action).await,
        AdminCommand::Numbers { action } => numbers::numbers(client, action).await,
        AdminCommand::Addresses { action } => numbers::addresses(client, action).await,
        AdminCommand::Reload => {
            let v = call(client, Op::Engine(EngineOp::Reload)).await?;
            let list = |key: &str| {
                let items: Vec<&str> = v[key]
                    .as_array()
                    .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
                    .unwrap_or_default();
                if items.is_empty() {
                    "nothing".to_string()
                } else {
                    items.join(", ")
                }
            };
            let text = format!(
                "configuration reloaded; changed: {}; needs a restart: {}\n",
                list("changed"),
                list("restart_needed")
            );
            Ok(Output::of(v, text))
        }
        AdminCommand::Backup { .. } | AdminCommand::Restore { .. } => {
            anyhow::bail!("backup and restore work on the database file, not the engine")
        }
        AdminCommand::Op { op, pairs } => {
            let args = serde_json::Value::Object(pairs_to_object(&pairs)?);
            let v = match OpName::parse(&op) {
                Ok(name) => call_args(client, name, args).await?,
                // Not one this build knows: the engine may (or says `unknown_op`).
                Err(_) => client
                    .request(&op, args)
                    .await
                    .map_err(|e| anyhow::anyhow!("{op}: {e}"))?,
            };
            let text = serde_json::to_string_pretty(&v)? + "\n";
            Ok(Output::of(v, text))
        }
    }
}
