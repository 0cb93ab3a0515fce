//! The front of the SIP side: every request outside a dialog. OPTIONS and REGISTER are
//! answered here; an INVITE is classified (`404` before any identity check), identified
//! (trusted peer or digest), given a media stream and a leg task, and handed to the core.
//! A SUBSCRIBE goes to the busy-lamp service.
//! Unknown methods get `405` or `501`.

use super::blf::Blf;
use super::core::{CoreMsg, Incoming, LegAddr};
use super::dialplan::Served;
use super::durable::DurableSeed;
use super::durable::record::DialogRecord;
use super::identity::{self, Identity, Unidentified};
use super::legs::{self, LegContext};
use super::msg::{caller_party, header, header_named, number_in, tag_response, uri_user};
use super::registrar::{MIN_EXPIRES, RegisterRefusal};
use super::retransmissions::{InviteKey, SeenInvites};
use super::sanity::{self, Insane};
use super::shared::{Admission, RETRY_AFTER_SECS, Shared};
use crate::engine::switch::{CallId, LegId};
use crate::media::Media;
use crate::media::sdp::SdpSession;
use bytesstr::BytesStr;
use sip_core::transport::OutgoingResponse;
use sip_core::{Endpoint, EndpointBuilder, IncomingRequest, Layer, MayTake};
use sip_types::header::typed::{Contact, Expires, MinExpires};
use sip_types::print::AppendCtx;
use sip_types::{Method, Name, StatusCode};
use sip_ua::dialog::Dialog;
use sip_ua::invite::acceptor::InviteAcceptor;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

/// Methods this server knows, for `Allow` and to tell `405` from `501`.
const KNOWN: &[&str] = &[
    "INVITE",
    "ACK",
    "BYE",
    "CANCEL",
    "OPTIONS",
    "REGISTER",
    "PRACK",
    "SUBSCRIBE",
    "NOTIFY",
    "PUBLISH",
    "INFO",
    "REFER",
    "MESSAGE",
    "UPDATE",
];

/// The layer that takes requests outside any dialog.
pub struct Front {
    shared: Arc<Shared>,
    media: Media,
    core: mpsc::UnboundedSender<CoreMsg>,
    contact: Contact,
    blf: Arc<Blf>,
    seen: Mutex<SeenInvites>,
}

impl Front {
    /// A front handing calls to `core`.
    pub fn new(
        shared: Arc<Shared>,
        media: Media,
        core: mpsc::UnboundedSender<CoreMsg>,
        contact: Contact,
        blf: Arc<Blf>,
    ) -> Front {
        Front {
            shared,
            media,
            core,
            contact,
            blf,
            seen: Mutex::new(SeenInvites::default()),
        }
    }

    fn ctx(&self, endpoint: &Endpoint) -> LegContext {
        LegContext {
            endpoint: endpoint.clone(),
            media: self.media.clone(),
            contact: self.contact.clone(),
            core: self.core.clone(),
            shared: self.shared.clone(),
        }
    }
}

#[async_trait::async_trait]
impl Layer for Front {
    fn name(&self) -> &'static str {
        "parkdesk-front"
    }

    fn init(&mut self, endpoint: &mut EndpointBuilder) {
        endpoint.add_allow(Method::OPTIONS);
        endpoint.add_allow(Method::REGISTER);
        endpoint.add_allow(Method::INFO);
        endpoint.add_allow(Method::SUBSCRIBE);
    }

    async fn receive(&self, endpoint: &Endpoint, request: MayTake<'_, IncomingRequest>) {
        let method = request.line.method.clone();
        if method == Method::ACK {
            // The ACK of a restored leg's re-INVITE goes to it; a stray ACK has no answer.
            if request.base_headers.to.tag.is_some() {
                self.to_restored(request).await;
            }
            return;
        }
        if let Err(insane) = sanity::check(
            &request_line(&request.tp_info.buffer),
            &method.to_string(),
            &request.headers,
            &endpoint
                .supported()
                .iter()
                .map(|s| s.0.as_str())
                .collect::<Vec<_>>(),
        ) {
            tracing::info!(?insane, source = %request.tp_info.source, "malformed request");
            turn_away(endpoint, request.take(), insane).await;
            return;
        }
        if request.base_headers.to.tag.is_some() {
            // A dialog the process before left is served by its restored leg; any other
            // in-dialog request nobody claimed gets the endpoint's 481.
            self.to_restored(request).await;
            return;
        }
        let request = request.take();
        if method == Method::INVITE {
            self.invite(endpoint, request).await;
        } else if method == Method::OPTIONS {
            respond(endpoint, request, 200, |r| {
                r.msg.headers.insert("Accept", "application/sdp");
            })
            .await;
        } else if method == Method::REGISTER {
            self.register(endpoint, request).await;
        } else if method == Method::SUBSCRIBE {
            self.blf.subscribe(endpoint, request).await;
        } else if method == Method::CANCEL || method == Method::BYE {
            respond(endpoint, request, 481, |_| {}).await;
        } else {
            refuse_method(endpoint, request).await;
        }
    }
}

