//! `parkdesk admin ranges|policies|users|groups|allow|tokens …`: the engine's directory and
//! the API tokens. `set` fetches the current object, merges the `key=value` pairs into it
//! and sends the whole object, so one setting changes and the rest stay.

use super::output::{Output, call, call_args, lines_of, table};
use super::pairs::pairs_to_object;
use super::{AllowAction, Crud, PolicyAction, TokenAction};
use crate::client::Client;
use crate::engine::{AdminCommand, GroupAssignment};
use crate::protocol::op::AdminOp;
use crate::protocol::op::admin::TokenRevoke;
use crate::protocol::{Op, OpName};
use anyhow::bail;
use serde_json::{Value, json};

/// An object managed with list / set / remove.
pub(super) struct Noun {
    /// Its list op.
    pub(super) list: AdminOp,
    /// Its set op.
    pub(super) set: OpName,
    /// Its remove op.
    pub(super) remove: OpName,
    /// The list's field in the list op's ok.
    pub(super) plural: &'static str,
    /// The field naming one.
    pub(super) id_key: &'static str,
    /// The table's columns.
    pub(super) columns: &'static [&'static str],
}

/// `ranges`, `users`, `groups`.
pub(super) async fn crud(client: &Client, noun: Noun, action: Crud) -> anyhow::Result<Output> {
    match action {
        Crud::List => {
            let v = call(client, Op::Admin(noun.list)).await?;
            let rows = v[noun.plural].as_array().cloned().unwrap_or_default();
            Ok(Output::of(v, table(&rows, noun.columns)))
        }
        Crud::Set { pairs } => {
            merge_set(
                client,
                noun.list,
                noun.plural,
                noun.id_key,
                noun.set,
                &pairs,
            )
            .await
        }
        Crud::Remove { name } => {
            let v = call_args(client, noun.remove, json!({ noun.id_key: name })).await?;
            Ok(Output::of(v, format!("{} {name}: ok\n", noun.remove)))
        }
    }
}

/// `set`: fetch the current object by its key, merge the pairs, send the whole object.
async fn merge_set(
    client: &Client,
    list_op: AdminOp,
    list_key: &str,
    id_key: &str,
    set_op: OpName,
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
    let listed = call(client, Op::Admin(list_op)).await?;
    let mut object = listed[list_key]
        .as_array()
        .and_then(|items| items.iter().find(|i| i[id_key] == id.as_str()))
        .and_then(|i| i.as_object().cloned())
        .unwrap_or_default();
    object.extend(changes);
    let value = call_args(client, set_op, Value::Object(object)).await?;
    Ok(Output::of(value, format!("{set_op} {id}: ok\n")))
}

/// `policies …`.
pub(super) async fn policies(client: &Client, action: PolicyAction) -> anyhow::Result<Output> {
    match action {
        PolicyAction::List => {
            let v = call(client, Op::Admin(AdminOp::PolicyList)).await?;
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
                AdminOp::PolicyList,
                "policies",
                "name",
                OpName::PolicySet,
                &pairs,
            )
            .await
        }
        PolicyAction::Remove { name } => {
            let op = AdminCommand::PolicyRemove { name: name.clone() };
            let v = call(client, Op::Admin(AdminOp::Change(op))).await?;
            Ok(Output::of(v, format!("policy.remove {name}: ok\n")))
        }
        PolicyAction::AssignGroup {
            group,
            policy,
            rank,
        } => {
            let op = AdminCommand::PolicyAssignGroup(GroupAssignment {
                group: group.clone(),
                policy: policy.clone(),
                rank,
            });
            let v = call(client, Op::Admin(AdminOp::Change(op))).await?;
            Ok(Output::of(
                v,
                format!("{group} → {policy} at rank {rank}: ok\n"),
            ))
        }
        PolicyAction::UnassignGroup { group } => {
            let op = AdminCommand::PolicyUnassignGroup {
                group: group.clone(),
            };
            let v = call(client, Op::Admin(AdminOp::Change(op))).await?;
            Ok(Output::of(v, format!("{group}: unassigned\n")))
        }
    }
}

/// `allow …`.
pub(super) async fn allow(client: &Client, action: AllowAction) -> anyhow::Result<Output> {
    match action {
        AllowAction::List => {
            let v = call(client, Op::Admin(AdminOp::AllowList)).await?;
            let text = lines_of(&v["allow_list"], |n| format!("{n}\n"));
            Ok(Output::of(v, text))
        }
        AllowAction::Add { number } => {
            let op = AdminCommand::AllowAdd {
                number: number.clone(),
            };
            let v = call(client, Op::Admin(AdminOp::Change(op))).await?;
            Ok(Output::of(v, format!("{number}: allowed\n")))
        }
        AllowAction::Remove { number } => {
            let op = AdminCommand::AllowRemove {
                number: number.clone(),
            };
            let v = call(client, Op::Admin(AdminOp::Change(op))).await?;
            Ok(Output::of(v, format!("{number}: removed\n")))
        }
    }
}

/// `tokens …`.
pub(super) async fn tokens(client: &Client, action: TokenAction) -> anyhow::Result<Output> {
    match action {
        TokenAction::List => {
            let v = call(client, Op::Admin(AdminOp::TokenList)).await?;
            let rows = v["tokens"].as_array().cloned().unwrap_or_default();
            Ok(Output::of(
                v.clone(),
                table(&rows, &["id", "user", "roles", "label"]),
            ))
        }
        TokenAction::Create { user, roles, label } => {
            // Roles stay text here: the engine names an unknown one.
            let args = json!({ "user": user, "roles": roles, "label": label });
            let v = call_args(client, OpName::TokenCreate, args).await?;
            let text = format!(
                "token {} for {}: {}\n(shown once: store it now)\n",
                v["id"].as_str().unwrap_or("?"),
                user,
                v["token"].as_str().unwrap_or("?")
            );
            Ok(Output::of(v, text))
        }
        TokenAction::Revoke { id } => {
            let op = AdminOp::TokenRevoke(TokenRevoke { id: id.clone() });
            let v = call(client, Op::Admin(op)).await?;
            Ok(Output::of(v, format!("{id}: revoked\n")))
        }
    }
}
