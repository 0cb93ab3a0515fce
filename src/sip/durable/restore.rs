//! The start of the next process: every leg the store holds is taken on again — its RTP
//! port bound anew with the stream's numbering going on, its music from where it was, its
//! dialog rebuilt and its requests routed to a restored leg task. After a planned restart
//! the phone hears a short gap and no signalling; after a crash the peer is asked first
//! (an in-dialog OPTIONS) whether it is still there.

use super::record::{LegRecord, MediaRecord, SdpRecord};
use crate::engine::switch::{CallId, LegId, Party};
use crate::media::pacer::FRAME;
use crate::media::sdp::{Direction, Negotiated, SdpSession};
use crate::media::{Resume, RtpState, Stream};
use crate::sip::core::{CoreMsg, LegAddr};
use crate::sip::legs::{self, LegContext, RestoredLeg};
use crate::store::DurableRow;
use sip_types::Method;
use sip_ua::dialog::Dialog;
use sip_ua::invite::create_ack;
use std::time::Duration;
use tokio::sync::mpsc;

/// How far above the stored CSeq a restored dialog's requests go on: requests sent after
/// the last write (a probe, a NOTIFY) are never repeated with the same number.
const CSEQ_GAP: u32 = 100;

/// Requests a restored leg may have waiting.
const REQUEST_QUEUE: usize = 16;

/// One leg carried on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoredCall {
    /// The call.
    pub call: CallId,
    /// The leg.
    pub leg: LegId,
    /// Who placed the call.
    pub from: Party,
}

/// What a restore did: the legs carried on, and the calls that could not be (with why).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LegsRestored {
    /// Legs taken on again.
    pub restored: Vec<RestoredCall>,
    /// Calls whose leg could not be carried on, and why.
    pub failed: Vec<(CallId, String)>,
}

/// Takes on every leg in `rows` (as written by the process before), at `now_ms`.
pub async fn restore(ctx: &LegContext, rows: &[DurableRow], now_ms: i64) -> LegsRestored {
    let mut report = LegsRestored::default();
    for row in rows {
        match restore_one(ctx, row, now_ms).await {
            Ok(restored) => report.restored.push(restored),
            Err(reason) => {
                tracing::warn!(call = %row.call, leg = %row.leg, %reason, "leg not carried on");
                ctx.shared.durable.forget_row(&row.call, &row.leg);
                report.failed.push((CallId(row.call.clone()), reason));
            }
        }
    }
    ctx.shared.durable.set_restoring(false);
    tracing::info!(
        restored = report.restored.len(),
        failed = report.failed.len(),
        "durable legs taken on"
    );
    report
}

async fn restore_one(
    ctx: &LegContext,
    row: &DurableRow,
    now_ms: i64,
) -> Result<RestoredCall, String> {
    let mut record = LegRecord::from_json(&row.body).map_err(|e| e.to_string())?;
    if record.call.0 != row.call {
        return Err(format!("the stored leg names call {}", record.call));
    }
    let (local_tag, peer_tag) = record.dialog.tags().map_err(|e| e.to_string())?;
    let dialog = record
        .dialog
        .into_dialog(ctx.endpoint.clone(), CSEQ_GAP)
        .map_err(|e| e.to_string())?;
    let (resume, media) = resumed(&record.media, now_ms);
    let mut probe_first = !record.media.clean;
    let (stream, negotiated) = match ctx.media.adopt(resume).await {
        Ok(stream) => {
            record.media = media;
            (stream, record.sdp.negotiated())
        }
        Err(e) => {
            // The port is taken (another program, a shrunk range): the call moves to a new
            // port by re-INVITE, which also shows the peer is there.
            tracing::info!(call = %record.call, port = record.media.port, error = %e, "RTP port taken: moving the call by re-INVITE");
            let moved = move_to_new_port(ctx, &dialog, &mut record, now_ms).await?;
            probe_first = false;
            moved
        }
    };
    legs::apply(&ctx.media, stream.id, &negotiated);
    record.dialog.local_cseq = record.dialog.local_cseq.wrapping_add(CSEQ_GAP);
    // From now on a crash must probe again: the record is no longer a clean stop's.
    ctx.shared.durable.save(&record, now_ms);
    let key = (record.dialog.call_id.clone(), local_tag, peer_tag);
    let (requests_tx, requests) = mpsc::channel(REQUEST_QUEUE);
    ctx.shared.durable.route(key.clone(), requests_tx);
    let (cmd, cmds) = mpsc::unbounded_channel();
    let addr = LegAddr {
        call: record.call.clone(),
        leg: record.leg,
        fork: 0,
    };
    let restored = RestoredCall {
        call: record.call.clone(),
        leg: record.leg,
        from: record.from.clone(),
    };
    let _ = ctx.core.send(CoreMsg::Restored {
        addr: addr.clone(),
        from: record.from.clone(),
        stream: stream.id,
        music: record.media.music,
        held: legs::is_hold(negotiated.direction),
        cmd,
    });
    let leg = RestoredLeg {
        dialog,
        key,
        sdp: record.sdp.session(),
        stream: stream.id,
        record,
        probe_first,
    };
    tokio::spawn(legs::restored(ctx.clone(), addr, leg, requests, cmds));
    Ok(restored)
}

/// How long a re-INVITE to a new port waits for its final answer.
const MOVE_WAIT: Duration = Duration::from_secs(8);