impl Front {
    /// Hands an in-dialog request to the restored leg of its dialog, if there is one. While
    /// the restore runs (the first moments of the process), waits for it up to two seconds
    /// rather than answer `481` to a dialog about to be taken on.
    async fn to_restored(&self, mut request: MayTake<'_, IncomingRequest>) {
        let durable = &self.shared.durable;
        let headers = &request.base_headers;
        let (Some(local), Some(peer)) = (headers.to.tag.as_ref(), headers.from.tag.as_ref()) else {
            return;
        };
        let key = (
            headers.call_id.0.to_string(),
            local.to_string(),
            peer.to_string(),
        );
        let mut waited = 0;
        while durable.restoring() && durable.route_of(&key).is_none() && waited < 200 {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            waited += 1;
        }
        if let Some(to) = durable.route_of(&key)
            && let Some(taken) = request.inner().take()
            && let Err(e) = to.try_send(taken)
        {
            // The leg is gone or swamped: the endpoint answers as for no dialog.
            let taken = match e {
                mpsc::error::TrySendError::Full(r) | mpsc::error::TrySendError::Closed(r) => r,
            };
            *request.inner() = Some(taken);
        }
    }
}

/// The first line of a raw message, without its line end.
fn request_line(buffer: &[u8]) -> String {
    let end = buffer
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(buffer.len());
    let line = buffer[..end].strip_suffix(b"\r").unwrap_or(&buffer[..end]);
    String::from_utf8_lossy(line).into_owned()
}

/// Turns away a request that failed the sanity checks: `400` with the reason, or `420`
/// with `Unsupported`.
async fn turn_away(endpoint: &Endpoint, request: IncomingRequest, insane: Insane) {
    let code = insane.status();
    let edit = |r: &mut OutgoingResponse| match &insane {
        Insane::BadRequest(reason) => r.msg.line.reason = Some(BytesStr::from_static(reason)),
        Insane::BadExtension(tags) => {
            r.msg.headers.insert(Name::UNSUPPORTED, tags.join(", "));
        }
    };
    if request.line.method == Method::INVITE {
        refuse_invite(endpoint, request, code, edit).await;
    } else {
        respond(endpoint, request, code, edit).await;
    }
}

/// Turns away a request whose method is not served here: `405` for a method SIP knows,
/// `501` for one it does not, both with `Allow`.
pub(super) async fn refuse_method(endpoint: &Endpoint, request: IncomingRequest) {
    let known = KNOWN.contains(&request.line.method.to_string().as_str());
    let code = if known { 405 } else { 501 };
    respond(endpoint, request, code, |r| {
        r.msg.headers.insert_named(endpoint.allowed());
    })
    .await;
}

/// Answers a non-INVITE request outside a dialog with `code` (tagged), after `edit`.
pub(super) async fn respond(
    endpoint: &Endpoint,
    mut request: IncomingRequest,
    code: u16,
    edit: impl FnOnce(&mut OutgoingResponse),
) {
    let tsx = endpoint.create_server_tsx(&mut request);
    let mut response = endpoint.create_response(&request, StatusCode::from(code), None);
    tag_response(&mut response, &random_tag());
    edit(&mut response);
    if let Err(e) = tsx.respond(response).await {
        tracing::debug!(error = ?e, "response not sent");
    }
}

/// Turns an INVITE away with `code` (tagged), after `edit`.
async fn refuse_invite(
    endpoint: &Endpoint,
    mut request: IncomingRequest,
    code: u16,
    edit: impl FnOnce(&mut OutgoingResponse),
) {
    let tsx = endpoint.create_server_inv_tsx(&mut request);
    let mut response = endpoint.create_response(&request, StatusCode::from(code), None);
    tag_response(&mut response, &random_tag());
    edit(&mut response);
    if let Err(e) = tsx.respond_failure(response).await {
        tracing::debug!(error = ?e, "final response not sent");
    }
}

/// Whether a new call for `served` comes in while the engine is `admission`: a draining
/// node still takes what takes calls off it (a retrieve by code, a pickup).
fn admitted(admission: Admission, served: &Served) -> bool {
    match admission {
        Admission::Open => true,
        Admission::Draining => matches!(
            served,
            Served::Code(_) | Served::PickupGroup(_) | Served::Nothing
        ),
        Admission::Closed => false,
    }
}

