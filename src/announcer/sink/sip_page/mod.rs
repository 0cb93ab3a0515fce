//! The SIP paging sink: each announcement is a call to a paging URI (a paging gateway or a
//! phone that answers by itself), the clip played into it as RTP, then `BYE`.
//!
//! The station runs its own small SIP endpoint (UDP) and its own [`Media`] — it is a
//! separate process from the engine and needs neither the engine's registrar nor its calls.
//! A call that is refused (`486`, `404`), never answered, or cut short fails the
//! announcement with a [`PageError`] saying so; every wait is bounded, so the PA is never
//! stuck.
//!
//! The [`Sink`] contract is synchronous (the player thread blocks while the PA is busy):
//! [`SipPageSink::play`] drives the call on the runtime the sink was started on, whose worker
//! threads keep the endpoint and the media task running between calls.

mod call;
mod error;

pub use error::PageError;

use super::{Clip, Sink};
use crate::announcer::error::AnnouncerError;
use crate::config::BadPageUri;
use crate::media::{Media, MediaConfig, MediaEvent, prompt_samples};
use bytesstr::BytesStr;
use sip_core::Endpoint;
use sip_types::header::typed::Contact;
use sip_types::uri::{NameAddr, SipUri};
use sip_ua::dialog::DialogLayer;
use sip_ua::invite::InviteLayer;
use std::net::SocketAddr;
use std::ops::RangeInclusive;
use std::time::Duration;
use tokio::sync::mpsc;

/// Where and how the station pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageOptions {
    /// The paging URI called for every announcement (`sip:paging@10.0.0.20:5060`).
    pub uri: String,
    /// The station's own SIP address (UDP); port 0 picks a free one. Also where RTP binds
    /// and what Contact, Via and SDP carry, so it must not be a wildcard.
    pub listen: SocketAddr,
    /// The station's RTP ports (even ones are used).
    pub rtp_ports: RangeInclusive<u16>,
    /// How long the paging URI may take to answer before the call is cancelled.
    pub ring_time: Duration,
}

/// Plays clips by calling a paging URI.
pub struct SipPageSink {
    uri: String,
    target: SipUri,
    addr: SocketAddr,
    endpoint: Endpoint,
    contact: Contact,
    from: NameAddr,
    media: Media,
    events: mpsc::UnboundedReceiver<MediaEvent>,
    ring_time: Duration,
    /// `Call-Info` asking the device to answer at once.
    call_info: String,
    runtime: tokio::runtime::Handle,
}

impl std::fmt::Debug for SipPageSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SipPageSink")
            .field("uri", &self.uri)
            .field("addr", &self.addr)
            .field("ring_time", &self.ring_time)
            .finish_non_exhaustive()
    }
}

/// The paging URI, parsed; its text kept for messages. The parsing is the config check's
/// ([`crate::config::parse_page_uri`]), so a URI the check passes is one the sink can call.
pub fn parse_page_uri(text: &str) -> Result<SipUri, PageError> {
    crate::config::parse_page_uri(text).map_err(|BadPageUri(text)| PageError::BadUri(text))
}

impl SipPageSink {
    /// Binds the SIP endpoint and starts the media task on the current runtime. Fails with
    /// a clear error for a bad URI, a wildcard or unbindable address, an unusable port range.
    pub async fn start(options: PageOptions) -> Result<SipPageSink, PageError> {
        let target = parse_page_uri(&options.uri)?;
        if options.listen.ip().is_unspecified() {
            return Err(PageError::WildcardListen(options.listen));
        }
        let media_config = MediaConfig {
            bind: options.listen.ip(),
            advertise: options.listen.ip(),
            ports: options.rtp_ports.clone(),
            music: None,
            // A paging device sends nothing back; its silence means nothing.
            silence_timeout: Duration::ZERO,
        };
        let (media, events) = Media::start(media_config).await?;
        let mut builder = Endpoint::builder();
        builder.user_agent(BytesStr::from(format!(
            "parkdesk-announcer/{}",
            env!("CARGO_PKG_VERSION")
        )));
        let udp = builder
            .bind_udp(options.listen)
            .await
            .map_err(|source| PageError::Bind {
                addr: options.listen,
                source,
            })?;
        let addr = udp.bound();
        // Dialogs route the BYE a paging device may send; the invite layer its session.
        builder.add_layer(DialogLayer::default());
        builder.add_layer(InviteLayer::default());
        let endpoint = builder.build();
        let own: SipUri = format!("sip:parkdesk-pa@{addr}")
            .parse()
            .map_err(|_| PageError::WildcardListen(addr))?;
        let contact = Contact::new(NameAddr::uri(own.clone()));
        let from = NameAddr::new(BytesStr::from_static("parkdesk PA"), own);
        tracing::info!(%addr, uri = %options.uri, "SIP paging ready");
        Ok(SipPageSink {
            uri: options.uri.trim().to_string(),
            target,
            addr,
            endpoint,
            contact,
            from,
            media,
            events,
            ring_time: options.ring_time,
            call_info: format!("<sip:{addr}>;answer-after=0"),
            runtime: tokio::runtime::Handle::current(),
        })
    }

