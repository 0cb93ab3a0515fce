//! Mono audio at one fixed rate: the unit the announcer composes and plays and the switch's
//! prompts and music on hold are made from.
//!
//! Samples are `f32` in `-1.0..=1.0`. Every clip is held at [`SAMPLE_RATE`]; audio from
//! elsewhere (espeak-ng speaks at 22 050 Hz, a user's sound pack may be 44.1 kHz stereo) is
//! mixed down and resampled once, when it is read.

use super::error::SoundError;
use std::io::Cursor;
use std::time::Duration;

/// The rate of every clip, in samples per second (the sound pack's rate: speech needs no
/// more, and a PA amplifier gives no more).
pub const SAMPLE_RATE: u32 = 16_000;

/// The peak every spoken clip is normalised to: -3 dBFS.
pub const SPEECH_PEAK: f32 = 0.707;

/// A stretch of mono audio at [`SAMPLE_RATE`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Audio {
    samples: Vec<f32>,
}

impl Audio {
    /// Audio made of these samples.
    pub fn from_samples(samples: Vec<f32>) -> Audio {
        Audio { samples }
    }

    /// Silence lasting `duration`.
    pub fn silence(duration: Duration) -> Audio {
        Audio {
            samples: vec![0.0; samples_in(duration)],
        }
    }

    /// The samples.
    pub fn samples(&self) -> &[f32] {
        &self.samples
    }

    /// How many samples.
    pub fn len(&self) -> usize {
        self.samples.len()
    }

    /// Whether there is no sample at all.
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// How long it plays.
    pub fn duration(&self) -> Duration {
        duration_of(self.samples.len())
    }

    /// Appends `other` after this.
    pub fn append(&mut self, other: &Audio) {
        self.samples.extend_from_slice(&other.samples);
    }

    /// The largest absolute sample (0 for silence).
    pub fn peak(&self) -> f32 {
        self.samples.iter().fold(0.0_f32, |m, s| m.max(s.abs()))
    }

    /// Root mean square level (0 for silence or nothing).
    pub fn rms(&self) -> f32 {
        if self.samples.is_empty() {
            return 0.0;
        }
        let sum: f64 = self.samples.iter().map(|s| f64::from(*s).powi(2)).sum();
        (sum / self.samples.len() as f64).sqrt() as f32
    }

    /// Scales every sample so the peak becomes `peak` (silence stays silent).
    pub fn normalise(&mut self, peak: f32) {
        let current = self.peak();
        if current > f32::EPSILON {
            self.scale(peak / current);
        }
    }

    /// Multiplies every sample by `factor`, clamping to `-1.0..=1.0`.
    pub fn scale(&mut self, factor: f32) {
        for s in &mut self.samples {
            *s = (*s * factor).clamp(-1.0, 1.0);
        }
    }

    /// Cuts leading and trailing samples quieter than `threshold` (speech engines pad their
    /// output; the composer places its own pauses).
    pub fn trim(&mut self, threshold: f32) {
        let loud = |s: &f32| s.abs() > threshold;
        let Some(first) = self.samples.iter().position(loud) else {
            self.samples.clear();
            return;
        };
        let last = self.samples.iter().rposition(loud).unwrap_or(first);
        self.samples.truncate(last + 1);
        self.samples.drain(..first);
    }

    /// Reads a WAV file's bytes: any channel count (mixed down), 8/16/24/32-bit integer or
    /// 32-bit float, any rate (resampled to [`SAMPLE_RATE`]).
    pub fn from_wav_bytes(bytes: &[u8], name: &str) -> Result<Audio, SoundError> {
        let bad = |detail: String| SoundError::BadAudio {
            name: name.to_string(),
            detail,
        };
        let mut reader =
            hound::WavReader::new(Cursor::new(bytes)).map_err(|e| bad(e.to_string()))?;
        let spec = reader.spec();
        if spec.channels == 0 || spec.sample_rate == 0 {
            return Err(bad("no channels or a zero sample rate".into()));
        }
        let interleaved: Vec<f32> = match spec.sample_format {
            hound::SampleFormat::Float => reader
                .samples::<f32>()
                .collect::<Result<_, _>>()
                .map_err(|e| bad(e.to_string()))?,
            hound::SampleFormat::Int => {
                let bits = u32::from(spec.bits_per_sample);
                if !(1..=32).contains(&bits) {
                    return Err(bad(format!("{bits}-bit samples")));
                }
                let full = (1_i64 << (bits - 1)) as f32;
                reader
                    .samples::<i32>()
                    .map(|s| s.map(|v| v as f32 / full))
                    .collect::<Result<_, _>>()
                    .map_err(|e| bad(e.to_string()))?
            }
        };
        let channels = usize::from(spec.channels);
        let mono: Vec<f32> = interleaved
            .chunks(channels)
            .map(|frame| frame.iter().sum::<f32>() / channels as f32)
            .collect();
        Ok(Audio {
            samples: resample(&mono, spec.sample_rate, SAMPLE_RATE),
        })
    }

