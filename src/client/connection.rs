//! The connection: a background task owns the socket; [`Client`] and [`ClientHandle`] talk
//! to it over channels.

use super::error::ClientError;
use crate::protocol::op::{SessionOp, SubscribeOp};
use crate::protocol::{
    ErrorBody, ErrorCode, EventFrame, HelloArgs, HelloOk, MAX_CLIENT_FRAME, MAX_SERVER_FRAME, Op,
    OpName, PATH, PROTOCOL_VERSION, Reply, Request, ServerFrame, SubscribeArgs, SubscribeOk,
};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, watch};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// How long a request waits for its reply unless told otherwise.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// What the handle asks the socket task to do.
enum Outgoing {
    /// Send a request frame and route the reply with `id` to `reply`.
    Request {
        id: u64,
        frame: String,
        reply: oneshot::Sender<Reply>,
    },
    /// Close the socket politely.
    Close,
}

/// The shared, cloneable half of a connection: sends requests, waits for replies.
///
/// Clone it to send requests from several tasks while one task reads events from the
/// [`Client`].
#[derive(Clone)]
pub struct ClientHandle {
    outgoing: mpsc::UnboundedSender<Outgoing>,
    next_id: Arc<AtomicU64>,
    closed: watch::Receiver<Option<Option<String>>>,
    timeout: Duration,
}

/// A connection to the engine: requests plus the event stream.
pub struct Client {
    handle: ClientHandle,
    events: mpsc::UnboundedReceiver<EventFrame>,
}

/// The full WebSocket URL for what a user typed: `host:port`, `ws://host:port` or a URL
/// with its path; the protocol's `/v1` path is added when none is given.
pub fn endpoint_url(engine: &str) -> String {
    let with_scheme = if engine.starts_with("ws://") || engine.starts_with("wss://") {
        engine.to_string()
    } else {
        format!("ws://{engine}")
    };
    let after_scheme = with_scheme
        .split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    match after_scheme.find('/') {
        Some(slash) if after_scheme.len() > slash + 1 => with_scheme,
        Some(_) => format!("{}{}", with_scheme.trim_end_matches('/'), PATH),
        None => format!("{with_scheme}{PATH}"),
    }
}

impl Client {
    /// Opens the WebSocket at `url` and says `hello` with `token`; returns the client and
    /// the engine's answer (user, roles, epoch and the engine's clock).
    pub async fn connect(
        url: &str,
        token: &str,
        client_name: &str,
    ) -> Result<(Client, HelloOk), ClientError> {
        let url = endpoint_url(url);
        let config = WebSocketConfig::default()
            .max_message_size(Some(MAX_SERVER_FRAME))
            .max_frame_size(Some(MAX_SERVER_FRAME));
        let (socket, _response) =
            tokio_tungstenite::connect_async_with_config(url.as_str(), Some(config), true)
                .await
                .map_err(|source| ClientError::ConnectFailed {
                    url: url.clone(),
                    source: Box::new(source),
                })?;
        let (outgoing, outgoing_rx) = mpsc::unbounded_channel();
        let (events_tx, events) = mpsc::unbounded_channel();
        let (closed_tx, closed) = watch::channel(None);
        tokio::spawn(drive(socket, outgoing_rx, events_tx, closed_tx));
        let client = Client {
            handle: ClientHandle {
                outgoing,
                next_id: Arc::new(AtomicU64::new(1)),
                closed,
                timeout: DEFAULT_REQUEST_TIMEOUT,
            },
            events,
        };
        let hello = client.handle.hello(token, client_name).await?;
        Ok((client, hello))
    }

    /// A cloneable handle for sending requests from other tasks.
    pub fn handle(&self) -> ClientHandle {
        self.handle.clone()
    }

    /// Changes how long requests wait for their replies.
    pub fn set_request_timeout(&mut self, timeout: Duration) {
        self.handle.timeout = timeout;
    }

