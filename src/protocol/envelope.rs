//! Frames: requests, replies, events, errors, and the session ops' shapes.

use super::objects::{Announcement, Call, Group, Parked};
use super::time::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A client's request: `{"id": 7, "op": "park", "args": {…}, "key": "k-81f"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// Echoed in the reply.
    pub id: Value,
    /// The operation.
    pub op: String,
    /// Its arguments (an object; absent means `{}`).
    #[serde(default = "empty_object")]
    pub args: Value,
    /// Idempotency key for mutating ops.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

fn empty_object() -> Value {
    Value::Object(serde_json::Map::new())
}

/// The error codes of PROTOCOL.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum ErrorCode {
    Unauthenticated,
    UnsupportedProtocol,
    Forbidden,
    BadRequest,
    UnknownOp,
    NotFound,
    RangeFull,
    CodeTaken,
    PolicyDenied,
    Conflict,
    RateLimited,
    Internal,
}

impl ErrorCode {
    /// From the engine's code string; anything unknown is `internal`.
    pub fn from_code(code: &str) -> ErrorCode {
        serde_json::from_value(Value::String(code.to_string())).unwrap_or(ErrorCode::Internal)
    }
}

/// An error reply's body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The code.
    pub code: ErrorCode,
    /// A human-readable message.
    pub message: String,
    /// Extra data (e.g. `by` for `conflict`, `supported` for `unsupported_protocol`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

impl ErrorBody {
    /// An error with a code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ErrorBody {
        ErrorBody {
            code,
            message: message.into(),
            data: None,
        }
    }
}

/// A reply: exactly one per request, same `id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    /// The request's id (`null` for a frame that was not JSON).
    pub id: Value,
    /// Success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ok: Option<Value>,
    /// Failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBody>,
    /// The seq of the last event the request caused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
}

/// An event: `{"event": "park.started", "seq": 1043, "at": "…", "data": {…}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventFrame {
    /// Its name.
    pub event: String,
    /// Rises by one per event within an epoch.
    pub seq: u64,
    /// When it happened.
    pub at: Timestamp,
    /// The whole object concerned, with `outcome`, `by`, `cause` where they apply.
    pub data: Value,
}

/// Anything the engine sends: a reply or an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ServerFrame {
    /// An event (has `event`).
    Event(EventFrame),
    /// A reply (has `id`).
    Reply(Reply),
}

/// `hello` args.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelloArgs {
    /// The bearer token.
    pub token: String,
    /// The client's name and version.
    #[serde(default)]
    pub client: String,
    /// Protocol version wanted.
    pub protocol: u32,
}

/// `hello` ok.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelloOk {
    /// The token's user.
    pub user: String,
    /// The token's roles.
    pub roles: Vec<String>,
    /// The engine's name and version.
    pub engine: String,
    /// Protocol version.
    pub protocol: u32,
    /// Names this run of the engine.
    pub epoch: String,
    /// The engine's clock.
    pub now: Timestamp,
}

/// `subscribe` args.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscribeArgs {
    /// The last seq seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<u64>,
    /// The epoch it was seen in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<String>,
}

/// The state of the engine at subscribe time.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Calls not ended.
    pub calls: Vec<Call>,
    /// Parked calls.
    pub parked: Vec<Parked>,
    /// Pickup groups.
    pub pickup_groups: Vec<Group>,
    /// Announcements not done.
    pub announcements: Vec<Announcement>,
    /// The last activity.
    pub recent: Vec<EventFrame>,
}

/// `subscribe` ok: a snapshot, or how many missed events follow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubscribeOk {
    /// The state now (when not replaying).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<Snapshot>,
    /// Events replayed after this reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replayed: Option<u64>,
    /// The seq the snapshot or replay brings the client to.
    pub seq: u64,
}
