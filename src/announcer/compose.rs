//! Composition, pure and deterministic for the same pack and voice: an announcement becomes
//! one clip — the chime, then the wording spoken `repeat` times with a gap between takes.
//!
//! Fixed words and the code's digits come from the [`SoundPack`]; a name or free text goes
//! to the [`Voice`]. Without a voice a name is left out (the nameless template is used)
//! and a note says so; the code is always spoken, since its digits are in the pack.

use super::chime::chime;
use super::error::AnnouncerError;
use super::template::{Part, Pause, Template, words};
use super::voice::Voice;
use crate::sound::audio::{Audio, samples_in};
use crate::sound::pack::{SoundPack, code_words, digit_word};
use crate::sound::prompts::{DIGIT_GAP, WORD_GAP};
use std::sync::Arc;
use std::time::Duration;

/// What to announce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Say {
    /// A parked call: its code, and who it is for if anyone.
    Park {
        /// The code as dialled (`705`, `*705`).
        code: String,
        /// Who the call is for.
        name: Option<String>,
    },
    /// Free text.
    Text(String),
}

/// An announcement to compose: what, and how many times (1–5; out of range is clamped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// What to say.
    pub say: Say,
    /// How many times.
    pub repeat: u8,
}

/// The silences between sounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// Between two words.
    pub word_gap: Duration,
    /// Between two digits of a code, so each is heard.
    pub digit_gap: Duration,
    /// At a comma.
    pub comma: Duration,
    /// At a full stop.
    pub stop: Duration,
    /// After the chime.
    pub after_chime: Duration,
    /// Between two takes of a repeated announcement.
    pub repeat_gap: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            word_gap: WORD_GAP,
            digit_gap: DIGIT_GAP,
            comma: Duration::from_millis(250),
            stop: Duration::from_millis(450),
            after_chime: Duration::from_millis(300),
            repeat_gap: Duration::from_millis(1_500),
        }
    }
}

/// What a stretch of the composed clip is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SegmentKind {
    /// The chime.
    Chime,
    /// A word from the sound pack (digits included: `seven`).
    Word(String),
    /// A name, spoken by the voice.
    Name(String),
    /// Free text or a word the pack lacks, spoken by the voice.
    Spoken(String),
    /// Silence between sounds.
    Pause,
    /// Silence between two takes.
    RepeatGap,
}

/// One stretch of the composed clip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// What it is.
    pub kind: SegmentKind,
    /// First sample.
    pub start: usize,
    /// Samples.
    pub len: usize,
    /// Which take (0 for the chime and the first take).
    pub take: u8,
}

/// A composed announcement.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// The clip.
    pub audio: Audio,
    /// Its stretches, in order, covering it exactly.
    pub segments: Vec<Segment>,
    /// What was left out and why (`name 'Ada' left out: espeak-ng is not installed`).
    pub notes: Vec<String>,
}

impl Rendered {
    /// The sounds (not the pauses) in order, as text: `chime`, `call`, `name:Ada`, …
    pub fn outline(&self) -> Vec<String> {
        self.segments
            .iter()
            .filter_map(|s| match &s.kind {
                SegmentKind::Chime => Some("chime".to_string()),
                SegmentKind::Word(w) => Some(w.clone()),
                SegmentKind::Name(n) => Some(format!("name:{n}")),
                SegmentKind::Spoken(t) => Some(format!("spoken:{t}")),
                SegmentKind::Pause | SegmentKind::RepeatGap => None,
            })
            .collect()
    }
}

/// Turns announcements into clips.
#[derive(Clone)]
pub struct Composer {
    pack: SoundPack,
    voice: Option<Arc<dyn Voice>>,
    /// Why there is no voice, for the notes.
    no_voice: String,
    template: Template,
    without_name: Template,
    timing: Timing,
    chime: Option<Audio>,
}

impl std::fmt::Debug for Composer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Composer")
            .field(
                "pack",
                &format!("{}/{}", self.pack.theme(), self.pack.language()),
            )
            .field("voice", &self.voice.as_ref().map(|v| v.describe()))
            .field("template", &self.template.text())
            .field("without_name", &self.without_name.text())
            .finish()
    }
}

impl Composer {
    /// A composer with the pack, the two park templates and no voice (`no_voice` says why:
    /// `espeak-ng is not installed`).
    pub fn new(
        pack: SoundPack,
        template: Template,
        without_name: Template,
        no_voice: impl Into<String>,
    ) -> Composer {
        Composer {
            pack,
            voice: None,
            no_voice: no_voice.into(),
            template,
            without_name,
            timing: Timing::default(),
            chime: Some(chime()),
        }
    }

