//! The start of a process on a store the last one left calls in: the SIP side takes its
//! parked callers' dialogs and streams on first (so the engine's restored rings find them),
//! then the engine puts each call back under its code and clock; a call one side could not
//! carry on is ended on the other, `lost` only as the last resort, with the reason.

use super::engine_task::EngineTask;
use crate::engine::switch::CallId;
use crate::sip::SipService;
use crate::store::DurableState;
use std::collections::HashSet;

/// Carries on every call in `durable`: legs first, then the engine's records; then each
/// side's leftovers are ended (a record whose dialog is gone ends `lost`; a dialog whose
/// record is gone is hung up). Runs before the engine task serves anything, so what the
/// restored legs report (a caller gone, a probe unanswered) reaches a restored engine.
pub(super) async fn carry_on(
    task: &mut EngineTask,
    sip: Option<&SipService>,
    durable: &DurableState,
) {
    if durable.calls.is_empty() && durable.legs.is_empty() {
        return;
    }
    let legs = match sip {
        Some(sip) => sip.restore(&durable.legs).await,
        None => Default::default(),
    };
    let calls = task.restore_calls(&durable.calls);
    let with_leg: HashSet<&CallId> = legs.restored.iter().map(|leg| &leg.call).collect();
    let kept: HashSet<&CallId> = calls.restored.iter().collect();
    for call in &calls.restored {
        if with_leg.contains(call) {
            continue;
        }
        let reason = legs
            .failed
            .iter()
            .find(|(failed, _)| failed == call)
            .map_or_else(
                || {
                    if sip.is_some() {
                        "its caller's dialog was not stored".to_string()
                    } else {
                        "the simulated switch does not outlive the process".to_string()
                    }
                },
                |(_, reason)| reason.clone(),
            );
        tracing::warn!(%call, %reason, "a restored call cannot be carried on");
        task.end_lost(call, &reason);
    }
    if let Some(sip) = sip {
        for leg in &legs.restored {
            if !kept.contains(&leg.call) {
                tracing::warn!(call = %leg.call, "a restored dialog has no call: hung up");
                sip.hang_up(leg.call.clone());
            }
        }
    }
    tracing::info!(
        calls = calls.restored.len(),
        lost = calls.lost.len(),
        legs = legs.restored.len(),
        "calls carried on from the last process"
    );
}
