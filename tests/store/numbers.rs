//! The numbers inventory in the store: a change's rows written, deleted rows gone, the
//! whole inventory read back the same after reopening the file.

use parkdesk::numbers::{CompanySize, NumberInventory, OperatorArgs, OperatorState};
use parkdesk::store::Store;

fn inventory() -> (NumberInventory, Vec<parkdesk::numbers::Change>) {
    let mut inv = NumberInventory::default();
    let mut changes = Vec::new();
    changes.push(
        inv.enable_operator(&OperatorArgs {
            operator: "contoso".into(),
            countries: vec!["US".into()],
            name: Some("Contoso".into()),
            full_name: Some("Dana Reyes".into()),
            email: Some("dana@contoso.example".into()),
            company_size: Some(CompanySize::UpTo250),
            ..OperatorArgs::default()
        })
        .expect("enabled"),
    );
    let (change, _) = inv
        .import_csv(
            "number,source,operator,country,city,capability\n\
             +14255550100,operator_connect,contoso,US,Redmond,user\n\
             +14255550101,operator_connect,contoso,US,Redmond,user\n",
        )
        .expect("imported");
    changes.push(change);
    changes.push(
        inv.assign("+14255550100", "alice", |_| true)
            .expect("assigned"),
    );
    changes.push(
        inv.set_operator_state("contoso", OperatorState::Suspended)
            .expect("suspended"),
    );
    changes.push(
        inv.release(&["+14255550101".to_string()])
            .expect("released"),
    );
    (inv, changes)
}

#[tokio::test]
async fn a_saved_inventory_reads_back_the_same_after_reopening_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("db.sqlite");
    let (inv, changes) = inventory();
    {
        let store = Store::open(&path).expect("open");
        for change in &changes {
            store.save_numbers(&inv, change);
        }
        store.close().await.expect("closed cleanly");
    }
    let store = Store::open(&path).expect("reopen");
    let loaded = store.load_numbers().await.expect("load").into_inventory();
    assert_eq!(loaded, inv);
    assert!(
        loaded.number("+14255550101").is_none(),
        "the release deleted its row"
    );
    assert!(loaded.is_suspended("+14255550100"));
}

#[tokio::test]
async fn a_fresh_store_holds_an_empty_inventory() {
    let store = Store::open_in_memory().expect("open");
    let loaded = store.load_numbers().await.expect("load");
    assert_eq!(loaded.into_inventory(), NumberInventory::default());
}
