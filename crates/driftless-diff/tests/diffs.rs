//! Snapshot and behaviour tests of object comparison.

use driftless_core::{Manifest, Provenance, SyncStatus};
use driftless_diff::{Comparer, IgnoreDifferences};
use serde_json::{Value, json};

fn deployment(replicas: i64, image: &str) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": image, "ports": [{"containerPort": 8080}]}]}
            }
        }
    })
}

/// What the API server returns for `desired`: defaults, status, server metadata.
fn as_live(desired: &Value) -> Value {
    let mut l = desired.clone();
    let m = &mut l["metadata"];
    m["uid"] = json!("0d8c4c6e-6b0a-4b5e-9d1a-3c1f1e0f8a11");
    m["resourceVersion"] = json!("48211");
    m["generation"] = json!(3);
    m["creationTimestamp"] = json!("2024-05-01T10:00:00Z");
    if desired["kind"] != "Deployment" {
        m["managedFields"] = json!([]);
        return l;
    }
    m["annotations"] = json!({"deployment.kubernetes.io/revision": "3"});
    m["managedFields"] = json!([{"manager": "driftless", "operation": "Apply", "apiVersion": "apps/v1",
        "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {"f:labels": {"f:app": {}}},
        "f:spec": {"f:replicas": {}, "f:selector": {}, "f:template": {"f:metadata": {"f:labels": {"f:app": {}}},
        "f:spec": {"f:containers": {"k:{\"name\":\"web\"}": {".": {}, "f:image": {}, "f:name": {}, "f:ports": {}}}}}}}}]);
    l["spec"]["strategy"] = json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}});
    l["spec"]["revisionHistoryLimit"] = json!(10);
    l["spec"]["template"]["spec"]["restartPolicy"] = json!("Always");
    l["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = json!("IfNotPresent");
    l["spec"]["template"]["spec"]["containers"][0]["ports"][0]["protocol"] = json!("TCP");
    l["status"] = json!({"replicas": 2, "readyReplicas": 2, "observedGeneration": 3});
    l
}

#[test]
fn server_defaults_and_metadata_are_not_drift() {
    let desired = deployment(2, "shop/web:1.4.0");
    let live = as_live(&desired);
    let d = Comparer::new(&[])
        .unwrap()
        .compare(Some(&desired), Some(&live));
    assert_eq!(d.status, SyncStatus::Synced);
    assert_eq!(d.unified(false), "");
}

