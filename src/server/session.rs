//! One WebSocket client: the `hello` gate, frame limits, the abuse counter, role checks
//! before arguments, replies, and forwarding the events of its subscription.

use super::engine_task::{OpRequest, OpResult, Subscription};
use super::{SessionContext, abuse::AbuseCounter};
use crate::engine::{Actor, Role};
use crate::protocol::op::query::HistoryArgs;
use crate::protocol::op::{SubscribeOp, decode_args};
use crate::protocol::{
    ErrorBody, ErrorCode, HelloArgs, HelloOk, MAX_CLIENT_FRAME, OpName, PATH, PROTOCOL_VERSION,
    Reply, Request,
};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::handshake::server::{
    ErrorResponse, Request as HttpRequest, Response,
};
use tokio_tungstenite::tungstenite::http::StatusCode;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

/// How often the engine pings a client.
const PING_EVERY: Duration = Duration::from_secs(20);

/// Frames beyond this are refused by the WebSocket layer itself (and the connection closed);
/// between 64 KiB and this, the session answers `bad_request` and counts the abuse.
const HARD_FRAME_LIMIT: usize = 1024 * 1024;

/// Why a session ended, for the close frame.
enum Close {
    Unauthenticated,
    Abusive,
    Resync,
    Stopping,
    ClientGone,
}

type WsStream = tokio_tungstenite::WebSocketStream<TcpStream>;

/// Accepts the WebSocket handshake (only on `/v1`) and serves the client until it leaves.
pub async fn serve(stream: TcpStream, ctx: Arc<SessionContext>, over_capacity: bool) {
    let config = WebSocketConfig::default()
        .max_message_size(Some(HARD_FRAME_LIMIT))
        .max_frame_size(Some(HARD_FRAME_LIMIT));
    #[allow(clippy::result_large_err)] // the callback's signature is tungstenite's
    let check_path = |req: &HttpRequest, resp: Response| -> Result<Response, ErrorResponse> {
        if req.uri().path() == PATH {
            Ok(resp)
        } else {
            let mut err = ErrorResponse::new(Some(format!("the endpoint is {PATH}")));
            *err.status_mut() = StatusCode::NOT_FOUND;
            Err(err)
        }
    };
    let ws = match tokio_tungstenite::accept_hdr_async_with_config(stream, check_path, Some(config))
        .await
    {
        Ok(ws) => ws,
        Err(e) => {
            tracing::debug!(error = %e, "handshake failed");
            return;
        }
    };
    let mut session = Session {
        ws,
        pending: Default::default(),
        ctx,
        actor: None,
        sub: None,
        abuse: AbuseCounter::default(),
    };
    if over_capacity {
        session
            .close(CloseCode::Again, "connection limit reached")
            .await;
        return;
    }
    let reason = session.run().await;
    if let Some(sub) = session.sub.take() {
        let _ = session.ctx.engine.unsubscribe(sub.id).await;
    }
    match reason {
        Close::Unauthenticated => session.close(CloseCode::Policy, "unauthenticated").await,
        Close::Abusive => {
            session
                .close(CloseCode::Policy, "too many bad frames")
                .await
        }
        Close::Resync => session.close(CloseCode::Again, "resync").await,
        Close::Stopping => session.close(CloseCode::Away, "engine stopping").await,
        Close::ClientGone => {}
    }
}

/// A reply the engine task will send: the request's id and its result.
type PendingReply = futures_util::future::BoxFuture<'static, (Value, Option<OpResult>)>;

/// Requests in flight per connection before the session stops reading new frames.
const MAX_IN_FLIGHT: usize = 512;

struct Session {
    ws: WsStream,
    /// Engine requests in flight, answered in the order they were sent. A client may
    /// pipeline requests; the session keeps reading while the engine works.
    pending: futures_util::stream::FuturesOrdered<PendingReply>,
    ctx: Arc<SessionContext>,
    actor: Option<Actor>,
    sub: Option<Subscription>,
    abuse: AbuseCounter,
}

