//! End to end in a real terminal: the `parkdesk` binary's console and monitor in tmux,
//! against the real `parkdesk engine` process with the simulated switch, driven by
//! keystrokes and read back with `capture-pane`; the engine's own answers (`parked.list`,
//! `history.list`, snapshots) say what really happened.
//!
//! tmux must be installed (`tests/run.sh` installs it on a fresh machine).

use crate::support::terminal::*;
use crate::support::{MONITOR, RECEPTION};
use serde_json::{Value, json};
use std::time::Duration;

/// Offers a call from `name` to the reception line; returns its call id.
fn offer(url: &str, name: &str, number: &str) -> String {
    let ok = request(
        url,
        RECEPTION,
        "sim.offer",
        json!({"from": {"number": number, "name": name}, "to": "reception"}),
    );
    ok["call"].as_str().expect("a call id").to_string()
}

/// The engine's parked calls.
fn parked_list(url: &str) -> Vec<Value> {
    request(url, RECEPTION, "parked.list", json!({}))["parked"]
        .as_array()
        .expect("parked")
        .clone()
}

/// Waits until the engine's history holds the park on `code`, and returns that entry.
fn history_entry(url: &str, code: &str) -> Value {
    poll(PATIENCE, || {
        let ok = request(url, RECEPTION, "history.list", json!({}));
        ok["entries"]
            .as_array()?
            .iter()
            .find(|e| e["code"] == code)
            .cloned()
    })
    .unwrap_or_else(|| panic!("no history entry for {code} within {PATIENCE:?}"))
}

fn online(screen: &str) -> bool {
    screen.contains("● online")
}

#[test]
fn a_receptionist_parks_the_desk_call_with_a_keystroke_and_retrieves_it_with_another() {
    let site = Site::new();
    let engine = EngineProcess::start(&site.engine_config);
    let call = offer(&engine.url, "Ada Lovelace", "+15550100");
    let term = Terminal::start(&site, Client::Console, &engine.url, RECEPTION, (120, 40));
    term.wait_for("the ringing desk call", |s| {
        online(s) && s.contains("ringing  Ada Lovelace")
    });

    // Alt-2 focuses the desk; `+` parks its selected call on the next free code.
    term.keys(&["M-2", "+"]);
    let screen = term.wait_for("a code on the board", |s| board_code(s, "parked").is_some());
    let code = board_code(&screen, "parked").expect("code");
    let parked = parked_list(&engine.url);
    assert_eq!(parked.len(), 1, "{parked:?}");
    assert_eq!(parked[0]["code"], code.as_str());
    assert_eq!(parked[0]["call"], call.as_str());
    assert_eq!(parked[0]["state"], "parked");
    let screen = term.wait_for("the park in the activity log", |s| {
        s.contains(&format!("{code} parked: Ada Lovelace"))
    });
    assert!(
        !screen.contains("transferred"),
        "a park reads as a park, not a transfer:\n{screen}"
    );
    assert!(
        screen.contains(&format!("Parked on {code}")),
        "the status line names the code:\n{screen}"
    );

    // Alt-1 focuses the board; F3 retrieves its selected call to my line, whose simulated
    // phone answers.
    term.keys(&["M-1", "F3"]);
    term.wait_for("the retrieve to finish", |s| {
        s.contains("No parked calls") && s.contains(&format!("{code} retrieved by reception"))
    });
    let entry = history_entry(&engine.url, &code);
    assert_eq!(entry["outcome"], "retrieved", "{entry}");
    assert_eq!(entry["by"], "reception", "{entry}");
    assert_eq!(entry["call"], call.as_str(), "{entry}");
    assert!(parked_list(&engine.url).is_empty());
}

#[test]
fn a_console_rides_out_an_engine_killed_and_restarted_on_the_same_port() {
    let site = Site::new();
    let mut engine = EngineProcess::start(&site.engine_config);
    let call = offer(&engine.url, "Grace Hopper", "+15550200");
    let code = request(&engine.url, RECEPTION, "park", json!({"call": call}))["code"]
        .as_str()
        .expect("code")
        .to_string();
    let term = Terminal::start(&site, Client::Console, &engine.url, RECEPTION, (120, 40));
    term.wait_for("the parked call on the board", |s| {
        online(s) && board_code(s, "parked").as_deref() == Some(code.as_str())
    });

    engine.kill();
    // The banner and the log's note are drawn from the same loss, maybe a frame apart.
    let screen = term.wait_for("the unreachable banner and the log's note", |s| {
        s.contains("ENGINE UNREACHABLE") && s.contains("OFFLINE") && s.contains("Connection lost")
    });
    assert!(
        board_code(&screen, "parked").as_deref() == Some(code.as_str()),
        "the last known board stays on screen while offline:\n{screen}"
    );
    assert!(screen.contains("Connection lost"), "{screen}");

    let engine = EngineProcess::start(&site.engine_config);
    assert_eq!(engine.url, site.url(), "the engine came back on its port");
    // The history goes on across the crash (same epoch): what the console missed is
    // replayed, not a fresh snapshot, and the park the new run could not carry on (no SIP
    // leg behind a simulated call) ends `lost` with its event.
    let screen = term.wait_for("the reconnection to the new run", |s| {
        online(s) && s.contains("missed events replayed") && s.contains(&format!("{code} lost"))
    });
    assert!(
        !screen.contains("ENGINE UNREACHABLE"),
        "the banner is gone:\n{screen}"
    );
    assert!(
        !screen.contains("new epoch"),
        "no new history after a crash:\n{screen}"
    );
    assert!(
        screen.contains("No parked calls"),
        "the replayed end took the park off the board:\n{screen}"
    );
    let entry = history_entry(&engine.url, &code);
    assert_eq!(entry["outcome"], "lost", "{entry}");

    // The new subscription is live: a new call shows on the desk.
    offer(&engine.url, "Linus Torvalds", "+15550300");
    term.wait_for("a call offered after the restart", |s| {
        s.contains("ringing  Linus Torvalds")
    });
}

