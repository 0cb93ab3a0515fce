//! Speech for free text (a name, a message): espeak-ng at runtime, when it is installed.
//!
//! The sound pack covers the fixed words and the digits; only what cannot be recorded in
//! advance goes through a [`Voice`]. Without one the composer leaves a name out and says so.

use super::error::AnnouncerError;
use crate::sound::audio::{Audio, SPEECH_PEAK};
use std::io::Write;
use std::process::{Command, Stdio};

/// The longest text handed to the speech engine, in characters.
pub const MAX_SPOKEN_CHARS: usize = 200;

/// Something that turns text into speech.
pub trait Voice: Send + Sync {
    /// A short description for logs (`espeak-ng 1.51, voice en`).
    fn describe(&self) -> String;

    /// Speaks `text`: trimmed of silence, normalised to [`SPEECH_PEAK`].
    fn speak(&self, text: &str) -> Result<Audio, AnnouncerError>;
}

/// espeak-ng, run once per text with the text on its stdin (never as an argument, so a
/// name that starts with `-` is not taken for an option).
#[derive(Debug, Clone)]
pub struct Espeak {
    program: String,
    voice: String,
    version: String,
    /// Words per minute.
    speed: u32,
}

impl Espeak {
    /// Finds `program` (e.g. `espeak-ng`) by running `program --version`; the error says why
    /// there is no voice (`espeak-ng is not installed`).
    pub fn detect(program: &str, voice: &str) -> Result<Espeak, String> {
        let output = Command::new(program)
            .arg("--version")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => format!("{program} is not installed"),
                _ => format!("{program} cannot be run: {e}"),
            })?;
        if !output.status.success() {
            return Err(format!("{program} --version failed ({})", output.status));
        }
        let text = String::from_utf8_lossy(&output.stdout);
        let version = text
            .split_whitespace()
            .find(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))
            .unwrap_or("?")
            .to_string();
        Ok(Espeak {
            program: program.to_string(),
            voice: voice.to_string(),
            version,
            speed: 155,
        })
    }
}

impl Voice for Espeak {
    fn describe(&self) -> String {
        format!("{} {}, voice {}", self.program, self.version, self.voice)
    }

    fn speak(&self, text: &str) -> Result<Audio, AnnouncerError> {
        let failed = |detail: String| AnnouncerError::Voice {
            text: text.to_string(),
            detail,
        };
        let spoken: String = text
            .chars()
            .filter(|c| !c.is_control())
            .take(MAX_SPOKEN_CHARS)
            .collect();
        let mut child = Command::new(&self.program)
            .args(["-v", &self.voice, "-s", &self.speed.to_string(), "--stdout"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| failed(e.to_string()))?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(spoken.as_bytes())
                .map_err(|e| failed(e.to_string()))?;
        }
        let output = child
            .wait_with_output()
            .map_err(|e| failed(e.to_string()))?;
        if !output.status.success() {
            let why = String::from_utf8_lossy(&output.stderr).trim().to_string();
            return Err(failed(format!("{} {why}", output.status)));
        }
        let bytes = fix_streamed_wav(output.stdout);
        let mut audio = Audio::from_wav_bytes(&bytes, &self.program)?;
        audio.trim(0.01);
        if audio.is_empty() {
            return Err(failed("it produced no sound".into()));
        }
        audio.normalise(SPEECH_PEAK);
        Ok(audio)
    }
}

/// A WAV written to a pipe does not know its length, so its RIFF and `data` sizes are
/// placeholders; set them to what arrived.
pub fn fix_streamed_wav(mut bytes: Vec<u8>) -> Vec<u8> {
    if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return bytes;
    }
    let total = u32::try_from(bytes.len() - 8).unwrap_or(u32::MAX);
    bytes[4..8].copy_from_slice(&total.to_le_bytes());
    let mut at = 12;
    while at + 8 <= bytes.len() {
        let id = [bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]];
        let size = u32::from_le_bytes([bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]])
            as usize;
        if &id == b"data" {
            let available = bytes.len() - (at + 8);
            // Whole 16-bit frames only.
            let data = u32::try_from(available - available % 2).unwrap_or(u32::MAX);
            bytes[at + 4..at + 8].copy_from_slice(&data.to_le_bytes());
            break;
        }
        at += 8 + size + size % 2;
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_program_is_reported_as_not_installed() {
        let err = Espeak::detect("parkdesk-no-such-espeak", "en").unwrap_err();
        assert_eq!(err, "parkdesk-no-such-espeak is not installed");
    }

    #[test]
    fn a_streamed_wav_gets_its_real_sizes() {
        let audio = Audio::from_samples(vec![0.25; 100]);
        let mut bytes = audio.to_wav_bytes().unwrap();
        bytes[4..8].copy_from_slice(&0x7fff_f024_u32.to_le_bytes());
        bytes[40..44].copy_from_slice(&0x7fff_f000_u32.to_le_bytes());
        let fixed = fix_streamed_wav(bytes);
        let back = Audio::from_wav_bytes(&fixed, "streamed").unwrap();
        assert_eq!(back.len(), 100);
    }
}
