//! What media needs from the configuration.

use std::net::{IpAddr, Ipv4Addr};
use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::time::Duration;

/// Media settings: where RTP sockets live, what SDP advertises, the music, the dead-leg time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaConfig {
    /// RTP sockets bind here (e.g. `127.0.0.1` or `0.0.0.0`).
    pub bind: IpAddr,
    /// The address written into SDP (never `127.0.0.1` to a remote peer: the SIP side picks).
    pub advertise: IpAddr,
    /// RTP ports; only the even ones are used (RTCP is not).
    pub ports: RangeInclusive<u16>,
    /// A WAV file to play on hold; `None` plays the built-in tune.
    pub music: Option<PathBuf>,
    /// No RTP received this long on a leg with a remote → [`MediaEvent::Silent`]. Zero turns
    /// the check off.
    ///
    /// [`MediaEvent::Silent`]: super::MediaEvent::Silent
    pub silence_timeout: Duration,
}

impl MediaConfig {
    /// Loopback media on `ports` with the built-in music and a 30 s silence timeout: for tests
    /// and the single-machine demo.
    pub fn loopback(ports: RangeInclusive<u16>) -> MediaConfig {
        MediaConfig {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            advertise: IpAddr::V4(Ipv4Addr::LOCALHOST),
            ports,
            music: None,
            silence_timeout: Duration::from_secs(30),
        }
    }
}
