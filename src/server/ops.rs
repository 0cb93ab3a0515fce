//! What the server says of an engine refusal. The op catalogue (names, roles, whether an
//! op changes state) and the decoding of args are `protocol::op`'s.

use crate::engine::EngineError;
use crate::protocol::{ErrorBody, ErrorCode};

/// The protocol error for an engine refusal.
pub fn engine_error(err: &EngineError) -> ErrorBody {
    let mut body = ErrorBody::new(ErrorCode::from_code(err.code()), err.to_string());
    if let EngineError::Conflict { by: Some(by), .. } = err {
        body.data = Some(serde_json::json!({ "by": by }));
    }
    body
}
