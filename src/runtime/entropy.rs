//! The operating system's randomness: one generator for the whole process, seeded once from
//! the OS at startup.
//!
//! Keys (the SIP digest key), tokens, the epoch, SIP tags, SDP session ids and RTP's SSRCs
//! all come from here. The policy for an OS that cannot give randomness is one: every entry
//! point calls [`init`] before it serves, and a failure there is a startup error naming the
//! cause. After it succeeded nothing can fail, so no caller holds a fallback (an all-zero key,
//! a fixed tag, a hasher's keys).

use rand::{Rng, SeedableRng, TryRng};
use rand_chacha::ChaCha20Rng;
use std::sync::{Mutex, OnceLock, PoisonError};
use thiserror::Error;

/// The process's generator: ChaCha20 with a 256-bit seed from the OS.
static GENERATOR: OnceLock<Mutex<ChaCha20Rng>> = OnceLock::new();

/// The OS could not give randomness: nothing that needs keys or ids may start.
#[derive(Debug, Error)]
#[error("the operating system's random number generator failed: {0}")]
pub struct EntropyError(String);

/// Seeds the process's generator from the OS, once; later calls are free. Call it at
/// startup: its error is the process's (or the server's) reason not to start.
pub fn init() -> Result<(), EntropyError> {
    generator().map(|_| ())
}

fn generator() -> Result<&'static Mutex<ChaCha20Rng>, EntropyError> {
    if let Some(generator) = GENERATOR.get() {
        return Ok(generator);
    }
    let mut seed = [0u8; 32];
    rand::rngs::SysRng
        .try_fill_bytes(&mut seed)
        .map_err(|e| EntropyError(e.to_string()))?;
    Ok(GENERATOR.get_or_init(|| Mutex::new(ChaCha20Rng::from_seed(seed))))
}

/// Fills `buf` with random bytes.
///
/// # Panics
/// If [`init`] never succeeded and the OS fails now: every entry point calls [`init`] first,
/// so this is a program that skipped it on a broken system, not a condition to handle.
pub fn fill(buf: &mut [u8]) {
    let generator = match generator() {
        Ok(generator) => generator,
        Err(e) => panic!("{e} (runtime::entropy::init is called at startup)"),
    };
    // A panic while holding the lock cannot leave a ChaCha state half-written in a way
    // that matters: keep drawing from it.
    let mut rng = generator.lock().unwrap_or_else(PoisonError::into_inner);
    rng.fill_bytes(buf);
}

/// `N` random bytes (see [`fill`]).
pub fn bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    fill(&mut buf);
    buf
}

/// A random `u32` (see [`fill`]).
pub fn u32() -> u32 {
    u32::from_be_bytes(bytes())
}

/// `n` random bytes as lowercase hex: tokens, ids, tags (see [`fill`]).
pub fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    fill(&mut buf);
    hex::encode(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_differ_and_have_the_asked_length() {
        init().expect("the OS gives randomness");
        let (a, b) = (random_hex(16), random_hex(16));
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert_ne!(bytes::<32>(), [0u8; 32]);
    }
}
