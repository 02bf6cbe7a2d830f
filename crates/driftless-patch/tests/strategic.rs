//! Strategic merge patch cases following Kubernetes' semantics (apimachinery strategicpatch).

use driftless_patch::schema::{Schema, TypeRef};
use driftless_patch::{PatchError, strategic_merge_patch};
use serde_json::{Value, json};

fn ty(group: &str, version: &str, kind: &str) -> TypeRef<'static> {
    Schema::builtin().for_kind(group, version, kind).unwrap()
}

fn deploy() -> TypeRef<'static> {
    ty("apps", "v1", "Deployment")
}

fn pod() -> TypeRef<'static> {
    ty("", "v1", "Pod")
}

fn smp(doc: Value, patch: Value, t: TypeRef<'_>) -> Value {
    strategic_merge_patch(&doc, &patch, t).unwrap()
}

fn containers(v: &Value) -> Vec<String> {
    v["spec"]["containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{}={}",
                c["name"].as_str().unwrap(),
                c["image"].as_str().unwrap_or("")
            )
        })
        .collect()
}

fn pod_with(cs: &[(&str, &str)]) -> Value {
    let list: Vec<Value> = cs
        .iter()
        .map(|(n, i)| json!({"name": n, "image": i}))
        .collect();
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": list}})
}

#[test]
fn maps_merge_and_null_deletes() {
    let doc = json!({"metadata": {"labels": {"a": "1", "b": "2"}, "annotations": {"x": "y"}}});
    let out = smp(
        doc,
        json!({"metadata": {"labels": {"a": null, "c": "3"}}}),
        pod(),
    );
    assert_eq!(
        out,
        json!({"metadata": {"labels": {"b": "2", "c": "3"}, "annotations": {"x": "y"}}})
    );
}

#[test]
fn map_replace_and_delete_directives() {
    let doc = json!({"metadata": {"labels": {"a": "1", "b": "2"}}});
    let out = smp(
        doc.clone(),
        json!({"metadata": {"labels": {"$patch": "replace", "c": "3"}}}),
        pod(),
    );
    assert_eq!(out["metadata"]["labels"], json!({"c": "3"}));
    let out = smp(
        doc,
        json!({"metadata": {"labels": {"$patch": "delete"}}}),
        pod(),
    );
    assert_eq!(out["metadata"]["labels"], json!({}));
}

#[test]
fn unknown_map_directive_is_an_internal_error() {
    let err = strategic_merge_patch(
        &json!({"metadata": {"labels": {}}}),
        &json!({"metadata": {"labels": {"$patch": "frob"}}}),
        pod(),
    )
    .unwrap_err();
    // apimachinery returns a plain error, which the API server reports as 500.
    assert_eq!(err.http_status(), 500);
    assert_eq!(
        err.status_message(),
        "Internal error occurred: unknown patch type: frob in map: map[$patch:frob]"
    );
}

#[test]
fn list_merges_by_key_and_keeps_server_order() {
    let doc = pod_with(&[("a", "1"), ("b", "1")]);
    let out = smp(
        doc.clone(),
        json!({"spec": {"containers": [{"name": "b", "image": "2"}]}}),
        pod(),
    );
    assert_eq!(containers(&out), ["a=1", "b=2"]);
    let out = smp(
        doc.clone(),
        json!({"spec": {"containers": [{"name": "c", "image": "3"}]}}),
        pod(),
    );
    assert_eq!(containers(&out), ["c=3", "a=1", "b=1"]);
    let out = smp(
        doc,
        json!({"spec": {"containers": [{"name": "c", "image": "3"}, {"name": "a", "image": "9"}]}}),
        pod(),
    );
    assert_eq!(containers(&out), ["c=3", "a=9", "b=1"]);
}

#[test]
fn list_item_fields_merge_recursively() {
    let doc = json!({"spec": {"containers": [{"name": "a", "image": "1",
        "env": [{"name": "X", "value": "1"}, {"name": "Y", "value": "2"}]}]}});
    let patch = json!({"spec": {"containers": [{"name": "a",
        "env": [{"name": "Y", "value": "3"}, {"name": "X", "$patch": "delete"}]}]}});
    let out = smp(doc, patch, pod());
    assert_eq!(out["spec"]["containers"][0]["image"], "1");
    assert_eq!(
        out["spec"]["containers"][0]["env"],
        json!([{"name": "Y", "value": "3"}])
    );
}

