//! Operator rules: enable per country, edit, suspend and resume (nothing is lost), remove
//! from a country or entirely — never while one of its numbers there is in use.

use super::error::NumbersError;
use super::inventory::{Change, NumberInventory};
use super::number::NumberState;
use super::operator::{
    AddressMode, CompanySize, Contact, Operator, OperatorState, check_id, parse_countries,
};
use serde::Deserialize;

/// `operator.enable` and `operator.edit`: the operator and the fields to set. Enabling a new
/// operator needs `name`, `full_name`, `email` and `company_size`; enabling a known one adds
/// its countries and changes what is given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct OperatorArgs {
    /// The operator's id.
    pub operator: String,
    /// Countries to enable it in (only for `enable`).
    #[serde(default)]
    pub countries: Vec<String>,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Contact's full name.
    #[serde(default)]
    pub full_name: Option<String>,
    /// Contact's email.
    #[serde(default)]
    pub email: Option<String>,
    /// Company size.
    #[serde(default)]
    pub company_size: Option<CompanySize>,
    /// Contact's phone (empty text clears it).
    #[serde(default)]
    pub phone: Option<String>,
    /// Who sets its numbers' emergency addresses.
    #[serde(default)]
    pub address_mode: Option<AddressMode>,
}

/// What removing an operator (or one of its countries) did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Removed {
    /// Whether the operator itself is gone (it served no country any more).
    pub operator_removed: bool,
    /// Its unassigned numbers that left the inventory with it.
    pub numbers: Vec<String>,
}

fn edited(mut op: Operator, args: &OperatorArgs) -> Result<Operator, NumbersError> {
    if let Some(name) = &args.name {
        let name = name.trim();
        if name.is_empty() {
            return Err(NumbersError::bad("name", "the operator needs a name"));
        }
        op.name = name.to_string();
    }
    if let Some(v) = &args.full_name {
        op.contact.full_name = v.clone();
    }
    if let Some(v) = &args.email {
        op.contact.email = v.clone();
    }
    if let Some(v) = args.company_size {
        op.contact.company_size = v;
    }
    if let Some(v) = &args.phone {
        op.contact.phone = Some(v.clone());
    }
    if let Some(v) = args.address_mode {
        op.address_mode = v;
    }
    op.contact = op.contact.validated()?;
    Ok(op)
}

impl NumberInventory {
    /// Enables an operator in `args.countries` (creating it, or adding countries).
    pub fn enable_operator(&mut self, args: &OperatorArgs) -> Result<Change, NumbersError> {
        check_id(&args.operator)?;
        let countries = parse_countries(&args.countries)?;
        let base = match self.operators.get(&args.operator) {
            Some(existing) => existing.clone(),
            None => {
                let missing =
                    |field: &str| NumbersError::bad(field, "is required to enable a new operator");
                Operator {
                    id: args.operator.clone(),
                    name: args.name.clone().ok_or_else(|| missing("name"))?,
                    countries: Vec::new(),
                    contact: Contact {
                        full_name: args.full_name.clone().ok_or_else(|| missing("full_name"))?,
                        email: args.email.clone().ok_or_else(|| missing("email"))?,
                        company_size: args.company_size.ok_or_else(|| missing("company_size"))?,
                        phone: None,
                    },
                    address_mode: AddressMode::default(),
                    state: OperatorState::Active,
                }
            }
        };
        let mut op = edited(base, args)?;
        op.countries.extend(countries);
        op.countries.sort();
        op.countries.dedup();
        self.operators.insert(op.id.clone(), op);
        Ok(Change::operator(&args.operator))
    }

    /// Changes an operator's name, contact or address mode.
    pub fn edit_operator(&mut self, args: &OperatorArgs) -> Result<Change, NumbersError> {
        if !args.countries.is_empty() {
            return Err(NumbersError::bad(
                "countries",
                "countries are added with operator.enable and taken away with operator.remove",
            ));
        }
        let op = edited(self.existing_operator(&args.operator)?.clone(), args)?;
        self.operators.insert(op.id.clone(), op);
        Ok(Change::operator(&args.operator))
    }

    /// Suspends or resumes an operator: its numbers stop (or start again) taking calls;
    /// assignments, addresses and migrations are kept.
    pub fn set_operator_state(
        &mut self,
        id: &str,
        state: OperatorState,
    ) -> Result<Change, NumbersError> {
        self.existing_operator(id)?;
        if let Some(op) = self.operators.get_mut(id) {
            op.state = state;
        }
        Ok(Change::operator(id))
    }

    /// Removes an operator from `country`, or entirely. Refused while any of its numbers
    /// there is assigned or moving (they are listed); its other numbers there leave the
    /// inventory with it.
    pub fn remove_operator(
        &mut self,
        id: &str,
        country: Option<&str>,
    ) -> Result<(Change, Removed), NumbersError> {
        let op = self.existing_operator(id)?.clone();
        let country = match country {
            Some(c) => {
                let c = super::country::parse(c).map_err(|m| NumbersError::bad("country", m))?;
                if !op.serves(&c) {
                    return Err(NumbersError::NotFound(format!(
                        "operator '{id}' is not enabled in {c}"
                    )));
                }
                Some(c)
            }
            None => None,
        };
        let here = |c: &str| country.as_deref().is_none_or(|only| only == c);
        let theirs: Vec<&super::NumberRecord> = self
            .numbers
            .values()
            .filter(|n| here(&n.country))
            .filter(|n| {
                n.operator.as_deref() == Some(id)
                    || n.migration.as_ref().is_some_and(|m| m.operator == id)
            })
            .collect();
        let in_use: Vec<String> = theirs
            .iter()
            .filter(|n| n.state == NumberState::Assigned || n.migration.is_some())
            .map(|n| n.number.clone())
            .collect();
        if !in_use.is_empty() {
            let place = country
                .as_deref()
                .map_or(String::new(), |c| format!(" in {c}"));
            return Err(NumbersError::InUse {
                message: format!(
                    "operator '{id}' still has numbers in use{place}: {}; unassign them first",
                    in_use.join(", ")
                ),
                numbers: in_use,
            });
        }
        let released: Vec<String> = theirs.iter().map(|n| n.number.clone()).collect();
        let mut change = Change::operator(id);
        for number in &released {
            self.numbers.remove(number);
        }
        change.numbers = released.clone();
        let mut removed = Removed {
            operator_removed: false,
            numbers: released,
        };
        let remaining: Vec<String> = op.countries.iter().filter(|c| !here(c)).cloned().collect();
        if remaining.is_empty() {
            self.operators.remove(id);
            removed.operator_removed = true;
        } else if let Some(op) = self.operators.get_mut(id) {
            op.countries = remaining;
        }
        Ok((change, removed))
    }
}
