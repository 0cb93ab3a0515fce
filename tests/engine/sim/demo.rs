//! Demo traffic on the simulated switch: seeded, regular at reception, capped, realistic,
//! and never touching a call it did not create.
//!
//! The engine core is not part of these tests: a small fake desk plays its part where one
//! is needed (parks reception calls, hands out codes, connects a dialled code).

use parkdesk::engine::Instant;
use parkdesk::engine::clock::secs;
use parkdesk::engine::events::{Detail, EngineEvent, EventName, Subject};
use parkdesk::engine::objects::{ParkOutcome, ParkState, Parked};
use parkdesk::engine::switch::{
    CallId, EndCause, Intent, IntentId, LegId, LegRef, Party, SwitchEvent,
};
use parkdesk::sim::{Behaviour, DemoDirectory, DemoTraffic, LegState, SimSwitch, demo_setup};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

fn at(seconds: u64) -> Instant {
    Instant(seconds * 1000)
}

fn minutes(n: u64) -> Instant {
    at(n * 60)
}

/// Plays the engine's part, crudely: parks what rings at reception after a while, connects
/// a dialled code to its parked call, and tells the demo what happened.
#[derive(Default)]
struct FakeDesk {
    park_after: Option<Duration>,
    /// Calls to park, when.
    to_park: Vec<(Instant, CallId)>,
    /// Parked calls by code.
    parked: BTreeMap<String, CallId>,
    next_code: u32,
    next_intent: u64,
    /// Every (when, code, call) handed out.
    history: Vec<(Instant, String, CallId)>,
}

impl FakeDesk {
    fn parking_after(delay: Duration) -> FakeDesk {
        FakeDesk {
            park_after: Some(delay),
            next_code: 701,
            ..FakeDesk::default()
        }
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.to_park.iter().map(|(t, _)| *t).min()
    }

    fn intent(&mut self) -> IntentId {
        self.next_intent += 1;
        IntentId(self.next_intent)
    }

    fn parked_view(code: &str, call: &CallId, now: Instant) -> Parked {
        Parked {
            code: code.into(),
            spoken: String::new(),
            range: "main".into(),
            call: call.clone(),
            caller: Party::default(),
            parked_by: "reception".into(),
            for_note: None,
            policy: "global".into(),
            parked_at: now,
            expires_at: now + secs(300),
            state: ParkState::Parked,
            ringback: 0,
            ringbacks_max: 1,
        }
    }

    fn handle_timeout(&mut self, now: Instant, switch: &mut SimSwitch, demo: &mut DemoTraffic) {
        let due: Vec<CallId> = self
            .to_park
            .iter()
            .filter(|(t, _)| *t <= now)
            .map(|(_, c)| c.clone())
            .collect();
        self.to_park.retain(|(t, _)| *t > now);
        for call in due {
            if switch.leg_state(&call, LegId::Line) != Some(LegState::Ringing) {
                continue;
            }
            let id = self.intent();
            switch.handle_intent(
                now,
                Intent::AnswerWithHold {
                    id,
                    call: call.clone(),
                    music: true,
                    code: None,
                },
            );
            let code = self.free_code();
            self.parked.insert(code.clone(), call.clone());
            self.history.push((now, code.clone(), call.clone()));
            demo.observe(
                now,
                &EngineEvent {
                    name: EventName::ParkStarted,
                    subject: Subject::Parked(Self::parked_view(&code, &call, now)),
                    detail: Detail::default(),
                },
            );
        }
    }

    fn free_code(&mut self) -> String {
        loop {
            let code = self.next_code.to_string();
            self.next_code = if self.next_code >= 799 {
                701
            } else {
                self.next_code + 1
            };
            if !self.parked.contains_key(&code) {
                return code;
            }
        }
    }

    fn end_park(&mut self, now: Instant, code: &str, outcome: ParkOutcome, demo: &mut DemoTraffic) {
        if let Some(call) = self.parked.remove(code) {
            demo.observe(
                now,
                &EngineEvent {
                    name: EventName::ParkEnded,
                    subject: Subject::Parked(Self::parked_view(code, &call, now)),
                    detail: Detail {
                        outcome: Some(outcome),
                        ..Detail::default()
                    },
                },
            );
        }
    }

