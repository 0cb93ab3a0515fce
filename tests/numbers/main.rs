//! Property tests for the numbers domain: E.164 parsing and normalisation, and the
//! migration state machine (alone and on a number in the inventory).

use parkdesk::numbers::migration::{self, Stage, Step};
use parkdesk::numbers::{
    CompanySize, NumberInventory, NumberState, OperatorArgs, PhoneNumber, Source, e164::canonical,
};
use proptest::prelude::*;

/// Digits of a valid E.164 number: 7–15 digits, the first not 0.
fn e164_digits() -> impl Strategy<Value = String> {
    ("[1-9]", "[0-9]{6,14}").prop_map(|(a, b)| format!("{a}{b}"))
}

/// The digits written as people do: separators between some of them, maybe a `+`.
fn spelled(digits: &str, seps: &[u8], plus: bool) -> String {
    let mut out = String::new();
    if plus {
        out.push('+');
    }
    for (i, c) in digits.chars().enumerate() {
        out.push(c);
        if let Some(s) = seps.get(i) {
            match s % 6 {
                0 => out.push(' '),
                1 => out.push('-'),
                2 => out.push('.'),
                _ => {}
            }
        }
    }
    out
}

proptest! {
    #[test]
    fn any_spelling_of_a_number_normalises_to_plus_and_its_digits(
        digits in e164_digits(),
        seps in proptest::collection::vec(any::<u8>(), 0..15),
        plus in any::<bool>(),
    ) {
        let text = spelled(&digits, &seps, plus);
        let n = PhoneNumber::parse(&text).expect("valid");
        prop_assert_eq!(n.to_string(), format!("+{digits}"));
        prop_assert_eq!(n.digits(), digits.as_str());
    }

    #[test]
    fn normalising_is_idempotent_and_always_shows_the_plus(
        digits in e164_digits(),
        ext in proptest::option::of("[0-9]{1,10}"),
    ) {
        let text = match &ext {
            Some(e) => format!("{digits};ext={e}"),
            None => digits.clone(),
        };
        let once = PhoneNumber::parse(&text).expect("valid").to_string();
        prop_assert!(once.starts_with('+'));
        let twice = PhoneNumber::parse(&once).expect("its own output parses").to_string();
        prop_assert_eq!(&once, &twice);
        prop_assert_eq!(canonical(&format!("tel:{once}")), Some(once.clone()));
        prop_assert_eq!(canonical(&format!("sip:{once}@pbx.example")), Some(once));
    }

    #[test]
    fn any_text_parses_or_is_refused_without_a_panic(text in "\\PC{0,40}") {
        if let Ok(n) = PhoneNumber::parse(&text) {
            let digits = n.digits().len();
            prop_assert!((7..=15).contains(&digits));
            prop_assert!(!n.digits().starts_with('0'));
            prop_assert!(n.to_string().starts_with('+'));
        }
    }

    #[test]
    fn too_few_too_many_or_a_leading_zero_is_refused(
        short in "[1-9][0-9]{0,5}",
        long in "[1-9][0-9]{15,20}",
        zero in "0[0-9]{6,14}",
        letter in "[a-zA-Z]",
        digits in e164_digits(),
    ) {
        for bad in [format!("+{short}"), format!("+{long}"), format!("+{zero}")] {
            prop_assert!(PhoneNumber::parse(&bad).is_err(), "{} was accepted", bad);
        }
        let with_letter = format!("+{}{letter}{}", &digits[..3], &digits[3..]);
        let err = PhoneNumber::parse(&with_letter).expect_err("a letter");
        prop_assert!(err.to_string().contains(&with_letter), "the message quotes the input");
    }
}

fn step() -> impl Strategy<Value = Step> {
    proptest::sample::select(Step::ALL.to_vec())
}

