//! Why a sound could not be read, written or found in a pack.

use std::path::PathBuf;
use thiserror::Error;

/// A sound that could not be read, written or found. The text reaches the person at the
/// console (as an announcement's `reason`, or in a music-on-hold error), so it names the
/// file or word.
#[derive(Debug, Error)]
pub enum SoundError {
    /// A sound file could not be read.
    #[error("sound '{name}' is not a readable WAV file: {detail}")]
    BadAudio {
        /// The sound's name (or file).
        name: String,
        /// What the reader said.
        detail: String,
    },
    /// Encoding a WAV file failed.
    #[error("cannot encode WAV audio: {0}")]
    WavWrite(String),
    /// A sound pack directory could not be read.
    #[error("cannot read the sound pack {}: {source}", dir.display())]
    Pack {
        /// The directory.
        dir: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// No built-in sound pack for this theme and language.
    #[error("no sound pack for theme '{theme}' and language '{language}' (built in: {known})")]
    UnknownPack {
        /// The theme asked for.
        theme: String,
        /// The language asked for.
        language: String,
        /// The built-in packs.
        known: String,
    },
    /// A code holds something other than digits, `*` and `#`.
    #[error("code '{code}' can only be read out if it is digits, '*' and '#'")]
    UnspeakableCode {
        /// The code.
        code: String,
    },
    /// The sound pack lacks a word the announcement needs and no voice can say it.
    #[error("the sound pack has no '{word}' and no voice is available to say it")]
    MissingWord {
        /// The word.
        word: String,
    },
}
