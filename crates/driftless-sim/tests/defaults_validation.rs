//! Update validation: the immutable fields GitOps tools run into, worded as the API server words them.

use driftless_sim::defaults::{apply_defaults, validate_update};
use serde_json::{Value, json};

fn messages(group: &str, kind: &str, old: &Value, new: &Value) -> Vec<String> {
    validate_update(group, kind, old, new)
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn immutable_configmaps_and_secrets_keep_their_data() {
    let old = json!({"metadata": {"name": "c"}, "immutable": true, "data": {"a": "1"}});
    let mut new = old.clone();
    new["data"]["a"] = json!("2");
    assert_eq!(
        messages("", "ConfigMap", &old, &new),
        ["data: Forbidden: field is immutable when `immutable` is set"]
    );
    let mut unlocked = old.clone();
    unlocked["immutable"] = json!(false);
    assert_eq!(
        messages("", "ConfigMap", &old, &unlocked),
        ["immutable: Forbidden: field is immutable when `immutable` is set"]
    );
    let mutable = json!({"metadata": {"name": "c"}, "data": {"a": "1"}});
    assert!(messages("", "ConfigMap", &mutable, &new).is_empty());
    let s = json!({"metadata": {"name": "s"}, "type": "Opaque", "data": {}});
    let mut tls = s.clone();
    tls["type"] = json!("kubernetes.io/tls");
    assert_eq!(
        messages("", "Secret", &s, &tls),
        ["type: Invalid value: \"kubernetes.io/tls\": field is immutable"]
    );
}

fn pod() -> Value {
    let mut p = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "image": "nginx:1.27", "env": [{"name": "A", "value": "1"}]}]}});
    apply_defaults("", "v1", "Pod", &mut p);
    p
}

#[test]
fn pod_specs_only_change_where_kubernetes_allows() {
    let old = pod();
    let mut image = old.clone();
    image["spec"]["containers"][0]["image"] = json!("nginx:1.28");
    assert!(messages("", "Pod", &old, &image).is_empty());
    let mut bound = old.clone();
    bound["spec"]["nodeName"] = json!("sim-node-1");
    assert!(
        messages("", "Pod", &old, &bound).is_empty(),
        "binding a pod is allowed"
    );
    let mut moved = bound.clone();
    moved["spec"]["nodeName"] = json!("sim-node-2");
    assert_eq!(messages("", "Pod", &bound, &moved).len(), 1);
    let mut env = old.clone();
    env["spec"]["containers"][0]["env"][0]["value"] = json!("2");
    let errs = messages("", "Pod", &old, &env);
    assert_eq!(errs.len(), 1);
    assert!(
        errs[0].starts_with("spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`"),
        "{errs:?}"
    );
}

#[test]
fn workload_selectors_job_templates_and_statefulset_specs_are_immutable() {
    let dep = json!({"spec": {"selector": {"matchLabels": {"app": "a"}},
        "template": {"metadata": {"labels": {"app": "a"}}, "spec": {"containers": [{"name": "c", "image": "x"}]}}}});
    let mut moved = dep.clone();
    moved["spec"]["selector"]["matchLabels"] = json!({"app": "b"});
    moved["spec"]["template"]["metadata"]["labels"] = json!({"app": "b"});
    assert_eq!(
        messages("apps", "Deployment", &dep, &moved),
        [
            "spec.selector: Invalid value: &v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"b\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"
        ]
    );
    let job = json!({"spec": {"selector": {"matchLabels": {"u": "1"}},
        "template": {"metadata": {"labels": {"u": "1"}}, "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "x"}]}}}});
    let mut changed = job.clone();
    changed["spec"]["template"]["spec"]["containers"][0]["image"] = json!("y");
    let errs = messages("batch", "Job", &job, &changed);
    assert_eq!(errs.len(), 1);
    assert!(
        errs[0].starts_with("spec.template: Invalid value: ")
            && errs[0].ends_with(": field is immutable"),
        "{errs:?}"
    );
    let sts = json!({"spec": {"serviceName": "a", "selector": {"matchLabels": {"app": "a"}},
        "template": {"metadata": {"labels": {"app": "a"}}, "spec": {"containers": [{"name": "c", "image": "x"}]}}}});
    let mut renamed = sts.clone();
    renamed["spec"]["serviceName"] = json!("b");
    assert_eq!(
        messages("apps", "StatefulSet", &sts, &renamed),
        [
            "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
        ]
    );
    let mut scaled = sts.clone();
    scaled["spec"]["replicas"] = json!(5);
    assert!(messages("apps", "StatefulSet", &sts, &scaled).is_empty());
}

#[test]
fn service_cluster_ip_may_not_change() {
    let old =
        json!({"spec": {"type": "ClusterIP", "clusterIP": "10.96.0.10", "ports": [{"port": 80}]}});
    let mut new = old.clone();
    new["spec"]["clusterIP"] = json!("10.96.0.11");
    assert_eq!(
        messages("", "Service", &old, &new),
        ["spec.clusterIPs[0]: Invalid value: \"10.96.0.11\": may not change once set"]
    );
}

#[test]
fn webhook_configurations_and_priority_classes_are_defaulted() {
    let mut m = json!({"webhooks": [{"name": "m.example.com", "admissionReviewVersions": ["v1"], "sideEffects": "None",
        "clientConfig": {"service": {"name": "svc", "namespace": "ns"}},
        "rules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"], "resources": ["pods"]}]}]});
    apply_defaults(
        "admissionregistration.k8s.io",
        "v1",
        "MutatingWebhookConfiguration",
        &mut m,
    );
    let w = &m["webhooks"][0];
    assert_eq!(w["failurePolicy"], "Fail");
    assert_eq!(w["matchPolicy"], "Equivalent");
    assert_eq!(w["namespaceSelector"], json!({}));
    assert_eq!(w["objectSelector"], json!({}));
    assert_eq!(w["timeoutSeconds"], 10);
    assert_eq!(w["reinvocationPolicy"], "Never");
    assert_eq!(w["rules"][0]["scope"], "*");
    assert_eq!(w["clientConfig"]["service"]["port"], 443);
    let mut v = m.clone();
    v["webhooks"][0]
        .as_object_mut()
        .unwrap()
        .remove("reinvocationPolicy");
    apply_defaults(
        "admissionregistration.k8s.io",
        "v1",
        "ValidatingWebhookConfiguration",
        &mut v,
    );
    assert!(v["webhooks"][0].get("reinvocationPolicy").is_none());
    let mut pc = json!({"value": 1000});
    apply_defaults("scheduling.k8s.io", "v1", "PriorityClass", &mut pc);
    assert_eq!(pc["preemptionPolicy"], "PreemptLowerPriority");
}
