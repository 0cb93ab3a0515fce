//! An incoming call's leg task until the call is answered (then the dialog) or turned away.

use super::dialog::established;
use super::{
    Alive, LegCmd, LegContext, LegEvent, answer_offer, apply, body_text, content_type_sdp,
};
use crate::engine::switch::EndCause;
use crate::media::StreamId;
use crate::media::sdp::{Direction, SdpSession};
use crate::sip::core::LegAddr;
use crate::sip::durable::DurableSeed;
use sip_types::StatusCode;
use sip_ua::invite::acceptor::InviteAcceptor;
use tokio::sync::mpsc;

/// An incoming call: answered, rung or turned away on the core's word; then the session.
/// `seed` is what its durable record starts from, should it be parked.
#[allow(clippy::too_many_arguments)]
pub async fn incoming(
    ctx: LegContext,
    addr: LegAddr,
    mut acceptor: InviteAcceptor,
    offer: Option<String>,
    mut sdp: SdpSession,
    stream: StreamId,
    seed: DurableSeed,
    mut cmds: mpsc::UnboundedReceiver<LegCmd>,
) {
    let _alive = Alive::new(&ctx.shared.live_legs);
    let (session, negotiated, durable_music) = loop {
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
            Some(LegCmd::Answer {
                durable,
                music,
                asserted,
                headers,
            }) => {
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
                if durable && ctx.shared.durable.enabled() {
                    // Durable before acknowledged: the caller hears the `200 OK` only once
                    // its dialog and stream are in the store.
                    let record =
                        seed.record(&addr.call, addr.leg, None, &sdp, negotiated.as_ref(), music);
                    let now_ms = ctx.shared.clock.utc_now().unix_millis();
                    ctx.shared.durable.save(&record, now_ms);
                    ctx.shared.durable.flush().await;
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
                        break (
                            session,
                            negotiated,
                            (durable && ctx.shared.durable.enabled()).then_some(music),
                        );
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
            Some(LegCmd::Probe)
            | Some(LegCmd::Notify { .. })
            | Some(LegCmd::Persist { .. })
            | Some(LegCmd::Unpersist) => {}
        }
    };
    established(
        ctx,
        addr,
        session,
        sdp,
        stream,
        Some((seed, negotiated, durable_music)),
        cmds,
    )
    .await;
}

async fn reject(acceptor: InviteAcceptor, code: u16) {
    let code = StatusCode::from(code);
    if let Ok(response) = acceptor.create_response(code, None).await {
        let _ = acceptor.respond_failure(response).await;
    }
}
