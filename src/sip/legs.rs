//! One task per SIP leg: an incoming call the engine answers or turns away, or an outgoing
//! fork ringing a phone. A leg task owns its transaction, dialog and SDP state, takes
//! commands from the core, and reports what happened; media stays in `media/`.

use super::core::{CoreMsg, LegAddr};
use super::msg::{header_named, number_in, percent_decode};
use super::shared::Shared;
use crate::engine::switch::EndCause;
use crate::media::sdp::{Direction, Negotiated, SdpSession};
use crate::media::{Media, StreamId};
use bytesstr::BytesStr;
use sip_core::Request;
use sip_core::transport::{OutgoingParts, OutgoingRequest, OutgoingResponse};
use sip_core::{Endpoint, IncomingRequest, MayTake};
use sip_types::header::typed::{CSeq, Contact, ContentType};
use sip_types::uri::{NameAddr, SipUri};
use sip_types::{Method, Name, StatusCode};
use sip_ua::dialog::{Usage, UsageGuard};
use sip_ua::invite::acceptor::InviteAcceptor;
use sip_ua::invite::create_ack;
use sip_ua::invite::initiator::{
    Early, EarlyResponse, InviteInitiator, Response as InitiatorResponse,
};
use sip_ua::invite::session::{InviteSession, InviteSessionEvent};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;

/// What the core asks of a leg.
#[derive(Debug, Clone)]
pub enum LegCmd {
    /// Tell the caller it is ringing (`180`).
    Ringing,
    /// Answer an incoming call (`200` with SDP), asserting `asserted` as who answered.
    Answer {
        /// A `P-Asserted-Identity` value for the `200 OK`.
        asserted: Option<String>,
        /// More headers for the `200 OK` (`X-Park-Code`).
        headers: Vec<(String, String)>,
    },
    /// Turn an unanswered incoming call away with `code`.
    Reject {
        /// The status code.
        code: u16,
    },
    /// End the leg: `BYE` when answered, `CANCEL` while an outgoing fork rings, `480`
    /// for an unanswered incoming call.
    Hangup,
    /// Stop ringing because someone else took the call: a CANCEL with
    /// `Reason: SIP;cause=200;text="Call completed elsewhere"`, so no phone logs a missed
    /// call. Like `Hangup` once answered.
    CompletedElsewhere,
    /// Is the peer still there? An in-dialog `OPTIONS`.
    Probe,
    /// Report on a REFER this leg sent: a NOTIFY with a `message/sipfrag` status line;
    /// `last` ends the implicit subscription.
    Notify {
        /// The status line, e.g. `SIP/2.0 200 OK`.
        frag: String,
        /// Whether this NOTIFY ends the subscription.
        last: bool,
        /// More headers (`X-Park-Code`).
        headers: Vec<(String, String)>,
    },
}

/// What a leg reports to the core.
#[derive(Debug, Clone)]
pub enum LegEvent {
    /// The far phone rings (outgoing), or the incoming call was told it rings.
    Ringing,
    /// The leg is up, SDP negotiated and the media stream configured.
    Answered,
    /// An outgoing fork failed with this status (`0`: no response at all).
    Failed {
        /// The final status, 0 for a timeout or transport failure.
        status: u16,
    },
    /// The leg is over.
    Ended {
        /// Why.
        cause: EndCause,
    },
    /// The peer put the leg on hold (`true`) or took it off (`false`).
    Hold(bool),
    /// The peer sent a DTMF digit by SIP INFO.
    Dtmf(char),
    /// An in-dialog probe went unanswered: the leg is dead.
    ProbeFailed,
    /// The peer asked to transfer the call (REFER, accepted with `202`).
    Refer {
        /// The number in Refer-To (the park extension, a code, a user).
        target: String,
        /// The Replaces parameter of an attended transfer, as sent.
        replaces: Option<String>,
        /// Whether the peer wants NOTIFYs (`Refer-Sub: false` says no).
        notify: bool,
    },
}

