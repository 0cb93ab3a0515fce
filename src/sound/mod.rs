//! Sound: the audio every part of parkdesk that speaks is made of, below the announcer, the
//! switch's prompts and music on hold, so each of them uses it without reaching up to the
//! others.
//!
//! The map:
//! - [`audio`]: mono audio at one fixed rate ([`SAMPLE_RATE`]) — WAV in and out,
//!   resampling, levels;
//! - [`pack`]: sound packs, the recorded words and digits of a theme and language, with the
//!   built-in English pack;
//! - [`prompts`]: the switch's prompts ("parked on seven zero five") spoken from a pack;
//! - [`error`]: [`SoundError`], a sound that could not be read, written or found.

pub mod audio;
pub mod error;
pub mod pack;
pub mod prompts;

pub use audio::{Audio, SAMPLE_RATE};
pub use error::SoundError;
pub use pack::SoundPack;
