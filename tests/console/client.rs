//! The client against a scripted WebSocket peer on loopback: id correlation, events,
//! close reasons, refusals. The peer plays the protocol's frames; it is not an engine.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too: a failure is the test failing

use futures_util::{SinkExt, StreamExt};
use parkdesk::client::{Client, ClientError};
use parkdesk::protocol::ErrorCode;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

const HELLO_OK: &str = r#"{"user":"reception","roles":["receptionist"],"engine":"parkdesk 0.1.0","protocol":1,"epoch":"e1","now":"2026-11-21T10:00:00.000Z"}"#;

type Peer = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

/// Starts a one-connection peer on 127.0.0.1:0 running `script`; returns its URL.
async fn peer<F, Fut>(script: F) -> String
where
    F: FnOnce(Peer) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
        script(ws).await;
    });
    format!("ws://{addr}/v1")
}

async fn next_request(ws: &mut Peer) -> Value {
    loop {
        match ws.next().await.unwrap().unwrap() {
            Message::Text(t) => return serde_json::from_str(t.as_str()).unwrap(),
            _ => continue,
        }
    }
}

async fn answer_hello(ws: &mut Peer) -> Value {
    let hello = next_request(ws).await;
    let reply = format!(r#"{{"id":{},"ok":{HELLO_OK}}}"#, hello["id"]);
    ws.send(Message::text(reply)).await.unwrap();
    hello
}

#[tokio::test]
async fn connect_sends_hello_first_with_the_token_and_protocol_version() {
    let (seen_tx, seen_rx) = tokio::sync::oneshot::channel();
    let url = peer(|mut ws| async move {
        let hello = answer_hello(&mut ws).await;
        seen_tx.send(hello).unwrap();
        let _ = ws.next().await;
    })
    .await;
    let (_client, hello) = Client::connect(&url, "reception-secret", "test 1")
        .await
        .unwrap();
    assert_eq!(hello.user, "reception");
    assert_eq!(hello.epoch, "e1");
    let sent = seen_rx.await.unwrap();
    assert_eq!(sent["op"], "hello");
    assert_eq!(sent["args"]["token"], "reception-secret");
    assert_eq!(sent["args"]["protocol"], 1);
}

#[tokio::test]
async fn an_unknown_token_is_unauthenticated() {
    let url = peer(|mut ws| async move {
        let hello = next_request(&mut ws).await;
        let reply = json!({"id": hello["id"], "error": {"code": "unauthenticated", "message": "unknown token"}});
        ws.send(Message::text(reply.to_string())).await.unwrap();
        let _ = ws.close(None).await;
    })
    .await;
    let err = Client::connect(&url, "wrong", "test").await.err().unwrap();
    assert!(
        matches!(err, ClientError::Unauthenticated { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn replies_reach_their_own_request_even_when_answered_out_of_order() {
    let url = peer(|mut ws| async move {
        answer_hello(&mut ws).await;
        let first = next_request(&mut ws).await;
        let second = next_request(&mut ws).await;
        for req in [&second, &first] {
            let reply = json!({"id": req["id"], "ok": {"echo": req["op"]}});
            ws.send(Message::text(reply.to_string())).await.unwrap();
        }
        let _ = ws.next().await;
    })
    .await;
    let (client, _) = Client::connect(&url, "t", "test").await.unwrap();
    let handle = client.handle();
    let (a, b) = tokio::join!(handle.request("parked.list", json!({})), async {
        tokio::task::yield_now().await;
        handle.request("ping", json!({})).await
    });
    assert_eq!(a.unwrap()["echo"], "parked.list");
    assert_eq!(b.unwrap()["echo"], "ping");
}

#[tokio::test]
async fn a_refusal_carries_the_engine_code_message_and_data_and_the_key_is_sent() {
    let (seen_tx, seen_rx) = tokio::sync::oneshot::channel();
    let url = peer(|mut ws| async move {
        answer_hello(&mut ws).await;
        let req = next_request(&mut ws).await;
        let reply = json!({"id": req["id"], "error": {"code": "range_full", "message": "no free code in range 'main' (701-799)"}});
        ws.send(Message::text(reply.to_string())).await.unwrap();
        seen_tx.send(req).unwrap();
        let _ = ws.next().await;
    })
    .await;
    let (client, _) = Client::connect(&url, "t", "test").await.unwrap();
    let err = client
        .request_with_key("park", json!({"call": "c-1"}), "k-1")
        .await
        .unwrap_err();
    match err {
        ClientError::Refused { code, message, .. } => {
            assert_eq!(code, ErrorCode::RangeFull);
            assert!(message.contains("701-799"));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(seen_rx.await.unwrap()["key"], "k-1");
}

#[tokio::test]
async fn events_follow_the_subscribe_reply_and_a_resync_close_is_surfaced() {
    let url = peer(|mut ws| async move {
        answer_hello(&mut ws).await;
        let req = next_request(&mut ws).await;
        assert_eq!(req["op"], "subscribe");
        assert_eq!(req["args"]["since"], 41);
        assert_eq!(req["args"]["epoch"], "e1");
        let reply = json!({"id": req["id"], "ok": {"replayed": 1, "seq": 42}});
        ws.send(Message::text(reply.to_string())).await.unwrap();
        let event = json!({"event": "engine.stopping", "seq": 42, "at": "2026-11-21T10:00:01.000Z", "data": {}});
        ws.send(Message::text(event.to_string())).await.unwrap();
        ws.send(Message::Ping(vec![1, 2].into())).await.unwrap();
        let frame = CloseFrame { code: CloseCode::Policy, reason: "resync".into() };
        ws.send(Message::Close(Some(frame))).await.unwrap();
        let _ = ws.next().await;
    })
    .await;
    let (mut client, _) = Client::connect(&url, "t", "test").await.unwrap();
    let ok = client.subscribe(Some(41), Some("e1".into())).await.unwrap();
    assert_eq!(ok.replayed, Some(1));
    assert_eq!(ok.seq, 42);
    let event = client.next_event().await.unwrap();
    assert_eq!(event.event, "engine.stopping");
    assert_eq!(event.seq, 42);
    match client.next_event().await.unwrap_err() {
        ClientError::Closed { reason } => assert_eq!(reason.as_deref(), Some("resync")),
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn a_request_in_flight_when_the_socket_drops_fails_as_closed() {
    let url = peer(|mut ws| async move {
        answer_hello(&mut ws).await;
        let _ = next_request(&mut ws).await;
        drop(ws);
    })
    .await;
    let (client, _) = Client::connect(&url, "t", "test").await.unwrap();
    let err = client.request("parked.list", json!({})).await.unwrap_err();
    assert!(err.is_connection_lost(), "{err:?}");
}

#[tokio::test]
async fn nothing_listening_is_a_connect_failure_naming_the_url() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let err = Client::connect(&format!("{addr}"), "t", "test")
        .await
        .err()
        .unwrap();
    assert!(matches!(err, ClientError::ConnectFailed { .. }));
    assert!(err.to_string().contains(&format!("ws://{addr}/v1")));
}
