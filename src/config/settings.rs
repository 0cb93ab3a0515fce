//! The shape of a parkdesk configuration: every section and key, with its default.
//!
//! Every struct denies unknown fields (a typo is an error, never silently ignored) and takes
//! its defaults field by field, so a file only lists what it changes. `config/default.toml`
//! documents each key with the default written here; a test keeps the two in step.

use super::cidr::Cidr;
use crate::engine::{EngineSetup, Group, GroupAssignment, OrbitRange, ParkPolicy, Role, User};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::PathBuf;

/// A whole configuration: the file's sections and the optional directory seed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Numbers allowed as call targets besides directory users and groups (directory seed).
    pub allow_list: Vec<String>,
    /// `[server]`: the WebSocket API.
    pub server: ServerSettings,
    /// `[sip]`: SIP signalling; absent means no SIP.
    pub sip: Option<SipSettings>,
    /// `[[tokens]]`: API tokens granted by the configuration file.
    pub tokens: Vec<TokenSettings>,
    /// `[demo]`: simulated demo traffic.
    pub demo: DemoSettings,
    /// `[sim]`: the simulated switch without demo traffic.
    pub sim: SimSettings,
    /// `[park]`: the park extension, directed-park prefix and reception line.
    pub park: ParkSettings,
    /// `[[ranges]]`: orbit ranges (directory seed; empty keeps the engine's defaults).
    pub ranges: Vec<OrbitRange>,
    /// `[[policies]]`: park policies (directory seed).
    pub policies: Vec<ParkPolicy>,
    /// `[[users]]`: directory users (directory seed).
    pub users: Vec<User>,
    /// `[[groups]]`: directory groups (directory seed).
    pub groups: Vec<Group>,
    /// `[[assignments]]`: group policy assignments (directory seed).
    pub assignments: Vec<GroupAssignment>,
    /// `[store]`: the SQLite database.
    pub store: StoreSettings,
    /// `[http]`: health and metrics over HTTP; off unless `listen` is set.
    pub http: HttpSettings,
    /// `[log]`: the log files.
    pub log: LogSettings,
    /// `[console]`: the terminal console.
    pub console: ConsoleSettings,
    /// `[announcer]`: the PA station.
    pub announcer: AnnouncerSettings,
}

impl Settings {
    /// The engine's setup: the engine's defaults, with `[park]` and every directory list the
    /// configuration gives. A list the configuration leaves empty keeps the engine's default
    /// (ranges `main` 701-799 and `pickup` 880-899, policy `global`); a list it gives
    /// replaces the default whole. Domain rules (collisions, unknown ranges) are the
    /// engine's to check in `Engine::new`.
    pub fn engine_setup(&self) -> EngineSetup {
        let mut setup = EngineSetup {
            park_extension: self.park.extension.clone(),
            directed_prefix: self.park.directed_prefix.clone(),
            reception: self.park.reception.clone(),
            retrieve_ring_time: self.park.retrieve_ring_time,
            ..EngineSetup::default()
        };
        if !self.ranges.is_empty() {
            setup.ranges = self.ranges.clone();
        }
        if !self.policies.is_empty() {
            setup.policies = self.policies.clone();
        }
        setup.users = self.users.clone();
        setup.groups = self.groups.clone();
        setup.assignments = self.assignments.clone();
        setup.allow_list = self.allow_list.clone();
        setup
    }
}

/// `[server]`: where the WebSocket API listens and how much it keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSettings {
    /// The WebSocket API's address (`host:port`).
    pub listen: SocketAddr,
    /// Clients served at once; more wait for a free slot.
    pub max_connections: u32,
    /// Seconds parked calls get to be rung back before shutdown releases them.
    pub shutdown_grace: u64,
    /// The engine's name, reported in `hello`.
    pub name: String,
    /// Events kept for a reconnecting client's replay.
    pub event_buffer: usize,
    /// Events carried in a snapshot's `recent`.
    pub recent: usize,
    /// Events queued for one subscriber before it is closed with `resync`.
    pub subscriber_queue: usize,
}

impl Default for ServerSettings {
    fn default() -> Self {
        ServerSettings {
            listen: SocketAddr::from(([127, 0, 0, 1], 7370)),
            max_connections: 1024,
            shutdown_grace: 30,
            name: "parkdesk".into(),
            event_buffer: 10_000,
            recent: 50,
            subscriber_queue: 4096,
        }
    }
}

