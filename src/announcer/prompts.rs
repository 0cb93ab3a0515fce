//! The switch's prompts ([`Prompt`]: "goodbye", "parked on seven zero five") spoken from the
//! same sound pack as the PA announcements, so a caller and the building hear one voice.

use super::audio::Audio;
use super::compose::Timing;
use super::error::AnnouncerError;
use super::pack::{SoundPack, code_words};
use crate::engine::switch::Prompt;

/// The words of `prompt`, in order: `Goodbye` → `goodbye`; `ParkedOn { code: "705" }` →
/// `parked on seven zero five`.
pub fn prompt_words(prompt: &Prompt) -> Result<Vec<&'static str>, AnnouncerError> {
    match prompt {
        Prompt::Goodbye => Ok(vec!["goodbye"]),
        Prompt::ParkedOn { code } => {
            let mut words = vec!["parked", "on"];
            words.extend(code_words(code)?);
            Ok(words)
        }
    }
}

impl SoundPack {
    /// `prompt` as one clip, no chime: the words with the composer's gaps (a longer one
    /// between the digits of a code).
    pub fn prompt(&self, prompt: &Prompt) -> Result<Audio, AnnouncerError> {
        let timing = Timing::default();
        let words = prompt_words(prompt)?;
        let mut audio = Audio::default();
        let mut previous: Option<&str> = None;
        for word in words {
            if let Some(before) = previous {
                let both_digits = is_code_word(before) && is_code_word(word);
                let gap = if both_digits {
                    timing.digit_gap
                } else {
                    timing.word_gap
                };
                audio.append(&Audio::silence(gap));
            }
            audio.append(self.require(word)?);
            previous = Some(word);
        }
        Ok(audio)
    }
}

fn is_code_word(word: &str) -> bool {
    matches!(
        word,
        "zero"
            | "one"
            | "two"
            | "three"
            | "four"
            | "five"
            | "six"
            | "seven"
            | "eight"
            | "nine"
            | "star"
            | "hash"
    )
}
