//! How the demo looks after each of its calls once its deadline comes: outside callers who
//! give up or get parked from the phone, members who answer or let a colleague pick up,
//! parked callers who are retrieved, hang up or wait for the ring-back.

// The demo's plans, stages, pacing constants and imports are its parent's.
use super::*;

impl DemoTraffic {
    /// Looks after one of the demo's calls: does what its stage says once its deadline has
    /// come, and follows what the engine did to it meanwhile.
    pub(super) fn tend(&mut self, now: Instant, call: &CallId, switch: &mut SimSwitch) {
        let Some(own) = self.own.get(call).cloned() else {
            return;
        };
        let Some(state) = switch.leg_state(call, LegId::Caller) else {
            // Our side of the call is gone: nothing left for the demo to do with it.
            self.forget(call);
            return;
        };
        if now >= own.born + MAX_AGE {
            self.hang_up(now, call, switch);
            return;
        }
        match own.kind {
            Kind::Outside {
                group,
                answered_by_member,
            } => self.tend_outside(
                now,
                call,
                own.stage,
                state,
                group,
                answered_by_member,
                switch,
            ),
            Kind::Colleague => self.tend_colleague(now, call, own.stage, switch),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn tend_outside(
        &mut self,
        now: Instant,
        call: &CallId,
        stage: Stage,
        state: LegState,
        group: Option<usize>,
        answered_by_member: Option<String>,
        switch: &mut SimSwitch,
    ) {
        match state {
            LegState::Calling => match stage {
                Stage::Ringing { until, .. } if now < until => self.plan(call, until),
                Stage::Ringing {
                    member_decides: true,
                    ..
                } => self.member_decides(now, call, group, switch),
                // Nobody took it in time: the caller gives up while ringing.
                _ => self.hang_up(now, call, switch),
            },
            LegState::Connected | LegState::Held => match stage {
                Stage::Talking { until } if now < until => self.plan(call, until),
                Stage::Talking { .. } => {
                    let parks = answered_by_member.filter(|_| {
                        self.parked_count(switch) < MAX_PARKED && self.rng.random_bool(0.35)
                    });
                    match parks {
                        Some(member) => {
                            if self.park_by_phone(now, call, &member, switch) {
                                self.set_stage(call, Stage::Transferring { since: now });
                                self.plan(call, now + SETTLE);
                            } else {
                                self.hang_up(now, call, switch);
                            }
                        }
                        None => self.hang_up(now, call, switch),
                    }
                }
                Stage::Transferring { since } if now < since + SETTLE => {
                    self.plan(call, since + SETTLE)
                }
                // The transfer did not park it: the conversation ends here.
                Stage::Transferring { .. } => self.hang_up(now, call, switch),
                _ => {
                    let until = self.after(now, TALK_MS);
                    self.set_stage(call, Stage::Talking { until });
                    self.plan(call, until);
                }
            },
            LegState::Parked { .. } => self.tend_parked(now, call, stage, switch),
            LegState::Ringing => self.plan(call, now + RECHECK),
        }
    }

    /// The member talking on `call` parks it from the phone: a blind transfer to the park
    /// extension, or hold and dial the park extension. Whether the phone managed to ask.
    fn park_by_phone(
        &mut self,
        now: Instant,
        call: &CallId,
        member: &str,
        switch: &mut SimSwitch,
    ) -> bool {
        let park = self.directory.park_extension.clone();
        if self.rng.random_bool(0.5) {
            return switch.transfer(now, call, member, &park).is_ok();
        }
        if switch.hold(now, call, LegId::Line).is_err() {
            return false;
        }
        match switch.dial(now, member, &park) {
            Ok(dialled) => {
                self.adopt(now, dialled, Kind::Colleague, Stage::Dialled { since: now });
                true
            }
            Err(error) => {
                tracing::debug!(%error, "demo park by dialling not placed");
                false
            }
        }
    }

    /// A group call has rung a while: the member answers, a colleague picks it up by the
    /// group number, or it rings on until the caller gives up.
    fn member_decides(
        &mut self,
        now: Instant,
        call: &CallId,
        group: Option<usize>,
        switch: &mut SimSwitch,
    ) {
        let roll: f64 = self.rng.random();
        let line_rings = switch.leg_state(call, LegId::Line) == Some(LegState::Ringing);
        let member = switch
            .call(call)
            .and_then(|c| c.leg(LegId::Line))
            .and_then(|leg| leg.phone())
            .map(str::to_owned);
        let group_index = group;
        let group = group
            .and_then(|g| self.directory.pickup_groups.get(g))
            .cloned();
        if roll < 0.2
            && let Some(group) = &group
            && let Some(picker) = self.colleague_to_pick_up(group, member.as_deref(), switch)
        {
            match switch.dial(now, &picker, &group.number) {
                Ok(dialled) => {
                    self.adopt(now, dialled, Kind::Colleague, Stage::Dialled { since: now })
                }
                Err(error) => tracing::debug!(%error, "demo pickup not dialled"),
            }
        } else if roll < 0.65
            && line_rings
            && let Some(member) = member
            && switch.answer(now, call, LegId::Line).is_ok()
        {
            if let Some(own) = self.own.get_mut(call) {
                own.kind = Kind::Outside {
                    group: group_index,
                    answered_by_member: Some(member),
                };
            }
            let until = self.after(now, TALK_MS);
            self.set_stage(call, Stage::Talking { until });
            self.plan(call, until);
            return;
        }
        let until = self.after(now, GROUP_PATIENCE_MS);
        self.set_stage(
            call,
            Stage::Ringing {
                until,
                member_decides: false,
            },
        );
        self.plan(call, until);
    }

    /// A parked demo call: decide its fate once its code is known, then carry it out.
    fn tend_parked(&mut self, now: Instant, call: &CallId, stage: Stage, switch: &mut SimSwitch) {
        let Some(code) = self.codes.get(call).cloned() else {
            // Parked on the switch, but the engine's park.started has not come yet.
            self.plan(call, now + RECHECK);
            return;
        };
        let fate = match stage {
            Stage::Parked(fate) => fate,
            _ => Fate::Undecided,
        };
        match fate {
            Fate::Undecided => {
                let fate = if self.parked_count(switch) > MAX_PARKED {
                    Fate::Retrieve(self.after(now, RETRIEVE_SOON_MS))
                } else {
                    let roll: f64 = self.rng.random();
                    if roll < 0.55 {
                        Fate::Retrieve(self.after(now, RETRIEVE_AFTER_MS))
                    } else if roll < 0.75 {
                        Fate::Abandon(self.after(now, PARKED_PATIENCE_MS))
                    } else {
                        Fate::Wait
                    }
                };
                self.set_stage(call, Stage::Parked(fate));
                let next = match fate {
                    Fate::Retrieve(at) | Fate::Abandon(at) => at,
                    Fate::Undecided | Fate::Wait => now + RECHECK,
                };
                self.plan(call, next);
            }
            Fate::Retrieve(at) | Fate::Abandon(at) if now < at => self.plan(call, at),
            Fate::Retrieve(_) => {
                if let Some(colleague) = self.index(self.directory.colleagues.len()) {
                    let colleague = self.directory.colleagues[colleague].clone();
                    match switch.dial(now, &colleague, &code) {
                        Ok(dialled) => {
                            self.adopt(now, dialled, Kind::Colleague, Stage::Dialled { since: now })
                        }
                        Err(error) => tracing::debug!(%error, "demo retrieve not dialled"),
                    }
                }
                // If the retrieve does not take, the call is left to the engine's timers.
                self.set_stage(call, Stage::Parked(Fate::Wait));
                self.plan(call, now + RECHECK);
            }
            Fate::Abandon(_) => self.hang_up(now, call, switch),
            Fate::Wait => self.plan(call, now + RECHECK),
        }
    }

    /// A colleague's dialled call: once connected it talks, then hangs up; if the engine
    /// does not connect it soon, the colleague gives up.
    fn tend_colleague(
        &mut self,
        now: Instant,
        call: &CallId,
        stage: Stage,
        switch: &mut SimSwitch,
    ) {
        let connected = switch
            .call(call)
            .and_then(|c| c.leg(LegId::Caller))
            .is_some_and(|leg| leg.peer().is_some());
        match stage {
            Stage::Talking { until } if now < until => self.plan(call, until),
            Stage::Talking { .. } => self.hang_up(now, call, switch),
            Stage::Dialled { .. } if connected => {
                let until = self.after(now, TALK_MS);
                self.set_stage(call, Stage::Talking { until });
                self.plan(call, until);
            }
            Stage::Dialled { since } if now < since + SETTLE => self.plan(call, now + DIAL_CHECK),
            _ => self.hang_up(now, call, switch),
        }
    }

    // ---- helpers ------------------------------------------------------------------------

    /// A member of `group` (not the one it rings for) who may dial the group number, if
    /// every phone ringing in the group rings for one of the demo's own calls: the engine
    /// picks the longest-ringing call, and it must not be anyone else's.
    fn colleague_to_pick_up(
        &mut self,
        group: &DemoGroup,
        ringing_member: Option<&str>,
        switch: &SimSwitch,
    ) -> Option<String> {
        let foreign_ringing = switch.calls().iter().any(|call| {
            !self.own.contains_key(call.id())
                && call.legs().iter().any(|leg| {
                    leg.state() == LegState::Ringing
                        && leg
                            .phone()
                            .is_some_and(|phone| group.members.iter().any(|m| m == phone))
                })
        });
        if foreign_ringing {
            return None;
        }
        let others: Vec<&String> = group
            .members
            .iter()
            .filter(|m| Some(m.as_str()) != ringing_member)
            .collect();
        self.index(others.len()).map(|i| others[i].clone())
    }
}