fn random_tag() -> String {
    crate::runtime::entropy::random_hex(8)
}

impl Front {
    /// Whether `request` is a new INVITE, not a copy of one already being handled.
    fn first_time(&self, request: &IncomingRequest) -> bool {
        let headers = &request.base_headers;
        let key = InviteKey::new(
            headers.call_id.0.as_str(),
            headers.cseq.cseq,
            headers.from.tag.as_deref().unwrap_or(""),
            request.tsx_key.branch().as_str(),
        );
        let now_ms = self.shared.clock.now().0;
        match self.seen.lock() {
            Ok(mut seen) => seen.first_time(key, now_ms),
            Err(poisoned) => poisoned.into_inner().first_time(key, now_ms),
        }
    }

    async fn invite(&self, endpoint: &Endpoint, request: IncomingRequest) {
        if !self.first_time(&request) {
            tracing::debug!(source = %request.tp_info.source, "INVITE retransmission dropped");
            return;
        }
        // `100 Trying` at once (stateless: the transaction comes with the dialog), so the
        // caller stops retransmitting while the media and the engine are asked.
        let mut trying = endpoint.create_response(&request, StatusCode::TRYING, None);
        if let Err(e) = endpoint.send_outgoing_response(&mut trying).await {
            tracing::debug!(error = %e, "100 not sent");
        }
        let plan = self.shared.plan();
        let dialled = uri_user(&request.line.uri);
        let served = plan.classify(&dialled);
        if !admitted(self.shared.admission(), &served) {
            tracing::info!(?served, "INVITE refused: the engine is stopping");
            refuse_invite(endpoint, request, 503, |r| {
                r.msg
                    .headers
                    .insert(Name::RETRY_AFTER, RETRY_AFTER_SECS.to_string());
            })
            .await;
            return;
        }
        if served == Served::Nothing {
            refuse_invite(endpoint, request, 404, |_| {}).await;
            return;
        }
        if self.shared.is_suspended_number(&dialled) {
            // The number's operator is suspended: it takes no calls, and nothing is lost.
            refuse_invite(endpoint, request, 480, |_| {}).await;
            return;
        }
        let referred = matches!(served, Served::ParkExtension | Served::DirectedPark(_));
        let now = self.shared.now_secs();
        let identity = match identity::identify(
            &request,
            &self.shared.trusted(),
            &plan,
            &self.shared.realm,
            &Name::PROXY_AUTHORIZATION,
            referred,
            now,
        ) {
            Ok(identity) => identity,
            Err(Unidentified::Challenge { stale }) => {
                let challenge = self.shared.realm.challenge(now, stale);
                refuse_invite(endpoint, request, 407, |r| {
                    r.msg.headers.insert(Name::PROXY_AUTHENTICATE, challenge);
                })
                .await;
                return;
            }
            Err(Unidentified::Forbidden(reason)) => {
                tracing::info!(%reason, source = %request.tp_info.source, "INVITE refused");
                refuse_invite(endpoint, request, 403, |_| {}).await;
                return;
            }
        };
        let trusted = matches!(identity, Identity::Trusted(_));
        let asserted = trusted.then(|| identity::asserted(&request)).flatten();
        let from = caller_party(&request.base_headers.from, asserted.as_deref());
        let priority = header_named(&request.headers, "Priority").unwrap_or_default();
        let emergency = priority.trim().eq_ignore_ascii_case("emergency")
            || plan.is_emergency(&from.number)
            || asserted
                .as_deref()
                .and_then(number_in)
                .is_some_and(|n| plan.is_emergency(&n));
        let offer = legs::body_text(&request.body);
        let stream = match self.media.open().await {
            Ok(stream) => stream,
            Err(e) => {
                tracing::warn!(error = %e, "no RTP port for an incoming call");
                refuse_invite(endpoint, request, 503, |r| {
                    r.msg.headers.insert(Name::RETRY_AFTER, "5");
                })
                .await;
                return;
            }
        };
        let dialog = match Dialog::new_server(endpoint.clone(), &request, self.contact.clone()) {
            Ok(dialog) => dialog,
            Err(e) => {
                tracing::info!(error = %e, "INVITE without what a dialog needs");
                self.media.close(stream.id);
                refuse_invite(endpoint, request, 400, |_| {}).await;
                return;
            }
        };
        let seed = DurableSeed {
            dialog: DialogRecord::of(&dialog),
            from: from.clone(),
            port: stream.local.port(),
            rtp: stream.rtp,
            opened_ms: self.shared.clock.utc_now().unix_millis(),
        };
        let acceptor = InviteAcceptor::new(dialog, request);
        let n = self.shared.next_call.fetch_add(1, Ordering::Relaxed);
        let call = CallId(format!("s-{n}"));
        let (tx, rx) = mpsc::unbounded_channel();
        let addr = LegAddr {
            call: call.clone(),
            leg: LegId::Caller,
            fork: 0,
        };
        let ctx = self.ctx(endpoint);
        let sdp = SdpSession::new(stream.local);
        tokio::spawn(legs::incoming(
            ctx, addr, acceptor, offer, sdp, stream.id, seed, rx,
        ));
        let _ = self.core.send(CoreMsg::Incoming {
            call: Box::new(Incoming {
                call,
                from,
                served,
                identity,
                emergency,
                stream: stream.id,
            }),
            cmd: tx,
        });
    }

