//! A reply's `ok` value, typed by the op that asked: what a client matches on instead of
//! reading fields out of JSON.

use super::desk::{AnnounceOk, CallOk, ExtendOk, ParkOk};
use super::query::{DirectoryOk, HistoryOk, ParkedListOk};
use super::{OpName, ProtocolError, decode_ok};
use crate::protocol::envelope::{HelloOk, SubscribeOk};
use serde_json::Value;

/// The `ok` of a reply, by its op.
#[derive(Debug, Clone, PartialEq)]
pub enum OpOk {
    /// `hello`.
    Hello(HelloOk),
    /// `subscribe`.
    Subscribed(SubscribeOk),
    /// `park`.
    Parked(ParkOk),
    /// `retrieve`, `pickup`, `sim.offer`, `sim.dial`.
    Call(CallOk),
    /// `extend`.
    Extended(ExtendOk),
    /// `announce`.
    Announced(AnnounceOk),
    /// `parked.list`.
    ParkedList(ParkedListOk),
    /// `directory.search`.
    Directory(DirectoryOk),
    /// `history.list`.
    History(HistoryOk),
    /// `{}`: `ping`, `transfer`, `hangup`, `announcement.report`, the admin changes.
    Done,
    /// Any other op's object (`health`, the admin lists, the numbers ops), as sent.
    Other(Value),
}

impl OpOk {
    /// Decodes the `ok` value of a reply to the op `name`.
    pub fn decode(name: OpName, ok: Value) -> Result<OpOk, ProtocolError> {
        use OpName as N;
        Ok(match name {
            N::Hello => OpOk::Hello(decode_ok(ok)?),
            N::Subscribe => OpOk::Subscribed(decode_ok(ok)?),
            N::Park => OpOk::Parked(decode_ok(ok)?),
            N::Retrieve | N::Pickup | N::SimOffer | N::SimDial => OpOk::Call(decode_ok(ok)?),
            N::Extend => OpOk::Extended(decode_ok(ok)?),
            N::Announce => OpOk::Announced(decode_ok(ok)?),
            N::ParkedList => OpOk::ParkedList(decode_ok(ok)?),
            N::DirectorySearch => OpOk::Directory(decode_ok(ok)?),
            N::HistoryList => OpOk::History(decode_ok(ok)?),
            N::Ping
            | N::Transfer
            | N::Hangup
            | N::AnnouncementReport
            | N::SimHangup
            | N::SimPhone
            | N::RangeSet
            | N::RangeRemove
            | N::PolicySet
            | N::PolicyRemove
            | N::PolicyAssignGroup
            | N::PolicyUnassignGroup
            | N::UserSet
            | N::UserRemove
            | N::GroupSet
            | N::GroupRemove
            | N::AllowAdd
            | N::AllowRemove
            | N::TokenRevoke => OpOk::Done,
            _ => OpOk::Other(ok),
        })
    }
}
