//! The numbers inventory's persistence: operators, numbers and emergency addresses, each row
//! a JSON body keyed by its id (numbers by their E.164 form). A change is written as one
//! write, so it lands in one transaction.

use super::Store;
use super::error::StoreError;
use super::worker::{Request, Write};
use crate::numbers::{Change, CivicAddress, NumberInventory, NumberRecord, Operator};
use rusqlite::{Connection, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// One row to write: the item, or its deletion.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum NumbersRow {
    PutOperator(Operator),
    DeleteOperator(String),
    PutNumber(NumberRecord),
    DeleteNumber(String),
    PutAddress(CivicAddress),
    DeleteAddress(String),
}

/// The stored inventory, as loaded at start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredNumbers {
    /// Operators.
    pub operators: Vec<Operator>,
    /// Numbers.
    pub numbers: Vec<NumberRecord>,
    /// Addresses.
    pub addresses: Vec<CivicAddress>,
}

impl StoredNumbers {
    /// The inventory these rows make.
    pub fn into_inventory(self) -> NumberInventory {
        NumberInventory::from_parts(self.operators, self.numbers, self.addresses)
    }
}

/// The rows `change` touched, as they are now in `inventory` (absent: deleted).
fn rows(inventory: &NumberInventory, change: &Change) -> Vec<NumbersRow> {
    let mut out = Vec::new();
    for id in &change.operators {
        out.push(match inventory.operator(id) {
            Some(o) => NumbersRow::PutOperator(o.clone()),
            None => NumbersRow::DeleteOperator(id.clone()),
        });
    }
    for n in &change.numbers {
        out.push(match inventory.number(n) {
            Some(r) => NumbersRow::PutNumber(r.clone()),
            None => NumbersRow::DeleteNumber(n.clone()),
        });
    }
    for id in &change.addresses {
        out.push(match inventory.address(id) {
            Some(a) => NumbersRow::PutAddress(a.clone()),
            None => NumbersRow::DeleteAddress(id.clone()),
        });
    }
    out
}

impl Store {
    /// Writes the rows `change` touched, as `inventory` now holds them, in one transaction.
    pub fn save_numbers(&self, inventory: &NumberInventory, change: &Change) {
        let rows = rows(inventory, change);
        if !rows.is_empty() {
            self.write(Write::Numbers(rows));
        }
    }

    /// The stored inventory.
    pub async fn load_numbers(&self) -> Result<StoredNumbers, StoreError> {
        self.request(Request::LoadNumbers).await
    }
}

fn put<T: Serialize>(
    conn: &Connection,
    table: &str,
    key: &str,
    item: &T,
) -> Result<(), StoreError> {
    let body = serde_json::to_string(item).map_err(|e| StoreError::Corrupt {
        table: "numbers",
        key: key.to_string(),
        message: e.to_string(),
    })?;
    conn.execute(
        &format!(
            "INSERT INTO {table} (key, body) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET body = excluded.body"
        ),
        params![key, body],
    )?;
    Ok(())
}

fn delete(conn: &Connection, table: &str, key: &str) -> Result<(), StoreError> {
    conn.execute(&format!("DELETE FROM {table} WHERE key = ?1"), [key])?;
    Ok(())
}

/// Applies one change's rows (inside the caller's transaction).
pub(crate) fn apply(conn: &Connection, rows: &[NumbersRow]) -> Result<(), StoreError> {
    for row in rows {
        match row {
            NumbersRow::PutOperator(o) => put(conn, "num_operators", &o.id, o)?,
            NumbersRow::DeleteOperator(id) => delete(conn, "num_operators", id)?,
            NumbersRow::PutNumber(n) => put(conn, "num_numbers", &n.number, n)?,
            NumbersRow::DeleteNumber(n) => delete(conn, "num_numbers", n)?,
            NumbersRow::PutAddress(a) => put(conn, "num_addresses", &a.id, a)?,
            NumbersRow::DeleteAddress(id) => delete(conn, "num_addresses", id)?,
        }
    }
    Ok(())
}

fn list<T: DeserializeOwned>(conn: &Connection, table: &'static str) -> Result<Vec<T>, StoreError> {
    let mut stmt = conn.prepare(&format!("SELECT key, body FROM {table} ORDER BY key"))?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut items = Vec::new();
    for row in rows {
        let (key, body) = row?;
        items.push(
            serde_json::from_str(&body).map_err(|e| StoreError::Corrupt {
                table,
                key,
                message: e.to_string(),
            })?,
        );
    }
    Ok(items)
}

/// Reads the whole inventory.
pub(crate) fn load(conn: &Connection) -> Result<StoredNumbers, StoreError> {
    Ok(StoredNumbers {
        operators: list(conn, "num_operators")?,
        numbers: list(conn, "num_numbers")?,
        addresses: list(conn, "num_addresses")?,
    })
}