    /// With this voice for names and free text.
    pub fn with_voice(mut self, voice: Arc<dyn Voice>) -> Composer {
        self.voice = Some(voice);
        self
    }

    /// With these silences.
    pub fn with_timing(mut self, timing: Timing) -> Composer {
        self.timing = timing;
        self
    }

    /// With or without the chime.
    pub fn with_chime(mut self, on: bool) -> Composer {
        self.chime = on.then(chime);
        self
    }

    /// The sound pack.
    pub fn pack(&self) -> &SoundPack {
        &self.pack
    }

    /// The voice, if any.
    pub fn voice(&self) -> Option<&dyn Voice> {
        self.voice.as_deref()
    }

    /// The silences.
    pub fn timing(&self) -> Timing {
        self.timing
    }

    /// Warnings about the templates: words the pack lacks, which the voice will say (or,
    /// without one, which will be left out).
    pub fn check(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        for template in [&self.template, &self.without_name] {
            for word in template.literal_words() {
                if self.pack.word(word).is_none() {
                    let fate = match &self.voice {
                        Some(_) => "the voice will say it",
                        None => "it will be left out",
                    };
                    warnings.push(format!(
                        "template '{}': the sound pack has no '{word}'; {fate}",
                        template.text()
                    ));
                }
            }
        }
        warnings
    }

    /// Composes `request` into one clip.
    pub fn render(&self, request: &Request) -> Result<Rendered, AnnouncerError> {
        let repeat = request.repeat.clamp(1, 5);
        let mut notes = Vec::new();
        let take = self.take(&request.say, &mut notes)?;
        let mut out = Builder::default();
        if let Some(chime) = &self.chime {
            out.sound(SegmentKind::Chime, chime);
            out.pause(self.timing.after_chime);
        }
        for n in 0..repeat {
            if n > 0 {
                out.silence(SegmentKind::RepeatGap, self.timing.repeat_gap);
            }
            out.take = n;
            for piece in &take {
                match piece {
                    Piece::Sound(kind, audio) => out.sound(kind.clone(), audio),
                    Piece::Gap(d) => out.pause(*d),
                }
            }
        }
        Ok(out.finish(notes))
    }

    /// One take of the wording, as sounds and gaps.
    fn take(&self, say: &Say, notes: &mut Vec<String>) -> Result<Vec<Piece>, AnnouncerError> {
        match say {
            Say::Park { code, name } => {
                let digits = code_words(code)?;
                let name = name.as_deref().map(str::trim).filter(|n| !n.is_empty());
                let (template, spoken_name) = match name {
                    None => (&self.without_name, None),
                    Some(name) => match self.speak(name) {
                        Ok(audio) => (&self.template, Some((name.to_string(), audio))),
                        Err(why) => {
                            notes.push(format!("name '{name}' left out: {why}"));
                            (&self.without_name, None)
                        }
                    },
                };
                let mut pieces = Vec::new();
                for part in template.parts() {
                    match part {
                        Part::Word(w) => self.word(w, &mut pieces, notes)?,
                        Part::Digits(d) => self.digits(d, &mut pieces)?,
                        Part::Pause(p) => pieces.push(Piece::Gap(self.pause(*p))),
                        Part::Name => {
                            if let Some((name, audio)) = &spoken_name {
                                pieces.push(Piece::Sound(
                                    SegmentKind::Name(name.clone()),
                                    audio.clone(),
                                ));
                            }
                        }
                        Part::Code => self.code(&digits, &mut pieces)?,
                    }
                }
                Ok(pieces)
            }
            Say::Text(text) => self.text(text),
        }
    }

