//! Emergency addresses under the operator's mode: left to the customer, set by the operator
//! and editable, or set by the operator and locked (customer edits are refused with the
//! reason). Inventory only: parkdesk routes no emergency calls.

use super::address::CivicAddress;
use super::error::NumbersError;
use super::inventory::{Change, NumberInventory};
use super::number::{NumberRecord, SetBy};
use super::operator::AddressMode;

impl NumberInventory {
    /// The address mode a number is under (its operator's; `customer` without one).
    pub fn address_mode(&self, record: &NumberRecord) -> AddressMode {
        record
            .operator
            .as_deref()
            .and_then(|o| self.operators.get(o))
            .map_or(AddressMode::Customer, |o| o.address_mode)
    }

    fn refuse_if_locked(
        &self,
        record: &NumberRecord,
        as_operator: bool,
    ) -> Result<(), NumbersError> {
        if as_operator || self.address_mode(record) != AddressMode::OperatorLocked {
            return Ok(());
        }
        let operator = record.operator.as_deref().unwrap_or("?");
        Err(NumbersError::Locked(format!(
            "the emergency address of {} is set by operator '{operator}' and locked; only the \
             operator changes it",
            record.number
        )))
    }

    /// Creates or replaces an address. Replacing one that a locked number uses is the
    /// operator's to do.
    pub fn set_address(
        &mut self,
        address: CivicAddress,
        as_operator: bool,
    ) -> Result<Change, NumbersError> {
        let address = address.validated()?;
        if self.addresses.contains_key(&address.id) {
            for record in self
                .numbers
                .values()
                .filter(|n| n.address.as_deref() == Some(address.id.as_str()))
            {
                self.refuse_if_locked(record, as_operator)?;
            }
        }
        let id = address.id.clone();
        self.addresses.insert(id.clone(), address);
        Ok(Change::address(&id))
    }

    /// Removes an address no number uses.
    pub fn remove_address(&mut self, id: &str) -> Result<Change, NumbersError> {
        if !self.addresses.contains_key(id) {
            return Err(NumbersError::NotFound(format!("no address '{id}'")));
        }
        let users: Vec<String> = self
            .numbers
            .values()
            .filter(|n| n.address.as_deref() == Some(id))
            .map(|n| n.number.clone())
            .collect();
        if !users.is_empty() {
            return Err(NumbersError::InUse {
                message: format!("address '{id}' is used by {}", users.join(", ")),
                numbers: users,
            });
        }
        self.addresses.remove(id);
        Ok(Change::address(id))
    }

    /// Gives a number its emergency address (or none), as the customer or the operator.
    pub fn set_number_address(
        &mut self,
        number: &str,
        address: Option<&str>,
        as_operator: bool,
    ) -> Result<Change, NumbersError> {
        let record = self.existing("number", number)?;
        self.refuse_if_locked(record, as_operator)?;
        if let Some(id) = address {
            let Some(found) = self.addresses.get(id) else {
                return Err(NumbersError::NotFound(format!("no address '{id}'")));
            };
            if found.country != record.country {
                return Err(NumbersError::bad(
                    "address",
                    format!(
                        "address '{id}' is in {}, the number in {}",
                        found.country, record.country
                    ),
                ));
            }
        }
        let key = record.number.clone();
        if let Some(r) = self.numbers.get_mut(&key) {
            r.address = address.map(str::to_string);
            r.address_set_by = address.map(|_| {
                if as_operator {
                    SetBy::Operator
                } else {
                    SetBy::Customer
                }
            });
        }
        Ok(Change::number(&key))
    }
}
