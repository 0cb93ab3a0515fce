//! Who is calling: a trusted peer (the PBX) is believed when it asserts an identity;
//! anyone else proves one with digest. The From header alone never identifies anyone.

use super::dialplan::DialPlan;
use super::digest::{DigestFailure, DigestRealm};
use super::msg::{header, header_named, number_in};
use crate::config::Cidr;
use sip_core::IncomingRequest;
use sip_types::Name;
use std::net::IpAddr;

/// Who sent a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// A trusted peer; the directory user it asserted, if it asserted one we know.
    Trusted(Option<String>),
    /// A directory user who proved who they are with digest.
    Authenticated(String),
}

impl Identity {
    /// The identified directory user, if any.
    pub fn user(&self) -> Option<&str> {
        match self {
            Identity::Trusted(user) => user.as_deref(),
            Identity::Authenticated(user) => Some(user),
        }
    }
}

/// Why a request was not identified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unidentified {
    /// Ask for credentials (`401`/`407` with a challenge; `stale` after an old nonce).
    Challenge {
        /// The nonce was stale.
        stale: bool,
    },
    /// Credentials were given and are wrong (`403`).
    Forbidden(String),
}

/// Whether `ip` is one of the trusted peers.
pub fn is_trusted(trusted: &[Cidr], ip: IpAddr) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    };
    trusted.iter().any(|cidr| cidr.contains(ip))
}

/// The asserted identity of a request from a trusted peer: `P-Asserted-Identity`.
pub fn asserted(request: &IncomingRequest) -> Option<String> {
    header_named(&request.headers, "P-Asserted-Identity")
}

/// Identifies the sender of `request`: trusted peers by assertion (`Referred-By` first when
/// `referred` — a PBX transferring a call names the transferor there), others by digest
/// in `auth` (`Authorization` for REGISTER, `Proxy-Authorization` for the rest).
pub fn identify(
    request: &IncomingRequest,
    trusted: &[Cidr],
    plan: &DialPlan,
    realm: &DigestRealm,
    auth: &Name,
    referred: bool,
    now_secs: u64,
) -> Result<Identity, Unidentified> {
    if is_trusted(trusted, request.tp_info.source.ip()) {
        let referrer = referred
            .then(|| header_named(&request.headers, "Referred-By"))
            .flatten();
        let user = referrer
            .into_iter()
            .chain(asserted(request))
            .filter_map(|text| number_in(&text))
            .find_map(|number| plan.user_of_number(&number).map(String::from));
        return Ok(Identity::Trusted(user));
    }
    let credentials = header(&request.headers, auth);
    let ha1_of = |user: &str| plan.user(user).and_then(|u| u.ha1.clone());
    match realm.verify(
        credentials.as_deref(),
        &request.line.method.to_string(),
        ha1_of,
        now_secs,
    ) {
        Ok(user) => Ok(Identity::Authenticated(user)),
        Err(
            DigestFailure::Missing | DigestFailure::WrongRealm(_) | DigestFailure::OtherScheme(_),
        ) => Err(Unidentified::Challenge { stale: false }),
        Err(DigestFailure::Stale) => Err(Unidentified::Challenge { stale: true }),
        Err(other) => Err(Unidentified::Forbidden(other.to_string())),
    }
}