    fn on_event(
        &mut self,
        now: Instant,
        event: &SwitchEvent,
        switch: &mut SimSwitch,
        demo: &mut DemoTraffic,
    ) {
        match event {
            SwitchEvent::Offered { call, line, .. } if line == "reception" => {
                if let Some(delay) = self.park_after {
                    self.to_park.push((now + delay, call.clone()));
                }
            }
            SwitchEvent::Dialed { call, number, .. } => match self.parked.get(number).cloned() {
                Some(parked) => {
                    let id = self.intent();
                    switch.handle_intent(
                        now,
                        Intent::Bridge {
                            id,
                            a: LegRef {
                                call: parked,
                                leg: LegId::Caller,
                            },
                            b: LegRef {
                                call: call.clone(),
                                leg: LegId::Caller,
                            },
                        },
                    );
                    self.end_park(now, number, ParkOutcome::Retrieved, demo);
                }
                None => {
                    let id = self.intent();
                    switch.handle_intent(
                        now,
                        Intent::Release {
                            id,
                            call: call.clone(),
                            prompt: None,
                            refusal: None,
                        },
                    );
                }
            },
            SwitchEvent::Ended {
                call,
                leg: LegId::Caller,
                ..
            } => {
                let code = self
                    .parked
                    .iter()
                    .find(|(_, c)| *c == call)
                    .map(|(k, _)| k.clone());
                if let Some(code) = code {
                    self.end_park(now, &code, ParkOutcome::Abandoned, demo);
                    let id = self.intent();
                    switch.handle_intent(
                        now,
                        Intent::Release {
                            id,
                            call: call.clone(),
                            prompt: None,
                            refusal: None,
                        },
                    );
                }
            }
            _ => {}
        }
    }
}

/// A check run after every step of a [`Run`].
type Watch = Box<dyn FnMut(&Run)>;

/// The demo, the switch and optionally a fake desk, driven on one virtual clock.
struct Run {
    demo: DemoTraffic,
    switch: SimSwitch,
    desk: Option<FakeDesk>,
    now: Instant,
    log: Vec<(Instant, SwitchEvent)>,
    /// Checked after every step.
    watch: Option<Watch>,
}

impl Run {
    fn new(seed: u64, desk: Option<FakeDesk>) -> Run {
        let setup = demo_setup(&[("reception".into(), vec![])]);
        Run {
            demo: DemoTraffic::new(seed, DemoDirectory::from_setup(&setup)),
            switch: SimSwitch::for_setup(&setup),
            desk,
            now: Instant::ZERO,
            log: Vec::new(),
            watch: None,
        }
    }

    fn until(&mut self, until: Instant) {
        loop {
            let next = [
                self.demo.poll_timeout(),
                self.switch.poll_timeout(),
                self.desk.as_ref().and_then(FakeDesk::poll_timeout),
            ]
            .into_iter()
            .flatten()
            .min();
            let Some(next) = next.filter(|t| *t <= until) else {
                self.now = until;
                return;
            };
            self.now = self.now.max(next);
            let now = self.now;
            if self.demo.poll_timeout().is_some_and(|t| t <= now) {
                self.demo.handle_timeout(now, &mut self.switch);
            }
            self.pump();
            if self.switch.poll_timeout().is_some_and(|t| t <= now) {
                self.switch.handle_timeout(now);
            }
            self.pump();
            if let Some(desk) = self.desk.as_mut()
                && desk.poll_timeout().is_some_and(|t| t <= now)
            {
                desk.handle_timeout(now, &mut self.switch, &mut self.demo);
            }
            self.pump();
            if let Some(mut watch) = self.watch.take() {
                watch(self);
                self.watch = Some(watch);
            }
        }
    }

    fn pump(&mut self) {
        while let Some(event) = self.switch.poll_event() {
            if let Some(desk) = self.desk.as_mut() {
                desk.on_event(self.now, &event, &mut self.switch, &mut self.demo);
            }
            self.log.push((self.now, event));
        }
    }

    fn offers(&self) -> Vec<(Instant, CallId, Party, String)> {
        self.log
            .iter()
            .filter_map(|(t, e)| match e {
                SwitchEvent::Offered {
                    call, from, line, ..
                } => Some((*t, call.clone(), from.clone(), line.clone())),
                _ => None,
            })
            .collect()
    }

