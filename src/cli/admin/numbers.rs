//! `parkdesk admin operators|numbers|addresses …`: the numbers inventory for people and
//! scripts. `key=value` pairs are text (a postal code stays `01234`), except `countries`
//! (comma-separated), `latitude`/`longitude` (numbers) and `null` (clears): the
//! [`super::pairs::NUMBERS`] fields of the one `key=value` rule.

use super::output::{Output, call, lines_of, send_args, table};
use super::pairs::{self, NUMBERS};
use crate::client::{Client, ClientError};
use crate::protocol::op::NumbersOp;
use crate::protocol::op::numbers::{
    NumberAssign, NumberImport, NumberRef, NumberRelease, OperatorRef, OperatorRemove,
};
use crate::protocol::{Op, OpName};
use anyhow::{Context, bail};
use clap::Subcommand;
use serde_json::{Map, Value, json};
use std::path::PathBuf;

/// `admin operators …`.
#[derive(Debug, Subcommand)]
pub enum OperatorAction {
    /// List operators with their countries, contact and state.
    List,
    /// Enable an operator in countries: `countries=US,GB name=… full_name=… email=…
    /// company_size=1-50|51-250|251-1000|1001-10000|10001+ [phone=…]
    /// [address_mode=customer|operator_editable|operator_locked]`.
    Enable {
        /// The operator's id.
        operator: String,
        /// `key=value` pairs.
        pairs: Vec<String>,
    },
    /// Change an operator's name, contact or address mode (`key=value` pairs).
    Edit {
        /// The operator's id.
        operator: String,
        /// `key=value` pairs.
        #[arg(required = true)]
        pairs: Vec<String>,
    },
    /// Suspend: its numbers take no calls; nothing is lost.
    Suspend {
        /// The operator's id.
        operator: String,
    },
    /// Resume a suspended operator.
    Resume {
        /// The operator's id.
        operator: String,
    },
    /// Remove from a country, or entirely (refused while its numbers there are assigned).
    Remove {
        /// The operator's id.
        operator: String,
        /// Only this country (ISO 3166-1 alpha-2).
        #[arg(long)]
        country: Option<String>,
    },
}

