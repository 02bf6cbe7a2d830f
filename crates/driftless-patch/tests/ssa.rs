//! Server-side apply and managedFields behaviour beyond the recordings.

use driftless_patch::schema::{Schema, TypeRef};
use driftless_patch::ssa::{self, ApplyError, ApplyOptions, UpdateOptions, read_managed_fields};
use serde_json::{Value, json};

const T0: &str = "2024-01-01T00:00:00Z";
const T1: &str = "2024-01-01T00:00:01Z";

fn deploy() -> TypeRef<'static> {
    Schema::builtin()
        .for_kind("apps", "v1", "Deployment")
        .unwrap()
}

fn cm_ty() -> TypeRef<'static> {
    Schema::builtin().for_kind("", "v1", "ConfigMap").unwrap()
}

fn apply(
    live: Option<&Value>,
    cfg: &Value,
    manager: &str,
    force: bool,
    ty: TypeRef<'_>,
) -> Result<Value, ApplyError> {
    let opts = ApplyOptions {
        manager,
        force,
        time: Some(T0),
        ..ApplyOptions::default()
    };
    ssa::apply_with(live, cfg, &opts, ty).map(|r| r.object)
}

fn update(old: Option<&Value>, new: &Value, manager: &str, time: &str, ty: TypeRef<'_>) -> Value {
    ssa::update(
        old,
        new,
        &UpdateOptions {
            manager,
            time: Some(time),
            subresource: None,
        },
        ty,
    )
    .unwrap()
}

fn fields_of(obj: &Value, manager: &str) -> Value {
    read_managed_fields(obj)
        .unwrap()
        .into_iter()
        .find(|m| m.manager == manager)
        .map(|m| m.fields.to_fields_v1())
        .unwrap_or(Value::Null)
}

fn dep(spec: Value) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": spec})
}

fn cm(meta_extra: Value, data: Value) -> Value {
    let mut meta = json!({"name": "c"});
    for (k, v) in meta_extra.as_object().unwrap() {
        meta[k] = v.clone();
    }
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data})
}

fn containers(spec_containers: Value) -> Value {
    dep(json!({"selector": {"matchLabels": {"app": "w"}},
        "template": {"metadata": {"labels": {"app": "w"}}, "spec": {"containers": spec_containers}}}))
}

#[test]
fn set_lists_are_owned_per_value() {
    let pod_ty = Schema::builtin().for_kind("", "v1", "Pod").unwrap();
    let a =
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "finalizers": ["x"]}});
    let b =
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "finalizers": ["y"]}});
    let live = apply(None, &a, "a", false, pod_ty).unwrap();
    let live = apply(Some(&live), &b, "b", false, pod_ty).unwrap();
    assert_eq!(live["metadata"]["finalizers"], json!(["x", "y"]));
    assert_eq!(
        fields_of(&live, "a"),
        json!({"f:metadata": {"f:finalizers": {"v:\"x\"": {}}}})
    );
    let a2 = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}});
    let live = apply(Some(&live), &a2, "a", false, pod_ty).unwrap();
    assert_eq!(live["metadata"]["finalizers"], json!(["y"]));
    assert_eq!(
        fields_of(&live, "a"),
        Value::Null,
        "a owns nothing and its entry is gone"
    );
}

#[test]
fn dropped_list_item_is_pruned() {
    let live = apply(
        None,
        &containers(json!([{"name": "c", "image": "1"}, {"name": "d", "image": "1"}])),
        "a",
        false,
        deploy(),
    )
    .unwrap();
    let live = apply(
        Some(&live),
        &containers(json!([{"name": "c", "image": "1"}])),
        "a",
        false,
        deploy(),
    )
    .unwrap();
    assert_eq!(
        live["spec"]["template"]["spec"]["containers"],
        json!([{"name": "c", "image": "1"}])
    );
}

