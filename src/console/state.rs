//! The console's whole state (the Elm "model"): the board as the engine described it, the
//! connection, and what the user is looking at. Only [`super::update::update`] changes it;
//! drawing reads it.

use super::activity::ActivityLog;
use super::board::{Board, ParkedEntry};
use super::history::HistoryView;
use super::keymap::KeyMap;
use super::update::requests::{InFlight, Request};
use crate::protocol::{Call, Group, Timestamp};
use serde_json::Value;
use std::collections::BTreeMap;

/// The panes, in Tab order; their number is the pane's digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pane {
    /// 1: the orbit board.
    Parked,
    /// 2: calls at my line.
    Desk,
    /// 3: pickup groups.
    Groups,
    /// 4: directory search.
    Directory,
    /// 5: activity log.
    Log,
}

impl Pane {
    /// Tab order.
    pub const ALL: [Pane; 5] = [
        Pane::Parked,
        Pane::Desk,
        Pane::Groups,
        Pane::Directory,
        Pane::Log,
    ];

    /// The pane's number (1–5).
    pub fn number(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0) + 1
    }

    /// The pane's title.
    pub fn title(self) -> &'static str {
        match self {
            Pane::Parked => "Parked",
            Pane::Desk => "Desk",
            Pane::Groups => "Pickup groups",
            Pane::Directory => "Directory",
            Pane::Log => "Activity",
        }
    }

    /// The next pane in Tab order (`forward`) or the previous one.
    pub fn step(self, forward: bool) -> Pane {
        let i = self.number() - 1;
        let n = Pane::ALL.len();
        Pane::ALL[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }]
    }
}

/// How the parked board is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// Soonest transition first (the default).
    #[default]
    TimeLeft,
    /// By code.
    Code,
    /// Oldest park first.
    ParkedAt,
    /// By caller name.
    Caller,
}

impl SortKey {
    /// The next sort order.
    pub fn next(self) -> SortKey {
        match self {
            SortKey::TimeLeft => SortKey::Code,
            SortKey::Code => SortKey::ParkedAt,
            SortKey::ParkedAt => SortKey::Caller,
            SortKey::Caller => SortKey::TimeLeft,
        }
    }

    /// As the board's title shows it.
    pub fn label(self) -> &'static str {
        match self {
            SortKey::TimeLeft => "time left",
            SortKey::Code => "code",
            SortKey::ParkedAt => "parked at",
            SortKey::Caller => "caller",
        }
    }
}

/// Where the connection to the engine stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnState {
    /// Opening the first connection.
    Connecting {
        /// Attempt number (1 first).
        attempt: u32,
    },
    /// Connected and subscribed.
    Online,
    /// Lost; reconnecting with backoff. The board shows the last state, greyed.
    Offline {
        /// Why it was lost.
        reason: String,
        /// Attempts made so far.
        attempt: u32,
        /// Seconds until the next attempt, when the task said so.
        retry_in: u64,
        /// When it was lost (engine time).
        since: Timestamp,
    },
    /// The engine refused us for good (bad token, protocol); no retry.
    Failed(String),
}

/// Who we are to the engine (from `hello`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The token's user (also my line).
    pub user: String,
    /// Its roles.
    pub roles: Vec<String>,
    /// The engine's name and version.
    pub engine: String,
    /// This run of the engine.
    pub epoch: String,
}

/// A line in the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusMessage {
    /// What to say.
    pub text: String,
    /// A refusal or failure (shown as an error).
    pub error: bool,
    /// When it was set (engine time), so it can fade.
    pub at: Timestamp,
}

/// Which field of the park form has the cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParkField {
    /// The code (blank = next free).
    Code,
    /// Who the call is for.
    For,
    /// The announce tick.
    Announce,
}

/// The park form for a desk call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParkForm {
    /// The call to park.
    pub call: String,
    /// Its caller, for the form's title.
    pub caller: String,
    /// A directed code, or blank.
    pub code: String,
    /// The "for" note.
    pub for_note: String,
    /// Announce on the PA.
    pub announce: bool,
    /// The field being edited.
    pub field: ParkField,
}

/// A request waiting for the user's yes.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    /// The question.
    pub question: String,
    /// The request to send on yes.
    pub request: Request,
}

/// What is drawn over the panes, taking the keys.
#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    /// The key help, scrolled by this many lines.
    Help(usize),
    /// A yes/no question.
    Confirm(Confirm),
    /// The `:` palette with its text.
    Palette(String),
    /// The `/` filter being typed.
    Filter(String),
    /// A directory query being typed.
    Find(String),
    /// Digits being typed to jump to a code.
    Jump(String),
    /// The park form.
    Park(ParkForm),
    /// Ended parks from `history.list`.
    History(HistoryView),
    /// The admin pane for operators, numbers and addresses (`:numbers`, admins only).
    Numbers(super::numbers_admin::AdminView),
}

