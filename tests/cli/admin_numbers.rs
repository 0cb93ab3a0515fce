//! `parkdesk admin operators|numbers|addresses` against a real engine process, and the
//! inventory kept across a restart on the same SQLite file.

use crate::support::process::{EngineProcess as Engine, parkdesk};
use crate::support::site::EngineConfig;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn config(dir: &Path) -> PathBuf {
    EngineConfig::new(dir)
        .shutdown_grace(0)
        .admin_token()
        .section(
            r#"
[[users]]
id = "alice"
name = "Alice Smith"
[[users]]
id = "bob"
name = "Bob Stone"
"#,
        )
        .write()
}

fn engine(cfg: &Path) -> Engine {
    Engine::start(cfg)
}

fn admin(e: &Engine, args: &[&str]) -> Output {
    Command::new(parkdesk())
        .args(["admin", "--engine", &e.url])
        .args(args)
        .env("PARKDESK_TOKEN", "admin-secret")
        .output()
        .expect("admin runs")
}

fn ok(e: &Engine, args: &[&str]) -> String {
    let o = admin(e, args);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json(e: &Engine, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(e, &all)).expect("json")
}

const GOOD: &str = "number,source,operator,country,city,capability
+14255550100,operator_connect,contoso,US,Redmond,user
+14255550101,operator_connect,contoso,US,Redmond,user
+442079460101,calling_plan,,GB,London,user
";

fn enable_contoso(e: &Engine) {
    ok(
        e,
        &[
            "operators",
            "enable",
            "contoso",
            "countries=US,GB",
            "name=Contoso Telecom",
            "full_name=Dana Reyes",
            "email=dana@contoso.example",
            "company_size=51-250",
            "phone=14255550199",
        ],
    );
}

#[test]
fn numbers_are_imported_from_a_csv_file_and_a_bad_file_names_its_line_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let e = engine(&config(dir.path()));
    enable_contoso(&e);
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        GOOD.replace("+14255550101,", "+1425555O101,")
            .replace("London,user", "London,printer"),
    )
    .expect("write");
    let o = admin(&e, &["numbers", "import", bad.to_str().expect("path")]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("line 3: number:"), "{err}");
    assert!(err.contains("line 4: capability:"), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");
    assert_eq!(json(&e, &["numbers", "list"])["total"], 0);

    let good = dir.path().join("good.csv");
    std::fs::write(&good, GOOD).expect("write");
    let out = ok(&e, &["numbers", "import", good.to_str().expect("path")]);
    assert!(out.contains("3 added, 0 updated, 0 unchanged"), "{out}");
    let out = ok(&e, &["numbers", "import", good.to_str().expect("path")]);
    assert!(out.contains("0 added, 0 updated, 3 unchanged"), "{out}");

    let table = ok(&e, &["numbers", "list", "--country", "US"]);
    assert!(table.starts_with("NUMBER"), "{table}");
    assert!(
        table.contains("+14255550100  operator_connect  contoso"),
        "{table}"
    );
    let page = json(&e, &["numbers", "list", "--limit", "1", "--offset", "1"]);
    assert_eq!(page["total"], 3);
    assert_eq!(page["numbers"][0]["number"], "+14255550101");
    let ops = ok(&e, &["operators", "list"]);
    assert!(ops.contains("contoso"), "{ops}");
    assert!(ops.contains("GB,US"), "{ops}");
}

#[test]
fn refusals_reach_the_script_with_a_failing_exit_code_and_the_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let e = engine(&config(dir.path()));
    enable_contoso(&e);
    let file = dir.path().join("n.csv");
    std::fs::write(&file, GOOD).expect("write");
    ok(&e, &["numbers", "import", file.to_str().expect("path")]);
    ok(&e, &["numbers", "assign", "+1 425 555 0100", "alice"]);
    let o = admin(&e, &["numbers", "release", "+14255550101", "+14255550100"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("nothing released: +14255550100"), "{err}");
    let o = admin(&e, &["operators", "remove", "contoso", "--country", "US"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("+14255550100"));
    let o = admin(&e, &["numbers", "migrate", "+442079460101", "move"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("next is 'start'"));
    let out = ok(&e, &["numbers", "release", "+14255550101"]);
    assert_eq!(out, "+14255550101: released\n");
}

#[test]
fn operators_numbers_addresses_and_migrations_are_kept_across_an_engine_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = config(dir.path());
    let e = engine(&cfg);
    enable_contoso(&e);
    let file = dir.path().join("n.csv");
    std::fs::write(&file, GOOD).expect("write");
    ok(&e, &["numbers", "import", file.to_str().expect("path")]);
    ok(&e, &["numbers", "assign", "+14255550100", "alice"]);
    ok(&e, &["numbers", "assign", "+442079460101", "bob"]);
    ok(
        &e,
        &[
            "addresses",
            "set",
            "id=hq",
            "company=Northwind",
            "country=US",
            "house_number=1",
            "street=Microsoft Way",
            "city=Redmond",
            "postal_code=98052",
            "latitude=47.64",
            "longitude=-122.13",
        ],
    );
    ok(&e, &["numbers", "address", "+14255550100", "hq"]);
    ok(
        &e,
        &[
            "operators",
            "edit",
            "contoso",
            "address_mode=operator_locked",
        ],
    );
    for step in ["unassign", "out_of_service"] {
        let mut args = vec!["numbers", "migrate", "+442079460101"];
        if step == "unassign" {
            ok(
                &e,
                &[
                    "numbers",
                    "migrate",
                    "+442079460101",
                    "start",
                    "--operator",
                    "contoso",
                ],
            );
        }
        args.push(step);
        ok(&e, &args);
    }
    ok(&e, &["operators", "suspend", "contoso"]);
    let before = (
        json(&e, &["operators", "list"]),
        json(&e, &["numbers", "list"]),
        json(&e, &["addresses", "list"]),
        json(&e, &["users", "list"]),
    );
    e.stop();

    let e = engine(&cfg);
    let after = (
        json(&e, &["operators", "list"]),
        json(&e, &["numbers", "list"]),
        json(&e, &["addresses", "list"]),
        json(&e, &["users", "list"]),
    );
    assert_eq!(before, after);
    assert_eq!(after.0["operators"][0]["state"], "suspended");
    let alice = &after.3["users"][0];
    assert_eq!(alice["voice_enabled"], true);
    assert_eq!(alice["numbers"][0], "+14255550100");
    let o = admin(&e, &["numbers", "address", "+14255550100"]);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("locked"),
        "still locked after the restart"
    );
    // The migration goes on where it stood.
    ok(&e, &["numbers", "migrate", "+442079460101", "move"]);
    let out = ok(&e, &["numbers", "migrate", "+442079460101", "reassign"]);
    assert_eq!(out, "+442079460101: assigned (bob)\n");
}
