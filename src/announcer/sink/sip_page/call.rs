//! One paging call: INVITE with an SDP offer, wait (bounded) for the answer, ACK, play the
//! clip as RTP, wait for it to end, BYE.

use super::PageError;
use crate::media::sdp::SdpSession;
use crate::media::{Media, MediaEvent, Stream};
use crate::sip::msg::body_text;
use crate::sip::uac::{Invitation, Offer, Progress};
use sip_core::Endpoint;
use sip_core::transaction::TsxResponse;
use sip_types::StatusCode;
use sip_types::header::typed::Contact;
use sip_types::uri::{NameAddr, SipUri};
use sip_ua::invite::session::{InviteSession, InviteSessionEvent};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// Past the clip's own length, how long the media side may take to say it has played.
const PLAY_MARGIN: Duration = Duration::from_secs(5);

/// How long the BYE may take.
const BYE_WAIT: Duration = Duration::from_secs(8);

/// Everything one call needs, borrowed from the sink.
pub(super) struct Page<'a> {
    pub(super) uri: &'a str,
    pub(super) target: &'a SipUri,
    pub(super) endpoint: &'a Endpoint,
    pub(super) contact: &'a Contact,
    pub(super) from: &'a NameAddr,
    pub(super) media: &'a Media,
    pub(super) events: &'a mut mpsc::UnboundedReceiver<MediaEvent>,
    pub(super) ring_time: Duration,
    pub(super) call_info: &'a str,
}

/// How the wait for an answer ended.
enum Answer {
    /// The call is up (boxed: a session is large, a failure small).
    Session(Box<(InviteSession, TsxResponse)>),
    /// It failed; the error says how.
    Failed(PageError),
}

