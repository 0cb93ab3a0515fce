//! A raw SIP sender: bytes go out exactly as written (no stack in between to fix them up),
//! and answers are read just far enough to check a status line and a few headers.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

/// A response as far as the tests read it.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The status code.
    pub code: u16,
    /// The whole status line.
    pub status_line: String,
    /// `(name, value)` in order, names as sent.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: String,
}

impl Answer {
    /// Reads one message; `None` when it is not a response.
    pub fn parse(bytes: &[u8]) -> Option<Answer> {
        let text = String::from_utf8_lossy(bytes);
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let mut lines = head.split("\r\n");
        let status_line = lines.next()?.to_string();
        let code = status_line
            .strip_prefix("SIP/2.0 ")?
            .get(..3)?
            .parse()
            .ok()?;
        let headers = lines
            .filter_map(|l| {
                let (n, v) = l.split_once(':')?;
                Some((n.trim().to_string(), v.trim().to_string()))
            })
            .collect();
        Some(Answer {
            code,
            status_line,
            headers,
            body: body.to_string(),
        })
    }

    /// The first value of header `name` (long or compact form as given), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The tag of the To header, if any.
    pub fn to_tag(&self) -> Option<String> {
        let to = self.header("To").or_else(|| self.header("t"))?;
        to.split(';')
            .find_map(|p| p.trim().strip_prefix("tag="))
            .map(str::to_string)
    }
}

/// A UDP socket the test sends from.
pub struct RawUdp {
    socket: UdpSocket,
    /// Where it sends.
    pub target: SocketAddr,
}

impl RawUdp {
    /// A socket on `ip` (127.0.0.1 is the trusted PBX; 127.0.0.2 is nobody) aimed at `target`.
    pub async fn bind(ip: &str, target: SocketAddr) -> RawUdp {
        let socket = UdpSocket::bind((ip, 0)).await.expect("udp socket");
        RawUdp { socket, target }
    }

    /// The socket's own address (for Via and Contact).
    pub fn local(&self) -> SocketAddr {
        self.socket.local_addr().expect("local addr")
    }

    /// Sends `bytes` verbatim as one datagram.
    pub async fn send(&self, bytes: &[u8]) {
        self.socket
            .send_to(bytes, self.target)
            .await
            .expect("datagram sent");
    }

    /// Every response that arrives within `window` (100 Trying included).
    pub async fn answers_for(&self, window: Duration) -> Vec<Answer> {
        let deadline = tokio::time::Instant::now() + window;
        let mut out = Vec::new();
        let mut buf = vec![0u8; 65_536];
        while let Ok(Ok((n, _))) =
            tokio::time::timeout_at(deadline, self.socket.recv_from(&mut buf)).await
        {
            if let Some(answer) = Answer::parse(&buf[..n]) {
                out.push(answer);
            }
        }
        out
    }

    /// Waits up to `limit` for a final response (a 1xx is skipped); `None` if none came.
    pub async fn final_within(&self, limit: Duration) -> Option<Answer> {
        let deadline = tokio::time::Instant::now() + limit;
        let mut buf = vec![0u8; 65_536];
        loop {
            let (n, _) = tokio::time::timeout_at(deadline, self.socket.recv_from(&mut buf))
                .await
                .ok()?
                .ok()?;
            if let Some(answer) = Answer::parse(&buf[..n])
                && answer.code >= 200
            {
                return Some(answer);
            }
        }
    }

    /// Waits up to `limit` for a request sent to this socket (e.g. a NOTIFY).
    pub async fn request_within(&self, limit: Duration) -> Option<String> {
        let deadline = tokio::time::Instant::now() + limit;
        let mut buf = vec![0u8; 65_536];
        loop {
            let (n, _) = tokio::time::timeout_at(deadline, self.socket.recv_from(&mut buf))
                .await
                .ok()?
                .ok()?;
            let text = String::from_utf8_lossy(&buf[..n]).into_owned();
            if !text.starts_with("SIP/2.0") && !text.trim().is_empty() {
                return Some(text);
            }
        }
    }

    /// Sends `bytes` and returns the final response within `limit`.
    pub async fn ask(&self, bytes: &[u8], limit: Duration) -> Option<Answer> {
        self.send(bytes).await;
        self.final_within(limit).await
    }
}

