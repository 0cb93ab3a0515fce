//! The admin pane for numbers (admins only, opened with `:numbers`): operators, numbers and
//! emergency addresses as the engine lists them, and the common actions on keystrokes —
//! suspend or resume an operator, assign, unassign or release a number, remove an operator
//! or an address — with a yes/no question before releasing or removing anything.
//!
//! Pure like the rest of the console: keys in, requests out; the lists come back as replies.

use super::update::requests::{self, AdminList, Request};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::Value;

/// The pane's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AdminTab {
    /// Operators and their countries.
    #[default]
    Operators,
    /// Phone numbers.
    Numbers,
    /// Emergency addresses.
    Addresses,
}

impl AdminTab {
    /// In order.
    pub const ALL: [AdminTab; 3] = [AdminTab::Operators, AdminTab::Numbers, AdminTab::Addresses];

    /// The tab's title.
    pub fn title(self) -> &'static str {
        match self {
            AdminTab::Operators => "Operators",
            AdminTab::Numbers => "Numbers",
            AdminTab::Addresses => "Addresses",
        }
    }

    fn index(self) -> usize {
        AdminTab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }

    /// The keys of the tab's actions, as the pane's footer shows them.
    pub fn hints(self) -> &'static str {
        match self {
            AdminTab::Operators => "s suspend/resume · x remove",
            AdminTab::Numbers => "a assign · u unassign · x release",
            AdminTab::Addresses => "x remove",
        }
    }
}

/// An operator row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorRow {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Countries, comma-separated.
    pub countries: String,
    /// `active` or `suspended`.
    pub state: String,
    /// Who sets the emergency addresses.
    pub address_mode: String,
    /// Numbers it holds.
    pub numbers: u64,
    /// Of which assigned.
    pub assigned: u64,
}

/// A number row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberRow {
    /// E.164.
    pub number: String,
    /// Source.
    pub source: String,
    /// Operator, or blank.
    pub operator: String,
    /// Country.
    pub country: String,
    /// City.
    pub city: String,
    /// State.
    pub state: String,
    /// User, or blank.
    pub user: String,
    /// Emergency address id, or blank.
    pub address: String,
    /// Takes calls.
    pub in_service: bool,
}

/// An address row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressRow {
    /// Id.
    pub id: String,
    /// Company.
    pub company: String,
    /// The address on one line.
    pub line: String,
    /// How many numbers use it.
    pub numbers: usize,
}

/// A question or an input over the lists.
#[derive(Debug, Clone, PartialEq)]
pub enum AdminPrompt {
    /// The user id to assign `number` to, being typed.
    Assign {
        /// The number.
        number: String,
        /// The user id so far.
        user: String,
    },
    /// Yes or no before a release or removal.
    Confirm {
        /// The question.
        question: String,
        /// The request on yes.
        request: Request,
    },
}

/// What a key did.
#[derive(Debug, Clone, PartialEq)]
pub enum AdminOutcome {
    /// Stay open.
    Stay,
    /// Close the pane.
    Close,
    /// Send these, in order (a change is followed by fresh lists).
    Send(Vec<Request>),
}

/// The pane's state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AdminView {
    /// The tab shown.
    pub tab: AdminTab,
    /// Operators.
    pub operators: Vec<OperatorRow>,
    /// Numbers (the first page).
    pub numbers: Vec<NumberRow>,
    /// Numbers in all.
    pub numbers_total: u64,
    /// Addresses.
    pub addresses: Vec<AddressRow>,
    /// The selected row of each tab.
    pub selected: [usize; 3],
    /// Lists asked for and not yet answered.
    pub loading: usize,
    /// Why a list did not come.
    pub failed: Option<String>,
    /// A question or input, if any.
    pub prompt: Option<AdminPrompt>,
}

/// Numbers fetched per refresh.
pub const NUMBERS_PAGE: usize = 500;

fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

impl AdminView {
    /// The three list requests that fill the pane.
    pub fn refresh() -> Vec<Request> {
        vec![
            requests::operator_list(),
            requests::number_list(NUMBERS_PAGE),
            requests::address_list(),
        ]
    }

    /// A pane waiting for its lists.
    pub fn opening() -> AdminView {
        AdminView {
            loading: 3,
            ..AdminView::default()
        }
    }

