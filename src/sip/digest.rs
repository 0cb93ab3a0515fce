//! Digest authentication (RFC 2617/3261 §22, MD5, `qop=auth`) on the server side: the
//! challenge for a `401`/`407`, and the check of an `Authorization` /
//! `Proxy-Authorization` answer against the directory's HA1.
//!
//! Nonces are stateless (a timestamp and its keyed hash), so a restart or a second
//! transaction needs no table; time is passed in.

use md5::{Digest as _, Md5};
use sha2::Digest as _;
use sha2::Sha256;
use std::collections::HashMap;

/// How long a nonce is good for, in seconds.
pub const NONCE_LIFETIME: u64 = 300;

/// Why a digest answer was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigestFailure {
    /// No credentials were sent: challenge.
    #[error("no credentials")]
    Missing,
    /// The header could not be read.
    #[error("malformed credentials: {0}")]
    Malformed(String),
    /// The credentials are for a scheme other than Digest (challenge: the client may also
    /// know Digest; RFC 4475 `regaut01`).
    #[error("scheme '{0}' is not Digest")]
    OtherScheme(String),
    /// The realm is not ours.
    #[error("realm '{0}' is not this server's")]
    WrongRealm(String),
    /// The nonce is not one we issued, or it expired (challenge again, `stale=true`).
    #[error("stale or foreign nonce")]
    Stale,
    /// The user is unknown or has no SIP credentials.
    #[error("unknown user '{0}'")]
    UnknownUser(String),
    /// The response does not match: a wrong password.
    #[error("wrong credentials for '{0}'")]
    Wrong(String),
}

/// Issues challenges and checks answers for one realm.
#[derive(Clone)]
pub struct DigestRealm {
    realm: String,
    key: [u8; 32],
}

impl std::fmt::Debug for DigestRealm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DigestRealm")
            .field("realm", &self.realm)
            .finish_non_exhaustive()
    }
}

impl DigestRealm {
    /// A realm whose nonces are keyed with `key` (random per engine run).
    pub fn new(realm: &str, key: [u8; 32]) -> DigestRealm {
        DigestRealm {
            realm: realm.to_string(),
            key,
        }
    }

    /// The realm's name.
    pub fn realm(&self) -> &str {
        &self.realm
    }

    /// The value of a `WWW-Authenticate` / `Proxy-Authenticate` header.
    pub fn challenge(&self, now_secs: u64, stale: bool) -> String {
        let nonce = self.nonce(now_secs);
        let stale = if stale { ", stale=true" } else { "" };
        format!(
            "Digest realm=\"{}\", nonce=\"{nonce}\", algorithm=MD5, qop=\"auth\"{stale}",
            self.realm
        )
    }

    fn nonce(&self, issued: u64) -> String {
        let mut mac = Sha256::new();
        mac.update(self.key);
        mac.update(issued.to_be_bytes());
        let digest = mac.finalize();
        format!("{issued:x}.{}", hex::encode(&digest[..16]))
    }

    fn nonce_is_fresh(&self, nonce: &str, now_secs: u64) -> bool {
        let Some((issued, _)) = nonce.split_once('.') else {
            return false;
        };
        let Ok(issued) = u64::from_str_radix(issued, 16) else {
            return false;
        };
        use subtle::ConstantTimeEq;
        let expected = self.nonce(issued);
        bool::from(expected.as_bytes().ct_eq(nonce.as_bytes()))
            && issued <= now_secs
            && now_secs - issued <= NONCE_LIFETIME
    }

    /// Checks `header` (the credentials) for a request with `method`; `ha1_of` gives a
    /// user's HA1. Returns the authenticated user.
    pub fn verify(
        &self,
        header: Option<&str>,
        method: &str,
        ha1_of: impl Fn(&str) -> Option<String>,
        now_secs: u64,
    ) -> Result<String, DigestFailure> {
        let header = header.ok_or(DigestFailure::Missing)?;
        let params = parse_credentials(header)?;
        let get = |name: &str| {
            params
                .get(name)
                .map(String::as_str)
                .ok_or_else(|| DigestFailure::Malformed(format!("no {name}")))
        };
        let username = get("username")?;
        let realm = get("realm")?;
        let nonce = get("nonce")?;
        let uri = get("uri")?;
        let response = get("response")?;
        if realm != self.realm {
            return Err(DigestFailure::WrongRealm(realm.to_string()));
        }
        if let Some(algorithm) = params.get("algorithm")
            && !algorithm.eq_ignore_ascii_case("MD5")
        {
            return Err(DigestFailure::Malformed(format!(
                "algorithm {algorithm} is not supported"
            )));
        }
        if !self.nonce_is_fresh(nonce, now_secs) {
            return Err(DigestFailure::Stale);
        }
        let ha1 = ha1_of(username).ok_or_else(|| DigestFailure::UnknownUser(username.into()))?;
        let ha2 = md5_hex(&format!("{method}:{uri}"));
        let expected = match params.get("qop").map(String::as_str) {
            Some(qop) => {
                if !qop.eq_ignore_ascii_case("auth") {
                    return Err(DigestFailure::Malformed(format!("qop {qop}")));
                }
                let nc = get("nc")?;
                let cnonce = get("cnonce")?;
                md5_hex(&format!("{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}"))
            }
            None => md5_hex(&format!("{ha1}:{nonce}:{ha2}")),
        };
        use subtle::ConstantTimeEq;
        if bool::from(
            expected
                .as_bytes()
                .ct_eq(response.to_ascii_lowercase().as_bytes()),
        ) {
            Ok(username.to_string())
        } else {
            Err(DigestFailure::Wrong(username.to_string()))
        }
    }
}

/// `MD5(text)` in lowercase hex.
pub fn md5_hex(text: &str) -> String {
    hex::encode(Md5::digest(text.as_bytes()))
}

/// A user's HA1: `MD5(user:realm:secret)`, as `sip_ha1` holds it.
pub fn ha1(user: &str, realm: &str, secret: &str) -> String {
    md5_hex(&format!("{user}:{realm}:{secret}"))
}

/// The `name=value` pairs of a `Digest …` credentials header; quoted values unescaped.
pub fn parse_credentials(header: &str) -> Result<HashMap<String, String>, DigestFailure> {
    let rest = header.trim_start();
    let (scheme, rest) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    if !scheme.eq_ignore_ascii_case("digest") {
        return Err(DigestFailure::OtherScheme(scheme.to_string()));
    }
    if rest.trim().is_empty() {
        return Err(DigestFailure::Malformed("no parameters".into()));
    }
    let mut params = HashMap::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ',') {
            chars.next();
        }
        if chars.peek().is_none() {
            break;
        }
        let mut name = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c.is_whitespace() {
                break;
            }
            name.push(c);
            chars.next();
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.next() != Some('=') {
            return Err(DigestFailure::Malformed(format!("'{name}' has no value")));
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            let mut closed = false;
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        if let Some(escaped) = chars.next() {
                            value.push(escaped);
                        }
                    }
                    '"' => {
                        closed = true;
                        break;
                    }
                    c => value.push(c),
                }
            }
            if !closed {
                return Err(DigestFailure::Malformed(format!("'{name}' is not closed")));
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' || c.is_whitespace() {
                    break;
                }
                value.push(c);
                chars.next();
            }
        }
        if name.is_empty() {
            return Err(DigestFailure::Malformed("a parameter has no name".into()));
        }
        params.insert(name.to_ascii_lowercase(), value);
    }
    Ok(params)
}
