//! The local audio device, through rodio (the `playback` feature; ALSA on Linux).
//!
//! The device is opened when the first clip comes and kept open; when opening fails (no
//! sound card, as on servers and CI) the clip fails with "no audio output device: …" and
//! the next clip tries again, so a device plugged in later is used. A stream error drops the
//! open device for the same reason.

use super::{Clip, Sink};
use crate::announcer::error::AnnouncerError;

/// An output device as the system names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    /// Its name (what `--device` takes).
    pub name: String,
    /// The host's id for it (`alsa:hw:0,0`), also accepted by `--device`.
    pub id: String,
    /// Whether it is the system's default output.
    pub default: bool,
}

/// Plays clips on a local audio output.
pub struct DeviceSink {
    /// `None`: the system's default output.
    device: Option<String>,
    /// 0.0–1.0.
    volume: f32,
    #[cfg(feature = "playback")]
    open: Option<playback::Open>,
}

impl std::fmt::Debug for DeviceSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceSink")
            .field("device", &self.device)
            .field("volume", &self.volume)
            .finish()
    }
}

impl DeviceSink {
    /// A sink on `device` (a name or id from [`list_devices`]; `None` for the default) at
    /// `volume` (0.0–1.0). Nothing is opened yet.
    pub fn new(device: Option<String>, volume: f32) -> DeviceSink {
        DeviceSink {
            device,
            volume: if volume.is_finite() {
                volume.clamp(0.0, 1.0)
            } else {
                1.0
            },
            #[cfg(feature = "playback")]
            open: None,
        }
    }
}

impl Sink for DeviceSink {
    fn describe(&self) -> String {
        let device = self.device.as_deref().unwrap_or("the default output");
        format!(
            "audio device {device} at volume {:.0}%",
            self.volume * 100.0
        )
    }

    #[cfg(feature = "playback")]
    fn play(
        &mut self,
        clip: Clip<'_>,
        first_sample: &mut dyn FnMut(),
    ) -> Result<(), AnnouncerError> {
        let open = match self.open.take() {
            Some(open) if !open.failed() => open,
            _ => playback::Open::device(self.device.as_deref())?,
        };
        let result = open.play(clip, self.volume, first_sample);
        if result.is_ok() {
            self.open = Some(open);
        }
        result
    }

    #[cfg(not(feature = "playback"))]
    fn play(
        &mut self,
        _clip: Clip<'_>,
        _first_sample: &mut dyn FnMut(),
    ) -> Result<(), AnnouncerError> {
        Err(AnnouncerError::PlaybackNotBuilt)
    }
}

/// The system's audio outputs.
#[cfg(feature = "playback")]
pub fn list_devices() -> Result<Vec<DeviceInfo>, AnnouncerError> {
    playback::list()
}

/// The system's audio outputs: none without the `playback` feature.
#[cfg(not(feature = "playback"))]
pub fn list_devices() -> Result<Vec<DeviceInfo>, AnnouncerError> {
    Err(AnnouncerError::PlaybackNotBuilt)
}

#[cfg(feature = "playback")]
mod playback {
    use super::{Clip, DeviceInfo};
    use crate::announcer::error::AnnouncerError;
    use crate::announcer::sink::hold;
    use crate::sound::SAMPLE_RATE;
    use rodio::cpal::traits::{DeviceTrait, HostTrait};
    use std::num::NonZero;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    /// An open output and whether its stream reported an error.
    pub(super) struct Open {
        sink: rodio::MixerDeviceSink,
        failed: Arc<AtomicBool>,
    }

    fn no_device(detail: impl std::fmt::Display) -> AnnouncerError {
        AnnouncerError::NoDevice(detail.to_string())
    }

    /// The error with its causes, one line (`Error opening the stream: ALSA function … failed`).
    fn chain(e: &dyn std::error::Error) -> String {
        let mut text = e.to_string();
        let mut source = e.source();
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        text
    }

    fn find(name: Option<&str>) -> Result<rodio::cpal::Device, AnnouncerError> {
        let host = rodio::cpal::default_host();
        let Some(name) = name else {
            return host
                .default_output_device()
                .ok_or_else(|| no_device("the system has no default output"));
        };
        let devices = host.output_devices().map_err(|e| no_device(chain(&e)))?;
        for device in devices {
            let id = device.id().map(|i| i.to_string()).unwrap_or_default();
            if device.to_string() == name || id == name {
                return Ok(device);
            }
        }
        Err(no_device(format!(
            "no output named '{name}' (see --list-devices)"
        )))
    }

    impl Open {
        pub(super) fn device(name: Option<&str>) -> Result<Open, AnnouncerError> {
            let device = find(name)?;
            let failed = Arc::new(AtomicBool::new(false));
            let flag = Arc::clone(&failed);
            let mut sink = rodio::DeviceSinkBuilder::from_device(device)
                .map_err(|e| no_device(chain(&e)))?
                .with_error_callback(move |e: rodio::cpal::Error| {
                    tracing::warn!(error = %e, "audio output stream error");
                    flag.store(true, Ordering::Relaxed);
                })
                .open_sink_or_fallback()
                .map_err(|e| no_device(chain(&e)))?;
            // rodio would print a line to stderr when the output is closed.
            sink.log_on_drop(false);
            Ok(Open { sink, failed })
        }

        pub(super) fn failed(&self) -> bool {
            self.failed.load(Ordering::Relaxed)
        }

        /// Plays to the end; a stalled or failed stream is an error after the clip's length
        /// plus a margin, never a hang.
        pub(super) fn play(
            &self,
            clip: Clip<'_>,
            volume: f32,
            first_sample: &mut dyn FnMut(),
        ) -> Result<(), AnnouncerError> {
            let player = rodio::Player::connect_new(self.sink.mixer());
            player.set_volume(volume);
            let rate = NonZero::new(SAMPLE_RATE).ok_or_else(|| no_device("zero sample rate"))?;
            let mono = NonZero::new(1).ok_or_else(|| no_device("zero channels"))?;
            let buffer = rodio::buffer::SamplesBuffer::new(mono, rate, clip.audio.samples());
            first_sample();
            player.append(buffer);
            let step = Duration::from_millis(20);
            let limit = clip.audio.duration() + Duration::from_secs(3);
            let mut waited = Duration::ZERO;
            while !player.empty() {
                if self.failed() {
                    return Err(no_device("the output stream failed while playing"));
                }
                if waited > limit {
                    return Err(no_device("the output stopped taking samples"));
                }
                hold(step);
                waited += step;
            }
            Ok(())
        }
    }

    pub(super) fn list() -> Result<Vec<DeviceInfo>, AnnouncerError> {
        let host = rodio::cpal::default_host();
        let default = host.default_output_device().map(|d| d.to_string());
        let devices = host.output_devices().map_err(|e| no_device(chain(&e)))?;
        Ok(devices
            .map(|d| {
                let name = d.to_string();
                DeviceInfo {
                    id: d.id().map(|i| i.to_string()).unwrap_or_default(),
                    default: default.as_deref() == Some(name.as_str()),
                    name,
                }
            })
            .collect())
    }
}
