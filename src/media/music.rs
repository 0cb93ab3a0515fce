//! Music on hold: loaded (or synthesised) once, encoded once per codec into 20 ms frames that
//! every music stream reads from, each at its own place in the loop.

use super::codec::{CLOCK_RATE, Codec, FRAME_SAMPLES};
use super::error::MediaError;
use super::tune::default_tune;
use crate::sound::SoundError;
use crate::sound::audio::{Audio, SAMPLE_RATE, resample, to_i16};
use std::path::Path;

/// The longest music file accepted: half an hour (about 14 MB per codec at 8 kHz).
const LONGEST_SECONDS: usize = 30 * 60;

/// The music loop, encoded in both codecs, a whole number of 160-byte frames each.
#[derive(Clone, Debug)]
pub struct Music {
    pcmu: Box<[u8]>,
    pcma: Box<[u8]>,
}

impl Music {
    /// The configured WAV file (any rate, any channel count: mixed down and resampled to
    /// 8 kHz), or the built-in tune when none is configured.
    pub fn load(path: Option<&Path>) -> Result<Music, MediaError> {
        let Some(path) = path else {
            return Ok(Music::from_samples(&default_tune()));
        };
        let bad = |reason: String| MediaError::BadWav {
            path: path.to_path_buf(),
            reason,
        };
        let bytes = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
        let audio = Audio::from_wav_bytes(&bytes, &path.display().to_string()).map_err(|e| {
            bad(match e {
                SoundError::BadAudio { detail, .. } => format!("not a readable WAV: {detail}"),
                other => other.to_string(),
            })
        })?;
        let samples: Vec<i16> = resample(audio.samples(), SAMPLE_RATE, CLOCK_RATE)
            .into_iter()
            .map(to_i16)
            .collect();
        if samples.len() < FRAME_SAMPLES {
            return Err(bad("holds less than 20 ms of audio".into()));
        }
        if samples.len() > LONGEST_SECONDS * CLOCK_RATE as usize {
            return Err(bad(format!(
                "lasts over {} minutes; music on hold is a loop",
                LONGEST_SECONDS / 60
            )));
        }
        if samples.iter().all(|s| *s == 0) {
            tracing::warn!(path = %path.display(), "the music on hold file is silent");
        }
        tracing::info!(path = %path.display(), seconds = samples.len() / CLOCK_RATE as usize, "music on hold loaded");
        Ok(Music::from_samples(&samples))
    }

    /// Music made of these 8 kHz samples, padded with silence to a whole frame.
    pub fn from_samples(samples: &[i16]) -> Music {
        let mut padded = samples.to_vec();
        let short = (FRAME_SAMPLES - padded.len() % FRAME_SAMPLES) % FRAME_SAMPLES;
        padded.extend(std::iter::repeat_n(0, short));
        if padded.is_empty() {
            padded.resize(FRAME_SAMPLES, 0);
        }
        Music {
            pcmu: Codec::Pcmu.encode(&padded).into_boxed_slice(),
            pcma: Codec::Pcma.encode(&padded).into_boxed_slice(),
        }
    }

    /// How many 20 ms frames the loop lasts.
    pub fn frames(&self) -> usize {
        self.pcmu.len() / FRAME_SAMPLES
    }

    /// Frame `index` of the loop (wrapping) in `codec`: 160 bytes.
    pub fn frame(&self, codec: Codec, index: usize) -> &[u8] {
        let bytes = match codec {
            Codec::Pcmu => &self.pcmu,
            Codec::Pcma => &self.pcma,
        };
        let start = (index % self.frames()) * FRAME_SAMPLES;
        &bytes[start..start + FRAME_SAMPLES]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn music_is_whole_frames_in_both_codecs_and_wraps() {
        let music = Music::from_samples(&[1000; 500]);
        assert_eq!(music.frames(), 4, "500 samples pad to four frames");
        assert_eq!(music.frame(Codec::Pcmu, 0), music.frame(Codec::Pcmu, 4));
        assert_eq!(
            music.frame(Codec::Pcma, 3)[19],
            Codec::Pcma.encode_sample(1000)
        );
        assert_eq!(music.frame(Codec::Pcma, 3)[20], Codec::Pcma.silence());
    }

    #[test]
    fn no_music_file_means_the_built_in_tune() {
        let music = Music::load(None).unwrap();
        assert_eq!(music.frames(), 500);
    }
}
