//! An outgoing fork's leg task: rings a phone through the shared UAC until it answers
//! (then the dialog), fails, or is cancelled.

use super::dialog::established;
use super::{Alive, LegCmd, LegContext, LegEvent, apply, body_text};
use crate::media::StreamId;
use crate::media::sdp::SdpSession;
use crate::sip::core::LegAddr;
use crate::sip::uac::{Invitation, Offer, Progress};
use sip_types::uri::{NameAddr, SipUri};
use tokio::sync::mpsc;

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
    let offer = Offer {
        endpoint: &ctx.endpoint,
        from: &fork.from,
        contact: &ctx.contact,
        target: &fork.target,
        headers: &fork.headers,
        session_timer: true,
    };
    let mut invitation = match Invitation::send(offer, &mut sdp).await {
        Ok(invitation) => invitation,
        Err(e) => {
            tracing::info!(leg = %addr, error = ?e, "INVITE not sent");
            ctx.report(&addr, LegEvent::Failed { status: 0 });
            ctx.media.close(stream);
            return;
        }
    };
    let mut rang = false;
    let (session, response) = loop {
        let step = tokio::select! {
            progress = invitation.next() => Ok(progress),
            cmd = cmds.recv() => Err(cmd),
        };
        match step {
            Ok(Progress::Provisional(code)) => {
                if (180..=183).contains(&code) && !rang {
                    rang = true;
                    ctx.report(&addr, LegEvent::Ringing);
                }
            }
            Ok(Progress::Answered(answer)) => break *answer,
            Ok(Progress::Refused(response)) => {
                ctx.report(
                    &addr,
                    LegEvent::Failed {
                        status: response.line.code.into_u16(),
                    },
                );
                ctx.media.close(stream);
                return;
            }
            Ok(Progress::Gone) => {
                ctx.report(&addr, LegEvent::Failed { status: 0 });
                ctx.media.close(stream);
                return;
            }
            Ok(Progress::Quiet) => {}
            Err(Some(LegCmd::Hangup)) | Err(None) => {
                invitation.cancel(None).await;
                ctx.media.close(stream);
                return;
            }
            Err(Some(LegCmd::CompletedElsewhere)) => {
                let reason = "SIP;cause=200;text=\"Call completed elsewhere\"";
                invitation.cancel(Some(reason)).await;
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
    invitation.confirm(&session, &response).await;
    ctx.report(&addr, LegEvent::Answered);
    established(ctx, addr, session, sdp, stream, None, cmds).await;
}
