//! Properties of the simulated switch under any sequence of intents, caller actions and
//! time: it never panics, bridges stay symmetric, a cancelled ring stays silent (except the
//! race phone, which answers at once), and every event names a call the switch created.

use parkdesk::engine::Instant;
use parkdesk::engine::switch::{
    CallId, FailCause, Intent, IntentId, LegId, LegRef, Party, Prompt, SwitchEvent,
};
use parkdesk::sim::{Behaviour, LegState, SimSwitch};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::time::Duration;

const PHONES: [&str; 4] = ["reception", "ben", "amara", "+15555550100"];

#[derive(Debug, Clone)]
enum Op {
    Offer {
        line: usize,
    },
    Dial {
        user: usize,
    },
    Ring {
        call: usize,
        target: usize,
    },
    SetBehaviour {
        phone: usize,
        behaviour: Behaviour,
    },
    AnswerOffered {
        phone: usize,
        on: bool,
    },
    AnswerWithHold {
        call: usize,
    },
    Bridge {
        a: (usize, usize),
        b: (usize, usize),
    },
    Cancel {
        call: usize,
        leg: usize,
    },
    Release {
        call: usize,
    },
    Hangup {
        call: usize,
        leg: usize,
    },
    Answer {
        call: usize,
        leg: usize,
    },
    Advance {
        ms: u64,
    },
}

