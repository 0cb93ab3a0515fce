//! The numbers ops (`operator.*`, `number.*`, `address.*`): their catalogue, and the desk
//! that holds the inventory inside the engine task, applies a change to a copy, updates the
//! directory users it concerns through the engine, and only then keeps the copy, writes
//! the touched rows and republishes the read view for SIP.

use super::ops;
use crate::engine::{Actor, AdminCommand, Command, Engine, EngineError, Instant};
use crate::numbers::{
    Change, CivicAddress, NumberInventory, NumberRecord, NumberRoutes, NumbersError, Operator,
    OperatorState,
};
use crate::protocol::op::NumbersOp;
use crate::protocol::{ErrorBody, ErrorCode};
use crate::store::Store;
use serde_json::{Value, json};
use std::sync::Arc;
use tokio::sync::watch;

/// The protocol error for a refusal of the inventory; `conflict`s name the numbers in the
/// way (`data.numbers`), a bad import lists its rows (`data.errors`).
pub fn numbers_error(err: &NumbersError) -> ErrorBody {
    let mut body = ErrorBody::new(ErrorCode::from_code(err.code()), err.to_string());
    match err {
        NumbersError::InUse { numbers, .. } => body.data = Some(json!({ "numbers": numbers })),
        NumbersError::Import(errors) => body.data = Some(json!({ "errors": errors })),
        _ => {}
    }
    body
}

/// A number as the ops show it: the record, whether it takes calls, and its address mode.
pub fn number_json(inventory: &NumberInventory, record: &NumberRecord) -> Value {
    let mut v = serde_json::to_value(record).unwrap_or(Value::Null);
    if let Value::Object(o) = &mut v {
        o.insert("in_service".into(), json!(inventory.in_service(record)));
        o.insert(
            "address_mode".into(),
            json!(inventory.address_mode(record).as_str()),
        );
    }
    v
}

/// An operator as the ops show it, with how many numbers it has and how many are assigned.
pub fn operator_json(inventory: &NumberInventory, op: &Operator) -> Value {
    let mut v = serde_json::to_value(op).unwrap_or(Value::Null);
    let theirs = inventory
        .numbers()
        .filter(|n| n.operator.as_deref() == Some(op.id.as_str()));
    let (mut total, mut assigned) = (0, 0);
    for n in theirs {
        total += 1;
        assigned += usize::from(n.user.is_some());
    }
    if let Value::Object(o) = &mut v {
        o.insert("numbers".into(), json!(total));
        o.insert("assigned".into(), json!(assigned));
    }
    v
}

fn address_json(inventory: &NumberInventory, a: &CivicAddress) -> Value {
    let mut v = serde_json::to_value(a).unwrap_or(Value::Null);
    let users: Vec<&str> = inventory
        .numbers()
        .filter(|n| n.address.as_deref() == Some(a.id.as_str()))
        .map(|n| n.number.as_str())
        .collect();
    if let Value::Object(o) = &mut v {
        o.insert("numbers".into(), json!(users));
    }
    v
}

/// The inventory inside the engine task, and the read view it publishes.
#[derive(Debug)]
pub struct NumbersDesk {
    inventory: NumberInventory,
    routes: watch::Sender<Arc<NumberRoutes>>,
}

impl Default for NumbersDesk {
    fn default() -> Self {
        NumbersDesk::new(NumberInventory::default())
    }
}

/// Why a change could not be made: the inventory's or the engine's refusal.
enum Refusal {
    Numbers(NumbersError),
    Engine(EngineError),
}

impl From<NumbersError> for Refusal {
    fn from(e: NumbersError) -> Self {
        Refusal::Numbers(e)
    }
}

impl NumbersDesk {
    /// A desk around an inventory (the stored one at start).
    pub fn new(inventory: NumberInventory) -> NumbersDesk {
        let (routes, _) = watch::channel(Arc::new(inventory.routes()));
        NumbersDesk { inventory, routes }
    }

    /// Replaces the inventory (loaded from the store at start).
    pub fn load(&mut self, inventory: NumberInventory) {
        self.inventory = inventory;
        self.publish();
    }

    /// The inventory.
    pub fn inventory(&self) -> &NumberInventory {
        &self.inventory
    }

    /// The read view for the SIP side: always the latest, cheap to read on every call.
    pub fn routes(&self) -> watch::Receiver<Arc<NumberRoutes>> {
        self.routes.subscribe()
    }

    /// Is this dialled number owned by a suspended operator? (SIP answers `480`.)
    pub fn is_suspended_number(&self, dialled: &str) -> bool {
        self.routes.borrow().is_suspended(dialled)
    }

    /// Which user has this number?
    pub fn user_of_number(&self, dialled: &str) -> Option<String> {
        self.routes.borrow().user_for(dialled).map(str::to_string)
    }

    fn publish(&self) {
        self.routes.send_replace(Arc::new(self.inventory.routes()));
    }

    /// A user left the directory: its numbers become unassigned.
    pub fn user_removed(&mut self, user: &str, store: Option<&Store>) {
        let change = self.inventory.user_removed(user);
        if !change.numbers.is_empty() {
            if let Some(store) = store {
                store.save_numbers(&self.inventory, &change);
            }
            self.publish();
        }
    }

