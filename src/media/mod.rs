//! Media: RTP for every call leg parkdesk answers — music on hold, prompts, and the relay
//! between bridged legs — on its own task and thread, never through the engine.
//!
//! The map:
//! - [`Media`] (`handle`): the cheap handle the SIP side calls; [`MediaConfig`], [`Stream`],
//!   [`StreamId`], [`MediaEvent`].
//! - `task`: the one task that owns every stream and the one shared 20 ms tick (`pacer`);
//!   `leg`: one stream's state; `receive`: the per-socket receivers; `ports`: the port range.
//! - [`rtp`], [`outgoing`]: packets, and one sender's SSRC/sequence/timestamp continuity.
//! - [`codec`], [`g711`]: PCMU and PCMA. [`relay`]: rewriting and transcoding between legs.
//! - [`music`] (with the built-in `tune`), [`prompt`]: what is played.
//! - [`dtmf`]: RFC 4733 key presses. [`sdp`]: offer/answer.
//! - [`raise_open_file_limit`]: so a thousand parked calls (a socket each) fit.

mod clock;
pub mod codec;
mod config;
pub mod dtmf;
mod error;
pub mod g711;
mod handle;
mod leg;
mod limits;
pub mod music;
pub mod outgoing;
pub mod pacer;
mod ports;
pub mod prompt;
mod receive;
pub mod relay;
pub mod resume;
pub mod rtp;
pub mod sdp;
mod stream;
mod task;
mod tune;

pub use codec::Codec;
pub use config::MediaConfig;
pub use error::MediaError;
pub use handle::{Media, THREAD_NAME};
pub use limits::raise_open_file_limit;
pub use prompt::prompt_samples;
pub use resume::{Resume, RtpState, StreamState};
pub use stream::{MediaEvent, Stream, StreamId};
