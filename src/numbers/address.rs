//! Emergency (civic) addresses: inventory data only. parkdesk routes no emergency calls; it
//! keeps the address each number would report, checked as an operator's form checks it.

use super::country;
use super::error::NumbersError;
use serde::{Deserialize, Serialize};

/// A civic address, as operators and emergency services take it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CivicAddress {
    /// Short id (`hq-main`): letters, digits, `-`, `_`.
    pub id: String,
    /// The company at the address.
    pub company: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// House number (`221`).
    pub house_number: String,
    /// House number suffix (`B`).
    #[serde(default)]
    pub house_number_suffix: String,
    /// Street.
    pub street: String,
    /// City.
    pub city: String,
    /// State or province.
    #[serde(default)]
    pub state: String,
    /// Postal code.
    pub postal_code: String,
    /// Latitude, −90 to 90 (with longitude, or neither).
    #[serde(default)]
    pub latitude: Option<f64>,
    /// Longitude, −180 to 180 (with latitude, or neither).
    #[serde(default)]
    pub longitude: Option<f64>,
    /// Free text (`Building 4, floor 2`).
    #[serde(default)]
    pub description: String,
}

// Coordinates are checked finite, so equality is total.
impl Eq for CivicAddress {}

fn required(field: &str, value: &str) -> Result<String, NumbersError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(NumbersError::bad(field, "is required"));
    }
    if value.chars().count() > 200 {
        return Err(NumbersError::bad(field, "is longer than 200 characters"));
    }
    Ok(value.to_string())
}

fn optional(field: &str, value: &str) -> Result<String, NumbersError> {
    let value = value.trim();
    if value.chars().count() > 200 {
        return Err(NumbersError::bad(field, "is longer than 200 characters"));
    }
    Ok(value.to_string())
}

/// Checks an address id: 1–40 of letters, digits, `-`, `_`.
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
            "id",
            format!("'{id}' is not an address id (1 to 40 letters, digits, - or _)"),
        ))
    }
}

impl CivicAddress {
    /// Checks every field (trimming text, upper-casing the country); names the first bad
    /// field.
    pub fn validated(self) -> Result<CivicAddress, NumbersError> {
        check_id(&self.id)?;
        let country = country::parse(&self.country).map_err(|m| NumbersError::bad("country", m))?;
        let house_number = required("house_number", &self.house_number)?;
        if !house_number.chars().any(|c| c.is_ascii_digit()) {
            return Err(NumbersError::bad(
                "house_number",
                format!("'{house_number}' has no digit"),
            ));
        }
        let suffix = optional("house_number_suffix", &self.house_number_suffix)?;
        if suffix.chars().count() > 10 {
            return Err(NumbersError::bad(
                "house_number_suffix",
                "is longer than 10 characters",
            ));
        }
        let postal_code = required("postal_code", &self.postal_code)?;
        if !postal_code
            .chars()
            .all(|c| c.is_alphanumeric() || c == ' ' || c == '-')
        {
            return Err(NumbersError::bad(
                "postal_code",
                format!("'{postal_code}' holds characters other than letters, digits, space or -"),
            ));
        }
        match (self.latitude, self.longitude) {
            (Some(lat), Some(lon)) => {
                if !(lat.is_finite() && (-90.0..=90.0).contains(&lat)) {
                    return Err(NumbersError::bad(
                        "latitude",
                        format!("{lat} is not between -90 and 90"),
                    ));
                }
                if !(lon.is_finite() && (-180.0..=180.0).contains(&lon)) {
                    return Err(NumbersError::bad(
                        "longitude",
                        format!("{lon} is not between -180 and 180"),
                    ));
                }
            }
            (None, None) => {}
            (Some(_), None) => {
                return Err(NumbersError::bad("longitude", "is required with latitude"));
            }
            (None, Some(_)) => {
                return Err(NumbersError::bad("latitude", "is required with longitude"));
            }
        }
        Ok(CivicAddress {
            company: required("company", &self.company)?,
            country,
            house_number,
            house_number_suffix: suffix,
            street: required("street", &self.street)?,
            city: required("city", &self.city)?,
            state: optional("state", &self.state)?,
            postal_code,
            description: optional("description", &self.description)?,
            ..self
        })
    }

    /// One line, as the console shows it.
    pub fn one_line(&self) -> String {
        let mut line = format!(
            "{}{} {}, {}",
            self.house_number, self.house_number_suffix, self.street, self.city
        );
        if !self.state.is_empty() {
            line.push_str(&format!(", {}", self.state));
        }
        line.push_str(&format!(" {} {}", self.postal_code, self.country));
        line
    }
}
