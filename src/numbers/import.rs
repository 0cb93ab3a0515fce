//! Importing the operator's number file: every row is checked (against the file and the
//! inventory) before anything is applied, so a file with one bad row changes nothing;
//! importing the same file again changes nothing either.

use super::country;
use super::csv::{self, ImportRow};
use super::e164::PhoneNumber;
use super::error::{NumbersError, RowError};
use super::inventory::{Change, NumberInventory};
use super::number::{Capability, NumberRecord, NumberState, Source};
use std::collections::HashMap;

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    /// Numbers new to the inventory.
    pub added: usize,
    /// Known numbers whose city, capability or source changed.
    pub updated: usize,
    /// Rows that matched the inventory already.
    pub unchanged: usize,
}

/// Most bad rows reported at once.
const MAX_ERRORS: usize = 50;

/// A row checked on its own, before it meets the inventory.
struct Checked {
    line: usize,
    number: String,
    source: Source,
    operator: Option<String>,
    country: String,
    city: String,
    capability: Capability,
}

fn check_row(row: &ImportRow) -> Result<Checked, RowError> {
    let bad = |field: &str, reason: String| RowError {
        line: row.line,
        field: field.to_string(),
        reason,
    };
    let parsed = PhoneNumber::parse(&row.number).map_err(|e| bad("number", e.to_string()))?;
    let source = Source::parse(&row.source).ok_or_else(|| {
        bad(
            "source",
            format!(
                "'{}' is not one of operator_connect, calling_plan, direct_routing",
                row.source
            ),
        )
    })?;
    if parsed.extension().is_some() && source != Source::DirectRouting {
        return Err(bad(
            "number",
            format!(
                "'{}' has an extension, which only direct_routing carries",
                row.number
            ),
        ));
    }
    let country = country::parse(&row.country).map_err(|m| bad("country", m))?;
    let operator = match (source, row.operator.trim()) {
        (Source::OperatorConnect, "") => {
            return Err(bad(
                "operator",
                "an operator_connect number needs its operator".into(),
            ));
        }
        (Source::OperatorConnect, op) => Some(op.to_string()),
        (_, "") => None,
        (other, op) => {
            return Err(bad(
                "operator",
                format!(
                    "'{op}' given for a {} number, which has no operator",
                    other.as_str()
                ),
            ));
        }
    };
    if row.city.is_empty() {
        return Err(bad("city", "is required".into()));
    }
    let capability = Capability::parse(&row.capability).ok_or_else(|| {
        bad(
            "capability",
            format!(
                "'{}' is not one of user, conference, voice_app",
                row.capability
            ),
        )
    })?;
    Ok(Checked {
        line: row.line,
        number: parsed.to_string(),
        source,
        operator,
        country,
        city: row.city.clone(),
        capability,
    })
}

impl NumberInventory {
    /// Imports an operator's CSV file. Every bad row is reported with its line and reason,
    /// and then nothing of the file is applied.
    pub fn import_csv(&mut self, text: &str) -> Result<(Change, ImportReport), NumbersError> {
        let rows = csv::parse(text).map_err(NumbersError::Import)?;
        let mut errors = Vec::new();
        let mut checked = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for row in &rows {
            let row = match check_row(row) {
                Ok(row) => row,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            if let Some(first) = seen.insert(row.number.clone(), row.line) {
                errors.push(RowError {
                    line: row.line,
                    field: "number".into(),
                    reason: format!("{} is also on line {first}", row.number),
                });
                continue;
            }
            if let Err(e) = self.check_against_inventory(&row) {
                errors.push(e);
                continue;
            }
            checked.push(row);
        }
        if !errors.is_empty() {
            errors.truncate(MAX_ERRORS);
            return Err(NumbersError::Import(errors));
        }
        let mut report = ImportReport::default();
        let mut change = Change::default();
        for row in checked {
            let next = match self.numbers.get(&row.number) {
                Some(existing) => {
                    let next = NumberRecord {
                        source: row.source,
                        operator: row.operator,
                        country: row.country,
                        city: row.city,
                        capability: row.capability,
                        ..existing.clone()
                    };
                    if &next == existing {
                        report.unchanged += 1;
                        continue;
                    }
                    report.updated += 1;
                    next
                }
                None => {
                    report.added += 1;
                    NumberRecord {
                        number: row.number,
                        source: row.source,
                        operator: row.operator,
                        country: row.country,
                        city: row.city,
                        capability: row.capability,
                        state: NumberState::Unassigned,
                        user: None,
                        address: None,
                        address_set_by: None,
                        migration: None,
                    }
                }
            };
            change.numbers.push(next.number.clone());
            self.numbers.insert(next.number.clone(), next);
        }
        Ok((change, report))
    }

    /// A row's operator must be enabled in its country; a number in use keeps its source,
    /// operator, country and (for a user) its capability.
    fn check_against_inventory(&self, row: &Checked) -> Result<(), RowError> {
        let bad = |field: &str, reason: String| RowError {
            line: row.line,
            field: field.to_string(),
            reason,
        };
        if let Some(op) = &row.operator {
            match self.operators.get(op) {
                None => return Err(bad("operator", format!("no operator '{op}'"))),
                Some(o) if !o.serves(&row.country) => {
                    return Err(bad(
                        "operator",
                        format!("operator '{op}' is not enabled in {}", row.country),
                    ));
                }
                Some(_) => {}
            }
        }
        let Some(existing) = self.numbers.get(&row.number) else {
            return Ok(());
        };
        let in_use = existing.user.is_some() || existing.migration.is_some();
        let moved = existing.source != row.source
            || existing.operator != row.operator
            || existing.country != row.country;
        if in_use && moved {
            return Err(bad(
                "number",
                format!(
                    "{} is in use (assigned or moving); its source, operator and country \
                     change only through a migration",
                    row.number
                ),
            ));
        }
        if existing.user.is_some() && row.capability != Capability::User {
            return Err(bad(
                "capability",
                format!(
                    "{} is assigned to a user; it stays a user number",
                    row.number
                ),
            ));
        }
        Ok(())
    }
}
