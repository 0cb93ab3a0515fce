//! Reads: `health`, `parked.list`, `directory.search`, `history.list`, and their results.

use super::{OpName, ProtocolError, decode_args, empty, encode_set};
use crate::protocol::objects::Parked;
use crate::protocol::time::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `history.list` args.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryArgs {
    /// Only parks ended after this time.
    #[serde(default)]
    pub since: Option<Timestamp>,
    /// At most this many (1–10,000; default 100).
    #[serde(default)]
    pub limit: Option<usize>,
}

/// `directory.search` args.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchArgs {
    /// A name, number or group.
    pub query: String,
}

/// A read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryOp {
    /// `health` → the engine's counters (an object of named values).
    Health,
    /// `parked.list` → [`ParkedListOk`].
    ParkedList,
    /// `directory.search` → [`DirectoryOk`].
    DirectorySearch(SearchArgs),
    /// `history.list` → [`HistoryOk`].
    HistoryList(HistoryArgs),
}

impl QueryOp {
    pub(super) fn decode(name: OpName, args: &Value) -> Result<QueryOp, ProtocolError> {
        Ok(match name {
            OpName::DirectorySearch => QueryOp::DirectorySearch(decode_args(args)?),
            OpName::HistoryList => QueryOp::HistoryList(decode_args(args)?),
            // The lists take no args; whatever is sent is ignored.
            OpName::ParkedList => QueryOp::ParkedList,
            OpName::Health => QueryOp::Health,
            other => return Err(ProtocolError::UnknownOp(other.to_string())),
        })
    }

    /// Its name.
    pub fn name(&self) -> OpName {
        match self {
            QueryOp::Health => OpName::Health,
            QueryOp::ParkedList => OpName::ParkedList,
            QueryOp::DirectorySearch(_) => OpName::DirectorySearch,
            QueryOp::HistoryList(_) => OpName::HistoryList,
        }
    }

    /// Its args as they travel.
    pub fn args(&self) -> Value {
        match self {
            QueryOp::Health | QueryOp::ParkedList => empty(),
            QueryOp::DirectorySearch(a) => encode_set(a),
            QueryOp::HistoryList(a) => encode_set(a),
        }
    }
}

/// `parked.list` ok.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ParkedListOk {
    /// Every parked call.
    pub parked: Vec<Parked>,
}

/// A directory user as `directory.search` shows it (a field left out reads as empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DirectoryEntry {
    /// The user's id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Phone numbers.
    pub numbers: Vec<String>,
    /// Whether the user parks and retrieves.
    pub voice_enabled: bool,
    /// The groups the user is a member of.
    pub groups: Vec<String>,
}

/// `directory.search` ok.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DirectoryOk {
    /// The users found.
    pub users: Vec<DirectoryEntry>,
}

/// `history.list` ok: ended parks, as the store's history entries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HistoryOk {
    /// The entries (the store's `HistoryEntry` shape).
    pub entries: Vec<Value>,
}