    /// The bound SIP address (UDP).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The paging URI.
    pub fn uri(&self) -> &str {
        &self.uri
    }
}

impl Sink for SipPageSink {
    fn describe(&self) -> String {
        format!("SIP paging to {} from {}", self.uri, self.addr)
    }

    /// Calls the paging URI and plays the clip into the call. Blocks the calling thread,
    /// which must not be one of the runtime's (the player thread is not).
    fn play(
        &mut self,
        clip: Clip<'_>,
        first_sample: &mut dyn FnMut(),
    ) -> Result<(), AnnouncerError> {
        let samples = prompt_samples(clip.audio);
        let length = clip.audio.duration();
        let runtime = self.runtime.clone();
        let page = call::Page {
            uri: &self.uri,
            target: &self.target,
            endpoint: &self.endpoint,
            contact: &self.contact,
            from: &self.from,
            media: &self.media,
            events: &mut self.events,
            ring_time: self.ring_time,
            call_info: &self.call_info,
        };
        tracing::info!(announcement = %clip.id, uri = %self.uri, "paging");
        runtime
            .block_on(page.run(samples, length, first_sample))
            .map_err(AnnouncerError::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_uri_must_be_a_sip_uri() {
        assert!(parse_page_uri("sip:paging@10.0.0.20:5060").is_ok());
        assert!(parse_page_uri(" sip:paging@pa.example ").is_ok());
        for bad in [
            "",
            "paging@10.0.0.20",
            "http://pa.example",
            "sip:",
            "tel:+15550100",
        ] {
            let err = parse_page_uri(bad).expect_err(bad);
            assert_eq!(
                err.to_string(),
                format!("page URI '{bad}' is not a SIP URI (sip:user@host[:port])")
            );
        }
    }

    #[test]
    fn failures_name_the_uri_and_what_happened_in_whole_seconds() {
        let uri = "sip:paging@10.0.0.20".to_string();
        let unanswered = PageError::Unanswered {
            uri: uri.clone(),
            waited: Duration::from_millis(15_400),
        };
        assert_eq!(
            unanswered.to_string(),
            "paging call to sip:paging@10.0.0.20 not answered within 15 s"
        );
        let hung_up = PageError::HungUp {
            uri,
            after: Duration::from_millis(1250),
        };
        assert_eq!(
            hung_up.to_string(),
            "paging call to sip:paging@10.0.0.20 ended by the far end after 1.2 s, before the \
             announcement finished"
        );
    }

    #[tokio::test]
    async fn a_wildcard_listen_address_is_refused_before_anything_is_bound() {
        let options = PageOptions {
            uri: "sip:paging@127.0.0.1:5999".into(),
            listen: "0.0.0.0:0".parse().expect("addr"),
            rtp_ports: 40_000..=40_009,
            ring_time: Duration::from_secs(1),
        };
        let err = SipPageSink::start(options).await.expect_err("wildcard");
        assert!(matches!(err, PageError::WildcardListen(_)), "{err}");
    }

    #[tokio::test]
    async fn a_started_sink_describes_its_uri_and_bound_address() {
        let options = PageOptions {
            uri: "sip:paging@127.0.0.1:5999".into(),
            listen: "127.0.0.1:0".parse().expect("addr"),
            rtp_ports: 40_300..=40_309,
            ring_time: Duration::from_secs(1),
        };
        let sink = SipPageSink::start(options).await.expect("starts");
        assert_ne!(sink.addr().port(), 0);
        assert_eq!(
            sink.describe(),
            format!(
                "SIP paging to sip:paging@127.0.0.1:5999 from {}",
                sink.addr()
            )
        );
    }
}
