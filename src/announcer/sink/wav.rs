//! The WAV sink: each clip written as a mono 16 kHz 16-bit WAV file.

use super::{Clip, Sink, hold, paced};
use crate::announcer::error::AnnouncerError;
use std::path::{Path, PathBuf};

/// Where the WAV sink writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WavTarget {
    /// Every clip to this one file (the last one stays): previews.
    File(PathBuf),
    /// Each clip to `<id>.wav` in this directory: a station's record of what it played.
    Directory(PathBuf),
}

/// Writes clips to WAV files.
#[derive(Debug, Clone)]
pub struct WavSink {
    target: WavTarget,
    pace: f32,
}

impl WavSink {
    /// A WAV sink that then keeps the PA busy for `pace` times the clip's length.
    pub fn new(target: WavTarget, pace: f32) -> WavSink {
        WavSink { target, pace }
    }

    /// The file a clip with this id goes to.
    pub fn path_for(&self, id: &str) -> PathBuf {
        match &self.target {
            WavTarget::File(path) => path.clone(),
            WavTarget::Directory(dir) => {
                let safe: String = id
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                            c
                        } else {
                            '_'
                        }
                    })
                    .collect();
                dir.join(format!("{safe}.wav"))
            }
        }
    }
}

/// Writes `bytes` to `path` whole: to a side file first, then renamed, so a reader never
/// sees half a file.
pub(crate) fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), AnnouncerError> {
    let write = |source| AnnouncerError::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut part = path.as_os_str().to_owned();
    part.push(".part");
    let part = PathBuf::from(part);
    std::fs::write(&part, bytes).map_err(write)?;
    std::fs::rename(&part, path).map_err(write)
}

impl Sink for WavSink {
    fn describe(&self) -> String {
        match &self.target {
            WavTarget::File(path) => format!("WAV file {}", path.display()),
            WavTarget::Directory(dir) => format!("WAV files in {}", dir.display()),
        }
    }

    fn play(
        &mut self,
        clip: Clip<'_>,
        first_sample: &mut dyn FnMut(),
    ) -> Result<(), AnnouncerError> {
        first_sample();
        let bytes = clip.audio.to_wav_bytes()?;
        write_whole(&self.path_for(clip.id), &bytes)?;
        hold(paced(clip.audio, self.pace));
        Ok(())
    }
}