#[test]
fn dropped_map_entry_is_pruned_unless_shared() {
    let live = apply(
        None,
        &cm(json!({"labels": {"x": "1", "y": "1"}}), json!({"k": "v"})),
        "a",
        false,
        cm_ty(),
    )
    .unwrap();
    let live = apply(
        Some(&live),
        &cm(json!({"labels": {"y": "1"}}), json!({"k": "v"})),
        "b",
        false,
        cm_ty(),
    )
    .unwrap();
    let live = apply(
        Some(&live),
        &cm(json!({}), json!({"k": "v"})),
        "a",
        false,
        cm_ty(),
    )
    .unwrap();
    assert_eq!(live["metadata"]["labels"], json!({"y": "1"}));
    assert_eq!(live["metadata"]["name"], "c");
    let live = apply(Some(&live), &cm(json!({}), json!({})), "b", false, cm_ty()).unwrap();
    assert!(live["metadata"].get("labels").is_none(), "{live}");
    assert_eq!(live["data"], json!({"k": "v"}), "data still owned by a");
}

#[test]
fn several_conflicts_are_grouped_by_manager() {
    let live = apply(
        None,
        &dep(json!({"replicas": 1, "paused": false})),
        "a",
        false,
        deploy(),
    )
    .unwrap();
    let err = apply(
        Some(&live),
        &dep(json!({"replicas": 2, "paused": true})),
        "b",
        false,
        deploy(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Apply failed with 2 conflicts: conflicts with \"a\":\n- .spec.paused\n- .spec.replicas"
    );
    assert_eq!(err.http_status(), 409);
}

#[test]
fn conflict_with_update_manager_names_its_api_version() {
    let created = update(
        None,
        &dep(json!({"replicas": 1})),
        "kubectl-client-side-apply",
        T0,
        deploy(),
    );
    let err = apply(
        Some(&created),
        &dep(json!({"replicas": 2})),
        "driftless",
        false,
        deploy(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using apps/v1: .spec.replicas"
    );
    let forced = apply(
        Some(&created),
        &dep(json!({"replicas": 2})),
        "driftless",
        true,
        deploy(),
    )
    .unwrap();
    assert_eq!(fields_of(&forced, "kubectl-client-side-apply"), Value::Null);
    assert_eq!(
        fields_of(&forced, "driftless"),
        json!({"f:spec": {"f:replicas": {}}})
    );
}

#[test]
fn update_takes_fields_from_appliers() {
    let live = apply(
        None,
        &dep(json!({"replicas": 1, "paused": false})),
        "a",
        false,
        deploy(),
    )
    .unwrap();
    let mut scaled = live.clone();
    scaled["spec"]["replicas"] = json!(5);
    let out = update(Some(&live), &scaled, "kubectl-scale", T1, deploy());
    assert_eq!(fields_of(&out, "a"), json!({"f:spec": {"f:paused": {}}}));
    assert_eq!(
        fields_of(&out, "kubectl-scale"),
        json!({"f:spec": {"f:replicas": {}}})
    );
    let mf = read_managed_fields(&out).unwrap();
    assert_eq!(mf[0].manager, "a", "Apply entries sort first");
    assert_eq!(mf[1].time.as_deref(), Some(T1));
}

#[test]
fn objects_without_managed_fields_start_with_before_first_apply() {
    let live = json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "uid": "u"}, "spec": {"replicas": 1}});
    let err = apply(
        Some(&live),
        &dep(json!({"replicas": 2})),
        "a",
        false,
        deploy(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Apply failed with 1 conflict: conflict with \"before-first-apply\" using apps/v1: .spec.replicas"
    );
    let ok = apply(
        Some(&live),
        &dep(json!({"replicas": 1})),
        "a",
        false,
        deploy(),
    )
    .unwrap();
    assert_eq!(
        fields_of(&ok, "before-first-apply"),
        json!({"f:spec": {"f:replicas": {}}})
    );
    assert_eq!(ok["metadata"]["uid"], "u");
}

