//! Busy lamps: SUBSCRIBE/NOTIFY with the `dialog` event package (RFC 4235, RFC 6665) for
//! every park code and every pickup group number, so phones' BLF keys light for parked
//! calls (`confirmed`) and for calls ringing in a group (`early`).
//!
//! - [`dialog_info`]: the `application/dialog-info+xml` document (pure);
//! - [`board`]: what every lamp shows, derived from the engine's views after each input;
//! - [`freshness`]: whether the board is current; with no subscription the engine leaves it
//!   stale, and a new subscriber asks for a fresh one before its first NOTIFY;
//! - [`terms`]: event package, `Expires` and `Accept` rules (pure);
//! - [`limits`]: caps per source address and in all;
//! - `subscription`: a task per subscription, owning its dialog.
//!
//! A SUBSCRIBE outside a dialog comes from the front: `489` for another package, `404` for
//! a number that is no code or group, then trusted peers pass and everyone else answers a
//! digest challenge (`407`), as for an INVITE. Subscriptions live only in memory: after an
//! engine restart a phone's refresh gets `481` and it subscribes anew, getting the state
//! the new engine holds.

pub mod board;
pub mod dialog_info;
pub mod freshness;
pub mod limits;
pub mod terms;

mod subscription;

use self::board::LampBoard;
use self::freshness::Freshness;
use self::limits::Limits;
use self::subscription::{Refreshes, Subscription};
use self::terms::{MIN_EXPIRES, Term};
use super::dialplan::Served;
use super::front::respond;
use super::identity::{self, Unidentified};
use super::msg::{header, uri_user};
use super::shared::Shared;
use sip_core::{Endpoint, IncomingRequest};
use sip_types::header::typed::{Contact, Expires, MinExpires};
use sip_types::{Name, StatusCode};
use sip_ua::dialog::Dialog;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// How long the engine's stop waits for the farewell NOTIFYs.
const FAREWELL_LIMIT: Duration = Duration::from_secs(2);

/// The busy-lamp service: the lamp board and its freshness, the subscriptions' caps, the
/// stop signal.
pub struct Blf {
    shared: Arc<Shared>,
    contact: Contact,
    board: watch::Sender<Arc<LampBoard>>,
    fresh: Arc<Freshness>,
    stop: watch::Sender<bool>,
    limits: Limits,
}

impl Blf {
    /// A service answering from `contact`, every lamp dark until the engine shows its board.
    pub fn new(shared: Arc<Shared>, contact: Contact) -> Blf {
        Blf::with_limits(shared, contact, Limits::default())
    }

    /// The same with other caps.
    pub fn with_limits(shared: Arc<Shared>, contact: Contact, limits: Limits) -> Blf {
        Blf {
            shared,
            contact,
            board: watch::Sender::new(Arc::new(LampBoard::default())),
            fresh: Arc::new(Freshness::new()),
            stop: watch::Sender::new(false),
            limits,
        }
    }

    /// Shows the engine's lamps, read by `read` only when a subscription watches one (else
    /// the board is left stale until a subscriber asks for it); subscribers whose lamp
    /// changed are notified.
    pub fn show(&self, read: impl FnOnce() -> LampBoard) {
        self.fresh.begin();
        if self.limits.held() == 0 {
            return;
        }
        let next = read();
        self.board.send_if_modified(|board| {
            if **board == next {
                return false;
            }
            *board = Arc::new(next);
            true
        });
        self.fresh.shown();
    }

    /// Resolves when a new subscriber found the board stale: the engine's owner answers by
    /// showing its lamps ([`Blf::show`]).
    pub async fn wanted(&self) {
        self.fresh.wanted().await;
    }

    /// Subscriptions held now.
    pub fn subscriptions(&self) -> usize {
        self.limits.held()
    }

