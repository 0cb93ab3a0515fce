//! The built-in music on hold: a gentle music-box loop, synthesised at start.
//!
//! Four bars of I–vi–IV–V in C major (C, A minor, F, G) at 96 beats a minute: each bar an
//! eighth-note arpeggio over the chord, with a soft bass note under it. Each note is a sine
//! with a little second and third harmonic (a bell-like timbre that survives a telephone's
//! 300–3400 Hz band) and a quick attack and exponential decay. Tails wrap around the loop's
//! end, so the loop repeats without a click.

use super::codec::{CLOCK_RATE, FRAME_SAMPLES};
use std::f32::consts::TAU;

/// Samples per eighth note at 96 beats a minute.
const EIGHTH: usize = CLOCK_RATE as usize * 60 / 96 / 2;
/// Eighth notes per bar.
const PER_BAR: usize = 8;
/// The chords as MIDI notes, low to high: C, A minor, F, G.
const CHORDS: [[u8; 5]; 4] = [
    [60, 64, 67, 72, 76],
    [57, 60, 64, 69, 72],
    [53, 57, 60, 65, 69],
    [55, 59, 62, 67, 71],
];
/// Which chord note each eighth of a bar plays: up and back down.
const PATTERN: [usize; PER_BAR] = [0, 1, 2, 3, 4, 3, 2, 1];
/// The loop's peak: -6 dBFS, a polite level on hold.
const PEAK: f32 = 0.5;

/// The loop as 8 kHz samples, a whole number of 20 ms frames long (10 s).
pub fn default_tune() -> Vec<i16> {
    let len = EIGHTH * PER_BAR * CHORDS.len();
    let mut mix = vec![0.0_f32; len];
    for (bar, chord) in CHORDS.iter().enumerate() {
        let bar_start = bar * EIGHTH * PER_BAR;
        for (step, &index) in PATTERN.iter().enumerate() {
            let start = bar_start + step * EIGHTH;
            let accent = if step == 0 { 1.0 } else { 0.75 };
            add_note(&mut mix, start, chord[index], accent, 0.35, 1.2);
        }
        // the bass: the chord's root an octave down, long and soft
        add_note(&mut mix, bar_start, chord[0] - 12, 0.6, 0.9, 2.5);
    }
    let peak = mix.iter().fold(0.0_f32, |m, s| m.max(s.abs()));
    let gain = if peak > 0.0 { PEAK / peak } else { 0.0 };
    let mut samples: Vec<i16> = mix
        .iter()
        .map(|s| (s * gain * f32::from(i16::MAX)).round() as i16)
        .collect();
    samples.truncate(len - len % FRAME_SAMPLES);
    samples
}

/// Adds one note into the loop, wrapping its tail around the end.
fn add_note(mix: &mut [f32], start: usize, midi: u8, level: f32, decay_s: f32, length_s: f32) {
    let freq = 440.0 * 2f32.powf((f32::from(midi) - 69.0) / 12.0);
    let rate = CLOCK_RATE as f32;
    let samples = (length_s * rate) as usize;
    let attack = 0.006 * rate;
    let len = mix.len();
    for i in 0..samples {
        let t = i as f32 / rate;
        let phase = TAU * freq * t;
        let tone = phase.sin() + 0.3 * (2.0 * phase).sin() + 0.1 * (3.0 * phase).sin();
        let rise = (i as f32 / attack).min(1.0);
        // a decay that reaches zero at the note's end, so nothing is cut off
        let fall = (-t / decay_s).exp() * (1.0 - i as f32 / samples as f32);
        mix[(start + i) % len] += level * rise * fall * tone;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_tune_is_ten_seconds_of_whole_frames_and_not_silence() {
        let tune = default_tune();
        assert_eq!(tune.len(), 80_000);
        assert_eq!(tune.len() % FRAME_SAMPLES, 0);
        let peak = tune.iter().map(|s| s.unsigned_abs()).max().unwrap();
        assert!((16_000..=16_500).contains(&peak), "peak {peak}");
        // every 20 ms frame carries sound: no dead air anywhere in the loop
        for frame in tune.chunks(FRAME_SAMPLES) {
            let loudest = frame.iter().map(|s| s.unsigned_abs()).max().unwrap();
            assert!(loudest > 300, "a quiet frame ({loudest})");
        }
    }
}
