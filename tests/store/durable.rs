//! Durable call state: the engine's records and the legs' dialogs survive a reopen, in
//! write order, and an ended call takes its legs with it.

use parkdesk::store::{DurableRow, Store};

fn row(call: &str, leg: &str, body: &str, at: i64) -> DurableRow {
    DurableRow {
        call: call.into(),
        leg: leg.into(),
        body: body.into(),
        updated_at: at,
    }
}

#[tokio::test]
async fn durable_calls_and_legs_survive_a_reopen_and_an_ended_call_takes_its_legs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("parkdesk.db");
    let store = Store::open(&path).unwrap();
    store.put_durable_call(row("s-1", "", "{\"v\":1}", 10));
    store.put_durable_leg(row("s-1", "caller", "{\"dialog\":1}", 10));
    store.put_durable_call(row("s-2", "", "{\"v\":1}", 11));
    store.put_durable_leg(row("s-2", "caller", "{\"dialog\":2}", 11));
    store.put_durable_leg(row("s-2", "ring-4", "{\"dialog\":3}", 12));
    // A rewrite replaces the body in place.
    store.put_durable_call(row("s-1", "", "{\"v\":2}", 13));
    store.remove_durable_leg("s-2", "ring-4");
    store.put_durable_call(row("s-3", "", "{}", 14));
    store.put_durable_leg(row("s-3", "caller", "{}", 14));
    store.remove_durable_call("s-3");
    store.close().await.unwrap();

    let store = Store::open(&path).unwrap();
    let state = store.load_durable().await.unwrap();
    let calls: Vec<(&str, &str)> = state
        .calls
        .iter()
        .map(|r| (r.call.as_str(), r.body.as_str()))
        .collect();
    assert_eq!(calls, [("s-2", "{\"v\":1}"), ("s-1", "{\"v\":2}")]);
    let legs: Vec<(&str, &str)> = state
        .legs
        .iter()
        .map(|r| (r.call.as_str(), r.leg.as_str()))
        .collect();
    assert_eq!(legs, [("s-1", "caller"), ("s-2", "caller")]);
}
