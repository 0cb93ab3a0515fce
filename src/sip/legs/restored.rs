//! A leg taken over from the process before: its dialog rebuilt from the store, its requests
//! routed here by the front layer (the endpoint's dialog layer never knew it). It answers
//! BYE, re-INVITE, UPDATE, INFO, OPTIONS and REFER as an established leg does, hangs up with
//! BYE, probes, and keeps its durable record current.

use super::dialog::{in_dialog, probe};
use super::refer::notify_refer;
use super::{LegCmd, LegContext, LegEvent, answer_offer, apply, body_text, content_type_sdp};
use crate::engine::switch::EndCause;
use crate::media::StreamId;
use crate::media::sdp::{Negotiated, SdpSession};
use crate::sip::core::LegAddr;
use crate::sip::durable::record::SdpRecord;
use crate::sip::durable::{DialogKey, LegRecord};
use sip_core::IncomingRequest;
use sip_core::transaction::Accepted;
use sip_types::{Method, StatusCode};
use sip_ua::dialog::Dialog;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// A restored leg: its dialog, SDP session and stream, the key the front routes its
/// requests by, and its durable record.
pub struct RestoredLeg {
    /// The rebuilt dialog.
    pub dialog: Dialog,
    /// The dialog's key in the front's routing table.
    pub key: DialogKey,
    /// Our SDP session, its version going on.
    pub sdp: SdpSession,
    /// The stream resumed on its old port.
    pub stream: StreamId,
    /// What the store holds for it (rewritten as it changes).
    pub record: LegRecord,
    /// The process before crashed: ask the peer whether it is still there first.
    pub probe_first: bool,
}

/// Runs a restored leg until it ends.
pub async fn restored(
    ctx: LegContext,
    addr: LegAddr,
    leg: RestoredLeg,
    mut requests: mpsc::Receiver<IncomingRequest>,
    mut cmds: mpsc::UnboundedReceiver<LegCmd>,
) {
    let _alive = super::Alive::new(&ctx.shared.live_legs);
    let RestoredLeg {
        dialog,
        key,
        mut sdp,
        stream,
        mut record,
        probe_first,
    } = leg;
    let durable = &ctx.shared.durable;
    let mut awaiting_ack: Option<(u32, oneshot::Sender<()>)> = None;
    let mut held = super::is_hold(record.sdp.negotiated().direction);
    if probe_first && !probe(&dialog).await {
        tracing::info!(leg = %addr, "a restored leg's peer is gone");
        ctx.report(&addr, LegEvent::ProbeFailed);
    }
    let cause = loop {
        tokio::select! {
            request = requests.recv() => {
                let Some(mut request) = request else {
                    break EndCause::Dead;
                };
                let method = request.line.method.clone();
                if method == Method::BYE {
                    let tsx = ctx.endpoint.create_server_tsx(&mut request);
                    if let Ok(response) = dialog.create_response(&request, StatusCode::OK, None) {
                        let _ = tsx.respond(response).await;
                    }
                    break EndCause::Hangup;
                } else if method == Method::INVITE {
                    if let Some((negotiated, cseq, acked)) =
                        reinvite(&ctx, &dialog, &mut sdp, request).await
                    {
                        awaiting_ack = Some((cseq, acked));
                        apply(&ctx.media, stream, &negotiated);
                        record.sdp = SdpRecord::of(&sdp, &negotiated);
                        durable.save(&record, ctx.shared.clock.utc_now().unix_millis());
                        let now_held = super::is_hold(negotiated.direction);
                        if now_held != held {
                            held = now_held;
                            ctx.report(&addr, LegEvent::Hold(held));
                        }
                    }
                } else if method == Method::ACK {
                    // The ACK of the re-INVITE we answered ends its retransmissions.
                    if awaiting_ack
                        .as_ref()
                        .is_some_and(|(cseq, _)| *cseq == request.base_headers.cseq.cseq)
                        && let Some((_, acked)) = awaiting_ack.take()
                    {
                        let _ = acked.send(());
                    }
                } else if method == Method::CANCEL {
                    // A CANCEL of a re-INVITE already answered: nothing to cancel.
                } else if [Method::UPDATE, Method::INFO, Method::OPTIONS, Method::REFER]
                    .contains(&method)
                {
                    if let Some(hold) =
                        in_dialog(&ctx, &dialog, &mut sdp, stream, request, &addr).await
                        && hold != held
                    {
                        held = hold;
                        ctx.report(&addr, LegEvent::Hold(held));
                    }
                } else {
                    crate::sip::front::refuse_method(&ctx.endpoint, request).await;
                }
            }
            cmd = cmds.recv() => match cmd {
                Some(LegCmd::Hangup) | Some(LegCmd::CompletedElsewhere) | None => {
                    bye(&dialog).await;
                    durable.forget(&addr.call, addr.leg);
                    durable.unroute(&key);
                    ctx.media.close(stream);
                    return;
                }
                Some(LegCmd::Probe) => {
                    if !probe(&dialog).await {
                        ctx.report(&addr, LegEvent::ProbeFailed);
                    }
                }
                Some(LegCmd::Notify { frag, last, headers }) => {
                    notify_refer(&dialog, &frag, last, &headers).await;
                }
                Some(LegCmd::Persist { music }) => {
                    record.media.music = music;
                    durable.save(&record, ctx.shared.clock.utc_now().unix_millis());
                }
                Some(LegCmd::Unpersist) => durable.forget(&addr.call, addr.leg),
                Some(_) => {}
            },
        }
    };
    durable.forget(&addr.call, addr.leg);
    durable.unroute(&key);
    ctx.report(&addr, LegEvent::Ended { cause });
    ctx.media.close(stream);
}

