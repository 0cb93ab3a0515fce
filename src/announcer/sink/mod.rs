//! Where a composed announcement goes: one trait, four sinks — the local audio device
//! (rodio), a WAV file, nothing at all, a SIP paging call.
//!
//! A sink plays one clip at a time and returns when the PA is free again; the station never
//! hands it a second clip before the first returned, so announcements never overlap.

mod device;
mod null;
pub mod sip_page;
mod wav;

pub use device::{DeviceInfo, DeviceSink, list_devices};
pub use null::NullSink;
pub use sip_page::{PageError, PageOptions, SipPageSink};
pub use wav::{WavSink, WavTarget};

use super::error::AnnouncerError;
use crate::sound::Audio;
use std::time::Duration;

/// One announcement's clip, with its id (a WAV sink names its file after it).
#[derive(Debug, Clone, Copy)]
pub struct Clip<'a> {
    /// The announcement's id (`a-3`), or a name for a preview.
    pub id: &'a str,
    /// The audio.
    pub audio: &'a Audio,
}

/// Plays clips.
pub trait Sink {
    /// A short description for logs and status lines (`wav files in /tmp/pa`).
    fn describe(&self) -> String;

    /// Plays `clip` to the end and returns when the PA is free. Calls `first_sample` once,
    /// at the moment the first sample is handed over (the latency figure is measured to it).
    fn play(
        &mut self,
        clip: Clip<'_>,
        first_sample: &mut dyn FnMut(),
    ) -> Result<(), AnnouncerError>;
}

/// How long a sink that writes at once keeps the PA busy: `pace` times the clip's length
/// (1 = as long as a loudspeaker would take, 0 = not at all).
pub fn paced(audio: &Audio, pace: f32) -> Duration {
    if !(pace.is_finite() && pace > 0.0) {
        return Duration::ZERO;
    }
    audio.duration().mul_f32(pace)
}

/// Blocks the calling (player) thread for `duration`: a sink stands in for a loudspeaker
/// that is busy while it plays.
#[allow(clippy::disallowed_methods)]
pub(crate) fn hold(duration: Duration) {
    if !duration.is_zero() {
        std::thread::sleep(duration);
    }
}
