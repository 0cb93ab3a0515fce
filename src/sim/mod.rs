//! TEMPORARY interface stand-in for the simulated switch being written on the `sim` branch;
//! replaced wholesale by that branch's `src/sim/` at merge.
#![allow(missing_docs, dead_code)]

use crate::engine::directory::Role;
use crate::engine::switch::{CallId, Intent, LegId, Party, SwitchEvent};
use crate::engine::{EngineEvent, EngineSetup, Instant};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneBehaviour {
    Answer { after: Duration },
    Busy,
    Decline { after: Duration },
    NoAnswer,
    Unreachable,
    AnswerCrossingCancel { after: Duration },
}

#[derive(Debug, Default)]
pub struct SimSwitch;
impl SimSwitch {
    pub fn new(_seed: u64) -> Self {
        SimSwitch
    }
    pub fn offer(&mut self, _now: Instant, _from: Party, _to: String) -> CallId {
        CallId("c-0".into())
    }
    pub fn hangup(&mut self, _now: Instant, _call: &CallId, _leg: LegId) {}
    pub fn dial(&mut self, _now: Instant, _caller: &str, _number: &str) -> CallId {
        CallId("c-0".into())
    }
    pub fn set_behaviour(&mut self, _user: &str, _b: PhoneBehaviour) {}
    pub fn handle_intent(&mut self, _now: Instant, _intent: Intent) {}
    pub fn poll_event(&mut self) -> Option<SwitchEvent> {
        None
    }
    pub fn poll_timeout(&self) -> Option<Instant> {
        None
    }
    pub fn handle_timeout(&mut self, _now: Instant) {}
}

#[derive(Debug)]
pub struct DemoTraffic;
impl DemoTraffic {
    pub fn new(_seed: u64, _now: Instant) -> Self {
        DemoTraffic
    }
    pub fn poll_timeout(&self) -> Option<Instant> {
        None
    }
    pub fn handle_timeout(&mut self, _now: Instant, _sim: &mut SimSwitch) {}
    pub fn observe(&mut self, _now: Instant, _e: &EngineEvent) {}
}

pub fn demo_setup(_users: &[(String, Vec<Role>)]) -> EngineSetup {
    EngineSetup::default()
}
