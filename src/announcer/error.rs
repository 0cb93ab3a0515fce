//! The announcer's errors: composing, voicing and playing an announcement.

use std::path::PathBuf;
use thiserror::Error;

/// Why an announcement could not be composed or played. The text is what a station reports
/// as the announcement's `reason`, so it is written for the person at the console.
#[derive(Debug, Error)]
pub enum AnnouncerError {
    /// A template names a placeholder that does not exist.
    #[error(
        "template '{template}': unknown placeholder '{{{placeholder}}}' (use {{for}} and {{code}})"
    )]
    UnknownPlaceholder {
        /// The template.
        template: String,
        /// The placeholder's name.
        placeholder: String,
    },
    /// A template has an unclosed `{`.
    #[error("template '{template}': a '{{' is never closed")]
    UnclosedPlaceholder {
        /// The template.
        template: String,
    },
    /// A park template does not say the code.
    #[error("template '{template}' must say the code: put {{code}} in it")]
    TemplateWithoutCode {
        /// The template.
        template: String,
    },
    /// The template for announcements without a name uses `{for}`.
    #[error("template without a name '{template}' must not use {{for}}")]
    NameInNamelessTemplate {
        /// The template.
        template: String,
    },
    /// Free text cannot be spoken without a voice.
    #[error("cannot speak '{text}': {why}")]
    NoVoice {
        /// The text.
        text: String,
        /// Why no voice is there (`espeak-ng is not installed`).
        why: String,
    },
    /// The speech engine failed.
    #[error("espeak-ng failed on '{text}': {detail}")]
    Voice {
        /// The text.
        text: String,
        /// What went wrong.
        detail: String,
    },
    /// There is nothing to say (no code, no text).
    #[error("nothing to announce: give a code or a text")]
    NothingToSay,
    /// No audio output device could be opened.
    #[error("no audio output device: {0}")]
    NoDevice(String),
    /// Local playback is not built into this binary.
    #[error("no audio output device: this parkdesk was built without the 'playback' feature")]
    PlaybackNotBuilt,
    /// Writing a file failed.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The engine refused the station in a way retrying cannot mend.
    #[error("the engine refused the station: {0}")]
    Engine(String),
    /// A sound could not be read or written, or the pack lacks a word.
    #[error(transparent)]
    Sound(#[from] crate::sound::SoundError),
    /// A SIP paging call failed (refused, unanswered, cut short).
    #[error(transparent)]
    Page(#[from] super::sink::PageError),
    /// The player thread is gone.
    #[error("the audio player stopped")]
    PlayerGone,
}