/// What every leg task shares.
#[derive(Clone)]
pub struct LegContext {
    /// The SIP endpoint.
    pub endpoint: Endpoint,
    /// The media task.
    pub media: Media,
    /// Our Contact.
    pub contact: Contact,
    /// Where events go.
    pub core: mpsc::UnboundedSender<CoreMsg>,
    /// The dial plan and settings (a REFER's target is checked against the plan).
    pub shared: Arc<Shared>,
}

/// Counts a leg task as alive until it ends, however it ends.
struct Alive(Arc<AtomicUsize>);

impl Alive {
    fn new(live: &Arc<AtomicUsize>) -> Alive {
        live.fetch_add(1, Ordering::Relaxed);
        Alive(live.clone())
    }
}

impl Drop for Alive {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl LegContext {
    fn report(&self, addr: &LegAddr, event: LegEvent) {
        let _ = self.core.send(CoreMsg::Leg {
            addr: addr.clone(),
            event,
        });
    }
}

const SDP: &str = "application/sdp";

fn content_type_sdp() -> ContentType {
    ContentType(BytesStr::from_static(SDP))
}

/// A message body as text, if it has one and it is UTF-8.
pub(super) fn body_text(body: &[u8]) -> Option<String> {
    (!body.is_empty())
        .then(|| std::str::from_utf8(body).ok().map(str::to_string))
        .flatten()
}

/// Our SDP direction given the peer's: a peer that only sends (holds us) gets `recvonly`.
fn answer_direction(peer: Direction) -> Direction {
    match peer {
        Direction::SendOnly => Direction::RecvOnly,
        Direction::Inactive => Direction::Inactive,
        Direction::RecvOnly => Direction::SendOnly,
        Direction::SendRecv => Direction::SendRecv,
    }
}

fn is_hold(direction: Direction) -> bool {
    matches!(direction, Direction::SendOnly | Direction::Inactive)
}

/// Configures the media stream from a negotiation; a held leg is sent nothing.
fn apply(media: &Media, stream: StreamId, negotiated: &Negotiated) {
    let remote = if is_hold(negotiated.direction) {
        None
    } else {
        negotiated.remote
    };
    media.configure(stream, remote, negotiated.codec, negotiated.dtmf_pt);
}

/// Answers an offer: the answer's direction mirrors a hold.
fn answer_offer(sdp: &mut SdpSession, offer: &str) -> Option<(String, Negotiated)> {
    let (answer, negotiated) = sdp.answer(offer, Direction::SendRecv).ok()?;
    if negotiated.direction == Direction::SendRecv {
        return Some((answer, negotiated));
    }
    let (answer, negotiated) = sdp
        .answer(offer, answer_direction(negotiated.direction))
        .ok()?;
    Some((answer, negotiated))
}

/// An incoming call: answered, rung or turned away on the core's word; then the session.
pub async fn incoming(
    ctx: LegContext,
    addr: LegAddr,
    mut acceptor: InviteAcceptor,
    offer: Option<String>,
    mut sdp: SdpSession,
    stream: StreamId,
    mut cmds: mpsc::UnboundedReceiver<LegCmd>,
) {
    let _alive = Alive::new(&ctx.shared.live_legs);
    let session = loop {
        let cmd = tokio::select! {
            () = acceptor.cancelled() => None,
            cmd = cmds.recv() => Some(cmd),
        };
        let Some(cmd) = cmd else {
            ctx.report(
                &addr,
                LegEvent::Ended {
                    cause: EndCause::Hangup,
                },
            );
            ctx.media.close(stream);
            return;
        };
        match cmd {
            Some(LegCmd::Ringing) => {
                if let Ok(response) = acceptor.create_response(StatusCode::RINGING, None).await {
                    let _ = acceptor.respond_provisional(response).await;
                }
            }
            Some(LegCmd::Answer { asserted, headers }) => {
                let Ok(mut response) = acceptor.create_response(StatusCode::OK, None).await else {
                    continue;
                };
                let negotiated = match &offer {
                    Some(offer) => match answer_offer(&mut sdp, offer) {
                        Some((answer, negotiated)) => {
                            response.msg.body = answer.into();
                            Some(negotiated)
                        }
                        None => {
                            reject(acceptor, 488).await;
                            ctx.report(
                                &addr,
                                LegEvent::Ended {
                                    cause: EndCause::Dead,
                                },
                            );
                            ctx.media.close(stream);
                            return;
                        }
                    },
                    None => {
                        response.msg.body = sdp.offer(Direction::SendRecv).into();
                        None
                    }
                };
                response.msg.headers.insert_named(&content_type_sdp());
                if let Some(asserted) = asserted {
                    response.msg.headers.insert("P-Asserted-Identity", asserted);
                }
                for (name, value) in headers {
                    response.msg.headers.insert(name, value);
                }
                match acceptor.respond_success(response).await {
                    Ok((session, ack)) => {
                        let negotiated = negotiated.or_else(|| {
                            body_text(&ack.body).and_then(|a| sdp.accept_answer(&a).ok())
                        });
                        if let Some(negotiated) = &negotiated {
                            apply(&ctx.media, stream, negotiated);
                        }
                        ctx.report(&addr, LegEvent::Answered);
                        break session;
                    }
                    Err(e) => {
                        tracing::info!(leg = %addr, error = ?e, "answer not acknowledged");
                        ctx.report(
                            &addr,
                            LegEvent::Ended {
                                cause: EndCause::Dead,
                            },
                        );
                        ctx.media.close(stream);
                        return;
                    }
                }
            }
            Some(LegCmd::Reject { code }) => {
                reject(acceptor, code).await;
                ctx.media.close(stream);
                return;
            }
            Some(LegCmd::Hangup) | Some(LegCmd::CompletedElsewhere) | None => {
                reject(acceptor, 480).await;
                ctx.media.close(stream);
                return;
            }
            Some(LegCmd::Probe) | Some(LegCmd::Notify { .. }) => {}
        }
    };
    established(ctx, addr, session, sdp, stream, cmds).await;
}

async fn reject(acceptor: InviteAcceptor, code: u16) {
    let code = StatusCode::from(code);
    if let Ok(response) = acceptor.create_response(code, None).await {
        let _ = acceptor.respond_failure(response).await;
    }
}

/// How an outgoing fork presents the call.
#[derive(Debug, Clone)]
pub struct Fork {
    /// Who the call appears to come from (display and URI).
    pub from: NameAddr,
    /// The phone to ring.
    pub target: SipUri,
    /// Extra headers (`P-Asserted-Identity`, `Alert-Info`).
    pub headers: Vec<(String, String)>,
}

/// An outgoing fork: rings `fork.target` until it answers, fails or is cancelled.
pub async fn outgoing(
    ctx: LegContext,
    addr: LegAddr,
    fork: Fork,
    mut sdp: SdpSession,
    stream: StreamId,
    mut cmds: mpsc::UnboundedReceiver<LegCmd>,
) {
    let _alive = Alive::new(&ctx.shared.live_legs);
    let mut initiator = InviteInitiator::new(
        ctx.endpoint.clone(),
        fork.from.clone(),
        ctx.contact.clone(),
        fork.target.clone(),
    );
    initiator.support_100rel = false;
    let mut invite = initiator.create_invite();
    invite.headers.insert_named(&content_type_sdp());
    for (name, value) in &fork.headers {
        invite.headers.insert(name.clone(), value.clone());
    }
    invite.body = sdp.offer(Direction::SendRecv).into();
    if let Err(e) = initiator.send_invite(invite).await {
        tracing::info!(leg = %addr, error = ?e, "INVITE not sent");
        ctx.report(&addr, LegEvent::Failed { status: 0 });
        ctx.media.close(stream);
        return;
    }
    let mut rang = false;
    let mut earlies: Vec<Early> = Vec::new();
    let ringing = |code: u16, rang: &mut bool| {
        if (180..=183).contains(&code) && !*rang {
            *rang = true;
            ctx.report(&addr, LegEvent::Ringing);
        }
    };
    let (session, response) = loop {
        let step = tokio::select! {
            response = initiator.receive() => Ok(response),
            cmd = cmds.recv() => Err(cmd),
        };
        match step {
            Ok(Ok(InitiatorResponse::Provisional(response))) => {
                ringing(response.line.code.into_u16(), &mut rang);
            }
            Ok(Ok(InitiatorResponse::Early(early, response, _))) => {
                // A provisional response with a tag opens an early dialog: its 200 OK
                // arrives through it.
                ringing(response.line.code.into_u16(), &mut rang);
                earlies.push(early);
            }
            Ok(Ok(InitiatorResponse::EarlyEvent)) => match poll_earlies(&mut earlies).await {
                Some((i, Ok(EarlyResponse::Success(session, response)))) => {
                    earlies.remove(i);
                    break (session, response);
                }
                Some((_, Ok(EarlyResponse::Provisional(response, _)))) => {
                    ringing(response.line.code.into_u16(), &mut rang);
                }
                Some((i, Ok(EarlyResponse::Terminated) | Err(_))) => {
                    earlies.remove(i);
                }
                None => {}
            },
            Ok(Ok(InitiatorResponse::Session(session, response))) => break (session, response),
            Ok(Ok(InitiatorResponse::Failure(response))) => {
                ctx.report(
                    &addr,
                    LegEvent::Failed {
                        status: response.line.code.into_u16(),
                    },
                );
                ctx.media.close(stream);
                return;
            }
            Ok(Ok(InitiatorResponse::Finished)) | Ok(Err(_)) => {
                ctx.report(&addr, LegEvent::Failed { status: 0 });
                ctx.media.close(stream);
                return;
            }
            Err(Some(LegCmd::Hangup)) | Err(None) => {
                cancel_invite(&ctx.endpoint, &mut initiator, &mut earlies, None).await;
                ctx.media.close(stream);
                return;
            }
            Err(Some(LegCmd::CompletedElsewhere)) => {
                let reason = "SIP;cause=200;text=\"Call completed elsewhere\"";
                cancel_invite(&ctx.endpoint, &mut initiator, &mut earlies, Some(reason)).await;
                ctx.media.close(stream);
                return;
            }
            Err(Some(_)) => {}
        }
    };
    match body_text(&response.body).and_then(|a| sdp.accept_answer(&a).ok()) {
        Some(negotiated) => apply(&ctx.media, stream, &negotiated),
        None => tracing::info!(leg = %addr, "answer without usable SDP"),
    }
    match create_ack(&session.dialog, response.base_headers.cseq.cseq).await {
        Ok(mut ack) => {
            if let Err(e) = session.endpoint.send_outgoing_request(&mut ack).await {
                tracing::info!(leg = %addr, error = %e, "ACK not sent");
            }
            initiator.set_acknowledge(&session, ack);
        }
        Err(e) => tracing::info!(leg = %addr, error = ?e, "no ACK for the answer"),
    }
    for early in earlies {
        tokio::spawn(early.cancel());
    }
    // The initiator keeps answering retransmitted 200s (with the ACK) and hangs up any
    // other fork that answers late.
    tokio::spawn(async move {
        while let Ok(event) = initiator.receive().await {
            match event {
                InitiatorResponse::Early(early, ..) => {
                    tokio::spawn(early.cancel());
                }
                InitiatorResponse::Session(mut late, ..) => {
                    let _ = late.terminate().await;
                }
                InitiatorResponse::Failure(..) | InitiatorResponse::Finished => break,
                InitiatorResponse::Provisional(..) | InitiatorResponse::EarlyEvent => {}
            }
        }
    });
    ctx.report(&addr, LegEvent::Answered);
    established(ctx, addr, session, sdp, stream, cmds).await;
}

/// Cancels the ringing INVITE (RFC 3261 §9.1): a CANCEL with the INVITE's own Via branch,
/// From, To, Call-ID and CSeq number, sent again until the INVITE ends (`487`) or 4 s pass;
/// a 200 OK that crossed it is hung up at once.
pub(crate) async fn cancel_invite(
    endpoint: &Endpoint,
    initiator: &mut InviteInitiator,
    earlies: &mut Vec<Early>,
    reason: Option<&str>,
) {
    let Some(invite) = initiator.transaction().map(|tsx| tsx.request().clone()) else {
        return;
    };
    let mut cancel = Request::new(Method::CANCEL, invite.msg.line.uri.clone());
    for name in [Name::VIA, Name::FROM, Name::TO, Name::CALL_ID, Name::ROUTE] {
        let _ = invite.msg.headers.clone_into(&mut cancel.headers, name);
    }
    let cseq = invite
        .msg
        .headers
        .get_named::<CSeq>()
        .map(|c| c.cseq)
        .unwrap_or(1);
    cancel
        .headers
        .insert_named(&CSeq::new(cseq, Method::CANCEL));
    cancel.headers.insert(Name::MAX_FORWARDS, "70");
    if let Some(reason) = reason {
        cancel.headers.insert("Reason", reason.to_string());
    }
    let mut outgoing = OutgoingRequest {
        msg: cancel,
        parts: OutgoingParts {
            transport: invite.parts.transport.clone(),
            destination: invite.parts.destination,
            buffer: Default::default(),
        },
    };
    for wait in [500u64, 1000, 2500] {
        if let Err(e) = endpoint.send_outgoing_request(&mut outgoing).await {
            tracing::debug!(error = %e, "CANCEL not sent");
        }
        let timer = tokio::time::sleep(Duration::from_millis(wait));
        tokio::pin!(timer);
        loop {
            let response = tokio::select! {
                () = &mut timer => None,
                response = initiator.receive() => Some(response),
            };
            match response {
                None => break,
                Some(Ok(InitiatorResponse::Session(session, response))) => {
                    // The phone answered as we cancelled: acknowledge and hang up.
                    ack_and_hang_up(endpoint, session, &response).await;
                    return;
                }
                Some(Ok(InitiatorResponse::EarlyEvent)) => {
                    // The answer of a phone that had sent a tagged 180 comes through its
                    // early dialog.
                    if let Some((i, Ok(EarlyResponse::Success(session, response)))) =
                        poll_earlies(earlies).await
                    {
                        earlies.remove(i);
                        ack_and_hang_up(endpoint, session, &response).await;
                        return;
                    }
                }
                Some(Ok(InitiatorResponse::Failure(_) | InitiatorResponse::Finished))
                | Some(Err(_)) => {
                    return;
                }
                Some(Ok(_)) => {}
            }
        }
    }
}

/// An answer nobody wants any more (it crossed a CANCEL): ACK it, then BYE.
async fn ack_and_hang_up(
    endpoint: &Endpoint,
    mut session: InviteSession,
    response: &sip_core::transaction::TsxResponse,
) {
    if let Ok(mut ack) = create_ack(&session.dialog, response.base_headers.cseq.cseq).await {
        let _ = endpoint.send_outgoing_request(&mut ack).await;
    }
    let _ = tokio::time::timeout(Duration::from_secs(8), session.terminate()).await;
}

/// The first early dialog with a response ready, if any (without waiting).
pub(crate) async fn poll_earlies(
    earlies: &mut [Early],
) -> Option<(usize, Result<EarlyResponse, sip_core::Error>)> {
    std::future::poll_fn(|cx| {
        for (i, early) in earlies.iter_mut().enumerate() {
            if let std::task::Poll::Ready(response) = early.poll_receive(cx) {
                return std::task::Poll::Ready(Some((i, response)));
            }
        }
        std::task::Poll::Ready(None)
    })
    .await
}

/// In-dialog methods the invite session itself handles.
const INVITE_SESSION_METHODS: [Method; 6] = [
    Method::INVITE,
    Method::ACK,
    Method::BYE,
    Method::CANCEL,
    Method::PRACK,
    Method::NOTIFY,
];

/// In-dialog requests the invite session does not handle (UPDATE, INFO, OPTIONS, REFER),
/// passed to the leg task.
struct Extras {
    tx: mpsc::Sender<IncomingRequest>,
}

#[async_trait::async_trait]
impl Usage for Extras {
    fn name(&self) -> &'static str {
        "parkdesk-extras"
    }

