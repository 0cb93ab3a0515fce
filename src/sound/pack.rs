//! Sound packs: the recorded words and digits of a theme and language
//! (`themes/<theme>/sounds/<language>/<word>.wav`), with one loader for the announcer and,
//! through [`SoundPack::prompt`], for the prompts the switch plays.
//!
//! The default English pack is built into the binary, so a station needs no files beside
//! it; a directory of WAV files (the `[announcer] sounds` setting) adds words or replaces
//! them. Every word is trimmed of silence and normalised to [`SPEECH_PEAK`] when it is
//! loaded, so a user's recordings sit at the level of the built-in ones.

use super::audio::{Audio, SPEECH_PEAK};
use super::error::SoundError;
use std::collections::BTreeMap;
use std::path::Path;

/// A recorded word: its name and its WAV file's bytes.
type Recording = (&'static str, &'static [u8]);

/// The built-in packs: (theme, language, words).
const BUILTIN: &[(&str, &str, &[Recording])] = &[("default", "en", DEFAULT_EN)];

/// `themes/default/sounds/en/`, generated once with espeak-ng by its `generate.sh`.
const DEFAULT_EN: &[Recording] = &[
    (
        "at",
        include_bytes!("../../themes/default/sounds/en/at.wav"),
    ),
    (
        "attention",
        include_bytes!("../../themes/default/sounds/en/attention.wav"),
    ),
    (
        "call",
        include_bytes!("../../themes/default/sounds/en/call.wav"),
    ),
    (
        "calling",
        include_bytes!("../../themes/default/sounds/en/calling.wav"),
    ),
    (
        "code",
        include_bytes!("../../themes/default/sounds/en/code.wav"),
    ),
    (
        "dial",
        include_bytes!("../../themes/default/sounds/en/dial.wav"),
    ),
    (
        "eight",
        include_bytes!("../../themes/default/sounds/en/eight.wav"),
    ),
    (
        "five",
        include_bytes!("../../themes/default/sounds/en/five.wav"),
    ),
    (
        "for",
        include_bytes!("../../themes/default/sounds/en/for.wav"),
    ),
    (
        "four",
        include_bytes!("../../themes/default/sounds/en/four.wav"),
    ),
    (
        "goodbye",
        include_bytes!("../../themes/default/sounds/en/goodbye.wav"),
    ),
    (
        "hash",
        include_bytes!("../../themes/default/sounds/en/hash.wav"),
    ),
    (
        "is",
        include_bytes!("../../themes/default/sounds/en/is.wav"),
    ),
    (
        "line",
        include_bytes!("../../themes/default/sounds/en/line.wav"),
    ),
    (
        "nine",
        include_bytes!("../../themes/default/sounds/en/nine.wav"),
    ),
    (
        "on",
        include_bytes!("../../themes/default/sounds/en/on.wav"),
    ),
    (
        "one",
        include_bytes!("../../themes/default/sounds/en/one.wav"),
    ),
    (
        "park",
        include_bytes!("../../themes/default/sounds/en/park.wav"),
    ),
    (
        "parked",
        include_bytes!("../../themes/default/sounds/en/parked.wav"),
    ),
    (
        "please",
        include_bytes!("../../themes/default/sounds/en/please.wav"),
    ),
    (
        "reception",
        include_bytes!("../../themes/default/sounds/en/reception.wav"),
    ),
    (
        "retrieve",
        include_bytes!("../../themes/default/sounds/en/retrieve.wav"),
    ),
    (
        "seven",
        include_bytes!("../../themes/default/sounds/en/seven.wav"),
    ),
    (
        "six",
        include_bytes!("../../themes/default/sounds/en/six.wav"),
    ),
    (
        "star",
        include_bytes!("../../themes/default/sounds/en/star.wav"),
    ),
    (
        "the",
        include_bytes!("../../themes/default/sounds/en/the.wav"),
    ),
    (
        "three",
        include_bytes!("../../themes/default/sounds/en/three.wav"),
    ),
    (
        "to",
        include_bytes!("../../themes/default/sounds/en/to.wav"),
    ),
    (
        "two",
        include_bytes!("../../themes/default/sounds/en/two.wav"),
    ),
    (
        "your",
        include_bytes!("../../themes/default/sounds/en/your.wav"),
    ),
    (
        "zero",
        include_bytes!("../../themes/default/sounds/en/zero.wav"),
    ),
];

