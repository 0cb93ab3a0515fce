//! The latency probe: a small UAC on a raw UDP socket that sends directed-park INVITEs (a
//! code of its own each, a Call-ID of its own) at a steady rate, as the trusted PBX would;
//! it ACKs the `200`, hangs up 200 ms later and waits for the BYE's `200`, retransmitting
//! INVITE and BYE every 500 ms until answered. The latency is from the INVITE's first send
//! to the console's `park.started` for that code.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::UdpSocket;

use crate::clock;
use crate::console::Console;

const RETRANSMIT: Duration = Duration::from_millis(500);
const HOLD: Duration = Duration::from_millis(200);

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Stage {
    Inviting,
    Answered,
    Hanging,
    Done,
    Failed,
}

struct Call {
    code: String,
    stage: Stage,
    provisional: bool,
    sent_at: Instant,
    last_sent: Instant,
    answered_at: Option<Instant>,
    invite: String,
    /// The `To` of the answer, with its tag; the Contact URI to send ACK and BYE to.
    dialog: Option<(String, String)>,
    bye: Option<String>,
    note: Option<String>,
}

/// What the probe measured.
pub struct ProbeResult {
    /// INVITE sent → `park.started` received, one per probe that got both.
    pub latencies: Vec<Duration>,
    /// Probes that did not complete cleanly, with why.
    pub failures: Vec<String>,
}

struct Uac {
    socket: UdpSocket,
    local: SocketAddr,
    engine: SocketAddr,
    rtp_port: u16,
    run: u32,
    calls: Mutex<HashMap<String, Call>>,
}

/// The value of header `name` (case-insensitive) in a SIP message.
fn header<'a>(message: &'a str, name: &str) -> Option<&'a str> {
    message.lines().find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// The URI inside a Contact value (`<sip:…>;params` or a bare URI).
fn contact_uri(value: &str) -> String {
    match (value.find('<'), value.find('>')) {
        (Some(a), Some(b)) if a < b => value[a + 1..b].to_string(),
        _ => value.split(';').next().unwrap_or(value).trim().to_string(),
    }
}

impl Uac {
    fn invite(&self, call_id: &str, code: &str, branch: &str) -> String {
        let sdp = format!(
            "v=0\r\no=probe 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
             m=audio {} RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n\
             a=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n",
            self.rtp_port
        );
        let engine = self.engine;
        let local = self.local;
        format!(
            "INVITE sip:*70{code}@{engine} SIP/2.0\r\n\
             Via: SIP/2.0/UDP {local};branch={branch}\r\n\
             From: \"Latency Probe\" <sip:+15559990000@{local}>;tag={call_id}\r\n\
             To: <sip:*70{code}@{engine}>\r\n\
             Call-ID: {call_id}\r\n\
             CSeq: 1 INVITE\r\n\
             Contact: <sip:probe@{local}>\r\n\
             P-Asserted-Identity: \"Latency Probe\" <sip:+15559990000@127.0.0.1>\r\n\
             Max-Forwards: 70\r\n\
             Content-Type: application/sdp\r\n\
             Content-Length: {}\r\n\r\n{sdp}",
            sdp.len()
        )
    }

    /// A request without a body: ACK or BYE in a dialog, or the ACK of a refusal.
    fn request(
        &self,
        method: &str,
        uri: &str,
        cseq: u32,
        call_id: &str,
        to: &str,
        branch: &str,
    ) -> String {
        let local = self.local;
        format!(
            "{method} {uri} SIP/2.0\r\n\
             Via: SIP/2.0/UDP {local};branch={branch}\r\n\
             From: \"Latency Probe\" <sip:+15559990000@{local}>;tag={call_id}\r\n\
             To: {to}\r\n\
             Call-ID: {call_id}\r\n\
             CSeq: {cseq} {method}\r\n\
             Max-Forwards: 70\r\n\
             Content-Length: 0\r\n\r\n",
        )
    }

