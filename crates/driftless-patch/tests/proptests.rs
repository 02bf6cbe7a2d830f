//! Property tests: merge-patch round trips, SSA idempotence, managedFields always decode.

use driftless_patch::schema::{Schema, TypeRef};
use driftless_patch::ssa::{self, ApplyOptions, FieldSet, UpdateOptions, read_managed_fields};
use driftless_patch::{create_merge_patch, merge_patch};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// JSON without nulls (merge patch cannot express a null value inside an object).
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<bool>().prop_map(Value::Bool),
        (-1000i64..1000).prop_map(|i| json!(i)),
        "[a-z]{0,4}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-e]", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<String, Value>>())),
        ]
    })
}

fn object() -> impl Strategy<Value = Value> {
    prop::collection::btree_map("[a-e]", json_value(), 0..5)
        .prop_map(|m| Value::Object(m.into_iter().collect::<Map<String, Value>>()))
}

fn small_map() -> impl Strategy<Value = Value> {
    prop::collection::btree_map("[a-d]", "[a-z]{1,3}", 0..4)
        .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k, Value::String(v))).collect()))
}

/// A Deployment applied configuration with unique container names and env names.
fn deployment() -> impl Strategy<Value = Value> {
    let container = (
        "[a-z]{1,3}",
        prop::option::of(0u16..3),
        prop::collection::btree_set("[A-C]", 0..3),
        prop::option::of(1u16..1000),
    );
    (
        prop::option::of(0u32..5),
        small_map(),
        prop::collection::btree_map("[a-c]", container, 1..4),
    )
        .prop_map(|(replicas, labels, containers)| {
            let cs: Vec<Value> = containers
                .into_iter()
                .map(|(name, (image, port, env, cpu))| {
                    let mut c = json!({"name": name, "image": image});
                    if let Some(p) = port {
                        c["ports"] = json!([{"containerPort": 8000 + p}]);
                    }
                    if !env.is_empty() {
                        c["env"] = Value::Array(
                            env.into_iter()
                                .map(|e| json!({"name": e, "value": "v"}))
                                .collect(),
                        );
                    }
                    if let Some(m) = cpu {
                        c["resources"] = json!({"limits": {"cpu": format!("{m}m")}});
                    }
                    c
                })
                .collect();
            let mut spec = json!({"selector": {"matchLabels": {"app": "w"}},
                "template": {"metadata": {"labels": {"app": "w"}}, "spec": {"containers": cs}}});
            if let Some(r) = replicas {
                spec["replicas"] = json!(r);
            }
            let mut d = json!({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "web"}, "spec": spec});
            if labels.as_object().is_some_and(|m| !m.is_empty()) {
                d["metadata"]["labels"] = labels;
            }
            d
        })
}

fn deploy_ty() -> TypeRef<'static> {
    Schema::builtin()
        .for_kind("apps", "v1", "Deployment")
        .unwrap()
}

fn opts(manager: &str, force: bool) -> ApplyOptions<'_> {
    ApplyOptions {
        manager,
        force,
        time: Some("2024-01-01T00:00:00Z"),
        ..ApplyOptions::default()
    }
}

fn assert_managed_fields_roundtrip(obj: &Value) -> Result<(), TestCaseError> {
    let mf = read_managed_fields(obj).map_err(|e| TestCaseError::fail(e.to_string()))?;
    for e in mf {
        prop_assert!(!e.fields.is_empty(), "empty entry for {}", e.manager);
        let back =
            FieldSet::from_fields_v1(&e.fields.to_fields_v1()).map_err(TestCaseError::fail)?;
        prop_assert_eq!(back, e.fields);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn merge_patch_of_diff_reproduces_target(a in object(), b in object()) {
        let patch = create_merge_patch(&a, &b);
        prop_assert_eq!(merge_patch(&a, &patch), b);
    }

    #[test]
    fn applying_the_same_config_twice_is_a_noop(cfg in deployment()) {
        let ty = deploy_ty();
        let first = ssa::apply_with(None, &cfg, &opts("a", false), ty).unwrap();
        let second = ssa::apply_with(Some(&first.object), &cfg, &opts("a", false), ty).unwrap();
        prop_assert!(!second.changed);
        prop_assert_eq!(&second.object, &first.object);
        assert_managed_fields_roundtrip(&second.object)?;
    }

    #[test]
    fn reapplying_a_new_config_converges(a in deployment(), b in deployment()) {
        let ty = deploy_ty();
        let live = ssa::apply_with(None, &a, &opts("a", false), ty).unwrap().object;
        let once = ssa::apply_with(Some(&live), &b, &opts("a", false), ty).unwrap().object;
        // The single owner applied b: the object holds exactly b's fields.
        let mut without_mf = once.clone();
        without_mf["metadata"].as_object_mut().unwrap().remove("managedFields");
        prop_assert_eq!(ssa::field_set(&without_mf, ty).unwrap(), ssa::field_set(&b, ty).unwrap());
        let twice = ssa::apply_with(Some(&once), &b, &opts("a", false), ty).unwrap();
        prop_assert!(!twice.changed);
    }

    #[test]
    fn managed_fields_always_decode(a in deployment(), b in deployment(), c in deployment(), force in any::<bool>()) {
        let ty = deploy_ty();
        let live = ssa::apply_with(None, &a, &opts("a", false), ty).unwrap().object;
        let live = match ssa::apply_with(Some(&live), &b, &opts("b", force), ty) {
            Ok(r) => r.object,
            Err(ssa::ApplyError::Conflict(c)) => {
                prop_assert!(!force);
                prop_assert!(!c.conflicts.is_empty());
                live
            }
            Err(e) => return Err(TestCaseError::fail(e.to_string())),
        };
        assert_managed_fields_roundtrip(&live)?;
        let mut edited = c.clone();
        edited["metadata"]["managedFields"] = live["metadata"]["managedFields"].clone();
        let uo = UpdateOptions { manager: "editor", time: Some("2024-01-01T00:00:01Z"), subresource: None };
        let updated = ssa::update(Some(&live), &edited, &uo, ty).unwrap();
        assert_managed_fields_roundtrip(&updated)?;
        // Every owned leaf exists in the object.
        for e in read_managed_fields(&updated).unwrap() {
            let owned = ssa::remove_fields(&updated, &e.fields, ty);
            prop_assert!(owned != updated || e.fields.is_empty());
        }
    }
}
