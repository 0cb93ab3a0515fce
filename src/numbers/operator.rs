//! Operators (Operator Connect): who provides numbers, in which countries, whom to contact,
//! whether their numbers take calls, and who may edit the emergency addresses of those
//! numbers.

use super::country;
use super::e164::PhoneNumber;
use super::error::NumbersError;
use serde::{Deserialize, Serialize};

/// How big the customer's organisation is, as operators ask it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CompanySize {
    /// 1 to 50 people.
    #[serde(rename = "1-50")]
    UpTo50,
    /// 51 to 250 people.
    #[serde(rename = "51-250")]
    UpTo250,
    /// 251 to 1000 people.
    #[serde(rename = "251-1000")]
    UpTo1000,
    /// 1001 to 10000 people.
    #[serde(rename = "1001-10000")]
    UpTo10000,
    /// More than 10000 people.
    #[serde(rename = "10001+")]
    Over10000,
}

/// Who sets the emergency addresses of an operator's numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AddressMode {
    /// Left to the customer.
    #[default]
    Customer,
    /// The operator sets it; the customer may edit it.
    OperatorEditable,
    /// The operator sets it and only the operator changes it.
    OperatorLocked,
}

impl AddressMode {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            AddressMode::Customer => "customer",
            AddressMode::OperatorEditable => "operator_editable",
            AddressMode::OperatorLocked => "operator_locked",
        }
    }
}

/// Whether an operator's numbers take calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OperatorState {
    /// In service.
    #[default]
    Active,
    /// Its numbers take no calls (SIP answers 480); nothing is lost.
    Suspended,
}

/// The customer's contact for an operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// Full name.
    pub full_name: String,
    /// Email address.
    pub email: String,
    /// Size of the organisation.
    pub company_size: CompanySize,
    /// Phone, E.164.
    #[serde(default)]
    pub phone: Option<String>,
}

/// An operator enabled in one or more countries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operator {
    /// Short id (`contoso`): letters, digits, `-`, `_`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// ISO 3166-1 alpha-2 codes, sorted.
    pub countries: Vec<String>,
    /// The customer's contact.
    pub contact: Contact,
    /// Who sets the emergency addresses of its numbers.
    #[serde(default)]
    pub address_mode: AddressMode,
    /// Active or suspended.
    #[serde(default)]
    pub state: OperatorState,
}

impl Operator {
    /// Whether it is enabled in `country`.
    pub fn serves(&self, country: &str) -> bool {
        self.countries.iter().any(|c| c == country)
    }
}

/// Checks an operator id: 1–40 of letters, digits, `-`, `_`.
pub fn check_id(id: &str) -> Result<(), NumbersError> {
    let ok = !id.is_empty()
        && id.len() <= 40
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(NumbersError::bad(
            "operator",
            format!("'{id}' is not an operator id (1 to 40 letters, digits, - or _)"),
        ))
    }
}

/// Parses and sorts a list of countries, refusing an empty list or a bad code.
pub fn parse_countries(list: &[String]) -> Result<Vec<String>, NumbersError> {
    if list.is_empty() {
        return Err(NumbersError::bad("countries", "name at least one country"));
    }
    let mut out = Vec::with_capacity(list.len());
    for c in list {
        out.push(country::parse(c).map_err(|m| NumbersError::bad("countries", m))?);
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Checks an email address the way a form does: one `@`, something before it, a dotted
/// domain after it, no spaces.
pub fn check_email(email: &str) -> Result<(), NumbersError> {
    let ok = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(NumbersError::bad(
            "email",
            format!("'{email}' is not an email address"),
        ))
    }
}

impl Contact {
    /// Checks every field and normalises the phone to E.164.
    pub fn validated(mut self) -> Result<Contact, NumbersError> {
        self.full_name = self.full_name.trim().to_string();
        if self.full_name.is_empty() {
            return Err(NumbersError::bad(
                "full_name",
                "the contact needs a full name",
            ));
        }
        self.email = self.email.trim().to_string();
        check_email(&self.email)?;
        if let Some(phone) = self.phone.take().filter(|p| !p.trim().is_empty()) {
            let parsed = PhoneNumber::parse(&phone)
                .map_err(|e| NumbersError::bad("phone", e.to_string()))?;
            self.phone = Some(parsed.to_string());
        }
        Ok(self)
    }
}