/// Quieter than this at either end of a recording is trimmed off.
const TRIM_THRESHOLD: f32 = 0.01;

/// The digit words, by digit.
const DIGITS: [&str; 10] = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
];

/// The recorded words of one theme and language.
#[derive(Debug, Clone)]
pub struct SoundPack {
    theme: String,
    language: String,
    words: BTreeMap<String, Audio>,
}

impl SoundPack {
    /// The built-in pack of `theme` and `language`.
    pub fn builtin(theme: &str, language: &str) -> Result<SoundPack, SoundError> {
        let (_, _, files) = BUILTIN
            .iter()
            .find(|(t, l, _)| *t == theme && *l == language)
            .ok_or_else(|| SoundError::UnknownPack {
                theme: theme.to_string(),
                language: language.to_string(),
                known: BUILTIN
                    .iter()
                    .map(|(t, l, _)| format!("{t}/{l}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        let mut pack = SoundPack::empty(theme, language);
        for (name, bytes) in *files {
            pack.insert(name, Audio::from_wav_bytes(bytes, name)?);
        }
        Ok(pack)
    }

    /// The pack a station uses: the built-in one of `theme` and `language` (if there is
    /// one), with the WAV files of `dir` added over it. Without either, an error.
    pub fn load(theme: &str, language: &str, dir: Option<&Path>) -> Result<SoundPack, SoundError> {
        let mut pack = match (SoundPack::builtin(theme, language), dir) {
            (Ok(pack), _) => pack,
            (Err(_), Some(_)) => SoundPack::empty(theme, language),
            (Err(e), None) => return Err(e),
        };
        if let Some(dir) = dir {
            pack.add_dir(dir)?;
        }
        Ok(pack)
    }

    /// A pack with no words.
    pub fn empty(theme: &str, language: &str) -> SoundPack {
        SoundPack {
            theme: theme.to_string(),
            language: language.to_string(),
            words: BTreeMap::new(),
        }
    }

    /// Adds every `*.wav` of `dir` (the file stem is the word), replacing words it has.
    pub fn add_dir(&mut self, dir: &Path) -> Result<(), SoundError> {
        let io = |source| SoundError::Pack {
            dir: dir.to_path_buf(),
            source,
        };
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .map_err(io)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(io)?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = entry.path();
            let is_wav = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("wav"));
            let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            if !is_wav {
                continue;
            }
            let bytes = std::fs::read(&path).map_err(io)?;
            let audio = Audio::from_wav_bytes(&bytes, &path.display().to_string())?;
            self.insert(&stem.to_lowercase(), audio);
        }
        Ok(())
    }

    /// Adds `word`, trimmed and normalised.
    pub fn insert(&mut self, word: &str, mut audio: Audio) {
        audio.trim(TRIM_THRESHOLD);
        audio.normalise(SPEECH_PEAK);
        self.words.insert(word.to_lowercase(), audio);
    }

    /// The theme.
    pub fn theme(&self) -> &str {
        &self.theme
    }

    /// The language.
    pub fn language(&self) -> &str {
        &self.language
    }

    /// The recording of `word` (lower case), if the pack has it.
    pub fn word(&self, word: &str) -> Option<&Audio> {
        self.words.get(word)
    }

    /// The words the pack holds, sorted.
    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.words.keys().map(String::as_str)
    }

    /// The recording of `word`, or [`SoundError::MissingWord`].
    pub fn require(&self, word: &str) -> Result<&Audio, SoundError> {
        self.word(word).ok_or_else(|| SoundError::MissingWord {
            word: word.to_string(),
        })
    }
}

/// The words that read `code` out character by character: `*705` is
/// `["star", "seven", "zero", "five"]`.
pub fn code_words(code: &str) -> Result<Vec<&'static str>, SoundError> {
    let code = code.trim();
    let unspeakable = || SoundError::UnspeakableCode {
        code: code.to_string(),
    };
    if code.is_empty() {
        return Err(unspeakable());
    }
    code.chars()
        .map(|c| match c {
            '*' => Ok("star"),
            '#' => Ok("hash"),
            d => d
                .to_digit(10)
                .and_then(|d| DIGITS.get(d as usize).copied())
                .ok_or_else(unspeakable),
        })
        .collect()
}

/// The word a single digit character is read as (`7` → `seven`).
pub fn digit_word(c: char) -> Option<&'static str> {
    c.to_digit(10).and_then(|d| DIGITS.get(d as usize).copied())
}
