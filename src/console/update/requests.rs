//! Every request the console sends, built in this one place: the key actions, the `:`
//! palette and the numbers admin pane all call these builders, so one op is spelt one way.
//!
//! A builder returns a [`Request`]: the op and its arguments as they go on the wire, the
//! words the status line says while it runs, whether it changes anything (it then carries an
//! idempotency key), and the [`Pending`] kind its reply is read by.

use serde_json::{Value, json};

/// A request ready to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The op's name on the wire.
    pub op: &'static str,
    /// Its arguments.
    pub args: Value,
    /// What the status line says while it runs (and in its outcome).
    pub label: String,
    /// Whether it changes anything (so it carries an idempotency key).
    pub mutating: bool,
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
    fn change(op: &'static str, args: Value, label: String, pending: Pending) -> Request {
        Request {
            op,
            args,
            label,
            mutating: true,
            pending,
        }
    }

    fn query(op: &'static str, args: Value, label: String, pending: Pending) -> Request {
        Request {
            op,
            args,
            label,
            mutating: false,
            pending,
        }
    }
}

// ---------------------------------------------------------------- the board

/// Parks `call`, on `code` (else the next free one), noting who it is `for_note`, and
/// announcing it on the PA.
pub fn park(call: &str, code: Option<&str>, for_note: Option<&str>, announce: bool) -> Request {
    let mut args = json!({"call": call});
    if let Some(code) = code {
        args["code"] = json!(code);
    }
    if let Some(note) = for_note {
        args["for"] = json!(note);
    }
    if announce {
        args["announce"] = json!(true);
    }
    let label = match code {
        Some(code) => format!("Park on {code}"),
        None => "Park".to_string(),
    };
    Request::change("park", args, label, Pending::Park)
}

/// Retrieves the call parked on `code` to my line, or to `to`.
pub fn retrieve(code: &str, to: Option<&str>) -> Request {
    let mut args = json!({"code": code});
    let mut label = format!("Retrieve {code}");
    if let Some(to) = to {
        args["to"] = json!(to);
        label.push_str(&format!(" to {to}"));
    }
    Request::change(
        "retrieve",
        args,
        label,
        Pending::Retrieve {
            to: to.map(str::to_string),
        },
    )
}

/// Transfers the call parked on `code` (its caller `who`) to `to`: a retrieve elsewhere.
pub fn transfer_parked(code: &str, who: &str, to: &str) -> Request {
    Request::change(
        "retrieve",
        json!({"code": code, "to": to}),
        format!("Transfer {code} ({who}) to {to}"),
        Pending::Retrieve {
            to: Some(to.to_string()),
        },
    )
}

/// Transfers the desk call `call` (its caller `who`) to `to`.
pub fn transfer(call: &str, who: &str, to: &str) -> Request {
    Request::change(
        "transfer",
        json!({"call": call, "to": to}),
        format!("Transfer {who} to {to}"),
        Pending::Transfer,
    )
}

/// Announces the call parked on `code` on the PA, `repeat` times if given.
pub fn announce(code: &str, repeat: Option<u8>) -> Request {
    let mut args = json!({"code": code});
    if let Some(r) = repeat {
        args["repeat"] = json!(r);
    }
    Request::change(
        "announce",
        args,
        format!("Announce {code}"),
        Pending::Announce,
    )
}

/// Gives the call parked on `code` `seconds` more.
pub fn extend(code: &str, seconds: u32) -> Request {
    Request::change(
        "extend",
        json!({"code": code, "seconds": seconds}),
        format!("Extend {code}"),
        Pending::Extend,
    )
}

/// Picks up `call` (else the longest-ringing) in the group with id `group`; `shown` is the
/// group as the receptionist knows it (its number, or what they typed).
pub fn pickup(group: &str, call: Option<&str>, shown: &str) -> Request {
    let mut args = json!({"group": group});
    if let Some(call) = call {
        args["call"] = json!(call);
    }
    Request::change(
        "pickup",
        args,
        format!("Pickup in {shown}"),
        Pending::Pickup,
    )
}

/// Hangs up `call`.
pub fn hangup(call: &str) -> Request {
    Request::change(
        "hangup",
        json!({"call": call}),
        "Hang up".into(),
        Pending::Hangup,
    )
}

/// Searches the directory for `query`.
pub fn find(query: &str) -> Request {
    Request::query(
        "directory.search",
        json!({"query": query}),
        format!("Find '{query}'"),
        Pending::Find,
    )
}

/// The last `limit` parks that ended.
pub fn history(limit: u32) -> Request {
    Request::query(
        "history.list",
        json!({"limit": limit}),
        "History".into(),
        Pending::History,
    )
}

// ---------------------------------------------------------------- numbers admin

/// What the status line says while the admin pane's lists load.
const LOADING_NUMBERS: &str = "Loading the numbers";

/// The operators.
pub fn operator_list() -> Request {
    Request::query(
        "operator.list",
        json!({}),
        LOADING_NUMBERS.into(),
        Pending::AdminList(AdminList::Operators),
    )
}

/// The first `limit` numbers.
pub fn number_list(limit: usize) -> Request {
    Request::query(
        "number.list",
        json!({ "limit": limit }),
        LOADING_NUMBERS.into(),
        Pending::AdminList(AdminList::Numbers),
    )
}

/// The emergency addresses.
pub fn address_list() -> Request {
    Request::query(
        "address.list",
        json!({}),
        LOADING_NUMBERS.into(),
        Pending::AdminList(AdminList::Addresses),
    )
}

/// Suspends the operator `id`.
pub fn operator_suspend(id: &str) -> Request {
    Request::change(
        "operator.suspend",
        json!({ "operator": id }),
        format!("Suspend {id}"),
        Pending::AdminChange,
    )
}

/// Resumes the suspended operator `id`.
pub fn operator_resume(id: &str) -> Request {
    Request::change(
        "operator.resume",
        json!({ "operator": id }),
        format!("Resume {id}"),
        Pending::AdminChange,
    )
}

/// Removes the operator `id`.
pub fn operator_remove(id: &str) -> Request {
    Request::change(
        "operator.remove",
        json!({ "operator": id }),
        format!("Remove {id}"),
        Pending::AdminChange,
    )
}

/// Assigns `number` to `user`.
pub fn number_assign(number: &str, user: &str) -> Request {
    Request::change(
        "number.assign",
        json!({ "number": number, "user": user }),
        format!("Assign {number} to {user}"),
        Pending::AdminChange,
    )
}

/// Takes `number` from its user.
pub fn number_unassign(number: &str) -> Request {
    Request::change(
        "number.unassign",
        json!({ "number": number }),
        format!("Unassign {number}"),
        Pending::AdminChange,
    )
}

/// Releases `number` back to its source.
pub fn number_release(number: &str) -> Request {
    Request::change(
        "number.release",
        json!({ "numbers": [number] }),
        format!("Release {number}"),
        Pending::AdminChange,
    )
}

/// Removes the emergency address `id`.
pub fn address_remove(id: &str) -> Request {
    Request::change(
        "address.remove",
        json!({ "id": id }),
        format!("Remove address {id}"),
        Pending::AdminChange,
    )
}

#[cfg(test)]
mod tests;
