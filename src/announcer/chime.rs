//! The chime before every announcement, synthesised: three rising bell tones (C5, E5, G5),
//! each a few harmonics under an exponential decay. No file to ship, the same on every
//! station.

use crate::sound::audio::{Audio, SAMPLE_RATE, samples_in};
use std::time::Duration;

/// The chime's peak: -6 dBFS, a little under speech so the words carry.
pub const CHIME_PEAK: f32 = 0.5;

/// When each note starts and its pitch.
const NOTES: [(f32, f32); 3] = [(0.0, 523.25), (0.32, 659.25), (0.64, 783.99)];

/// How long the chime lasts.
pub const CHIME_LENGTH: Duration = Duration::from_millis(1_500);

/// The chime, [`CHIME_LENGTH`] long, peaking at [`CHIME_PEAK`].
pub fn chime() -> Audio {
    let rate = SAMPLE_RATE as f32;
    let total = samples_in(CHIME_LENGTH);
    let mut samples = vec![0.0_f32; total];
    for (start, freq) in NOTES {
        let first = (start * rate) as usize;
        for (i, out) in samples.iter_mut().enumerate().skip(first) {
            let t = (i - first) as f32 / rate;
            // A soft 5 ms attack avoids a click; the decay rings like a struck bar.
            let attack = (t / 0.005).min(1.0);
            let envelope = attack * (-t * 3.2).exp();
            let tau = std::f32::consts::TAU;
            let tone = (tau * freq * t).sin()
                + 0.35 * (tau * 2.0 * freq * t).sin()
                + 0.12 * (tau * 3.0 * freq * t).sin();
            *out += envelope * tone;
        }
    }
    // Fade the tail so the chime ends at silence, not mid-ring.
    let fade = samples_in(Duration::from_millis(200));
    for k in 0..fade.min(total) {
        samples[total - 1 - k] *= k as f32 / fade as f32;
    }
    let mut audio = Audio::from_samples(samples);
    audio.normalise(CHIME_PEAK);
    audio
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chime_has_its_length_and_peak_and_ends_in_silence() {
        let c = chime();
        assert_eq!(c.duration(), CHIME_LENGTH);
        assert!((c.peak() - CHIME_PEAK).abs() < 1e-4);
        assert!(c.samples().last().unwrap().abs() < 1e-3);
        assert!(c.samples()[0].abs() < 1e-3, "no click at the start");
    }

    #[test]
    fn the_chime_is_the_same_every_time() {
        assert_eq!(chime(), chime());
    }
}
