//! The vocabulary decodes what it encodes, names bad fields, and agrees with the engine on
//! who may call what.

use super::admin::TokenRevoke;
use super::desk::DeskOp;
use super::numbers::{NumberAssign, NumberRelease, NumberSetAddress, OperatorRemove};
use super::query::{HistoryArgs, SearchArgs};
use super::sim::{SimHangup, SimOffer, SimPhone};
use super::*;
use crate::engine::command::{
    AnnounceArgs, ExtendArgs, HangupArgs, ParkArgs, PickupArgs, ReportArgs, ReportState,
    RetrieveArgs, TransferArgs,
};
use crate::engine::switch::{CallId, Party};
use crate::engine::{Actor, AdminCommand, Command, OrbitRange, RangeKind, Role, check_role};
use crate::numbers::NumberQuery;
use proptest::prelude::*;
use serde_json::json;

fn round_trip(op: Op) {
    let request = op.clone().into_request(7);
    assert_eq!(request.op, op.name().as_str());
    let back = Op::from_request(&request);
    assert_eq!(back, Ok(op), "args {}", request.args);
}

fn bad_request(name: OpName, args: Value) -> String {
    match Op::decode(name, &args) {
        Err(ProtocolError::BadRequest(m)) => m,
        other => panic!("{name} {args}: {other:?}"),
    }
}

#[test]
fn every_name_parses_back_and_an_unknown_one_is_unknown_op() {
    for name in OpName::ALL {
        assert_eq!(OpName::parse(name.as_str()), Ok(*name));
    }
    let err = OpName::parse("park.everything").expect_err("unknown");
    assert_eq!(err.body().code, ErrorCode::UnknownOp);
    assert_eq!(err.body().message, "unknown op 'park.everything'");
}

#[test]
fn a_wrong_type_names_the_field() {
    let m = bad_request(OpName::Park, json!({"call": 5}));
    assert!(m.starts_with("call:"), "{m}");
}

#[test]
fn a_missing_field_is_named() {
    let m = bad_request(OpName::Retrieve, json!({}));
    assert!(m.starts_with("code:"), "{m}");
}

#[test]
fn args_that_are_not_an_object_are_refused_and_null_is_empty() {
    assert_eq!(
        bad_request(OpName::Hangup, json!([1])),
        "args: must be an object"
    );
    assert_eq!(
        Op::decode(OpName::ParkedList, &Value::Null),
        Ok(Op::Query(QueryOp::ParkedList))
    );
}

#[test]
fn admin_args_decode_into_admin_commands_naming_the_field_inside_the_args() {
    let op = Op::decode(OpName::RangeRemove, &json!({"name": "vip"}));
    assert!(matches!(
        op,
        Ok(Op::Admin(AdminOp::Change(AdminCommand::RangeRemove { .. })))
    ));
    let m = bad_request(OpName::RangeSet, json!({"name": "vip", "kind": "orbit"}));
    assert!(m.contains("orbit"), "{m}");
}

#[test]
fn numbers_args_refuse_unknown_fields() {
    let m = bad_request(
        OpName::NumberAssign,
        json!({"number": "1", "user": "a", "x": 1}),
    );
    assert!(m.contains("unknown field"), "{m}");
}

#[test]
fn a_monitor_may_call_nothing_that_changes_state() {
    for name in OpName::ALL.iter().filter(|o| o.mutates()) {
        assert!(!name.permits(&[Role::Monitor]), "{name}");
    }
}

/// The engine checks roles itself for direct callers: both tables say the same.
#[test]
fn the_engine_and_the_protocol_agree_on_the_roles_of_every_command() {
    let call = CallId("c-1".into());
    let commands = [
        Op::Desk(DeskOp::Park(ParkArgs {
            call: call.clone(),
            code: None,
            for_note: None,
            announce: None,
            timeout: None,
        })),
        Op::Desk(DeskOp::Retrieve(RetrieveArgs {
            code: "701".into(),
            to: None,
        })),
        Op::Desk(DeskOp::Extend(ExtendArgs {
            code: "701".into(),
            seconds: 60,
        })),
        Op::Desk(DeskOp::Announce(AnnounceArgs::default())),
        Op::Desk(DeskOp::Pickup(PickupArgs {
            group: "g".into(),
            call: None,
        })),
        Op::Desk(DeskOp::Transfer(TransferArgs {
            call: call.clone(),
            to: "a".into(),
        })),
        Op::Desk(DeskOp::Hangup(HangupArgs { call })),
        Op::Desk(DeskOp::Report(ReportArgs {
            announcement: "a-1".into(),
            state: ReportState::Started,
            reason: None,
        })),
        Op::Admin(AdminOp::Change(AdminCommand::AllowAdd {
            number: "100".into(),
        })),
    ];
    let roles = [
        Role::Receptionist,
        Role::Admin,
        Role::Monitor,
        Role::Announcer,
        Role::User,
    ];
    for op in commands {
        let name = op.name();
        let command = match op {
            Op::Desk(d) => d.into_command(),
            Op::Admin(AdminOp::Change(c)) => Command::Admin(c),
            _ => unreachable!(),
        };
        for role in roles {
            let actor = Actor {
                user: "u".into(),
                roles: vec![role],
            };
            assert_eq!(
                check_role(&actor, &command).is_ok(),
                name.permits(&[role]),
                "{name} for {role:?}"
            );
        }
    }
    for name in OpName::ALL {
        if let Ok(Op::Admin(AdminOp::Change(_))) = Op::decode(*name, &json!({})) {
            assert_eq!(name.roles(), &[Role::Admin], "{name}");
        }
    }
}

