//! Demo traffic: the people around a reception desk, played on the simulated switch.
//!
//! Outside callers ring the reception line (the first within 8 s of the start, then every
//! 4–14 s, so one rings at least every 15 s) and, less often, pickup-group members. A
//! caller gives up if nobody takes the call; a member answers, or a colleague picks the
//! call up by dialling the group number, or it rings on. A member who answered sometimes
//! parks the call from the phone: a blind transfer to the park extension, or hold and dial
//! the park extension. A parked caller (parked by
//! anyone, learned from the engine's `park.started`) is retrieved by a colleague dialling
//! its code, hangs up, or waits for the ring-back. Conversations end with a hang-up.
//!
//! Everything is seeded: the same seed and the same inputs give the same traffic. The demo
//! only ever acts on calls it created itself, never on a call offered any other way (e.g.
//! `sim.offer`), and a pickup by group number is dialled only when every phone ringing in
//! that group rings for one of its own calls.

mod tend;

use super::call::LegState;
use super::callers::random_caller;
use super::demo_directory::{DemoDirectory, DemoGroup};
use super::phone::Behaviour;
use super::schedule::Schedule;
use super::switch::SimSwitch;
use crate::engine::Instant;
use crate::engine::events::{EngineEvent, EventName, Subject};
use crate::engine::switch::{CallId, LegId};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use std::ops::RangeInclusive;
use std::time::Duration;

/// First reception call after the start, in ms.
const FIRST_RECEPTION_CALL_MS: RangeInclusive<u64> = 2_000..=8_000;
/// Gap between reception calls, in ms; the top stays under PROTOCOL's 15 s.
const RECEPTION_GAP_MS: RangeInclusive<u64> = 4_000..=14_000;
/// Gap between calls to pickup-group members, in ms.
const GROUP_GAP_MS: RangeInclusive<u64> = 20_000..=50_000;
/// How long a reception caller waits before giving up, in ms.
const RECEPTION_PATIENCE_MS: RangeInclusive<u64> = 25_000..=75_000;
/// How long a group call rings before its member decides, in ms.
const MEMBER_DECIDES_MS: RangeInclusive<u64> = 6_000..=25_000;
/// How long a group caller keeps ringing once the member let it ring, in ms.
const GROUP_PATIENCE_MS: RangeInclusive<u64> = 5_000..=30_000;
/// How long a conversation lasts, in ms.
const TALK_MS: RangeInclusive<u64> = 20_000..=90_000;
/// How long a colleague waits before retrieving a parked call by its code, in ms.
const RETRIEVE_AFTER_MS: RangeInclusive<u64> = 10_000..=90_000;
/// The same, when too many calls are parked.
const RETRIEVE_SOON_MS: RangeInclusive<u64> = 3_000..=8_000;
/// How long a parked caller waits before hanging up, for those who do, in ms.
const PARKED_PATIENCE_MS: RangeInclusive<u64> = 15_000..=120_000;
/// How often a call with nothing planned is looked at again.
const RECHECK: Duration = Duration::from_secs(10);
/// How long a dialled code or transfer may take before the demo gives up on it.
const SETTLE: Duration = Duration::from_secs(15);
/// How often a colleague who dialled checks whether the engine connected the call.
const DIAL_CHECK: Duration = Duration::from_secs(1);
/// Any demo call still up after this long hangs up.
const MAX_AGE: Duration = Duration::from_secs(15 * 60);
/// At most this many demo callers ring at reception; the longest-waiting gives up first.
const MAX_RINGING_AT_RECEPTION: usize = 6;
/// Above this many parked demo calls, colleagues retrieve new parks quickly.
const MAX_PARKED: usize = 12;
/// At most this many demo calls ring at pickup-group members.
const MAX_RINGING_IN_GROUPS: usize = 4;
/// At most this many demo calls are up at all.
const MAX_CALLS: usize = 40;