/// Opens a fresh stream and re-INVITEs the peer to it (our offer, sendrecv); on its `200`
/// the answer is taken and ACKed. The record follows the new port. The stream is closed
/// again if the peer refuses or does not answer: the call cannot be carried on.
async fn move_to_new_port(
    ctx: &LegContext,
    dialog: &Dialog,
    record: &mut LegRecord,
    now_ms: i64,
) -> Result<(Stream, Negotiated), String> {
    let stream = ctx.media.open().await.map_err(|e| {
        format!(
            "RTP port {} taken and no other free: {e}",
            record.media.port
        )
    })?;
    let mut sdp = SdpSession::resume(stream.local, record.sdp.session_id, record.sdp.version);
    let moved = tokio::time::timeout(MOVE_WAIT, reinvite(dialog, &mut sdp)).await;
    let negotiated = match moved {
        Ok(Ok(negotiated)) => negotiated,
        Ok(Err(reason)) => {
            ctx.media.close(stream.id);
            return Err(format!("the re-INVITE to a new RTP port failed: {reason}"));
        }
        Err(_) => {
            ctx.media.close(stream.id);
            return Err("the re-INVITE to a new RTP port was not answered".to_string());
        }
    };
    if record.media.music {
        ctx.media.music(stream.id);
    }
    record.sdp = SdpRecord::of(&sdp, &negotiated);
    record.media = MediaRecord {
        port: stream.local.port(),
        rtp: stream.rtp,
        at_ms: now_ms,
        music: record.media.music,
        music_position: record.media.music.then_some(0),
        clean: false,
    };
    record.dialog.local_cseq = record
        .dialog
        .local_cseq
        .max(dialog.local_cseq.load(std::sync::atomic::Ordering::Relaxed));
    Ok((stream, negotiated))
}

/// Sends a re-INVITE with `sdp`'s offer in `dialog` and ACKs its `200`.
async fn reinvite(dialog: &Dialog, sdp: &mut SdpSession) -> Result<Negotiated, String> {
    let mut request = dialog.create_request(Method::INVITE, None);
    request.headers.insert_named(&legs::content_type_sdp());
    request.body = sdp.offer(Direction::SendRecv).into();
    let mut target = dialog.target_tp_info.lock().await;
    let mut tsx = dialog
        .endpoint
        .send_invite(request, &mut target)
        .await
        .map_err(|e| e.to_string())?;
    drop(target);
    loop {
        let Some(response) = tsx.receive().await.map_err(|e| e.to_string())? else {
            return Err("no final response".to_string());
        };
        let code = response.line.code.into_u16();
        if code < 200 {
            continue;
        }
        if code >= 300 {
            return Err(format!("answered {code}"));
        }
        let answer = legs::body_text(&response.body).ok_or("a 200 without SDP")?;
        let negotiated = sdp.accept_answer(&answer).map_err(|e| e.to_string())?;
        let mut ack = create_ack(dialog, response.base_headers.cseq.cseq)
            .await
            .map_err(|e| e.to_string())?;
        dialog
            .endpoint
            .send_outgoing_request(&mut ack)
            .await
            .map_err(|e| e.to_string())?;
        return Ok(negotiated);
    }
}

/// The stream's numbering and music now, from what was written at `media.at_ms`. A clean
/// stop's numbering is exact: the timestamp moves on with the clock, the sequence goes on
/// from the last packet. After a crash the sender is taken to have sent every frame since.
fn resumed(media: &MediaRecord, now_ms: i64) -> (Resume, MediaRecord) {
    let elapsed = u64::try_from(now_ms.saturating_sub(media.at_ms)).unwrap_or(0);
    let frames = elapsed / FRAME.as_millis().max(1) as u64;
    let rtp = if media.clean {
        RtpState {
            sequence: media.rtp.sequence,
            ..media.rtp.after(elapsed)
        }
    } else {
        media.rtp.after(elapsed)
    };
    let position = match (media.clean, media.music_position) {
        (true, Some(position)) => position,
        (_, Some(position)) => position.saturating_add(frames as usize),
        (_, None) => frames as usize,
    };
    let music = media.music.then_some(position);
    let resume = Resume {
        port: media.port,
        rtp,
        music,
    };
    let record = MediaRecord {
        port: media.port,
        rtp,
        at_ms: now_ms,
        music: media.music,
        music_position: music,
        clean: false,
    };
    (resume, record)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn media(clean: bool, music_position: Option<usize>) -> MediaRecord {
        MediaRecord {
            port: 20_000,
            rtp: RtpState {
                ssrc: 9,
                sequence: 100,
                timestamp: 1_000,
            },
            at_ms: 50_000,
            music: true,
            music_position,
            clean,
        }
    }

    #[test]
    fn after_a_clean_stop_the_sequence_goes_on_and_the_music_from_where_it_stopped() {
        let (resume, record) = resumed(&media(true, Some(42)), 50_600);
        assert_eq!(resume.rtp.sequence, 100);
        assert_eq!(resume.rtp.timestamp, 1_000 + 4_800);
        assert_eq!(resume.music, Some(42));
        assert!(!record.clean, "a later crash must probe");
        assert_eq!(record.at_ms, 50_600);
    }

    #[test]
    fn after_a_crash_the_stream_is_taken_to_have_sent_every_frame_since_it_was_written() {
        let (resume, _) = resumed(&media(false, Some(10)), 51_000);
        assert_eq!(resume.rtp.sequence, 150);
        assert_eq!(resume.rtp.timestamp, 9_000);
        assert_eq!(resume.music, Some(60));
        let (resume, _) = resumed(&media(false, None), 51_000);
        assert_eq!(resume.music, Some(50));
    }
}
