//! One task per subscription: it owns the subscription's dialog, sends a NOTIFY with the
//! full state whenever its lamp changes (one at a time, the latest state winning), answers
//! refreshes and unsubscribes in the dialog, and ends with a `terminated` NOTIFY when the
//! term runs out, the subscriber leaves or the engine stops.

use super::board::{self, Lamp, LampBoard};
use super::dialog_info::CONTENT_TYPE;
use super::freshness::{FRESH_WAIT, Freshness};
use super::limits::Slot;
use super::terms::{self, MIN_EXPIRES, Term};
use crate::sip::msg::header;
use crate::sip::shared::Shared;
use bytesstr::BytesStr;
use sip_core::{Endpoint, IncomingRequest, MayTake};
use sip_types::header::typed::{ContentType, Expires, MinExpires};
use sip_types::{Method, Name, StatusCode};
use sip_ua::dialog::{Dialog, Usage, UsageGuard};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// How long a NOTIFY waits for its answer before the subscriber counts as gone (a phone
/// answers at once; the transaction retransmits over UDP meanwhile).
const NOTIFY_WAIT: Duration = Duration::from_secs(8);

/// How long the last NOTIFY waits for its answer when the engine stops.
const FAREWELL_WAIT: Duration = Duration::from_secs(1);

/// Seconds a subscriber should wait before subscribing again after the engine stopped.
const RETRY_AFTER_STOP: u32 = 5;

/// Refreshes and unsubscribes in the dialog, passed to the subscription's task.
pub struct Refreshes {
    /// Where they go.
    pub tx: mpsc::Sender<IncomingRequest>,
}

#[async_trait::async_trait]
impl Usage for Refreshes {
    fn name(&self) -> &'static str {
        "parkdesk-blf"
    }

    async fn receive(&self, _endpoint: &Endpoint, mut request: MayTake<'_, IncomingRequest>) {
        if request.line.method == Method::SUBSCRIBE
            && let Some(taken) = request.inner().take()
            && let Err(e) = self.tx.try_send(taken)
        {
            let taken = match e {
                mpsc::error::TrySendError::Full(r) | mpsc::error::TrySendError::Closed(r) => r,
            };
            *request.inner() = Some(taken);
        }
    }
}

/// Everything a subscription's task holds.
pub struct Subscription {
    /// The SIP endpoint.
    pub endpoint: Endpoint,
    /// The SIP side's shared state (clock, advertised host).
    pub shared: Arc<Shared>,
    /// The subscription's dialog.
    pub dialog: Dialog,
    /// Keeps the in-dialog SUBSCRIBEs coming to `refreshes`.
    pub usage: UsageGuard,
    /// In-dialog SUBSCRIBEs.
    pub refreshes: mpsc::Receiver<IncomingRequest>,
    /// The watched code or group number.
    pub resource: String,
    /// Its URI, for the document's `entity`.
    pub entity: String,
    /// The term granted by the SUBSCRIBE that created it (0: a fetch).
    pub expires: u32,
    /// The lamp board.
    pub board: watch::Receiver<Arc<LampBoard>>,
    /// Whether the board is current (the engine leaves it stale while nobody subscribes).
    pub fresh: Arc<Freshness>,
    /// Turns true when the engine stops.
    pub stop: watch::Receiver<bool>,
    /// Its place under the caps.
    pub slot: Slot,
}

/// Why a subscription ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// The term ran out, or the subscriber unsubscribed.
    Timeout,
    /// The engine stops.
    Stopping,
    /// The subscriber is gone (a NOTIFY got `481`, `408` or no answer).
    Gone,
}

/// What woke the subscription.
enum Step {
    /// The lamp board changed.
    Board,
    /// An in-dialog SUBSCRIBE.
    Refresh(Box<IncomingRequest>),
    /// The term ran out.
    Expired,
    /// The engine stops.
    Stop,
    /// The dialog's usage is gone.
    Gone,
}

/// The lamp shown last and the document version to send next.
struct Shown {
    lamp: Option<Lamp>,
    version: u64,
}

impl Subscription {
    /// Runs the subscription until it ends. The first NOTIFY waits for a fresh board.
    pub async fn run(mut self) {
        if !self.fresh.ensure(FRESH_WAIT).await {
            tracing::warn!(resource = %self.resource, "no fresh lamp board in time");
        }
        let mut shown = Shown {
            lamp: None,
            version: 0,
        };
        let mut expires_at = self.shared.now_secs() + u64::from(self.expires);
        let end = if self.expires == 0 {
            End::Timeout
        } else {
            self.serve(&mut shown, &mut expires_at).await
        };
        let lamp = self.current();
        match end {
            End::Timeout => {
                self.notify(&mut shown, "terminated;reason=timeout", lamp, NOTIFY_WAIT)
                    .await;
            }
            End::Stopping => {
                let state = format!("terminated;reason=probation;retry-after={RETRY_AFTER_STOP}");
                self.notify(&mut shown, &state, lamp, FAREWELL_WAIT).await;
            }
            End::Gone => {}
        }
        tracing::debug!(resource = %self.resource, ?end, "subscription ended");
        drop(self.usage);
        drop(self.slot);
    }