/// What the demo does next.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Plan {
    /// An outside call rings the reception line.
    ReceptionCall,
    /// An outside call rings a pickup-group member.
    GroupCall,
    /// Look after one of the demo's calls (ignored unless `generation` is the call's
    /// current one, so each call has exactly one live plan).
    Tend { call: CallId, generation: u64 },
}

/// Who is on the demo's side of a call.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// An outside caller; `group` is the index of the pickup group it rings in.
    Outside {
        group: Option<usize>,
        answered_by_member: Option<String>,
    },
    /// A colleague's phone dialling a park code or a group number.
    Colleague,
}

/// Where one of the demo's calls is in its little story; each stage has a deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Ringing; at `until` the member decides (group calls) or the caller gives up.
    Ringing {
        until: Instant,
        member_decides: bool,
    },
    /// Talking until `until`.
    Talking { until: Instant },
    /// Transferred to the park extension at `since`; should be parked soon.
    Transferring { since: Instant },
    /// Parked, with its fate.
    Parked(Fate),
    /// A colleague dialled at `since`; the engine should connect the call soon.
    Dialled { since: Instant },
}

/// What becomes of a parked demo call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    /// Not decided yet (the code may not be known).
    Undecided,
    /// A colleague dials its code at the instant.
    Retrieve(Instant),
    /// The caller hangs up at the instant.
    Abandon(Instant),
    /// Left to the engine's timeout, ring-back and fallback.
    Wait,
}

/// One of the demo's own calls.
#[derive(Debug, Clone, PartialEq, Eq)]
struct OwnCall {
    kind: Kind,
    stage: Stage,
    born: Instant,
    generation: u64,
}

/// Seeded demo traffic driving a [`SimSwitch`]. See the module docs for the story.
///
/// Driving: call [`DemoTraffic::handle_timeout`] when [`DemoTraffic::poll_timeout`] is due
/// (it is due at once before the first call, which starts the traffic), then drain the
/// switch's events into the engine; hand every engine event to [`DemoTraffic::observe`].
#[derive(Debug, Clone)]
pub struct DemoTraffic {
    rng: ChaCha8Rng,
    directory: DemoDirectory,
    started: bool,
    schedule: Schedule<Plan>,
    own: BTreeMap<CallId, OwnCall>,
    /// Park codes of the demo's calls, from the engine's events.
    codes: BTreeMap<CallId, String>,
}

impl DemoTraffic {
    /// Demo traffic from `seed`, playing in `directory`.
    pub fn new(seed: u64, directory: DemoDirectory) -> DemoTraffic {
        DemoTraffic {
            rng: ChaCha8Rng::seed_from_u64(seed),
            directory,
            started: false,
            schedule: Schedule::default(),
            own: BTreeMap::new(),
            codes: BTreeMap::new(),
        }
    }

    /// The directory it plays in.
    pub fn directory(&self) -> &DemoDirectory {
        &self.directory
    }

    /// Whether the demo created `call` (it acts on no other).
    pub fn is_own(&self, call: &CallId) -> bool {
        self.own.contains_key(call)
    }

    /// The demo's calls still up, in id order.
    pub fn own_calls(&self) -> Vec<CallId> {
        self.own.keys().cloned().collect()
    }

    /// The park code the demo learned for one of its calls.
    pub fn code_of(&self, call: &CallId) -> Option<&str> {
        self.codes.get(call).map(String::as_str)
    }

