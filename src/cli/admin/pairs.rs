//! The one `key=value` parser of `parkdesk admin`.
//!
//! The rule: `key=null` is JSON `null` (it clears); otherwise each field has a kind that
//! says how its text becomes JSON:
//! - `Json`: JSON where the text parses as JSON (`true`, `120`, `["a","b"]`), else the text;
//!   empty is `null`;
//! - `Text`: always the text, even when it looks like a number (`start=701`,
//!   `postal_code=01234`);
//! - `List`: a JSON value other than a string is kept (`["a","b"]`), anything else is
//!   comma-separated text (`members=ada,bob`; empty is `[]`);
//! - `Number`: a JSON number (`latitude=47.6`); empty is `null`; anything else is an error.
//!
//! The directory's objects ([`DIRECTORY`]) are `Json` unless named text or list fields; the
//! numbers inventory's ([`NUMBERS`]) are `Text` unless named, because postal codes and
//! house numbers must keep their leading zeros.

use anyhow::{Context, bail};
use serde_json::{Map, Value, json};

/// How a field's text becomes JSON (see the module's rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// JSON where it parses, else text.
    Json,
    /// Always text.
    Text,
    /// A list: a JSON non-string as is, else comma-separated text.
    List,
    /// A number.
    Number,
}

/// Which kind each field is, and the kind of every other field.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// The kind of a field not named below.
    pub default: Kind,
    /// Named fields and their kinds.
    pub named: &'static [(&'static str, Kind)],
}

impl Fields {
    fn kind(&self, key: &str) -> Kind {
        self.named
            .iter()
            .find(|(name, _)| *name == key)
            .map_or(self.default, |(_, kind)| *kind)
    }
}

/// Ranges, policies, users, groups, and `admin op`.
pub const DIRECTORY: Fields = Fields {
    default: Kind::Json,
    named: &[
        ("members", Kind::List),
        ("numbers", Kind::List),
        ("retrieve_ranges", Kind::List),
        ("roles", Kind::List),
        ("id", Kind::Text),
        ("name", Kind::Text),
        ("start", Kind::Text),
        ("end", Kind::Text),
        ("number", Kind::Text),
        ("code", Kind::Text),
        ("label", Kind::Text),
        ("user", Kind::Text),
        ("policy", Kind::Text),
        ("group", Kind::Text),
        ("park_range", Kind::Text),
        ("on_timeout", Kind::Text),
        ("caller_escape_digit", Kind::Text),
        ("ringback_alert_info", Kind::Text),
        ("static_contact", Kind::Text),
        ("sip_ha1", Kind::Text),
    ],
};

/// Operators and emergency addresses.
pub const NUMBERS: Fields = Fields {
    default: Kind::Text,
    named: &[
        ("countries", Kind::List),
        ("latitude", Kind::Number),
        ("longitude", Kind::Number),
    ],
};

/// Parses `key=value` pairs of the directory's objects ([`DIRECTORY`]) into a JSON object.
pub fn pairs_to_object(pairs: &[String]) -> anyhow::Result<Map<String, Value>> {
    parse(pairs, &DIRECTORY)
}

/// Parses `key=value` pairs into a JSON object, each value by its field's kind.
pub fn parse(pairs: &[String], fields: &Fields) -> anyhow::Result<Map<String, Value>> {
    let mut out = Map::new();
    for pair in pairs {
        let Some((key, raw)) = pair.split_once('=') else {
            bail!("'{pair}' is not key=value");
        };
        let key = key.trim();
        if key.is_empty() {
            bail!("'{pair}' has an empty key");
        }
        out.insert(key.to_string(), value(key, raw, fields.kind(key))?);
    }
    Ok(out)
}

fn value(key: &str, raw: &str, kind: Kind) -> anyhow::Result<Value> {
    if raw == "null" {
        return Ok(Value::Null);
    }
    let json = serde_json::from_str::<Value>(raw);
    Ok(match kind {
        Kind::Text => Value::String(raw.to_string()),
        Kind::List => match json {
            Ok(v) if !v.is_string() => v,
            _ => Value::Array(
                raw.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| Value::String(s.to_string()))
                    .collect(),
            ),
        },
        Kind::Number if raw.is_empty() => Value::Null,
        Kind::Number => {
            let n: f64 = raw
                .parse()
                .with_context(|| format!("{key}: '{raw}' is not a number"))?;
            json!(n)
        }
        Kind::Json => match json {
            Ok(v) => v,
            Err(_) if raw.is_empty() => Value::Null,
            Err(_) => Value::String(raw.to_string()),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(pairs: &[&str]) -> Vec<String> {
        pairs.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn pairs_become_json_with_lists_and_plain_text() {
        let pairs = strings(&[
            "name=desk",
            "allow_park=true",
            "park_timeout=120",
            "retrieve_ranges=main,vip",
            "on_timeout=null",
            "start=701",
        ]);
        let o = pairs_to_object(&pairs).expect("parses");
        assert_eq!(o["name"], "desk");
        assert_eq!(o["allow_park"], true);
        assert_eq!(o["park_timeout"], 120);
        assert_eq!(o["retrieve_ranges"], json!(["main", "vip"]));
        assert_eq!(o["on_timeout"], Value::Null);
        assert_eq!(o["start"], "701", "codes stay text");
        assert!(pairs_to_object(&["oops".to_string()]).is_err());
    }

    #[test]
    fn numbers_fields_are_text_but_countries_and_coordinates() {
        let pairs = strings(&[
            "postal_code=01234",
            "house_number=1",
            "countries=US, GB",
            "latitude=47.6",
            "longitude=",
            "state=null",
        ]);
        let o = parse(&pairs, &NUMBERS).expect("parses");
        assert_eq!(o["postal_code"], "01234");
        assert_eq!(o["house_number"], "1");
        assert_eq!(o["countries"], json!(["US", "GB"]));
        assert_eq!(o["latitude"], json!(47.6));
        assert_eq!(o["longitude"], Value::Null);
        assert_eq!(o["state"], Value::Null);
        let err = parse(&strings(&["latitude=north"]), &NUMBERS).expect_err("not a number");
        assert!(err.to_string().contains("latitude: 'north'"), "{err}");
        assert!(parse(&strings(&["=x"]), &NUMBERS).is_err());
    }

    #[test]
    fn empty_values_follow_their_kind() {
        let o = parse(&strings(&["policy=", "members=", "x="]), &DIRECTORY).expect("parses");
        assert_eq!(o["policy"], "");
        assert_eq!(o["members"], json!([]));
        assert_eq!(o["x"], Value::Null);
    }
}