    fn reception_offer_times(&self) -> Vec<Instant> {
        self.offers()
            .into_iter()
            .filter(|o| o.3 == "reception")
            .map(|o| o.0)
            .collect()
    }
}

#[test]
fn the_same_seed_gives_the_same_traffic_over_five_minutes() {
    let traffic = |seed| {
        let mut run = Run::new(seed, Some(FakeDesk::parking_after(secs(6))));
        run.until(minutes(5));
        run.log
    };
    let first = traffic(42);
    let offers = first
        .iter()
        .filter(|(_, e)| matches!(e, SwitchEvent::Offered { .. }))
        .count();
    assert!(
        offers >= 20,
        "five minutes bring at least twenty calls, got {offers}"
    );
    assert_eq!(first, traffic(42));
    assert_ne!(first, traffic(43), "another seed, other traffic");
}

#[test]
fn a_call_rings_reception_within_15_s_of_start_and_at_least_every_15_s() {
    for seed in 0..12 {
        for desk in [None, Some(FakeDesk::parking_after(secs(4)))] {
            let mut run = Run::new(seed, desk);
            run.until(minutes(30));
            let times = run.reception_offer_times();
            assert!(times[0] <= at(15), "seed {seed}: first at {times:?}");
            for pair in times.windows(2) {
                let gap = pair[1].saturating_since(pair[0]);
                assert!(
                    gap <= secs(15),
                    "seed {seed}: gap of {gap:?} at {:?}",
                    pair[0]
                );
                assert!(
                    gap >= secs(4),
                    "seed {seed}: calls bunch up at {:?}",
                    pair[0]
                );
            }
            let last = *times.last().unwrap();
            assert!(minutes(30).saturating_since(last) <= secs(15));
        }
    }
}

#[test]
fn a_demo_started_late_still_rings_reception_within_15_s() {
    let mut run = Run::new(5, None);
    run.now = minutes(17);
    run.until(minutes(18));
    let times = run.reception_offer_times();
    assert!(
        times[0] > minutes(17) && times[0] <= minutes(17) + secs(15),
        "{times:?}"
    );
}

#[test]
fn the_reception_phone_answers_what_rings_it_in_two_seconds() {
    let mut run = Run::new(1, None);
    run.until(at(1));
    assert_eq!(
        run.switch.behaviour("reception"),
        Behaviour::Answer { after: secs(2) }
    );
    assert!(
        !run.switch.answers_offered("reception"),
        "the receptionist decides on offers"
    );
}

#[test]
fn at_most_six_demo_callers_ring_at_reception_at_once() {
    let mut run = Run::new(9, None);
    let most = std::rc::Rc::new(std::cell::Cell::new(0usize));
    let seen = most.clone();
    run.watch = Some(Box::new(move |run: &Run| {
        let ringing = run
            .switch
            .calls()
            .iter()
            .filter(|c| c.to() == "reception")
            .filter(|c| c.leg(LegId::Caller).map(|l| l.state()) == Some(LegState::Calling))
            .count();
        assert!(
            ringing <= 6,
            "{ringing} ringing at reception at {:?}",
            run.now
        );
        seen.set(seen.get().max(ringing));
    }));
    run.until(minutes(30));
    assert!(
        most.get() >= 3,
        "an unattended desk fills up: at most {} rang",
        most.get()
    );
}

#[test]
fn callers_give_up_while_ringing_when_nobody_takes_the_call() {
    let mut run = Run::new(3, None);
    run.until(minutes(20));
    let offered: BTreeMap<CallId, Instant> = run
        .offers()
        .into_iter()
        .filter(|o| o.3 == "reception")
        .map(|o| (o.1, o.0))
        .collect();
    let mut abandoned = 0;
    for (t, event) in &run.log {
        if let SwitchEvent::Ended {
            call,
            leg: LegId::Caller,
            cause: EndCause::Hangup,
        } = event
            && let Some(start) = offered.get(call)
        {
            abandoned += 1;
            assert!(
                t.saturating_since(*start) <= secs(75),
                "{call} waited too long"
            );
        }
    }
    assert!(
        abandoned >= offered.len() - 6,
        "{abandoned} of {} gave up",
        offered.len()
    );
}

