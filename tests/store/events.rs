//! The durable event log: appended in order, read back after a reopen for a replay only
//! when it holds every missed event, pruned to the newest events now and then.

use parkdesk::store::{Store, StoredEvent};

fn event(seq: u64) -> StoredEvent {
    StoredEvent {
        seq,
        at: 1_700_000_000_000 + seq as i64,
        name: "park.started".into(),
        concerns: vec!["reception".into(), format!("user-{seq}")],
        frame: format!("{{\"event\":\"park.started\",\"seq\":{seq}}}"),
    }
}

fn seqs(events: &[StoredEvent]) -> Vec<u64> {
    events.iter().map(|e| e.seq).collect()
}

#[tokio::test]
async fn logged_events_survive_a_reopen_and_replay_in_order_with_who_they_concern() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("parkdesk.db");
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.last_seq().await.unwrap(),
        0,
        "a new store has no events"
    );
    for seq in 1..=12 {
        store.append_event(event(seq));
    }
    store.close().await.unwrap();

    let store = Store::open(&path).unwrap();
    assert_eq!(store.last_seq().await.unwrap(), 12);
    let missed = store.events_after(9, 12).await.unwrap().expect("all held");
    assert_eq!(seqs(&missed), [10, 11, 12]);
    assert_eq!(
        missed[0],
        event(10),
        "frame, name, time and concerns come back as written"
    );
    assert_eq!(store.events_after(12, 12).await.unwrap(), Some(vec![]));
    assert_eq!(
        store.events_after(0, 12).await.unwrap().map(|e| e.len()),
        Some(12)
    );
    assert_eq!(
        store.events_after(13, 12).await.unwrap(),
        None,
        "from the future"
    );
    assert_eq!(
        store.events_after(9, 14).await.unwrap(),
        None,
        "13 and 14 never logged"
    );
}

#[tokio::test]
async fn a_read_queued_before_later_appends_ends_where_it_was_asked() {
    let store = Store::open_in_memory().unwrap();
    for seq in 1..=3 {
        store.append_event(event(seq));
    }
    // Queued now, awaited after more events: it sees what was appended before it.
    let read = store.events_after(1, 3);
    store.append_event(event(4));
    assert_eq!(seqs(&read.await.unwrap().unwrap()), [2, 3]);
}

#[tokio::test]
async fn a_hole_in_the_log_means_no_replay() {
    let store = Store::open_in_memory().unwrap();
    for seq in [1, 2, 4, 5] {
        store.append_event(event(seq));
    }
    assert_eq!(store.events_after(1, 5).await.unwrap(), None);
    assert_eq!(
        seqs(&store.events_after(3, 5).await.unwrap().unwrap()),
        [4, 5]
    );
}

#[tokio::test]
async fn the_log_keeps_only_the_newest_events_once_pruned() {
    let store = Store::open_in_memory().unwrap();
    store.set_event_retention(100);
    // Pruned after every thousand appends (at the end of the burst that reaches them):
    // after 2,500 the log has been pruned at least twice.
    for seq in 1..=2500 {
        store.append_event(event(seq));
    }
    store.flush().await.unwrap();
    assert_eq!(store.last_seq().await.unwrap(), 2500);
    assert_eq!(
        store.events_after(1000, 2500).await.unwrap(),
        None,
        "events older than the second prune's newest 100 are gone"
    );
    let kept = store
        .events_after(2400, 2500)
        .await
        .unwrap()
        .expect("newest kept");
    assert_eq!(seqs(&kept), (2401..=2500).collect::<Vec<_>>());
    // The last seq survives any prune, so a new run goes on from it.
    store.set_event_retention(0);
    for seq in 2501..=3600 {
        store.append_event(event(seq));
    }
    store.flush().await.unwrap();
    assert_eq!(store.last_seq().await.unwrap(), 3600);
}
