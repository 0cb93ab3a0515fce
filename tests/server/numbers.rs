//! Operators, numbers and emergency addresses through the protocol: a real WebSocket
//! against a real engine, refusals included.

use crate::support::*;
use parkdesk::engine::{EngineSetup, ParkPolicy, User};
use parkdesk::store::Store;
use serde_json::{Value, json};

const CSV: &str = "number,source,operator,country,city,capability
+1 425 555 0100,operator_connect,contoso,US,Redmond,user
+14255550101,operator_connect,contoso,US,\"Washington, D.C.\",user
+14255550102,operator_connect,contoso,US,Redmond,conference
+442079460100,operator_connect,contoso,GB,London,user
+442079460101,calling_plan,,GB,London,user
+4930123456;ext=12,direct_routing,,DE,Berlin,user
";

fn setup() -> EngineSetup {
    let user = |id: &str, name: &str| User {
        id: id.into(),
        name: name.into(),
        ..User::default()
    };
    EngineSetup {
        users: vec![
            User {
                numbers: vec!["100".into()],
                voice_enabled: true,
                ..user("reception", "Reception")
            },
            user("alice", "Alice Smith"),
            user("bob", "Bob Stone"),
        ],
        policies: vec![ParkPolicy {
            allow_park: true,
            ..ParkPolicy::default()
        }],
        ..EngineSetup::default()
    }
}

async fn admin(url: &str) -> Peer {
    Peer::hello(url, ADMIN).await.0
}

fn contoso() -> Value {
    json!({
        "operator": "contoso", "name": "Contoso Telecom", "countries": ["us", "GB"],
        "full_name": "Dana Reyes", "email": "dana@contoso.example", "company_size": "51-250",
    })
}

/// An admin with contoso enabled in US and GB and the sample file imported.
async fn stocked(url: &str) -> Peer {
    let mut a = admin(url).await;
    a.ok("operator.enable", contoso()).await;
    let r = a.ok("number.import", json!({ "csv": CSV })).await;
    assert_eq!(r["added"], 6, "{r}");
    a
}

async fn number(a: &mut Peer, n: &str) -> Value {
    let digits = n.split(';').next().unwrap_or(n);
    let page = a.ok("number.list", json!({ "starts_with": digits })).await;
    page["numbers"]
        .as_array()
        .and_then(|l| l.iter().find(|x| x["number"] == n))
        .cloned()
        .unwrap_or_else(|| panic!("{n} not listed: {page}"))
}

async fn user(a: &mut Peer, id: &str) -> Value {
    let users = a.ok("user.list", json!({})).await;
    users["users"]
        .as_array()
        .and_then(|l| l.iter().find(|u| u["id"] == id))
        .cloned()
        .expect("user listed")
}

fn error(r: &Value) -> (&str, &str) {
    (
        r["error"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("not refused: {r}")),
        r["error"]["message"].as_str().unwrap_or(""),
    )
}