#[test]
fn colleagues_retrieve_parked_calls_by_dialling_their_codes() {
    let mut run = Run::new(11, Some(FakeDesk::parking_after(secs(5))));
    run.until(minutes(20));
    let desk = run.desk.as_ref().unwrap();
    let colleagues = run.demo.directory().colleagues.clone();
    let handed_out: BTreeSet<&String> = desk.history.iter().map(|(_, code, _)| code).collect();
    let mut retrieves = 0;
    for (_, event) in &run.log {
        if let SwitchEvent::Dialed { caller, number, .. } = event
            && handed_out.contains(number)
        {
            retrieves += 1;
            assert!(colleagues.contains(caller), "{caller} is not a colleague");
        }
    }
    assert!(
        retrieves >= 10,
        "only {retrieves} retrieves in twenty minutes"
    );
    let abandoned_parked = run
        .log
        .iter()
        .filter(|(_, e)| {
            matches!(
                e,
                SwitchEvent::Ended {
                    leg: LegId::Caller,
                    ..
                }
            )
        })
        .count();
    assert!(abandoned_parked > 0, "some callers hang up");
}

#[test]
fn a_retrieving_colleague_talks_and_then_hangs_up() {
    let mut run = Run::new(11, Some(FakeDesk::parking_after(secs(5))));
    run.until(minutes(20));
    let dials: Vec<(Instant, CallId)> = run
        .log
        .iter()
        .filter_map(|(t, e)| match e {
            SwitchEvent::Dialed { call, number, .. }
                if number.starts_with('7') && number != "700" =>
            {
                Some((*t, call.clone()))
            }
            _ => None,
        })
        .filter(|(t, _)| *t < minutes(18))
        .collect();
    assert!(dials.len() >= 10);
    for (dialled_at, call) in dials {
        let ended = run.log.iter().find_map(|(t, e)| match e {
            SwitchEvent::Ended {
                call: c,
                leg: LegId::Caller,
                cause: EndCause::Hangup,
            } if *c == call => Some(*t),
            _ => None,
        });
        let ended =
            ended.unwrap_or_else(|| panic!("{call} dialled at {dialled_at:?} never hung up"));
        let talked = ended.saturating_since(dialled_at);
        assert!(
            talked >= secs(20) && talked <= secs(90),
            "{call} talked {talked:?}"
        );
    }
}

#[test]
fn group_calls_ring_at_members_and_are_answered_picked_up_or_abandoned() {
    let mut run = Run::new(21, None);
    run.until(minutes(60));
    let colleagues = run.demo.directory().colleagues.clone();
    let group_calls: BTreeSet<CallId> = run
        .offers()
        .into_iter()
        .filter(|o| colleagues.contains(&o.3))
        .map(|o| o.1)
        .collect();
    assert!(
        group_calls.len() >= 40,
        "only {} group calls in an hour",
        group_calls.len()
    );
    let answered = run
        .log
        .iter()
        .filter(|(_, e)| matches!(e, SwitchEvent::Answered { call, leg: LegId::Line } if group_calls.contains(call)))
        .count();
    let abandoned = run
        .log
        .iter()
        .filter(|(_, e)| matches!(e, SwitchEvent::Ended { call, leg: LegId::Caller, .. } if group_calls.contains(call)))
        .count();
    let pickups = run
        .log
        .iter()
        .filter(|(_, e)| matches!(e, SwitchEvent::Dialed { number, .. } if number == "880" || number == "881"))
        .count();
    assert!(
        answered > 0 && abandoned > 0 && pickups > 0,
        "{answered} {abandoned} {pickups}"
    );
}

#[test]
fn members_park_calls_from_the_phone_by_transfer_or_by_hold_and_dial() {
    let mut run = Run::new(21, None);
    run.until(minutes(60));
    let offers = run.offers();
    let line_of = |call: &CallId| offers.iter().find(|o| o.1 == *call).map(|o| o.3.clone());
    let mut transfers = 0;
    let mut hold_and_dial = 0;
    for (i, (t, event)) in run.log.iter().enumerate() {
        match event {
            SwitchEvent::TransferRequested {
                call,
                by,
                target,
                replaces: None,
            } => {
                assert_eq!(target, "700");
                assert_eq!(
                    line_of(call).as_ref(),
                    Some(by),
                    "the member the call rang for"
                );
                transfers += 1;
            }
            SwitchEvent::Held {
                call,
                leg: LegId::Line,
            } => {
                let member = line_of(call).expect("a demo call");
                let next = &run.log[i + 1];
                assert!(
                    matches!(&next.1, SwitchEvent::Dialed { caller, number, .. } if *caller == member && number == "700"),
                    "hold is followed by dialling the park extension: {next:?}"
                );
                assert_eq!(next.0, *t);
                hold_and_dial += 1;
            }
            _ => {}
        }
    }
    assert!(
        transfers > 0 && hold_and_dial > 0,
        "{transfers} transfers, {hold_and_dial} holds"
    );
}

