//! The simulated switch: phones that ring, answer, refuse and race, serving the engine's
//! switch boundary until real SIP does.
//!
//! Sans-IO like the engine: every input carries `now`, output is drained with
//! [`SimSwitch::poll_event`], and the driver calls [`SimSwitch::handle_timeout`] when
//! [`SimSwitch::poll_timeout`] is due. The switch never reads a clock and has no randomness.
//!
//! # What the switch reports, and what it does not
//!
//! - A phone's own doings become events: a ring (`Ringing`), an answer (`Answered`), a
//!   refusal (`Failed`), a party hanging up or a dead leg (`Ended`), hold, DTMF, transfer
//!   requests and dialled numbers.
//! - The engine's own orders are carried out silently: `Cancel` and `Release` emit nothing
//!   back (the engine knows it ended those legs), `AnswerWithHold`, `Bridge` and `Play` are
//!   bookkeeping. The one exception is the race phone ([`Behaviour::AnswerCrossingCancel`]),
//!   whose answer still arrives after a `Cancel`.
//! - Busy and unreachable phones fail at once without ringing (a SIP 486 or 480 arrives
//!   without a 180); declining phones ring first.
//! - When a call's `Line` leg answers while its caller still waits, the caller is connected
//!   to it (that is the call the line was offered); legs the engine created with `Ring` are
//!   connected only by a `Bridge`.
//! - A leg ending does not end its peer: the engine decides what happens to the other side.
//!   The one exception is the switch's own line: when the caller of an offered call goes,
//!   the line still ringing for it, or talking to it, stops too (only the caller's `Ended`
//!   is reported, as a PBX cancels the line itself). A call leaves the switch when its last
//!   leg ends.
//! - An intent for an unknown call or leg is ignored and logged at debug level.

use super::call::{Leg, LegState, SimCall};
use super::phone::{Behaviour, PhoneBook, RingOutcome};
use super::schedule::Schedule;
use crate::engine::directory::Group;
use crate::engine::switch::{CallId, FailCause, IntentId, LegId, LegRef, Prompt, SwitchEvent};
use crate::engine::{EngineSetup, Instant};
use std::collections::VecDeque;
use std::time::Duration;

/// How many released calls the switch remembers for inspection.
const RELEASED_KEPT: usize = 256;

/// Something a phone does later on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PhoneAction {
    /// The phone on this leg answers.
    Answer(LegRef),
    /// The phone rung by `Ring` intent `id` refuses.
    Fail {
        /// The call.
        call: CallId,
        /// The intent whose leg fails.
        id: IntentId,
        /// Why.
        cause: FailCause,
    },
}

impl PhoneAction {
    pub(crate) fn concerns(&self, leg: &LegRef) -> bool {
        match self {
            PhoneAction::Answer(own) => own == leg,
            PhoneAction::Fail { call, id, .. } => *call == leg.call && leg.leg == LegId::Ring(*id),
        }
    }

    pub(crate) fn concerns_call(&self, call: &CallId) -> bool {
        match self {
            PhoneAction::Answer(own) => own.call == *call,
            PhoneAction::Fail { call: own, .. } => own == call,
        }
    }
}

/// The simulated switch. See the module docs for what it reports.
#[derive(Debug, Clone)]
pub struct SimSwitch {
    pub(crate) phones: PhoneBook,
    /// Calls up, in the order they reached the switch.
    pub(crate) calls: Vec<SimCall>,
    pub(crate) next_call: u64,
    pub(crate) events: VecDeque<SwitchEvent>,
    pub(crate) timers: Schedule<PhoneAction>,
    pub(crate) released: VecDeque<(CallId, Option<Prompt>)>,
    /// The latest `now` any input carried: when the queued events happened.
    pub(crate) now: Instant,
}

impl Default for SimSwitch {
    fn default() -> Self {
        SimSwitch::new()
    }
}

