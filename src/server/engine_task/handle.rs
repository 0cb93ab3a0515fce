//! The engine task's mailbox and the handle sessions and the server hold to it: a session
//! says `hello`, sends an op, subscribes and unsubscribes through [`EngineHandle`] and never
//! builds a [`Msg`] itself.

use crate::engine::Actor;
use crate::engine::switch::SwitchEvent;
use crate::protocol::{ErrorBody, Op, OpName, ProtocolError, SubscribeArgs, SubscribeOk};
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// A request's outcome: the `ok` value or the error, and the seq of the last event caused.
#[derive(Debug, Clone)]
pub struct OpResult {
    /// `ok` or `error`.
    pub result: Result<Value, ErrorBody>,
    /// The last event's seq, when the request caused any.
    pub seq: Option<u64>,
}

/// A new subscription, handed to the session.
#[derive(Debug)]
pub struct Subscription {
    /// The reply to send.
    pub ok: SubscribeOk,
    /// Events to send right after the reply (a replay).
    pub replay: Vec<Arc<str>>,
    /// Live events.
    pub events: mpsc::Receiver<Arc<str>>,
    /// Set when the hub dropped it for being slow.
    pub slow: Arc<AtomicBool>,
    /// Its id, for detaching.
    pub id: u64,
}

/// An op as a session received it, its role already checked: typed when its args decoded,
/// and the args as sent, which the audit log records.
///
/// A bad op still goes to the engine task: a repeated idempotency key answers with the
/// first result, a `sim.*` op on an engine without the sim is `forbidden` whatever its
/// args, and a refused mutating op is audited, as they always were.
#[derive(Debug, Clone, PartialEq)]
pub struct OpRequest {
    /// The op's name.
    pub name: OpName,
    /// The op, or why its args did not decode.
    pub op: Result<Op, ProtocolError>,
    /// The args as sent.
    pub args: Value,
}

impl OpRequest {
    /// Decodes `args` for the op `name`.
    pub fn decode(name: OpName, args: Value) -> OpRequest {
        OpRequest {
            name,
            op: Op::decode(name, &args),
            args,
        }
    }

    /// A typed op, its args encoded as a client would send them.
    pub fn from_op(op: Op) -> OpRequest {
        OpRequest {
            name: op.name(),
            args: op.args(),
            op: Ok(op),
        }
    }
}

/// Messages from sessions and the server to the engine task; built only by
/// [`EngineHandle`].
#[derive(Debug)]
pub enum Msg {
    /// `hello`: who does this token stand for?
    Hello {
        /// The token.
        token: String,
        /// The actor, if the token is known.
        reply: oneshot::Sender<Option<Actor>>,
    },
    /// Any op but `hello`, `ping`, `subscribe` and the store's reads.
    Op {
        /// Who.
        actor: Actor,
        /// The op (boxed: ops are large, the mailbox's other messages small).
        request: Box<OpRequest>,
        /// Idempotency key.
        key: Option<String>,
        /// Where the result goes.
        reply: oneshot::Sender<OpResult>,
    },
    /// `subscribe`.
    Subscribe {
        /// Who.
        actor: Actor,
        /// `since`/`epoch`.
        args: SubscribeArgs,
        /// For an announcer station: the zone it serves.
        zone: Option<String>,
        /// The subscription or an error.
        reply: oneshot::Sender<Result<Subscription, ErrorBody>>,
    },
    /// A session ended.
    Unsubscribe {
        /// The subscription.
        id: u64,
    },
    /// A call event from the SIP side.
    Switch(SwitchEvent),
    /// Start the shutdown drain; the reply comes when it is over.
    Drain {
        /// How long parked calls get before every leg is released.
        grace: Duration,
        /// Answered when the drain is complete.
        reply: oneshot::Sender<()>,
    },
    /// A planned restart: `engine.restarting`, the store flushed, every subscription
    /// closed, and the task stops without touching a call.
    Suspend {
        /// Answered once the store has written everything and the task has stopped.
        reply: oneshot::Sender<()>,
    },
    /// Apply a reloaded configuration (all or nothing).
    Reload {
        /// The file's seed at the last read and what it says now.
        request: Box<crate::server::reload::ReloadRequest>,
        /// `ok` (what changed) or why it was refused.
        reply: oneshot::Sender<Result<Value, ErrorBody>>,
    },
}