#[test]
fn delete_directive_without_merge_key_fails() {
    let err = strategic_merge_patch(
        &pod_with(&[("a", "1")]),
        &json!({"spec": {"containers": [{"$patch": "delete"}]}}),
        pod(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "map: map[$patch:delete] does not contain declared merge key: name"
    );
}

#[test]
fn replace_directive_in_list_replaces_it() {
    let doc = pod_with(&[("a", "1"), ("b", "1")]);
    let patch =
        json!({"spec": {"containers": [{"$patch": "replace"}, {"name": "z", "image": "9"}]}});
    assert_eq!(containers(&smp(doc, patch, pod())), ["z=9"]);
}

#[test]
fn merge_directive_in_list_is_rejected() {
    let err = strategic_merge_patch(
        &pod_with(&[("a", "1")]),
        &json!({"spec": {"containers": [{"$patch": "merge"}]}}),
        pod(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "merging lists cannot yet be specified in the patch"
    );
}

#[test]
fn primitive_merge_lists_union_and_delete() {
    let doc = json!({"metadata": {"finalizers": ["x", "y"]}});
    let out = smp(
        doc.clone(),
        json!({"metadata": {"finalizers": ["z", "x"]}}),
        pod(),
    );
    assert_eq!(out["metadata"]["finalizers"], json!(["z", "x", "y"]));
    let out = smp(
        doc,
        json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["x"]}}),
        pod(),
    );
    assert_eq!(out["metadata"]["finalizers"], json!(["y"]));
}

#[test]
fn delete_from_missing_primitive_list_is_noop() {
    let out = smp(
        json!({"metadata": {}}),
        json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["x"]}}),
        pod(),
    );
    assert_eq!(out, json!({"metadata": {}}));
}

#[test]
fn lists_without_merge_strategy_are_replaced() {
    let doc = json!({"spec": {"containers": [{"name": "a", "args": ["1", "2"]}]}});
    let out = smp(
        doc,
        json!({"spec": {"containers": [{"name": "a", "args": ["3"]}]}}),
        pod(),
    );
    assert_eq!(out["spec"]["containers"][0]["args"], json!(["3"]));
}

#[test]
fn set_element_order_reorders() {
    let doc = pod_with(&[("a", "1"), ("b", "1")]);
    let patch = json!({"spec": {"$setElementOrder/containers": [{"name": "b"}, {"name": "a"}],
        "containers": [{"name": "a", "image": "2"}]}});
    assert_eq!(containers(&smp(doc, patch, pod())), ["b=1", "a=2"]);
}

#[test]
fn set_element_order_without_patch_list_only_reorders() {
    let doc = pod_with(&[("a", "1"), ("b", "1"), ("c", "1")]);
    let patch = json!({"spec": {"$setElementOrder/containers": [{"name": "c"}, {"name": "a"}, {"name": "b"}]}});
    assert_eq!(containers(&smp(doc, patch, pod())), ["c=1", "a=1", "b=1"]);
}

#[test]
fn set_element_order_mismatch_is_rejected() {
    let doc = pod_with(&[("a", "1"), ("b", "1")]);
    let patch = json!({"spec": {"$setElementOrder/containers": [{"name": "a"}],
        "containers": [{"name": "b", "image": "2"}]}});
    let err = strategic_merge_patch(&doc, &patch, pod()).unwrap_err();
    assert!(
        err.to_string().starts_with("The order in patch list:"),
        "{err}"
    );
}

#[test]
fn kubectl_three_way_patch_shape() {
    let doc = pod_with(&[("web", "nginx:1"), ("log", "busybox")]);
    let patch = json!({"metadata": {"annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"}},
        "spec": {"$setElementOrder/containers": [{"name": "web"}, {"name": "log"}],
                 "containers": [{"image": "nginx:2", "name": "web"}]}});
    let out = smp(doc, patch, pod());
    assert_eq!(containers(&out), ["web=nginx:2", "log=busybox"]);
    assert_eq!(
        out["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"],
        "{}"
    );
}

