//! Snapshots of the whole console on a TestBackend at a fixed engine time: 80×24 and
//! 120×40, with colours and with NO_COLOR (passed explicitly), plus the too-small screen,
//! the help overlay, the park form, the offline banner and the read-only monitor.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too: a failure is the test failing

use crate::support::console::*;
use crossterm::event::KeyCode;
use parkdesk::console::state::{Mode, Pane};
use parkdesk::console::theme::ColorMode;
use parkdesk::console::update::{ConnEvent, Msg, update};

#[test]
fn the_busy_desk_at_80x24_in_colour() {
    let state = busy_state(Mode::Console, (80, 24));
    insta::assert_snapshot!(screen(&state, ColorMode::Color));
}

#[test]
fn the_busy_desk_at_80x24_without_colour() {
    let state = busy_state(Mode::Console, (80, 24));
    insta::assert_snapshot!(screen(&state, ColorMode::NoColor));
}

#[test]
fn the_busy_desk_at_120x40_in_colour() {
    let state = busy_state(Mode::Console, (120, 40));
    insta::assert_snapshot!(screen(&state, ColorMode::Color));
}

#[test]
fn the_busy_desk_at_120x40_without_colour() {
    let state = busy_state(Mode::Console, (120, 40));
    insta::assert_snapshot!(screen(&state, ColorMode::NoColor));
}

#[test]
fn a_too_small_terminal_says_the_size_needed() {
    let state = busy_state(Mode::Console, (50, 12));
    insta::assert_snapshot!(screen(&state, ColorMode::NoColor));
}

#[test]
fn the_help_overlay_lists_the_live_key_map() {
    let mut state = busy_state(Mode::Console, (120, 40));
    update(&mut state, ch('?'));
    insta::assert_snapshot!(screen(&state, ColorMode::NoColor));
}

#[test]
fn the_park_form_over_the_desk_at_80x24() {
    let mut state = busy_state(Mode::Console, (80, 24));
    update(&mut state, key(KeyCode::F(2)));
    type_text(&mut state, "714");
    update(&mut state, key(KeyCode::Tab));
    type_text(&mut state, "Charles");
    insta::assert_snapshot!(screen(&state, ColorMode::NoColor));
}

#[test]
fn an_unreachable_engine_shows_a_banner_and_greys_the_last_state() {
    let mut state = busy_state(Mode::Console, (80, 24));
    update(
        &mut state,
        Msg::Conn(ConnEvent::Lost {
            reason: "connection closed".into(),
            attempt: 3,
            retry_in: 4,
        }),
    );
    insta::assert_snapshot!(screen(&state, ColorMode::Color));
}

#[test]
fn the_monitor_is_read_only_with_a_badge_at_80x24() {
    let mut state = busy_state(Mode::Monitor, (80, 24));
    state.focus = Pane::Groups;
    insta::assert_snapshot!(screen(&state, ColorMode::NoColor));
}

#[test]
fn the_busy_desk_at_100x30_drops_columns_before_squeezing_caller_names() {
    let state = busy_state(Mode::Console, (100, 30));
    let text = screen(&state, ColorMode::NoColor);
    assert!(text.contains("Alan Turing"), "{text}");
    insta::assert_snapshot!(text);
}
