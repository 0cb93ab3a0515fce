//! The audit log keeps every command, and never a secret.

use parkdesk::protocol::Timestamp;
use parkdesk::store::{AuditEntry, Store, redact_args};
use serde_json::json;

fn entry(n: i64, op: &str, result: &str) -> AuditEntry {
    AuditEntry {
        at: Timestamp::from_unix_millis(n * 1000),
        user: format!("user{n}"),
        op: op.into(),
        args_json: json!({"n": n}).to_string(),
        result: result.into(),
    }
}

#[tokio::test]
async fn the_audit_log_returns_the_last_entries_oldest_first() {
    let store = Store::open_in_memory().unwrap();
    for n in 0..10 {
        store.audit(entry(
            n,
            "park",
            if n % 3 == 0 { "range_full" } else { "ok" },
        ));
    }
    let last = store.audit_log(3).await.unwrap();
    assert_eq!(
        last,
        [
            entry(7, "park", "ok"),
            entry(8, "park", "ok"),
            entry(9, "park", "range_full")
        ]
    );
    assert_eq!(store.audit_log(100).await.unwrap().len(), 10);
    assert!(store.audit_log(0).await.unwrap().is_empty());
}

#[test]
fn secrets_in_arguments_are_redacted_at_any_depth() {
    let args = json!({
        "user": "alice",
        "token": "s3cret",
        "nested": {"password": "hunter2", "keep": 1},
        "list": [{"secret": "x"}, {"sip_ha1": "abcd"}]
    });
    let redacted = redact_args(&args);
    for secret in ["s3cret", "hunter2", "\"x\"", "abcd"] {
        assert!(!redacted.contains(secret), "{secret} leaked: {redacted}");
    }
    let back: serde_json::Value = serde_json::from_str(&redacted).unwrap();
    assert_eq!(back["user"], "alice");
    assert_eq!(back["nested"]["keep"], 1);
    assert_eq!(back["token"], "<redacted>");
}
