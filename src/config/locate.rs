//! Finding a setting in a TOML file: from a byte offset to its key path, and from a key path
//! to its line and the value as written. This is what lets an error name the line.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// One step of a key path: a table key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// A key in a table.
    Key(String),
    /// An element of an array (an `[[array]]` table or an inline array).
    Index(usize),
}

/// Where a setting sits in the configuration tree, e.g. `policies[1].park_timeout`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct KeyPath(pub(crate) Vec<Step>);

impl KeyPath {
    /// A path of keys only.
    pub(crate) fn keys(keys: &[&str]) -> KeyPath {
        KeyPath(keys.iter().map(|k| Step::Key((*k).to_string())).collect())
    }

    /// This path extended with a key.
    pub(crate) fn key(&self, key: &str) -> KeyPath {
        let mut steps = self.0.clone();
        steps.push(Step::Key(key.to_string()));
        KeyPath(steps)
    }

    /// This path extended with an index.
    pub(crate) fn index(&self, index: usize) -> KeyPath {
        let mut steps = self.0.clone();
        steps.push(Step::Index(index));
        KeyPath(steps)
    }

    /// The dotted form: `server.listen`, `policies[1].park_timeout`, `tokens[0].roles[2]`.
    pub(crate) fn dotted(&self) -> String {
        let mut out = String::new();
        for step in &self.0 {
            match step {
                Step::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                Step::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }

    /// The last key on the path (an index's array key for a path ending in an index).
    pub(crate) fn leaf(&self) -> Option<&str> {
        self.0.iter().rev().find_map(|s| match s {
            Step::Key(k) => Some(k.as_str()),
            Step::Index(_) => None,
        })
    }

    /// The section a key lives in (`server` for `server.listen`, `policies` for
    /// `policies[1].park_timeout`), or `None` for a top-level key.
    pub(crate) fn section(&self) -> Option<&str> {
        let keys: Vec<&str> = self
            .0
            .iter()
            .filter_map(|s| match s {
                Step::Key(k) => Some(k.as_str()),
                Step::Index(_) => None,
            })
            .collect();
        if keys.len() >= 2 {
            keys.first().copied()
        } else {
            None
        }
    }

    /// How a message names the key: `[server] listen`, or `allow_list` at the top level.
    pub(crate) fn describe(&self) -> String {
        match (self.section(), self.leaf()) {
            (Some(section), Some(leaf)) => format!("[{section}] {leaf}"),
            (None, Some(leaf)) => leaf.to_string(),
            _ => "the configuration".to_string(),
        }
    }

    /// The path without its last step.
    pub(crate) fn parent(&self) -> KeyPath {
        let mut steps = self.0.clone();
        steps.pop();
        KeyPath(steps)
    }
}

/// A setting found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    /// Its key path.
    pub(crate) path: KeyPath,
    /// Its 1-based line.
    pub(crate) line: usize,
    /// Its value as written (a string's contents, other scalars' text); `None` for a table.
    pub(crate) value: Option<String>,
}

/// A parsed TOML file that keeps the byte spans of every key and value.
pub(crate) struct Document<'a> {
    text: &'a str,
    root: Spanned<DeTable<'a>>,
}

impl<'a> Document<'a> {
    /// Parses `text`; a syntax error comes back as toml's error (it carries the span).
    pub(crate) fn parse(text: &'a str) -> Result<Document<'a>, toml::de::Error> {
        let root = DeTable::parse(text)?;
        Ok(Document { text, root })
    }

    /// The 1-based line holding byte `offset`.
    pub(crate) fn line_of(&self, offset: usize) -> usize {
        line_of(self.text, offset)
    }

    /// The deepest setting whose key or value covers byte `offset`.
    pub(crate) fn find_at(&self, offset: usize) -> Option<Found> {
        let path = find_in_table(self.root.get_ref(), offset, &KeyPath::default())?;
        self.locate(&path)
    }

    /// Narrows a setting holding an inline array to the one element a message quotes
    /// (`'10.0.0.0/33'`), since a custom error inside an array carries the array's span.
    pub(crate) fn narrow(&self, found: Found, message: &str) -> Found {
        let Some(array) = self
            .value_at(&found.path)
            .and_then(|v| v.get_ref().as_array())
        else {
            return found;
        };
        let quoted: Vec<usize> = array
            .iter()
            .enumerate()
            .filter(|(_, item)| {
                item.get_ref()
                    .as_str()
                    .is_some_and(|s| message.contains(&format!("'{s}'")))
            })
            .map(|(i, _)| i)
            .collect();
        match quoted.as_slice() {
            [only] => self.locate(&found.path.index(*only)).unwrap_or(found),
            _ => found,
        }
    }

    fn value_at(&self, path: &KeyPath) -> Option<&Spanned<DeValue<'a>>> {
        self.walk(path).map(|(_, value)| value)
    }

