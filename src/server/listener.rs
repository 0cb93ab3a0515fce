//! The accept loop: takes connections and hands each to a session, backing off when the
//! OS refuses (mini-redis's `Listener::accept`).
//!
//! An accept error is usually the process out of file descriptors (`EMFILE`) or the system
//! out of memory for sockets: retrying at once fails again at once, and a loop that does so
//! spins a core while the sessions that would free descriptors starve. So each failure in a
//! row doubles a pause, from [`FIRST_PAUSE`] to [`MAX_PAUSE`], and a success resets it. The
//! loop never gives up: a park server must take consoles again once descriptors are free.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};

/// The pause after the first failed accept.
pub const FIRST_PAUSE: Duration = Duration::from_millis(5);

/// The longest pause between two accepts while they keep failing.
pub const MAX_PAUSE: Duration = Duration::from_secs(1);

/// Where connections come from: a [`TcpListener`], or a test's stand-in.
pub trait Incoming {
    /// One accepted connection.
    type Connection: Send + 'static;

    /// The next connection, or why the OS refused it.
    fn accept(&mut self) -> impl Future<Output = std::io::Result<Self::Connection>> + Send;
}

impl Incoming for TcpListener {
    type Connection = (TcpStream, SocketAddr);

    fn accept(&mut self) -> impl Future<Output = std::io::Result<Self::Connection>> + Send {
        TcpListener::accept(self)
    }
}

/// The pause before the next accept: doubling with each failure in a row.
#[derive(Debug, Clone, Copy, Default)]
struct Backoff {
    next: Option<Duration>,
}

impl Backoff {
    fn failed(&mut self) -> Duration {
        let pause = self.next.unwrap_or(FIRST_PAUSE);
        self.next = Some((pause * 2).min(MAX_PAUSE));
        pause
    }

    fn succeeded(&mut self) {
        self.next = None;
    }
}

/// Accepts connections forever, handing each to `serve`; after a failed accept, waits
/// (doubling, up to [`MAX_PAUSE`]) before the next.
pub async fn accept_loop<I: Incoming>(mut incoming: I, mut serve: impl FnMut(I::Connection)) {
    let mut backoff = Backoff::default();
    loop {
        match incoming.accept().await {
            Ok(connection) => {
                backoff.succeeded();
                serve(connection);
            }
            Err(e) => {
                let pause = backoff.failed();
                tracing::warn!(error = %e, pause_ms = pause.as_millis(), "accept failed");
                tokio::time::sleep(pause).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Fails every accept (as with `EMFILE`) except the ones listed as successes; after
    /// `limit` calls it waits forever, so a loop that spins cannot hang the test.
    struct Refusing {
        calls: Arc<AtomicUsize>,
        succeed_at: Vec<usize>,
        limit: usize,
    }

    impl Incoming for Refusing {
        type Connection = usize;

        fn accept(&mut self) -> impl Future<Output = std::io::Result<usize>> + Send {
            let call = self.calls.fetch_add(1, Ordering::SeqCst);
            let (ok, spun) = (self.succeed_at.contains(&call), call >= self.limit);
            async move {
                if spun {
                    std::future::pending::<()>().await;
                }
                if ok {
                    Ok(call)
                } else {
                    Err(std::io::Error::from_raw_os_error(24)) // EMFILE
                }
            }
        }
    }

    async fn calls_within(virtual_time: Duration, succeed_at: Vec<usize>) -> (usize, usize) {
        let calls = Arc::new(AtomicUsize::new(0));
        let served = Arc::new(AtomicUsize::new(0));
        let incoming = Refusing {
            calls: calls.clone(),
            succeed_at,
            limit: 1000,
        };
        let counter = served.clone();
        let accepting = accept_loop(incoming, move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        let _ = tokio::time::timeout(virtual_time, accepting).await;
        (calls.load(Ordering::SeqCst), served.load(Ordering::SeqCst))
    }

    #[tokio::test(start_paused = true)]
    async fn failing_accepts_back_off_instead_of_spinning() {
        let (calls, _) = calls_within(Duration::from_secs(10), Vec::new()).await;
        // 5, 10, … 640 ms, then one a second: about 17 tries in 10 s, not a spinning core.
        assert!(
            (10..=20).contains(&calls),
            "{calls} accepts in 10 s of failures"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_successful_accept_resets_the_pause() {
        // Eight failures (pauses up to 640 ms), a success, then failures from 5 ms again.
        let (calls, served) = calls_within(Duration::from_millis(1_290), vec![8]).await;
        assert_eq!(served, 1);
        // 1275 ms of pauses for the first eight; the next fail pauses 5 then 10 ms.
        assert!(calls >= 11, "{calls} accepts: the pause did not start over");
    }
}
