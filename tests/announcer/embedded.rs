//! Plain `parkdesk` runs the station as a child process: it serves the embedded engine with
//! the announcer token, its stderr (ALSA's messages) goes to the log directory and never to
//! the console's terminal, and it stops when its parent's pipe closes.

use crate::support::{Peer, poll};
use parkdesk::announcer::spawn::{STDERR_FILE, station_command};
use parkdesk::cli::engine_cmd::start_embedded;
use parkdesk::config::Settings;
use serde_json::json;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread")]
async fn the_embedded_station_child_serves_the_engine_with_its_stderr_in_the_log() {
    let logs = tempfile::tempdir().expect("tempdir");
    let (server, reception, pa) = start_embedded(&Settings::default())
        .await
        .expect("embedded engine");
    let url = server.url();
    let exe = std::path::Path::new(env!("CARGO_BIN_EXE_parkdesk"));
    let mut child = station_command(exe, &url, &pa, logs.path(), None)
        .expect("command")
        .env(
            "PARKDESK__ANNOUNCER__DEVICE",
            "parkdesk-test-no-such-output",
        )
        .spawn()
        .expect("spawn");
    let command = station_command(exe, &url, &pa, logs.path(), None).expect("command");
    let args: Vec<String> = command
        .get_args()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    assert!(
        !args.iter().any(|a| a.contains(&pa)),
        "no token in argv: {args:?}"
    );
    assert!(args.contains(&"--exit-with-stdin".to_string()), "{args:?}");

    let (mut p, _) = Peer::hello(&url, &reception).await;
    p.ok("subscribe", json!({})).await;
    // The child needs a moment to connect; until then the engine has no station.
    let mut served = false;
    for _ in 0..100 {
        let ok = p.ok("announce", json!({"text": "please dial 7 0 1"})).await;
        if ok["announcement"]["state"] == "queued" {
            served = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(served, "the station child subscribed");
    let failed = loop {
        let e = p.event("announcement.failed").await;
        if e["data"]["reason"]
            .as_str()
            .is_some_and(|r| r.starts_with("no audio output device"))
        {
            break e;
        }
    };
    assert!(
        failed["data"]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("parkdesk-test-no-such-output")),
        "{failed}"
    );
    assert!(logs.path().join(STDERR_FILE).exists());

    // Closing its stdin (the parent went away) stops it.
    drop(child.stdin.take());
    let stopped = poll::find_async(Duration::from_secs(5), || {
        std::future::ready(child.try_wait().expect("wait"))
    })
    .await;
    let _ = child.kill();
    let status = stopped.expect("the station stops when its stdin closes");
    assert!(status.success(), "{status:?}");
    server.shutdown().await;
}
