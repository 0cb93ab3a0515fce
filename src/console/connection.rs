//! The connection task: owns the [`Client`], reconnects with backoff, resumes with
//! `since`/`epoch` (a new epoch brings a fresh snapshot), forwards events and replies to the
//! UI, and resends keyed requests that were in flight when the connection dropped — the
//! engine answers a repeated key with the first result, so a retry never parks twice.

use super::clock::local_now;
use super::update::{ConnEvent, OutRequest, Refusal};
use crate::client::{Client, ClientError, ClientHandle};
use serde_json::Value;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Delays between reconnection attempts, in seconds; the last repeats.
pub const BACKOFF_SECONDS: &[u64] = &[1, 2, 4, 8, 15];

/// How long a keyed request may still be resent: inside the engine's 60 s key window.
const RESEND_WINDOW: Duration = Duration::from_secs(50);

/// Where to connect and as whom.
#[derive(Debug, Clone)]
pub struct ConnectionConfig {
    /// The engine's URL.
    pub url: String,
    /// The bearer token.
    pub token: String,
    /// The client's name for `hello`.
    pub client_name: String,
}

/// The delay before reconnection attempt `failures + 1`.
pub fn backoff(failures: u32) -> Duration {
    let i = usize::try_from(failures)
        .unwrap_or(usize::MAX)
        .min(BACKOFF_SECONDS.len() - 1);
    Duration::from_secs(BACKOFF_SECONDS[i])
}

/// Starts the task; returns the sender for requests. The task ends when that sender is
/// dropped or the UI's receiver is.
pub fn spawn(
    config: ConnectionConfig,
    ui: mpsc::UnboundedSender<ConnEvent>,
) -> mpsc::UnboundedSender<OutRequest> {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(run(config, ui, rx));
    tx
}

type Done = (OutRequest, Result<Value, ClientError>, Instant);

struct Task {
    config: ConnectionConfig,
    ui: mpsc::UnboundedSender<ConnEvent>,
    commands: mpsc::UnboundedReceiver<OutRequest>,
    done_tx: mpsc::UnboundedSender<Done>,
    done_rx: mpsc::UnboundedReceiver<Done>,
    /// Last seq seen and its epoch, to resume.
    resume: Option<(u64, String)>,
    last_epoch: Option<String>,
    /// Keyed requests to resend after reconnecting, with when they were first sent.
    resend: Vec<(OutRequest, Instant)>,
}

/// Why a session ended.
enum Ended {
    /// Lost: reconnect after the backoff (or at once for `resync`).
    Lost(String),
    /// The UI is gone: stop.
    Stop,
}

async fn run(
    config: ConnectionConfig,
    ui: mpsc::UnboundedSender<ConnEvent>,
    commands: mpsc::UnboundedReceiver<OutRequest>,
) {
    let (done_tx, done_rx) = mpsc::unbounded_channel();
    let mut task = Task {
        config,
        ui,
        commands,
        done_tx,
        done_rx,
        resume: None,
        last_epoch: None,
        resend: Vec::new(),
    };
    let mut failures: u32 = 0;
    loop {
        if task
            .tell(ConnEvent::Connecting {
                attempt: failures + 1,
            })
            .is_err()
        {
            return;
        }
        let reason = match Client::connect(
            &task.config.url,
            &task.config.token,
            &task.config.client_name,
        )
        .await
        {
            Ok((client, hello)) => {
                let new_epoch = task.last_epoch.as_ref().is_some_and(|e| *e != hello.epoch);
                task.last_epoch = Some(hello.epoch.clone());
                let sees_all = hello
                    .roles
                    .iter()
                    .any(|r| r == "receptionist" || r == "admin" || r == "monitor");
                if task
                    .tell(ConnEvent::Connected {
                        hello: hello.clone(),
                    })
                    .is_err()
                {
                    return;
                }
                match task
                    .session(client, &hello.epoch, new_epoch, sees_all, &mut failures)
                    .await
                {
                    Ended::Stop => return,
                    Ended::Lost(reason) => reason,
                }
            }
            Err(
                e @ (ClientError::Unauthenticated { .. } | ClientError::UnsupportedProtocol { .. }),
            ) => {
                let _ = task.tell(ConnEvent::Fatal {
                    message: e.to_string(),
                });
                task.refuse_until_closed().await;
                return;
            }
            Err(e) => e.to_string(),
        };
        let delay = if reason.contains("resync") {
            Duration::ZERO
        } else {
            backoff(failures)
        };
        failures = failures.saturating_add(1);
        let event = ConnEvent::Lost {
            reason,
            attempt: failures,
            retry_in: delay.as_secs(),
        };
        if task.tell(event).is_err() || !task.wait_offline(delay).await {
            return;
        }
    }
}

impl Task {
    fn tell(&self, event: ConnEvent) -> Result<(), ()> {
        self.ui.send(event).map_err(|_| ())
    }