    /// The line and value of the setting at `path`, if the file sets it.
    pub(crate) fn locate(&self, path: &KeyPath) -> Option<Found> {
        let (line, value) = self.walk(path)?;
        Some(Found {
            path: path.clone(),
            line,
            value: self.value_text(value),
        })
    }

    /// Follows `path` from the root: the line of its last step and the value there.
    fn walk(&self, path: &KeyPath) -> Option<(usize, &Spanned<DeValue<'a>>)> {
        let mut found: Option<(usize, &Spanned<DeValue<'a>>)> = None;
        let mut table: Option<&DeTable<'a>> = Some(self.root.get_ref());
        for step in &path.0 {
            found = match step {
                Step::Key(key) => {
                    let (k, v) = table?.iter().find(|(k, _)| k.get_ref().as_ref() == key)?;
                    Some((self.line_of(k.span().start), v))
                }
                Step::Index(i) => {
                    // An `[[array]]` table's own span is its header; an inline element's
                    // span is the element itself. Either is the line to name.
                    let item = found?.1.get_ref().as_array()?.get(*i)?;
                    Some((self.line_of(item.span().start), item))
                }
            };
            table = found.and_then(|(_, v)| v.get_ref().as_table());
        }
        found
    }

    fn value_text(&self, value: &Spanned<DeValue<'a>>) -> Option<String> {
        match value.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            DeValue::Table(_) => None,
            _ => self.text.get(value.span()).map(|s| s.trim().to_string()),
        }
    }
}

/// The 1-based line holding byte `offset` of `text`.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

fn find_in_table(table: &DeTable<'_>, offset: usize, at: &KeyPath) -> Option<KeyPath> {
    for (key, value) in table.iter() {
        let here = at.key(key.get_ref());
        if key.span().contains(&offset) {
            return Some(here);
        }
        if let Some(deeper) = find_in_value(value, offset, &here) {
            return Some(deeper);
        }
        if value.span().contains(&offset) {
            return Some(here);
        }
    }
    None
}

fn find_in_value(value: &Spanned<DeValue<'_>>, offset: usize, at: &KeyPath) -> Option<KeyPath> {
    match value.get_ref() {
        DeValue::Table(t) => find_in_table(t, offset, at),
        DeValue::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
            let here = at.index(i);
            find_in_value(item, offset, &here)
                .or_else(|| item.span().contains(&offset).then_some(here))
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "allow_list = [\"+4930\"]\n\n[server]\nlisten = \"x\"\n\n[[policies]]\nname = \"a\"\n\n[[policies]]\nname = \"b\"\npark_timeout = 5\n\n[[tokens]]\nroles = [\"admin\", \"wizard\"]\n";

    #[test]
    fn a_path_is_found_at_its_line_with_its_value() {
        let doc = Document::parse(TEXT).unwrap();
        let found = doc.locate(&KeyPath::keys(&["server", "listen"])).unwrap();
        assert_eq!((found.line, found.value.as_deref()), (4, Some("x")));
        let timeout = KeyPath::keys(&["policies"]).index(1).key("park_timeout");
        let found = doc.locate(&timeout).unwrap();
        assert_eq!((found.line, found.value.as_deref()), (11, Some("5")));
        assert_eq!(timeout.dotted(), "policies[1].park_timeout");
        assert_eq!(timeout.describe(), "[policies] park_timeout");
        assert!(doc.locate(&KeyPath::keys(&["server", "name"])).is_none());
    }

    #[test]
    fn an_offset_inside_an_inline_array_names_the_element() {
        let doc = Document::parse(TEXT).unwrap();
        let offset = TEXT.find("wizard").unwrap();
        let found = doc.find_at(offset).unwrap();
        assert_eq!(found.path.dotted(), "tokens[0].roles[1]");
        assert_eq!(found.path.describe(), "[tokens] roles");
        assert_eq!((found.line, found.value.as_deref()), (14, Some("wizard")));
    }

    #[test]
    fn a_top_level_key_has_no_section() {
        let doc = Document::parse(TEXT).unwrap();
        let found = doc.find_at(3).unwrap();
        assert_eq!(found.path.describe(), "allow_list");
        assert_eq!(found.line, 1);
    }
}