    async fn register(&self, endpoint: &Endpoint, request: IncomingRequest) {
        let plan = self.shared.plan();
        let aor = uri_user(&request.base_headers.to.uri.uri);
        let Some(user) = plan.user_of_number(&aor).map(str::to_string) else {
            respond(endpoint, request, 404, |_| {}).await;
            return;
        };
        let now = self.shared.now_secs();
        let identity = identity::identify(
            &request,
            &self.shared.trusted(),
            &plan,
            &self.shared.realm,
            &Name::AUTHORIZATION,
            false,
            now,
        );
        match identity {
            Ok(Identity::Authenticated(who)) if who != user => {
                respond(endpoint, request, 403, |_| {}).await;
                return;
            }
            Ok(_) => {}
            Err(Unidentified::Challenge { stale }) => {
                let challenge = self.shared.realm.challenge(now, stale);
                respond(endpoint, request, 401, |r| {
                    r.msg.headers.insert(Name::WWW_AUTHENTICATE, challenge);
                })
                .await;
                return;
            }
            Err(Unidentified::Forbidden(reason)) => {
                tracing::info!(%reason, "REGISTER refused");
                respond(endpoint, request, 403, |_| {}).await;
                return;
            }
        }
        let default_expires = header(&request.headers, &Name::EXPIRES)
            .and_then(|e| e.trim().parse::<u64>().ok())
            .unwrap_or(3600);
        let wildcard = header(&request.headers, &Name::CONTACT).is_some_and(|c| c.trim() == "*");
        if wildcard {
            self.shared.registrar().clear(&user);
            respond(endpoint, request, 200, |_| {}).await;
            return;
        }
        let contacts: Vec<Contact> = request.headers.get_named().unwrap_or_default();
        let mut granted = Vec::new();
        for contact in &contacts {
            let expires = contact
                .params
                .get_val("expires")
                .and_then(|e| e.as_str().trim().parse::<u64>().ok())
                .unwrap_or(default_expires);
            let uri = contact.uri.uri.default_print_ctx().to_string();
            let outcome = self.shared.registrar().register(&user, &uri, expires, now);
            match outcome {
                Ok(0) => {}
                Ok(secs) => granted.push((uri, secs)),
                Err(RegisterRefusal::TooBrief(_)) => {
                    respond(endpoint, request, 423, |r| {
                        r.msg
                            .headers
                            .insert_named(&MinExpires(u32::try_from(MIN_EXPIRES).unwrap_or(60)));
                    })
                    .await;
                    return;
                }
                Err(RegisterRefusal::TooMany(_)) => {
                    respond(endpoint, request, 403, |_| {}).await;
                    return;
                }
            }
        }
        let live = self.shared.registrar().contacts(&user, now);
        tracing::info!(user, phones = live.len(), "registered");
        respond(endpoint, request, 200, |r| {
            for binding in &live {
                let left = binding.expires_at.saturating_sub(now);
                r.msg.headers.insert(
                    Name::CONTACT,
                    BytesStr::from(format!("<{}>;expires={left}", binding.contact)),
                );
            }
            if let Some((_, secs)) = granted.first() {
                r.msg
                    .headers
                    .insert_named(&Expires(u32::try_from(*secs).unwrap_or(3600)));
            }
        })
        .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draining_node_refuses_parks_and_user_calls_but_takes_retrieves_and_pickups() {
        let draining = Admission::Draining;
        assert!(!admitted(draining, &Served::ParkExtension));
        assert!(!admitted(draining, &Served::DirectedPark("742".into())));
        assert!(!admitted(draining, &Served::User("ada".into())));
        assert!(admitted(draining, &Served::Code("742".into())));
        assert!(admitted(draining, &Served::PickupGroup("sales".into())));
    }

    #[test]
    fn a_node_suspended_for_a_restart_refuses_every_new_call() {
        assert!(!admitted(Admission::Closed, &Served::Code("742".into())));
        assert!(admitted(Admission::Open, &Served::ParkExtension));
    }
}
