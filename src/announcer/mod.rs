//! PA announcements: the code spoken over the building's speakers.
//!
//! The map:
//! - [`compose`]: an announcement becomes one clip — chime, then the wording `repeat` times
//!   — pure, from a [`SoundPack`] and, for names and free text, a [`Voice`];
//! - [`template`]: the wording (`"Call for {for}, on park {code}"`) read into parts;
//! - [`pack`], [`prompts`] and [`audio`]: re-exported from [`crate::sound`], where the
//!   switch's prompts and music on hold find them too;
//! - [`voice`]: espeak-ng at runtime;
//! - [`chime`]: the synthesised chime;
//! - [`sink`]: where clips go — the audio device (rodio), a WAV file, nothing;
//! - [`station`]: `parkdesk announcer`, the headless station that plays its zone's
//!   announcements one at a time and reports on them; [`spawn`] runs it as a child process.

pub mod chime;
pub mod compose;
pub mod error;
pub mod setup;
pub mod sink;
pub mod spawn;
pub mod station;
pub mod template;
pub mod voice;

// The sound modules' old paths (`announcer::audio`, `announcer::pack`, `announcer::prompts`)
// keep working: announcer sits above sound, so pointing down at it is allowed.
pub use crate::sound::{Audio, SAMPLE_RATE, SoundPack, audio, pack, prompts};
pub use compose::{Composer, Rendered, Request, Say, Segment, SegmentKind, Timing};
pub use error::AnnouncerError;
pub use sink::{Clip, DeviceSink, NullSink, Sink, WavSink, WavTarget};
pub use spawn::spawn_station;
pub use station::{Station, StationNote, StationOptions};
pub use voice::{Espeak, Voice};