#[test]
fn the_monitor_is_read_only_and_its_keys_change_nothing_at_the_engine() {
    let site = Site::new();
    let engine = EngineProcess::start(&site.engine_config);
    let parked_call = offer(&engine.url, "Ada Lovelace", "+15550100");
    let code = request(&engine.url, RECEPTION, "park", json!({"call": parked_call}))["code"]
        .as_str()
        .expect("code")
        .to_string();
    let ringing_call = offer(&engine.url, "Bob Byte", "+15550101");
    let before = snapshot(&engine.url, RECEPTION);

    let term = Terminal::start(&site, Client::Monitor, &engine.url, MONITOR, (120, 40));
    let screen = term.wait_for("the monitor's board", |s| {
        online(s) && board_code(s, "parked").as_deref() == Some(code.as_str())
    });
    assert!(screen.contains("READ-ONLY"), "{screen}");
    assert!(screen.contains("wallboard (monitor)"), "{screen}");

    // Every call key of the desk map: park, park next, retrieve, announce, extend, pickup,
    // transfer, hang up (and a yes), then the help as a marker that all were read.
    term.keys(&["F2", "+", "F3", "F4", "F5", "F6", "F7", "F8", "y", "Enter"]);
    let screen = term.wait_for("the read-only refusal", |s| {
        s.contains("Read-only monitor: nothing here changes the board")
    });
    assert!(
        !screen.contains("refused"),
        "nothing reached the engine:\n{screen}"
    );
    term.keys(&["?"]);
    term.wait_for("the help", |s| s.contains("Keys — desk map"));

    // Give anything sent a moment to land, then compare the engine with before.
    settle();
    let after = snapshot(&engine.url, RECEPTION);
    assert_eq!(after["parked"], before["parked"], "the board is as it was");
    let calls = |snap: &Value| -> Vec<(Value, Value, Value)> {
        let mut calls: Vec<_> = snap["calls"]
            .as_array()
            .expect("calls")
            .iter()
            .map(|c| (c["call"].clone(), c["state"].clone(), c["line"].clone()))
            .collect();
        calls.sort_by_key(|c| c.0.to_string());
        calls
    };
    assert_eq!(calls(&after), calls(&before), "no call changed");
    assert!(
        calls(&after)
            .iter()
            .any(|(id, state, _)| id == ringing_call.as_str() && state == "ringing"),
        "the desk call still rings: {after}"
    );
    assert!(
        request(&engine.url, RECEPTION, "history.list", json!({}))["entries"]
            .as_array()
            .expect("entries")
            .is_empty(),
        "no park ended"
    );
}

#[test]
fn closing_the_terminal_ends_the_console() {
    let site = Site::new();
    let engine = EngineProcess::start(&site.engine_config);
    let term = Terminal::start(&site, Client::Console, &engine.url, RECEPTION, (80, 24));
    term.wait_for("the console", online);
    term.close();
    let gone = poll(Duration::from_secs(5), || {
        term.client_exited().then_some(())
    });
    assert!(
        gone.is_some(),
        "the console (pid {}) still runs after its terminal closed; its log:\n{}",
        term.pid,
        site.console_logs()
    );
}

#[test]
fn the_console_fits_80_by_24_and_quits_on_q() {
    let site = Site::new();
    let engine = EngineProcess::start(&site.engine_config);
    offer(&engine.url, "Ada Lovelace", "+15550100");
    let term = Terminal::start(&site, Client::Console, &engine.url, RECEPTION, (80, 24));
    term.wait_for("the desk call", |s| online(s) && s.contains("Ada Lovelace"));
    term.keys(&["M-2", "+"]);
    let screen = term.wait_for("the park on the board", |s| {
        board_code(s, "parked").is_some()
    });
    let lines: Vec<&str> = screen.lines().collect();
    assert!(lines.len() <= 24, "{screen}");
    assert!(
        lines.iter().all(|l| l.chars().count() <= 80),
        "nothing wider than the terminal:\n{screen}"
    );
    assert!(
        screen.contains("Activity"),
        "the log has a place:\n{screen}"
    );
    assert!(screen.contains("? help"), "the key hints show:\n{screen}");
    term.keys(&["q"]);
    let gone = poll(PATIENCE, || term.client_exited().then_some(()));
    assert!(gone.is_some(), "q quits");
}