#[test]
fn ops_without_args_ignore_what_is_sent() {
    for name in [
        OpName::Health,
        OpName::ParkedList,
        OpName::UserList,
        OpName::Ping,
    ] {
        assert!(Op::decode(name, &json!({"anything": 1})).is_ok(), "{name}");
        assert!(Op::decode(name, &json!(5)).is_ok(), "{name}");
    }
}

#[test]
fn admin_and_numbers_ops_round_trip() {
    let ops = [
        Op::Admin(AdminOp::Change(AdminCommand::RangeSet(OrbitRange {
            name: "vip".into(),
            kind: RangeKind::Park,
            start: "*100".into(),
            end: "*199".into(),
        }))),
        Op::Admin(AdminOp::Change(AdminCommand::UserRemove {
            id: "ada".into(),
        })),
        Op::Admin(AdminOp::TokenCreate(TokenCreate {
            user: "ada".into(),
            roles: vec![Role::Receptionist, Role::Monitor],
            label: "desk".into(),
        })),
        Op::Admin(AdminOp::TokenRevoke(TokenRevoke { id: "t-1".into() })),
        Op::Admin(AdminOp::PolicyList),
        Op::Admin(AdminOp::Change(AdminCommand::PolicySet(
            crate::engine::ParkPolicy::default(),
        ))),
        Op::Admin(AdminOp::Change(AdminCommand::UserSet(
            crate::engine::User {
                id: "ada".into(),
                name: "Ada".into(),
                numbers: vec!["+1".into()],
                voice_enabled: true,
                policy: Some("desk".into()),
                sip_ha1: Some("ab".into()),
                static_contact: None,
            },
        ))),
        Op::Admin(AdminOp::Change(AdminCommand::GroupSet(
            crate::engine::Group::default(),
        ))),
        Op::Numbers(NumbersOp::OperatorEnable(crate::numbers::OperatorArgs {
            operator: "contoso".into(),
            countries: vec!["US".into()],
            name: Some("Contoso".into()),
            company_size: Some(crate::numbers::CompanySize::UpTo250),
            ..Default::default()
        })),
        Op::Numbers(NumbersOp::NumberMigrate(crate::numbers::MigrateArgs {
            number: "+1".into(),
            step: crate::numbers::Step::Start,
            operator: Some("contoso".into()),
            to: None,
            user: None,
            reason: None,
        })),
        Op::Numbers(NumbersOp::AddressSet(super::numbers::AddressSet {
            address: crate::numbers::CivicAddress {
                id: "hq".into(),
                company: "Northwind".into(),
                country: "US".into(),
                house_number: "1".into(),
                house_number_suffix: String::new(),
                street: "Main".into(),
                city: "Redmond".into(),
                state: String::new(),
                postal_code: "01234".into(),
                latitude: Some(47.6),
                longitude: Some(-122.1),
                description: String::new(),
            },
            as_operator: false,
        })),
        Op::Numbers(NumbersOp::OperatorList),
        Op::Numbers(NumbersOp::OperatorRemove(OperatorRemove {
            operator: "contoso".into(),
            country: Some("US".into()),
        })),
        Op::Numbers(NumbersOp::NumberList(NumberQuery {
            country: Some("US".into()),
            limit: Some(20),
            ..NumberQuery::default()
        })),
        Op::Numbers(NumbersOp::NumberAssign(NumberAssign {
            number: "+14255550100".into(),
            user: "alice".into(),
        })),
        Op::Numbers(NumbersOp::NumberRelease(NumberRelease {
            numbers: vec!["+1".into(), "+2".into()],
        })),
        Op::Numbers(NumbersOp::NumberSetAddress(NumberSetAddress {
            number: "+1".into(),
            address: None,
            as_operator: true,
        })),
        Op::Query(QueryOp::HistoryList(HistoryArgs {
            since: None,
            limit: Some(50),
        })),
        Op::Query(QueryOp::DirectorySearch(SearchArgs {
            query: "ada".into(),
        })),
        Op::Session(SessionOp::Ping),
        Op::Sim(SimOp::Hangup(SimHangup {
            call: CallId("c-9".into()),
        })),
        Op::Sim(SimOp::Phone(SimPhone {
            user: "ada".into(),
            behaviour: "busy".into(),
            after_ms: None,
        })),
    ];
    for op in ops {
        round_trip(op);
    }
}

