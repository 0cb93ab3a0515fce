//! Errors in the console's own files (key maps and themes), naming the file, line, key and
//! the bad value, and the small TOML helpers both use.

use std::collections::BTreeMap;

/// A key map or theme the console refuses to start with.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The file could not be read.
    #[error("cannot read {file}: {source}")]
    Read {
        /// The file.
        file: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML.
    #[error("{file}:{line}: not valid TOML: {message}")]
    Syntax {
        /// The file.
        file: String,
        /// The line (1-based).
        line: usize,
        /// The parser's message.
        message: String,
    },
    /// A key or value is wrong.
    #[error("{file}:{line}: {key} = '{value}': {problem}")]
    Value {
        /// The file.
        file: String,
        /// The line (1-based).
        line: usize,
        /// The key.
        key: String,
        /// The bad value, quoted in the message.
        value: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A theme name that is neither built in, nor a file, nor `NAME.toml` in a theme
    /// directory.
    #[error(
        "unknown theme '{name}': the themes are {known} (looked for {name}.toml in \
         {searched}); or give a path to a .toml file"
    )]
    UnknownTheme {
        /// The name given.
        name: String,
        /// The built-in names and the theme files found, comma-separated.
        known: String,
        /// The directories searched, comma-separated.
        searched: String,
    },
    /// A name that is neither built in nor a readable file.
    #[error("unknown {what} '{name}': use one of {builtins} or a path to a .toml file")]
    UnknownName {
        /// `key map` or `theme`.
        what: &'static str,
        /// The name given.
        name: String,
        /// The built-in names.
        builtins: String,
    },
}

/// A flat TOML file: each top-level key with its line and value.
pub(crate) type FlatEntries = Vec<(String, usize, toml::Value)>;

/// The 1-based line of byte `offset` in `text`.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset.min(text.len()))
        .map(|t| t.matches('\n').count())
        .unwrap_or(0)
        + 1
}

/// Parses a flat TOML file into its entries, in file order.
pub(crate) fn parse_flat(file: &str, text: &str) -> Result<FlatEntries, SettingsError> {
    let map: BTreeMap<toml::Spanned<String>, toml::Spanned<toml::Value>> = toml::from_str(text)
        .map_err(|e| SettingsError::Syntax {
            file: file.to_string(),
            line: e.span().map(|s| line_of(text, s.start)).unwrap_or(1),
            message: e.message().to_string(),
        })?;
    let mut entries: Vec<(usize, String, usize, toml::Value)> = map
        .into_iter()
        .map(|(k, v)| {
            let start = k.span().start;
            (start, k.into_inner(), line_of(text, start), v.into_inner())
        })
        .collect();
    entries.sort_by_key(|e| e.0);
    Ok(entries
        .into_iter()
        .map(|(_, k, line, v)| (k, line, v))
        .collect())
}

/// A TOML value as the user wrote it, for error messages.
pub(crate) fn shown(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Reads a user's file, or names the built-in it refers to.
pub(crate) fn read_user_file(path: &str) -> Result<String, SettingsError> {
    std::fs::read_to_string(path).map_err(|source| SettingsError::Read {
        file: path.to_string(),
        source,
    })
}
