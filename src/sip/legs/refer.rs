//! REFER inside a dialog: read and answered (`202`, `400`, `403`), reported to the core;
//! and the NOTIFYs that tell the referrer how the transfer went.

use super::{LegContext, LegEvent};
use crate::sip::core::LegAddr;
use crate::sip::msg::{header_named, number_in, percent_decode};
use bytesstr::BytesStr;
use sip_core::IncomingRequest;
use sip_core::transport::OutgoingResponse;
use sip_types::header::typed::ContentType;
use sip_types::{Method, Name, StatusCode};
use sip_ua::dialog::Dialog;
use std::time::Duration;

/// Reads a REFER: `202 Accepted` and a report to the core; `400` without a usable
/// Refer-To; `403` for a target the engine would never transfer to (no code, park number,
/// directory user, group or allow-listed number: RFC 3515 §2.4.2, a REFER the UA will not
/// act on is refused, not accepted and left without a final NOTIFY).
pub(super) fn refer(
    ctx: &LegContext,
    dialog: &Dialog,
    request: &IncomingRequest,
    addr: &LegAddr,
) -> Option<OutgoingResponse> {
    let refer_to = header_named(&request.headers, "Refer-To")
        .or_else(|| header_named(&request.headers, "r"))
        .unwrap_or_default();
    let Some(target) = number_in(&refer_to) else {
        return dialog
            .create_response(request, StatusCode::BAD_REQUEST, Some("No Refer-To".into()))
            .ok();
    };
    if !ctx.shared.plan().may_transfer_to(&target) {
        tracing::info!(leg = %addr, target, "REFER to a target off the allow-list refused");
        return dialog
            .create_response(request, StatusCode::FORBIDDEN, None)
            .ok();
    }
    let replaces = refer_to
        .split_once('?')
        .and_then(|(_, headers)| {
            headers.split('&').find_map(|h| {
                h.strip_prefix("Replaces=")
                    .or_else(|| h.strip_prefix("replaces="))
            })
        })
        .map(|r| percent_decode(r.trim_end_matches('>')));
    let notify = !header_named(&request.headers, "Refer-Sub")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("false"));
    ctx.report(
        addr,
        LegEvent::Refer {
            target,
            replaces,
            notify,
        },
    );
    dialog
        .create_response(request, StatusCode::from(202), Some("Accepted".into()))
        .ok()
        .map(|mut r| {
            if !notify {
                r.msg.headers.insert("Refer-Sub", "false");
            }
            r
        })
}

/// Sends a NOTIFY about a REFER (`Event: refer`, `message/sipfrag`).
pub(super) async fn notify_refer(
    dialog: &Dialog,
    frag: &str,
    last: bool,
    headers: &[(String, String)],
) {
    let mut request = dialog.create_request(Method::NOTIFY, None);
    for (name, value) in headers {
        request.headers.insert(name.clone(), value.clone());
    }
    request.headers.insert(Name::EVENT, "refer");
    request.headers.insert(
        Name::SUBSCRIPTION_STATE,
        if last {
            "terminated;reason=noresource"
        } else {
            "active;expires=60"
        },
    );
    request
        .headers
        .insert_named(&ContentType(BytesStr::from_static(
            "message/sipfrag;version=2.0",
        )));
    request.body = format!("{frag}\r\n").into();
    let mut target = dialog.target_tp_info.lock().await;
    let sent = dialog.endpoint.send_request(request, &mut target).await;
    drop(target);
    if let Ok(mut tsx) = sent {
        let _ = tokio::time::timeout(Duration::from_secs(2), tsx.receive_final()).await;
    }
}
