//! The numbers admin pane: admins only, lists filled from the engine's replies, actions on
//! keystrokes with a question before release and removal, and its screen.

use crate::support::console::*;
use crossterm::event::KeyCode;
use parkdesk::console::numbers_admin::{AdminPrompt, AdminTab};
use parkdesk::console::state::{Mode, Overlay, State};
use parkdesk::console::theme::ColorMode;
use parkdesk::console::update::{ConnEvent, Effect, Msg, update};
use serde_json::{Value, json};

/// A console signed in with the admin role.
fn admin_state(size: (u16, u16)) -> State {
    let mut state = busy_state(Mode::Console, size);
    update(
        &mut state,
        Msg::Conn(ConnEvent::Connected {
            hello: hello("admin", &["admin"], "e1"),
        }),
    );
    state
}

fn tickets(effects: &[Effect]) -> Vec<(u64, String)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send(r) => Some((r.ticket, r.op.clone())),
            Effect::Quit => None,
        })
        .collect()
}

fn lists() -> [(&'static str, Value); 3] {
    [
        (
            "operator.list",
            json!({"operators": [
                {"id": "contoso", "name": "Contoso Telecom", "countries": ["GB", "US"],
                 "state": "active", "address_mode": "operator_locked", "numbers": 3, "assigned": 1,
                 "contact": {"full_name": "Dana Reyes", "email": "dana@contoso.example",
                             "company_size": "51-250", "phone": null}},
                {"id": "fabrikam", "name": "Fabrikam", "countries": ["DE"], "state": "suspended",
                 "address_mode": "customer", "numbers": 0, "assigned": 0,
                 "contact": {"full_name": "Lee", "email": "lee@fabrikam.example",
                             "company_size": "1-50", "phone": null}},
            ]}),
        ),
        (
            "number.list",
            json!({"total": 3, "offset": 0, "limit": 500, "numbers": [
                {"number": "+14255550100", "source": "operator_connect", "operator": "contoso",
                 "country": "US", "city": "Redmond", "capability": "user", "state": "assigned",
                 "user": "alice", "address": "hq", "in_service": true},
                {"number": "+14255550101", "source": "operator_connect", "operator": "contoso",
                 "country": "US", "city": "Redmond", "capability": "user", "state": "unassigned",
                 "user": null, "address": null, "in_service": true},
                {"number": "+442079460101", "source": "calling_plan", "operator": null,
                 "country": "GB", "city": "London", "capability": "user", "state": "pending",
                 "user": null, "address": null, "in_service": false},
            ]}),
        ),
        (
            "address.list",
            json!({"addresses": [
                {"id": "hq", "company": "Northwind", "country": "US", "house_number": "1",
                 "house_number_suffix": "", "street": "Microsoft Way", "city": "Redmond",
                 "state": "WA", "postal_code": "98052", "numbers": ["+14255550100"]},
            ]}),
        ),
    ]
}

/// Answers every list request among `effects` with the fixture lists.
fn answer_lists(state: &mut State, effects: &[Effect]) {
    for (ticket, op) in tickets(effects) {
        if let Some((_, ok)) = lists().into_iter().find(|(name, _)| *name == op) {
            update(
                state,
                Msg::Conn(ConnEvent::Reply {
                    ticket,
                    result: Ok(ok),
                }),
            );
        }
    }
}

/// Opens the pane with `:numbers` and fills it.
fn opened(size: (u16, u16)) -> State {
    let mut state = admin_state(size);
    let mut effects = press(&mut state, [ch(':')]);
    effects.extend(type_text(&mut state, "numbers"));
    effects.extend(press(&mut state, [key(KeyCode::Enter)]));
    let ops: Vec<String> = tickets(&effects).into_iter().map(|(_, op)| op).collect();
    assert_eq!(ops, ["operator.list", "number.list", "address.list"]);
    answer_lists(&mut state, &effects);
    state
}

fn view(state: &State) -> &parkdesk::console::numbers_admin::AdminView {
    match &state.overlay {
        Some(Overlay::Numbers(v)) => v,
        other => panic!("the numbers pane is not open: {other:?}"),
    }
}

#[test]
fn the_numbers_pane_is_for_the_admin_role_only() {
    let mut state = busy_state(Mode::Console, (100, 30));
    let mut effects = press(&mut state, [ch(':')]);
    effects.extend(type_text(&mut state, "numbers"));
    effects.extend(press(&mut state, [key(KeyCode::Enter)]));
    assert!(sent(&effects).is_empty(), "nothing asked of the engine");
    assert!(!matches!(state.overlay, Some(Overlay::Numbers(_))));
    let status = state.status.clone().expect("a status");
    assert!(status.error);
    assert!(status.text.contains("admin"), "{}", status.text);
}

#[test]
fn an_admin_browses_operators_numbers_and_addresses_by_tab() {
    let mut state = opened((120, 30));
    let v = view(&state);
    assert_eq!(v.operators.len(), 2);
    assert_eq!(v.numbers_total, 3);
    assert_eq!(v.addresses[0].numbers, 1);
    press(&mut state, [key(KeyCode::Tab)]);
    assert_eq!(view(&state).tab, AdminTab::Numbers);
    press(&mut state, [ch('3')]);
    assert_eq!(view(&state).tab, AdminTab::Addresses);
    press(
        &mut state,
        [key(KeyCode::Left), key(KeyCode::Down), key(KeyCode::Down)],
    );
    assert_eq!(
        view(&state).selected(),
        Some(2),
        "selection stops at the last row"
    );
    press(&mut state, [key(KeyCode::Esc)]);
    assert!(state.overlay.is_none(), "Esc closes the pane");
}

#[test]
fn releasing_a_number_asks_first_then_sends_it_and_refreshes_the_lists() {
    let mut state = opened((120, 30));
    press(&mut state, [ch('2'), key(KeyCode::Down)]);
    let effects = press(&mut state, [ch('x')]);
    assert!(
        sent(&effects).is_empty(),
        "nothing is released before the yes"
    );
    let question = match &view(&state).prompt {
        Some(AdminPrompt::Confirm { question, .. }) => question.clone(),
        other => panic!("no question: {other:?}"),
    };
    assert!(question.contains("+14255550101"), "{question}");
    let effects = press(&mut state, [ch('n')]);
    assert!(sent(&effects).is_empty());
    assert!(view(&state).prompt.is_none());

    press(&mut state, [ch('x')]);
    let effects = press(&mut state, [ch('y')]);
    let requests = sent(&effects);
    assert_eq!(requests[0].0, "number.release");
    assert_eq!(requests[0].1, json!({"numbers": ["+14255550101"]}));
    assert!(
        requests[0].2.is_some(),
        "a change carries an idempotency key"
    );
    let ops: Vec<&str> = requests[1..].iter().map(|r| r.0.as_str()).collect();
    assert_eq!(ops, ["operator.list", "number.list", "address.list"]);
}

#[test]
fn a_number_is_assigned_by_typing_the_user_and_unassigned_with_one_key() {
    let mut state = opened((120, 30));
    press(&mut state, [ch('2'), key(KeyCode::Down), ch('a')]);
    type_text(&mut state, "bob");
    let effects = press(&mut state, [key(KeyCode::Enter)]);
    let requests = sent(&effects);
    assert_eq!(requests[0].0, "number.assign");
    assert_eq!(
        requests[0].1,
        json!({"number": "+14255550101", "user": "bob"})
    );

    press(&mut state, [key(KeyCode::Up)]);
    let requests = sent(&press(&mut state, [ch('u')]));
    assert_eq!(requests[0].0, "number.unassign");
    assert_eq!(requests[0].1, json!({"number": "+14255550100"}));
}

#[test]
fn an_operator_is_suspended_or_resumed_with_one_key_and_removed_after_a_yes() {
    let mut state = opened((120, 30));
    let requests = sent(&press(&mut state, [ch('s')]));
    assert_eq!(requests[0].0, "operator.suspend");
    press(&mut state, [key(KeyCode::Down)]);
    let requests = sent(&press(&mut state, [ch('s')]));
    assert_eq!(requests[0].0, "operator.resume", "fabrikam is suspended");
    assert!(sent(&press(&mut state, [ch('x')])).is_empty());
    let requests = sent(&press(&mut state, [key(KeyCode::Enter)]));
    assert_eq!(requests[0].0, "operator.remove");
    assert_eq!(requests[0].1, json!({"operator": "fabrikam"}));
}

#[test]
fn a_refused_change_says_why_in_the_status_line() {
    let mut state = opened((120, 30));
    press(&mut state, [ch('2'), ch('x')]);
    let effects = press(&mut state, [ch('y')]);
    let (ticket, _) = tickets(&effects)[0].clone();
    update(
        &mut state,
        Msg::Conn(ConnEvent::Reply {
            ticket,
            result: Err(parkdesk::console::update::Refusal {
                code: Some(parkdesk::protocol::ErrorCode::Conflict),
                message: "nothing released: +14255550100 assigned or moving".into(),
            }),
        }),
    );
    answer_lists(&mut state, &effects);
    let status = state.status.clone().expect("status");
    assert!(status.error);
    assert!(status.text.contains("nothing released"), "{}", status.text);
}

#[test]
fn the_numbers_pane_at_120x30() {
    let mut state = opened((120, 30));
    press(&mut state, [ch('2'), key(KeyCode::Down)]);
    insta::assert_snapshot!(screen(&state, ColorMode::NoColor));
}

#[test]
fn the_numbers_pane_asking_before_a_release_at_80x24() {
    let mut state = opened((80, 24));
    press(&mut state, [ch('2'), key(KeyCode::Down), ch('x')]);
    insta::assert_snapshot!(screen(&state, ColorMode::NoColor));
}
