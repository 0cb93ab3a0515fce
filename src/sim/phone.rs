//! Simulated phones: how each user's phone treats a call that rings it, and which phone a
//! ring target names.

use crate::engine::directory::Group;
use crate::engine::switch::FailCause;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// How a simulated phone treats a call that rings it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Rings, then answers `after` the ring started.
    Answer {
        /// Ring time before the answer.
        after: Duration,
    },
    /// Refuses at once without ringing (`Failed { cause: Busy }`).
    Busy,
    /// Rings, then declines `after` the ring started (`Failed { cause: Declined }`).
    Decline {
        /// Ring time before the decline.
        after: Duration,
    },
    /// Rings until the engine cancels the leg.
    NoAnswer,
    /// Cannot be reached: fails at once without ringing (`Failed { cause: Unreachable }`).
    Unreachable,
    /// Race injection. Rings and answers `after` the ring started, like [`Behaviour::Answer`];
    /// but a `Cancel` that reaches the phone while it still rings does not stop the answer:
    /// the answer crossed the cancel on the wire, so `Answered` comes out right after the
    /// cancel (same instant) and the leg is connected. The engine must cope, typically by
    /// cancelling (hanging up) the leg again.
    AnswerCrossingCancel {
        /// Ring time before the answer, if the engine does not cancel first.
        after: Duration,
    },
}

impl Behaviour {
    /// How a ring at this phone ends on its own: `None` for a phone that rings until
    /// cancelled, else after how long (zero: without ringing) and whether it answers or
    /// fails with a cause.
    pub(crate) fn outcome(self) -> Option<(Duration, RingOutcome)> {
        match self {
            Behaviour::Answer { after } | Behaviour::AnswerCrossingCancel { after } => {
                Some((after, RingOutcome::Answer))
            }
            Behaviour::Decline { after } => Some((after, RingOutcome::Fail(FailCause::Declined))),
            Behaviour::Busy => Some((Duration::ZERO, RingOutcome::Fail(FailCause::Busy))),
            Behaviour::Unreachable => {
                Some((Duration::ZERO, RingOutcome::Fail(FailCause::Unreachable)))
            }
            Behaviour::NoAnswer => None,
        }
    }

    /// Whether the phone fails without ever ringing.
    pub(crate) fn fails_without_ringing(self) -> bool {
        matches!(self, Behaviour::Busy | Behaviour::Unreachable)
    }

    /// Whether the phone answers on its own at some point.
    pub(crate) fn answers(self) -> bool {
        matches!(
            self,
            Behaviour::Answer { .. } | Behaviour::AnswerCrossingCancel { .. }
        )
    }
}

/// How a ring ends on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RingOutcome {
    /// The phone answers.
    Answer,
    /// The phone refuses.
    Fail(FailCause),
}

/// Every phone's settings, and the groups a ring target may name.
///
/// A phone exists for any name on demand (a directory user, an allow-listed outside
/// number): one without settings of its own takes the default behaviour.
#[derive(Debug, Clone)]
pub(crate) struct PhoneBook {
    default_behaviour: Behaviour,
    behaviours: BTreeMap<String, Behaviour>,
    answer_offered: BTreeSet<String>,
    /// Group id and group number, each mapped to the group's members.
    groups: BTreeMap<String, Vec<String>>,
}

impl PhoneBook {
    /// A phone book where every phone answers in `default_behaviour`'s way.
    pub(crate) fn new(default_behaviour: Behaviour) -> Self {
        PhoneBook {
            default_behaviour,
            behaviours: BTreeMap::new(),
            answer_offered: BTreeSet::new(),
            groups: BTreeMap::new(),
        }
    }

    pub(crate) fn default_behaviour(&self) -> Behaviour {
        self.default_behaviour
    }

    pub(crate) fn set_default_behaviour(&mut self, behaviour: Behaviour) {
        self.default_behaviour = behaviour;
    }

    pub(crate) fn behaviour(&self, phone: &str) -> Behaviour {
        self.behaviours
            .get(phone)
            .copied()
            .unwrap_or(self.default_behaviour)
    }

    pub(crate) fn set_behaviour(&mut self, phone: &str, behaviour: Behaviour) {
        self.behaviours.insert(phone.to_owned(), behaviour);
    }

    pub(crate) fn clear_behaviour(&mut self, phone: &str) {
        self.behaviours.remove(phone);
    }

    pub(crate) fn answers_offered(&self, phone: &str) -> bool {
        self.answer_offered.contains(phone)
    }

    pub(crate) fn set_answer_offered(&mut self, phone: &str, answer: bool) {
        if answer {
            self.answer_offered.insert(phone.to_owned());
        } else {
            self.answer_offered.remove(phone);
        }
    }

    /// Replaces the known groups (by id and by number).
    pub(crate) fn set_groups(&mut self, groups: &[Group]) {
        self.groups.clear();
        for group in groups {
            self.groups.insert(group.id.clone(), group.members.clone());
            if let Some(number) = &group.number {
                self.groups.insert(number.clone(), group.members.clone());
            }
        }
    }

    /// The phone a ring target names: a group (by id or number) rings its first member,
    /// anything else is a phone of that name. `None` for a group without members.
    pub(crate) fn resolve(&self, target: &str) -> Option<String> {
        match self.groups.get(target) {
            Some(members) => members.first().cloned(),
            None => Some(target.to_owned()),
        }
    }
}
