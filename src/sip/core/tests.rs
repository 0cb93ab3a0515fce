//! The core on a virtual clock, without sockets or tasks: inputs in, the output queue
//! checked. The SIPp tests under `tests/sip*` prove the same calls end to end.

use super::output::{MediaCmd, Output};
use super::{Core, Incoming, LegAddr, PARTING_GRACE};
use crate::engine::switch::{
    CallId, EndCause, FailCause, Intent, IntentId, LegId, LegRef, Party, SwitchEvent,
};
use crate::engine::{EngineSetup, Instant, User};
use crate::media::{MediaEvent, StreamId};
use crate::sip::dialplan::{DialPlan, Served};
use crate::sip::identity::Identity;
use crate::sip::legs::{LegCmd, LegEvent};
use crate::sip::shared::Shared;
use sip_types::print::AppendCtx;
use std::sync::Arc;
use std::time::Duration;

const CALLER_STREAM: StreamId = StreamId(1);

fn user(id: &str, number: &str) -> User {
    User {
        id: id.into(),
        name: id.to_uppercase(),
        numbers: vec![number.into()],
        voice_enabled: true,
        ..User::default()
    }
}

/// A core whose directory has `ada` (201, two registered phones) and `bob` (202, one).
fn core() -> Core {
    let setup = EngineSetup {
        users: vec![user("ada", "201"), user("bob", "202")],
        ..EngineSetup::default()
    };
    let shared = Shared::for_tests(DialPlan::new(&setup, &[]));
    {
        let mut registrar = shared.registrar();
        for (user, contact) in [
            ("ada", "sip:ada@192.0.2.1:5060"),
            ("ada", "sip:ada@192.0.2.2:5060"),
            ("bob", "sip:bob@192.0.2.3:5060"),
        ] {
            registrar
                .register(user, contact, 3600, 0)
                .expect("registered");
        }
    }
    Core::new(Arc::new(shared))
}

fn call() -> CallId {
    CallId("s-1".into())
}

fn addr(leg: LegId, fork: u32) -> LegAddr {
    LegAddr {
        call: call(),
        leg,
        fork,
    }
}

fn at(secs: u64) -> Instant {
    Instant::ZERO + Duration::from_secs(secs)
}

fn drain(core: &mut Core) -> Vec<Output> {
    std::iter::from_fn(|| core.poll_output()).collect()
}

/// The outputs of one kind, in order.
fn pick<T>(outputs: &[Output], of_kind: impl Fn(&Output) -> Option<T>) -> Vec<T> {
    outputs.iter().filter_map(of_kind).collect()
}

fn commands(outputs: &[Output]) -> Vec<(LegAddr, LegCmd)> {
    pick(outputs, |o| match o {
        Output::Leg { addr, cmd } => Some((addr.clone(), cmd.clone())),
        _ => None,
    })
}

fn events(outputs: &[Output]) -> Vec<SwitchEvent> {
    pick(outputs, |o| match o {
        Output::Switch(event) => Some(event.clone()),
        _ => None,
    })
}

fn media(outputs: &[Output]) -> Vec<MediaCmd> {
    pick(outputs, |o| match o {
        Output::Media(cmd) => Some(cmd.clone()),
        _ => None,
    })
}

fn forgotten(outputs: &[Output]) -> Vec<LegAddr> {
    pick(outputs, |o| match o {
        Output::Forget(addr) => Some(addr.clone()),
        _ => None,
    })
}

fn dialled(outputs: &[Output]) -> Vec<(LegAddr, String)> {
    pick(outputs, |o| match o {
        Output::Dial { addr, fork } => {
            Some((addr.clone(), fork.target.default_print_ctx().to_string()))
        }
        _ => None,
    })
}

fn incoming(served: Served, identity: Identity) -> Incoming {
    Incoming {
        call: call(),
        from: Party {
            number: "+15550100".into(),
            name: "Grace Hopper".into(),
        },
        served,
        identity,
        emergency: false,
        stream: CALLER_STREAM,
    }
}

fn leg_event(core: &mut Core, now: Instant, addr: LegAddr, event: LegEvent) -> Vec<Output> {
    core.handle_leg(now, addr, event);
    drain(core)
}

fn answer() -> LegCmd {
    LegCmd::Answer {
        durable: false,
        music: false,
        asserted: None,
        headers: Vec::new(),
    }
}

