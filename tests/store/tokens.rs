//! Tokens are stored hashed, matched in constant time, and revocable.

use parkdesk::engine::Role;
use parkdesk::protocol::Timestamp;
use parkdesk::store::{Store, TokenRecord, find_token, hash_token, token_matches};

#[test]
fn a_token_hashes_to_its_sha256_in_lowercase_hex() {
    assert_eq!(
        hash_token("abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(
        hash_token(""),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
}

#[test]
fn only_the_right_token_matches_and_a_malformed_hash_matches_nothing() {
    let hash = hash_token("reception-secret");
    assert!(token_matches(&hash, "reception-secret"));
    assert!(token_matches(&hash.to_uppercase(), "reception-secret"));
    assert!(!token_matches(&hash, "reception-secreT"));
    assert!(!token_matches(&hash, ""));
    assert!(!token_matches("not hex", "reception-secret"));
    assert!(!token_matches(&hash[..10], "reception-secret"));
    assert!(!token_matches("", ""));
}

#[test]
fn find_token_picks_the_record_of_the_presented_secret() {
    let t = Timestamp::from_unix_millis(0);
    let records = vec![
        TokenRecord::new("t1", "one", "alice", vec![Role::User], "", t),
        TokenRecord::new("t2", "two", "bob", vec![Role::Admin], "", t),
    ];
    assert_eq!(
        find_token(&records, "two").map(|r| r.id.as_str()),
        Some("t2")
    );
    assert_eq!(find_token(&records, "three"), None);
}

#[tokio::test]
async fn tokens_round_trip_without_their_secret_and_a_revoked_one_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.db");
    let store = Store::open(&path).unwrap();
    let a = TokenRecord::new(
        "tok-1",
        "very-secret-desk-token",
        "reception",
        vec![Role::Receptionist, Role::Monitor],
        "desk 1, left",
        Timestamp::from_unix_millis(1_000),
    );
    let b = TokenRecord::new(
        "tok-2",
        "another-secret",
        "pa",
        vec![Role::Announcer],
        "",
        Timestamp::from_unix_millis(2_000),
    );
    store.put_token(b.clone());
    store.put_token(a.clone());
    assert_eq!(
        store.tokens().await.unwrap(),
        [a.clone(), b.clone()],
        "oldest first"
    );

    store.revoke_token("tok-1");
    store.revoke_token("no-such-token");
    let left = store.tokens().await.unwrap();
    assert_eq!(left, std::slice::from_ref(&b));
    assert!(find_token(&left, "very-secret-desk-token").is_none());
    assert!(left[0].matches("another-secret"));
    store.close().await.unwrap();

    // The secret is nowhere in the database files, only its hash.
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("another-secret"));
        assert!(!text.contains("very-secret-desk-token"));
    }
}

#[tokio::test]
async fn putting_a_token_with_a_known_id_replaces_it() {
    let store = Store::open_in_memory().unwrap();
    let t = Timestamp::from_unix_millis(5);
    store.put_token(TokenRecord::new("t", "old", "u", vec![Role::User], "", t));
    store.put_token(TokenRecord::new(
        "t",
        "new",
        "u",
        vec![Role::Admin],
        "rotated",
        t,
    ));
    let tokens = store.tokens().await.unwrap();
    assert_eq!(tokens.len(), 1);
    assert!(tokens[0].matches("new") && !tokens[0].matches("old"));
    assert_eq!(
        (tokens[0].roles.clone(), tokens[0].label.as_str()),
        (vec![Role::Admin], "rotated")
    );
}