    /// Sends `op` with `args` and returns the reply's `ok` value; an error reply is
    /// [`ClientError::Refused`].
    pub async fn request(&self, op: &str, args: Value) -> Result<Value, ClientError> {
        self.handle.request(op, args).await
    }

    /// Sends a typed op and returns the reply's `ok` value (decode it with
    /// [`crate::protocol::op::decode_ok`] into the op's result type).
    pub async fn op(&self, op: crate::protocol::Op) -> Result<Value, ClientError> {
        self.handle.op(op).await
    }

    /// Like [`Client::op`], with an idempotency key (see [`Client::request_with_key`]).
    pub async fn op_with_key(
        &self,
        op: crate::protocol::Op,
        key: &str,
    ) -> Result<Value, ClientError> {
        self.handle.op_with_key(op, key).await
    }

    /// Like [`Client::request`], with an idempotency key: the engine answers a repeat of
    /// the same key within 60 s with the first result instead of acting twice.
    pub async fn request_with_key(
        &self,
        op: &str,
        args: Value,
        key: &str,
    ) -> Result<Value, ClientError> {
        self.handle.request_with_key(op, args, key).await
    }

    /// Subscribes to events, resuming after `since` in `epoch` when both are given.
    pub async fn subscribe(
        &self,
        since: Option<u64>,
        epoch: Option<String>,
    ) -> Result<SubscribeOk, ClientError> {
        self.handle.subscribe(since, epoch).await
    }

    /// The next event; [`ClientError::Closed`] (with the engine's reason) once the
    /// connection is gone and every event received before has been read.
    pub async fn next_event(&mut self) -> Result<EventFrame, ClientError> {
        match self.events.recv().await {
            Some(event) => Ok(event),
            None => Err(self.handle.closed_error()),
        }
    }

    /// Why the connection closed, once it has: `Some(reason)` where the reason may be
    /// absent (`Some(None)`), `None` while it is open.
    pub fn close_reason(&self) -> Option<Option<String>> {
        self.handle.closed.borrow().clone()
    }

    /// Closes the connection.
    pub fn close(&self) {
        self.handle.close();
    }
}

impl ClientHandle {
    async fn hello(&self, token: &str, client_name: &str) -> Result<HelloOk, ClientError> {
        let hello = SessionOp::Hello(HelloArgs {
            token: token.to_string(),
            client: client_name.to_string(),
            protocol: PROTOCOL_VERSION,
        });
        let reply = self
            .send(OpName::Hello.as_str(), hello.args(), None)
            .await?;
        if let Some(error) = reply.error {
            return Err(hello_refusal(error));
        }
        let ok = reply.ok.unwrap_or(Value::Null);
        serde_json::from_value(ok).map_err(|e| ClientError::BadFrame {
            what: "hello reply",
            detail: e.to_string(),
        })
    }

    /// See [`Client::request`].
    pub async fn request(&self, op: &str, args: Value) -> Result<Value, ClientError> {
        let reply = self.send(op, args, None).await?;
        reply_ok(op, reply)
    }

    /// See [`Client::op`].
    pub async fn op(&self, op: crate::protocol::Op) -> Result<Value, ClientError> {
        let name = op.name();
        self.request(name.as_str(), op.args()).await
    }

    /// See [`Client::op_with_key`].
    pub async fn op_with_key(
        &self,
        op: crate::protocol::Op,
        key: &str,
    ) -> Result<Value, ClientError> {
        let name = op.name();
        self.request_with_key(name.as_str(), op.args(), key).await
    }

    /// See [`Client::request_with_key`].
    pub async fn request_with_key(
        &self,
        op: &str,
        args: Value,
        key: &str,
    ) -> Result<Value, ClientError> {
        let reply = self.send(op, args, Some(key.to_string())).await?;
        reply_ok(op, reply)
    }