    /// Fills one list from its reply.
    pub fn loaded(&mut self, list: AdminList, ok: &Value) {
        self.loading = self.loading.saturating_sub(1);
        self.failed = None;
        let items = |key: &str| {
            ok.get(key)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        };
        match list {
            AdminList::Operators => {
                self.operators = items("operators")
                    .iter()
                    .map(|o| OperatorRow {
                        id: text(o, "id"),
                        name: text(o, "name"),
                        countries: o["countries"]
                            .as_array()
                            .map(|c| {
                                c.iter()
                                    .filter_map(Value::as_str)
                                    .collect::<Vec<_>>()
                                    .join(",")
                            })
                            .unwrap_or_default(),
                        state: text(o, "state"),
                        address_mode: text(o, "address_mode"),
                        numbers: o["numbers"].as_u64().unwrap_or(0),
                        assigned: o["assigned"].as_u64().unwrap_or(0),
                    })
                    .collect();
            }
            AdminList::Numbers => {
                self.numbers = items("numbers")
                    .iter()
                    .map(|n| NumberRow {
                        number: text(n, "number"),
                        source: text(n, "source"),
                        operator: text(n, "operator"),
                        country: text(n, "country"),
                        city: text(n, "city"),
                        state: text(n, "state"),
                        user: text(n, "user"),
                        address: text(n, "address"),
                        in_service: n["in_service"].as_bool().unwrap_or(true),
                    })
                    .collect();
                self.numbers_total = ok["total"].as_u64().unwrap_or(self.numbers.len() as u64);
            }
            AdminList::Addresses => {
                self.addresses = items("addresses")
                    .iter()
                    .map(|a| {
                        let mut line = format!(
                            "{}{} {}, {} {} {}",
                            text(a, "house_number"),
                            text(a, "house_number_suffix"),
                            text(a, "street"),
                            text(a, "city"),
                            text(a, "postal_code"),
                            text(a, "country"),
                        );
                        if line.trim().is_empty() {
                            line.clear();
                        }
                        AddressRow {
                            id: text(a, "id"),
                            company: text(a, "company"),
                            line,
                            numbers: a["numbers"].as_array().map_or(0, Vec::len),
                        }
                    })
                    .collect();
            }
        }
        self.clamp();
    }

    /// A list request failed.
    pub fn list_failed(&mut self, why: String) {
        self.loading = self.loading.saturating_sub(1);
        self.failed = Some(why);
    }

    /// Rows in the tab shown.
    pub fn rows(&self) -> usize {
        match self.tab {
            AdminTab::Operators => self.operators.len(),
            AdminTab::Numbers => self.numbers.len(),
            AdminTab::Addresses => self.addresses.len(),
        }
    }

    /// The selected row of the tab shown (`None` when it is empty).
    pub fn selected(&self) -> Option<usize> {
        let n = self.rows();
        (n > 0).then(|| self.selected[self.tab.index()].min(n - 1))
    }

    fn clamp(&mut self) {
        for tab in AdminTab::ALL {
            let n = match tab {
                AdminTab::Operators => self.operators.len(),
                AdminTab::Numbers => self.numbers.len(),
                AdminTab::Addresses => self.addresses.len(),
            };
            let s = &mut self.selected[tab.index()];
            *s = (*s).min(n.saturating_sub(1));
        }
    }

    fn select(&mut self, f: impl FnOnce(usize, usize) -> usize) {
        let n = self.rows();
        let i = self.tab.index();
        self.selected[i] = f(self.selected[i], n).min(n.saturating_sub(1));
    }

    /// A change followed by fresh lists.
    fn send(request: Request) -> AdminOutcome {
        let mut all = vec![request];
        all.extend(AdminView::refresh());
        AdminOutcome::Send(all)
    }

    /// Handles a key.
    pub fn on_key(&mut self, key: &KeyEvent) -> AdminOutcome {
        if let Some(prompt) = self.prompt.take() {
            return self.on_prompt_key(prompt, key);
        }
        let plain = !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        match key.code {
            KeyCode::Esc | KeyCode::Char('q') if plain => AdminOutcome::Close,
            KeyCode::Tab | KeyCode::Right => {
                self.tab = AdminTab::ALL[(self.tab.index() + 1) % 3];
                AdminOutcome::Stay
            }
            KeyCode::BackTab | KeyCode::Left => {
                self.tab = AdminTab::ALL[(self.tab.index() + 2) % 3];
                AdminOutcome::Stay
            }
            KeyCode::Char(c @ '1'..='3') => {
                self.tab = AdminTab::ALL[usize::from(c as u8 - b'1')];
                AdminOutcome::Stay
            }
            KeyCode::Down | KeyCode::Char('j') => {
                self.select(|s, _| s + 1);
                AdminOutcome::Stay
            }
            KeyCode::Up | KeyCode::Char('k') => {
                self.select(|s, _| s.saturating_sub(1));
                AdminOutcome::Stay
            }
            KeyCode::PageDown => {
                self.select(|s, _| s + 10);
                AdminOutcome::Stay
            }
            KeyCode::PageUp => {
                self.select(|s, _| s.saturating_sub(10));
                AdminOutcome::Stay
            }
            KeyCode::Home | KeyCode::Char('g') => {
                self.select(|_, _| 0);
                AdminOutcome::Stay
            }
            KeyCode::End | KeyCode::Char('G') => {
                self.select(|_, n| n);
                AdminOutcome::Stay
            }
            KeyCode::Char('r') => {
                self.loading = 3;
                AdminOutcome::Send(AdminView::refresh())
            }
            KeyCode::Char(c) if plain => self.on_action(c),
            _ => AdminOutcome::Stay,
        }
    }