#[tokio::test]
async fn an_operator_is_enabled_per_country_edited_and_listed_with_its_contact() {
    let server = start(setup()).await;
    let mut a = admin(&server.url()).await;
    let r = a.ok("operator.enable", contoso()).await;
    assert_eq!(r["operator"]["countries"], json!(["GB", "US"]));
    assert_eq!(r["operator"]["state"], "active");
    assert_eq!(r["operator"]["contact"]["email"], "dana@contoso.example");

    let r = a
        .ok(
            "operator.enable",
            json!({"operator": "contoso", "countries": ["DE"]}),
        )
        .await;
    assert_eq!(r["operator"]["countries"], json!(["DE", "GB", "US"]));
    assert_eq!(r["operator"]["name"], "Contoso Telecom", "the rest is kept");

    let r = a
        .ok(
            "operator.edit",
            json!({"operator": "contoso", "email": "ops@contoso.example", "phone": "+1 (425) 555-0199"}),
        )
        .await;
    assert_eq!(r["operator"]["contact"]["email"], "ops@contoso.example");
    assert_eq!(r["operator"]["contact"]["phone"], "+14255550199");

    let r = a
        .call(
            "operator.edit",
            json!({"operator": "contoso", "email": "not-an-email"}),
        )
        .await;
    let (code, message) = error(&r);
    assert_eq!(code, "bad_request");
    assert!(message.starts_with("email:"), "{message}");
    let r = a
        .call(
            "operator.enable",
            json!({"operator": "contoso", "countries": ["UK"]}),
        )
        .await;
    let (code, message) = error(&r);
    assert_eq!(code, "bad_request");
    assert!(message.contains("'UK'"), "{message}");
    let r = a
        .call(
            "operator.enable",
            json!({"operator": "fabrikam", "countries": ["US"], "name": "Fabrikam"}),
        )
        .await;
    assert!(error(&r).1.starts_with("full_name:"), "{r}");

    let listed = a.ok("operator.list", json!({})).await;
    let ops = listed["operators"].as_array().expect("list");
    assert_eq!(ops.len(), 1, "refusals changed nothing: {listed}");
    assert_eq!(ops[0]["contact"]["email"], "ops@contoso.example");
    assert_eq!(ops[0]["countries"], json!(["DE", "GB", "US"]));
}

#[tokio::test]
async fn only_an_admin_reaches_the_numbers_and_roles_are_checked_before_arguments() {
    let server = start(setup()).await;
    for token in [RECEPTION, MONITOR, ALICE] {
        let (mut p, _) = Peer::hello(&server.url(), token).await;
        for op in [
            "operator.list",
            "number.list",
            "address.list",
            "number.release",
        ] {
            assert_eq!(p.err(op, json!({"bogus": true})).await, "forbidden", "{op}");
        }
    }
}

#[tokio::test]
async fn a_good_csv_file_is_imported_and_importing_it_again_changes_nothing() {
    let server = start(setup()).await;
    let mut a = stocked(&server.url()).await;
    let n = number(&mut a, "+14255550100").await;
    assert_eq!(n["source"], "operator_connect");
    assert_eq!(n["operator"], "contoso");
    assert_eq!(n["state"], "unassigned");
    assert_eq!(n["in_service"], true);
    let n = number(&mut a, "+14255550101").await;
    assert_eq!(n["city"], "Washington, D.C.");
    let n = number(&mut a, "+4930123456;ext=12").await;
    assert_eq!(n["source"], "direct_routing");

    let again = a.ok("number.import", json!({ "csv": CSV })).await;
    assert_eq!(again, json!({"added": 0, "updated": 0, "unchanged": 6}));
    let moved = CSV.replace("Redmond,conference", "Seattle,conference");
    let r = a.ok("number.import", json!({ "csv": moved })).await;
    assert_eq!(r, json!({"added": 0, "updated": 1, "unchanged": 5}));
    let all = a.ok("number.list", json!({})).await;
    assert_eq!(all["total"], 6);
}

