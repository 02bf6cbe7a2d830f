//! Property tests: self-comparison is Synced; Secret values never leak.

use driftless_core::SyncStatus;
use driftless_diff::Comparer;
use proptest::prelude::*;
use serde_json::{Value, json};

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        "[a-z0-9 ._-]{0,12}".prop_map(Value::from),
        Just(Value::Null),
    ]
}

fn tree() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::btree_map("[a-zA-Z]{1,8}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn object(kind: &str, body: Value) -> Value {
    let mut o =
        json!({"apiVersion": "v1", "kind": kind, "metadata": {"name": "x", "namespace": "ns"}});
    if let Value::Object(m) = body {
        for (k, v) in m {
            if !["apiVersion", "kind", "metadata"].contains(&k.as_str()) {
                o[k] = v;
            }
        }
    }
    o
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn an_object_compared_with_itself_is_synced(body in tree(), kind in prop_oneof![Just("ConfigMap"), Just("Secret"), Just("Widget")]) {
        let obj = object(kind, body);
        let cmp = Comparer::new(&[]).unwrap();
        let d = cmp.compare(Some(&obj), Some(&obj));
        prop_assert_eq!(d.status, SyncStatus::Synced);
        prop_assert_eq!(d.unified(false), "");
        prop_assert_eq!(cmp.compare_dry_run(&obj, Some(&obj)).status, SyncStatus::Synced);
    }

    #[test]
    fn secret_values_never_leak(
        desired_data in proptest::collection::btree_map("[a-z]{1,6}", "[A-Za-z0-9+/=]{6,24}", 0..5),
        live_data in proptest::collection::btree_map("[a-z]{1,6}", "[A-Za-z0-9+/=]{6,24}", 0..5),
        string_data in proptest::collection::btree_map("[a-z]{1,6}", "[A-Za-z0-9 !-]{6,24}", 0..4),
        desired_present in any::<bool>(),
        live_present in any::<bool>(),
    ) {
        // Tag every value so a leak cannot be confused with ordinary text.
        let tag = |m: &std::collections::BTreeMap<String, String>| -> Value {
            Value::Object(m.iter().map(|(k, v)| (k.clone(), Value::from(format!("SECRET{v}")))).collect())
        };
        let mut desired = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "ns"},
            "data": tag(&desired_data), "stringData": tag(&string_data)});
        let live = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "ns",
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": desired.to_string()}},
            "data": tag(&live_data)});
        if string_data.is_empty() { desired.as_object_mut().unwrap().remove("stringData"); }
        let cmp = Comparer::new(&[]).unwrap();
        let d = cmp.compare(desired_present.then_some(&desired), live_present.then_some(&live));
        let outputs = [d.unified(false), d.unified(true), d.to_json().to_string(), format!("{d:?}")];
        use base64::Engine;
        for out in &outputs {
            prop_assert!(!out.contains("SECRET"), "leak: {}", out);
            for v in string_data.values() {
                let b64 = base64::engine::general_purpose::STANDARD.encode(format!("SECRET{v}"));
                prop_assert!(!out.contains(&b64[..12]), "leak of base64 stringData: {}", out);
            }
        }
        let r = driftless_diff::redacted(&live).to_string();
        prop_assert!(!r.contains("SECRET"));
    }
}