impl Session {
    async fn run(&mut self) -> Close {
        let mut ping = tokio::time::interval(PING_EVERY);
        ping.tick().await;
        let mut stopping = self.ctx.stopping.clone();
        loop {
            let in_flight = self.pending.len();
            tokio::select! {
                Some((id, result)) = self.pending.next(), if in_flight > 0 => {
                    let Some(OpResult { result, seq }) = result else { return Close::Stopping };
                    if let Some(close) = self.reply_or_gone(id, result, seq).await {
                        return close;
                    }
                }
                frame = self.ws.next(), if in_flight < MAX_IN_FLIGHT => {
                    let Some(Ok(frame)) = frame else { return Close::ClientGone };
                    if let Some(close) = self.on_frame(frame).await {
                        return close;
                    }
                }
                event = next_event(&mut self.sub) => match event {
                    Some(text) => {
                        if !self.send_events(text).await {
                            return Close::ClientGone;
                        }
                    }
                    None => {
                        let slow = self.sub.as_ref().is_some_and(|s| s.slow.load(Ordering::SeqCst));
                        self.sub = None;
                        return if slow { Close::Resync } else { Close::Stopping };
                    }
                },
                _ = ping.tick() => {
                    if self.ws.send(Message::Ping(Default::default())).await.is_err() {
                        return Close::ClientGone;
                    }
                }
                _ = stopping.changed() => {
                    // Events already queued for this client (the drain's last ones) go first.
                    let queued: Vec<Arc<str>> = match &mut self.sub {
                        Some(sub) => std::iter::from_fn(|| sub.events.try_recv().ok()).collect(),
                        None => Vec::new(),
                    };
                    for text in queued {
                        if self.ws.send(Message::Text(Utf8Bytes::from(&*text))).await.is_err() {
                            return Close::ClientGone;
                        }
                    }
                    return Close::Stopping;
                }
            }
        }
    }

    /// Writes `first` and every event already queued behind it, then flushes once: under
    /// load a subscriber gets its events in one write instead of one system call each.
    async fn send_events(&mut self, first: Arc<str>) -> bool {
        const BATCH: usize = 256;
        if self
            .ws
            .feed(Message::Text(Utf8Bytes::from(&*first)))
            .await
            .is_err()
        {
            return false;
        }
        for _ in 1..BATCH {
            let Some(text) = self.sub.as_mut().and_then(|s| s.events.try_recv().ok()) else {
                break;
            };
            if self
                .ws
                .feed(Message::Text(Utf8Bytes::from(&*text)))
                .await
                .is_err()
            {
                return false;
            }
        }
        self.ws.flush().await.is_ok()
    }

    async fn close(&mut self, code: CloseCode, reason: &str) {
        let frame = CloseFrame {
            code,
            reason: reason.into(),
        };
        let _ = tokio::time::timeout(Duration::from_secs(2), self.ws.close(Some(frame))).await;
    }

    async fn send_reply(&mut self, reply: Reply) -> bool {
        match serde_json::to_string(&reply) {
            Ok(text) => self.ws.send(Message::text(text)).await.is_ok(),
            Err(_) => false,
        }
    }

    async fn send_error(&mut self, id: Value, error: ErrorBody) -> bool {
        self.send_reply(Reply {
            id,
            ok: None,
            error: Some(error),
            seq: None,
        })
        .await
    }

    /// Sends every reply still in flight, so an inline reply never overtakes them.
    async fn flush_pending(&mut self) -> Option<Close> {
        while let Some((id, result)) = self.pending.next().await {
            let Some(OpResult { result, seq }) = result else {
                return Some(Close::Stopping);
            };
            if let Some(close) = self.reply_or_gone(id, result, seq).await {
                return Some(close);
            }
        }
        None
    }