    /// Free text: the voice says it whole; without one (or if it fails) the pack must hold
    /// every word.
    fn text(&self, text: &str) -> Result<Vec<Piece>, AnnouncerError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(AnnouncerError::NothingToSay);
        }
        let why = match self.speak(text) {
            Ok(audio) => return Ok(vec![Piece::Sound(SegmentKind::Spoken(text.into()), audio)]),
            Err(why) => why,
        };
        let parts = words(text);
        let missing: Vec<&str> = parts
            .iter()
            .filter_map(|p| match p {
                Part::Word(w) if self.pack.word(w).is_none() => Some(w.as_str()),
                _ => None,
            })
            .collect();
        if !missing.is_empty() {
            return Err(AnnouncerError::NoVoice {
                text: text.to_string(),
                why: format!(
                    "{why}, and the sound pack has no '{}'",
                    missing.join("', '")
                ),
            });
        }
        let mut pieces = Vec::new();
        let mut notes = Vec::new();
        for part in &parts {
            match part {
                Part::Word(w) => self.word(w, &mut pieces, &mut notes)?,
                Part::Digits(d) => self.digits(d, &mut pieces)?,
                Part::Pause(p) => pieces.push(Piece::Gap(self.pause(*p))),
                Part::Name | Part::Code => {}
            }
        }
        if pieces.iter().all(|p| matches!(p, Piece::Gap(_))) {
            return Err(AnnouncerError::NothingToSay);
        }
        Ok(pieces)
    }

    /// The voice saying `text`, or why it cannot.
    fn speak(&self, text: &str) -> Result<Audio, String> {
        match &self.voice {
            Some(voice) => voice.speak(text).map_err(|e| e.to_string()),
            None => Err(self.no_voice.clone()),
        }
    }

    fn word(
        &self,
        word: &str,
        pieces: &mut Vec<Piece>,
        notes: &mut Vec<String>,
    ) -> Result<(), AnnouncerError> {
        if let Some(audio) = self.pack.word(word) {
            pieces.push(Piece::Gap(self.timing.word_gap));
            pieces.push(Piece::Sound(SegmentKind::Word(word.into()), audio.clone()));
            return Ok(());
        }
        match self.speak(word) {
            Ok(audio) => {
                pieces.push(Piece::Gap(self.timing.word_gap));
                pieces.push(Piece::Sound(SegmentKind::Spoken(word.into()), audio));
            }
            Err(why) => notes.push(format!("word '{word}' left out: {why}")),
        }
        Ok(())
    }

    fn code(&self, digits: &[&str], pieces: &mut Vec<Piece>) -> Result<(), AnnouncerError> {
        pieces.push(Piece::Gap(self.timing.word_gap));
        for (i, digit) in digits.iter().enumerate() {
            if i > 0 {
                pieces.push(Piece::Gap(self.timing.digit_gap));
            }
            let audio = self.pack.require(digit)?;
            pieces.push(Piece::Sound(
                SegmentKind::Word((*digit).into()),
                audio.clone(),
            ));
        }
        Ok(())
    }

    fn digits(&self, run: &str, pieces: &mut Vec<Piece>) -> Result<(), AnnouncerError> {
        let names: Vec<&str> = run
            .chars()
            .filter_map(|c| match c {
                '*' => Some("star"),
                '#' => Some("hash"),
                c => digit_word(c),
            })
            .collect();
        self.code(&names, pieces)
    }

    fn pause(&self, pause: Pause) -> Duration {
        match pause {
            Pause::Comma => self.timing.comma,
            Pause::Stop => self.timing.stop,
        }
    }
}

/// A sound or a gap, before the gaps are settled.
#[derive(Debug, Clone)]
enum Piece {
    Sound(SegmentKind, Audio),
    Gap(Duration),
}

/// Lays sounds end to end. Gaps asked for between two sounds collapse into the longest one;
/// gaps before the first sound of a take or after the last are dropped.
#[derive(Default)]
struct Builder {
    audio: Audio,
    segments: Vec<Segment>,
    take: u8,
    pending: Option<Duration>,
}

impl Builder {
    fn sound(&mut self, kind: SegmentKind, audio: &Audio) {
        let after_sound = self
            .segments
            .last()
            .is_some_and(|s| !matches!(s.kind, SegmentKind::Pause | SegmentKind::RepeatGap));
        if let Some(gap) = self.pending.take()
            && after_sound
        {
            self.silence(SegmentKind::Pause, gap);
        }
        self.push(kind, audio);
    }

    fn pause(&mut self, gap: Duration) {
        self.pending = Some(self.pending.map_or(gap, |p| p.max(gap)));
    }

    fn silence(&mut self, kind: SegmentKind, length: Duration) {
        self.pending = None;
        let n = samples_in(length);
        if n > 0 {
            self.push(kind, &Audio::from_samples(vec![0.0; n]));
        }
    }

    fn push(&mut self, kind: SegmentKind, audio: &Audio) {
        self.segments.push(Segment {
            kind,
            start: self.audio.len(),
            len: audio.len(),
            take: self.take,
        });
        self.audio.append(audio);
    }

    fn finish(mut self, notes: Vec<String>) -> Rendered {
        // Safety net for user packs: never hand the sink a clipped sample.
        if self.audio.peak() > 0.99 {
            let peak = self.audio.peak();
            self.audio.scale(0.99 / peak);
        }
        Rendered {
            audio: self.audio,
            segments: self.segments,
            notes,
        }
    }
}
