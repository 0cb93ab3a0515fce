//! systemd's notify protocol (`Type=notify`), without a crate: one datagram per state change
//! to the unix socket named by `$NOTIFY_SOCKET` (a path, or an abstract name written with a
//! leading `@`). `READY=1` once the engine serves, `RELOADING=1` then `READY=1` around a
//! reload, `STOPPING=1` when it stops, `WATCHDOG=1` every half `$WATCHDOG_USEC` from the
//! engine task's own loop, so an engine stuck in its loop stops petting the watchdog and
//! systemd restarts it. Without `$NOTIFY_SOCKET` every call does nothing.

use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Where notifications go: the socket named by `$NOTIFY_SOCKET`, if set.
#[derive(Debug, Clone, Default)]
pub struct Notifier {
    target: Option<Arc<Target>>,
}

#[derive(Debug)]
struct Target {
    socket: UnixDatagram,
    name: String,
}

impl Notifier {
    /// A notifier for `$NOTIFY_SOCKET`; a silent one when it is unset or unusable (logged).
    pub fn from_env() -> Notifier {
        match std::env::var("NOTIFY_SOCKET") {
            Ok(name) if !name.is_empty() => Notifier::to(&name),
            _ => Notifier::default(),
        }
    }

    /// A notifier for the socket `name` (`@name` for an abstract socket).
    pub fn to(name: &str) -> Notifier {
        match UnixDatagram::unbound() {
            Ok(socket) => Notifier {
                target: Some(Arc::new(Target {
                    socket,
                    name: name.to_string(),
                })),
            },
            Err(e) => {
                tracing::warn!(error = %e, "no socket for systemd notifications");
                Notifier::default()
            }
        }
    }

    /// Whether notifications go anywhere.
    pub fn is_active(&self) -> bool {
        self.target.is_some()
    }

    /// Sends `state` (`READY=1`, `STOPPING=1`, lines of `KEY=VALUE`); a failure is logged,
    /// never fatal: the engine serves whether systemd listens or not.
    pub fn notify(&self, state: &str) {
        let Some(target) = &self.target else { return };
        if let Err(e) = send(&target.socket, &target.name, state) {
            tracing::warn!(error = %e, socket = %target.name, state, "systemd notification failed");
        }
    }

    /// `READY=1`: the engine serves (WebSocket and SIP bound).
    pub fn ready(&self) {
        self.notify("READY=1\nSTATUS=serving");
    }

    /// `RELOADING=1`: a reload begins ([`Notifier::ready`] ends it).
    pub fn reloading(&self) {
        self.notify("RELOADING=1\nSTATUS=reloading the configuration");
    }

    /// `STOPPING=1`: the engine is stopping.
    pub fn stopping(&self) {
        self.notify("STOPPING=1\nSTATUS=stopping");
    }

    /// `WATCHDOG=1`: the engine's loop is alive.
    pub fn watchdog(&self) {
        self.notify("WATCHDOG=1");
    }
}

fn send(socket: &UnixDatagram, name: &str, state: &str) -> std::io::Result<usize> {
    match name.strip_prefix('@') {
        Some(abstract_name) => send_abstract(socket, abstract_name, state),
        None => socket.send_to(state.as_bytes(), PathBuf::from(name)),
    }
}

#[cfg(target_os = "linux")]
fn send_abstract(socket: &UnixDatagram, name: &str, state: &str) -> std::io::Result<usize> {
    use std::os::linux::net::SocketAddrExt;
    let addr = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes())?;
    socket.send_to_addr(state.as_bytes(), &addr)
}

#[cfg(not(target_os = "linux"))]
fn send_abstract(_socket: &UnixDatagram, _name: &str, _state: &str) -> std::io::Result<usize> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "abstract sockets exist on Linux only",
    ))
}

/// How often to pet the watchdog: half of `$WATCHDOG_USEC`, when it is set for this
/// process (`$WATCHDOG_PID` unset or ours) and notifications go anywhere.
pub fn watchdog_period() -> Option<Duration> {
    std::env::var_os("NOTIFY_SOCKET")?;
    if let Ok(pid) = std::env::var("WATCHDOG_PID")
        && pid.trim() != std::process::id().to_string()
    {
        return None;
    }
    let usec: u64 = std::env::var("WATCHDOG_USEC").ok()?.trim().parse().ok()?;
    (usec > 0).then(|| Duration::from_micros(usec / 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notification_arrives_as_one_datagram_on_a_path_socket() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("notify");
        let listener = UnixDatagram::bind(&path).expect("bind");
        let notifier = Notifier::to(&path.display().to_string());
        notifier.ready();
        let mut buf = [0u8; 256];
        let n = listener.recv(&mut buf).expect("recv");
        assert_eq!(&buf[..n], b"READY=1\nSTATUS=serving");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_name_starting_with_at_is_an_abstract_socket() {
        use std::os::linux::net::SocketAddrExt;
        let name = format!("parkdesk-test-{}", std::process::id());
        let addr =
            std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes()).expect("addr");
        let listener = UnixDatagram::bind_addr(&addr).expect("bind abstract");
        Notifier::to(&format!("@{name}")).stopping();
        let mut buf = [0u8; 256];
        let n = listener.recv(&mut buf).expect("recv");
        assert!(buf[..n].starts_with(b"STOPPING=1"));
    }

    #[test]
    fn without_a_socket_nothing_is_sent_and_nothing_fails() {
        let notifier = Notifier::default();
        assert!(!notifier.is_active());
        notifier.ready();
        notifier.watchdog();
    }
}