/// `admin numbers …`.
#[derive(Debug, Subcommand)]
pub enum NumberAction {
    /// List numbers, filtered and paged.
    List {
        /// Digits the number starts with.
        #[arg(long)]
        starts_with: Option<String>,
        /// Digits anywhere in the number.
        #[arg(long)]
        contains: Option<String>,
        /// unassigned, assigned, pending or failed.
        #[arg(long)]
        state: Option<String>,
        /// operator_connect, calling_plan or direct_routing.
        #[arg(long)]
        source: Option<String>,
        /// ISO 3166-1 alpha-2.
        #[arg(long)]
        country: Option<String>,
        /// An operator's id.
        #[arg(long)]
        operator: Option<String>,
        /// A user's id.
        #[arg(long)]
        user: Option<String>,
        /// Skip this many.
        #[arg(long, default_value_t = 0)]
        offset: usize,
        /// At most this many (1–500).
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Import the operator's CSV (`number,source,operator,country,city,capability`): all of
    /// it, or nothing when a row is bad.
    Import {
        /// The file.
        file: PathBuf,
    },
    /// Assign a number to a user (the user becomes voice-enabled).
    Assign {
        /// The number.
        number: String,
        /// The user's id.
        user: String,
    },
    /// Take a number from its user.
    Unassign {
        /// The number.
        number: String,
    },
    /// Release unassigned numbers (all or none).
    Release {
        /// The numbers.
        #[arg(required = true)]
        numbers: Vec<String>,
    },
    /// One migration step: start, unassign, out_of_service, move, fail, reassign.
    Migrate {
        /// The number.
        number: String,
        /// The step.
        step: String,
        /// `start`: the operator it moves to.
        #[arg(long)]
        operator: Option<String>,
        /// `reassign`: another user than the one it was taken from.
        #[arg(long)]
        user: Option<String>,
        /// `fail`: why the move failed.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Give a number its emergency address (none given: clear it).
    Address {
        /// The number.
        number: String,
        /// The address's id.
        address: Option<String>,
        /// Act as the operator (the only one who changes a locked address).
        #[arg(long)]
        as_operator: bool,
    },
}

/// `admin addresses …`.
#[derive(Debug, Subcommand)]
pub enum AddressAction {
    /// List addresses and the numbers using them.
    List,
    /// Create or change an address: `id=… company=… country=… house_number=…
    /// [house_number_suffix=…] street=… city=… [state=…] postal_code=… [latitude=…
    /// longitude=…] [description=…]` (merged into the current address).
    Set {
        /// `key=value` pairs.
        #[arg(required = true)]
        pairs: Vec<String>,
        /// Act as the operator (the only one who changes a locked address).
        #[arg(long)]
        as_operator: bool,
    },
    /// Remove an address no number uses.
    Remove {
        /// The address's id.
        id: String,
    },
}

/// `key=value` pairs as the numbers ops take them.
pub fn pairs(pairs: &[String]) -> anyhow::Result<Map<String, Value>> {
    pairs::parse(pairs, &NUMBERS)
}

/// A refusal with its details: an import's bad rows, a conflict's numbers.
fn explain(op: &str, err: ClientError) -> anyhow::Error {
    if let ClientError::Refused {
        message,
        data: Some(data),
        ..
    } = &err
        && let Some(rows) = data["errors"].as_array()
    {
        let lines: Vec<String> = rows
            .iter()
            .map(|r| {
                format!(
                    "  line {}: {}: {}",
                    r["line"],
                    r["field"].as_str().unwrap_or("?"),
                    r["reason"].as_str().unwrap_or("?")
                )
            })
            .collect();
        return anyhow::anyhow!("{op} refused: {message}\n{}", lines.join("\n"));
    }
    anyhow::anyhow!("{err}")
}

/// Sends command-line args for the op `name` (typed when they decode).
async fn request(client: &Client, name: OpName, args: Value) -> anyhow::Result<Value> {
    send_args(client, name, args)
        .await
        .map_err(|e| explain(name.as_str(), e))
}

/// Sends a typed op.
async fn request_op(client: &Client, op: NumbersOp) -> anyhow::Result<Value> {
    let name = op.name();
    client
        .op(Op::Numbers(op))
        .await
        .map_err(|e| explain(name.as_str(), e))
}

const OPERATOR_COLUMNS: &[&str] = &[
    "id",
    "name",
    "countries",
    "state",
    "address_mode",
    "numbers",
    "assigned",
];
const NUMBER_COLUMNS: &[&str] = &[
    "number",
    "source",
    "operator",
    "country",
    "city",
    "capability",
    "state",
    "user",
    "address",
];

fn number_line(v: &Value) -> String {
    let n = &v["number"];
    let mut line = format!(
        "{}: {}",
        n["number"].as_str().unwrap_or("?"),
        n["state"].as_str().unwrap_or("?")
    );
    if let Some(user) = n["user"].as_str() {
        line.push_str(&format!(" ({user})"));
    }
    if let Some(stage) = n["migration"]["stage"].as_str() {
        line.push_str(&format!(", migration at {stage}"));
    }
    line.push('\n');
    line
}

/// `admin operators …`.
pub(super) async fn operators(client: &Client, action: OperatorAction) -> anyhow::Result<Output> {
    match action {
        OperatorAction::List => {
            let v = call(client, Op::Numbers(NumbersOp::OperatorList)).await?;
            let rows: Vec<Value> = v["operators"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|mut o| {
                    o["email"] = o["contact"]["email"].clone();
                    o
                })
                .collect();
            let mut columns = OPERATOR_COLUMNS.to_vec();
            columns.insert(2, "email");
            Ok(Output::of(v, table(&rows, &columns)))
        }
        OperatorAction::Enable { operator, pairs: p } => {
            let mut args = pairs(&p)?;
            args.insert("operator".into(), json!(operator));
            let v = request(client, OpName::OperatorEnable, Value::Object(args)).await?;
            let text = format!(
                "{operator}: enabled in {}\n",
                v["operator"]["countries"]
                    .as_array()
                    .map(|c| c
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(","))
                    .unwrap_or_default()
            );
            Ok(Output::of(v, text))
        }
        OperatorAction::Edit { operator, pairs: p } => {
            let mut args = pairs(&p)?;
            args.insert("operator".into(), json!(operator));
            let v = request(client, OpName::OperatorEdit, Value::Object(args)).await?;
            Ok(Output::of(v, format!("{operator}: changed\n")))
        }
        OperatorAction::Suspend { operator } => {
            let v = request_op(
                client,
                NumbersOp::OperatorSuspend(OperatorRef {
                    operator: operator.clone(),
                }),
            )
            .await?;
            Ok(Output::of(
                v,
                format!("{operator}: suspended (its numbers take no calls)\n"),
            ))
        }
        OperatorAction::Resume { operator } => {
            let v = request_op(
                client,
                NumbersOp::OperatorResume(OperatorRef {
                    operator: operator.clone(),
                }),
            )
            .await?;
            Ok(Output::of(v, format!("{operator}: active\n")))
        }
        OperatorAction::Remove { operator, country } => {
            let op = NumbersOp::OperatorRemove(OperatorRemove {
                operator: operator.clone(),
                country: country.clone(),
            });
            let v = request_op(client, op).await?;
            let released = v["released"].as_array().map_or(0, Vec::len);
            let what = match (&country, v["operator_removed"].as_bool()) {
                (_, Some(true)) => format!("{operator}: removed"),
                (Some(c), _) => format!("{operator}: removed from {c}"),
                (None, _) => format!("{operator}: removed"),
            };
            Ok(Output::of(
                v,
                format!("{what}; {released} number(s) released\n"),
            ))
        }
    }
}

/// `admin numbers …`.
pub(super) async fn numbers(client: &Client, action: NumberAction) -> anyhow::Result<Output> {
    match action {
        NumberAction::List {
            starts_with,
            contains,
            state,
            source,
            country,
            operator,
            user,
            offset,
            limit,
        } => {
            let mut args = Map::new();
            for (k, v) in [
                ("starts_with", starts_with),
                ("contains", contains),
                ("state", state),
                ("source", source),
                ("country", country),
                ("operator", operator),
                ("user", user),
            ] {
                if let Some(v) = v {
                    args.insert(k.into(), json!(v));
                }
            }
            args.insert("offset".into(), json!(offset));
            args.insert("limit".into(), json!(limit));
            let v = request(client, OpName::NumberList, Value::Object(args)).await?;
            let rows = v["numbers"].as_array().cloned().unwrap_or_default();
            let mut text = table(&rows, NUMBER_COLUMNS);
            let shown = rows.len();
            let total = v["total"].as_u64().unwrap_or(0);
            if shown as u64 != total {
                text.push_str(&format!(
                    "({shown} of {total} from {offset}; page with --offset)\n"
                ));
            }
            Ok(Output::of(v, text))
        }
        NumberAction::Import { file } => {
            let csv = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let v = request_op(client, NumbersOp::NumberImport(NumberImport { csv })).await?;
            let text = format!(
                "{}: {} added, {} updated, {} unchanged\n",
                file.display(),
                v["added"],
                v["updated"],
                v["unchanged"]
            );
            Ok(Output::of(v, text))
        }
        NumberAction::Assign { number, user } => {
            let v = request_op(
                client,
                NumbersOp::NumberAssign(NumberAssign { number, user }),
            )
            .await?;
            let text = number_line(&v);
            Ok(Output::of(v, text))
        }
        NumberAction::Unassign { number } => {
            let v = request_op(client, NumbersOp::NumberUnassign(NumberRef { number })).await?;
            let text = number_line(&v);
            Ok(Output::of(v, text))
        }
        NumberAction::Release { numbers } => {
            let v = request_op(client, NumbersOp::NumberRelease(NumberRelease { numbers })).await?;
            let text = lines_of(&v["released"], |n| format!("{n}: released\n"));
            Ok(Output::of(v, text))
        }
        NumberAction::Migrate {
            number,
            step,
            operator,
            user,
            reason,
        } => {
            let args = json!({
                "number": number, "step": step, "operator": operator,
                "user": user, "reason": reason,
            });
            let v = request(client, OpName::NumberMigrate, args).await?;
            let text = number_line(&v);
            Ok(Output::of(v, text))
        }
        NumberAction::Address {
            number,
            address,
            as_operator,
        } => {
            let args = json!({ "number": number, "address": address, "as_operator": as_operator });
            let v = request(client, OpName::NumberSetAddress, args).await?;
            let text = match v["number"]["address"].as_str() {
                Some(a) => format!("{number}: emergency address {a}\n"),
                None => format!("{number}: no emergency address\n"),
            };
            Ok(Output::of(v, text))
        }
    }
}

/// `admin addresses …`.
pub(super) async fn addresses(client: &Client, action: AddressAction) -> anyhow::Result<Output> {
    match action {
        AddressAction::List => {
            let v = call(client, Op::Numbers(NumbersOp::AddressList)).await?;
            let rows = v["addresses"].as_array().cloned().unwrap_or_default();
            let text = table(
                &rows,
                &[
                    "id",
                    "company",
                    "house_number",
                    "street",
                    "city",
                    "postal_code",
                    "country",
                    "numbers",
                ],
            );
            Ok(Output::of(v, text))
        }
        AddressAction::Set {
            pairs: p,
            as_operator,
        } => {
            let changes = pairs(&p)?;
            let Some(id) = changes
                .get("id")
                .and_then(Value::as_str)
                .map(str::to_string)
            else {
                bail!("id=… is required");
            };
            let listed = call(client, Op::Numbers(NumbersOp::AddressList)).await?;
            let mut object = listed["addresses"]
                .as_array()
                .and_then(|l| l.iter().find(|a| a["id"] == id.as_str()))
                .and_then(|a| a.as_object().cloned())
                .unwrap_or_default();
            object.remove("numbers");
            object.extend(changes);
            object.insert("as_operator".into(), json!(as_operator));
            let v = request(client, OpName::AddressSet, Value::Object(object)).await?;
            Ok(Output::of(v, format!("address {id}: saved\n")))
        }
        AddressAction::Remove { id } => {
            let v = request(client, OpName::AddressRemove, json!({ "id": id })).await?;
            Ok(Output::of(v, format!("address {id}: removed\n")))
        }
    }
}
