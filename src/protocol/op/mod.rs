//! The op vocabulary: every op of PROTOCOL.md and the project's extensions, typed, with the
//! roles that may call it and whether it changes state. The same types decode a request on
//! the server and encode it on a client (mini-redis's `from_frame` / `into_frame`).
//!
//! Decoding is in two steps because roles are checked before arguments (a monitor is
//! `forbidden` whatever else is wrong): [`OpName::parse`] names the op (`unknown_op`),
//! the caller checks [`OpName::roles`], then [`Op::decode`] reads the args (`bad_request`
//! naming the field). [`Op::from_request`] does both name and args for callers that check
//! no roles.
//!
//! One file per family: [`session`] (`hello`, `ping`, `subscribe`), [`desk`] (the
//! receptionist's verbs and the announcer's report), [`query`] (`health`, `parked.list`,
//! `directory.search`, `history.list`), [`admin`] (directory, ranges, policies, tokens),
//! [`numbers`] (`operator.*`, `number.*`, `address.*`), [`sim`] (`sim.*`) and [`engine`]
//! (`engine.restart`, `engine.drain`, `engine.reload`: the engine process itself).

pub mod admin;
pub mod desk;
pub mod engine;
mod names;
pub mod numbers;
mod ok;
pub mod query;
pub mod session;
pub mod sim;

#[cfg(test)]
mod tests;

pub use admin::{AdminOp, TokenCreate};
pub use desk::{AnnounceOk, CallOk, DeskOp, Done, ExtendOk, ParkOk};
pub use engine::EngineOp;
pub use names::OpName;
pub use numbers::NumbersOp;
pub use ok::OpOk;
pub use query::{
    DirectoryEntry, DirectoryOk, HistoryArgs, HistoryOk, ParkedListOk, QueryOp, SearchArgs,
};
pub use session::{SessionOp, SubscribeOp};
pub use sim::SimOp;

use super::envelope::{ErrorBody, ErrorCode, Request};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Why a request is not an op: the name is unknown, or its args do not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    /// No op has this name (`unknown_op`).
    #[error("unknown op '{0}'")]
    UnknownOp(String),
    /// The args are wrong; the message names the field first (`bad_request`).
    #[error("{0}")]
    BadRequest(String),
}

impl ProtocolError {
    /// The wire error for it.
    pub fn body(&self) -> ErrorBody {
        let code = match self {
            ProtocolError::UnknownOp(_) => ErrorCode::UnknownOp,
            ProtocolError::BadRequest(_) => ErrorCode::BadRequest,
        };
        ErrorBody::new(code, self.to_string())
    }
}

impl From<ProtocolError> for ErrorBody {
    fn from(e: ProtocolError) -> ErrorBody {
        e.body()
    }
}

/// An op with its arguments, grouped by family.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// `hello`, `ping`, `subscribe`.
    Session(SessionOp),
    /// The receptionist's verbs and the announcer's report.
    Desk(DeskOp),
    /// Reads: `health`, `parked.list`, `directory.search`, `history.list`.
    Query(QueryOp),
    /// Directory, ranges, policies, the allow-list, tokens.
    Admin(AdminOp),
    /// Operators, numbers and emergency addresses.
    Numbers(NumbersOp),
    /// The simulated switch (`[demo]` or `[sim]` only).
    Sim(SimOp),
    /// The engine process: a planned restart or a drain.
    Engine(EngineOp),
}

impl Op {
    /// Decodes a request: its name, then its args.
    pub fn from_request(request: &Request) -> Result<Op, ProtocolError> {
        Op::decode(OpName::parse(&request.op)?, &request.args)
    }