#[test]
fn kubectl_upgrade_from_client_side_apply_takes_over() {
    let last = dep(json!({"replicas": 1}));
    let mut obj = dep(json!({"replicas": 1}));
    obj["metadata"]["annotations"] =
        json!({"kubectl.kubernetes.io/last-applied-configuration": format!("{}\n", last)});
    let live = update(None, &obj, "kubectl-client-side-apply", T0, deploy());
    let out = apply(
        Some(&live),
        &dep(json!({"replicas": 3})),
        "kubectl",
        false,
        deploy(),
    )
    .unwrap();
    assert_eq!(out["spec"]["replicas"], 3);
    assert_eq!(
        fields_of(&out, "kubectl"),
        json!({"f:spec": {"f:replicas": {}}})
    );
    let annotation: Value = serde_json::from_str(
        out["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(annotation["spec"]["replicas"], 3);
    // Another manager gets no such exemption.
    assert!(
        apply(
            Some(&live),
            &dep(json!({"replicas": 3})),
            "other",
            false,
            deploy()
        )
        .is_err()
    );
}

#[test]
fn unchanged_update_records_nothing_and_reset_clears() {
    let created = update(
        None,
        &cm(json!({}), json!({"k": "v"})),
        "creator",
        T0,
        cm_ty(),
    );
    let same = update(Some(&created), &created, "editor", T1, cm_ty());
    assert_eq!(read_managed_fields(&same).unwrap().len(), 1);
    let mut reset = created.clone();
    reset["metadata"]["managedFields"] = json!([{}]);
    let out = update(Some(&created), &reset, "editor", T1, cm_ty());
    assert!(out["metadata"].get("managedFields").is_none());
}

#[test]
fn update_managers_are_capped() {
    let mut live = update(
        None,
        &cm(json!({}), json!({"k0": "v"})),
        "m0",
        "2024-01-01T00:00:00Z",
        cm_ty(),
    );
    for i in 1..=11 {
        let mut next = live.clone();
        next["data"][format!("k{i}")] = json!("v");
        live = update(
            Some(&live),
            &next,
            &format!("m{i}"),
            &format!("2024-01-01T00:00:{i:02}Z"),
            cm_ty(),
        );
    }
    let mf = read_managed_fields(&live).unwrap();
    assert_eq!(mf.len(), 10);
    let ancient = mf.iter().find(|m| m.manager == "ancient-changes").unwrap();
    assert_eq!(
        ancient.fields.to_fields_v1(),
        json!({"f:data": {".": {}, "f:k0": {}, "f:k1": {}, "f:k2": {}}})
    );
    assert_eq!(
        ancient.time.as_deref(),
        Some("2024-01-01T00:00:02Z"),
        "time of the last merged entry"
    );
}

#[test]
fn unknown_fields_and_duplicate_keys_are_invalid() {
    let err = apply(None, &dep(json!({"bogus": 1})), "a", false, deploy()).unwrap_err();
    assert_eq!(err.to_string(), ".spec.bogus: field not declared in schema");
    let dup = containers(json!([{"name": "c", "image": "1"}, {"name": "c", "image": "2"}]));
    let err = apply(None, &dup, "a", false, deploy()).unwrap_err();
    assert_eq!(
        err.to_string(),
        ".spec.template.spec.containers: duplicate entries for key [name=\"c\"]"
    );
    let mut with_mf = dep(json!({}));
    with_mf["metadata"]["managedFields"] = json!([]);
    assert!(matches!(
        apply(None, &with_mf, "a", false, deploy()),
        Err(ApplyError::Invalid(_))
    ));
}

#[test]
fn values_must_match_the_schema_types() {
    let err = apply(None, &dep(json!({"replicas": "3"})), "a", false, deploy()).unwrap_err();
    assert_eq!(
        err.to_string(),
        ".spec.replicas: expected numeric (int or float), got string"
    );
    let err = apply(None, &dep(json!({"paused": "yes"})), "a", false, deploy()).unwrap_err();
    assert_eq!(
        err.to_string(),
        ".spec.paused: expected boolean, got &{yes}"
    );
    let err = apply(
        None,
        &dep(json!({"strategy": {"type": 1}})),
        "a",
        false,
        deploy(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        ".spec.strategy.type: expected string, got &value.valueUnstructured{Value:1}"
    );
    let err = apply(None, &dep(json!({"template": "x"})), "a", false, deploy()).unwrap_err();
    assert_eq!(err.to_string(), ".spec.template: expected map, got &{x}");
    // int-or-string and quantities take numbers and strings.
    let ok = dep(
        json!({"strategy": {"rollingUpdate": {"maxSurge": 1, "maxUnavailable": "25%"}},
        "template": {"spec": {"containers": [{"name": "c", "resources": {"limits": {"cpu": 1, "memory": "1Gi"}}}]}}}),
    );
    assert!(apply(None, &ok, "a", false, deploy()).is_ok());
}

#[test]
fn missing_key_without_default_is_invalid() {
    let pod_ty = Schema::builtin().for_kind("", "v1", "Pod").unwrap();
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
        "spec": {"containers": [{"image": "x"}]}});
    let err = apply(None, &pod, "a", false, pod_ty).unwrap_err();
    assert!(
        err.to_string().contains("omits key field \"name\""),
        "{err}"
    );
}

#[test]
fn ignored_fields_are_not_applied() {
    let cfg = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"replicas": 1}, "status": {"replicas": 9}});
    let opts = ApplyOptions {
        manager: "a",
        time: Some(T0),
        ignored_fields: &["status"],
        ..ApplyOptions::default()
    };
    let out = ssa::apply_with(None, &cfg, &opts, deploy()).unwrap().object;
    assert!(out.get("status").is_none());
    assert_eq!(fields_of(&out, "a"), json!({"f:spec": {"f:replicas": {}}}));
}