/// A person from `directory.search`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryEntry {
    /// User id (also their line).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Numbers.
    pub numbers: Vec<String>,
    /// Groups, where the engine says.
    pub groups: Vec<String>,
}

impl DirectoryEntry {
    /// A user object from `directory.search`; `None` without an id.
    pub fn from_value(v: &Value) -> Option<DirectoryEntry> {
        let id = v
            .get("id")
            .or_else(|| v.get("user"))
            .and_then(Value::as_str)?
            .to_string();
        let strings = |key: &str| -> Vec<String> {
            match v.get(key) {
                Some(Value::Array(items)) => items
                    .iter()
                    .filter_map(|i| {
                        i.as_str().map(str::to_string).or_else(|| {
                            i.get("name")
                                .or_else(|| i.get("id"))
                                .and_then(Value::as_str)
                                .map(str::to_string)
                        })
                    })
                    .collect(),
                Some(Value::String(s)) => vec![s.clone()],
                _ => Vec::new(),
            }
        };
        let mut groups = strings("groups");
        groups.extend(strings("group"));
        Some(DirectoryEntry {
            name: v
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            numbers: strings("numbers"),
            groups,
            id,
        })
    }
}

/// Which row each pane has selected, by identity so live updates do not move it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selections {
    /// The selected code.
    pub parked: Option<String>,
    /// The selected desk call.
    pub desk: Option<String>,
    /// The selected group, and the ringing call within it if a call row is selected.
    pub group: Option<(String, Option<String>)>,
    /// The selected directory row.
    pub directory: usize,
    /// Log rows scrolled back from the newest (0 = follow).
    pub log_back: usize,
}

/// Console or read-only monitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The receptionist console.
    Console,
    /// The read-only board.
    Monitor,
}

/// A row of the pickup-groups pane.
#[derive(Debug, Clone, Copy)]
pub struct GroupRow<'a> {
    /// The group.
    pub group: &'a Group,
    /// A call ringing in it (`None` for the group's own row).
    pub call: Option<&'a Call>,
}

/// The console's state.
#[derive(Debug, Clone)]
pub struct State {
    /// Console or monitor.
    pub mode: Mode,
    /// From `hello`.
    pub session: Option<Session>,
    /// The connection.
    pub conn: ConnState,
    /// The engine's time as of the last tick.
    pub now: Timestamp,
    /// What the engine said.
    pub board: Board,
    /// What happened.
    pub log: ActivityLog,
    /// The last directory search: its query and results.
    pub directory_query: String,
    /// Its results.
    pub directory: Vec<DirectoryEntry>,
    /// The focused pane.
    pub focus: Pane,
    /// The call pane used last (desk or parked), for transfer and hang up.
    pub call_pane: Pane,
    /// Selections.
    pub selected: Selections,
    /// The overlay, if any.
    pub overlay: Option<Overlay>,
    /// The board filter.
    pub filter: String,
    /// The board order.
    pub sort: SortKey,
    /// The status line.
    pub status: Option<StatusMessage>,
    /// Requests in flight, by ticket.
    pub pending: BTreeMap<u64, InFlight>,
    /// The next ticket.
    pub next_ticket: u64,
    /// Prefix of this console's idempotency keys (unique per console run).
    pub key_prefix: String,
    /// Share of a park's time at which it turns to warning.
    pub warning_share: f64,
    /// The key map (drives keys, help and hints).
    pub keys: KeyMap,
    /// Whether mouse input is taken.
    pub mouse: bool,
    /// The terminal's size.
    pub size: (u16, u16),
    /// Something changed since the last draw.
    pub dirty: bool,
    /// The engine said it is stopping.
    pub engine_stopping: bool,
}

impl State {
    /// A fresh state, before any connection.
    pub fn new(
        mode: Mode,
        keys: KeyMap,
        warning_share: f64,
        key_prefix: String,
        now: Timestamp,
    ) -> State {
        State {
            mode,
            session: None,
            conn: ConnState::Connecting { attempt: 1 },
            now,
            board: Board::default(),
            log: ActivityLog::default(),
            directory_query: String::new(),
            directory: Vec::new(),
            focus: Pane::Parked,
            call_pane: Pane::Desk,
            selected: Selections::default(),
            overlay: None,
            filter: String::new(),
            sort: SortKey::default(),
            status: None,
            pending: BTreeMap::new(),
            next_ticket: 1,
            key_prefix,
            warning_share: warning_share.clamp(0.0, 1.0),
            keys,
            mouse: true,
            size: (80, 24),
            dirty: true,
            engine_stopping: false,
        }
    }

    /// Whether this console may change anything (not a monitor).
    pub fn read_only(&self) -> bool {
        self.mode == Mode::Monitor
    }

    /// My line: the `hello` user.
    pub fn my_line(&self) -> &str {
        self.session
            .as_ref()
            .map(|s| s.user.as_str())
            .unwrap_or_default()
    }