/// The engine task is gone (the server is stopping).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the engine task has stopped")]
pub struct Stopped;

/// A clonable handle to the engine task (an mpsc sender; replies come on oneshots).
#[derive(Debug, Clone)]
pub struct EngineHandle {
    tx: mpsc::Sender<Msg>,
}

impl EngineHandle {
    /// A handle and the mailbox the engine task reads, holding `capacity` messages.
    pub fn channel(capacity: usize) -> (EngineHandle, mpsc::Receiver<Msg>) {
        let (tx, rx) = mpsc::channel(capacity);
        (EngineHandle { tx }, rx)
    }

    async fn send(&self, msg: Msg) -> Result<(), Stopped> {
        self.tx.send(msg).await.map_err(|_| Stopped)
    }

    /// Who `token` stands for, if anyone.
    pub async fn hello(&self, token: String) -> Result<Option<Actor>, Stopped> {
        let (reply, rx) = oneshot::channel();
        self.send(Msg::Hello { token, reply }).await?;
        // A task that stops before it answers vouches for no token.
        Ok(rx.await.unwrap_or(None))
    }

    /// Sends an op; its result arrives on the returned receiver, so a session can keep
    /// reading frames while the engine works.
    pub async fn op(
        &self,
        actor: Actor,
        request: OpRequest,
        key: Option<String>,
    ) -> Result<oneshot::Receiver<OpResult>, Stopped> {
        let (reply, rx) = oneshot::channel();
        self.send(Msg::Op {
            actor,
            request: Box::new(request),
            key,
            reply,
        })
        .await?;
        Ok(rx)
    }

    /// Subscribes `actor` to events (an announcer station to its `zone`'s).
    pub async fn subscribe(
        &self,
        actor: Actor,
        args: SubscribeArgs,
        zone: Option<String>,
    ) -> Result<Result<Subscription, ErrorBody>, Stopped> {
        let (reply, rx) = oneshot::channel();
        self.send(Msg::Subscribe {
            actor,
            args,
            zone,
            reply,
        })
        .await?;
        rx.await.map_err(|_| Stopped)
    }

    /// Detaches a subscription.
    pub async fn unsubscribe(&self, id: u64) -> Result<(), Stopped> {
        self.send(Msg::Unsubscribe { id }).await
    }

    /// Passes on a call event from the SIP side.
    pub async fn switch(&self, event: SwitchEvent) -> Result<(), Stopped> {
        self.send(Msg::Switch(event)).await
    }

    /// Stops the engine task for a planned restart (see [`Msg::Suspend`]); returns once the
    /// store has written everything.
    pub async fn suspend(&self) -> Result<(), Stopped> {
        let (reply, rx) = oneshot::channel();
        self.send(Msg::Suspend { reply }).await?;
        rx.await.map_err(|_| Stopped)
    }

    /// Applies a reloaded configuration: `ok` says what changed; a refusal changed nothing.
    pub async fn reload(
        &self,
        request: crate::server::reload::ReloadRequest,
    ) -> Result<Result<Value, ErrorBody>, Stopped> {
        let (reply, rx) = oneshot::channel();
        self.send(Msg::Reload {
            request: Box::new(request),
            reply,
        })
        .await?;
        rx.await.map_err(|_| Stopped)
    }

    /// Starts the shutdown drain; the receiver is answered when it is over.
    pub async fn drain(&self, grace: Duration) -> Result<oneshot::Receiver<()>, Stopped> {
        let (reply, rx) = oneshot::channel();
        self.send(Msg::Drain { grace, reply }).await?;
        Ok(rx)
    }
}