/// A desk call for ada from outside: her two phones ring (forks 0 and 1, streams 10 and
/// 11), fork 1 answers, and the caller's leg is answered in turn.
fn desk_call_answered_by_fork_1(core: &mut Core) -> Vec<Output> {
    core.handle_incoming(
        at(0),
        incoming(Served::User("ada".into()), Identity::Trusted(None)),
    );
    drain(core);
    core.handle_fork_stream(at(0), addr(LegId::Line, 0), StreamId(10));
    core.handle_fork_stream(at(0), addr(LegId::Line, 1), StreamId(11));
    let out = leg_event(core, at(1), addr(LegId::Line, 1), LegEvent::Answered);
    let answered = leg_event(core, at(1), addr(LegId::Caller, 0), LegEvent::Answered);
    assert!(answered.is_empty(), "{answered:?}");
    out
}

#[test]
fn a_desk_call_rings_every_phone_of_the_user_and_the_first_answer_cancels_the_other() {
    let mut core = core();
    core.handle_incoming(
        at(0),
        incoming(Served::User("ada".into()), Identity::Trusted(None)),
    );
    let out = drain(&mut core);
    assert_eq!(
        commands(&out),
        vec![(addr(LegId::Caller, 0), LegCmd::Ringing)]
    );
    assert!(matches!(
        &events(&out)[..],
        [SwitchEvent::Offered { to, line, .. }] if to == "ada" && line == "ada"
    ));
    assert_eq!(
        dialled(&out),
        vec![
            (addr(LegId::Line, 0), "sip:ada@192.0.2.1:5060".to_string()),
            (addr(LegId::Line, 1), "sip:ada@192.0.2.2:5060".to_string()),
        ]
    );

    core.handle_fork_stream(at(0), addr(LegId::Line, 0), StreamId(10));
    core.handle_fork_stream(at(0), addr(LegId::Line, 1), StreamId(11));
    let out = leg_event(&mut core, at(1), addr(LegId::Line, 0), LegEvent::Ringing);
    assert_eq!(
        events(&out),
        vec![SwitchEvent::Ringing {
            call: call(),
            leg: LegId::Line
        }]
    );

    let out = leg_event(&mut core, at(2), addr(LegId::Line, 1), LegEvent::Answered);
    assert_eq!(
        commands(&out),
        vec![
            (addr(LegId::Line, 0), LegCmd::Hangup),
            (addr(LegId::Caller, 0), answer()),
        ]
    );
    assert_eq!(
        media(&out),
        vec![MediaCmd::Bridge(CALLER_STREAM, StreamId(11))]
    );
    assert_eq!(
        events(&out),
        vec![SwitchEvent::Answered {
            call: call(),
            leg: LegId::Line
        }]
    );
}

#[test]
fn a_fork_that_answers_after_another_is_hung_up_and_the_engine_hears_one_answer() {
    let mut core = core();
    desk_call_answered_by_fork_1(&mut core);
    // Fork 0 was told to hang up, but its 200 OK crossed the CANCEL.
    let out = leg_event(&mut core, at(2), addr(LegId::Line, 0), LegEvent::Answered);
    assert_eq!(commands(&out), vec![(addr(LegId::Line, 0), LegCmd::Hangup)]);
    assert!(events(&out).is_empty());
    // Its end is not the line's end.
    let out = leg_event(
        &mut core,
        at(3),
        addr(LegId::Line, 0),
        LegEvent::Ended {
            cause: EndCause::Hangup,
        },
    );
    assert!(out.is_empty());
}

#[test]
fn an_answer_crossing_the_engines_cancel_is_not_reported_as_an_answer() {
    let mut core = core();
    core.handle_incoming(
        at(0),
        incoming(Served::ParkExtension, Identity::Trusted(None)),
    );
    drain(&mut core);
    let id = IntentId(7);
    core.handle_intent(
        at(1),
        Intent::Ring {
            id,
            call: call(),
            target: "202".into(),
            display: "Park 705".into(),
            caller_id: Party::default(),
            alert_info: None,
        },
    );
    let out = drain(&mut core);
    let ring = addr(LegId::Ring(id), 0);
    assert_eq!(
        dialled(&out),
        vec![(ring.clone(), "sip:bob@192.0.2.3:5060".to_string())]
    );
    core.handle_intent(
        at(2),
        Intent::Cancel {
            id: IntentId(8),
            leg: LegRef {
                call: call(),
                leg: LegId::Ring(id),
            },
            reason: "Call completed elsewhere".into(),
        },
    );
    let out = drain(&mut core);
    assert_eq!(
        commands(&out),
        vec![(ring.clone(), LegCmd::CompletedElsewhere)]
    );
    assert_eq!(forgotten(&out), vec![ring.clone()]);
    // The phone's 200 OK crossed the CANCEL: its task ACKs it and hangs up on its own; the
    // engine hears nothing of it.
    let out = leg_event(&mut core, at(2), ring.clone(), LegEvent::Answered);
    assert!(out.is_empty(), "{out:?}");
    let out = leg_event(
        &mut core,
        at(3),
        ring,
        LegEvent::Ended {
            cause: EndCause::Hangup,
        },
    );
    assert!(out.is_empty(), "{out:?}");
}

