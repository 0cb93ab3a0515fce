//! The phones users registered (REGISTER with digest): contact bindings with their expiry.
//! Pure; time is passed in as seconds on the server's monotonic clock.

use std::collections::HashMap;

/// Registrations a user may hold at once; more are refused.
pub const MAX_BINDINGS_PER_USER: usize = 10;
/// The longest registration granted, in seconds.
pub const MAX_EXPIRES: u64 = 3600;
/// The shortest registration accepted (`423 Interval Too Brief` below it), in seconds.
pub const MIN_EXPIRES: u64 = 30;

/// One registered phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The contact URI the phone gave (`sip:alice@192.0.2.7:5062`).
    pub contact: String,
    /// When it lapses.
    pub expires_at: u64,
}

/// Why a registration was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegisterRefusal {
    /// Too many phones for one user.
    #[error("user '{0}' already has {MAX_BINDINGS_PER_USER} registrations")]
    TooMany(String),
    /// The interval asked for is below the minimum.
    #[error("expires {0} is below {MIN_EXPIRES}")]
    TooBrief(u64),
}

/// Every user's bindings.
#[derive(Debug, Clone, Default)]
pub struct Registrar {
    bindings: HashMap<String, Vec<Binding>>,
}

impl Registrar {
    /// Adds, refreshes (`expires > 0`) or removes (`expires == 0`) `contact` for `user`.
    /// Returns the expiry granted (0 for a removal).
    pub fn register(
        &mut self,
        user: &str,
        contact: &str,
        expires: u64,
        now: u64,
    ) -> Result<u64, RegisterRefusal> {
        self.expire(now);
        let list = self.bindings.entry(user.to_string()).or_default();
        if expires == 0 {
            list.retain(|b| b.contact != contact);
            return Ok(0);
        }
        if expires < MIN_EXPIRES {
            return Err(RegisterRefusal::TooBrief(expires));
        }
        let granted = expires.min(MAX_EXPIRES);
        if let Some(binding) = list.iter_mut().find(|b| b.contact == contact) {
            binding.expires_at = now + granted;
            return Ok(granted);
        }
        if list.len() >= MAX_BINDINGS_PER_USER {
            return Err(RegisterRefusal::TooMany(user.to_string()));
        }
        list.push(Binding {
            contact: contact.to_string(),
            expires_at: now + granted,
        });
        Ok(granted)
    }

    /// Removes every binding of `user` (`Contact: *` with `Expires: 0`).
    pub fn clear(&mut self, user: &str) {
        self.bindings.remove(user);
    }

    /// The live contacts of `user`.
    pub fn contacts(&self, user: &str, now: u64) -> Vec<Binding> {
        self.bindings
            .get(user)
            .map(|list| {
                list.iter()
                    .filter(|b| b.expires_at > now)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Drops lapsed bindings.
    pub fn expire(&mut self, now: u64) {
        self.bindings.retain(|_, list| {
            list.retain(|b| b.expires_at > now);
            !list.is_empty()
        });
    }

    /// How many bindings there are in all.
    pub fn len(&self) -> usize {
        self.bindings.values().map(Vec::len).sum()
    }

    /// Whether nobody is registered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
