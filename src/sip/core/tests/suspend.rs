//! A planned restart in the core: answered legs left alone, ringing forks cancelled,
//! unanswered callers turned away with `503`, the engine's intents no longer carried out.

use super::*;
use crate::engine::switch::Prompt;

#[test]
fn a_suspension_leaves_an_answered_call_alone_and_ignores_the_engine_from_then_on() {
    let mut core = core();
    desk_call_answered_by_fork_1(&mut core);
    drain(&mut core);
    let kept = core.handle_suspend(at(2));
    assert_eq!(
        kept, 2,
        "the caller's leg and the answering phone's stay up"
    );
    assert!(commands(&drain(&mut core)).is_empty(), "no BYE to anyone");
    core.handle_intent(
        at(3),
        Intent::Release {
            id: IntentId(9),
            call: call(),
            prompt: Some(Prompt::Goodbye),
            refusal: None,
        },
    );
    assert!(
        drain(&mut core).is_empty(),
        "a late release is not carried out"
    );
    assert_eq!(core.poll_timeout(), None);
}

#[test]
fn a_suspension_cancels_ringing_forks_turns_the_caller_away_and_hangs_up_a_crossing_answer() {
    let mut core = core();
    core.handle_incoming(
        at(0),
        incoming(Served::User("ada".into()), Identity::Trusted(None)),
    );
    drain(&mut core);
    core.handle_fork_stream(at(0), addr(LegId::Line, 0), StreamId(10));
    core.handle_fork_stream(at(0), addr(LegId::Line, 1), StreamId(11));
    let kept = core.handle_suspend(at(1));
    assert_eq!(kept, 0);
    let mut sent = commands(&drain(&mut core));
    sent.sort_by_key(|(addr, _)| (addr.leg != LegId::Caller, addr.fork));
    assert_eq!(
        sent,
        vec![
            (addr(LegId::Caller, 0), LegCmd::Reject { code: 503 }),
            (addr(LegId::Line, 0), LegCmd::Hangup),
            (addr(LegId::Line, 1), LegCmd::Hangup),
        ]
    );
    // Fork 0's 200 OK crossed the CANCEL: it is hung up, and nobody else hears of it.
    let out = leg_event(&mut core, at(2), addr(LegId::Line, 0), LegEvent::Answered);
    assert_eq!(commands(&out), vec![(addr(LegId::Line, 0), LegCmd::Hangup)]);
    assert!(events(&out).is_empty());
}
