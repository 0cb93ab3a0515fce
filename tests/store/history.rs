//! Park history: started and ended parks, filtering, and parks a crash left open.

use parkdesk::engine::ParkOutcome;
use parkdesk::engine::switch::{CallId, Party};
use parkdesk::protocol::Timestamp;
use parkdesk::store::{HistoryEntry, ParkEnded, ParkRecord, Store};

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_unix_millis(1_790_000_000_000 + seconds * 1000)
}

fn parked(call: &str, code: &str, t: i64) -> ParkRecord {
    ParkRecord {
        call: CallId(call.into()),
        code: code.into(),
        range: "main".into(),
        caller: Party {
            number: "+4930123456".into(),
            name: format!("Caller {call}"),
        },
        parked_by: "reception".into(),
        for_note: Some("Dr. Smith".into()),
        policy: "global".into(),
        parked_at: at(t),
    }
}

fn ended(call: &str, code: &str, outcome: ParkOutcome, by: Option<&str>, t: i64) -> ParkEnded {
    ParkEnded {
        call: CallId(call.into()),
        code: code.into(),
        outcome,
        by: by.map(str::to_string),
        ended_at: at(t),
    }
}

fn calls(entries: &[HistoryEntry]) -> Vec<&str> {
    entries.iter().map(|e| e.call.0.as_str()).collect()
}

#[tokio::test]
async fn an_ended_park_comes_back_with_every_field_and_an_open_one_not_at_all() {
    let store = Store::open_in_memory().unwrap();
    store.park_started(parked("c-1", "701", 0));
    store.park_started(ParkRecord {
        for_note: None,
        ..parked("c-2", "702", 1)
    });
    store.park_ended(ended(
        "c-1",
        "701",
        ParkOutcome::Retrieved,
        Some("alice"),
        30,
    ));
    let history = store.history(None, 100).await.unwrap();
    assert_eq!(
        history,
        [HistoryEntry {
            call: CallId("c-1".into()),
            code: "701".into(),
            range: "main".into(),
            caller: Party {
                number: "+4930123456".into(),
                name: "Caller c-1".into()
            },
            parked_by: "reception".into(),
            for_note: Some("Dr. Smith".into()),
            policy: "global".into(),
            parked_at: at(0),
            ended_at: at(30),
            outcome: ParkOutcome::Retrieved,
            by: Some("alice".into()),
        }]
    );
}

#[tokio::test]
async fn a_call_parked_twice_on_one_code_keeps_two_entries() {
    let store = Store::open_in_memory().unwrap();
    store.park_started(parked("c-1", "701", 0));
    store.park_ended(ended(
        "c-1",
        "701",
        ParkOutcome::AnsweredRingback,
        Some("reception"),
        10,
    ));
    store.park_started(parked("c-1", "701", 20));
    store.park_ended(ended("c-1", "701", ParkOutcome::Abandoned, None, 25));
    store.flush().await.unwrap();
    let history = store.history(None, 10).await.unwrap();
    let outcomes: Vec<_> = history
        .iter()
        .map(|e| (e.parked_at, e.outcome, e.by.clone()))
        .collect();
    assert_eq!(
        outcomes,
        [
            (
                at(0),
                ParkOutcome::AnsweredRingback,
                Some("reception".to_string())
            ),
            (at(20), ParkOutcome::Abandoned, None),
        ]
    );
}

#[tokio::test]
async fn history_is_ascending_by_end_and_since_and_limit_page_forward_or_take_the_latest() {
    let store = Store::open_in_memory().unwrap();
    // Parked in one order, ended in another: history follows the end.
    for (call, end) in [
        ("c-a", 50),
        ("c-b", 10),
        ("c-c", 30),
        ("c-d", 30),
        ("c-e", 40),
    ] {
        store.park_started(parked(call, &format!("7{}", &call[2..]), 0));
        store.park_ended(ended(
            call,
            &format!("7{}", &call[2..]),
            ParkOutcome::Released,
            None,
            end,
        ));
    }
    assert_eq!(
        calls(&store.history(None, 100).await.unwrap()),
        ["c-b", "c-c", "c-d", "c-e", "c-a"]
    );
    assert_eq!(
        calls(&store.history(None, 2).await.unwrap()),
        ["c-e", "c-a"]
    );
    assert_eq!(
        calls(&store.history(Some(at(30)), 100).await.unwrap()),
        ["c-c", "c-d", "c-e", "c-a"]
    );
    assert_eq!(
        calls(&store.history(Some(at(30)), 2).await.unwrap()),
        ["c-c", "c-d"]
    );
    assert_eq!(
        calls(&store.history(Some(at(31)), 100).await.unwrap()),
        ["c-e", "c-a"]
    );
    assert!(store.history(Some(at(51)), 100).await.unwrap().is_empty());
    assert!(store.history(None, 0).await.unwrap().is_empty());
    assert_eq!(store.history(None, usize::MAX).await.unwrap().len(), 5);
}

#[tokio::test]
async fn parks_left_open_by_a_crash_are_closed_as_lost_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("parkdesk.db");
    {
        let store = Store::open(&path).unwrap();
        store.park_started(parked("c-1", "701", 0));
        store.park_started(parked("c-2", "702", 5));
        store.park_ended(ended("c-2", "702", ParkOutcome::Retrieved, Some("bob"), 9));
        store.park_started(parked("c-3", "703", 7));
        store.flush().await.unwrap();
        // The process dies here: no close, the handle is simply gone.
        drop(store);
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.close_open_parks_as_lost(at(100)).await.unwrap(), 2);
    let history = store.history(None, 10).await.unwrap();
    let summary: Vec<_> = history
        .iter()
        .map(|e| (e.call.0.as_str(), e.outcome, e.ended_at, e.by.clone()))
        .collect();
    assert_eq!(
        summary,
        [
            (
                "c-2",
                ParkOutcome::Retrieved,
                at(9),
                Some("bob".to_string())
            ),
            ("c-1", ParkOutcome::Lost, at(100), None),
            ("c-3", ParkOutcome::Lost, at(100), None),
        ]
    );
    assert_eq!(
        store.close_open_parks_as_lost(at(200)).await.unwrap(),
        0,
        "closed only once"
    );
}

#[tokio::test]
async fn a_park_record_is_built_from_the_engines_parked_call_in_utc() {
    use parkdesk::engine::objects::ParkState;
    use parkdesk::engine::{Instant, Parked};
    use parkdesk::protocol::UtcClock;
    let clock = UtcClock {
        origin_unix_ms: 1_790_000_000_000,
    };
    let p = Parked {
        code: "*105".into(),
        spoken: "star one zero five".into(),
        range: "main".into(),
        call: CallId("c-9".into()),
        caller: Party {
            number: "201".into(),
            name: String::new(),
        },
        parked_by: "alice".into(),
        for_note: None,
        policy: "staff".into(),
        parked_at: Instant(5_000),
        expires_at: Instant(305_000),
        state: ParkState::Parked,
        ringback: 0,
        ringbacks_max: 1,
    };
    let r = ParkRecord::from_parked(&p, &clock);
    assert_eq!(r.parked_at, at(5));
    assert_eq!(
        (r.code.as_str(), r.policy.as_str(), r.parked_by.as_str()),
        ("*105", "staff", "alice")
    );
}