    async fn serve(&mut self, shown: &mut Shown, expires_at: &mut u64) -> End {
        let lamp = self.current();
        if !self.notify_active(shown, lamp, *expires_at).await {
            return End::Gone;
        }
        let expiry = tokio::time::sleep(Duration::from_secs(u64::from(self.expires)));
        tokio::pin!(expiry);
        loop {
            let step = tokio::select! {
                changed = self.board.changed() => match changed {
                    Ok(()) => Step::Board,
                    Err(_) => Step::Stop,
                },
                request = self.refreshes.recv() => match request {
                    Some(request) => Step::Refresh(Box::new(request)),
                    None => Step::Gone,
                },
                () = &mut expiry => Step::Expired,
                _ = self.stop.wait_for(|stop| *stop) => Step::Stop,
            };
            match step {
                Step::Board => {
                    let lamp = self.current();
                    if lamp != shown.lamp && !self.notify_active(shown, lamp, *expires_at).await {
                        return End::Gone;
                    }
                }
                Step::Refresh(request) => match self.refresh(*request).await {
                    Some(0) => return End::Timeout,
                    Some(granted) => {
                        *expires_at = self.shared.now_secs() + u64::from(granted);
                        let term = Duration::from_secs(u64::from(granted));
                        expiry.as_mut().set(tokio::time::sleep(term));
                        let lamp = self.current();
                        if !self.notify_active(shown, lamp, *expires_at).await {
                            return End::Gone;
                        }
                    }
                    None => {}
                },
                Step::Expired => return End::Timeout,
                Step::Stop => return End::Stopping,
                Step::Gone => return End::Gone,
            }
        }
    }

    /// The lamp of the watched resource now (marking the board seen).
    fn current(&mut self) -> Option<Lamp> {
        self.board.borrow_and_update().lamp(&self.resource).cloned()
    }

    async fn notify_active(&self, shown: &mut Shown, lamp: Option<Lamp>, expires_at: u64) -> bool {
        let left = expires_at.saturating_sub(self.shared.now_secs()).max(1);
        let state = format!("active;expires={left}");
        self.notify(shown, &state, lamp, NOTIFY_WAIT).await
    }

    /// Sends one NOTIFY with the full state; false when the subscriber is gone.
    async fn notify(
        &self,
        shown: &mut Shown,
        state: &str,
        lamp: Option<Lamp>,
        wait: Duration,
    ) -> bool {
        let document = board::document(
            lamp.as_ref(),
            &self.resource,
            &self.entity,
            self.shared.advertised_host(),
            shown.version,
        );
        shown.version += 1;
        shown.lamp = lamp;
        let mut request = self.dialog.create_request(Method::NOTIFY, None);
        request.headers.insert(Name::EVENT, terms::PACKAGE);
        request
            .headers
            .insert(Name::SUBSCRIPTION_STATE, state.to_string());
        request.headers.insert_named(&self.dialog.local_contact);
        request
            .headers
            .insert_named(&ContentType(BytesStr::from_static(CONTENT_TYPE)));
        request.body = document.render().into();
        let mut target = self.dialog.target_tp_info.lock().await;
        let sent = self.endpoint.send_request(request, &mut target).await;
        drop(target);
        let mut tsx = match sent {
            Ok(tsx) => tsx,
            Err(e) => {
                tracing::info!(resource = %self.resource, error = ?e, "NOTIFY not sent");
                return false;
            }
        };
        match tokio::time::timeout(wait, tsx.receive_final()).await {
            Ok(Ok(response)) => {
                let code = response.line.code.into_u16();
                if matches!(code, 408 | 481) {
                    tracing::info!(resource = %self.resource, code, "subscriber gone");
                    return false;
                }
                true
            }
            Ok(Err(_)) | Err(_) => {
                tracing::info!(resource = %self.resource, "NOTIFY unanswered: subscriber gone");
                false
            }
        }
    }

    /// Answers an in-dialog SUBSCRIBE; the term granted (0: unsubscribed), or `None` when
    /// it was refused and the subscription goes on as it was.
    async fn refresh(&self, mut request: IncomingRequest) -> Option<u32> {
        let tsx = self.endpoint.create_server_tsx(&mut request);
        let event = header(&request.headers, &Name::EVENT);
        let (code, granted) = if !terms::is_dialog_package(event.as_deref()) {
            (489, None)
        } else {
            match terms::term(header(&request.headers, &Name::EXPIRES).as_deref()) {
                Term::End => (200, Some(0)),
                Term::For(n) => (200, Some(n)),
                Term::TooBrief => (423, None),
            }
        };
        let Ok(mut response) = self
            .dialog
            .create_response(&request, StatusCode::from(code), None)
        else {
            return None;
        };
        match (code, granted) {
            (200, Some(n)) => response.msg.headers.insert_named(&Expires(n)),
            (423, _) => response.msg.headers.insert_named(&MinExpires(MIN_EXPIRES)),
            (489, _) => response
                .msg
                .headers
                .insert(Name::ALLOW_EVENTS, terms::PACKAGE),
            _ => {}
        }
        if let Err(e) = tsx.respond(response).await {
            tracing::debug!(error = ?e, "refresh response not sent");
        }
        granted
    }
}