/// Answers a re-INVITE (a hold, a refresh, a new address): `200` with our answer, or `488`
/// for an offer we cannot take. Returns what was negotiated.
async fn reinvite(
    ctx: &LegContext,
    dialog: &Dialog,
    sdp: &mut SdpSession,
    mut request: IncomingRequest,
) -> Option<(Negotiated, u32, oneshot::Sender<()>)> {
    let cseq = request.base_headers.cseq.cseq;
    let tsx = ctx.endpoint.create_server_inv_tsx(&mut request);
    let offer = body_text(&request.body);
    let answered = match &offer {
        Some(offer) => answer_offer(sdp, offer),
        None => None,
    };
    let Some((answer, negotiated)) = answered else {
        if let Ok(response) =
            dialog.create_response(&request, StatusCode::NOT_ACCEPTABLE_HERE, None)
        {
            let _ = tsx.respond_failure(response).await;
        }
        return None;
    };
    let mut response = dialog
        .create_response(&request, StatusCode::OK, None)
        .ok()?;
    response.msg.headers.insert_named(&content_type_sdp());
    response.msg.body = answer.into();
    let accepted = tsx.respond_success(response).await.ok()?;
    let (acked, ack) = oneshot::channel();
    tokio::spawn(retransmit_until_ack(accepted, ack));
    Some((negotiated, cseq, acked))
}

/// RFC 3261 §13.3.1.4: the `200` to an INVITE is sent again, at T1 doubling up to T2,
/// until its ACK arrives (or 64·T1 passed).
async fn retransmit_until_ack(mut accepted: Accepted, mut ack: oneshot::Receiver<()>) {
    let mut wait = Duration::from_millis(500);
    let mut total = Duration::ZERO;
    while total < Duration::from_secs(32) {
        tokio::select! {
            _ = &mut ack => return,
            () = tokio::time::sleep(wait) => {}
        }
        total += wait;
        if accepted.retransmit().await.is_err() {
            return;
        }
        wait = (wait * 2).min(Duration::from_secs(4));
    }
}

/// How long a BYE waits for its answer.
const BYE_WAIT: Duration = Duration::from_secs(8);

/// Ends the dialog with a BYE.
async fn bye(dialog: &Dialog) {
    let request = dialog.create_request(Method::BYE, None);
    let mut target = dialog.target_tp_info.lock().await;
    let sent = dialog.endpoint.send_request(request, &mut target).await;
    drop(target);
    if let Ok(mut tsx) = sent {
        let _ = tokio::time::timeout(BYE_WAIT, tsx.receive_final()).await;
    }
}