    async fn send(&self, text: &str) {
        let _ = self.socket.send_to(text.as_bytes(), self.engine).await;
    }

    /// Handles one message from the engine.
    async fn receive(&self, message: &str) {
        let Some(call_id) = header(message, "Call-ID").or_else(|| header(message, "i")) else {
            return;
        };
        let call_id = call_id.to_string();
        if !message.starts_with("SIP/2.0 ") {
            // A request from the engine (a BYE of its own): answer 200 and note it.
            let mut reply = String::from("SIP/2.0 200 OK\r\n");
            for name in ["Via", "From", "To", "Call-ID", "CSeq"] {
                for line in message.lines() {
                    if line
                        .split_once(':')
                        .is_some_and(|(n, _)| n.trim().eq_ignore_ascii_case(name))
                    {
                        reply.push_str(line.trim_end());
                        reply.push_str("\r\n");
                    }
                }
            }
            reply.push_str("Content-Length: 0\r\n\r\n");
            self.send(&reply).await;
            if let Some(call) = self.calls.lock().expect("calls").get_mut(&call_id)
                && call.stage != Stage::Done
            {
                call.stage = Stage::Failed;
                call.note = Some(format!(
                    "the engine sent {}",
                    message.lines().next().unwrap_or("")
                ));
            }
            return;
        }
        let status: u16 = message.get(8..11).and_then(|s| s.parse().ok()).unwrap_or(0);
        let cseq = header(message, "CSeq").unwrap_or("");
        let mut out = Vec::new();
        {
            let mut calls = self.calls.lock().expect("calls");
            let Some(call) = calls.get_mut(&call_id) else {
                return;
            };
            if cseq.ends_with("INVITE") && status < 200 {
                // Trying or ringing: the engine has the INVITE; no more retransmissions.
                call.provisional = true;
            } else if cseq.ends_with("INVITE") {
                let to = header(message, "To").unwrap_or("").to_string();
                let target = header(message, "Contact")
                    .or_else(|| header(message, "m"))
                    .map(contact_uri)
                    .unwrap_or_else(|| format!("sip:*70{}@{}", call.code, self.engine));
                let dialog = (to, target);
                if status < 300 {
                    // The 200 (or its retransmission): ACK it, every time.
                    let branch = format!("z9hG4bK-ack-{call_id}");
                    out.push(self.request("ACK", &dialog.1, 1, &call_id, &dialog.0, &branch));
                    if call.stage == Stage::Inviting {
                        call.stage = Stage::Answered;
                        call.answered_at = Some(clock());
                        call.dialog = Some(dialog);
                    }
                } else {
                    // A refusal: the ACK of a failure belongs to the INVITE's transaction.
                    let branch = format!("z9hG4bK-inv-{call_id}");
                    let uri = format!("sip:*70{}@{}", call.code, self.engine);
                    out.push(self.request("ACK", &uri, 1, &call_id, &dialog.0, &branch));
                    if call.stage == Stage::Inviting {
                        call.stage = Stage::Failed;
                        call.note = Some(format!("INVITE answered {status}"));
                    }
                }
            } else if cseq.ends_with("BYE") && status >= 200 && call.stage == Stage::Hanging {
                call.stage = if status < 300 {
                    Stage::Done
                } else {
                    Stage::Failed
                };
                if status >= 300 {
                    call.note = Some(format!("BYE answered {status}"));
                }
            }
        }
        for text in out {
            self.send(&text).await;
        }
    }