#[test]
fn a_ring_whose_forks_all_fail_fails_with_the_strongest_cause() {
    let mut core = core();
    core.handle_incoming(
        at(0),
        incoming(Served::ParkExtension, Identity::Trusted(None)),
    );
    drain(&mut core);
    let id = IntentId(3);
    core.handle_intent(
        at(1),
        Intent::Ring {
            id,
            call: call(),
            target: "201".into(),
            display: "Park 705".into(),
            caller_id: Party::default(),
            alert_info: None,
        },
    );
    drain(&mut core);
    let fork = |n| addr(LegId::Ring(id), n);
    let out = leg_event(&mut core, at(2), fork(0), LegEvent::Failed { status: 408 });
    assert_eq!(forgotten(&out), vec![fork(0)]);
    assert!(events(&out).is_empty());
    let out = leg_event(&mut core, at(3), fork(1), LegEvent::Failed { status: 486 });
    assert_eq!(
        events(&out),
        vec![SwitchEvent::Failed {
            id,
            leg: LegId::Ring(id),
            cause: FailCause::Busy
        }]
    );
}

#[test]
fn a_refer_to_the_park_extension_asks_the_engine_and_the_referrer_hears_the_code() {
    let mut core = core();
    desk_call_answered_by_fork_1(&mut core);
    let line = addr(LegId::Line, 1);
    let out = leg_event(
        &mut core,
        at(5),
        line.clone(),
        LegEvent::Refer {
            target: "700".into(),
            replaces: None,
            notify: true,
        },
    );
    assert!(commands(&out).contains(&(
        line.clone(),
        LegCmd::Notify {
            frag: "SIP/2.0 100 Trying".into(),
            last: false,
            headers: Vec::new(),
        }
    )));
    assert_eq!(
        events(&out),
        vec![SwitchEvent::TransferRequested {
            call: call(),
            by: "ada".into(),
            target: "700".into(),
            replaces: None,
        }]
    );

    core.handle_intent(
        at(6),
        Intent::AnswerWithHold {
            id: IntentId(1),
            call: call(),
            music: true,
            code: Some("705".into()),
        },
    );
    let out = drain(&mut core);
    let sent = commands(&out);
    // Every fork the core still follows hears it (fork 0, which lost the race, too).
    assert!(sent.contains(&(
        line.clone(),
        LegCmd::Notify {
            frag: "SIP/2.0 200 OK".into(),
            last: true,
            headers: vec![("X-Park-Code".into(), "705".into())],
        }
    )));
    // The transferring phone is done: hung up and let go.
    assert!(sent.contains(&(line.clone(), LegCmd::Hangup)));
    assert!(forgotten(&out).contains(&line));
    // The caller, already answered, is not answered again: it is written to the store (it
    // outlives the process now) and hears music.
    let to_caller: Vec<&LegCmd> = sent
        .iter()
        .filter(|(a, _)| a.leg == LegId::Caller)
        .map(|(_, cmd)| cmd)
        .collect();
    assert_eq!(to_caller, vec![&LegCmd::Persist { music: true }]);
    assert_eq!(media(&out), vec![MediaCmd::Music(CALLER_STREAM)]);
    assert_eq!(core.poll_timeout(), None);
}

