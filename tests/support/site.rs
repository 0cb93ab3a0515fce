//! The test site: an engine config written as TOML into a temporary directory that also
//! holds its store and logs, the end-to-end [`Site`] (engine and console configs on a port
//! chosen before the engine starts, so a restart finds it again), and the directory of the
//! SIP tests' sites ([`line_user`], [`parking_site`]).

use crate::support::{MONITOR, RECEPTION};
use parkdesk::engine::{EngineSetup, ParkPolicy, User};
use parkdesk::sip::digest::ha1;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// An engine config in a directory: `[server]`, the store and the logs in that directory,
/// and the sections a test adds.
pub struct EngineConfig {
    dir: PathBuf,
    listen: String,
    shutdown_grace: Option<u64>,
    store: String,
    logs: String,
    sections: String,
}

impl EngineConfig {
    /// Listening on `127.0.0.1:0`; the store `parkdesk.db` and the logs `engine-logs/` in
    /// `dir`.
    pub fn new(dir: &Path) -> EngineConfig {
        EngineConfig {
            dir: dir.to_path_buf(),
            listen: "127.0.0.1:0".into(),
            shutdown_grace: None,
            store: dir.join("parkdesk.db").display().to_string(),
            logs: "engine-logs".into(),
            sections: String::new(),
        }
    }

    /// Listens on this address.
    pub fn listen(mut self, addr: &str) -> EngineConfig {
        self.listen = addr.into();
        self
    }

    /// `[server] shutdown_grace` in seconds.
    pub fn shutdown_grace(mut self, seconds: u64) -> EngineConfig {
        self.shutdown_grace = Some(seconds);
        self
    }

    /// `[store] path` as given (`:memory:` for a store that goes with the process).
    pub fn store(mut self, path: &str) -> EngineConfig {
        self.store = path.into();
        self
    }

    /// The log directory's name in the directory.
    pub fn logs(mut self, name: &str) -> EngineConfig {
        self.logs = name.into();
        self
    }

    /// The simulated switch on (no demo traffic).
    pub fn sim(self) -> EngineConfig {
        self.section("\n[sim]\nenabled = true\n")
    }

    /// A `[[tokens]]` entry: `token` for `user` with one role.
    pub fn token(self, token: &str, user: &str, role: &str) -> EngineConfig {
        self.section(&format!(
            "\n[[tokens]]\ntoken = \"{token}\"\nuser = \"{user}\"\nroles = [\"{role}\"]\n"
        ))
    }

    /// A voice-enabled reception line (user `reception`, number 100) and a global policy
    /// that allows park.
    pub fn reception_line(self) -> EngineConfig {
        self.section(
            r#"
[[users]]
id = "reception"
name = "Reception"
numbers = ["100"]
voice_enabled = true

[[policies]]
name = "global"
allow_park = true
"#,
        )
    }

    /// The reception desk: the simulated switch on (no demo traffic), a receptionist
    /// ([`RECEPTION`]) and a monitor ([`MONITOR`]), and the reception line.
    pub fn reception_desk(self) -> EngineConfig {
        self.sim()
            .token(RECEPTION, "reception", "receptionist")
            .token(MONITOR, "wallboard", "monitor")
            .reception_line()
    }

    /// An administrator's token, `admin-secret` (what `PARKDESK_TOKEN` gives `parkdesk
    /// admin`).
    pub fn admin_token(self) -> EngineConfig {
        self.token("admin-secret", "admin", "admin")
    }

    /// More TOML, after what is there.
    pub fn section(mut self, toml: &str) -> EngineConfig {
        self.sections.push_str(toml);
        self
    }

    /// The config as TOML.
    pub fn text(&self) -> String {
        let mut text = format!("[server]\nlisten = \"{}\"\n", self.listen);
        if let Some(grace) = self.shutdown_grace {
            let _ = writeln!(text, "shutdown_grace = {grace}");
        }
        let _ = write!(
            text,
            "\n[store]\npath = \"{}\"\n\n[log]\ndir = \"{}\"\n",
            self.store,
            self.dir.join(&self.logs).display(),
        );
        text.push_str(&self.sections);
        text
    }

    /// Writes it to `engine.toml` in the directory and returns that path.
    pub fn write(&self) -> PathBuf {
        let path = self.dir.join("engine.toml");
        std::fs::write(&path, self.text()).expect("write engine config");
        path
    }
}

/// A free loopback port: bound, read, released. The engine binds it a moment later.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local address").port()
}

/// A site: a temporary directory with the reception desk's engine config
/// ([`EngineConfig::reception_desk`]) on a fixed port (the store, logs and console config
/// live there too).
pub struct Site {
    /// The directory; removed when the site is dropped.
    pub dir: tempfile::TempDir,
    /// The engine's port.
    pub port: u16,
    /// The engine's config file.
    pub engine_config: PathBuf,
    /// The console's config file (its logs go into the directory).
    pub console_config: PathBuf,
}

impl Site {
    /// The reception desk with a 1 s shutdown grace on a free port.
    pub fn new() -> Site {
        let dir = tempfile::tempdir().expect("tempdir");
        let port = free_port();
        let engine_config = EngineConfig::new(dir.path())
            .listen(&format!("127.0.0.1:{port}"))
            .shutdown_grace(1)
            .reception_desk()
            .write();
        let console_config = dir.path().join("console.toml");
        let text = format!(
            "[log]\ndir = \"{}\"\nlevel = \"debug\"\n",
            dir.path().join("console-logs").display()
        );
        std::fs::write(&console_config, text).expect("write console config");
        Site {
            dir,
            port,
            engine_config,
            console_config,
        }
    }

    /// The engine's URL.
    pub fn url(&self) -> String {
        format!("ws://127.0.0.1:{}/v1", self.port)
    }

    /// The console's log files, joined (for a failure message).
    pub fn console_logs(&self) -> String {
        let dir = self.dir.path().join("console-logs");
        let mut text = String::new();
        if let Ok(entries) = std::fs::read_dir(dir) {
            for entry in entries.flatten() {
                text.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
            }
        }
        text
    }
}

/// A voice-enabled user with one number; `secret`: the SIP password its phones register
/// with (realm `parkdesk`).
pub fn line_user(id: &str, name: &str, number: &str, secret: Option<&str>) -> User {
    User {
        id: id.into(),
        name: name.into(),
        numbers: vec![number.into()],
        voice_enabled: true,
        sip_ha1: secret.map(|s| ha1(id, "parkdesk", s)),
        ..User::default()
    }
}

/// The default codes (701–799), a `global` policy that parks, and these users.
pub fn parking_site(users: Vec<User>) -> EngineSetup {
    EngineSetup {
        policies: vec![ParkPolicy {
            allow_park: true,
            ..ParkPolicy::default()
        }],
        users,
        ..EngineSetup::default()
    }
}
