//! Where the outside world enters: the driver clock and the operating system's randomness.
//!
//! The engine, the simulated switch and the switchboard are sans-IO: time is passed in and
//! their randomness is seeded. Everything that reads a real clock or draws from the OS goes
//! through this module, so a test can swap the clock for tokio's paused time and an entropy
//! failure has one policy: a startup error ([`entropy::init`]), never an all-zero key. The
//! service manager hears from the engine through [`notify`] (systemd's `Type=notify`).

pub mod clock;
pub mod entropy;
pub mod notify;

pub use clock::DriverClock;
pub use entropy::EntropyError;
pub use notify::Notifier;
