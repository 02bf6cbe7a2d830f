//! Date functions against outputs recorded from helm v4.1.4 (UTC machine).

use super::super::testutil::{check, check_err, render};

const D: &str = r#"(toDate "2006-01-02" "2024-03-05")"#;

/// The recorded outputs are those of a machine in UTC (as CI is); Go, and
/// so Helm and Driftless, print local times in the machine's zone.
fn local_is_utc() -> bool {
    let utc = super::zone::local()
        .lookup(chrono::Utc::now().timestamp())
        .0
        == 0;
    if !utc {
        eprintln!("local time zone is not UTC; recorded date outputs not compared");
    }
    utc
}

#[test]
fn dates_as_helm_prints_them() {
    if !local_is_utc() {
        return;
    }
    let cases: Vec<(String, &str)> = vec![
        (format!("{{{{ {D} }}}}"), "2024-03-05 00:00:00 +0000 UTC"),
        (
            format!(r#"{{{{ date "Jan 2, 2006 15:04 MST" {D} }}}}"#),
            "Mar 5, 2024 00:00 UTC",
        ),
        (
            format!(r#"{{{{ {D} | dateModify "1.5h" }}}}"#),
            "2024-03-05 01:30:00 +0000 UTC",
        ),
        (format!("{{{{ {D} | unixEpoch }}}}"), "1709596800"),
        (
            r#"{{ toDate "2006-01-02" "x" }}"#.into(),
            "0001-01-01 00:00:00 +0000 UTC",
        ),
        (
            format!(r#"{{{{ dateModify "x" {D} }}}}"#),
            "2024-03-05 00:00:00 +0000 UTC",
        ),
        (
            r#"{{ durationRound "2h10m" }} {{ durationRound "-3h" }} {{ durationRound "49h" }} {{ durationRound "1h" }} {{ durationRound "800h" }}"#.into(),
            "2h 3h 2d 60m 1mo",
        ),
        (
            r#"{{ duration "95" }} {{ duration "3600" }}"#.into(),
            "1m35s 1h0m0s",
        ),
        (
            r#"{{ toDate "2006-01-02T15:04:05Z07:00" "2024-03-05T10:11:12.5+02:00" }}"#.into(),
            "2024-03-05 10:11:12.5 +0200 +0200",
        ),
        (
            r#"{{ toDate "2006-01-02T15:04:05Z07:00" "2024-03-05T10:11:12.5+02:00" | toJson }}"#
                .into(),
            r#""2024-03-05T10:11:12.5+02:00""#,
        ),
        (
            r#"{{ date "2006-01-02 15:04" 86400 }}"#.into(),
            "1970-01-02 00:00",
        ),
        (format!("{{{{ htmlDate {D} }}}}"), "2024-03-05"),
        (
            r#"{{ typeOf now }} {{ kindOf now }}"#.into(),
            "time.Time struct",
        ),
        (
            format!("{{{{ {D}.Year }}}} {{{{ {D}.Month }}}} {{{{ {D}.Weekday }}}}"),
            "2024 March Tuesday",
        ),
        (
            r#"{{ toDate "02/01/2006 3:04PM" "05/03/2024 7:08PM" }}"#.into(),
            "2024-03-05 19:08:00 +0000 UTC",
        ),
        (format!("{{{{ {D} | toYaml }}}}"), r#""2024-03-05T00:00:00Z""#),
        (
            format!(r#"{{{{ dateInZone "2006-01-02 15:04 MST" {D} "Nowhere/Zone" }}}}"#),
            "2024-03-05 00:00 UTC",
        ),
        (r#"{{ date "2006" "garbage" | len }}"#.into(), "4"),
        (format!("{{{{ durationRound {D} }}}}"), "2y"),
    ];
    let cases: Vec<(&str, &str)> = cases.iter().map(|(a, b)| (a.as_str(), *b)).collect();
    check(&cases);
    check_err(&[
        (
            r#"{{ mustToDate "2006-01-02" "x" }}"#,
            r#"error calling mustToDate: parsing time "x" as "2006-01-02": cannot parse "x" as "2006""#,
        ),
        (
            r#"{{ mustDateModify "x" (toDate "2006-01-02" "2024-03-05") }}"#,
            r#"error calling mustDateModify: time: invalid duration "x""#,
        ),
        (
            r#"{{ unixEpoch "x" }}"#,
            r#"can't handle "x" for arg of type time.Time"#,
        ),
        (
            r#"{{ mustToDate "2006-01-02" "2024-13-01" }}"#,
            r#"parsing time "2024-13-01": month out of range"#,
        ),
        (
            r#"{{ mustToDate "2006-01-02" "2024-01-01x" }}"#,
            r#"parsing time "2024-01-01x": extra text: "x""#,
        ),
    ]);
}

#[test]
fn now_is_a_time_under_the_test_clock() {
    if !local_is_utc() {
        return;
    }
    use driftless_gotmpl::{FuncMap, TemplateSet, Value};
    let mut funcs = FuncMap::new();
    let fixed = chrono::DateTime::parse_from_rfc3339("2030-01-02T03:04:05Z").unwrap();
    super::super::register(
        &mut funcs,
        &super::super::FuncOptions {
            now: Some(fixed),
            ..Default::default()
        },
    );
    let mut set = TemplateSet::with_funcs(funcs);
    set.parse(
        "t",
        r#"{{ now }}|{{ now | date "2006" }}|{{ now | unixEpoch }}|{{ ago (toDate "2006-01-02" "2030-01-01") }}|{{ now | dateModify "-24h" | htmlDate }}"#,
    )
    .unwrap();
    assert_eq!(
        set.execute("t", &Value::Nil).unwrap(),
        "2030-01-02 03:04:05 +0000 UTC|2030|1893553445|27h4m5s|2030-01-01"
    );
    // Without a test clock, `now` carries Go's monotonic reading.
    assert!(render("{{ now }}").contains(" m=+"));
}