    /// See [`Client::subscribe`].
    pub async fn subscribe(
        &self,
        since: Option<u64>,
        epoch: Option<String>,
    ) -> Result<SubscribeOk, ClientError> {
        let subscribe = SubscribeOp {
            sub: SubscribeArgs { since, epoch },
            zone: None,
        };
        let ok = self
            .op(Op::Session(SessionOp::Subscribe(subscribe)))
            .await?;
        serde_json::from_value(ok).map_err(|e| ClientError::BadFrame {
            what: "subscribe reply",
            detail: e.to_string(),
        })
    }

    /// `ping` → `{}`: proves the engine is answering.
    pub async fn ping(&self) -> Result<(), ClientError> {
        self.op(Op::Session(SessionOp::Ping)).await.map(|_| ())
    }

    /// Whether the connection has closed.
    pub fn is_closed(&self) -> bool {
        self.closed.borrow().is_some() || self.outgoing.is_closed()
    }

    /// Closes the connection.
    pub fn close(&self) {
        // A send error means the task is already gone: closed either way.
        let _ = self.outgoing.send(Outgoing::Close);
    }

    fn closed_error(&self) -> ClientError {
        ClientError::Closed {
            reason: self.closed.borrow().clone().flatten(),
        }
    }

    /// Sends one request and waits for the reply with its id.
    async fn send(&self, op: &str, args: Value, key: Option<String>) -> Result<Reply, ClientError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let request = Request {
            id: Value::from(id),
            op: op.to_string(),
            args,
            key,
        };
        let frame = serde_json::to_string(&request).map_err(|e| ClientError::BadFrame {
            what: "request",
            detail: e.to_string(),
        })?;
        if frame.len() > MAX_CLIENT_FRAME {
            return Err(ClientError::Refused {
                op: op.to_string(),
                code: ErrorCode::BadRequest,
                message: format!(
                    "request is {} bytes; the engine takes at most {MAX_CLIENT_FRAME}",
                    frame.len()
                ),
                data: None,
            });
        }
        let (reply_tx, reply_rx) = oneshot::channel();
        self.outgoing
            .send(Outgoing::Request {
                id,
                frame,
                reply: reply_tx,
            })
            .map_err(|_| self.closed_error())?;
        match tokio::time::timeout(self.timeout, reply_rx).await {
            Ok(Ok(reply)) => Ok(reply),
            Ok(Err(_)) => Err(self.closed_error()),
            Err(_) => Err(ClientError::Timeout {
                op: op.to_string(),
                seconds: self.timeout.as_secs(),
            }),
        }
    }
}

fn reply_ok(op: &str, reply: Reply) -> Result<Value, ClientError> {
    match (reply.ok, reply.error) {
        (_, Some(error)) => Err(ClientError::Refused {
            op: op.to_string(),
            code: error.code,
            message: error.message,
            data: error.data,
        }),
        (Some(ok), None) => Ok(ok),
        (None, None) => Ok(Value::Object(serde_json::Map::new())),
    }
}