/// A TCP connection the test writes to.
pub struct RawTcp {
    stream: TcpStream,
    buffer: Vec<u8>,
}

impl RawTcp {
    /// Connects to `target`.
    pub async fn connect(target: SocketAddr) -> RawTcp {
        let stream = TcpStream::connect(target).await.expect("tcp connects");
        RawTcp {
            stream,
            buffer: Vec::new(),
        }
    }

    /// The local address.
    pub fn local(&self) -> SocketAddr {
        self.stream.local_addr().expect("local addr")
    }

    /// Writes `bytes`; false if the engine closed the connection.
    pub async fn send(&mut self, bytes: &[u8]) -> bool {
        self.stream.write_all(bytes).await.is_ok() && self.stream.flush().await.is_ok()
    }

    /// The next final response within `limit` (1xx and keep-alives skipped).
    pub async fn final_within(&mut self, limit: Duration) -> Option<Answer> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            while let Some(message) = self.take_message() {
                if let Some(answer) = Answer::parse(&message)
                    && answer.code >= 200
                {
                    return Some(answer);
                }
            }
            let mut chunk = [0u8; 8192];
            let n = tokio::time::timeout_at(deadline, self.stream.read(&mut chunk))
                .await
                .ok()?
                .ok()?;
            if n == 0 {
                return None;
            }
            self.buffer.extend_from_slice(&chunk[..n]);
        }
    }

    /// Sends `bytes` and returns the final response within `limit`.
    pub async fn ask(&mut self, bytes: &[u8], limit: Duration) -> Option<Answer> {
        self.send(bytes).await;
        self.final_within(limit).await
    }

    /// Whether the engine closed the connection within `limit` (reading and dropping what
    /// it sends meanwhile, such as keep-alives).
    pub async fn closed_within(&mut self, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        let mut chunk = [0u8; 8192];
        loop {
            match tokio::time::timeout_at(deadline, self.stream.read(&mut chunk)).await {
                Err(_) => return false,
                Ok(Ok(0)) | Ok(Err(_)) => return true,
                Ok(Ok(_)) => {}
            }
        }
    }

    /// One whole message from the buffer (head plus `Content-Length` body), if complete.
    fn take_message(&mut self) -> Option<Vec<u8>> {
        while self.buffer.starts_with(b"\r\n") {
            self.buffer.drain(..2);
        }
        let text = String::from_utf8_lossy(&self.buffer).into_owned();
        let head_end = text.find("\r\n\r\n")? + 4;
        let length = text[..head_end]
            .split("\r\n")
            .find_map(|l| {
                let (n, v) = l.split_once(':')?;
                let n = n.trim();
                (n.eq_ignore_ascii_case("content-length") || n.eq_ignore_ascii_case("l"))
                    .then(|| v.trim().parse::<usize>().ok())
                    .flatten()
            })
            .unwrap_or(0);
        if self.buffer.len() < head_end + length {
            return None;
        }
        Some(self.buffer.drain(..head_end + length).collect())
    }
}

/// A request built from parts, CRLF line ends, `Content-Length` computed.
pub fn request(method: &str, uri: &str, headers: &[String], body: &str) -> Vec<u8> {
    let mut text = format!("{method} {uri} SIP/2.0\r\n");
    for header in headers {
        text.push_str(header);
        text.push_str("\r\n");
    }
    text.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    text.into_bytes()
}

/// A fresh token for branches, tags and Call-IDs.
pub fn token(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!(
        "{prefix}{}x{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// The usual headers of a request outside a dialog from `local` over `transport`.
pub fn basic_headers(
    local: SocketAddr,
    transport: &str,
    to: &str,
    method: &str,
    cseq: u32,
) -> Vec<String> {
    vec![
        format!(
            "Via: SIP/2.0/{transport} {local};branch=z9hG4bK{};rport",
            token("b")
        ),
        format!("From: <sip:tester@{local}>;tag={}", token("t")),
        format!("To: <{to}>"),
        format!("Call-ID: {}", token("c")),
        format!("CSeq: {cseq} {method}"),
        "Max-Forwards: 70".to_string(),
        format!("Contact: <sip:tester@{local}>"),
    ]
}