    async fn receive(&self, endpoint: &Endpoint, mut request: MayTake<'_, IncomingRequest>) {
        let method = request.line.method.clone();
        if [Method::UPDATE, Method::INFO, Method::OPTIONS, Method::REFER].contains(&method) {
            if let Some(taken) = request.inner().take()
                && let Err(e) = self.tx.try_send(taken)
            {
                let taken = match e {
                    mpsc::error::TrySendError::Full(r) | mpsc::error::TrySendError::Closed(r) => r,
                };
                *request.inner() = Some(taken);
            }
        } else if !INVITE_SESSION_METHODS.contains(&method)
            && let Some(taken) = request.inner().take()
        {
            // Nothing in this dialog serves it: 405 or 501 (RFC 3261 §8.2.1), not the 404
            // an unclaimed request would get.
            super::front::refuse_method(endpoint, taken).await;
        }
    }
}

/// An established leg: re-INVITEs and UPDATEs answered (hold tracked), BYE either way,
/// session refreshes, probes.
async fn established(
    ctx: LegContext,
    addr: LegAddr,
    mut session: InviteSession,
    mut sdp: SdpSession,
    stream: StreamId,
    mut cmds: mpsc::UnboundedReceiver<LegCmd>,
) {
    let (extra_tx, mut extras) = mpsc::channel(8);
    let _guard: UsageGuard = session.dialog.register_usage(Extras { tx: extra_tx });
    let mut held = false;
    let cause = loop {
        tokio::select! {
            event = session.run() => match event {
                Ok(InviteSessionEvent::ReInviteReceived(reinvite)) => {
                    let offer = body_text(&reinvite.invite.body);
                    let answered = match &offer {
                        Some(offer) => answer_offer(&mut sdp, offer).map(|(a, n)| (a, Some(n))),
                        None => Some((sdp.offer(Direction::SendRecv), None)),
                    };
                    let Some((answer, negotiated)) = answered else {
                        if let Ok(response) = session.dialog.create_response(
                            &reinvite.invite,
                            StatusCode::NOT_ACCEPTABLE_HERE,
                            None,
                        ) {
                            let _ = reinvite.transaction.respond_failure(response).await;
                        }
                        continue;
                    };
                    let Ok(mut response) =
                        session.dialog.create_response(&reinvite.invite, StatusCode::OK, None)
                    else {
                        continue;
                    };
                    response.msg.headers.insert_named(&content_type_sdp());
                    response.msg.body = answer.into();
                    let ack = reinvite.respond_success(&mut session, response).await;
                    let negotiated = negotiated.or_else(|| {
                        ack.ok()
                            .and_then(|ack| body_text(&ack.body))
                            .and_then(|a| sdp.accept_answer(&a).ok())
                    });
                    if let Some(negotiated) = negotiated {
                        apply(&ctx.media, stream, &negotiated);
                        let now_held = is_hold(negotiated.direction);
                        if now_held != held {
                            held = now_held;
                            ctx.report(&addr, LegEvent::Hold(held));
                        }
                    }
                }
                Ok(InviteSessionEvent::Bye(bye)) => {
                    let _ = session.handle_bye(bye).await;
                    break EndCause::Hangup;
                }
                Ok(InviteSessionEvent::RefreshNeeded) => {
                    let _ = session.refresh().await;
                }
                Ok(InviteSessionEvent::Notify(_)) => {}
                Ok(InviteSessionEvent::Terminated) | Err(_) => break EndCause::Dead,
            },
            Some(request) = extras.recv() => {
                if let Some(hold) = in_dialog(&ctx, &session, &mut sdp, stream, request, &addr).await
                    && hold != held
                {
                    held = hold;
                    ctx.report(&addr, LegEvent::Hold(held));
                }
            }
            cmd = cmds.recv() => match cmd {
                Some(LegCmd::Hangup) | Some(LegCmd::CompletedElsewhere) | None => {
                    let _ = tokio::time::timeout(Duration::from_secs(8), session.terminate()).await;
                    ctx.media.close(stream);
                    return;
                }
                Some(LegCmd::Probe) => {
                    if !probe(&session).await {
                        ctx.report(&addr, LegEvent::ProbeFailed);
                    }
                }
                Some(LegCmd::Notify {
                    frag,
                    last,
                    headers,
                }) => notify_refer(&session, &frag, last, &headers).await,
                Some(_) => {}
            },
        }
    };
    ctx.report(&addr, LegEvent::Ended { cause });
    ctx.media.close(stream);
}