proptest! {
    #[test]
    fn a_step_out_of_order_is_refused_and_says_what_comes_next(
        steps in proptest::collection::vec(step(), 0..30),
    ) {
        let mut stage: Option<Stage> = None;
        for s in steps {
            let allowed = migration::expected(stage);
            match migration::advance(stage, s) {
                Ok(next) => {
                    prop_assert!(allowed.contains(&s));
                    stage = next;
                }
                Err(e) => {
                    prop_assert!(!allowed.contains(&s));
                    prop_assert_eq!(&e.expected, &allowed);
                    prop_assert!(e.to_string().contains(s.as_str()));
                }
            }
        }
    }

    #[test]
    fn a_migration_completes_only_through_unassign_out_of_service_move_reassign(
        fails in 0usize..3,
    ) {
        let mut path = vec![Step::Start, Step::Unassign, Step::OutOfService];
        if fails > 0 {
            path.push(Step::Fail);
            path.push(Step::Move);
        } else {
            path.push(Step::Move);
        }
        path.push(Step::Reassign);
        let mut stage = None;
        for (i, s) in path.iter().enumerate() {
            stage = migration::advance(stage, *s).expect("in order");
            prop_assert_eq!(stage.is_none(), i + 1 == path.len());
        }
    }

    #[test]
    fn on_a_number_the_source_changes_only_at_move_and_it_is_never_assigned_mid_way(
        steps in proptest::collection::vec(step(), 1..25),
    ) {
        let mut inv = NumberInventory::default();
        inv.enable_operator(&OperatorArgs {
            operator: "contoso".into(),
            countries: vec!["GB".into()],
            name: Some("Contoso".into()),
            full_name: Some("Dana Reyes".into()),
            email: Some("dana@contoso.example".into()),
            company_size: Some(CompanySize::UpTo50),
            ..OperatorArgs::default()
        }).expect("enabled");
        inv.import_csv("number,source,operator,country,city,capability\n\
                        +442079460101,calling_plan,,GB,London,user\n").expect("imported");
        let n = "+442079460101";
        let users = |u: &str| u == "bob";
        inv.assign(n, "bob", users).expect("assigned");
        for s in steps {
            let before = inv.clone();
            let record = before.number(n).expect("there").clone();
            let args = parkdesk::numbers::MigrateArgs {
                number: n.into(),
                step: s,
                operator: Some("contoso".into()),
                to: None,
                user: None,
                reason: None,
            };
            match inv.migrate(&args, users) {
                Ok(_) => {
                    let now = inv.number(n).expect("there");
                    let moved = now.source != record.source;
                    prop_assert_eq!(moved, s == Step::Move);
                    if let Some(m) = &now.migration {
                        if m.stage != Stage::Started {
                            prop_assert!(now.user.is_none());
                            prop_assert_ne!(now.state, NumberState::Assigned);
                        }
                    } else {
                        prop_assert_eq!(now.source, Source::OperatorConnect);
                        prop_assert_eq!(now.user.as_deref(), Some("bob"));
                        prop_assert_eq!(now.state, NumberState::Assigned);
                    }
                }
                Err(_) => prop_assert_eq!(&inv, &before, "a refused step changes nothing"),
            }
        }
    }
}

/// An inventory with `n` GB calling-plan numbers, the ones flagged assigned to bob.
fn stocked(assigned: &[bool]) -> (NumberInventory, Vec<String>) {
    let mut inv = NumberInventory::default();
    let mut csv = String::from("number,source,operator,country,city,capability\n");
    let numbers: Vec<String> = (0..assigned.len())
        .map(|i| format!("+4420794601{i:02}"))
        .collect();
    for n in &numbers {
        csv.push_str(&format!("{n},calling_plan,,GB,London,user\n"));
    }
    inv.import_csv(&csv).expect("imported");
    for (n, a) in numbers.iter().zip(assigned) {
        if *a {
            inv.assign(n, "bob", |u| u == "bob").expect("assigned");
        }
    }
    (inv, numbers)
}

proptest! {
    #[test]
    fn a_release_batch_holding_an_assigned_number_releases_nothing(
        assigned in proptest::collection::vec(any::<bool>(), 1..12),
        picks in proptest::collection::vec(any::<proptest::sample::Index>(), 1..6),
    ) {
        let (mut inv, numbers) = stocked(&assigned);
        let batch: Vec<String> = picks.iter().map(|i| numbers[i.index(numbers.len())].clone()).collect();
        let blocked = batch.iter().any(|n| assigned[numbers.iter().position(|x| x == n).unwrap()]);
        let before = inv.clone();
        match inv.release(&batch) {
            Ok(_) => {
                prop_assert!(!blocked);
                for n in &batch {
                    prop_assert!(inv.number(n).is_none());
                }
                let left = inv.numbers().count();
                let mut distinct = batch.clone();
                distinct.sort();
                distinct.dedup();
                prop_assert_eq!(left, numbers.len() - distinct.len());
            }
            Err(e) => {
                prop_assert!(blocked);
                prop_assert_eq!(&inv, &before);
                prop_assert_eq!(e.code(), "conflict");
            }
        }
        prop_assert!(inv.numbers().filter(|n| n.user.is_some()).count()
            == assigned.iter().filter(|a| **a).count(), "assigned numbers are never released");
    }

    #[test]
    fn an_import_with_any_bad_row_applies_nothing(
        good in 1usize..8,
        bad_at in any::<proptest::sample::Index>(),
    ) {
        let mut inv = NumberInventory::default();
        let mut rows: Vec<String> = (0..good)
            .map(|i| format!("+4420794602{i:02},calling_plan,,GB,London,user"))
            .collect();
        let at = bad_at.index(rows.len() + 1);
        rows.insert(at, "+44 20 7946 ABC,calling_plan,,GB,London,user".into());
        let csv = format!("number,source,operator,country,city,capability\n{}\n", rows.join("\n"));
        let err = inv.import_csv(&csv).expect_err("a bad row");
        prop_assert_eq!(inv.numbers().count(), 0);
        match err {
            parkdesk::numbers::NumbersError::Import(rows) => {
                prop_assert_eq!(rows.len(), 1);
                prop_assert_eq!(rows[0].line, at + 2, "the header is line 1");
            }
            other => prop_assert!(false, "unexpected {other:?}"),
        }
    }
}