    /// When the demo next acts: at once before it has started.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.started {
            self.schedule.next_due()
        } else {
            Some(Instant::ZERO)
        }
    }

    /// Performs every action due at `now` on the switch. The first call starts the traffic
    /// and sets the phones up: the reception phone answers what rings it in 2 s.
    pub fn handle_timeout(&mut self, now: Instant, switch: &mut SimSwitch) {
        if !self.started {
            self.start(now, switch);
        }
        while let Some((at, plan)) = self.schedule.pop_due(now) {
            match plan {
                Plan::ReceptionCall => {
                    self.reception_call(now, switch);
                    let next = self.after(at, RECEPTION_GAP_MS);
                    let next = if next > now {
                        next
                    } else {
                        self.after(now, RECEPTION_GAP_MS)
                    };
                    self.schedule.push(next, Plan::ReceptionCall);
                }
                Plan::GroupCall => {
                    self.group_call(now, switch);
                    let next = self.after(now, GROUP_GAP_MS);
                    self.schedule.push(next, Plan::GroupCall);
                }
                Plan::Tend { call, generation } => {
                    if self
                        .own
                        .get(&call)
                        .is_some_and(|own| own.generation == generation)
                    {
                        self.tend(now, &call, switch);
                    }
                }
            }
        }
    }

    /// An engine event: the demo learns its calls' park codes, and looks at a call of its
    /// own when something happened to it. Events about other calls change nothing, except
    /// that a code now held by another call is no longer the demo's to dial.
    pub fn observe(&mut self, now: Instant, event: &EngineEvent) {
        let call = match &event.subject {
            Subject::Parked(parked) => {
                if self.own.contains_key(&parked.call) {
                    if event.name == EventName::ParkEnded {
                        self.codes.remove(&parked.call);
                    } else {
                        self.codes.insert(parked.call.clone(), parked.code.clone());
                    }
                } else {
                    self.codes.retain(|_, code| *code != parked.code);
                }
                &parked.call
            }
            Subject::Call(call) => &call.call,
            _ => return,
        };
        let wakes = matches!(
            event.name,
            EventName::ParkStarted
                | EventName::ParkEnded
                | EventName::CallAnswered
                | EventName::CallEnded
        );
        if wakes && self.own.contains_key(call) {
            let call = call.clone();
            self.plan(&call, now);
        }
    }

    // ---- the story ----------------------------------------------------------------------

    fn start(&mut self, now: Instant, switch: &mut SimSwitch) {
        self.started = true;
        let reception = self.directory.reception.clone();
        switch.set_behaviour(
            &reception,
            Behaviour::Answer {
                after: Duration::from_secs(2),
            },
        );
        switch.set_answer_offered(&reception, false);
        // Colleagues' phones: most answer after a few seconds; one is away from the desk
        // (rings unanswered) and one is on another call (busy), so ring-backs vary.
        let colleagues = self.directory.colleagues.clone();
        let away = self.index(colleagues.len());
        let busy = self.index(colleagues.len());
        for (i, colleague) in colleagues.iter().enumerate() {
            let behaviour = if Some(i) == away {
                Behaviour::NoAnswer
            } else if Some(i) == busy {
                Behaviour::Busy
            } else {
                Behaviour::Answer {
                    after: self.duration(2_000..=6_000),
                }
            };
            switch.set_behaviour(colleague, behaviour);
        }
        let first = self.after(now, FIRST_RECEPTION_CALL_MS);
        self.schedule.push(first, Plan::ReceptionCall);
        if !self.directory.pickup_groups.is_empty() {
            let first = self.after(now, GROUP_GAP_MS);
            self.schedule.push(first, Plan::GroupCall);
        }
    }

    /// An outside call rings the reception line; past the cap, the longest-waiting demo
    /// caller there gives up first.
    fn reception_call(&mut self, now: Instant, switch: &mut SimSwitch) {
        let reception = self.directory.reception.clone();
        let waiting: Vec<CallId> = self
            .own
            .iter()
            .filter(|(_, own)| matches!(own.kind, Kind::Outside { group: None, .. }))
            .filter(|(call, _)| switch.leg_state(call, LegId::Caller) == Some(LegState::Calling))
            .map(|(call, _)| call.clone())
            .collect();
        if waiting.len() >= MAX_RINGING_AT_RECEPTION {
            let oldest = waiting
                .iter()
                .min_by_key(|call| switch.call(call).map(|c| c.started_at()))
                .cloned();
            if let Some(oldest) = oldest {
                self.hang_up(now, &oldest, switch);
            }
        }
        let caller = random_caller(&mut self.rng);
        match switch.offer(now, caller, &reception) {
            Ok(call) => {
                let until = self.after(now, RECEPTION_PATIENCE_MS);
                let kind = Kind::Outside {
                    group: None,
                    answered_by_member: None,
                };
                self.adopt(
                    now,
                    call,
                    kind,
                    Stage::Ringing {
                        until,
                        member_decides: false,
                    },
                );
            }
            Err(error) => tracing::debug!(%error, "demo reception call not offered"),
        }
    }

    /// An outside call rings a pickup-group member, unless enough already ring.
    fn group_call(&mut self, now: Instant, switch: &mut SimSwitch) {
        let ringing_in_groups = self
            .own
            .iter()
            .filter(|(_, own)| matches!(own.kind, Kind::Outside { group: Some(_), .. }))
            .filter(|(call, _)| switch.leg_state(call, LegId::Caller) == Some(LegState::Calling))
            .count();
        if ringing_in_groups >= MAX_RINGING_IN_GROUPS || self.own.len() >= MAX_CALLS {
            return;
        }
        let Some(group) = self.index(self.directory.pickup_groups.len()) else {
            return;
        };
        let members = self.directory.pickup_groups[group].members.clone();
        let Some(member) = self.index(members.len()).map(|i| members[i].clone()) else {
            return;
        };
        let caller = random_caller(&mut self.rng);
        match switch.offer(now, caller, &member) {
            Ok(call) => {
                let until = self.after(now, MEMBER_DECIDES_MS);
                let kind = Kind::Outside {
                    group: Some(group),
                    answered_by_member: None,
                };
                self.adopt(
                    now,
                    call,
                    kind,
                    Stage::Ringing {
                        until,
                        member_decides: true,
                    },
                );
            }
            Err(error) => tracing::debug!(%error, "demo group call not offered"),
        }
    }

    /// Demo calls whose caller the engine holds.
    fn parked_count(&self, switch: &SimSwitch) -> usize {
        self.own
            .keys()
            .filter(|call| {
                matches!(
                    switch.leg_state(call, LegId::Caller),
                    Some(LegState::Parked { .. })
                )
            })
            .count()
    }

    /// The demo's side of `call` hangs up, and the demo forgets the call.
    fn hang_up(&mut self, now: Instant, call: &CallId, switch: &mut SimSwitch) {
        if let Err(error) = switch.hangup(now, call, LegId::Caller) {
            tracing::debug!(%error, "demo hang-up found the call already gone");
        }
        self.forget(call);
    }

    fn adopt(&mut self, now: Instant, call: CallId, kind: Kind, stage: Stage) {
        self.own.insert(
            call.clone(),
            OwnCall {
                kind,
                stage,
                born: now,
                generation: 0,
            },
        );
        let first = match stage {
            Stage::Ringing { until, .. } | Stage::Talking { until } => until,
            Stage::Transferring { since } => since + SETTLE,
            Stage::Dialled { since } => since + DIAL_CHECK,
            Stage::Parked(_) => now,
        };
        self.plan(&call, first);
    }

    fn forget(&mut self, call: &CallId) {
        self.own.remove(call);
        self.codes.remove(call);
    }

    fn set_stage(&mut self, call: &CallId, stage: Stage) {
        if let Some(own) = self.own.get_mut(call) {
            own.stage = stage;
        }
    }

    /// Makes `at` the one time the call is next looked after.
    fn plan(&mut self, call: &CallId, at: Instant) {
        if let Some(own) = self.own.get_mut(call) {
            own.generation += 1;
            let generation = own.generation;
            self.schedule.push(
                at,
                Plan::Tend {
                    call: call.clone(),
                    generation,
                },
            );
        }
    }

    fn duration(&mut self, millis: RangeInclusive<u64>) -> Duration {
        Duration::from_millis(self.rng.random_range(millis))
    }

    fn after(&mut self, at: Instant, millis: RangeInclusive<u64>) -> Instant {
        at + self.duration(millis)
    }

    /// A random index below `len`, or `None` when there is nothing to choose from.
    fn index(&mut self, len: usize) -> Option<usize> {
        (len > 0).then(|| self.rng.random_range(0..len))
    }
}
