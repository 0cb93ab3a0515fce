//! Every request the console sends, built in this one place: the key actions, the `:`
//! palette and the numbers admin pane all call these builders, so one op is spelt one way.
//!
//! A builder returns a [`Request`]: the op and its arguments as they go on the wire, the
//! words the status line says while it runs, whether it changes anything (it then carries an
//! idempotency key), and the [`Pending`] kind its reply is read by.

use crate::protocol::Op;
use crate::protocol::op::desk::{
    AnnounceArgs, CallId, ExtendArgs, HangupArgs, ParkArgs, PickupArgs, RetrieveArgs, TransferArgs,
};
use crate::protocol::op::numbers::NumberQuery;
use crate::protocol::op::numbers::{
    AddressRemove, NumberAssign, NumberRef, NumberRelease, OperatorRef, OperatorRemove,
};
use crate::protocol::op::{DeskOp, HistoryArgs, NumbersOp, QueryOp, SearchArgs};

/// A request ready to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The op with its arguments, in the protocol's own vocabulary (boxed: an `Op` is large
    /// and requests wait in overlays and queues).
    pub op: Box<Op>,
    /// What the status line says while it runs (and in its outcome).
    pub label: String,
    /// How its reply is read.
    pub pending: Pending,
}

/// What a reply answers: the kind of request it was, kept per ticket until the reply comes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    /// `park`: the reply names the code (and when it rings back).
    Park,
    /// `retrieve`, to my line or to `to`.
    Retrieve {
        /// Where the call rings; `None` for my line.
        to: Option<String>,
    },
    /// `transfer` of a desk call.
    Transfer,
    /// `announce` on the PA.
    Announce,
    /// `extend`: the reply says the new due time.
    Extend,
    /// `pickup` in a group.
    Pickup,
    /// `hangup`.
    Hangup,
    /// `directory.search`: the reply is the directory pane's rows.
    Find,
    /// `history.list`: the reply fills the history overlay.
    History,
    /// One of the numbers admin pane's lists.
    AdminList(AdminList),
    /// A change made from the numbers admin pane.
    AdminChange,
}

/// The numbers admin pane's lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminList {
    /// `operator.list`.
    Operators,
    /// `number.list`.
    Numbers,
    /// `address.list`.
    Addresses,
}

/// A request sent and not yet answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InFlight {
    /// How its reply is read.
    pub pending: Pending,
    /// What the status line says about it.
    pub label: String,
}

impl Request {
    fn new(op: Op, label: String, pending: Pending) -> Request {
        Request {
            op: Box::new(op),
            label,
            pending,
        }
    }

    /// Whether it changes anything (so it carries an idempotency key): the op says.
    pub fn mutating(&self) -> bool {
        self.op.mutates()
    }
}

fn desk(op: DeskOp, label: String, pending: Pending) -> Request {
    Request::new(Op::Desk(op), label, pending)
}

fn numbers(op: NumbersOp, label: String, pending: Pending) -> Request {
    Request::new(Op::Numbers(op), label, pending)
}

// ---------------------------------------------------------------- the board

/// Parks `call`, on `code` (else the next free one), noting who it is `for_note`, and
/// announcing it on the PA.
pub fn park(call: &str, code: Option<&str>, for_note: Option<&str>, announce: bool) -> Request {
    let label = match code {
        Some(code) => format!("Park on {code}"),
        None => "Park".to_string(),
    };
    let args = ParkArgs {
        call: CallId(call.to_string()),
        code: code.map(str::to_string),
        for_note: for_note.map(str::to_string),
        announce: announce.then_some(true),
        timeout: None,
    };
    desk(DeskOp::Park(args), label, Pending::Park)
}

/// Retrieves the call parked on `code` to my line, or to `to`.
pub fn retrieve(code: &str, to: Option<&str>) -> Request {
    let mut label = format!("Retrieve {code}");
    if let Some(to) = to {
        label.push_str(&format!(" to {to}"));
    }
    let args = RetrieveArgs {
        code: code.to_string(),
        to: to.map(str::to_string),
    };
    let pending = Pending::Retrieve {
        to: to.map(str::to_string),
    };
    desk(DeskOp::Retrieve(args), label, pending)
}

/// Transfers the call parked on `code` (its caller `who`) to `to`: a retrieve elsewhere.
pub fn transfer_parked(code: &str, who: &str, to: &str) -> Request {
    let args = RetrieveArgs {
        code: code.to_string(),
        to: Some(to.to_string()),
    };
    let pending = Pending::Retrieve {
        to: Some(to.to_string()),
    };
    let label = format!("Transfer {code} ({who}) to {to}");
    desk(DeskOp::Retrieve(args), label, pending)
}

/// Transfers the desk call `call` (its caller `who`) to `to`.
pub fn transfer(call: &str, who: &str, to: &str) -> Request {
    let args = TransferArgs {
        call: CallId(call.to_string()),
        to: to.to_string(),
    };
    let label = format!("Transfer {who} to {to}");
    desk(DeskOp::Transfer(args), label, Pending::Transfer)
}

