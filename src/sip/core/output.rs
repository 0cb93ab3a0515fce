//! What the core asks the world to do, queued in order: commands to leg tasks, media
//! commands, events for the engine, outgoing forks to start, leg tasks it lets go of.

use super::LegAddr;
use super::state::Leg;
use crate::engine::switch::SwitchEvent;
use crate::media::StreamId;
use crate::sip::legs::{Fork, LegCmd};
use std::collections::VecDeque;
use std::sync::Arc;

/// A command for the media task.
#[derive(Debug, Clone, PartialEq)]
pub enum MediaCmd {
    /// Connect two streams.
    Bridge(StreamId, StreamId),
    /// Music on hold to a stream.
    Music(StreamId),
    /// Nothing to a stream.
    Silence(StreamId),
    /// Play a prompt to a stream once.
    Play {
        /// The stream.
        stream: StreamId,
        /// The prompt's samples (8 kHz).
        samples: Arc<[i16]>,
    },
    /// Close a stream nobody uses.
    Close(StreamId),
}

/// One thing the core wants done.
#[derive(Debug, Clone)]
pub enum Output {
    /// A command for a leg task.
    Leg {
        /// The fork's task.
        addr: LegAddr,
        /// What to do.
        cmd: LegCmd,
    },
    /// The core no longer follows this leg task: drop its command sender (a task still
    /// running takes that as a hang-up).
    Forget(LegAddr),
    /// Start an outgoing fork: open its media stream, report it with
    /// `handle_fork_stream`, then send the INVITE.
    Dial {
        /// The fork's address.
        addr: LegAddr,
        /// How it presents the call (boxed: a URI and headers are large).
        fork: Box<Fork>,
    },
    /// A command for the media task.
    Media(MediaCmd),
    /// An event for the engine.
    Switch(SwitchEvent),
}

/// The output queue and the helpers that fill it.
#[derive(Debug, Default)]
pub struct Outbox {
    queue: VecDeque<Output>,
}

impl Outbox {
    /// The next output, oldest first.
    pub fn pop(&mut self) -> Option<Output> {
        self.queue.pop_front()
    }

    /// A command to one fork's task.
    pub fn leg(&mut self, addr: LegAddr, cmd: LegCmd) {
        self.queue.push_back(Output::Leg { addr, cmd });
    }

    /// A command to every fork of `leg` whose task still takes commands.
    pub fn send(&mut self, leg: &Leg, cmd: LegCmd) {
        for addr in leg.open_forks() {
            self.leg(addr, cmd.clone());
        }
    }

    /// Lets go of one fork's task.
    pub fn forget(&mut self, addr: LegAddr) {
        self.queue.push_back(Output::Forget(addr));
    }

    /// Lets go of every task of a leg the core dropped.
    pub fn forget_leg(&mut self, leg: &Leg) {
        for addr in leg.open_forks() {
            self.forget(addr);
        }
    }

    /// Starts an outgoing fork.
    pub fn dial(&mut self, addr: LegAddr, fork: Fork) {
        self.queue.push_back(Output::Dial {
            addr,
            fork: Box::new(fork),
        });
    }

    /// A media command.
    pub fn media(&mut self, cmd: MediaCmd) {
        self.queue.push_back(Output::Media(cmd));
    }

    /// An event for the engine.
    pub fn emit(&mut self, event: SwitchEvent) {
        self.queue.push_back(Output::Switch(event));
    }
}