fn hello_refusal(error: ErrorBody) -> ClientError {
    match error.code {
        ErrorCode::Unauthenticated => ClientError::Unauthenticated {
            message: error.message,
        },
        ErrorCode::UnsupportedProtocol => {
            let supported = error
                .data
                .as_ref()
                .and_then(|d| d.get("supported"))
                .and_then(Value::as_array)
                .map(|list| {
                    list.iter()
                        .filter_map(Value::as_u64)
                        .filter_map(|v| u32::try_from(v).ok())
                        .collect()
                })
                .unwrap_or_default();
            ClientError::UnsupportedProtocol {
                wanted: PROTOCOL_VERSION,
                supported,
                message: error.message,
            }
        }
        code => ClientError::Refused {
            op: "hello".to_string(),
            code,
            message: error.message,
            data: error.data,
        },
    }
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The socket task: routes replies by id, queues events, records the close reason.
///
/// It ends when the engine closes, the socket fails, or every handle is dropped; dropping
/// the pending reply senders then tells each waiting caller the connection closed.
async fn drive(
    socket: Socket,
    mut outgoing: mpsc::UnboundedReceiver<Outgoing>,
    events: mpsc::UnboundedSender<EventFrame>,
    closed: watch::Sender<Option<Option<String>>>,
) {
    let (mut sink, mut stream) = socket.split();
    let mut pending: HashMap<u64, oneshot::Sender<Reply>> = HashMap::new();
    let reason = loop {
        tokio::select! {
            incoming = stream.next() => match incoming {
                Some(Ok(Message::Text(text))) => route(text.as_str(), &mut pending, &events),
                Some(Ok(Message::Close(frame))) => {
                    break frame.map(|f| f.reason.as_str().to_string()).filter(|r| !r.is_empty());
                }
                // Pings are answered by tungstenite itself on the next read or write.
                Some(Ok(_)) => {}
                Some(Err(error)) => {
                    tracing::debug!(%error, "engine socket failed");
                    break None;
                }
                None => break None,
            },
            command = outgoing.recv() => match command {
                Some(Outgoing::Request { id, frame, reply }) => {
                    pending.insert(id, reply);
                    if let Err(error) = sink.send(Message::text(frame)).await {
                        tracing::debug!(%error, "could not send to the engine");
                        break None;
                    }
                }
                Some(Outgoing::Close) | None => {
                    let _ = sink.send(Message::Close(None)).await;
                    break Some("closed by client".to_string());
                }
            },
        }
    };
    tracing::debug!(?reason, "engine connection closed");
    // Nobody listening is fine: the client may already be gone.
    let _ = closed.send(Some(reason));
}

/// One text frame from the engine: a reply to its waiting caller, or an event to the queue.
fn route(
    text: &str,
    pending: &mut HashMap<u64, oneshot::Sender<Reply>>,
    events: &mpsc::UnboundedSender<EventFrame>,
) {
    match serde_json::from_str::<ServerFrame>(text) {
        Ok(ServerFrame::Event(event)) => {
            // The receiver may have been dropped by a client that does not read events.
            let _ = events.send(event);
        }
        Ok(ServerFrame::Reply(reply)) => match reply.id.as_u64().and_then(|id| pending.remove(&id))
        {
            Some(waiting) => {
                let _ = waiting.send(reply);
            }
            None => tracing::warn!(id = %reply.id, error = ?reply.error, "reply to no request"),
        },
        Err(error) => tracing::warn!(%error, "unreadable frame from the engine"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_host_and_port_gets_the_scheme_and_the_v1_path() {
        assert_eq!(endpoint_url("127.0.0.1:7370"), "ws://127.0.0.1:7370/v1");
        assert_eq!(
            endpoint_url("ws://127.0.0.1:7370"),
            "ws://127.0.0.1:7370/v1"
        );
        assert_eq!(
            endpoint_url("ws://127.0.0.1:7370/"),
            "ws://127.0.0.1:7370/v1"
        );
    }

    #[test]
    fn a_url_with_a_path_is_left_as_given() {
        assert_eq!(
            endpoint_url("wss://pbx.example:443/v1"),
            "wss://pbx.example:443/v1"
        );
    }

    #[test]
    fn an_unsupported_protocol_reply_lists_what_the_engine_speaks() {
        let mut body = ErrorBody::new(ErrorCode::UnsupportedProtocol, "speaks 2");
        body.data = Some(serde_json::json!({"supported": [2, 3]}));
        match hello_refusal(body) {
            ClientError::UnsupportedProtocol {
                supported, wanted, ..
            } => {
                assert_eq!(supported, vec![2, 3]);
                assert_eq!(wanted, PROTOCOL_VERSION);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn an_error_reply_becomes_a_refusal_with_its_code_and_data() {
        let reply = Reply {
            id: Value::from(7),
            ok: None,
            error: Some(ErrorBody {
                code: ErrorCode::Conflict,
                message: "being retrieved".into(),
                data: Some(serde_json::json!({"by": "desk-2"})),
            }),
            seq: None,
        };
        let err = reply_ok("retrieve", reply).unwrap_err();
        assert_eq!(err.refusal_code(), Some(ErrorCode::Conflict));
        assert!(err.to_string().contains("being retrieved"));
    }
}