/// Announces the call parked on `code` on the PA, `repeat` times if given.
pub fn announce(code: &str, repeat: Option<u8>) -> Request {
    let args = AnnounceArgs {
        code: Some(code.to_string()),
        repeat,
        ..AnnounceArgs::default()
    };
    let label = format!("Announce {code}");
    desk(DeskOp::Announce(args), label, Pending::Announce)
}

/// Gives the call parked on `code` `seconds` more.
pub fn extend(code: &str, seconds: u32) -> Request {
    let args = ExtendArgs {
        code: code.to_string(),
        seconds: u64::from(seconds),
    };
    let label = format!("Extend {code}");
    desk(DeskOp::Extend(args), label, Pending::Extend)
}

/// Picks up `call` (else the longest-ringing) in the group with id `group`; `shown` is the
/// group as the receptionist knows it (its number, or what they typed).
pub fn pickup(group: &str, call: Option<&str>, shown: &str) -> Request {
    let args = PickupArgs {
        group: group.to_string(),
        call: call.map(|c| CallId(c.to_string())),
    };
    let label = format!("Pickup in {shown}");
    desk(DeskOp::Pickup(args), label, Pending::Pickup)
}

/// Hangs up `call`.
pub fn hangup(call: &str) -> Request {
    let args = HangupArgs {
        call: CallId(call.to_string()),
    };
    desk(DeskOp::Hangup(args), "Hang up".into(), Pending::Hangup)
}

/// Searches the directory for `query`.
pub fn find(query: &str) -> Request {
    let op = QueryOp::DirectorySearch(SearchArgs {
        query: query.to_string(),
    });
    Request::new(Op::Query(op), format!("Find '{query}'"), Pending::Find)
}

/// The last `limit` parks that ended.
pub fn history(limit: u32) -> Request {
    let op = QueryOp::HistoryList(HistoryArgs {
        since: None,
        limit: usize::try_from(limit).ok(),
    });
    Request::new(Op::Query(op), "History".into(), Pending::History)
}

// ---------------------------------------------------------------- numbers admin

/// What the status line says while the admin pane's lists load.
const LOADING_NUMBERS: &str = "Loading the numbers";

/// The operators.
pub fn operator_list() -> Request {
    let pending = Pending::AdminList(AdminList::Operators);
    numbers(NumbersOp::OperatorList, LOADING_NUMBERS.into(), pending)
}

/// The first `limit` numbers.
pub fn number_list(limit: usize) -> Request {
    let query = NumberQuery {
        limit: Some(limit),
        ..NumberQuery::default()
    };
    let pending = Pending::AdminList(AdminList::Numbers);
    numbers(
        NumbersOp::NumberList(query),
        LOADING_NUMBERS.into(),
        pending,
    )
}

/// The emergency addresses.
pub fn address_list() -> Request {
    let pending = Pending::AdminList(AdminList::Addresses);
    numbers(NumbersOp::AddressList, LOADING_NUMBERS.into(), pending)
}

/// Suspends the operator `id`.
pub fn operator_suspend(id: &str) -> Request {
    let op = NumbersOp::OperatorSuspend(OperatorRef {
        operator: id.to_string(),
    });
    numbers(op, format!("Suspend {id}"), Pending::AdminChange)
}

/// Resumes the suspended operator `id`.
pub fn operator_resume(id: &str) -> Request {
    let op = NumbersOp::OperatorResume(OperatorRef {
        operator: id.to_string(),
    });
    numbers(op, format!("Resume {id}"), Pending::AdminChange)
}

/// Removes the operator `id`.
pub fn operator_remove(id: &str) -> Request {
    let op = NumbersOp::OperatorRemove(OperatorRemove {
        operator: id.to_string(),
        country: None,
    });
    numbers(op, format!("Remove {id}"), Pending::AdminChange)
}

/// Assigns `number` to `user`.
pub fn number_assign(number: &str, user: &str) -> Request {
    let op = NumbersOp::NumberAssign(NumberAssign {
        number: number.to_string(),
        user: user.to_string(),
    });
    numbers(
        op,
        format!("Assign {number} to {user}"),
        Pending::AdminChange,
    )
}

/// Takes `number` from its user.
pub fn number_unassign(number: &str) -> Request {
    let op = NumbersOp::NumberUnassign(NumberRef {
        number: number.to_string(),
    });
    numbers(op, format!("Unassign {number}"), Pending::AdminChange)
}

/// Releases `number` back to its source.
pub fn number_release(number: &str) -> Request {
    let op = NumbersOp::NumberRelease(NumberRelease {
        numbers: vec![number.to_string()],
    });
    numbers(op, format!("Release {number}"), Pending::AdminChange)
}

/// Removes the emergency address `id`.
pub fn address_remove(id: &str) -> Request {
    let op = NumbersOp::AddressRemove(AddressRemove { id: id.to_string() });
    numbers(op, format!("Remove address {id}"), Pending::AdminChange)
}

#[cfg(test)]
mod tests;