#[test]
fn quantities_compare_by_value() {
    let mut desired = deployment(2, "shop/web:1.4.0");
    desired["spec"]["template"]["spec"]["containers"][0]["resources"] =
        json!({"limits": {"cpu": 0.5, "memory": "1024Mi"}, "requests": {"cpu": "100m"}});
    let mut live = as_live(&desired);
    live["spec"]["template"]["spec"]["containers"][0]["resources"] =
        json!({"limits": {"cpu": "500m", "memory": "1Gi"}, "requests": {"cpu": "100m"}});
    let cmp = Comparer::new(&[]).unwrap();
    assert_eq!(
        cmp.compare(Some(&desired), Some(&live)).status,
        SyncStatus::Synced
    );
    live["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["cpu"] = json!("1");
    let d = cmp.compare(Some(&desired), Some(&live));
    assert_eq!(d.status, SyncStatus::OutOfSync);
    assert!(
        d.unified(false)
            .contains("-            cpu: '1'\n+            cpu: 0.5"),
        "{}",
        d.unified(false)
    );
}

#[test]
fn changed_image_and_replicas() {
    let desired = deployment(3, "shop/web:1.5.0");
    let live = as_live(&deployment(2, "shop/web:1.4.0"));
    let d = Comparer::new(&[])
        .unwrap()
        .compare(Some(&desired), Some(&live));
    assert_eq!(d.status, SyncStatus::OutOfSync);
    insta::assert_snapshot!("deployment_changed", d.unified(false));
    insta::assert_snapshot!("deployment_changed_color", d.unified(true));
    insta::assert_json_snapshot!("deployment_changed_json", d.to_json());
}

#[test]
fn fields_we_applied_before_and_dropped_show_as_removed() {
    // Live was applied by us with a label that desired no longer has.
    let mut old = deployment(2, "shop/web:1.4.0");
    old["metadata"]["labels"]["tier"] = json!("frontend");
    let mut live = as_live(&old);
    live["metadata"]["managedFields"][0]["fieldsV1"]["f:metadata"]["f:labels"]["f:tier"] =
        json!({});
    // Another controller added a label: not ours, ignored.
    live["metadata"]["labels"]["istio.io/rev"] = json!("1-20");
    let desired = deployment(2, "shop/web:1.4.0");
    let d = Comparer::new(&[])
        .unwrap()
        .compare(Some(&desired), Some(&live));
    assert_eq!(d.status, SyncStatus::OutOfSync);
    insta::assert_snapshot!("dropped_label", d.unified(false));

    // The same through kubectl's last-applied annotation (client-side apply).
    let mut live = as_live(&old);
    live["metadata"]["managedFields"] = json!([]);
    live["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] =
        json!(serde_json::to_string(&old).unwrap());
    let d = Comparer::new(&[])
        .unwrap()
        .compare(Some(&desired), Some(&live));
    assert_eq!(d.status, SyncStatus::OutOfSync);
    assert!(
        d.unified(false).contains("-    tier: frontend"),
        "{}",
        d.unified(false)
    );
    assert!(!d.unified(false).contains("last-applied"));
}

#[test]
fn ignore_differences_as_argo_cd_spells_them() {
    let desired = deployment(2, "shop/web:1.4.0");
    let mut live = as_live(&desired);
    live["spec"]["replicas"] = json!(7);
    live["spec"]["template"]["spec"]["containers"][0]["image"] = json!("shop/web:1.4.0-patched");
    live["spec"]["template"]["spec"]["containers"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "istio-proxy", "image": "istio/proxyv2"}));
    let rules: Vec<IgnoreDifferences> = serde_json::from_value(json!([
        {"group": "apps", "kind": "Deployment", "jsonPointers": ["/spec/replicas"]},
        {"group": "apps", "kind": "Deployment", "name": "web", "namespace": "shop",
         "jqPathExpressions": [".spec.template.spec.containers[] | select(.name == \"istio-proxy\")"]},
    ]))
    .unwrap();
    let cmp = Comparer::new(&rules).unwrap();
    let d = cmp.compare(Some(&desired), Some(&live));
    assert_eq!(
        d.status,
        SyncStatus::OutOfSync,
        "the image change is not ignored"
    );
    assert!(!d.unified(false).contains("replicas"));
    assert!(!d.unified(false).contains("istio"));
    let image_rule: Vec<IgnoreDifferences> = serde_json::from_value(json!([
        {"group": "apps", "kind": "Deployment", "jsonPointers": ["/spec/replicas", "/spec/template/spec/containers/0/image"],
         "jqPathExpressions": [".spec.template.spec.containers[] | select(.name == \"istio-proxy\")"]}
    ]))
    .unwrap();
    let d = Comparer::new(&image_rule)
        .unwrap()
        .compare(Some(&desired), Some(&live));
    assert_eq!(d.status, SyncStatus::Synced, "{}", d.unified(false));
    // A rule for another kind or name does not apply.
    let other: Vec<IgnoreDifferences> =
        serde_json::from_value(json!([{"group": "apps", "kind": "Deployment", "name": "api", "jsonPointers": ["/spec/replicas"]}])).unwrap();
    let d = Comparer::new(&other)
        .unwrap()
        .compare(Some(&desired), Some(&live));
    assert!(d.unified(false).contains("replicas"));
}

#[test]
fn managed_fields_managers_hpa_replicas() {
    let desired = deployment(2, "shop/web:1.4.0");
    let mut live = as_live(&desired);
    live["spec"]["replicas"] = json!(6);
    live["metadata"]["managedFields"].as_array_mut().unwrap().push(json!({
        "manager": "kube-controller-manager", "operation": "Update", "apiVersion": "apps/v1",
        "subresource": "scale", "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:replicas": {}}}}));
    let plain = Comparer::new(&[]).unwrap();
    assert_eq!(
        plain.compare(Some(&desired), Some(&live)).status,
        SyncStatus::OutOfSync
    );
    let rule: Vec<IgnoreDifferences> = serde_json::from_value(json!([
        {"group": "apps", "kind": "Deployment", "managedFieldsManagers": ["kube-controller-manager"]}])).unwrap();
    assert_eq!(
        Comparer::new(&rule)
            .unwrap()
            .compare(Some(&desired), Some(&live))
            .status,
        SyncStatus::Synced
    );
    let global = Comparer::new(&[])
        .unwrap()
        .with_ignored_managers(&["kube-controller-manager"]);
    assert_eq!(
        global.compare(Some(&desired), Some(&live)).status,
        SyncStatus::Synced
    );
}