/// Answers an in-dialog UPDATE / INFO / OPTIONS / REFER. Returns the hold state an UPDATE
/// left the leg in.
async fn in_dialog(
    ctx: &LegContext,
    session: &InviteSession,
    sdp: &mut SdpSession,
    stream: StreamId,
    mut request: IncomingRequest,
    addr: &LegAddr,
) -> Option<bool> {
    let tsx = ctx.endpoint.create_server_tsx(&mut request);
    let method = request.line.method.clone();
    let mut hold = None;
    let response: Option<OutgoingResponse> = if method == Method::UPDATE {
        match body_text(&request.body) {
            Some(offer) => match answer_offer(sdp, &offer) {
                Some((answer, negotiated)) => {
                    apply(&ctx.media, stream, &negotiated);
                    hold = Some(is_hold(negotiated.direction));
                    session
                        .dialog
                        .create_response(&request, StatusCode::OK, None)
                        .ok()
                        .map(|mut r| {
                            r.msg.headers.insert_named(&content_type_sdp());
                            r.msg.body = answer.into();
                            r
                        })
                }
                None => session
                    .dialog
                    .create_response(&request, StatusCode::NOT_ACCEPTABLE_HERE, None)
                    .ok(),
            },
            None => session
                .dialog
                .create_response(&request, StatusCode::OK, None)
                .ok(),
        }
    } else if method == Method::INFO {
        if let Some(digit) = info_digit(&request) {
            ctx.report(addr, LegEvent::Dtmf(digit));
        }
        session
            .dialog
            .create_response(&request, StatusCode::OK, None)
            .ok()
    } else if method == Method::OPTIONS {
        session
            .dialog
            .create_response(&request, StatusCode::OK, None)
            .ok()
    } else {
        refer(ctx, session, &request, addr)
    };
    if let Some(response) = response {
        let _ = tsx.respond(response).await;
    }
    hold
}