impl SimSwitch {
    /// A switch whose phones answer in 2 s unless told otherwise, knowing no groups.
    pub fn new() -> Self {
        SimSwitch {
            phones: PhoneBook::new(Behaviour::Answer {
                after: Duration::from_secs(2),
            }),
            calls: Vec::new(),
            next_call: 1,
            events: VecDeque::new(),
            timers: Schedule::default(),
            released: VecDeque::new(),
            now: Instant::ZERO,
        }
    }

    /// A switch knowing the setup's groups, so a `Ring` at a group reaches a member.
    pub fn for_setup(setup: &EngineSetup) -> Self {
        let mut switch = SimSwitch::new();
        switch.set_groups(&setup.groups);
        switch
    }

    /// Numbers the next call the switch creates `c-{first}` (then on up): a new run goes on
    /// past the ids the runs before it handed out.
    pub fn number_calls_from(&mut self, first: u64) {
        self.next_call = first.max(1);
    }

    /// The number the next call's id will carry.
    pub fn next_call_number(&self) -> u64 {
        self.next_call
    }

    /// Replaces the groups a ring target may name (by id or number). A ring at a group
    /// rings its first member; at a group without members it fails `unreachable`.
    pub fn set_groups(&mut self, groups: &[Group]) {
        self.phones.set_groups(groups);
    }

    /// Sets how `phone` (a user id or a number) treats the calls that ring it from now on.
    pub fn set_behaviour(&mut self, phone: &str, behaviour: Behaviour) {
        self.phones.set_behaviour(phone, behaviour);
    }

    /// Makes `phone` follow the default behaviour again.
    pub fn clear_behaviour(&mut self, phone: &str) {
        self.phones.clear_behaviour(phone);
    }

    /// Sets the behaviour of every phone without one of its own.
    pub fn set_default_behaviour(&mut self, behaviour: Behaviour) {
        self.phones.set_default_behaviour(behaviour);
    }

    /// Whether `phone` answers calls offered to its line on its own (default false: the
    /// person at the desk, or the engine, decides). Only an answering behaviour answers.
    pub fn set_answer_offered(&mut self, phone: &str, answer: bool) {
        self.phones.set_answer_offered(phone, answer);
    }

    /// How `phone` treats the calls that ring it.
    pub fn behaviour(&self, phone: &str) -> Behaviour {
        self.phones.behaviour(phone)
    }

    /// The behaviour of phones without one of their own.
    pub fn default_behaviour(&self) -> Behaviour {
        self.phones.default_behaviour()
    }

    /// Whether `phone` answers calls offered to its line on its own.
    pub fn answers_offered(&self, phone: &str) -> bool {
        self.phones.answers_offered(phone)
    }

    // ---- output -------------------------------------------------------------------------

    /// The next call event for the engine, or `None` when drained.
    pub fn poll_event(&mut self) -> Option<SwitchEvent> {
        self.events.pop_front()
    }