    /// Decodes the args of a known op.
    pub fn decode(name: OpName, args: &Value) -> Result<Op, ProtocolError> {
        use names::Family;
        Ok(match name.family() {
            Family::Session => Op::Session(SessionOp::decode(name, args)?),
            Family::Desk => Op::Desk(DeskOp::decode(name, args)?),
            Family::Query => Op::Query(QueryOp::decode(name, args)?),
            Family::Admin => Op::Admin(AdminOp::decode(name, args)?),
            Family::Numbers => Op::Numbers(NumbersOp::decode(name, args)?),
            Family::Sim => Op::Sim(SimOp::decode(name, args)?),
            Family::Engine => Op::Engine(EngineOp::decode(name, args)?),
        })
    }

    /// The request for this op, with `id` and no idempotency key.
    pub fn into_request(self, id: impl Into<Value>) -> Request {
        Request {
            id: id.into(),
            op: self.name().as_str().to_string(),
            args: self.args(),
            key: None,
        }
    }

    /// The request for this mutating op with an idempotency key: a retry with the same key
    /// within 60 s gets the first result instead of acting twice.
    pub fn into_keyed_request(self, id: impl Into<Value>, key: impl Into<String>) -> Request {
        Request {
            key: Some(key.into()),
            ..self.into_request(id)
        }
    }

    /// Its name.
    pub fn name(&self) -> OpName {
        match self {
            Op::Session(op) => op.name(),
            Op::Desk(op) => op.name(),
            Op::Query(op) => op.name(),
            Op::Admin(op) => op.name(),
            Op::Numbers(op) => op.name(),
            Op::Sim(op) => op.name(),
            Op::Engine(op) => op.name(),
        }
    }

    /// Its args as they travel (`{}` for an op without any).
    pub fn args(&self) -> Value {
        match self {
            Op::Session(op) => op.args(),
            Op::Desk(op) => op.args(),
            Op::Query(op) => op.args(),
            Op::Admin(op) => op.args(),
            Op::Numbers(op) => op.args(),
            Op::Sim(op) => op.args(),
            Op::Engine(op) => op.args(),
        }
    }

    /// Roles that may call it.
    pub fn roles(&self) -> &'static [crate::engine::Role] {
        self.name().roles()
    }

    /// Whether it changes state (idempotency keys and the audit log apply).
    pub fn mutates(&self) -> bool {
        self.name().mutates()
    }
}

/// Decodes `args` into `T`, naming the offending field on error. Absent args (`null`) are
/// `{}`; anything but an object is refused.
pub fn decode_args<T: DeserializeOwned>(args: &Value) -> Result<T, ProtocolError> {
    let args = if args.is_null() {
        Value::Object(Default::default())
    } else {
        args.clone()
    };
    if !args.is_object() {
        return Err(ProtocolError::BadRequest("args: must be an object".into()));
    }
    serde_path_to_error::deserialize(args).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        let message = if path == "." || path.is_empty() {
            // serde says "missing field `call`": name it first, as every other error does.
            match inner.split('`').nth(1) {
                Some(field) if inner.starts_with("missing field") => {
                    format!("{field}: missing field")
                }
                _ => inner,
            }
        } else {
            format!("{path}: {inner}")
        };
        ProtocolError::BadRequest(message)
    })
}

/// Decodes a reply's `ok` value into the op's result type (see also [`OpOk::decode`]).
pub fn decode_ok<T: DeserializeOwned>(ok: Value) -> Result<T, ProtocolError> {
    serde_json::from_value(ok).map_err(|e| ProtocolError::BadRequest(format!("ok: {e}")))
}

/// Encodes args; a type that does not serialise to an object sends `{}`.
pub(crate) fn encode<T: Serialize>(args: &T) -> Value {
    match serde_json::to_value(args) {
        Ok(v @ Value::Object(_)) => v,
        _ => empty(),
    }
}

/// Encodes args, leaving out the fields that are `null` (absent and `null` decode alike;
/// clients have always sent only the fields they set).
pub(crate) fn encode_set<T: Serialize>(args: &T) -> Value {
    let mut v = encode(args);
    if let Value::Object(o) = &mut v {
        o.retain(|_, v| !v.is_null());
    }
    v
}

/// `{}`.
pub(crate) fn empty() -> Value {
    Value::Object(serde_json::Map::new())
}