#[test]
fn retain_keys_clears_other_fields() {
    let doc = json!({"spec": {"strategy": {"type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}}});
    let out = smp(
        doc,
        json!({"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}),
        deploy(),
    );
    assert_eq!(out["spec"]["strategy"], json!({"type": "Recreate"}));
}

#[test]
fn retain_keys_in_list_items() {
    let doc = json!({"spec": {"volumes": [{"name": "v", "emptyDir": {}}, {"name": "w", "emptyDir": {}}]}});
    let patch = json!({"spec": {"volumes": [{"name": "v", "$retainKeys": ["configMap", "name"],
        "configMap": {"name": "cm"}}]}});
    let out = smp(doc, patch, pod());
    assert_eq!(
        out["spec"]["volumes"],
        json!([{"name": "v", "configMap": {"name": "cm"}}, {"name": "w", "emptyDir": {}}])
    );
}

#[test]
fn retain_keys_must_cover_the_patch() {
    let doc = json!({"spec": {"strategy": {"type": "RollingUpdate"}}});
    let patch =
        json!({"spec": {"strategy": {"$retainKeys": ["type"], "rollingUpdate": {"maxSurge": 1}}}});
    let err = strategic_merge_patch(&doc, &patch, deploy()).unwrap_err();
    assert_eq!(
        err,
        PatchError::BadRequest("invalid patch format of retainKeys".into())
    );
}

#[test]
fn replace_strategy_on_map_field() {
    let pdb = ty("policy", "v1", "PodDisruptionBudget");
    let doc = json!({"spec": {"selector": {"matchLabels": {"a": "1"}}, "minAvailable": 1}});
    let out = smp(
        doc,
        json!({"spec": {"selector": {"matchLabels": {"b": "2"}}}}),
        pdb,
    );
    assert_eq!(
        out["spec"],
        json!({"selector": {"matchLabels": {"b": "2"}}, "minAvailable": 1})
    );
}

#[test]
fn service_ports_merge_by_port() {
    let svc = ty("", "v1", "Service");
    let doc = json!({"spec": {"ports": [{"port": 80, "targetPort": 8080}, {"port": 443}]}});
    let out = smp(
        doc,
        json!({"spec": {"ports": [{"port": 80, "targetPort": 9090}]}}),
        svc,
    );
    assert_eq!(
        out["spec"]["ports"],
        json!([{"port": 80, "targetPort": 9090}, {"port": 443}])
    );
}

#[test]
fn new_fields_drop_nulls_and_directives() {
    let out = smp(
        json!({"spec": {}}),
        json!({"spec": {"nodeSelector": {"a": "1", "b": null},
            "containers": [{"name": "x", "image": "i"}, {"name": "y", "$patch": "delete"}]}}),
        pod(),
    );
    assert_eq!(
        out["spec"],
        json!({"nodeSelector": {"a": "1"}, "containers": [{"name": "x", "image": "i"}]})
    );
}

#[test]
fn untyped_maps_merge_and_lists_replace() {
    let doc = json!({"spec": {"a": {"b": 1, "c": [1, 2]}}});
    let out = smp(
        doc,
        json!({"spec": {"a": {"d": 2, "c": [3]}}}),
        TypeRef::untyped(),
    );
    assert_eq!(out, json!({"spec": {"a": {"b": 1, "c": [3], "d": 2}}}));
}

#[test]
fn lists_of_lists_are_invalid() {
    let doc = json!({"metadata": {"finalizers": [["a"]]}});
    let err = strategic_merge_patch(&doc, &json!({"metadata": {"finalizers": [["b"]]}}), pod())
        .unwrap_err();
    assert_eq!(err.http_status(), 422);
    assert_eq!(err.to_string(), "lists of lists are not supported");
}

#[test]
fn type_change_replaces_value() {
    let out = smp(
        json!({"spec": {"replicas": 1}}),
        json!({"spec": {"replicas": {"x": 1}}}),
        deploy(),
    );
    assert_eq!(out["spec"]["replicas"], json!({"x": 1}));
}

#[test]
fn non_object_patch_is_bad_request() {
    let err = strategic_merge_patch(&json!({}), &json!([1]), pod()).unwrap_err();
    assert_eq!(err.http_status(), 400);
}