#[test]
fn custom_resources_use_the_crd_schema() {
    let crd = json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "names": {"kind": "Widget", "plural": "widgets"}, "scope": "Namespaced",
          "versions": [{"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {
            "type": "object", "properties": {"spec": {"type": "object", "properties": {
              "size": {"type": "integer"},
              "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                "items": {"type": "object", "properties": {"name": {"type": "string"}, "port": {"type": "integer"}}}},
              "tags": {"type": "array", "items": {"type": "string"}},
              "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}}}}}]}});
    let schema = Schema::from_crd(&crd).unwrap();
    let ty = schema.for_kind("example.com", "v1", "Widget").unwrap();
    let w = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "labels": {"a": "b"}},
        "spec": {"size": 1, "ports": [{"name": "http", "port": 80}], "tags": ["x"], "extra": {"any": {"thing": 1}}}});
    let out = apply(None, &w, "a", false, ty).unwrap();
    assert_eq!(
        fields_of(&out, "a"),
        json!({"f:metadata": {"f:labels": {"f:a": {}}}, "f:spec": {
            "f:extra": {"f:any": {".": {}, "f:thing": {}}},
            "f:ports": {"k:{\"name\":\"http\"}": {".": {}, "f:name": {}, "f:port": {}}},
            "f:size": {}, "f:tags": {}}})
    );
    let bad = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"sise": 1}});
    assert_eq!(
        apply(None, &bad, "a", false, ty).unwrap_err().to_string(),
        ".spec.sise: field not declared in schema"
    );
}