#[test]
fn the_demo_never_touches_calls_it_did_not_create() {
    for seed in [1, 2, 3, 4] {
        let mut run = Run::new(seed, Some(FakeDesk::parking_after(secs(5))));
        // Calls offered another way (sim.offer): one ringing at reception (which the fake
        // desk parks, so the demo sees its code), one ringing at a pickup-group member.
        let at_reception = run
            .switch
            .offer(at(0), Party::default(), "reception")
            .unwrap();
        let at_member = run.switch.offer(at(0), Party::default(), "amara").unwrap();
        run.pump();
        run.until(minutes(20));
        let foreign = [at_reception.clone(), at_member.clone()];
        assert!(foreign.iter().all(|call| !run.demo.is_own(call)));
        let foreign_codes: BTreeSet<String> = run
            .desk
            .as_ref()
            .unwrap()
            .history
            .iter()
            .filter(|(_, _, call)| foreign.contains(call))
            .map(|(_, code, _)| code.clone())
            .collect();
        assert!(
            !foreign_codes.is_empty(),
            "seed {seed}: the foreign call was parked"
        );
        for (t, event) in &run.log {
            match event {
                SwitchEvent::Offered { .. } | SwitchEvent::Ringing { .. } => {}
                SwitchEvent::Dialed { number, .. } => {
                    // The foreign parked call keeps its code (nobody retrieves it), and the
                    // member's group has a foreign call ringing all along.
                    assert!(
                        !foreign_codes.contains(number),
                        "seed {seed}: dialled {number} at {t:?}"
                    );
                    assert_ne!(
                        number, "880",
                        "seed {seed}: a pickup could take the foreign call"
                    );
                }
                SwitchEvent::Answered { call, .. }
                | SwitchEvent::Ended { call, .. }
                | SwitchEvent::Held { call, .. }
                | SwitchEvent::Unheld { call, .. }
                | SwitchEvent::Dtmf { call, .. }
                | SwitchEvent::TransferRequested { call, .. }
                | SwitchEvent::ParkArrived { call, .. } => {
                    assert!(!foreign.contains(call), "seed {seed}: {event:?}");
                }
                SwitchEvent::Failed { .. } => {}
            }
        }
        assert_eq!(
            run.switch.leg_state(&at_reception, LegId::Caller),
            Some(LegState::Parked { music: true })
        );
        assert_eq!(
            run.switch.leg_state(&at_member, LegId::Line),
            Some(LegState::Ringing)
        );
    }
}

#[test]
fn the_demo_keeps_the_switch_readable_over_an_hour() {
    let mut run = Run::new(8, Some(FakeDesk::parking_after(secs(3))));
    run.watch = Some(Box::new(|run: &Run| {
        let parked = run.switch.parked_legs().len();
        assert!(parked <= 14, "{parked} parked at {:?}", run.now);
        assert!(
            run.switch.calls().len() <= 45,
            "{} calls at {:?}",
            run.switch.calls().len(),
            run.now
        );
    }));
    run.until(minutes(60));
}

#[test]
fn the_demo_forgets_a_code_another_call_now_holds() {
    let mut run = Run::new(2, Some(FakeDesk::parking_after(secs(3))));
    run.until(at(30));
    let desk = run.desk.as_ref().unwrap();
    let (_, code, own) = desk.history.first().cloned().unwrap();
    assert_eq!(run.demo.code_of(&own), Some(code.as_str()));
    let stranger = CallId("c-900".into());
    run.demo.observe(
        run.now,
        &EngineEvent {
            name: EventName::ParkStarted,
            subject: Subject::Parked(FakeDesk::parked_view(&code, &stranger, run.now)),
            detail: Detail::default(),
        },
    );
    assert_eq!(run.demo.code_of(&own), None);
    assert_eq!(
        run.demo.code_of(&stranger),
        None,
        "and learns nothing about the stranger"
    );
}