    /// The audio as a WAV file: mono, [`SAMPLE_RATE`], 16-bit.
    pub fn to_wav_bytes(&self) -> Result<Vec<u8>, SoundError> {
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: SAMPLE_RATE,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut out = Cursor::new(Vec::with_capacity(44 + self.samples.len() * 2));
        let wav = |e: hound::Error| SoundError::WavWrite(e.to_string());
        let mut writer = hound::WavWriter::new(&mut out, spec).map_err(wav)?;
        for s in &self.samples {
            writer.write_sample(to_i16(*s)).map_err(wav)?;
        }
        writer.finalize().map_err(wav)?;
        Ok(out.into_inner())
    }
}

/// A sample as 16-bit PCM.
pub fn to_i16(sample: f32) -> i16 {
    (sample.clamp(-1.0, 1.0) * f32::from(i16::MAX)).round() as i16
}

/// How many samples last `duration` at [`SAMPLE_RATE`].
pub fn samples_in(duration: Duration) -> usize {
    (duration.as_secs_f64() * f64::from(SAMPLE_RATE)).round() as usize
}

/// How long `samples` samples last at [`SAMPLE_RATE`].
pub fn duration_of(samples: usize) -> Duration {
    Duration::from_secs_f64(samples as f64 / f64::from(SAMPLE_RATE))
}

/// Linear-interpolation resampling from `from` Hz to `to` Hz. Going down, a short moving
/// average first takes off most of what would alias; for speech on a PA that is enough.
pub fn resample(input: &[f32], from: u32, to: u32) -> Vec<f32> {
    if from == to || input.is_empty() || from == 0 || to == 0 {
        return input.to_vec();
    }
    let filtered: Vec<f32> = if from > to {
        let width = (from as usize).div_ceil(to as usize).max(1);
        moving_average(input, width)
    } else {
        input.to_vec()
    };
    let ratio = f64::from(from) / f64::from(to);
    let out_len = ((input.len() as f64) / ratio).floor() as usize;
    (0..out_len)
        .map(|i| {
            let pos = i as f64 * ratio;
            let idx = pos.floor() as usize;
            let frac = (pos - idx as f64) as f32;
            let a = filtered.get(idx).copied().unwrap_or(0.0);
            let b = filtered.get(idx + 1).copied().unwrap_or(a);
            a + (b - a) * frac
        })
        .collect()
}

fn moving_average(input: &[f32], width: usize) -> Vec<f32> {
    if width <= 1 {
        return input.to_vec();
    }
    let half = width / 2;
    let mut out = Vec::with_capacity(input.len());
    for i in 0..input.len() {
        let lo = i.saturating_sub(half);
        let hi = (i + width - half).min(input.len());
        let window = &input[lo..hi];
        out.push(window.iter().sum::<f32>() / window.len() as f32);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silence_lasts_what_was_asked_and_is_silent() {
        let a = Audio::silence(Duration::from_millis(250));
        assert_eq!(a.len(), 4_000);
        assert_eq!(a.peak(), 0.0);
        assert_eq!(a.duration(), Duration::from_millis(250));
    }

    #[test]
    fn a_wav_round_trip_keeps_length_and_level() {
        let tone: Vec<f32> = (0..1600).map(|i| 0.5 * (i as f32 * 0.1).sin()).collect();
        let a = Audio::from_samples(tone);
        let back = Audio::from_wav_bytes(&a.to_wav_bytes().unwrap(), "tone").unwrap();
        assert_eq!(back.len(), a.len());
        assert!((back.peak() - a.peak()).abs() < 0.001);
    }

    #[test]
    fn stereo_at_another_rate_is_mixed_down_and_resampled() {
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 32_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut out = Cursor::new(Vec::new());
        let mut w = hound::WavWriter::new(&mut out, spec).unwrap();
        for _ in 0..3200 {
            w.write_sample(16_000_i16).unwrap();
            w.write_sample(0_i16).unwrap();
        }
        w.finalize().unwrap();
        let a = Audio::from_wav_bytes(&out.into_inner(), "stereo").unwrap();
        assert_eq!(a.len(), 1600, "0.1 s at 16 kHz");
        assert!((a.peak() - 0.244).abs() < 0.01, "{}", a.peak());
    }

    #[test]
    fn bytes_that_are_not_a_wav_file_are_a_named_error() {
        let err = Audio::from_wav_bytes(b"not a wav", "seven").unwrap_err();
        assert!(err.to_string().contains("seven"), "{err}");
    }

    #[test]
    fn trimming_cuts_quiet_ends_only() {
        let mut a = Audio::from_samples(vec![0.0, 0.001, 0.5, 0.0, -0.4, 0.0, 0.0]);
        a.trim(0.01);
        assert_eq!(a.samples(), &[0.5, 0.0, -0.4]);
        let mut quiet = Audio::from_samples(vec![0.0; 10]);
        quiet.trim(0.01);
        assert!(quiet.is_empty());
    }

    #[test]
    fn normalising_sets_the_peak_and_leaves_silence_alone() {
        let mut a = Audio::from_samples(vec![0.1, -0.2, 0.05]);
        a.normalise(SPEECH_PEAK);
        assert!((a.peak() - SPEECH_PEAK).abs() < 1e-6);
        let mut s = Audio::silence(Duration::from_millis(10));
        s.normalise(SPEECH_PEAK);
        assert_eq!(s.peak(), 0.0);
    }
}
