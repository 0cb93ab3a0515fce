//! The builders pin the wire.

use super::*;
use serde_json::json;

/// The wire as it was before the builders existed: op, args, label, and mutating.
#[test]
fn each_builder_speaks_the_wire_the_console_always_spoke() {
    let cases = [
        (
            park("c1", None, None, false),
            "park",
            json!({"call": "c1"}),
            "Park",
            true,
        ),
        (
            park("c1", Some("705"), Some("Ada"), true),
            "park",
            json!({"call": "c1", "code": "705", "for": "Ada", "announce": true}),
            "Park on 705",
            true,
        ),
        (
            retrieve("705", None),
            "retrieve",
            json!({"code": "705"}),
            "Retrieve 705",
            true,
        ),
        (
            retrieve("705", Some("bob")),
            "retrieve",
            json!({"code": "705", "to": "bob"}),
            "Retrieve 705 to bob",
            true,
        ),
        (
            transfer_parked("705", "Ada", "bob"),
            "retrieve",
            json!({"code": "705", "to": "bob"}),
            "Transfer 705 (Ada) to bob",
            true,
        ),
        (
            transfer("c1", "Ada", "bob"),
            "transfer",
            json!({"call": "c1", "to": "bob"}),
            "Transfer Ada to bob",
            true,
        ),
        (
            announce("705", Some(2)),
            "announce",
            json!({"code": "705", "repeat": 2}),
            "Announce 705",
            true,
        ),
        (
            extend("705", 60),
            "extend",
            json!({"code": "705", "seconds": 60}),
            "Extend 705",
            true,
        ),
        (
            pickup("sales", Some("c2"), "880"),
            "pickup",
            json!({"group": "sales", "call": "c2"}),
            "Pickup in 880",
            true,
        ),
        (
            hangup("c1"),
            "hangup",
            json!({"call": "c1"}),
            "Hang up",
            true,
        ),
        (
            find("ada"),
            "directory.search",
            json!({"query": "ada"}),
            "Find 'ada'",
            false,
        ),
        (
            history(100),
            "history.list",
            json!({"limit": 100}),
            "History",
            false,
        ),
        (
            number_list(500),
            "number.list",
            json!({"limit": 500}),
            "Loading the numbers",
            false,
        ),
        (
            number_release("+1555"),
            "number.release",
            json!({"numbers": ["+1555"]}),
            "Release +1555",
            true,
        ),
        (
            number_assign("+1555", "bob"),
            "number.assign",
            json!({"number": "+1555", "user": "bob"}),
            "Assign +1555 to bob",
            true,
        ),
    ];
    for (request, op, args, label, mutating) in cases {
        assert_eq!(request.op.name().as_str(), op);
        assert_eq!(request.op.args(), args, "{op}");
        assert_eq!(request.label, label);
        assert_eq!(request.mutating(), mutating, "{op}");
    }
}
