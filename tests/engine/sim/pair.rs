//! An engine wired to the simulated switch and demo traffic on one virtual clock.
//!
//! These tests hold whatever the engine decides: they check the wiring (events reach the
//! engine at the instant they happen, the clock lands where asked, demo traffic flows).

use parkdesk::engine::clock::secs;
use parkdesk::engine::switch::{EndCause, LegId, Party, SwitchEvent};
use parkdesk::engine::{Engine, Instant};
use parkdesk::sim::{DemoDirectory, DemoTraffic, Pair, SimSwitch, demo_setup};

fn at(seconds: u64) -> Instant {
    Instant(seconds * 1000)
}

fn pair(start: Instant) -> Pair {
    let setup = demo_setup(&[("reception".into(), vec![])]);
    let switch = SimSwitch::for_setup(&setup);
    let engine = Engine::new(setup, 42, start).expect("the demo setup is valid");
    Pair::new(engine, switch, start)
}

#[test]
fn the_clock_lands_on_the_instant_asked_for() {
    let mut pair = pair(at(100));
    pair.advance(secs(90));
    assert_eq!(pair.now(), at(190));
    pair.advance_to(at(150));
    assert_eq!(pair.now(), at(190), "the clock never goes back");
}

#[test]
fn an_offer_reaches_the_engine_as_offered_then_ringing_at_that_instant() {
    let mut pair = pair(at(0));
    pair.advance(secs(12));
    let from = Party {
        number: "+442079460999".into(),
        name: "Ada Lovelace".into(),
    };
    let call = pair
        .offer(from.clone(), "reception")
        .expect("reception is a line");
    let events = pair.take_switch_events();
    assert_eq!(
        events[..2],
        [
            (
                at(12),
                SwitchEvent::Offered {
                    call: call.clone(),
                    from,
                    to: "reception".into(),
                    line: "reception".into()
                }
            ),
            (
                at(12),
                SwitchEvent::Ringing {
                    call,
                    leg: LegId::Line
                }
            ),
        ]
    );
}

#[test]
fn a_caller_hanging_up_on_the_switch_reaches_the_engine() {
    let mut pair = pair(at(0));
    let call = pair
        .offer(Party::default(), "reception")
        .expect("reception is a line");
    pair.advance(secs(5));
    pair.take_switch_events();
    pair.on_switch(|switch, now| switch.hangup(now, &call, LegId::Caller))
        .expect("the caller is there");
    assert!(pair.take_switch_events().contains(&(
        at(5),
        SwitchEvent::Ended {
            call,
            leg: LegId::Caller,
            cause: EndCause::Hangup
        }
    )));
}

#[test]
fn demo_traffic_offers_the_engine_a_reception_call_at_least_every_15_s() {
    let setup = demo_setup(&[("reception".into(), vec![])]);
    let demo = DemoTraffic::new(42, DemoDirectory::from_setup(&setup));
    let mut pair = pair(at(0)).with_demo(demo);
    pair.advance_to(at(300));
    let times: Vec<Instant> = pair
        .take_switch_events()
        .into_iter()
        .filter_map(|(t, e)| match e {
            SwitchEvent::Offered { line, .. } if line == "reception" => Some(t),
            _ => None,
        })
        .collect();
    assert!(times[0] <= at(15));
    assert!(
        times
            .windows(2)
            .all(|w| w[1].saturating_since(w[0]) <= secs(15)),
        "{times:?}"
    );
    assert!(at(300).saturating_since(*times.last().expect("calls came")) <= secs(15));
}