    /// Ends every subscription (`terminated;reason=probation`) and refuses new ones; waits
    /// a little for the NOTIFYs to go out.
    pub async fn end_all(&self) {
        self.stop.send_replace(true);
        let ended = async {
            while self.limits.held() > 0 {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        };
        if tokio::time::timeout(FAREWELL_LIMIT, ended).await.is_err() {
            tracing::info!(left = self.limits.held(), "subscriptions still ending");
        }
    }

    /// Answers a SUBSCRIBE outside a dialog and, when granted, starts its subscription.
    pub async fn subscribe(&self, endpoint: &Endpoint, mut request: IncomingRequest) {
        let event = header(&request.headers, &Name::EVENT);
        if !terms::is_dialog_package(event.as_deref()) {
            respond(endpoint, request, 489, |r| {
                r.msg.headers.insert(Name::ALLOW_EVENTS, terms::PACKAGE);
            })
            .await;
            return;
        }
        let plan = self.shared.plan();
        let resource = match plan.classify(&uri_user(&request.line.uri)) {
            Served::Code(number) | Served::PickupGroup(number) => number,
            _ => {
                respond(endpoint, request, 404, |_| {}).await;
                return;
            }
        };
        if *self.stop.borrow() {
            respond(endpoint, request, 503, |r| {
                r.msg.headers.insert(Name::RETRY_AFTER, "5");
            })
            .await;
            return;
        }
        let now = self.shared.now_secs();
        match identity::identify(
            &request,
            &self.shared.trusted(),
            &plan,
            &self.shared.realm,
            &Name::PROXY_AUTHORIZATION,
            false,
            now,
        ) {
            Ok(_) => {}
            Err(Unidentified::Challenge { stale }) => {
                let challenge = self.shared.realm.challenge(now, stale);
                respond(endpoint, request, 407, |r| {
                    r.msg.headers.insert(Name::PROXY_AUTHENTICATE, challenge);
                })
                .await;
                return;
            }
            Err(Unidentified::Forbidden(reason)) => {
                tracing::info!(%reason, source = %request.tp_info.source, "SUBSCRIBE refused");
                respond(endpoint, request, 403, |_| {}).await;
                return;
            }
        }
        let accept: Vec<String> = request
            .headers
            .get_raw(&Name::ACCEPT)
            .map(|v| v.as_str().to_string())
            .collect();
        if !terms::accepts(accept.iter().map(String::as_str)) {
            respond(endpoint, request, 406, |_| {}).await;
            return;
        }
        let expires = match terms::term(header(&request.headers, &Name::EXPIRES).as_deref()) {
            Term::End => 0,
            Term::For(n) => n,
            Term::TooBrief => {
                respond(endpoint, request, 423, |r| {
                    r.msg.headers.insert_named(&MinExpires(MIN_EXPIRES));
                })
                .await;
                return;
            }
        };
        let source = request.tp_info.source;
        let slot = match self.limits.take(source.ip()) {
            Ok(slot) => slot,
            Err(full) => {
                tracing::warn!(%full, "SUBSCRIBE refused");
                respond(endpoint, request, 503, |r| {
                    r.msg.headers.insert(Name::RETRY_AFTER, "60");
                })
                .await;
                return;
            }
        };
        let dialog = match Dialog::new_server(endpoint.clone(), &request, self.contact.clone()) {
            Ok(dialog) => dialog,
            Err(e) => {
                tracing::info!(error = %e, "SUBSCRIBE without what a dialog needs");
                respond(endpoint, request, 400, |_| {}).await;
                return;
            }
        };
        // NOTIFYs go where the SUBSCRIBE came from, over its transport (a phone behind NAT,
        // a PBX's TCP connection), as the invite acceptor does with the ACK.
        dialog.target_tp_info.lock().await.transport =
            Some((request.tp_info.transport.clone(), source));
        let (tx, refreshes) = mpsc::channel(4);
        let usage = dialog.register_usage(Refreshes { tx });
        let tsx = endpoint.create_server_tsx(&mut request);
        let Ok(mut response) = dialog.create_response(&request, StatusCode::OK, None) else {
            return;
        };
        response.msg.headers.insert_named(&Expires(expires));
        if let Err(e) = tsx.respond(response).await {
            tracing::debug!(error = ?e, "SUBSCRIBE response not sent");
            return;
        }
        let entity = board::sip_uri(&resource, self.shared.advertised_host());
        tracing::info!(%resource, %source, expires, "subscribed");
        tokio::spawn(
            Subscription {
                endpoint: endpoint.clone(),
                shared: self.shared.clone(),
                dialog,
                usage,
                refreshes,
                resource,
                entity,
                expires,
                board: self.board.subscribe(),
                fresh: self.fresh.clone(),
                stop: self.stop.subscribe(),
                slot,
            }
            .run(),
        );
    }
}