#[test]
fn a_refer_from_an_unknown_phone_hears_403_and_the_engine_hears_nothing() {
    let mut core = core();
    core.handle_incoming(
        at(0),
        incoming(Served::ParkExtension, Identity::Trusted(None)),
    );
    drain(&mut core);
    let caller = addr(LegId::Caller, 0);
    let out = leg_event(
        &mut core,
        at(1),
        caller.clone(),
        LegEvent::Refer {
            target: "202".into(),
            replaces: None,
            notify: true,
        },
    );
    assert_eq!(
        commands(&out),
        vec![(
            caller,
            LegCmd::Notify {
                frag: "SIP/2.0 403 Forbidden".into(),
                last: true,
                headers: Vec::new(),
            }
        )]
    );
    assert!(events(&out).is_empty());
}

#[test]
fn hold_puts_music_on_the_other_leg_and_unhold_bridges_them_again() {
    let mut core = core();
    desk_call_answered_by_fork_1(&mut core);
    let line = addr(LegId::Line, 1);
    let out = leg_event(&mut core, at(5), line.clone(), LegEvent::Hold(true));
    assert_eq!(media(&out), vec![MediaCmd::Music(CALLER_STREAM)]);
    assert_eq!(
        events(&out),
        vec![SwitchEvent::Held {
            call: call(),
            leg: LegId::Line
        }]
    );
    let out = leg_event(&mut core, at(6), line, LegEvent::Hold(false));
    assert_eq!(
        media(&out),
        vec![MediaCmd::Bridge(StreamId(11), CALLER_STREAM)]
    );
    assert_eq!(
        events(&out),
        vec![SwitchEvent::Unheld {
            call: call(),
            leg: LegId::Line
        }]
    );
}

#[test]
fn an_attended_park_leaves_the_desk_phone_its_grace_then_hangs_it_up() {
    let mut core = core();
    desk_call_answered_by_fork_1(&mut core);
    let line = addr(LegId::Line, 1);
    // The desk holds the call (and dials the park extension on another line).
    leg_event(&mut core, at(5), line.clone(), LegEvent::Hold(true));
    core.handle_intent(
        at(6),
        Intent::AnswerWithHold {
            id: IntentId(1),
            call: call(),
            music: true,
            code: Some("705".into()),
        },
    );
    let out = drain(&mut core);
    assert!(
        !commands(&out).iter().any(|(a, _)| a.leg == LegId::Line),
        "the desk phone is not hung up at once: {out:?}"
    );
    assert_eq!(media(&out), vec![MediaCmd::Music(CALLER_STREAM)]);
    assert_eq!(core.poll_timeout(), Some(at(6) + PARTING_GRACE));

    // It completes with REFER/Replaces: it hears that the call is parked, on which code.
    let out = leg_event(
        &mut core,
        at(7),
        line.clone(),
        LegEvent::Refer {
            target: "700".into(),
            replaces: Some("abc;to-tag=1;from-tag=2".into()),
            notify: true,
        },
    );
    assert!(commands(&out).contains(&(
        line.clone(),
        LegCmd::Notify {
            frag: "SIP/2.0 200 OK".into(),
            last: true,
            headers: vec![("X-Park-Code".into(), "705".into())],
        }
    )));
    assert!(events(&out).is_empty());

    // Its grace runs out on the virtual clock: not a moment early.
    core.handle_timeout(at(15));
    assert!(drain(&mut core).is_empty());
    core.handle_timeout(at(16));
    let out = drain(&mut core);
    assert!(commands(&out).contains(&(line.clone(), LegCmd::Hangup)));
    assert!(forgotten(&out).contains(&line));
    assert!(events(&out).is_empty());
    assert_eq!(core.poll_timeout(), None);
}

#[test]
fn a_desk_phone_that_hangs_up_in_its_grace_is_not_hung_up_again() {
    let mut core = core();
    desk_call_answered_by_fork_1(&mut core);
    let line = addr(LegId::Line, 1);
    leg_event(&mut core, at(5), line.clone(), LegEvent::Hold(true));
    core.handle_intent(
        at(6),
        Intent::AnswerWithHold {
            id: IntentId(1),
            call: call(),
            music: true,
            code: None,
        },
    );
    drain(&mut core);
    let out = leg_event(
        &mut core,
        at(8),
        line,
        LegEvent::Ended {
            cause: EndCause::Hangup,
        },
    );
    assert!(events(&out).is_empty(), "the call is parked, not ended");
    assert_eq!(core.poll_timeout(), None);
    core.handle_timeout(at(60));
    assert!(commands(&drain(&mut core)).is_empty());
}