    /// Handles one frame; `Some` ends the session.
    async fn on_frame(&mut self, frame: Message) -> Option<Close> {
        let text = match frame {
            Message::Text(text) => text,
            Message::Binary(_) => {
                return self
                    .abusive(ErrorBody::new(
                        ErrorCode::BadRequest,
                        "frames must be JSON text",
                    ))
                    .await;
            }
            Message::Close(_) => return Some(Close::ClientGone),
            _ => return None,
        };
        if text.len() > MAX_CLIENT_FRAME {
            let message = format!("frame of {} bytes exceeds the 64 KiB limit", text.len());
            return self
                .abusive(ErrorBody::new(ErrorCode::BadRequest, message))
                .await;
        }
        let value: Value = match serde_json::from_str(text.as_str()) {
            Ok(v) => v,
            Err(e) => {
                let message = format!("frame is not JSON: {e}");
                return self
                    .abusive(ErrorBody::new(ErrorCode::BadRequest, message))
                    .await;
            }
        };
        let id = value.get("id").cloned().unwrap_or(Value::Null);
        let request: Request = match decode_args(&value) {
            Ok(r) => r,
            Err(e) => return self.reply_or_gone(id, Err(e.body()), None).await,
        };
        let Some(actor) = self.actor.clone() else {
            return self.hello(request).await;
        };
        self.request(actor, request).await
    }

    async fn abusive(&mut self, error: ErrorBody) -> Option<Close> {
        if !self.send_error(Value::Null, error).await {
            return Some(Close::ClientGone);
        }
        let now = self.ctx.clock.now();
        self.abuse.record(now).then_some(Close::Abusive)
    }

    async fn reply_or_gone(
        &mut self,
        id: Value,
        result: Result<Value, ErrorBody>,
        seq: Option<u64>,
    ) -> Option<Close> {
        let reply = match result {
            Ok(ok) => Reply {
                id,
                ok: Some(ok),
                error: None,
                seq,
            },
            Err(error) => Reply {
                id,
                ok: None,
                error: Some(error),
                seq: None,
            },
        };
        if self.send_reply(reply).await {
            None
        } else {
            Some(Close::ClientGone)
        }
    }

    async fn hello(&mut self, request: Request) -> Option<Close> {
        let unauthenticated = |m: &str| ErrorBody::new(ErrorCode::Unauthenticated, m);
        if request.op != OpName::Hello.as_str() {
            let _ = self
                .send_error(
                    request.id,
                    unauthenticated("the first request must be 'hello'"),
                )
                .await;
            return Some(Close::Unauthenticated);
        }
        let args: HelloArgs = match decode_args(&request.args) {
            Ok(a) => a,
            Err(e) => {
                let _ = self
                    .send_error(request.id, unauthenticated(&e.to_string()))
                    .await;
                return Some(Close::Unauthenticated);
            }
        };
        if args.protocol != PROTOCOL_VERSION {
            let mut error = ErrorBody::new(
                ErrorCode::UnsupportedProtocol,
                format!(
                    "protocol {} is not supported; this engine speaks 1",
                    args.protocol
                ),
            );
            error.data = Some(json!({ "supported": [PROTOCOL_VERSION] }));
            return self.reply_or_gone(request.id, Err(error), None).await;
        }
        let Ok(actor) = self.ctx.engine.hello(args.token).await else {
            return Some(Close::Stopping);
        };
        let Some(actor) = actor else {
            let _ = self
                .send_error(request.id, unauthenticated("unknown token"))
                .await;
            return Some(Close::Unauthenticated);
        };
        tracing::info!(user = %actor.user, client = %args.client, "hello");
        let ok = HelloOk {
            user: actor.user.clone(),
            roles: actor.roles.iter().map(|r| r.as_str().to_string()).collect(),
            engine: self.ctx.name.clone(),
            protocol: PROTOCOL_VERSION,
            epoch: self.ctx.epoch.clone(),
            now: self.ctx.clock.utc_now(),
        };
        self.actor = Some(actor);
        self.reply_or_gone(request.id, serde_json::to_value(ok).map_err(internal), None)
            .await
    }