    /// The parked calls as the board lists them: filtered, then sorted.
    pub fn parked_rows(&self) -> Vec<&ParkedEntry> {
        let needle = self.filter.to_lowercase();
        let mut rows: Vec<&ParkedEntry> = self
            .board
            .parked
            .values()
            .filter(|e| needle.is_empty() || matches_filter(e, &needle))
            .collect();
        match self.sort {
            SortKey::TimeLeft => rows.sort_by(|a, b| {
                a.parked
                    .expires_at
                    .cmp(&b.parked.expires_at)
                    .then_with(|| a.parked.code.cmp(&b.parked.code))
            }),
            SortKey::Code => rows.sort_by(|a, b| {
                a.parked
                    .code
                    .len()
                    .cmp(&b.parked.code.len())
                    .then_with(|| a.parked.code.cmp(&b.parked.code))
            }),
            SortKey::ParkedAt => rows.sort_by(|a, b| {
                a.parked
                    .parked_at
                    .cmp(&b.parked.parked_at)
                    .then_with(|| a.parked.code.cmp(&b.parked.code))
            }),
            SortKey::Caller => rows.sort_by(|a, b| {
                a.parked
                    .caller
                    .name
                    .to_lowercase()
                    .cmp(&b.parked.caller.name.to_lowercase())
                    .then_with(|| a.parked.code.cmp(&b.parked.code))
            }),
        }
        rows
    }

    /// Calls at my line.
    pub fn desk_rows(&self) -> Vec<&Call> {
        self.board.desk_calls(self.my_line())
    }

    /// Each group, followed by the calls ringing in it.
    pub fn group_rows(&self) -> Vec<GroupRow<'_>> {
        let mut groups: Vec<&Group> = self.board.groups.values().collect();
        groups.sort_by(|a, b| a.number.cmp(&b.number).then_with(|| a.group.cmp(&b.group)));
        let mut rows = Vec::new();
        for group in groups {
            rows.push(GroupRow { group, call: None });
            for call in &group.ringing {
                rows.push(GroupRow {
                    group,
                    call: Some(call),
                });
            }
        }
        rows
    }

    /// The index of the selected row in the focused list of `pane`.
    pub fn selected_index(&self, pane: Pane) -> Option<usize> {
        match pane {
            Pane::Parked => {
                let rows = self.parked_rows();
                let code = self.selected.parked.as_ref();
                position_or_first(
                    rows.iter().position(|e| Some(&e.parked.code) == code),
                    rows.len(),
                )
            }
            Pane::Desk => {
                let rows = self.desk_rows();
                let id = self.selected.desk.as_ref();
                position_or_first(rows.iter().position(|c| Some(&c.call.0) == id), rows.len())
            }
            Pane::Groups => {
                let rows = self.group_rows();
                let sel = self.selected.group.as_ref();
                let found = rows.iter().position(|r| {
                    sel.is_some_and(|(g, c)| {
                        &r.group.group == g && r.call.map(|c| &c.call.0) == c.as_ref()
                    })
                });
                position_or_first(found, rows.len())
            }
            Pane::Directory => {
                if self.directory.is_empty() {
                    None
                } else {
                    Some(self.selected.directory.min(self.directory.len() - 1))
                }
            }
            Pane::Log => None,
        }
    }

    /// The selected parked call.
    pub fn selected_parked(&self) -> Option<&ParkedEntry> {
        let rows = self.parked_rows();
        self.selected_index(Pane::Parked)
            .and_then(|i| rows.get(i).copied())
    }

    /// The selected desk call.
    pub fn selected_desk(&self) -> Option<&Call> {
        let rows = self.desk_rows();
        self.selected_index(Pane::Desk)
            .and_then(|i| rows.get(i).copied())
    }

    /// The selected group row.
    pub fn selected_group(&self) -> Option<GroupRow<'_>> {
        let rows = self.group_rows();
        self.selected_index(Pane::Groups)
            .and_then(|i| rows.get(i).copied())
    }

    /// The selected person.
    pub fn selected_person(&self) -> Option<&DirectoryEntry> {
        self.selected_index(Pane::Directory)
            .and_then(|i| self.directory.get(i))
    }

    /// Parked calls in the warning or critical band.
    pub fn expiring_count(&self) -> usize {
        self.board
            .parked
            .values()
            .filter(|e| {
                super::bands::timing(e, self.now, self.warning_share).band
                    != super::bands::Band::Normal
            })
            .count()
    }
}

fn position_or_first(found: Option<usize>, len: usize) -> Option<usize> {
    found.or(if len > 0 { Some(0) } else { None })
}

fn matches_filter(e: &ParkedEntry, needle: &str) -> bool {
    let p = &e.parked;
    [
        p.code.as_str(),
        p.caller.name.as_str(),
        p.caller.number.as_str(),
        p.parked_by.as_str(),
        p.for_note.as_deref().unwrap_or_default(),
    ]
    .iter()
    .any(|field| field.to_lowercase().contains(needle))
}
