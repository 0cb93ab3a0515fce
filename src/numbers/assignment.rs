//! Assigning numbers to users, taking them back, releasing them to their source, and
//! moving them between sources.

use super::error::NumbersError;
use super::inventory::{Change, NumberInventory, UserChange};
use super::migration::{self, Migration, Step};
use super::number::{Capability, NumberState, Source};
use super::operator::OperatorState;

/// The arguments of one migration step.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct MigrateArgs {
    /// The number.
    pub number: String,
    /// The step.
    pub step: Step,
    /// `start`: the operator it moves to.
    #[serde(default)]
    pub operator: Option<String>,
    /// `start`: the source it moves to (only `operator_connect` today; the default).
    #[serde(default)]
    pub to: Option<Source>,
    /// `reassign`: the user to give it to, instead of the one it was taken from.
    #[serde(default)]
    pub user: Option<String>,
    /// `fail`: why the move failed.
    #[serde(default)]
    pub reason: Option<String>,
}

impl NumberInventory {
    /// Assigns a `user`-capable number to `user` (one user per number). Assigning it again
    /// to the same user changes nothing.
    pub fn assign(
        &mut self,
        number: &str,
        user: &str,
        user_exists: impl Fn(&str) -> bool,
    ) -> Result<Change, NumbersError> {
        let record = self.existing("number", number)?;
        let key = record.number.clone();
        if !user_exists(user) {
            return Err(NumbersError::NotFound(format!("no user '{user}'")));
        }
        if let Some(m) = &record.migration {
            return Err(NumbersError::InUse {
                message: format!(
                    "{key} is moving to {} (at '{}'); finish the migration to assign it",
                    m.to.as_str(),
                    m.stage.as_str()
                ),
                numbers: vec![key],
            });
        }
        match record.user.as_deref() {
            Some(u) if u == user => return Ok(Change::number(&key)),
            Some(other) => {
                return Err(NumbersError::InUse {
                    message: format!("{key} is assigned to '{other}'; unassign it first"),
                    numbers: vec![key],
                });
            }
            None => {}
        }
        if record.capability != Capability::User {
            return Err(NumbersError::bad(
                "number",
                format!(
                    "{key} is a {} number; only user numbers are assigned to users",
                    record.capability.as_str()
                ),
            ));
        }
        if record.state != NumberState::Unassigned {
            return Err(NumbersError::InUse {
                message: format!("{key} is {}; it cannot be assigned", record.state.as_str()),
                numbers: vec![key],
            });
        }
        let mut change = Change::number(&key);
        change.users.push(UserChange::Assigned {
            user: user.to_string(),
            number: key.clone(),
        });
        if let Some(r) = self.numbers.get_mut(&key) {
            r.user = Some(user.to_string());
            r.state = NumberState::Assigned;
        }
        Ok(change)
    }

    /// Takes a number from its user. A number nobody holds is refused.
    pub fn unassign(&mut self, number: &str) -> Result<Change, NumbersError> {
        let record = self.existing("number", number)?;
        let key = record.number.clone();
        if record.migration.is_some() {
            return Err(NumbersError::InUse {
                message: format!("{key} is moving between sources; use its migration steps"),
                numbers: vec![key],
            });
        }
        let Some(user) = record.user.clone() else {
            return Err(NumbersError::bad(
                "number",
                format!("{key} is not assigned"),
            ));
        };
        if let Some(r) = self.numbers.get_mut(&key) {
            r.user = None;
            r.state = NumberState::Unassigned;
        }
        let mut change = Change::number(&key);
        change
            .users
            .push(UserChange::Unassigned { user, number: key });
        Ok(change)
    }

    /// Releases numbers back to their source. Only numbers nobody holds and that are not
    /// moving; a batch holding any other releases nothing and names them.
    pub fn release(&mut self, numbers: &[String]) -> Result<Change, NumbersError> {
        if numbers.is_empty() {
            return Err(NumbersError::bad("numbers", "name at least one number"));
        }
        let mut keys = Vec::with_capacity(numbers.len());
        for n in numbers {
            keys.push(self.existing("numbers", n)?.number.clone());
        }
        keys.sort();
        keys.dedup();
        let blocked: Vec<String> = keys
            .iter()
            .filter_map(|k| self.numbers.get(k))
            .filter(|r| r.user.is_some() || r.migration.is_some())
            .map(|r| r.number.clone())
            .collect();
        if !blocked.is_empty() {
            return Err(NumbersError::InUse {
                message: format!(
                    "nothing released: {} assigned or moving; unassign first",
                    blocked.join(", ")
                ),
                numbers: blocked,
            });
        }
        for k in &keys {
            self.numbers.remove(k);
        }
        Ok(Change {
            numbers: keys,
            ..Change::default()
        })
    }