/// `[sip]`: SIP signalling and media; absent means no SIP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SipSettings {
    /// Address for UDP and TCP.
    pub listen: SocketAddr,
    /// PBX peers (CIDRs): no digest, their P-Asserted-Identity believed.
    pub trusted: Vec<Cidr>,
    /// The host (or `host:port`) put in Contact and Via when behind NAT.
    pub advertise: Option<String>,
    /// The digest realm users' `sip_ha1` was computed for.
    pub realm: String,
    /// The policy an unidentified caller from a trusted peer parks under at the park
    /// extension; unset: such a call is refused.
    pub park_extension_policy: Option<String>,
    /// The first RTP port.
    pub rtp_port_min: u16,
    /// The last RTP port.
    pub rtp_port_max: u16,
    /// A WAV file for music on hold; unset: the built-in music.
    pub music_on_hold: Option<PathBuf>,
    /// Seconds without RTP (and an unanswered in-dialog OPTIONS) before a leg is dead.
    pub media_timeout: u64,
    /// Numbers that are emergency calls: never parked.
    pub emergency_numbers: Vec<String>,
    /// Requests per second an untrusted source may send before it gets `503`; 0 = no limit.
    pub flood_rate: u32,
    /// Requests an untrusted source may send at once, above `flood_rate`.
    pub flood_burst: u32,
}

impl Default for SipSettings {
    fn default() -> Self {
        SipSettings {
            listen: SocketAddr::from(([127, 0, 0, 1], 5060)),
            trusted: Vec::new(),
            advertise: None,
            realm: "parkdesk".into(),
            park_extension_policy: None,
            rtp_port_min: 16_384,
            rtp_port_max: 32_767,
            music_on_hold: None,
            media_timeout: 30,
            emergency_numbers: vec!["911".into(), "112".into(), "999".into()],
            flood_rate: 50,
            flood_burst: 200,
        }
    }
}

/// `[[tokens]]`: a token the configuration grants, with its user and roles.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TokenSettings {
    /// The secret a client presents in `hello`.
    pub token: String,
    /// The directory user it acts as.
    pub user: String,
    /// The roles it grants.
    pub roles: Vec<Role>,
}

impl TokenSettings {
    /// Whether `token` is this entry's secret, compared in constant time.
    pub fn matches(&self, token: &str) -> bool {
        use subtle::ConstantTimeEq;
        !self.token.is_empty() && bool::from(self.token.as_bytes().ct_eq(token.as_bytes()))
    }
}

/// `[demo]`: simulated callers and a seeded demo directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DemoSettings {
    /// Run demo traffic.
    pub enabled: bool,
    /// Same seed, same traffic.
    pub seed: u64,
}

impl Default for DemoSettings {
    fn default() -> Self {
        DemoSettings {
            enabled: false,
            seed: 42,
        }
    }
}

/// `[sim]`: the simulated switch (enables `sim.offer`) without demo traffic.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SimSettings {
    /// Serve calls from the simulated switch.
    pub enabled: bool,
}

/// `[park]`: the numbers the PBX routes to the engine, and the reception line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ParkSettings {
    /// The park extension.
    pub extension: String,
    /// The directed-park prefix.
    pub directed_prefix: String,
    /// The reception line (a user id).
    pub reception: String,
    /// Seconds a console retrieve rings the desk before the call returns to its code.
    pub retrieve_ring_time: u64,
}

impl Default for ParkSettings {
    fn default() -> Self {
        let setup = EngineSetup::default();
        ParkSettings {
            extension: setup.park_extension,
            directed_prefix: setup.directed_prefix,
            reception: setup.reception,
            retrieve_ring_time: setup.retrieve_ring_time,
        }
    }
}

/// `[store]`: where the SQLite database lives, and how much of the event log it keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreSettings {
    /// The database file; `":memory:"` keeps nothing across restarts; unset means
    /// `parkdesk/parkdesk.db` in the XDG data directory.
    pub path: Option<PathBuf>,
    /// Events the durable log keeps for replay to reconnecting clients (the newest).
    pub event_retention: usize,
}

impl Default for StoreSettings {
    fn default() -> Self {
        StoreSettings {
            path: None,
            event_retention: crate::store::DEFAULT_EVENT_RETENTION,
        }
    }
}

/// `[http]`: `GET /health` and `GET /metrics` (Prometheus) for monitoring.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpSettings {
    /// The HTTP address (`host:port`); unset = no HTTP endpoint.
    pub listen: Option<SocketAddr>,
}