    /// Runs a numbers op.
    pub fn handle(
        &mut self,
        engine: &mut Engine,
        now: Instant,
        actor: &Actor,
        store: Option<&Store>,
        op: NumbersOp,
    ) -> Result<Value, ErrorBody> {
        let inv = &self.inventory;
        match op {
            NumbersOp::OperatorList => {
                let ops: Vec<Value> = inv.operators().map(|o| operator_json(inv, o)).collect();
                Ok(json!({ "operators": ops }))
            }
            NumbersOp::NumberList(query) => {
                let page = inv.list(&query).map_err(|e| numbers_error(&e))?;
                let numbers: Vec<Value> =
                    page.numbers.iter().map(|n| number_json(inv, n)).collect();
                Ok(json!({
                    "numbers": numbers, "total": page.total,
                    "offset": page.offset, "limit": page.limit,
                }))
            }
            NumbersOp::AddressList => {
                let list: Vec<Value> = inv.addresses().map(|a| address_json(inv, a)).collect();
                Ok(json!({ "addresses": list }))
            }
            op => self.change(engine, now, actor, store, op),
        }
    }

    /// A mutating op: apply to a copy, update the engine's users, keep the copy.
    fn change(
        &mut self,
        engine: &mut Engine,
        now: Instant,
        actor: &Actor,
        store: Option<&Store>,
        op: NumbersOp,
    ) -> Result<Value, ErrorBody> {
        let mut next = self.inventory.clone();
        let users = |id: &str| engine.setup().users.iter().any(|u| u.id == id);
        let operator_ok = |next: &NumberInventory, id: &str| {
            let v = next
                .operator(id)
                .map(|o| operator_json(next, o))
                .unwrap_or(Value::Null);
            json!({ "operator": v })
        };
        let outcome: Result<(Change, Value), NumbersError> = match op {
            NumbersOp::OperatorEnable(a) => next
                .enable_operator(&a)
                .map(|c| (c, operator_ok(&next, &a.operator))),
            NumbersOp::OperatorEdit(a) => next
                .edit_operator(&a)
                .map(|c| (c, operator_ok(&next, &a.operator))),
            NumbersOp::OperatorSuspend(a) => next
                .set_operator_state(&a.operator, OperatorState::Suspended)
                .map(|c| (c, operator_ok(&next, &a.operator))),
            NumbersOp::OperatorResume(a) => next
                .set_operator_state(&a.operator, OperatorState::Active)
                .map(|c| (c, operator_ok(&next, &a.operator))),
            NumbersOp::OperatorRemove(a) => next
                .remove_operator(&a.operator, a.country.as_deref())
                .map(|(c, r)| {
                    let v = json!({
                        "operator_removed": r.operator_removed,
                        "released": r.numbers,
                    });
                    (c, v)
                }),
            NumbersOp::NumberImport(a) => next
                .import_csv(&a.csv)
                .map(|(c, report)| (c, json!(report))),
            NumbersOp::NumberAssign(a) => next
                .assign(&a.number, &a.user, users)
                .map(|c| (c, Value::Null)),
            NumbersOp::NumberUnassign(a) => next.unassign(&a.number).map(|c| (c, Value::Null)),
            NumbersOp::NumberRelease(a) => next.release(&a.numbers).map(|c| {
                let v = json!({ "released": c.numbers });
                (c, v)
            }),
            NumbersOp::NumberMigrate(a) => next.migrate(&a, users).map(|c| (c, Value::Null)),
            NumbersOp::NumberSetAddress(a) => next
                .set_number_address(&a.number, a.address.as_deref(), a.as_operator)
                .map(|c| (c, Value::Null)),
            NumbersOp::AddressSet(a) => next.set_address(a.address, a.as_operator).map(|c| {
                let v = c
                    .addresses
                    .first()
                    .and_then(|id| next.address(id))
                    .map(|a| address_json(&next, a))
                    .unwrap_or(Value::Null);
                (c, json!({ "address": v }))
            }),
            NumbersOp::AddressRemove(a) => next.remove_address(&a.id).map(|c| (c, json!({}))),
            // The reads were answered by `handle`.
            other => {
                return Err(ErrorBody::new(
                    ErrorCode::UnknownOp,
                    format!("unknown op '{}'", other.name()),
                ));
            }
        };
        let (change, mut value) = outcome.map_err(|e| numbers_error(&e))?;
        self.update_users(engine, now, actor, &next, &change)
            .map_err(|r| match r {
                Refusal::Numbers(e) => numbers_error(&e),
                Refusal::Engine(e) => ops::engine_error(&e),
            })?;
        if value.is_null() {
            // Number ops answer with the number as it is now.
            value = change
                .numbers
                .first()
                .and_then(|n| next.number(n))
                .map(|r| json!({ "number": number_json(&next, r) }))
                .unwrap_or_else(|| json!({}));
        }
        self.inventory = next;
        if let Some(store) = store {
            store.save_numbers(&self.inventory, &change);
            if !change.users.is_empty() {
                save_directory(store, engine);
            }
        }
        self.publish();
        Ok(value)
    }

    /// Gives the engine the users the change assigned or unassigned numbers to.
    fn update_users(
        &self,
        engine: &mut Engine,
        now: Instant,
        actor: &Actor,
        next: &NumberInventory,
        change: &Change,
    ) -> Result<(), Refusal> {
        for user_change in &change.users {
            let id = user_change.user();
            let Some(mut user) = engine.setup().users.iter().find(|u| u.id == id).cloned() else {
                return Err(NumbersError::NotFound(format!("no user '{id}'")).into());
            };
            let holds_more = next.numbers_of(id).next().is_some();
            user.apply_number_change(user_change, holds_more);
            engine
                .handle_command(now, actor, Command::Admin(AdminCommand::UserSet(user)))
                .map_err(Refusal::Engine)?;
        }
        Ok(())
    }
}

/// Saves the directory after users changed: queued now, in order with every other write.
fn save_directory(store: &Store, engine: &Engine) {
    store.put_setup(engine.setup());
}
