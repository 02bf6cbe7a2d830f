//! Property tests of values processing: coalescing never loses a user
//! value, never mutates its inputs, deletes keys the user set to null, and
//! the `--set` parser never panics.

use driftless_helm::values::Values;
use driftless_helm::values::coalesce::coalesce_values;
use driftless_helm::values::strvals::{Mode, parse_into};
use driftless_helm::{MemFs, load_chart};
use proptest::prelude::*;
use serde_json::Value as Json;

fn leaf() -> impl Strategy<Value = Json> {
    prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        (-1000i64..1000).prop_map(Json::from),
        "[a-z]{0,6}".prop_map(Json::String),
    ]
}

fn tree() -> impl Strategy<Value = Json> {
    leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Json::Array),
            prop::collection::btree_map("[a-d]", inner, 0..4)
                .prop_map(|m| Json::Object(m.into_iter().collect())),
        ]
    })
}

fn map_tree() -> impl Strategy<Value = Values> {
    prop::collection::btree_map("[a-d]", tree(), 0..5).prop_map(|m| m.into_iter().collect())
}

/// Checks that every non-null user leaf is in `out` and that user nulls
/// delete keys: at the top level where the chart has a default for the key,
/// inside a table merged with a default table always (Helm's rules).
fn check(
    user: &Values,
    defaults: &Values,
    out: &Values,
    merged: bool,
) -> Result<(), TestCaseError> {
    for (k, u) in user {
        let d = defaults.get(k);
        match u {
            Json::Null if merged || d.is_some() => {
                prop_assert!(!out.contains_key(k), "null user value for {k} not deleted")
            }
            Json::Null => prop_assert_eq!(out.get(k), Some(&Json::Null)),
            Json::Object(um) => match (d, out.get(k)) {
                (Some(Json::Object(dm)), Some(Json::Object(om))) => check(um, dm, om, true)?,
                (Some(Json::Object(_)), other) => prop_assert!(false, "table {k} lost: {other:?}"),
                (_, Some(Json::Object(om))) => check(um, &Values::new(), om, false)?,
                (_, other) => prop_assert!(false, "user table {k} replaced by {other:?}"),
            },
            scalar => prop_assert_eq!(out.get(k), Some(scalar), "user value for {} lost", k),
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn coalescing_keeps_user_values(user in map_tree(), defaults in map_tree()) {
        let mut fs = MemFs::default();
        fs.insert("Chart.yaml", "apiVersion: v2\nname: p\nversion: 0.1.0\n");
        fs.insert("values.yaml", serde_json::to_string(&Json::Object(defaults.clone())).unwrap());
        let chart = load_chart(&fs, "").unwrap();
        let before = user.clone();
        let out = coalesce_values(&chart, &user);
        prop_assert_eq!(&user, &before, "input mutated");
        // values.yaml numbers are floats in Helm; compare against the loaded defaults.
        check(&user, &chart.values, &out, false)?;
        for (k, v) in &chart.values {
            if !user.contains_key(k) && !v.is_null() {
                prop_assert_eq!(out.get(k), Some(v), "default {} lost", k);
            }
        }
    }

    #[test]
    fn set_parser_never_panics(s in "[a-z\\[\\]{}=,.\\\\0-9 ]{0,30}") {
        for mode in [Mode::Typed, Mode::String, Mode::Json] {
            let mut v = Values::new();
            let _ = parse_into(&s, &mut v, mode);
        }
    }
}