/// `[log]`: the log level and where the daily log files go (never stdout or stderr).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogSettings {
    /// A `tracing` filter: a level (`info`) or directives (`parkdesk=debug,warn`).
    pub level: String,
    /// The log directory; unset means `parkdesk/logs` in the XDG state directory (or the
    /// data directory where there is no state directory).
    pub dir: Option<PathBuf>,
    /// Daily files kept; older ones are deleted.
    pub keep: usize,
}

impl Default for LogSettings {
    fn default() -> Self {
        LogSettings {
            level: "info".into(),
            dir: None,
            keep: 14,
        }
    }
}

/// `[console]`: the terminal console.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConsoleSettings {
    /// The engine's WebSocket URL.
    pub engine: String,
    /// The theme (a built-in name or a theme file's name).
    pub theme: String,
    /// The key map: `desk` or `vim` (or a key map file's name).
    pub keymap: String,
    /// Share of a parked call's time after which it shows as expiring, 0 < x < 1.
    pub warning_share: f64,
    /// Mouse support.
    pub mouse: bool,
}

impl Default for ConsoleSettings {
    fn default() -> Self {
        ConsoleSettings {
            engine: "ws://127.0.0.1:7370/v1".into(),
            theme: "default".into(),
            keymap: "desk".into(),
            warning_share: 0.75,
            mouse: true,
        }
    }
}

/// `[announcer]`: the PA station.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AnnouncerSettings {
    /// The PA zone this station serves.
    pub zone: String,
    /// What is said for a call parked for someone: `{for}` is the name, `{code}` the code.
    pub template: String,
    /// What is said for a call parked for no one (or when the name cannot be spoken).
    pub template_without_name: String,
    /// The sound pack's theme (`themes/<theme>/sounds/<language>/`).
    pub theme: String,
    /// The sound pack's language.
    pub language: String,
    /// A directory of WAV files adding words to the pack or replacing them; unset = none.
    pub sounds: Option<PathBuf>,
    /// Play the chime before the words.
    pub chime: bool,
    /// Milliseconds of silence between two takes of a repeated announcement, 0-10000.
    pub repeat_gap_ms: u64,
    /// The speech program for names and free text; "" = never use one.
    pub espeak: String,
    /// The speech program's voice.
    pub voice: String,
    /// The audio output (a name or id from `parkdesk announcer --list-devices`); unset =
    /// the system's default.
    pub device: Option<String>,
    /// Output volume in percent, 0-100.
    pub volume: u8,
    /// Where announcements go when `parkdesk announcer` is not given `--sink`.
    pub sink: AnnouncerSink,
    /// For the `sip` sink: the paging URI called for every announcement (a paging gateway
    /// or an auto-answer phone); unset = give `--page`.
    pub page_uri: Option<String>,
    /// For the `sip` sink: the station's own SIP address (UDP; port 0 = any free port). Also
    /// its RTP address and what its Contact and SDP carry, so never a wildcard.
    pub sip_listen: SocketAddr,
    /// For the `sip` sink: the first of the station's RTP ports.
    pub rtp_port_min: u16,
    /// For the `sip` sink: the last of the station's RTP ports.
    pub rtp_port_max: u16,
    /// For the `sip` sink: seconds the paging URI gets to answer, 1-120.
    pub page_ring_time: u64,
}

/// `[announcer] sink`: where the station's announcements go.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AnnouncerSink {
    /// The local audio output.
    #[default]
    Device,
    /// WAV files (needs `--output DIR`).
    Wav,
    /// Nowhere.
    Null,
    /// A SIP paging call to `page_uri`.
    Sip,
}

impl Default for AnnouncerSettings {
    fn default() -> Self {
        AnnouncerSettings {
            zone: "default".into(),
            template: "Call for {for}, on park {code}".into(),
            template_without_name: "Call on park {code}".into(),
            theme: "default".into(),
            language: "en".into(),
            sounds: None,
            chime: true,
            repeat_gap_ms: 1500,
            espeak: "espeak-ng".into(),
            voice: "en".into(),
            device: None,
            volume: 100,
            sink: AnnouncerSink::Device,
            page_uri: None,
            sip_listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            rtp_port_min: 40_000,
            rtp_port_max: 40_199,
            page_ring_time: 15,
        }
    }
}