#[test]
fn dry_run_result_compares_every_field() {
    let desired = deployment(2, "shop/web:1.4.0");
    let live = as_live(&desired);
    let cmp = Comparer::new(&[]).unwrap();
    assert_eq!(
        cmp.compare_dry_run(&live.clone(), Some(&live)).status,
        SyncStatus::Synced
    );
    let mut predicted = live.clone();
    predicted["spec"]["revisionHistoryLimit"] = json!(5);
    let d = cmp.compare_dry_run(&predicted, Some(&live));
    assert_eq!(d.status, SyncStatus::OutOfSync);
    assert!(
        d.unified(false)
            .contains("-  revisionHistoryLimit: 10\n+  revisionHistoryLimit: 5"),
        "{}",
        d.unified(false)
    );
}

fn secret(data: Value, string_data: Option<Value>) -> Value {
    let mut s = json!({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
        "metadata": {"name": "db", "namespace": "shop"}, "data": data});
    if let Some(sd) = string_data {
        s["stringData"] = sd;
    }
    s
}

#[test]
fn secrets_are_redacted_but_changes_show() {
    // "aHVudGVyMg==" is base64 of "hunter2".
    let desired = secret(
        json!({"user": "YWRtaW4="}),
        Some(json!({"password": "correct-horse"})),
    );
    let live = as_live(&secret(
        json!({"user": "YWRtaW4=", "password": "aHVudGVyMg=="}),
        None,
    ));
    let d = Comparer::new(&[])
        .unwrap()
        .compare(Some(&desired), Some(&live));
    assert_eq!(d.status, SyncStatus::OutOfSync);
    let text = d.unified(false);
    let json = d.to_json().to_string();
    let debug = format!("{d:?}");
    for out in [&text, &json, &debug] {
        for secret in [
            "YWRtaW4=",
            "aHVudGVyMg==",
            "hunter2",
            "correct-horse",
            "Y29ycmVjdC1ob3JzZQ==",
        ] {
            assert!(!out.contains(secret), "{secret} leaked in {out}");
        }
    }
    insta::assert_snapshot!("secret_changed", text);

    // stringData folded into data: the same value is Synced.
    let desired = secret(json!({}), Some(json!({"password": "hunter2"})));
    let live = as_live(&secret(json!({"password": "aHVudGVyMg=="}), None));
    assert_eq!(
        Comparer::new(&[])
            .unwrap()
            .compare(Some(&desired), Some(&live))
            .status,
        SyncStatus::Synced
    );
}

#[test]
fn compare_all_reports_missing_and_requires_pruning_and_skips_hooks() {
    let m = |v: Value| Manifest::new(v, Provenance::default()).unwrap();
    let cm = |name: &str| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "shop"}, "data": {"k": "v"}});
    let mut hook = cm("hook");
    hook["metadata"]["annotations"] = json!({"argocd.argoproj.io/hook": "PreSync"});
    let desired = vec![m(cm("same")), m(cm("new")), m(hook.clone())];
    let live = vec![as_live(&cm("same")), as_live(&cm("old")), as_live(&hook)];
    let out = Comparer::new(&[]).unwrap().compare_all(&desired, &live);
    let summary: Vec<(String, SyncStatus)> =
        out.iter().map(|d| (d.key.name.clone(), d.status)).collect();
    assert_eq!(
        summary,
        [
            ("new".to_string(), SyncStatus::Missing),
            ("old".to_string(), SyncStatus::RequiresPruning),
            ("same".to_string(), SyncStatus::Synced),
        ]
    );
    insta::assert_snapshot!("requires_pruning", out[1].unified(false));
    assert_eq!(driftless_diff::app_status(&out), SyncStatus::OutOfSync);

    // An extraneous object marked IgnoreExtraneous does not make the app OutOfSync.
    let mut old = as_live(&cm("old"));
    old["metadata"]["annotations"] =
        json!({"argocd.argoproj.io/compare-options": "IgnoreExtraneous"});
    let out = Comparer::new(&[])
        .unwrap()
        .compare_all(&desired[..1], &[as_live(&cm("same")), old]);
    assert!(out[0].ignore_extraneous && out[0].status == SyncStatus::RequiresPruning);
    assert_eq!(driftless_diff::app_status(&out), SyncStatus::Synced);
}
