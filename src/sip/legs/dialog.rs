//! An established leg: re-INVITEs and UPDATEs answered (hold tracked), INFO digits,
//! OPTIONS, REFER, BYE either way, session refreshes, and the probes that find a dead peer.

use super::refer::{notify_refer, refer};
use super::{
    LegCmd, LegContext, LegEvent, answer_offer, apply, body_text, content_type_sdp, is_hold,
};
use crate::engine::switch::EndCause;
use crate::media::StreamId;
use crate::media::sdp::{Direction, Negotiated, SdpSession};
use crate::sip::core::LegAddr;
use crate::sip::durable::DurableSeed;
use crate::sip::msg::header_named;
use sip_core::transport::OutgoingResponse;
use sip_core::{Endpoint, IncomingRequest, MayTake};
use sip_types::{Method, StatusCode};
use sip_ua::dialog::{Dialog, Usage, UsageGuard};
use sip_ua::invite::session::{InviteSession, InviteSessionEvent};
use std::time::Duration;
use tokio::sync::mpsc;

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
            crate::sip::front::refuse_method(endpoint, taken).await;
        }
    }
}

/// An established leg: re-INVITEs and UPDATEs answered (hold tracked), BYE either way,
/// session refreshes, probes. `seed` (an incoming leg's) and what was negotiated let it
/// write its durable record while it is parked.
pub(super) async fn established(
    ctx: LegContext,
    addr: LegAddr,
    mut session: InviteSession,
    mut sdp: SdpSession,
    stream: StreamId,
    seed: Option<(DurableSeed, Option<Negotiated>, Option<bool>)>,
    mut cmds: mpsc::UnboundedReceiver<LegCmd>,
) {
    // `durable_music`: whether it hears music while parked, once the leg is durable.
    let (seed, mut last, mut durable_music) = match seed {
        Some((seed, negotiated, music)) => (Some(seed), negotiated, music),
        None => (None, None, None),
    };
    let durable = &ctx.shared.durable;
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
                        last = Some(negotiated);
                        if let (Some(seed), Some(music)) = (&seed, durable_music) {
                            let record = seed.record(&addr.call, addr.leg, Some(&session.dialog), &sdp, last.as_ref(), music);
                            durable.save(&record, ctx.shared.clock.utc_now().unix_millis());
                        }
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
                if let Some(hold) = in_dialog(&ctx, &session.dialog, &mut sdp, stream, request, &addr).await
                    && hold != held
                {
                    held = hold;
                    ctx.report(&addr, LegEvent::Hold(held));
                }
            }
            cmd = cmds.recv() => match cmd {
                Some(LegCmd::Hangup) | Some(LegCmd::CompletedElsewhere) | None => {
                    let _ = tokio::time::timeout(Duration::from_secs(8), session.terminate()).await;
                    durable.forget(&addr.call, addr.leg);
                    ctx.media.close(stream);
                    return;
                }
                Some(LegCmd::Persist { music }) => {
                    if let Some(seed) = &seed {
                        durable_music = Some(music);
                        let record = seed.record(&addr.call, addr.leg, Some(&session.dialog), &sdp, last.as_ref(), music);
                        durable.save(&record, ctx.shared.clock.utc_now().unix_millis());
                    }
                }
                Some(LegCmd::Unpersist) => {
                    durable_music = None;
                    durable.forget(&addr.call, addr.leg);
                }
                Some(LegCmd::Probe) => {
                    if !probe(&session.dialog).await {
                        ctx.report(&addr, LegEvent::ProbeFailed);
                    }
                }
                Some(LegCmd::Notify {
                    frag,
                    last,
                    headers,
                }) => notify_refer(&session.dialog, &frag, last, &headers).await,
                Some(_) => {}
            },
        }
    };
    durable.forget(&addr.call, addr.leg);
    ctx.report(&addr, LegEvent::Ended { cause });
    ctx.media.close(stream);
}

/// Answers an in-dialog UPDATE / INFO / OPTIONS / REFER. Returns the hold state an UPDATE
/// left the leg in.
pub(super) async fn in_dialog(
    ctx: &LegContext,
    dialog: &Dialog,
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
                    dialog
                        .create_response(&request, StatusCode::OK, None)
                        .ok()
                        .map(|mut r| {
                            r.msg.headers.insert_named(&content_type_sdp());
                            r.msg.body = answer.into();
                            r
                        })
                }
                None => dialog
                    .create_response(&request, StatusCode::NOT_ACCEPTABLE_HERE, None)
                    .ok(),
            },
            None => dialog.create_response(&request, StatusCode::OK, None).ok(),
        }
    } else if method == Method::INFO {
        if let Some(digit) = info_digit(&request) {
            ctx.report(addr, LegEvent::Dtmf(digit));
        }
        dialog.create_response(&request, StatusCode::OK, None).ok()
    } else if method == Method::OPTIONS {
        dialog.create_response(&request, StatusCode::OK, None).ok()
    } else {
        refer(ctx, dialog, &request, addr)
    };
    if let Some(response) = response {
        let _ = tsx.respond(response).await;
    }
    hold
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
pub(super) async fn probe(dialog: &Dialog) -> bool {
    let request = dialog.create_request(Method::OPTIONS, None);
    let mut target = dialog.target_tp_info.lock().await;
    let Ok(mut tsx) = dialog.endpoint.send_request(request, &mut target).await else {
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
