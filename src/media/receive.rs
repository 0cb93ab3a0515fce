//! Each stream's receiver: a small task that reads its socket and hands RTP to the media task.
//!
//! Garbage (anything that is not an RTP packet) is dropped here, so a flood of it costs the
//! media task nothing. When the queue to the media task is full the newest packet is dropped:
//! audio that would arrive late is worth nothing.

use super::rtp::RtpPacket;
use super::stream::StreamId;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::UdpSocket;
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::{mpsc, oneshot};

/// The largest datagram read; RTP of G.711 is 172 bytes.
const MAX_DATAGRAM: usize = 2048;

/// A packet received on a stream.
#[derive(Debug)]
pub struct Inbound {
    /// The stream whose port it reached.
    pub id: StreamId,
    /// Its source.
    pub from: SocketAddr,
    /// The datagram (a valid RTP packet).
    pub bytes: Vec<u8>,
}

/// Starts `id`'s receiver on `socket`. It stops when `stop` fires or is dropped, drops its
/// socket, then reports `port` on `freed`.
pub fn spawn_receiver(
    id: StreamId,
    port: u16,
    socket: Arc<UdpSocket>,
    stop: oneshot::Receiver<()>,
    inbound: mpsc::Sender<Inbound>,
    freed: mpsc::UnboundedSender<u16>,
) {
    tokio::spawn(async move {
        tokio::select! {
            _ = stop => {}
            () = receive(id, &socket, &inbound) => {}
        }
        drop(socket);
        let _ = freed.send(port);
    });
}

async fn receive(id: StreamId, socket: &UdpSocket, inbound: &mpsc::Sender<Inbound>) {
    let mut buf = [0u8; MAX_DATAGRAM];
    loop {
        let (n, from) = match socket.recv_from(&mut buf).await {
            Ok(got) => got,
            Err(e) => {
                tracing::debug!(%id, "RTP receive failed: {e}");
                // a persistent error must not spin a core
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let bytes = &buf[..n];
        if let Err(e) = RtpPacket::parse(bytes) {
            tracing::trace!(%id, %from, "not RTP, ignored: {e}");
            continue;
        }
        let packet = Inbound {
            id,
            from,
            bytes: bytes.to_vec(),
        };
        match inbound.try_send(packet) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => tracing::trace!(%id, "media task busy: packet dropped"),
            Err(TrySendError::Closed(_)) => return,
        }
    }
}
