//! The outgoing INVITE (UAC) every call this side places goes through: the outgoing legs
//! that ring phones and the announcer's paging calls. Send the offer, follow the responses
//! (early dialogs included: a `180` with a tag brings its `200 OK` through its own
//! dialog), acknowledge the answer and keep answering its retransmissions, or cancel.

use crate::media::sdp::{Direction, SdpSession};
use bytesstr::BytesStr;
use sip_core::transaction::TsxResponse;
use sip_core::transport::{OutgoingParts, OutgoingRequest};
use sip_core::{Endpoint, Request};
use sip_types::header::typed::{CSeq, Contact, ContentType};
use sip_types::uri::{NameAddr, SipUri};
use sip_types::{Method, Name};
use sip_ua::invite::create_ack;
use sip_ua::invite::initiator::{
    Early, EarlyResponse, InviteInitiator, Response as InitiatorResponse,
};
use sip_ua::invite::session::InviteSession;
use std::time::Duration;

/// What an outgoing INVITE carries.
pub struct Offer<'a> {
    /// The SIP endpoint.
    pub endpoint: &'a Endpoint,
    /// Who the call appears to come from (display and URI).
    pub from: &'a NameAddr,
    /// Our Contact.
    pub contact: &'a Contact,
    /// The phone or gateway to call.
    pub target: &'a SipUri,
    /// Extra headers (`P-Asserted-Identity`, `Alert-Info`, `Answer-Mode`).
    pub headers: &'a [(String, String)],
    /// Offer session timers (a page lasts seconds and does without).
    pub session_timer: bool,
}

/// One step of an outgoing INVITE.
pub enum Progress {
    /// A provisional response (directly or through an early dialog), by status.
    Provisional(u16),
    /// The call is up (boxed: a session is large).
    Answered(Box<(InviteSession, TsxResponse)>),
    /// A final failure response (boxed: a response is large).
    Refused(Box<TsxResponse>),
    /// The transaction gave up (timer B, a transport error) without a final response.
    Gone,
    /// A response that changes nothing (an early dialog ended).
    Quiet,
}

/// An INVITE on its way: its transaction and the early dialogs it opened.
pub struct Invitation {
    endpoint: Endpoint,
    initiator: InviteInitiator,
    earlies: Vec<Early>,
}

impl Invitation {
    /// Sends an INVITE with `sdp`'s offer.
    pub async fn send(
        offer: Offer<'_>,
        sdp: &mut SdpSession,
    ) -> Result<Invitation, sip_core::Error> {
        let mut initiator = InviteInitiator::new(
            offer.endpoint.clone(),
            offer.from.clone(),
            offer.contact.clone(),
            offer.target.clone(),
        );
        initiator.support_100rel = false;
        if !offer.session_timer {
            initiator.support_timer = false;
        }
        let mut invite = initiator.create_invite();
        invite
            .headers
            .insert_named(&ContentType(BytesStr::from_static("application/sdp")));
        for (name, value) in offer.headers {
            invite.headers.insert(name.clone(), value.clone());
        }
        invite.body = sdp.offer(Direction::SendRecv).into();
        initiator.send_invite(invite).await?;
        Ok(Invitation {
            endpoint: offer.endpoint.clone(),
            initiator,
            earlies: Vec::new(),
        })
    }

    /// The next response (cancel-safe: nothing is lost when the wait is dropped).
    pub async fn next(&mut self) -> Progress {
        match self.initiator.receive().await {
            Ok(InitiatorResponse::Provisional(response)) => {
                Progress::Provisional(response.line.code.into_u16())
            }
            Ok(InitiatorResponse::Early(early, response, _)) => {
                // A provisional response with a tag opens an early dialog: its 200 OK
                // arrives through it.
                self.earlies.push(early);
                Progress::Provisional(response.line.code.into_u16())
            }
            Ok(InitiatorResponse::EarlyEvent) => match poll_earlies(&mut self.earlies).await {
                Some((i, Ok(EarlyResponse::Success(session, response)))) => {
                    self.earlies.remove(i);
                    Progress::Answered(Box::new((session, response)))
                }
                Some((_, Ok(EarlyResponse::Provisional(response, _)))) => {
                    Progress::Provisional(response.line.code.into_u16())
                }
                Some((i, Ok(EarlyResponse::Terminated) | Err(_))) => {
                    self.earlies.remove(i);
                    Progress::Quiet
                }
                None => Progress::Quiet,
            },
            Ok(InitiatorResponse::Session(session, response)) => {
                Progress::Answered(Box::new((session, response)))
            }
            Ok(InitiatorResponse::Failure(response)) => Progress::Refused(Box::new(response)),
            Ok(InitiatorResponse::Finished) | Err(_) => Progress::Gone,
        }
    }

    /// The call is up: ACK the answer, end the other early dialogs, and keep answering
    /// retransmitted 200s (with the ACK) and hanging up any fork that answers late.
    pub async fn confirm(self, session: &InviteSession, response: &TsxResponse) {
        let Invitation {
            mut initiator,
            earlies,
            ..
        } = self;
        match create_ack(&session.dialog, response.base_headers.cseq.cseq).await {
            Ok(mut ack) => {
                if let Err(e) = session.endpoint.send_outgoing_request(&mut ack).await {
                    tracing::info!(error = %e, "ACK not sent");
                }
                initiator.set_acknowledge(session, ack);
            }
            Err(e) => tracing::info!(error = ?e, "no ACK for the answer"),
        }
        for early in earlies {
            tokio::spawn(early.cancel());
        }
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
    }

    /// Cancels the ringing INVITE (RFC 3261 §9.1): a CANCEL with the INVITE's own Via
    /// branch, From, To, Call-ID and CSeq number, sent again until the INVITE ends (`487`)
    /// or 4 s pass; a 200 OK that crossed it is acknowledged and hung up at once. `reason`
    /// goes in a `Reason` header.
    pub async fn cancel(mut self, reason: Option<&str>) {
        let Some(invite) = self
            .initiator
            .transaction()
            .map(|tsx| tsx.request().clone())
        else {
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
        let endpoint = &self.endpoint;
        for wait in [500u64, 1000, 2500] {
            if let Err(e) = endpoint.send_outgoing_request(&mut outgoing).await {
                tracing::debug!(error = %e, "CANCEL not sent");
            }
            let timer = tokio::time::sleep(Duration::from_millis(wait));
            tokio::pin!(timer);
            loop {
                let response = tokio::select! {
                    () = &mut timer => None,
                    response = self.initiator.receive() => Some(response),
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
                            poll_earlies(&mut self.earlies).await
                        {
                            self.earlies.remove(i);
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
}

/// An answer nobody wants any more (it crossed a CANCEL): ACK it, then BYE.
async fn ack_and_hang_up(endpoint: &Endpoint, mut session: InviteSession, response: &TsxResponse) {
    if let Ok(mut ack) = create_ack(&session.dialog, response.base_headers.cseq.cseq).await {
        let _ = endpoint.send_outgoing_request(&mut ack).await;
    }
    let _ = tokio::time::timeout(Duration::from_secs(8), session.terminate()).await;
}

/// The first early dialog with a response ready, if any (without waiting).
async fn poll_earlies(
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
