//! History exports: CSV with RFC 4180 quoting, and JSON that reads back.

use parkdesk::engine::ParkOutcome;
use parkdesk::engine::switch::{CallId, Party};
use parkdesk::protocol::Timestamp;
use parkdesk::store::{
    CSV_COLUMNS, ExportFormat, HistoryEntry, StoreError, export_history, export_history_csv,
    export_history_json,
};

fn entry(name: &str, for_note: Option<&str>, by: Option<&str>) -> HistoryEntry {
    HistoryEntry {
        call: CallId("c-1".into()),
        code: "*701".into(),
        range: "main".into(),
        caller: Party {
            number: "+4930123456".into(),
            name: name.into(),
        },
        parked_by: "reception".into(),
        for_note: for_note.map(str::to_string),
        policy: "global".into(),
        parked_at: Timestamp::from_unix_millis(1_790_000_000_123),
        ended_at: Timestamp::from_unix_millis(1_790_000_060_000),
        outcome: ParkOutcome::AnsweredFallback,
        by: by.map(str::to_string),
    }
}

fn csv(entries: &[HistoryEntry]) -> String {
    let mut out = Vec::new();
    export_history_csv(entries, &mut out).expect("export");
    String::from_utf8(out).expect("utf-8")
}

#[test]
fn csv_has_a_header_and_one_plain_row_per_entry() {
    let text = csv(&[entry("Ann Example", None, Some("bob"))]);
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines[0], CSV_COLUMNS.join(","));
    assert_eq!(
        lines[1],
        "c-1,*701,main,+4930123456,Ann Example,reception,,global,\
         2026-09-21T14:13:20.123Z,2026-09-21T14:14:20.000Z,answered_fallback,bob"
    );
    assert_eq!(lines[2], "");
    assert_eq!(lines.len(), 3);
}

#[test]
fn csv_quotes_commas_quotes_and_line_breaks_and_doubles_quotes() {
    let text = csv(&[entry(
        "Smith, \"Bob\"",
        Some("line one\nline two"),
        Some("a\rb"),
    )]);
    let row = text.split_once("\r\n").unwrap().1;
    assert!(row.contains(",\"Smith, \"\"Bob\"\"\","), "{row}");
    assert!(row.contains(",\"line one\nline two\","), "{row}");
    assert!(row.ends_with(",\"a\rb\"\r\n"), "{row:?}");
}

#[test]
fn an_empty_history_is_just_the_header() {
    assert_eq!(csv(&[]), format!("{}\r\n", CSV_COLUMNS.join(",")));
}

#[test]
fn json_export_reads_back_as_the_same_entries_with_protocol_field_names() {
    let entries = vec![
        entry("Ann", Some("Dr. X"), None),
        entry("Bo", None, Some("alice")),
    ];
    let mut out = Vec::new();
    export_history_json(&entries, &mut out).unwrap();
    let back: Vec<HistoryEntry> = serde_json::from_slice(&out).unwrap();
    assert_eq!(back, entries);
    let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(value[0]["for"], "Dr. X");
    assert_eq!(value[0]["caller"]["name"], "Ann");
    assert_eq!(value[0]["outcome"], "answered_fallback");
    assert_eq!(value[0]["parked_at"], "2026-09-21T14:13:20.123Z");
}

#[test]
fn the_format_is_chosen_by_name_and_an_unknown_one_is_refused() {
    assert_eq!("csv".parse::<ExportFormat>().unwrap(), ExportFormat::Csv);
    assert_eq!("JSON".parse::<ExportFormat>().unwrap(), ExportFormat::Json);
    let err = "xml".parse::<ExportFormat>().unwrap_err();
    assert!(matches!(err, StoreError::UnknownFormat(ref f) if f == "xml"));
    let mut out = Vec::new();
    export_history(ExportFormat::Json, &[], &mut out).unwrap();
    assert_eq!(out, b"[]\n");
}

#[test]
fn a_failing_writer_is_an_export_error() {
    struct Broken;
    impl std::io::Write for Broken {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let err = export_history_csv(&[entry("A", None, None)], Broken).unwrap_err();
    assert!(matches!(err, StoreError::Export(_)), "{err}");
    assert!(err.to_string().contains("disk full"));
}