#[tokio::test]
async fn a_csv_file_with_bad_rows_names_each_line_and_applies_nothing() {
    let server = start(setup()).await;
    let mut a = admin(&server.url()).await;
    a.ok("operator.enable", contoso()).await;
    let bad = "number,source,operator,country,city,capability
+14255550100,operator_connect,contoso,US,Redmond,user
+1425555abcd,operator_connect,contoso,US,Redmond,user
+14255550102,operator_connect,contoso,FR,Paris,user
+14255550103,calling_plan,,US,Redmond,fax
+14255550100,calling_plan,,US,Redmond,user
+14255550104;ext=5,calling_plan,,US,Redmond,user
";
    let r = a.call("number.import", json!({ "csv": bad })).await;
    let (code, message) = error(&r);
    assert_eq!(code, "bad_request");
    assert!(message.starts_with("line 3: number:"), "{message}");
    assert!(message.contains("nothing was imported"), "{message}");
    let errors = r["error"]["data"]["errors"].as_array().expect("errors");
    let lines: Vec<(u64, &str)> = errors
        .iter()
        .map(|e| (e["line"].as_u64().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    assert_eq!(
        lines,
        vec![
            (3, "number"),
            (4, "operator"),
            (5, "capability"),
            (6, "number"),
            (7, "number")
        ]
    );
    assert!(
        errors[1]["reason"]
            .as_str()
            .unwrap()
            .contains("not enabled in FR")
    );
    let all = a.ok("number.list", json!({})).await;
    assert_eq!(all["total"], 0, "the good row was not applied either");

    let r = a
        .call(
            "number.import",
            json!({ "csv": "phone,kind\n+14255550100,user\n" }),
        )
        .await;
    assert!(error(&r).1.starts_with("line 1: header:"), "{r}");
}

#[tokio::test]
async fn numbers_are_filtered_and_paged() {
    let server = start(setup()).await;
    let mut a = stocked(&server.url()).await;
    let r = a.ok("number.list", json!({"starts_with": "+1 425"})).await;
    assert_eq!(r["total"], 3);
    let r = a.ok("number.list", json!({"contains": "7946"})).await;
    assert_eq!(r["total"], 2);
    let r = a
        .ok(
            "number.list",
            json!({"source": "calling_plan", "country": "gb"}),
        )
        .await;
    assert_eq!(r["numbers"][0]["number"], "+442079460101");
    let r = a
        .ok(
            "number.list",
            json!({"country": "US", "limit": 2, "offset": 2}),
        )
        .await;
    assert_eq!(
        (r["total"].as_u64(), r["numbers"].as_array().map(Vec::len)),
        (Some(3), Some(1))
    );
    assert_eq!(r["numbers"][0]["number"], "+14255550102");
    let r = a.ok("number.list", json!({"state": "assigned"})).await;
    assert_eq!(r["total"], 0);
    assert_eq!(
        a.err("number.list", json!({"contains": "12a"})).await,
        "bad_request"
    );
    assert_eq!(
        a.err("number.list", json!({"limit": 0})).await,
        "bad_request"
    );
    assert_eq!(
        a.err("number.list", json!({"state": "lost"})).await,
        "bad_request"
    );
}

#[tokio::test]
async fn assigning_makes_the_user_voice_enabled_and_unassigning_the_last_number_clears_it() {
    let server = start(setup()).await;
    let url = server.url();
    let mut a = stocked(&url).await;
    assert_eq!(user(&mut a, "alice").await["voice_enabled"], false);

    let r = a
        .ok(
            "number.assign",
            json!({"number": "+1-425-555-0100", "user": "alice"}),
        )
        .await;
    assert_eq!(r["number"]["state"], "assigned");
    assert_eq!(r["number"]["user"], "alice");
    a.ok(
        "number.assign",
        json!({"number": "+442079460100", "user": "alice"}),
    )
    .await;
    let alice = user(&mut a, "alice").await;
    assert_eq!(alice["voice_enabled"], true);
    assert_eq!(alice["numbers"], json!(["+14255550100", "+442079460100"]));

    // Alice parks a call while she may.
    let (mut reception, _) = Peer::hello(&url, RECEPTION).await;
    let call = reception
        .ok(
            "sim.offer",
            json!({"from": {"number": "+33140000000", "name": "Jean"}, "to": "alice"}),
        )
        .await["call"]
        .clone();
    let (mut alice_peer, _) = Peer::hello(&url, ALICE).await;
    let parked = alice_peer.ok("park", json!({"call": call})).await;

    a.ok("number.unassign", json!({"number": "+14255550100"}))
        .await;
    assert_eq!(
        user(&mut a, "alice").await["voice_enabled"],
        true,
        "one number left"
    );
    let r = a
        .ok("number.unassign", json!({"number": "+442079460100"}))
        .await;
    assert_eq!(r["number"]["state"], "unassigned");
    let alice = user(&mut a, "alice").await;
    assert_eq!(alice["voice_enabled"], false);
    assert_eq!(alice["numbers"], json!([]));

    let listed = a.ok("parked.list", json!({})).await;
    assert_eq!(
        listed["parked"][0]["code"], parked["code"],
        "the park goes on"
    );
    let second = reception
        .ok(
            "sim.offer",
            json!({"from": {"number": "+33140000001", "name": "Zoe"}, "to": "alice"}),
        )
        .await["call"]
        .clone();
    assert_eq!(
        alice_peer.err("park", json!({"call": second})).await,
        "policy_denied"
    );

    let r = a
        .call("number.unassign", json!({"number": "+14255550100"}))
        .await;
    assert_eq!(error(&r).0, "bad_request", "not assigned");
}

#[tokio::test]
async fn a_number_has_one_user_and_only_user_numbers_go_to_users() {
    let server = start(setup()).await;
    let mut a = stocked(&server.url()).await;
    a.ok(
        "number.assign",
        json!({"number": "+14255550100", "user": "alice"}),
    )
    .await;
    let again = a
        .ok(
            "number.assign",
            json!({"number": "+14255550100", "user": "alice"}),
        )
        .await;
    assert_eq!(
        again["number"]["user"], "alice",
        "assigning again is harmless"
    );
    let r = a
        .call(
            "number.assign",
            json!({"number": "+14255550100", "user": "bob"}),
        )
        .await;
    let (code, message) = error(&r);
    assert_eq!(code, "conflict");
    assert!(message.contains("'alice'"), "{message}");
    assert_eq!(r["error"]["data"]["numbers"], json!(["+14255550100"]));
    let r = a
        .call(
            "number.assign",
            json!({"number": "+14255550102", "user": "bob"}),
        )
        .await;
    assert!(error(&r).1.contains("conference"), "{r}");
    assert_eq!(
        a.err(
            "number.assign",
            json!({"number": "+14255550101", "user": "nobody"})
        )
        .await,
        "not_found"
    );
    assert_eq!(
        a.err(
            "number.assign",
            json!({"number": "+19999999999", "user": "bob"})
        )
        .await,
        "not_found"
    );
    assert_eq!(
        a.err("number.assign", json!({"number": "12ab", "user": "bob"}))
            .await,
        "bad_request"
    );
    assert_eq!(
        user(&mut a, "bob").await["voice_enabled"],
        false,
        "refusals changed nothing"
    );
}

#[tokio::test]
async fn release_takes_only_unassigned_numbers_and_a_batch_with_an_assigned_one_releases_nothing() {
    let server = start(setup()).await;
    let mut a = stocked(&server.url()).await;
    a.ok(
        "number.assign",
        json!({"number": "+14255550100", "user": "alice"}),
    )
    .await;
    let r = a
        .call(
            "number.release",
            json!({"numbers": ["+14255550101", "+14255550100", "+14255550102"]}),
        )
        .await;
    let (code, message) = error(&r);
    assert_eq!(code, "conflict");
    assert!(message.contains("+14255550100"), "{message}");
    assert_eq!(r["error"]["data"]["numbers"], json!(["+14255550100"]));
    assert_eq!(
        a.ok("number.list", json!({})).await["total"],
        6,
        "nothing released"
    );

    let r = a
        .ok(
            "number.release",
            json!({"numbers": ["+14255550101", "+14255550102"]}),
        )
        .await;
    assert_eq!(r["released"], json!(["+14255550101", "+14255550102"]));
    assert_eq!(a.ok("number.list", json!({})).await["total"], 4);
}

#[tokio::test]
async fn an_operator_leaves_a_country_only_when_none_of_its_numbers_there_is_assigned() {
    let server = start(setup()).await;
    let mut a = stocked(&server.url()).await;
    a.ok(
        "number.assign",
        json!({"number": "+14255550100", "user": "alice"}),
    )
    .await;
    a.ok(
        "number.assign",
        json!({"number": "+14255550101", "user": "bob"}),
    )
    .await;
    let r = a
        .call(
            "operator.remove",
            json!({"operator": "contoso", "country": "US"}),
        )
        .await;
    let (code, message) = error(&r);
    assert_eq!(code, "conflict");
    assert!(message.contains("+14255550100, +14255550101"), "{message}");
    assert_eq!(
        r["error"]["data"]["numbers"],
        json!(["+14255550100", "+14255550101"])
    );
    let r = a
        .call("operator.remove", json!({"operator": "contoso"}))
        .await;
    assert_eq!(error(&r).0, "conflict");

    let r = a
        .ok(
            "operator.remove",
            json!({"operator": "contoso", "country": "GB"}),
        )
        .await;
    assert_eq!(
        r,
        json!({"operator_removed": false, "released": ["+442079460100"]})
    );
    let ops = a.ok("operator.list", json!({})).await;
    assert_eq!(ops["operators"][0]["countries"], json!(["US"]));

    a.ok("number.unassign", json!({"number": "+14255550100"}))
        .await;
    a.ok("number.unassign", json!({"number": "+14255550101"}))
        .await;
    let r = a
        .ok("operator.remove", json!({"operator": "contoso"}))
        .await;
    assert_eq!(r["operator_removed"], true);
    assert_eq!(
        a.ok("operator.list", json!({})).await["operators"],
        json!([])
    );
    let left = a.ok("number.list", json!({})).await;
    assert_eq!(
        left["total"], 2,
        "the calling plan and direct routing numbers stay"
    );
}

#[tokio::test]
async fn a_suspended_operators_numbers_take_no_calls_and_resuming_loses_nothing() {
    let server = start(setup()).await;
    let url = server.url();
    let mut a = stocked(&url).await;
    a.ok(
        "number.assign",
        json!({"number": "+14255550100", "user": "alice"}),
    )
    .await;
    let (mut reception, _) = Peer::hello(&url, RECEPTION).await;
    let offer = json!({"from": {"number": "+33140000000", "name": "Jean"}, "to": "+14255550100"});
    reception.ok("sim.offer", offer.clone()).await;

    let r = a
        .ok("operator.suspend", json!({"operator": "contoso"}))
        .await;
    assert_eq!(r["operator"]["state"], "suspended");
    let r = reception.call("sim.offer", offer.clone()).await;
    let (code, message) = error(&r);
    assert_eq!(code, "policy_denied");
    assert!(message.contains("480"), "{message}");
    let n = number(&mut a, "+14255550100").await;
    assert_eq!(
        (n["in_service"].clone(), n["user"].clone()),
        (json!(false), json!("alice"))
    );
    let dr = number(&mut a, "+4930123456;ext=12").await;
    assert_eq!(
        dr["in_service"], true,
        "other sources are not the operator's"
    );

    a.ok("operator.resume", json!({"operator": "contoso"}))
        .await;
    reception.ok("sim.offer", offer).await;
    let n = number(&mut a, "+14255550100").await;
    assert_eq!(n["in_service"], true);
    assert_eq!(n["state"], "assigned");
    assert_eq!(user(&mut a, "alice").await["voice_enabled"], true);
    assert_eq!(
        a.err("operator.suspend", json!({"operator": "nope"})).await,
        "not_found"
    );
}

#[tokio::test]
async fn a_migration_goes_unassign_out_of_service_move_reassign_and_refuses_steps_out_of_order() {
    let server = start(setup()).await;
    let mut a = stocked(&server.url()).await;
    let n = "+442079460101";
    a.ok("number.assign", json!({"number": n, "user": "bob"}))
        .await;
    let step = |step: &str| json!({"number": n, "step": step});

    let r = a.call("number.migrate", step("move")).await;
    let (code, message) = error(&r);
    assert_eq!(code, "conflict");
    assert!(
        message.contains("no migration is under way; next is 'start'"),
        "{message}"
    );
    let r = a.call("number.migrate", step("start")).await;
    assert!(error(&r).1.starts_with("operator:"), "{r}");
    let r = a
        .ok(
            "number.migrate",
            json!({"number": n, "step": "start", "operator": "contoso"}),
        )
        .await;
    assert_eq!(r["number"]["migration"]["stage"], "started");
    assert_eq!(
        r["number"]["state"], "assigned",
        "still works until unassigned"
    );

    let r = a.call("number.migrate", step("move")).await;
    let message = error(&r).1;
    assert!(
        message.contains("at 'started'; next is 'unassign'"),
        "{message}"
    );
    assert_eq!(
        a.err("number.unassign", json!({"number": n})).await,
        "conflict",
        "a moving number follows its migration"
    );
    assert_eq!(
        a.err("number.release", json!({"numbers": [n]})).await,
        "conflict"
    );

    let r = a.ok("number.migrate", step("unassign")).await;
    assert_eq!(r["number"]["state"], "unassigned");
    assert_eq!(user(&mut a, "bob").await["voice_enabled"], false);
    let r = a.call("number.migrate", step("reassign")).await;
    assert!(error(&r).1.contains("next is 'out_of_service'"), "{r}");
    let r = a.ok("number.migrate", step("out_of_service")).await;
    assert_eq!(
        (
            r["number"]["state"].clone(),
            r["number"]["in_service"].clone()
        ),
        (json!("pending"), json!(false))
    );
    let r = a
        .ok(
            "number.migrate",
            json!({"number": n, "step": "fail", "reason": "port rejected"}),
        )
        .await;
    assert_eq!(r["number"]["state"], "failed");
    assert_eq!(r["number"]["migration"]["reason"], "port rejected");
    let r = a.ok("number.migrate", step("move")).await;
    assert_eq!(r["number"]["source"], "operator_connect");
    assert_eq!(r["number"]["operator"], "contoso");
    assert_eq!(
        r["number"]["state"], "pending",
        "out of service until reassigned"
    );
    assert_eq!(
        a.err("number.assign", json!({"number": n, "user": "alice"}))
            .await,
        "conflict"
    );
    let r = a.ok("number.migrate", step("reassign")).await;
    assert_eq!(r["number"]["state"], "assigned");
    assert_eq!(r["number"]["user"], "bob");
    assert_eq!(r["number"]["migration"], Value::Null);
    assert_eq!(user(&mut a, "bob").await["voice_enabled"], true);

    let r = a
        .call(
            "number.migrate",
            json!({"number": n, "step": "start", "operator": "contoso"}),
        )
        .await;
    assert!(
        error(&r).1.contains("operator_connect"),
        "already moved: {r}"
    );
    let r = a
        .call(
            "number.migrate",
            json!({"number": "+4930123456;ext=12", "step": "start", "operator": "contoso"}),
        )
        .await;
    assert!(error(&r).1.contains("not enabled in DE"), "{r}");
}

fn hq() -> Value {
    json!({
        "id": "hq", "company": "Northwind", "country": "us", "house_number": "1",
        "house_number_suffix": "A", "street": "Microsoft Way", "city": "Redmond",
        "state": "WA", "postal_code": "98052", "latitude": 47.64, "longitude": -122.13,
        "description": "Building 4",
    })
}

#[tokio::test]
async fn emergency_addresses_are_validated_and_follow_the_operators_mode() {
    let server = start(setup()).await;
    let mut a = stocked(&server.url()).await;
    let r = a.ok("address.set", hq()).await;
    assert_eq!(r["address"]["country"], "US");
    let mut bad = hq();
    bad["latitude"] = json!(95.0);
    let r = a.call("address.set", bad).await;
    assert!(error(&r).1.starts_with("latitude:"), "{r}");
    let mut bad = hq();
    bad["postal_code"] = json!("");
    assert!(
        error(&a.call("address.set", bad).await)
            .1
            .starts_with("postal_code:")
    );
    let mut bad = hq();
    bad["longitude"] = Value::Null;
    assert!(
        error(&a.call("address.set", bad).await)
            .1
            .starts_with("longitude:")
    );

    // Customer mode (the default): the admin sets it.
    let r = a
        .ok(
            "number.set_address",
            json!({"number": "+14255550100", "address": "hq"}),
        )
        .await;
    assert_eq!(r["number"]["address"], "hq");
    assert_eq!(r["number"]["address_set_by"], "customer");
    let r = a
        .call(
            "number.set_address",
            json!({"number": "+442079460100", "address": "hq"}),
        )
        .await;
    assert!(error(&r).1.contains("in US, the number in GB"), "{r}");

    // Locked: the operator sets it, the customer's edits are refused with the reason.
    a.ok(
        "operator.edit",
        json!({"operator": "contoso", "address_mode": "operator_locked"}),
    )
    .await;
    let r = a
        .call(
            "number.set_address",
            json!({"number": "+14255550101", "address": "hq"}),
        )
        .await;
    let (code, message) = error(&r);
    assert_eq!(code, "policy_denied");
    assert!(
        message.contains("set by operator 'contoso' and locked"),
        "{message}"
    );
    let mut edit = hq();
    edit["street"] = json!("Other Street");
    let r = a.call("address.set", edit.clone()).await;
    assert_eq!(
        error(&r).0,
        "policy_denied",
        "hq is used by a locked number"
    );
    let listed = a.ok("address.list", json!({})).await;
    assert_eq!(listed["addresses"][0]["street"], "Microsoft Way");
    assert_eq!(listed["addresses"][0]["numbers"], json!(["+14255550100"]));
    let r = a
        .ok(
            "number.set_address",
            json!({"number": "+14255550101", "address": "hq", "as_operator": true}),
        )
        .await;
    assert_eq!(r["number"]["address_set_by"], "operator");
    assert_eq!(r["number"]["address_mode"], "operator_locked");

    // Editable: the operator's address may be edited by the customer.
    a.ok(
        "operator.edit",
        json!({"operator": "contoso", "address_mode": "operator_editable"}),
    )
    .await;
    let r = a.ok("address.set", edit).await;
    assert_eq!(r["address"]["street"], "Other Street");
    let r = a
        .ok(
            "number.set_address",
            json!({"number": "+14255550101", "address": null}),
        )
        .await;
    assert_eq!(r["number"]["address"], Value::Null);

    assert_eq!(
        a.err("address.remove", json!({"id": "hq"})).await,
        "conflict"
    );
    a.ok(
        "number.set_address",
        json!({"number": "+14255550100", "address": null}),
    )
    .await;
    a.ok("address.remove", json!({"id": "hq"})).await;
    assert_eq!(
        a.ok("address.list", json!({})).await["addresses"],
        json!([])
    );
}

#[tokio::test]
async fn a_callers_number_shows_the_directorys_name_in_calls_history_and_announcements() {
    let mut opts = options(setup());
    opts.store = Some(Store::open_in_memory().expect("store"));
    let server = parkdesk::server::start_server(opts).await.expect("starts");
    let url = server.url();
    let mut a = stocked(&url).await;
    a.ok(
        "number.assign",
        json!({"number": "+14255550100", "user": "alice"}),
    )
    .await;
    let (mut reception, _) = Peer::hello(&url, RECEPTION).await;
    reception.ok("subscribe", json!({})).await;
    let call = reception
        .ok(
            "sim.offer",
            json!({"from": {"number": "+1 425 555 0100", "name": "WIRELESS CALLER"}, "to": "reception"}),
        )
        .await["call"]
        .clone();
    let offered = reception.event("call.offered").await;
    assert_eq!(offered["data"]["from"]["name"], "Alice Smith");
    let parked = reception
        .ok(
            "park",
            json!({"call": call, "for": "+14255550100", "announce": true}),
        )
        .await;
    let started = reception.event("park.started").await;
    assert_eq!(started["data"]["caller"]["name"], "Alice Smith");
    assert_eq!(started["data"]["for"], "Alice Smith");
    let announced = reception.event("announcement.failed").await;
    let text = announced["data"]["text"].as_str().expect("text");
    assert!(text.starts_with("Call for Alice Smith, on park"), "{text}");

    reception.ok("hangup", json!({"call": call})).await;
    reception.event("park.ended").await;
    let history = reception.ok("history.list", json!({})).await;
    let entry = &history["entries"][0];
    assert_eq!(entry["code"], parked["code"]);
    assert_eq!(entry["caller"]["name"], "Alice Smith");
    assert_eq!(entry["for"], "Alice Smith");
}