#[test]
fn untyped_objects_merge_maps_and_replace_lists() {
    let a = json!({"apiVersion": "x/v1", "kind": "X", "metadata": {"name": "x"}, "spec": {"l": [1, 2], "m": {"k": 1}}});
    let live = apply(None, &a, "a", false, TypeRef::untyped()).unwrap();
    let b = json!({"apiVersion": "x/v1", "kind": "X", "metadata": {"name": "x"}, "spec": {"m": {"j": 2}}});
    let out = apply(Some(&live), &b, "b", false, TypeRef::untyped()).unwrap();
    assert_eq!(out["spec"], json!({"l": [1, 2], "m": {"k": 1, "j": 2}}));
    // Without a schema every map key is its own field (structured-merge-diff's deduced type).
    assert_eq!(
        fields_of(&out, "b"),
        json!({"f:spec": {".": {}, "f:m": {".": {}, "f:j": {}}}})
    );
}

#[test]
fn field_helpers_for_diff() {
    let live = apply(
        None,
        &dep(json!({"replicas": 1, "paused": true})),
        "a",
        false,
        deploy(),
    )
    .unwrap();
    let mut hpa = live.clone();
    hpa["spec"]["replicas"] = json!(4);
    let live = update(Some(&live), &hpa, "hpa-controller", T1, deploy());
    let stripped =
        ssa::remove_fields_owned_by(&live, &live, &["hpa-controller"], deploy()).unwrap();
    assert_eq!(stripped["spec"], json!({"paused": true}));
    let set = ssa::field_set(&dep(json!({"replicas": 1})), deploy()).unwrap();
    let paths: Vec<String> = set.paths().iter().map(ToString::to_string).collect();
    assert_eq!(
        paths,
        [".apiVersion", ".kind", ".metadata.name", ".spec.replicas"]
    );
    assert_eq!(
        ssa::remove_fields(&live, &set, deploy())["spec"],
        json!({"paused": true})
    );
}

#[test]
fn reapplying_is_a_noop() {
    let cfg = containers(
        json!([{"name": "c", "image": "1", "ports": [{"containerPort": 80}],
        "env": [{"name": "A", "value": "1"}]}]),
    );
    let first = apply(None, &cfg, "a", false, deploy()).unwrap();
    let opts = ApplyOptions {
        manager: "a",
        time: Some(T1),
        ..ApplyOptions::default()
    };
    let second = ssa::apply_with(Some(&first), &cfg, &opts, deploy()).unwrap();
    assert!(!second.changed);
    assert_eq!(fields_of(&second.object, "a"), fields_of(&first, "a"));
}

#[test]
fn system_metadata_and_explicit_nulls() {
    let mut live = apply(
        None,
        &dep(json!({"replicas": 2, "paused": true})),
        "a",
        false,
        deploy(),
    )
    .unwrap();
    live["metadata"]["uid"] = json!("u-1");
    live["metadata"]["creationTimestamp"] = json!("2024-01-01T00:00:00Z");
    live["spec"]["template"] = json!({"metadata": {"creationTimestamp": null}});
    let mut cfg = dep(
        json!({"replicas": null, "paused": true, "template": {"metadata": {"creationTimestamp": null}}}),
    );
    cfg["metadata"]["creationTimestamp"] = Value::Null;
    cfg["metadata"]["uid"] = json!("forged");
    let out = ssa::apply_with(
        Some(&live),
        &cfg,
        &ApplyOptions {
            manager: "a",
            time: Some(T0),
            ..ApplyOptions::default()
        },
        deploy(),
    )
    .unwrap();
    assert_eq!(out.object["metadata"]["uid"], "u-1");
    assert_eq!(
        out.object["metadata"]["creationTimestamp"],
        "2024-01-01T00:00:00Z"
    );
    assert!(
        out.object["spec"].get("replicas").is_none(),
        "explicit null unsets: {}",
        out.object["spec"]
    );
    assert_eq!(
        out.object["spec"]["template"]["metadata"],
        json!({"creationTimestamp": null})
    );
    let again = ssa::apply_with(
        Some(&out.object),
        &cfg,
        &ApplyOptions {
            manager: "a",
            time: Some(T0),
            ..ApplyOptions::default()
        },
        deploy(),
    )
    .unwrap();
    assert!(!again.changed);
}
