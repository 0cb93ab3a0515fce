//! Prompts: one-off audio played to one stream (the park code to the parker, a goodbye).

use super::codec::{CLOCK_RATE, Codec, FRAME_SAMPLES};
use crate::sound::audio::{Audio, SAMPLE_RATE, resample, to_i16};
use std::sync::Arc;

/// A sound's audio (16 kHz float) as the 8 kHz samples [`Media::play`] takes.
///
/// [`Media::play`]: super::Media::play
pub fn prompt_samples(audio: &Audio) -> Arc<[i16]> {
    resample(audio.samples(), SAMPLE_RATE, CLOCK_RATE)
        .into_iter()
        .map(to_i16)
        .collect()
}

/// A prompt being played: the audio and how far it has got.
#[derive(Clone, Debug)]
pub struct Prompt {
    audio: Arc<[i16]>,
    position: usize,
}

impl Prompt {
    /// A prompt from its start.
    pub fn new(audio: Arc<[i16]>) -> Prompt {
        Prompt { audio, position: 0 }
    }

    /// Encodes the next 20 ms into `out` (silence past the end), or `false` when the prompt
    /// has ended.
    pub fn next_frame(&mut self, codec: Codec, out: &mut [u8; FRAME_SAMPLES]) -> bool {
        if self.finished() {
            return false;
        }
        let rest = &self.audio[self.position..];
        let take = rest.len().min(FRAME_SAMPLES);
        for (byte, sample) in out.iter_mut().zip(&rest[..take]) {
            *byte = codec.encode_sample(*sample);
        }
        out[take..].fill(codec.silence());
        self.position += take;
        true
    }

    /// Lets 20 ms pass unsent (the tick fell behind).
    pub fn skip_frame(&mut self) {
        self.position = (self.position + FRAME_SAMPLES).min(self.audio.len());
    }

    /// Whether every sample has been played.
    pub fn finished(&self) -> bool {
        self.position >= self.audio.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prompt_plays_in_frames_padding_the_last_with_silence() {
        let mut p = Prompt::new(vec![2000_i16; 200].into());
        let mut out = [0u8; FRAME_SAMPLES];
        assert!(p.next_frame(Codec::Pcmu, &mut out));
        assert!(out.iter().all(|b| *b == Codec::Pcmu.encode_sample(2000)));
        assert!(p.next_frame(Codec::Pcmu, &mut out));
        assert_eq!(out[39], Codec::Pcmu.encode_sample(2000));
        assert_eq!(out[40], Codec::Pcmu.silence());
        assert!(p.finished());
        assert!(!p.next_frame(Codec::Pcmu, &mut out));
    }

    #[test]
    fn announcer_audio_becomes_half_as_many_8_khz_samples() {
        let audio = Audio::from_samples(vec![0.5; 3200]);
        let samples = prompt_samples(&audio);
        assert_eq!(samples.len(), 1600);
        assert!((i32::from(samples[800]) - 16_384).abs() < 2);
    }
}