/// Reads a REFER: `202 Accepted` and a report to the core; `400` without a usable
/// Refer-To; `403` for a target the engine would never transfer to (no code, park number,
/// directory user, group or allow-listed number: RFC 3515 §2.4.2, a REFER the UA will not
/// act on is refused, not accepted and left without a final NOTIFY).
fn refer(
    ctx: &LegContext,
    session: &InviteSession,
    request: &IncomingRequest,
    addr: &LegAddr,
) -> Option<OutgoingResponse> {
    let refer_to = header_named(&request.headers, "Refer-To")
        .or_else(|| header_named(&request.headers, "r"))
        .unwrap_or_default();
    let Some(target) = number_in(&refer_to) else {
        return session
            .dialog
            .create_response(request, StatusCode::BAD_REQUEST, Some("No Refer-To".into()))
            .ok();
    };
    if !ctx.shared.plan().may_transfer_to(&target) {
        tracing::info!(leg = %addr, target, "REFER to a target off the allow-list refused");
        return session
            .dialog
            .create_response(request, StatusCode::FORBIDDEN, None)
            .ok();
    }
    let replaces = refer_to
        .split_once('?')
        .and_then(|(_, headers)| {
            headers.split('&').find_map(|h| {
                h.strip_prefix("Replaces=")
                    .or_else(|| h.strip_prefix("replaces="))
            })
        })
        .map(|r| percent_decode(r.trim_end_matches('>')));
    let notify = !header_named(&request.headers, "Refer-Sub")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("false"));
    ctx.report(
        addr,
        LegEvent::Refer {
            target,
            replaces,
            notify,
        },
    );
    session
        .dialog
        .create_response(request, StatusCode::from(202), Some("Accepted".into()))
        .ok()
        .map(|mut r| {
            if !notify {
                r.msg.headers.insert("Refer-Sub", "false");
            }
            r
        })
}