    /// When a phone next does something on its own ([`SimSwitch::handle_timeout`] is due).
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.next_due()
    }

    /// Time passed: every phone action due at `now` happens, in the order it was planned.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.saw(now);
        while let Some((at, action)) = self.timers.pop_due(now) {
            self.perform(at, action);
        }
    }

    /// Drains every queued event.
    pub fn drain_events(&mut self) -> Vec<SwitchEvent> {
        self.events.drain(..).collect()
    }

    /// Runs the phones alone up to `until` and returns every event with the instant it
    /// happened: those already queued (at the latest input's time), then each due action's.
    /// For tests and tools that play the engine's part by hand.
    pub fn advance_to(&mut self, until: Instant) -> Vec<(Instant, SwitchEvent)> {
        let mut out: Vec<(Instant, SwitchEvent)> = self
            .events
            .drain(..)
            .map(|event| (self.now, event))
            .collect();
        while let Some(at) = self.timers.next_due().filter(|at| *at <= until) {
            self.handle_timeout(at);
            out.extend(self.events.drain(..).map(|event| (at, event)));
        }
        self.saw(until);
        out
    }

    // ---- inspection ---------------------------------------------------------------------

    /// Every call up on the switch, in the order it arrived.
    pub fn calls(&self) -> &[SimCall] {
        &self.calls
    }

    /// The ids of the calls up on the switch, in the order they arrived.
    pub fn active_calls(&self) -> Vec<CallId> {
        self.calls.iter().map(|call| call.id.clone()).collect()
    }

    /// A call, if it is up.
    pub fn call(&self, call: &CallId) -> Option<&SimCall> {
        self.calls.iter().find(|c| c.id == *call)
    }

    /// A leg, if it is up.
    pub fn leg(&self, leg: &LegRef) -> Option<&Leg> {
        self.call(&leg.call)?.leg(leg.leg)
    }

    /// A leg's state, if it is up.
    pub fn leg_state(&self, call: &CallId, leg: LegId) -> Option<LegState> {
        Some(self.call(call)?.leg(leg)?.state)
    }

    /// The leg `leg` is bridged to, if any.
    pub fn peer_of(&self, leg: &LegRef) -> Option<LegRef> {
        self.leg(leg)?.peer.clone()
    }

    /// Every leg in a state matching `wanted`, call by call.
    pub fn legs_where(&self, wanted: impl Fn(LegState) -> bool) -> Vec<LegRef> {
        self.calls
            .iter()
            .flat_map(|call| {
                call.legs
                    .iter()
                    .filter(|leg| wanted(leg.state))
                    .map(|leg| LegRef {
                        call: call.id.clone(),
                        leg: leg.id,
                    })
            })
            .collect()
    }

    /// Legs whose phone is ringing.
    pub fn ringing_legs(&self) -> Vec<LegRef> {
        self.legs_where(|state| state == LegState::Ringing)
    }

    /// Legs that are up and talking (not held, not parked).
    pub fn connected_legs(&self) -> Vec<LegRef> {
        self.legs_where(|state| state == LegState::Connected)
    }

    /// Legs on hold by their party.
    pub fn held_legs(&self) -> Vec<LegRef> {
        self.legs_where(|state| state == LegState::Held)
    }

    /// Caller legs the engine holds after `AnswerWithHold`.
    pub fn parked_legs(&self) -> Vec<LegRef> {
        self.legs_where(|state| matches!(state, LegState::Parked { .. }))
    }

    /// The calls the engine released, most recent last (the last 256), with the prompt
    /// played before the release.
    pub fn released(&self) -> impl Iterator<Item = (&CallId, Option<&Prompt>)> {
        self.released
            .iter()
            .map(|(call, prompt)| (call, prompt.as_ref()))
    }

    // ---- internals shared by intents and caller actions ---------------------------------

    pub(crate) fn saw(&mut self, now: Instant) {
        self.now = self.now.max(now);
    }

    pub(crate) fn new_call_id(&mut self) -> CallId {
        let id = CallId(format!("c-{}", self.next_call));
        self.next_call += 1;
        id
    }

    pub(crate) fn call_mut(&mut self, call: &CallId) -> Option<&mut SimCall> {
        self.calls.iter_mut().find(|c| c.id == *call)
    }

    pub(crate) fn leg_mut(&mut self, leg: &LegRef) -> Option<&mut Leg> {
        self.call_mut(&leg.call)?.leg_mut(leg.leg)
    }

    /// Plans what a phone that starts ringing on `leg` does by itself.
    pub(crate) fn plan_ring(&mut self, now: Instant, leg: LegRef, behaviour: Behaviour) {
        let Some((after, outcome)) = behaviour.outcome() else {
            return;
        };
        let action = match (outcome, leg.leg) {
            (RingOutcome::Answer, _) => PhoneAction::Answer(leg),
            (RingOutcome::Fail(cause), LegId::Ring(id)) => PhoneAction::Fail {
                call: leg.call,
                id,
                cause,
            },
            // Only engine-created legs fail with an intent id; a line simply keeps ringing.
            (RingOutcome::Fail(_), _) => return,
        };
        self.timers.push(now + after, action);
    }

    /// Sets two legs talking to each other, unhooking whatever each talked to before.
    pub(crate) fn connect(&mut self, now: Instant, a: &LegRef, b: &LegRef) {
        self.unhook(a);
        self.unhook(b);
        for (this, other) in [(a, b), (b, a)] {
            if let Some(leg) = self.leg_mut(this) {
                leg.state = LegState::Connected;
                leg.peer = Some(other.clone());
                leg.since = now;
            }
        }
    }

    /// Clears the bridge between `leg` and its peer, on both sides.
    pub(crate) fn unhook(&mut self, leg: &LegRef) {
        let Some(peer) = self.leg_mut(leg).and_then(|l| l.peer.take()) else {
            return;
        };
        if let Some(other) = self.leg_mut(&peer)
            && other.peer.as_ref() == Some(leg)
        {
            other.peer = None;
        }
    }

    /// Takes a leg off the switch: its bridge, its planned phone actions, and the call
    /// itself when it was the last leg.
    pub(crate) fn remove_leg(&mut self, leg: &LegRef) -> Option<Leg> {
        self.unhook(leg);
        self.forget_timers(leg);
        let call = self.call_mut(&leg.call)?;
        let removed = call.take_leg(leg.leg);
        if call.legs.is_empty() {
            self.calls.retain(|c| c.id != leg.call);
        }
        removed
    }

    /// Takes a whole call off the switch.
    pub(crate) fn remove_call(&mut self, call: &CallId) -> Option<SimCall> {
        let legs: Vec<LegRef> = self
            .call(call)?
            .legs
            .iter()
            .map(|leg| LegRef {
                call: call.clone(),
                leg: leg.id,
            })
            .collect();
        for leg in &legs {
            self.unhook(leg);
        }
        self.timers.retain(|action| !action.concerns_call(call));
        let index = self.calls.iter().position(|c| c.id == *call)?;
        Some(self.calls.remove(index))
    }

    pub(crate) fn remember_release(&mut self, call: CallId, prompt: Option<Prompt>) {
        if self.released.len() == RELEASED_KEPT {
            self.released.pop_front();
        }
        self.released.push_back((call, prompt));
    }

    /// Drops whatever the phone on `leg` planned to do.
    pub(crate) fn forget_timers(&mut self, leg: &LegRef) {
        self.timers.retain(|action| !action.concerns(leg));
    }

    /// A leg answers: it is up, and a line answering its own waiting caller connects them.
    pub(crate) fn answered(&mut self, now: Instant, leg: &LegRef) {
        self.forget_timers(leg);
        let Some(l) = self.leg_mut(leg) else {
            return;
        };
        l.state = LegState::Connected;
        l.since = now;
        self.events.push_back(SwitchEvent::Answered {
            call: leg.call.clone(),
            leg: leg.leg,
        });
        if leg.leg == LegId::Line {
            let caller = LegRef {
                call: leg.call.clone(),
                leg: LegId::Caller,
            };
            if self.leg(&caller).map(|c| c.state) == Some(LegState::Calling) {
                self.connect(now, &caller, leg);
            }
        }
    }

    fn perform(&mut self, at: Instant, action: PhoneAction) {
        match action {
            PhoneAction::Answer(leg) => {
                if self.leg(&leg).map(|l| l.state) == Some(LegState::Ringing) {
                    self.answered(at, &leg);
                }
            }
            PhoneAction::Fail { call, id, cause } => {
                let leg = LegRef {
                    call,
                    leg: LegId::Ring(id),
                };
                if self.leg(&leg).map(|l| l.state) == Some(LegState::Ringing) {
                    self.remove_leg(&leg);
                    self.events.push_back(SwitchEvent::Failed {
                        id,
                        leg: leg.leg,
                        cause,
                    });
                }
            }
        }
    }

    /// A new call with its first legs.
    pub(crate) fn add_call(&mut self, call: SimCall) {
        self.calls.push(call);
    }
}