    fn on_action(&mut self, c: char) -> AdminOutcome {
        let Some(i) = self.selected() else {
            return AdminOutcome::Stay;
        };
        match (self.tab, c) {
            (AdminTab::Operators, 's') => {
                let Some(o) = self.operators.get(i) else {
                    return AdminOutcome::Stay;
                };
                AdminView::send(if o.state == "suspended" {
                    requests::operator_resume(&o.id)
                } else {
                    requests::operator_suspend(&o.id)
                })
            }
            (AdminTab::Operators, 'x') => {
                let Some(o) = self.operators.get(i) else {
                    return AdminOutcome::Stay;
                };
                self.prompt = Some(AdminPrompt::Confirm {
                    question: format!(
                        "Remove operator {} from every country ({}) and release its {} \
                         unassigned number(s)?",
                        o.id,
                        o.countries,
                        o.numbers - o.assigned.min(o.numbers)
                    ),
                    request: requests::operator_remove(&o.id),
                });
                AdminOutcome::Stay
            }
            (AdminTab::Numbers, 'a') => {
                let Some(n) = self.numbers.get(i) else {
                    return AdminOutcome::Stay;
                };
                self.prompt = Some(AdminPrompt::Assign {
                    number: n.number.clone(),
                    user: String::new(),
                });
                AdminOutcome::Stay
            }
            (AdminTab::Numbers, 'u') => {
                let Some(n) = self.numbers.get(i) else {
                    return AdminOutcome::Stay;
                };
                AdminView::send(requests::number_unassign(&n.number))
            }
            (AdminTab::Numbers, 'x') => {
                let Some(n) = self.numbers.get(i) else {
                    return AdminOutcome::Stay;
                };
                self.prompt = Some(AdminPrompt::Confirm {
                    question: format!("Release {} back to its source?", n.number),
                    request: requests::number_release(&n.number),
                });
                AdminOutcome::Stay
            }
            (AdminTab::Addresses, 'x') => {
                let Some(a) = self.addresses.get(i) else {
                    return AdminOutcome::Stay;
                };
                self.prompt = Some(AdminPrompt::Confirm {
                    question: format!("Remove the emergency address {}?", a.id),
                    request: requests::address_remove(&a.id),
                });
                AdminOutcome::Stay
            }
            _ => AdminOutcome::Stay,
        }
    }

    fn on_prompt_key(&mut self, prompt: AdminPrompt, key: &KeyEvent) -> AdminOutcome {
        match prompt {
            AdminPrompt::Confirm { question, request } => match key.code {
                KeyCode::Char('y' | 'Y') | KeyCode::Enter => AdminView::send(request),
                KeyCode::Char('n' | 'N') | KeyCode::Esc => AdminOutcome::Stay,
                _ => {
                    self.prompt = Some(AdminPrompt::Confirm { question, request });
                    AdminOutcome::Stay
                }
            },
            AdminPrompt::Assign { number, mut user } => match key.code {
                KeyCode::Esc => AdminOutcome::Stay,
                KeyCode::Enter if !user.trim().is_empty() => {
                    AdminView::send(requests::number_assign(&number, user.trim()))
                }
                KeyCode::Backspace => {
                    user.pop();
                    self.prompt = Some(AdminPrompt::Assign { number, user });
                    AdminOutcome::Stay
                }
                KeyCode::Char(c)
                    if !key
                        .modifiers
                        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
                        && !c.is_whitespace()
                        && user.chars().count() < 64 =>
                {
                    user.push(c);
                    self.prompt = Some(AdminPrompt::Assign { number, user });
                    AdminOutcome::Stay
                }
                _ => {
                    self.prompt = Some(AdminPrompt::Assign { number, user });
                    AdminOutcome::Stay
                }
            },
        }
    }
}
