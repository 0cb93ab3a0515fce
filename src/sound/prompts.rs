//! The switch's prompts ([`Prompt`]: "goodbye", "parked on seven zero five") spoken from the
//! same sound pack as the PA announcements, so a caller and the building hear one voice.

use super::audio::Audio;
use super::error::SoundError;
use super::pack::{SoundPack, code_words};
use crate::engine::switch::Prompt;
use std::time::Duration;

/// The silence between two words. The announcer's composer starts from the same gaps, so a
/// prompt and an announcement keep one rhythm.
pub const WORD_GAP: Duration = Duration::from_millis(70);

/// The silence between two digits of a code, longer so each is heard.
pub const DIGIT_GAP: Duration = Duration::from_millis(150);

/// The words of `prompt`, in order: `Goodbye` → `goodbye`; `ParkedOn { code: "705" }` →
/// `parked on seven zero five`.
pub fn prompt_words(prompt: &Prompt) -> Result<Vec<&'static str>, SoundError> {
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
    pub fn prompt(&self, prompt: &Prompt) -> Result<Audio, SoundError> {
        let words = prompt_words(prompt)?;
        let mut audio = Audio::default();
        let mut previous: Option<&str> = None;
        for word in words {
            if let Some(before) = previous {
                let both_digits = is_code_word(before) && is_code_word(word);
                let gap = if both_digits { DIGIT_GAP } else { WORD_GAP };
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