    /// Retransmits what is unanswered and hangs up answered calls after [`HOLD`].
    async fn tick(&self) {
        let now = clock();
        let mut out = Vec::new();
        {
            let mut calls = self.calls.lock().expect("calls");
            for (call_id, call) in calls.iter_mut() {
                match call.stage {
                    Stage::Inviting if !call.provisional && now - call.last_sent >= RETRANSMIT => {
                        call.last_sent = now;
                        out.push(call.invite.clone());
                    }
                    Stage::Answered if call.answered_at.is_some_and(|at| now - at >= HOLD) => {
                        let Some(dialog) = &call.dialog else { continue };
                        let branch = format!("z9hG4bK-bye-{call_id}");
                        let bye = self.request("BYE", &dialog.1, 2, call_id, &dialog.0, &branch);
                        call.bye = Some(bye.clone());
                        call.stage = Stage::Hanging;
                        call.last_sent = now;
                        out.push(bye);
                    }
                    Stage::Hanging if now - call.last_sent >= RETRANSMIT => {
                        call.last_sent = now;
                        if let Some(bye) = &call.bye {
                            out.push(bye.clone());
                        }
                    }
                    _ => {}
                }
            }
        }
        for text in out {
            self.send(&text).await;
        }
    }

    fn settled(&self) -> bool {
        self.calls
            .lock()
            .expect("calls")
            .values()
            .all(|c| matches!(c.stage, Stage::Done | Stage::Failed))
    }
}

/// Sends `count` probes at `per_second` to `engine`, codes from `first_code` on, and
/// measures each against the console's `park.started`.
pub async fn run(
    engine: SocketAddr,
    rtp_port: u16,
    count: u32,
    per_second: u32,
    first_code: u32,
    console: &Console,
) -> Result<ProbeResult, String> {
    let socket = UdpSocket::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("probe socket: {e}"))?;
    let local = socket.local_addr().map_err(|e| e.to_string())?;
    let uac = Arc::new(Uac {
        socket,
        local,
        engine,
        rtp_port,
        run: std::process::id(),
        calls: Mutex::new(HashMap::new()),
    });
    let reader = {
        let uac = Arc::clone(&uac);
        tokio::spawn(async move {
            let mut buf = vec![0u8; 65_536];
            while let Ok((n, _)) = uac.socket.recv_from(&mut buf).await {
                let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                uac.receive(&text).await;
            }
        })
    };
    let ticker = {
        let uac = Arc::clone(&uac);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_millis(20));
            loop {
                every.tick().await;
                uac.tick().await;
            }
        })
    };
    let period = Duration::from_secs(1) / per_second.max(1);
    let mut pace = tokio::time::interval(period);
    let mut sent = Vec::new();
    for i in 0..count {
        pace.tick().await;
        let code = (first_code + i).to_string();
        let call_id = format!("probe-{}-{i}", uac.run);
        let branch = format!("z9hG4bK-inv-{call_id}");
        let invite = uac.invite(&call_id, &code, &branch);
        let now = clock();
        uac.calls.lock().expect("calls").insert(
            call_id.clone(),
            Call {
                code: code.clone(),
                stage: Stage::Inviting,
                provisional: false,
                sent_at: now,
                last_sent: now,
                answered_at: None,
                invite: invite.clone(),
                dialog: None,
                bye: None,
                note: None,
            },
        );
        uac.send(&invite).await;
        sent.push(call_id);
    }
    let deadline = clock() + Duration::from_secs(15);
    while !uac.settled() && clock() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The last events may trail the last answers a little.
    tokio::time::sleep(Duration::from_millis(300)).await;
    ticker.abort();
    reader.abort();
    let calls = uac.calls.lock().expect("calls");
    let seen = console.seen.lock().expect("seen");
    let mut result = ProbeResult {
        latencies: Vec::new(),
        failures: Vec::new(),
    };
    for call_id in &sent {
        let Some(call) = calls.get(call_id) else {
            continue;
        };
        match seen.probe_started.get(&call.code) {
            Some(at) if *at >= call.sent_at => result.latencies.push(*at - call.sent_at),
            _ => result
                .failures
                .push(format!("{call_id} (code {}): no park.started", call.code)),
        }
        if call.stage != Stage::Done {
            result.failures.push(format!(
                "{call_id} (code {}): {:?} {}",
                call.code,
                call.stage,
                call.note.clone().unwrap_or_default()
            ));
        }
    }
    Ok(result)
}