/// Sends a NOTIFY about a REFER (`Event: refer`, `message/sipfrag`).
async fn notify_refer(
    session: &InviteSession,
    frag: &str,
    last: bool,
    headers: &[(String, String)],
) {
    let mut request = session.dialog.create_request(Method::NOTIFY, None);
    for (name, value) in headers {
        request.headers.insert(name.clone(), value.clone());
    }
    request.headers.insert(Name::EVENT, "refer");
    request.headers.insert(
        Name::SUBSCRIPTION_STATE,
        if last {
            "terminated;reason=noresource"
        } else {
            "active;expires=60"
        },
    );
    request
        .headers
        .insert_named(&ContentType(BytesStr::from_static(
            "message/sipfrag;version=2.0",
        )));
    request.body = format!("{frag}\r\n").into();
    let mut target = session.dialog.target_tp_info.lock().await;
    let sent = session.endpoint.send_request(request, &mut target).await;
    drop(target);
    if let Ok(mut tsx) = sent {
        let _ = tokio::time::timeout(Duration::from_secs(2), tsx.receive_final()).await;
    }
}

/// The digit of a SIP INFO carrying `application/dtmf-relay` (`Signal=5`) or
/// `application/dtmf` (`5`).
fn info_digit(request: &IncomingRequest) -> Option<char> {
    let content_type = header_named(&request.headers, "Content-Type").unwrap_or_default();
    let body = std::str::from_utf8(&request.body).ok()?;
    let text = if content_type.contains("dtmf-relay") {
        body.lines()
            .find_map(|line| line.trim().strip_prefix("Signal="))?
            .trim()
    } else if content_type.contains("application/dtmf") {
        body.trim()
    } else {
        return None;
    };
    let digit = text.chars().next()?;
    (text.chars().count() == 1
        && (digit.is_ascii_digit() || matches!(digit, '*' | '#' | 'A'..='D')))
    .then_some(digit)
}

/// How long an in-dialog probe waits for an answer.
const PROBE_WAIT: Duration = Duration::from_secs(5);

/// Sends an in-dialog OPTIONS; true if the peer answered at all (any final response but
/// `408`/`481`).
async fn probe(session: &InviteSession) -> bool {
    let request = session.dialog.create_request(Method::OPTIONS, None);
    let mut target = session.dialog.target_tp_info.lock().await;
    let Ok(mut tsx) = session.endpoint.send_request(request, &mut target).await else {
        return false;
    };
    drop(target);
    // A live phone answers at once; waiting out the transaction's 32 s would keep a dead
    // caller parked.
    match tokio::time::timeout(PROBE_WAIT, tsx.receive_final()).await {
        Ok(Ok(response)) => !matches!(response.line.code.into_u16(), 408 | 481),
        Ok(Err(_)) | Err(_) => false,
    }
}
