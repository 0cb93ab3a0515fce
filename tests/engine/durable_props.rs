//! The property of durable call state: for random sequences of commands, switch events and
//! "crash here", a fresh engine restored from the records the engine handed out (applied in
//! order, as the store applies them) shows the same parked calls and the same calls it
//! carries on as the engine before the crash, and the sequence goes on from there.
#![allow(clippy::unwrap_used)] // test code: an unwrap states what must hold

use crate::properties::{Ledger, Op, op, run, setup};
use crate::support::engine::*;
use parkdesk::engine::*;
use parkdesk::server::engine_task::durable;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Step {
    Do(Op),
    Crash,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        12 => op().prop_map(Step::Do),
        1 => Just(Step::Crash),
    ]
}

/// The records with the ids of rings under way blanked: a restored ring is a new ring.
fn without_ring_ids(records: Vec<DurableCall>) -> Vec<DurableCall> {
    records
        .into_iter()
        .map(|mut record| {
            if let Some(ring) = &mut record.pending {
                ring.id = parkdesk::engine::switch::IntentId(0);
            }
            record
        })
        .collect()
}

/// Crashes `h` and restores it: checks the restored engine against it, returns it.
fn crash_and_restore(h: &mut Harness, ledger: &mut Ledger) -> Result<Harness, TestCaseError> {
    h.collect_durable();
    let stored: Vec<DurableCall> = h.store.values().cloned().collect();
    prop_assert_eq!(
        &stored,
        &h.engine.durable_calls(),
        "the changes handed out add up to the records"
    );
    // Each record reads back from the body the server stores, whatever state it is in.
    let utc = parkdesk::protocol::UtcClock { origin_unix_ms: 0 };
    for record in &stored {
        let row = durable::row(record, &utc, h.now);
        prop_assert_eq!(&durable::decode(&row, &utc).unwrap(), record);
    }
    let (restored, lost) = h.restored();
    prop_assert!(lost.is_empty(), "lost on restore: {:?}", lost);
    prop_assert!(
        restored.events.is_empty(),
        "restoring emitted {:?}",
        restored.names()
    );
    prop_assert_eq!(restored.engine.parked(), h.engine.parked());
    let carried: Vec<Call> = h
        .engine
        .calls()
        .into_iter()
        .filter(|c| h.store.contains_key(&c.call))
        .collect();
    prop_assert_eq!(restored.engine.calls(), carried);
    prop_assert_eq!(
        without_ring_ids(restored.engine.durable_calls()),
        without_ring_ids(h.engine.durable_calls())
    );
    ledger.absorb(&restored)?;
    Ok(restored)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(300),
        ..ProptestConfig::default()
    })]

    #[test]
    fn restoring_from_the_durable_records_gives_the_engine_as_it_was(
        steps in proptest::collection::vec(step(), 1..80),
    ) {
        let mut h = Harness::with(setup());
        h.engine.handle_stations(h.now, "default", 1);
        let mut ledger = Ledger::default();
        for step in steps {
            match step {
                Step::Do(op) => run(&mut h, &mut ledger, op)?,
                Step::Crash => {
                    let mut restored = crash_and_restore(&mut h, &mut ledger)?;
                    restored.engine.handle_stations(restored.now, "default", 1);
                    h = restored;
                }
            }
        }
        crash_and_restore(&mut h, &mut ledger)?;
    }
}