    /// One connected session: subscribe (resuming if we can), then pump events, requests
    /// and replies until the connection drops.
    async fn session(
        &mut self,
        mut client: Client,
        epoch: &str,
        new_epoch: bool,
        sees_all: bool,
        failures: &mut u32,
    ) -> Ended {
        let (since, since_epoch) = match &self.resume {
            Some((seq, e)) => (Some(*seq), Some(e.clone())),
            None => (None, None),
        };
        let subscribed = match client.subscribe(since, since_epoch).await {
            Ok(ok) => ok,
            Err(e) => return Ended::Lost(e.to_string()),
        };
        *failures = 0;
        let told = match subscribed.snapshot {
            Some(snapshot) => {
                self.resume = Some((subscribed.seq, epoch.to_string()));
                self.tell(ConnEvent::Snapshot {
                    snapshot,
                    new_epoch,
                })
            }
            None => self.tell(ConnEvent::Resumed {
                replayed: subscribed.replayed.unwrap_or(0),
            }),
        };
        if told.is_err() {
            return Ended::Stop;
        }
        let handle = client.handle();
        let now = local_now();
        for (request, first_sent) in std::mem::take(&mut self.resend) {
            if now.saturating_duration_since(first_sent) < RESEND_WINDOW {
                self.start(&handle, request, first_sent);
            } else {
                let refusal = Refusal {
                    code: None,
                    message: "connection lost; not resent (too late to be safe)".into(),
                };
                let _ = self.tell(ConnEvent::Reply {
                    ticket: request.ticket,
                    result: Err(refusal),
                });
            }
        }
        loop {
            tokio::select! {
                event = client.next_event() => match event {
                    Ok(frame) => {
                        let last = self.resume.as_ref().map(|(s, _)| *s);
                        if let Some(last) = last {
                            if frame.seq <= last {
                                continue; // already seen (replay overlap)
                            }
                            if sees_all && frame.seq > last + 1 {
                                tracing::warn!(last, got = frame.seq, "event gap; resubscribing");
                                client.close();
                                return Ended::Lost(format!("missed events {}–{}", last + 1, frame.seq - 1));
                            }
                        }
                        self.resume = Some((frame.seq, epoch.to_string()));
                        if self.tell(ConnEvent::Event(frame)).is_err() {
                            return Ended::Stop;
                        }
                    }
                    Err(e) => return Ended::Lost(match e {
                        ClientError::Closed { reason: Some(r) } => r,
                        ClientError::Closed { reason: None } => "connection closed".into(),
                        other => other.to_string(),
                    }),
                },
                command = self.commands.recv() => match command {
                    Some(request) => self.start(&handle, request, local_now()),
                    None => {
                        client.close();
                        return Ended::Stop;
                    }
                },
                Some(done) = self.done_rx.recv() => {
                    if self.finish(done).is_err() {
                        return Ended::Stop;
                    }
                }
            }
        }
    }

    /// Sends a request on its own task so a slow reply holds nothing else up.
    fn start(&self, handle: &ClientHandle, request: OutRequest, first_sent: Instant) {
        let handle = handle.clone();
        let done = self.done_tx.clone();
        tokio::spawn(async move {
            let result = match &request.key {
                Some(key) => {
                    handle
                        .request_with_key(&request.op, request.args.clone(), key)
                        .await
                }
                None => handle.request(&request.op, request.args.clone()).await,
            };
            let _ = done.send((request, result, first_sent));
        });
    }

    /// A finished request: its reply to the UI, or (keyed, connection lost) kept to resend.
    fn finish(&mut self, (request, result, first_sent): Done) -> Result<(), ()> {
        let result = match result {
            Ok(value) => Ok(value),
            Err(e) if e.is_connection_lost() && request.key.is_some() => {
                self.resend.push((request, first_sent));
                return Ok(());
            }
            Err(ClientError::Refused { code, message, .. }) => Err(Refusal {
                code: Some(code),
                message,
            }),
            Err(e) => Err(Refusal {
                code: None,
                message: e.to_string(),
            }),
        };
        self.tell(ConnEvent::Reply {
            ticket: request.ticket,
            result,
        })
    }

    /// Offline for `delay`: requests are refused at once; finished ones are handled.
    /// Returns false when the UI is gone.
    async fn wait_offline(&mut self, delay: Duration) -> bool {
        let sleep = tokio::time::sleep(delay);
        tokio::pin!(sleep);
        loop {
            tokio::select! {
                _ = &mut sleep => return true,
                command = self.commands.recv() => match command {
                    Some(request) => {
                        let refusal = Refusal { code: None, message: "not connected to the engine: not sent".into() };
                        if self.tell(ConnEvent::Reply { ticket: request.ticket, result: Err(refusal) }).is_err() {
                            return false;
                        }
                    }
                    None => return false,
                },
                Some(done) = self.done_rx.recv() => {
                    if self.finish(done).is_err() {
                        return false;
                    }
                }
            }
        }
    }

    /// After a fatal refusal: refuse every request until the UI quits.
    async fn refuse_until_closed(&mut self) {
        while let Some(request) = self.commands.recv().await {
            let refusal = Refusal {
                code: None,
                message: "the engine refused this console".into(),
            };
            if self
                .tell(ConnEvent::Reply {
                    ticket: request.ticket,
                    result: Err(refusal),
                })
                .is_err()
            {
                return;
            }
        }
    }
}