impl Page<'_> {
    /// Pages `samples` (8 kHz, `length` long); `first_sample` is called as they start.
    pub(super) async fn run(
        self,
        samples: Arc<[i16]>,
        length: Duration,
        first_sample: &mut dyn FnMut(),
    ) -> Result<(), PageError> {
        // Events left from an earlier call (a prompt cut short) say nothing about this one.
        while self.events.try_recv().is_ok() {}
        let stream = self.media.open().await?;
        let media = self.media.clone();
        let result = self.call(stream, samples, length, first_sample).await;
        media.close(stream.id);
        result
    }

    async fn call(
        self,
        stream: Stream,
        samples: Arc<[i16]>,
        length: Duration,
        first_sample: &mut dyn FnMut(),
    ) -> Result<(), PageError> {
        let mut sdp = SdpSession::new(stream.local);
        // Auto-answer hints understood by paging gateways and intercom phones.
        let headers = [
            ("Call-Info".to_string(), self.call_info.to_string()),
            ("Answer-Mode".to_string(), "Auto".to_string()),
        ];
        let offer = Offer {
            endpoint: self.endpoint,
            from: self.from,
            contact: self.contact,
            target: self.target,
            headers: &headers,
            // A page lasts seconds: no session refreshes.
            session_timer: false,
        };
        let mut invitation =
            Invitation::send(offer, &mut sdp)
                .await
                .map_err(|e| PageError::NotSent {
                    uri: self.uri.to_string(),
                    detail: e.to_string(),
                })?;

        let mut heard = false;
        let invited = now();
        let answered = tokio::time::timeout(
            self.ring_time,
            self.answer(&mut invitation, &mut heard, invited),
        )
        .await;
        let (mut session, response) = match answered {
            Ok(Answer::Session(up)) => *up,
            Ok(Answer::Failed(error)) => return Err(error),
            Err(_) if heard => {
                invitation.cancel(None).await;
                return Err(PageError::Unanswered {
                    uri: self.uri.to_string(),
                    waited: self.ring_time,
                });
            }
            // Nothing answered at all: a CANCEL is not sent before a provisional (RFC 3261
            // §9.1); dropping the transaction ends it.
            Err(_) => {
                return Err(PageError::NoResponse {
                    uri: self.uri.to_string(),
                    waited: self.ring_time,
                });
            }
        };
        invitation.confirm(&session, &response).await;

        let negotiated = match body_text(&response.body) {
            Some(answer) => sdp
                .accept_answer(&answer)
                .map_err(|e| e.to_string())
                .and_then(|n| {
                    if n.remote.is_some() {
                        Ok(n)
                    } else {
                        Err("it does not receive audio (sendonly or inactive)".to_string())
                    }
                }),
            None => Err("its answer has no SDP".to_string()),
        };
        let negotiated = match negotiated {
            Ok(n) => n,
            Err(detail) => {
                hang_up(&mut session).await;
                return Err(PageError::NoAudio {
                    uri: self.uri.to_string(),
                    detail,
                });
            }
        };
        self.media.configure(
            stream.id,
            negotiated.remote,
            negotiated.codec,
            negotiated.dtmf_pt,
        );
        tracing::info!(uri = %self.uri, codec = ?negotiated.codec, remote = ?negotiated.remote, "paging call answered");
        first_sample();
        self.media.play(stream.id, samples, false);
        let started = now();
        let limit = tokio::time::sleep(length + PLAY_MARGIN);
        tokio::pin!(limit);
        let ended = loop {
            tokio::select! {
                event = self.events.recv() => match event {
                    Some(MediaEvent::Played(id)) if id == stream.id => break Ok(()),
                    Some(_) => {}
                    None => break Err(PageError::Stalled { uri: self.uri.to_string() }),
                },
                event = session.run() => match event {
                    Ok(InviteSessionEvent::Bye(bye)) => {
                        let _ = session.handle_bye(bye).await;
                        return Err(PageError::HungUp {
                            uri: self.uri.to_string(),
                            after: started.elapsed(),
                        });
                    }
                    Ok(InviteSessionEvent::ReInviteReceived(reinvite)) => {
                        // The page goes on as negotiated; a refused re-INVITE leaves the
                        // session as it was (RFC 3261 §14.1).
                        if let Ok(response) = session.dialog.create_response(
                            &reinvite.invite,
                            StatusCode::NOT_ACCEPTABLE_HERE,
                            None,
                        ) {
                            let _ = reinvite.transaction.respond_failure(response).await;
                        }
                    }
                    Ok(InviteSessionEvent::RefreshNeeded | InviteSessionEvent::Notify(_)) => {}
                    Ok(InviteSessionEvent::Terminated) | Err(_) => {
                        return Err(PageError::HungUp {
                            uri: self.uri.to_string(),
                            after: started.elapsed(),
                        });
                    }
                },
                () = &mut limit => break Err(PageError::Stalled { uri: self.uri.to_string() }),
            }
        };
        self.media.silence(stream.id);
        hang_up(&mut session).await;
        tracing::info!(uri = %self.uri, ok = ended.is_ok(), "paging call over");
        ended
    }

    /// Waits for the call to be answered or to fail. `heard` turns true on any response.
    async fn answer(
        &self,
        invitation: &mut Invitation,
        heard: &mut bool,
        invited: tokio::time::Instant,
    ) -> Answer {
        loop {
            let progress = invitation.next().await;
            if !matches!(progress, Progress::Gone) {
                *heard = true;
            }
            match progress {
                Progress::Provisional(_) | Progress::Quiet => {}
                Progress::Answered(up) => return Answer::Session(up),
                Progress::Refused(response) => {
                    return Answer::Failed(PageError::Refused {
                        uri: self.uri.to_string(),
                        status: response.line.code.into_u16(),
                        reason: reason_phrase(&response),
                    });
                }
                // The transaction gave up (timer B, a transport error) before the ring time.
                Progress::Gone => {
                    return Answer::Failed(PageError::NoResponse {
                        uri: self.uri.to_string(),
                        waited: invited.elapsed(),
                    });
                }
            }
        }
    }
}

/// The moment a call is placed or starts playing, for the failure messages. The one place
/// the paging sink reads the clock (it is a driver, like the player thread).
#[allow(clippy::disallowed_methods)]
fn now() -> tokio::time::Instant {
    tokio::time::Instant::now()
}

/// `BYE`, bounded.
async fn hang_up(session: &mut InviteSession) {
    if tokio::time::timeout(BYE_WAIT, session.terminate())
        .await
        .is_err()
    {
        tracing::info!("paging BYE unanswered");
    }
}

/// The response's reason phrase, or the standard one for its code.
fn reason_phrase(response: &TsxResponse) -> String {
    match &response.line.reason {
        Some(reason) if !reason.trim().is_empty() => reason.trim().to_string(),
        _ => response
            .line
            .code
            .text()
            .unwrap_or("(no reason given)")
            .to_string(),
    }
}