    /// One step of a number's move between sources.
    pub fn migrate(
        &mut self,
        args: &MigrateArgs,
        user_exists: impl Fn(&str) -> bool,
    ) -> Result<Change, NumbersError> {
        let record = self.existing("number", &args.number)?.clone();
        let key = record.number.clone();
        let stage = record.migration.as_ref().map(|m| m.stage);
        let next = migration::advance(stage, args.step)
            .map_err(|e| NumbersError::OutOfOrder(format!("{key}: {e}")))?;
        let mut change = Change::number(&key);
        let mut updated = record.clone();
        match args.step {
            Step::Start => {
                let to = args.to.unwrap_or(Source::OperatorConnect);
                if !migration::supported(record.source, to) {
                    return Err(NumbersError::bad(
                        "to",
                        format!(
                            "{key} is a {} number; parkdesk moves calling_plan and direct_routing \
                             numbers to operator_connect",
                            record.source.as_str()
                        ),
                    ));
                }
                if record.source == to {
                    return Err(NumbersError::bad(
                        "to",
                        format!("{key} is already {}", to.as_str()),
                    ));
                }
                let Some(op_id) = args.operator.as_deref() else {
                    return Err(NumbersError::bad(
                        "operator",
                        "name the operator it moves to",
                    ));
                };
                let op = self.existing_operator(op_id)?;
                if !op.serves(&record.country) {
                    return Err(NumbersError::bad(
                        "operator",
                        format!("operator '{op_id}' is not enabled in {}", record.country),
                    ));
                }
                if op.state == OperatorState::Suspended {
                    return Err(NumbersError::bad(
                        "operator",
                        format!("operator '{op_id}' is suspended"),
                    ));
                }
                if let Ok(parsed) = super::e164::PhoneNumber::parse(&key)
                    && parsed.extension().is_some()
                {
                    return Err(NumbersError::bad(
                        "number",
                        format!("{key} has an extension, which only direct routing carries"),
                    ));
                }
                updated.migration = Some(Migration {
                    from: record.source,
                    to,
                    operator: op_id.to_string(),
                    stage: migration::Stage::Started,
                    user: None,
                    reason: None,
                });
            }
            Step::Unassign => {
                if let Some(user) = record.user.clone() {
                    change.users.push(UserChange::Unassigned {
                        user: user.clone(),
                        number: key.clone(),
                    });
                    if let Some(m) = &mut updated.migration {
                        m.user = Some(user);
                    }
                }
                updated.user = None;
            }
            Step::OutOfService => {}
            Step::Fail => {
                if let Some(m) = &mut updated.migration {
                    m.reason = args.reason.clone().filter(|r| !r.trim().is_empty());
                }
            }
            Step::Move => {
                if let Some(m) = &updated.migration {
                    updated.source = m.to;
                    updated.operator = Some(m.operator.clone());
                }
                if let Some(m) = &mut updated.migration {
                    m.reason = None;
                }
            }
            Step::Reassign => {
                let remembered = record.migration.as_ref().and_then(|m| m.user.clone());
                let user = args.user.clone().or(remembered);
                if let Some(user) = &user {
                    if !user_exists(user) {
                        return Err(NumbersError::NotFound(format!(
                            "no user '{user}'; name another with user"
                        )));
                    }
                    if record.capability != Capability::User {
                        return Err(NumbersError::bad(
                            "user",
                            format!("{key} is a {} number", record.capability.as_str()),
                        ));
                    }
                    change.users.push(UserChange::Assigned {
                        user: user.clone(),
                        number: key.clone(),
                    });
                }
                updated.user = user;
            }
        }
        let before = record.state;
        updated.state = match next {
            Some(stage) => migration::number_state(stage, before),
            None if updated.user.is_some() => NumberState::Assigned,
            None => NumberState::Unassigned,
        };
        match (&mut updated.migration, next) {
            (Some(m), Some(stage)) => m.stage = stage,
            (m, None) => *m = None,
            (None, Some(_)) => {}
        }
        self.numbers.insert(key, updated);
        Ok(change)
    }
}