fn behaviour() -> impl Strategy<Value = Behaviour> {
    let after = (0u64..20_000).prop_map(Duration::from_millis);
    prop_oneof![
        after.clone().prop_map(|after| Behaviour::Answer { after }),
        Just(Behaviour::Busy),
        after.clone().prop_map(|after| Behaviour::Decline { after }),
        Just(Behaviour::NoAnswer),
        Just(Behaviour::Unreachable),
        after.prop_map(|after| Behaviour::AnswerCrossingCancel { after }),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let idx = 0usize..8;
    prop_oneof![
        2 => (0..PHONES.len()).prop_map(|line| Op::Offer { line }),
        1 => (0..PHONES.len()).prop_map(|user| Op::Dial { user }),
        3 => (idx.clone(), 0..PHONES.len()).prop_map(|(call, target)| Op::Ring { call, target }),
        1 => (0..PHONES.len(), behaviour())
            .prop_map(|(phone, behaviour)| Op::SetBehaviour { phone, behaviour }),
        1 => (0..PHONES.len(), any::<bool>()).prop_map(|(phone, on)| Op::AnswerOffered { phone, on }),
        1 => idx.clone().prop_map(|call| Op::AnswerWithHold { call }),
        2 => ((idx.clone(), 0usize..6), (idx.clone(), 0usize..6))
            .prop_map(|(a, b)| Op::Bridge { a, b }),
        2 => (idx.clone(), 0usize..6).prop_map(|(call, leg)| Op::Cancel { call, leg }),
        1 => idx.clone().prop_map(|call| Op::Release { call }),
        1 => (idx.clone(), 0usize..6).prop_map(|(call, leg)| Op::Hangup { call, leg }),
        1 => (idx.clone(), 0usize..6).prop_map(|(call, leg)| Op::Answer { call, leg }),
        3 => (0u64..25_000).prop_map(|ms| Op::Advance { ms }),
    ]
}

/// The test's own memory of what it asked for.
#[derive(Default)]
struct Model {
    now: u64,
    calls: Vec<CallId>,
    rings: Vec<(CallId, IntentId)>,
    next_intent: u64,
    behaviours: HashMap<&'static str, Behaviour>,
    /// The behaviour each ringing leg started with.
    rang_with: HashMap<LegRef, Behaviour>,
    /// Legs cancelled while ringing at a phone that does not race: they must stay silent.
    silenced: HashSet<LegRef>,
}

impl Model {
    fn call(&self, i: usize) -> CallId {
        if self.calls.is_empty() {
            CallId("c-404".into())
        } else {
            self.calls[i % self.calls.len()].clone()
        }
    }

    fn leg(&self, call: usize, leg: usize) -> LegRef {
        let call = self.call(call);
        let leg = match leg {
            0 => LegId::Caller,
            1 => LegId::Line,
            n => {
                let rings: Vec<IntentId> = self
                    .rings
                    .iter()
                    .filter(|(c, _)| *c == call)
                    .map(|(_, id)| *id)
                    .collect();
                if rings.is_empty() {
                    LegId::Ring(IntentId(999))
                } else {
                    LegId::Ring(rings[n % rings.len()])
                }
            }
        };
        LegRef { call, leg }
    }

    fn behaviour(&self, phone: &str) -> Behaviour {
        self.behaviours
            .get(phone)
            .copied()
            .unwrap_or(Behaviour::Answer {
                after: Duration::from_secs(2),
            })
    }

    fn intent_id(&mut self) -> IntentId {
        self.next_intent += 1;
        IntentId(self.next_intent)
    }
}

fn apply(switch: &mut SimSwitch, model: &mut Model, op: &Op) -> Result<(), TestCaseError> {
    let now = Instant(model.now);
    match op {
        Op::Offer { line } => {
            let call = switch
                .offer(now, Party::default(), PHONES[*line])
                .expect("a named line");
            let line_leg = LegRef {
                call: call.clone(),
                leg: LegId::Line,
            };
            model
                .rang_with
                .insert(line_leg, model.behaviour(PHONES[*line]));
            model.calls.push(call);
        }
        Op::Dial { user } => {
            let call = switch
                .dial(now, PHONES[*user], "701")
                .expect("a named caller");
            model.calls.push(call);
        }
        Op::Ring { call, target } => {
            let id = model.intent_id();
            let call = model.call(*call);
            let known = switch.call(&call).is_some();
            switch.handle_intent(
                now,
                Intent::Ring {
                    id,
                    call: call.clone(),
                    target: PHONES[*target].into(),
                    display: String::new(),
                    caller_id: Party::default(),
                    alert_info: None,
                },
            );
            if known {
                model.rings.push((call.clone(), id));
                let behaviour = model.behaviour(PHONES[*target]);
                model.rang_with.insert(
                    LegRef {
                        call,
                        leg: LegId::Ring(id),
                    },
                    behaviour,
                );
            }
        }
        Op::SetBehaviour { phone, behaviour } => {
            switch.set_behaviour(PHONES[*phone], *behaviour);
            model.behaviours.insert(PHONES[*phone], *behaviour);
        }
        Op::AnswerOffered { phone, on } => switch.set_answer_offered(PHONES[*phone], *on),
        Op::AnswerWithHold { call } => {
            let id = model.intent_id();
            let call = model.call(*call);
            switch.handle_intent(
                now,
                Intent::AnswerWithHold {
                    id,
                    call,
                    music: true,
                    code: None,
                },
            );
        }
        Op::Bridge { a, b } => {
            let id = model.intent_id();
            let (a, b) = (model.leg(a.0, a.1), model.leg(b.0, b.1));
            switch.handle_intent(now, Intent::Bridge { id, a, b });
        }
        Op::Cancel { call, leg } => {
            let id = model.intent_id();
            let leg = model.leg(*call, *leg);
            let was_ringing = switch.leg(&leg).map(|l| l.state()) == Some(LegState::Ringing);
            let races = matches!(
                model.rang_with.get(&leg),
                Some(Behaviour::AnswerCrossingCancel { .. })
            );
            switch.handle_intent(
                now,
                Intent::Cancel {
                    id,
                    leg: leg.clone(),
                    reason: String::new(),
                },
            );
            let events = switch.drain_events();
            if was_ringing && races {
                prop_assert_eq!(
                    events,
                    vec![SwitchEvent::Answered {
                        call: leg.call.clone(),
                        leg: leg.leg
                    }]
                );
                prop_assert_eq!(
                    switch.leg(&leg).map(|l| l.state()),
                    Some(LegState::Connected)
                );
            } else {
                prop_assert!(events.is_empty(), "a cancel reported {:?}", events);
                prop_assert!(switch.leg(&leg).is_none());
                if was_ringing {
                    model.silenced.insert(leg);
                }
            }
        }
        Op::Release { call } => {
            let id = model.intent_id();
            let call = model.call(*call);
            switch.handle_intent(
                now,
                Intent::Release {
                    id,
                    call: call.clone(),
                    prompt: Some(Prompt::Goodbye),
                    refusal: None,
                },
            );
            prop_assert!(switch.call(&call).is_none());
        }
        Op::Hangup { call, leg } => {
            let leg = model.leg(*call, *leg);
            let existed = switch.leg(&leg).is_some();
            prop_assert_eq!(switch.hangup(now, &leg.call, leg.leg).is_ok(), existed);
        }
        Op::Answer { call, leg } => {
            let leg = model.leg(*call, *leg);
            let ringing = switch.leg(&leg).map(|l| l.state()) == Some(LegState::Ringing);
            prop_assert_eq!(switch.answer(now, &leg.call, leg.leg).is_ok(), ringing);
        }
        Op::Advance { ms } => {
            model.now += ms;
            switch.handle_timeout(Instant(model.now));
            if let Some(next) = switch.poll_timeout() {
                prop_assert!(next > Instant(model.now), "a due action was left behind");
            }
        }
    }
    Ok(())
}

fn check_events(
    switch: &SimSwitch,
    model: &Model,
    events: &[SwitchEvent],
) -> Result<(), TestCaseError> {
    let created: BTreeSet<&CallId> = model.calls.iter().collect();
    let rings: BTreeMap<IntentId, &CallId> = model.rings.iter().map(|(c, id)| (*id, c)).collect();
    for event in events {
        match event {
            SwitchEvent::Offered { call, .. }
            | SwitchEvent::Ringing { call, .. }
            | SwitchEvent::Ended { call, .. }
            | SwitchEvent::Dialed { call, .. }
            | SwitchEvent::Held { call, .. }
            | SwitchEvent::Unheld { call, .. }
            | SwitchEvent::Dtmf { call, .. }
            | SwitchEvent::TransferRequested { call, .. }
            | SwitchEvent::ParkArrived { call, .. } => {
                prop_assert!(
                    created.contains(call),
                    "event for unknown call: {:?}",
                    event
                )
            }
            SwitchEvent::Answered { call, leg } => {
                prop_assert!(created.contains(call));
                let leg = LegRef {
                    call: call.clone(),
                    leg: *leg,
                };
                prop_assert!(
                    !model.silenced.contains(&leg),
                    "a cancelled ring answered: {:?}",
                    leg
                );
                prop_assert_eq!(
                    switch.leg(&leg).map(|l| l.state()),
                    Some(LegState::Connected)
                );
            }
            SwitchEvent::Failed { id, leg, cause } => {
                prop_assert_eq!(*leg, LegId::Ring(*id));
                prop_assert!(
                    rings.contains_key(id),
                    "failure for an intent never rung: {:?}",
                    id
                );
                if let Some(call) = rings.get(id) {
                    let leg = LegRef {
                        call: (*call).clone(),
                        leg: *leg,
                    };
                    prop_assert!(!model.silenced.contains(&leg), "a cancelled ring failed");
                    prop_assert!(switch.leg(&leg).is_none(), "a failed leg is gone");
                }
                prop_assert!(
                    *cause != FailCause::NoAnswer,
                    "the switch never times a ring out"
                );
            }
        }
    }
    Ok(())
}

fn check_switch(switch: &SimSwitch) -> Result<(), TestCaseError> {
    for call in switch.calls() {
        prop_assert!(
            !call.legs().is_empty(),
            "a call without legs stays on the switch"
        );
        for leg in call.legs() {
            if let Some(peer) = leg.peer() {
                let here = LegRef {
                    call: call.id().clone(),
                    leg: leg.id(),
                };
                let back = switch.leg(peer).and_then(|p| p.peer().cloned());
                prop_assert_eq!(back, Some(here), "bridges are symmetric");
                prop_assert_eq!(leg.state(), LegState::Connected);
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_switch_stays_consistent_under_any_sequence_of_inputs(ops in prop::collection::vec(op(), 1..60)) {
        let mut switch = SimSwitch::new();
        let mut model = Model::default();
        for op in &ops {
            apply(&mut switch, &mut model, op)?;
            let events = switch.drain_events();
            check_events(&switch, &model, &events)?;
            check_switch(&switch)?;
        }
    }

    #[test]
    fn the_same_inputs_give_the_same_events(ops in prop::collection::vec(op(), 1..40)) {
        let run = |ops: &[Op]| {
            let mut switch = SimSwitch::new();
            let mut model = Model::default();
            let mut all = Vec::new();
            for op in ops {
                let _ = apply(&mut switch, &mut model, op);
                all.extend(switch.drain_events());
            }
            all
        };
        prop_assert_eq!(run(&ops), run(&ops));
    }
}