#[test]
fn desk_ops_send_only_the_fields_they_set() {
    let op = Op::Desk(DeskOp::Park(ParkArgs {
        call: CallId("c-19".into()),
        code: None,
        for_note: Some("Ada".into()),
        announce: None,
        timeout: None,
    }));
    assert_eq!(op.args(), json!({"call": "c-19", "for": "Ada"}));
}

fn text() -> impl Strategy<Value = String> + Clone {
    "[a-z0-9*#+ -]{0,12}"
}

fn call_id() -> impl Strategy<Value = CallId> + Clone {
    text().prop_map(CallId)
}

fn desk_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (
            call_id(),
            proptest::option::of(text()),
            proptest::option::of(text()),
            proptest::option::of(any::<bool>()),
            proptest::option::of(any::<u64>()),
        )
            .prop_map(|(call, code, for_note, announce, timeout)| {
                DeskOp::Park(ParkArgs {
                    call,
                    code,
                    for_note,
                    announce,
                    timeout,
                })
            }),
        (text(), proptest::option::of(text()))
            .prop_map(|(code, to)| DeskOp::Retrieve(RetrieveArgs { code, to })),
        (text(), any::<u64>())
            .prop_map(|(code, seconds)| DeskOp::Extend(ExtendArgs { code, seconds })),
        (
            proptest::option::of(text()),
            proptest::option::of(text()),
            proptest::option::of(any::<u8>()),
            proptest::option::of(text()),
            proptest::option::of(any::<i32>()),
        )
            .prop_map(|(code, text, repeat, zone, priority)| {
                DeskOp::Announce(AnnounceArgs {
                    code,
                    text,
                    repeat,
                    zone,
                    priority,
                })
            }),
        (text(), proptest::option::of(call_id()))
            .prop_map(|(group, call)| DeskOp::Pickup(PickupArgs { group, call })),
        (call_id(), text()).prop_map(|(call, to)| DeskOp::Transfer(TransferArgs { call, to })),
        call_id().prop_map(|call| DeskOp::Hangup(HangupArgs { call })),
        (text(), proptest::option::of(text())).prop_map(|(announcement, reason)| {
            DeskOp::Report(ReportArgs {
                announcement,
                state: ReportState::Failed,
                reason,
            })
        }),
    ]
    .prop_map(Op::Desk)
}

fn sim_or_query_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (text(), text(), text()).prop_map(|(number, name, to)| Op::Sim(SimOp::Offer(SimOffer {
            from: Party { number, name },
            to,
        }))),
        text().prop_map(|query| Op::Query(QueryOp::DirectorySearch(SearchArgs { query }))),
        proptest::option::of(1usize..10_000)
            .prop_map(|limit| Op::Query(QueryOp::HistoryList(HistoryArgs { since: None, limit }))),
        (
            proptest::option::of(any::<u64>()),
            proptest::option::of(text())
        )
            .prop_map(
                |(since, zone)| Op::Session(SessionOp::Subscribe(SubscribeOp {
                    sub: crate::protocol::SubscribeArgs { since, epoch: None },
                    zone,
                }))
            ),
    ]
}

proptest! {
    #[test]
    fn a_desk_op_decodes_as_it_was_encoded(op in desk_op()) {
        let request = op.clone().into_request(1);
        prop_assert_eq!(Op::from_request(&request), Ok(op));
    }

    #[test]
    fn a_sim_query_or_session_op_decodes_as_it_was_encoded(op in sim_or_query_op()) {
        let request = op.clone().into_request(1);
        prop_assert_eq!(Op::from_request(&request), Ok(op));
    }
}

#[test]
fn a_reply_decodes_by_its_op() {
    let ok = json!({"code": "705", "spoken": "seven zero five", "expires_at": "2026-11-21T10:05:00.000Z"});
    match OpOk::decode(OpName::Park, ok) {
        Ok(OpOk::Parked(p)) => assert_eq!(p.code, "705"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        OpOk::decode(OpName::Retrieve, json!({"call": "c-1"})),
        Ok(OpOk::Call(CallOk {
            call: CallId("c-1".into())
        }))
    );
    assert_eq!(OpOk::decode(OpName::Hangup, json!({})), Ok(OpOk::Done));
    let users = json!({"users": [{"id": "ada", "name": "Ada"}]});
    match OpOk::decode(OpName::DirectorySearch, users) {
        Ok(OpOk::Directory(d)) => assert_eq!(d.users[0].id, "ada"),
        other => panic!("{other:?}"),
    }
    assert!(OpOk::decode(OpName::Park, json!({"code": 5})).is_err());
}

#[test]
fn a_keyed_request_carries_its_key() {
    let op = Op::Desk(DeskOp::Hangup(HangupArgs {
        call: CallId("c-1".into()),
    }));
    let request = op.clone().into_keyed_request(3, "k-1");
    assert_eq!(request.key.as_deref(), Some("k-1"));
    assert_eq!(request.id, json!(3));
    assert_eq!(Op::from_request(&request), Ok(op));
}
