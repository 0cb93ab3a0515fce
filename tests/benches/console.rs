//! One console frame with 1,000 parked calls (aim: under 1 ms), drawn into a buffer at
//! 120×40 and 80×24: sorting the board, computing every visible timer, laying out and
//! rendering every pane.

use criterion::{Criterion, criterion_group, criterion_main};
use parkdesk::console::keymap::KeyMap;
use parkdesk::console::state::{Mode, State};
use parkdesk::console::theme::{ColorMode, Theme};
use parkdesk::console::update::{ConnEvent, Msg, update};
use parkdesk::console::view;
use parkdesk::protocol::{Snapshot, Timestamp};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use serde_json::json;
use std::hint::black_box;

fn at(offset: i64) -> String {
    let base = Timestamp::parse("2026-11-21T10:00:00.000Z")
        .map(|t| t.unix_millis())
        .unwrap_or(0);
    Timestamp::from_unix_millis(base + offset * 1000).to_rfc3339()
}

fn thousand_parked() -> State {
    let parked: Vec<_> = (0..1000)
        .map(|i| {
            let ago = i64::from(i % 290);
            json!({
                "code": format!("{}", 1000 + i), "spoken": "", "range": "big", "call": format!("c-{i}"),
                "caller": {"number": format!("+44 20 7946 {i:04}"), "name": format!("Caller number {i}")},
                "parked_by": "reception", "for": if i % 3 == 0 { json!("Sales") } else { json!(null) },
                "policy": "global", "parked_at": at(-ago), "expires_at": at(300 - ago),
                "state": if i % 17 == 0 { "ringing_back" } else { "parked" }, "ringback": 1, "ringbacks_max": 2,
            })
        })
        .collect();
    let snapshot: Snapshot = serde_json::from_value(json!({
        "calls": [], "parked": parked, "pickup_groups": [], "announcements": [], "recent": [],
    }))
    .unwrap_or_default();
    let keys = KeyMap::builtin("desk").unwrap_or_else(|| panic!("desk key map"));
    let mut state = State::new(
        Mode::Console,
        keys,
        0.75,
        "bench".into(),
        Timestamp::from_unix_millis(0),
    );
    let hello = serde_json::from_value(json!({
        "user": "reception", "roles": ["receptionist"], "engine": "bench", "protocol": 1,
        "epoch": "e", "now": at(0),
    }))
    .unwrap_or_else(|e| panic!("{e}"));
    update(&mut state, Msg::Conn(ConnEvent::Connected { hello }));
    update(
        &mut state,
        Msg::Conn(ConnEvent::Snapshot {
            snapshot,
            new_epoch: false,
        }),
    );
    state
}

fn frame(c: &mut Criterion) {
    let theme = Theme::builtin("default", ColorMode::Color).unwrap_or_else(|| panic!("theme"));
    for (w, h) in [(120u16, 40u16), (80, 24)] {
        let mut state = thousand_parked();
        state.size = (w, h);
        let area = Rect::new(0, 0, w, h);
        let mut buf = Buffer::empty(area);
        c.bench_function(&format!("frame_1000_parked_{w}x{h}"), |b| {
            b.iter(|| {
                view::render(area, &mut buf, black_box(&state), &theme);
                black_box(&buf);
            })
        });
    }
}

criterion_group!(benches, frame);
criterion_main!(benches);
