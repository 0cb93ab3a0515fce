//! PA announcements: the code spoken over the building's speakers.
//!
//! The map:
//! - [`compose`]: an announcement becomes one clip — chime, then the wording `repeat` times
//!   — pure, from a [`SoundPack`] and, for names and free text, a [`Voice`];
//! - [`template`]: the wording (`"Call for {for}, on park {code}"`) read into parts;
//! - [`pack`] and [`prompts`]: the recorded words of a theme and language, one loader for
//!   the announcer and the switch's prompts;
//! - [`voice`]: espeak-ng at runtime;
//! - [`chime`]: the synthesised chime;
//! - [`sink`]: where clips go — the audio device (rodio), a WAV file, nothing;
//! - [`station`]: `parkdesk announcer`, the headless station that plays its zone's
//!   announcements one at a time and reports on them; [`spawn`] runs it as a child process.

pub mod audio;
pub mod chime;
pub mod compose;
pub mod error;
pub mod pack;
pub mod prompts;
pub mod setup;
pub mod sink;
pub mod spawn;
pub mod station;
pub mod template;
pub mod voice;

pub use audio::{Audio, SAMPLE_RATE};
pub use compose::{Composer, Rendered, Request, Say, Segment, SegmentKind, Timing};
pub use error::AnnouncerError;
pub use pack::SoundPack;
pub use sink::{Clip, DeviceSink, NullSink, Sink, WavSink, WavTarget};
pub use spawn::spawn_station;
pub use station::{Station, StationNote, StationOptions};
pub use voice::{Espeak, Voice};