    async fn request(&mut self, actor: Actor, request: Request) -> Option<Close> {
        let Request { id, op, args, key } = request;
        if op == OpName::Hello.as_str() {
            let error = ErrorBody::new(ErrorCode::BadRequest, "op: already said hello");
            return self.reply_or_gone(id, Err(error), None).await;
        }
        let name = match OpName::parse(&op) {
            Ok(name) => name,
            Err(e) => return self.reply_or_gone(id, Err(e.body()), None).await,
        };
        if !name.permits(&actor.roles) {
            let roles: Vec<&str> = actor.roles.iter().map(|r| r.as_str()).collect();
            let error = ErrorBody::new(
                ErrorCode::Forbidden,
                format!("'{op}' is not allowed for role {}", roles.join(", ")),
            );
            return self.reply_or_gone(id, Err(error), None).await;
        }
        let inline = matches!(name, OpName::Ping | OpName::Subscribe | OpName::HistoryList);
        if inline && let Some(close) = self.flush_pending().await {
            return Some(close);
        }
        match name {
            OpName::Ping => self.reply_or_gone(id, Ok(json!({})), None).await,
            OpName::Subscribe => self.subscribe(actor, id, args).await,
            OpName::HistoryList => {
                let result = history(self.ctx.store.clone(), &args).await;
                self.reply_or_gone(id, result, None).await
            }
            OpName::EngineReload => {
                // Read and applied off this session's loop; the reply keeps its place.
                let ctx = self.ctx.clone();
                self.pending.push_back(Box::pin(async move {
                    let result = match ctx.reload.get() {
                        Some(reloader) => reloader.reload(&actor.user).await,
                        None => Err(super::reload::not_enabled()),
                    };
                    (id, Some(OpResult { result, seq: None }))
                }));
                None
            }
            _ => {
                let request = OpRequest::decode(name, args);
                let Ok(rx) = self.ctx.engine.op(actor, request, key).await else {
                    return Some(Close::Stopping);
                };
                self.pending
                    .push_back(Box::pin(async move { (id, rx.await.ok()) }));
                None
            }
        }
    }

    async fn subscribe(&mut self, actor: Actor, id: Value, args: Value) -> Option<Close> {
        let (sub_args, zone) = match decode_args::<SubscribeOp>(&args) {
            Ok(SubscribeOp { sub, zone }) => (sub, zone),
            Err(e) => return self.reply_or_gone(id, Err(e.body()), None).await,
        };
        if let Some(old) = self.sub.take() {
            let _ = self.ctx.engine.unsubscribe(old.id).await;
        }
        let zone = if actor.has(Role::Announcer) {
            zone
        } else {
            None
        };
        let Ok(result) = self.ctx.engine.subscribe(actor, sub_args, zone).await else {
            return Some(Close::Stopping);
        };
        match result {
            Err(e) => self.reply_or_gone(id, Err(e), None).await,
            Ok(mut sub) => {
                let ok = serde_json::to_value(&sub.ok).map_err(internal);
                let replay = std::mem::take(&mut sub.replay);
                self.sub = Some(sub);
                if let Some(close) = self.reply_or_gone(id, ok, None).await {
                    return Some(close);
                }
                for text in replay {
                    if self
                        .ws
                        .send(Message::Text(Utf8Bytes::from(&*text)))
                        .await
                        .is_err()
                    {
                        return Some(Close::ClientGone);
                    }
                }
                None
            }
        }
    }
}

/// `history.list`, read from the store (no engine involved).
async fn history(store: Option<crate::store::Store>, args: &Value) -> Result<Value, ErrorBody> {
    let args: HistoryArgs = decode_args(args)?;
    let limit = args.limit.unwrap_or(100).clamp(1, 10_000);
    let Some(store) = &store else {
        return Ok(json!({ "entries": [] }));
    };
    let entries = store
        .history(args.since, limit)
        .await
        .map_err(|e| ErrorBody::new(ErrorCode::Internal, format!("history: {e}")))?;
    Ok(json!({ "entries": entries }))
}

fn internal(e: serde_json::Error) -> ErrorBody {
    ErrorBody::new(ErrorCode::Internal, e.to_string())
}

async fn next_event(sub: &mut Option<Subscription>) -> Option<Arc<str>> {
    match sub {
        Some(s) => s.events.recv().await,
        None => std::future::pending().await,
    }
}
