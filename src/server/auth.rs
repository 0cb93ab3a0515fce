//! Bearer tokens: from the config file and from the store, kept only as SHA-256 hashes and
//! compared in constant time.

use crate::engine::{Actor, Role};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// One token a client may present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenEntry {
    /// Id for `token.revoke` (`config:N` for tokens from the config file).
    pub id: String,
    /// SHA-256 of the token.
    pub hash: [u8; 32],
    /// The user it acts as.
    pub user: String,
    /// Its roles.
    pub roles: Vec<Role>,
    /// A label for lists.
    pub label: String,
}

/// SHA-256 of a token.
pub fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The tokens the engine accepts.
#[derive(Debug, Clone, Default)]
pub struct TokenRegistry {
    entries: Vec<TokenEntry>,
}

impl TokenRegistry {
    /// Adds (or replaces, by id) a token.
    pub fn insert(&mut self, entry: TokenEntry) {
        self.entries.retain(|e| e.id != entry.id);
        self.entries.push(entry);
    }

    /// Removes a token by id; whether it existed.
    pub fn remove(&mut self, id: &str) -> bool {
        let before = self.entries.len();
        self.entries.retain(|e| e.id != id);
        before != self.entries.len()
    }

    /// All tokens (hashes only).
    pub fn entries(&self) -> &[TokenEntry] {
        &self.entries
    }

    /// The actor a presented token stands for. Every entry is compared, in constant time,
    /// so the time taken says nothing about which token was close.
    pub fn authenticate(&self, token: &str) -> Option<Actor> {
        let presented = digest(token);
        let mut found: Option<&TokenEntry> = None;
        for entry in &self.entries {
            if bool::from(entry.hash.ct_eq(&presented)) {
                found = Some(entry);
            }
        }
        found.map(|e| Actor {
            user: e.user.clone(),
            roles: e.roles.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_authenticates_as_its_user_and_a_wrong_one_does_not() {
        let mut reg = TokenRegistry::default();
        reg.insert(TokenEntry {
            id: "t1".into(),
            hash: digest("secret"),
            user: "reception".into(),
            roles: vec![Role::Receptionist],
            label: String::new(),
        });
        assert_eq!(
            reg.authenticate("secret").map(|a| a.user),
            Some("reception".into())
        );
        assert!(reg.authenticate("secreT").is_none());
        assert!(reg.remove("t1"));
        assert!(reg.authenticate("secret").is_none());
    }
}