#[test]
fn a_caller_who_gives_up_while_the_line_rings_cancels_the_phones() {
    let mut core = core();
    core.handle_incoming(
        at(0),
        incoming(Served::User("ada".into()), Identity::Trusted(None)),
    );
    drain(&mut core);
    let out = leg_event(
        &mut core,
        at(3),
        addr(LegId::Caller, 0),
        LegEvent::Ended {
            cause: EndCause::Hangup,
        },
    );
    let sent = commands(&out);
    assert!(sent.contains(&(addr(LegId::Line, 0), LegCmd::Hangup)));
    assert!(sent.contains(&(addr(LegId::Line, 1), LegCmd::Hangup)));
    assert_eq!(
        events(&out),
        vec![SwitchEvent::Ended {
            call: call(),
            leg: LegId::Caller,
            cause: EndCause::Hangup
        }]
    );
    assert_eq!(core.live_calls(), 0);
}

#[test]
fn a_silent_stream_gets_its_leg_probed_and_a_failed_probe_ends_it() {
    let mut core = core();
    core.handle_incoming(
        at(0),
        incoming(Served::ParkExtension, Identity::Trusted(None)),
    );
    drain(&mut core);
    core.handle_media(at(30), MediaEvent::Silent(CALLER_STREAM));
    let caller = addr(LegId::Caller, 0);
    assert_eq!(
        commands(&drain(&mut core)),
        vec![(caller.clone(), LegCmd::Probe)]
    );
    let out = leg_event(&mut core, at(35), caller.clone(), LegEvent::ProbeFailed);
    assert_eq!(commands(&out), vec![(caller, LegCmd::Hangup)]);
    assert_eq!(
        events(&out),
        vec![SwitchEvent::Ended {
            call: call(),
            leg: LegId::Caller,
            cause: EndCause::Dead
        }]
    );
}

#[test]
fn a_refused_call_is_turned_away_and_let_go_without_the_engine_hearing_of_it() {
    let mut core = core();
    core.handle_incoming(
        at(0),
        incoming(Served::Code("705".into()), Identity::Trusted(None)),
    );
    let out = drain(&mut core);
    let caller = addr(LegId::Caller, 0);
    assert_eq!(
        commands(&out),
        vec![(caller.clone(), LegCmd::Reject { code: 403 })]
    );
    assert_eq!(forgotten(&out), vec![caller]);
    assert!(events(&out).is_empty());
    assert_eq!(core.live_calls(), 0);
}

#[test]
fn a_caller_parked_before_it_is_answered_is_written_to_the_store_before_its_200_ok() {
    let mut core = core();
    core.handle_incoming(
        at(0),
        incoming(Served::ParkExtension, Identity::Trusted(None)),
    );
    drain(&mut core);
    core.handle_intent(
        at(1),
        Intent::AnswerWithHold {
            id: IntentId(1),
            call: call(),
            music: true,
            code: Some("701".into()),
        },
    );
    let sent = commands(&drain(&mut core));
    assert!(sent.contains(&(
        addr(LegId::Caller, 0),
        LegCmd::Answer {
            durable: true,
            music: true,
            asserted: None,
            headers: vec![("X-Park-Code".into(), "701".into())],
        }
    )));
}

#[test]
fn a_restored_caller_is_on_music_and_stops_being_durable_once_bridged_to_its_retriever() {
    let mut core = core();
    let restored = addr(LegId::Caller, 0);
    core.handle_restored(
        restored.clone(),
        Party {
            number: "+15550100".into(),
            name: "Charles".into(),
        },
        CALLER_STREAM,
        true,
        false,
    );
    assert_eq!(core.live_calls(), 1);
    // A retriever calls in and is bridged to the restored caller.
    let retriever = CallId("s-2".into());
    core.handle_incoming(
        at(0),
        Incoming {
            call: retriever.clone(),
            stream: StreamId(2),
            ..incoming(Served::User("ada".into()), Identity::Trusted(None))
        },
    );
    drain(&mut core);
    core.handle_intent(
        at(1),
        Intent::Bridge {
            id: IntentId(2),
            a: LegRef {
                call: call(),
                leg: LegId::Caller,
            },
            b: LegRef {
                call: retriever,
                leg: LegId::Caller,
            },
        },
    );
    let out = drain(&mut core);
    assert!(commands(&out).contains(&(restored, LegCmd::Unpersist)));
    assert!(
        media(&out)
            .iter()
            .any(|m| matches!(m, MediaCmd::Bridge(a, _) if *a == CALLER_STREAM)),
        "{:?}",
        media(&out)
    );
}
