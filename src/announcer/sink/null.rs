//! The null sink: plays nothing, optionally taking as long as the clip would.

use super::{Clip, Sink, hold, paced};
use crate::announcer::error::AnnouncerError;

/// Discards every clip (a station without speakers, benches, tests).
#[derive(Debug, Clone, Default)]
pub struct NullSink {
    pace: f32,
    played: usize,
}

impl NullSink {
    /// A null sink that keeps the PA busy for `pace` times each clip's length.
    pub fn new(pace: f32) -> NullSink {
        NullSink { pace, played: 0 }
    }

    /// Clips played so far.
    pub fn played(&self) -> usize {
        self.played
    }
}

impl Sink for NullSink {
    fn describe(&self) -> String {
        "null sink (plays nothing)".into()
    }

    fn play(
        &mut self,
        clip: Clip<'_>,
        first_sample: &mut dyn FnMut(),
    ) -> Result<(), AnnouncerError> {
        first_sample();
        self.played += 1;
        hold(paced(clip.audio, self.pace));
        Ok(())
    }
}
