//! The action table: every bindable action with its name in key map files, its help text,
//! its group in the `?` overlay, and whether it changes anything (hidden in monitor mode).
//! The key map, the help overlay and the status-bar hints are all drawn from this one table.

/// Something the user can bind a key to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(missing_docs)] // each variant is described in ACTIONS
pub enum Action {
    Quit,
    Help,
    Close,
    NextPane,
    PrevPane,
    FocusParked,
    FocusDesk,
    FocusGroups,
    FocusDirectory,
    FocusLog,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Activate,
    Park,
    ParkNext,
    Retrieve,
    Announce,
    Extend,
    Pickup,
    Transfer,
    Hangup,
    Filter,
    Palette,
    Find,
    Sort,
    Jump,
    History,
}

/// Where an action shows in the help overlay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionGroup {
    /// Park, retrieve, announce…
    Calls,
    /// Moving around.
    Navigate,
    /// Filter, palette, help, quit.
    General,
}

/// One row of the action table.
#[derive(Debug, Clone, Copy)]
pub struct ActionInfo {
    /// The action.
    pub action: Action,
    /// Its name in key map files.
    pub name: &'static str,
    /// Short label for the status-bar hints.
    pub hint: &'static str,
    /// What it does, for the help overlay.
    pub help: &'static str,
    /// Its help group.
    pub group: ActionGroup,
    /// Whether it asks the engine to change something (not offered in monitor mode).
    pub mutating: bool,
}

const fn row(
    action: Action,
    name: &'static str,
    hint: &'static str,
    help: &'static str,
    group: ActionGroup,
    mutating: bool,
) -> ActionInfo {
    ActionInfo {
        action,
        name,
        hint,
        help,
        group,
        mutating,
    }
}

use ActionGroup::{Calls, General, Navigate};

/// The action table.
pub const ACTIONS: &[ActionInfo] = &[
    row(
        Action::Activate,
        "activate",
        "do",
        "The obvious thing: park a desk call, retrieve, pick up, transfer to a person",
        Calls,
        true,
    ),
    row(
        Action::Park,
        "park",
        "park",
        "Park the selected desk call: code (blank = next free), for, announce",
        Calls,
        true,
    ),
    row(
        Action::ParkNext,
        "park_next",
        "park next",
        "Park the selected desk call on the next free code at once",
        Calls,
        true,
    ),
    row(
        Action::Retrieve,
        "retrieve",
        "retrieve",
        "Retrieve the selected parked call to my line",
        Calls,
        true,
    ),
    row(
        Action::Announce,
        "announce",
        "announce",
        "Announce (or re-announce) the selected parked call on the PA",
        Calls,
        true,
    ),
    row(
        Action::Extend,
        "extend",
        "extend",
        "Give the selected parked call 60 s more",
        Calls,
        true,
    ),
    row(
        Action::Pickup,
        "pickup",
        "pickup",
        "Pick up the selected ringing call, or a group's longest-ringing one",
        Calls,
        true,
    ),
    row(
        Action::Transfer,
        "transfer",
        "transfer",
        "Transfer the selected desk or parked call to the selected person",
        Calls,
        true,
    ),
    row(
        Action::Hangup,
        "hangup",
        "hang up",
        "Hang up the selected call (asks first)",
        Calls,
        true,
    ),
    row(
        Action::Find,
        "find",
        "find",
        "Search the directory by name, number or group",
        Calls,
        false,
    ),
    row(
        Action::History,
        "history",
        "history",
        "Show the parks that ended lately, newest first",
        Calls,
        false,
    ),
    row(
        Action::Jump,
        "jump",
        "jump",
        "Type digits to jump to a parked code",
        Navigate,
        false,
    ),
    row(
        Action::Up,
        "up",
        "up",
        "Select the row above",
        Navigate,
        false,
    ),
    row(
        Action::Down,
        "down",
        "down",
        "Select the row below",
        Navigate,
        false,
    ),
    row(
        Action::PageUp,
        "page_up",
        "page up",
        "A page up",
        Navigate,
        false,
    ),
    row(
        Action::PageDown,
        "page_down",
        "page down",
        "A page down",
        Navigate,
        false,
    ),
    row(Action::Top, "top", "top", "The first row", Navigate, false),
    row(
        Action::Bottom,
        "bottom",
        "bottom",
        "The last row",
        Navigate,
        false,
    ),
    row(
        Action::NextPane,
        "next_pane",
        "next pane",
        "Next pane",
        Navigate,
        false,
    ),
    row(
        Action::PrevPane,
        "prev_pane",
        "prev pane",
        "Previous pane",
        Navigate,
        false,
    ),
    row(
        Action::FocusParked,
        "focus_parked",
        "parked",
        "Pane 1: parked calls",
        Navigate,
        false,
    ),
    row(
        Action::FocusDesk,
        "focus_desk",
        "desk",
        "Pane 2: desk calls",
        Navigate,
        false,
    ),
    row(
        Action::FocusGroups,
        "focus_groups",
        "groups",
        "Pane 3: pickup groups",
        Navigate,
        false,
    ),
    row(
        Action::FocusDirectory,
        "focus_directory",
        "directory",
        "Pane 4: directory",
        Navigate,
        false,
    ),
    row(
        Action::FocusLog,
        "focus_log",
        "log",
        "Pane 5: activity log",
        Navigate,
        false,
    ),
    row(
        Action::Filter,
        "filter",
        "filter",
        "Filter the parked board",
        General,
        false,
    ),
    row(
        Action::Sort,
        "sort",
        "sort",
        "Sort the parked board: time left, code, parked at, caller",
        General,
        false,
    ),
    row(
        Action::Palette,
        "palette",
        "command",
        "Command palette (:park 705 for Ada, :retrieve 705, :find bob…)",
        General,
        false,
    ),
    row(Action::Help, "help", "help", "This help", General, false),
    row(
        Action::Close,
        "close",
        "close",
        "Close any overlay, palette, filter or confirm",
        General,
        false,
    ),
    row(Action::Quit, "quit", "quit", "Quit at once", General, false),
];

impl Action {
    /// This action's row in the table.
    pub fn info(self) -> &'static ActionInfo {
        // Every variant has a row (a unit test checks); the fallback is never reached.
        ACTIONS
            .iter()
            .find(|a| a.action == self)
            .unwrap_or(&ACTIONS[ACTIONS.len() - 1])
    }

    /// The action named `name` in a key map file.
    pub fn from_name(name: &str) -> Option<Action> {
        ACTIONS.iter().find(|a| a.name == name).map(|a| a.action)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_exactly_one_row_and_a_unique_name() {
        let mut names: Vec<_> = ACTIONS.iter().map(|a| a.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ACTIONS.len());
        for info in ACTIONS {
            assert_eq!(info.action.info().name, info.name);
            assert_eq!(Action::from_name(info.name), Some(info.action));
        }
        assert_eq!(ACTIONS.len(), 31);
    }
}
