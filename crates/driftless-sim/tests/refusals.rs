//! Bad objects are refused as a real API server refuses them: a wrong JSON type in a built-in
//! kind is `400 BadRequest` with the Go decoder's message; a custom resource that breaks its
//! CRD's structural schema is `422 Invalid` with one cause per field.

mod common;

use serde_json::{Value, json};

async fn send(
    client: &kube::Client,
    method: &str,
    path: &str,
    ct: &str,
    body: &Value,
) -> Result<Value, Box<kube::core::Status>> {
    let req = http::Request::builder()
        .method(method)
        .uri(path)
        .header("Content-Type", ct)
        .body(serde_json::to_vec(body).unwrap())
        .unwrap();
    match client.request_text(req).await {
        Ok(t) => Ok(serde_json::from_str(&t).unwrap()),
        Err(kube::Error::Api(s)) => Err(s),
        Err(e) => panic!("{path}: {e}"),
    }
}

async fn post(
    client: &kube::Client,
    path: &str,
    body: Value,
) -> Result<Value, Box<kube::core::Status>> {
    send(client, "POST", path, "application/json", &body).await
}

/// `(collection path, object, the message after "<Kind> in version ... as a <Kind>: ")`.
fn built_in_cases() -> Vec<(&'static str, Value, &'static str)> {
    let pod_spec = |c: Value| json!({"containers": [c]});
    let tmpl = |c: Value| json!({"metadata": {"labels": {"a": "b"}}, "spec": pod_spec(c)});
    let sel = json!({"matchLabels": {"a": "b"}});
    vec![
        (
            "/api/v1/namespaces/default/configmaps",
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"a": true}}),
            "json: cannot unmarshal bool into Go struct field ConfigMap.data of type string",
        ),
        (
            "/api/v1/namespaces/default/secrets",
            json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x"}, "data": {"a": "not base64!"}}),
            "illegal base64 data at input byte 3",
        ),
        (
            "/api/v1/namespaces/default/services",
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"}, "spec": {"ports": [{"port": "80"}]}}),
            "json: cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type int32",
        ),
        (
            "/api/v1/namespaces/default/pods",
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"}, "spec": pod_spec(json!({"name": "c", "image": "x", "resources": {"requests": {"cpu": "lots"}}}))}),
            "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
        ),
        (
            "/api/v1/namespaces/default/serviceaccounts",
            json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "x"}, "automountServiceAccountToken": "yes"}),
            "json: cannot unmarshal string into Go struct field ServiceAccount.automountServiceAccountToken of type bool",
        ),
        (
            "/api/v1/namespaces/default/persistentvolumeclaims",
            json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "x"}, "spec": {"accessModes": "ReadWriteOnce"}}),
            "json: cannot unmarshal string into Go struct field PersistentVolumeClaimSpec.spec.accessModes of type []v1.PersistentVolumeAccessMode",
        ),
        (
            "/apis/apps/v1/namespaces/default/deployments",
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"}, "spec": {"replicas": "three", "selector": sel, "template": tmpl(json!({"name": "c", "image": "x"}))}}),
            "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32",
        ),
        (
            "/apis/apps/v1/namespaces/default/deployments",
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"}, "spec": {"selector": sel, "template": tmpl(json!({"name": "c", "image": "x", "ports": [{"containerPort": "http"}]}))}}),
            "json: cannot unmarshal string into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32",
        ),
        (
            "/apis/apps/v1/namespaces/default/daemonsets",
            json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "x"}, "spec": {"selector": sel, "template": tmpl(json!({"name": "c", "image": "x", "env": {"A": "1"}}))}}),
            "json: cannot unmarshal object into Go struct field Container.spec.template.spec.containers.env of type []v1.EnvVar",
        ),
        (
            "/apis/apps/v1/namespaces/default/statefulsets",
            json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "x"}, "spec": {"replicas": 1.5}}),
            "json: cannot unmarshal number 1.5 into Go struct field StatefulSetSpec.spec.replicas of type int32",
        ),
        (
            "/apis/batch/v1/namespaces/default/jobs",
            json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "x"}, "spec": {"backoffLimit": true}}),
            "json: cannot unmarshal bool into Go struct field JobSpec.spec.backoffLimit of type int32",
        ),
        (
            "/apis/batch/v1/namespaces/default/cronjobs",
            json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "x"}, "spec": {"schedule": 5}}),
            "json: cannot unmarshal number into Go struct field CronJobSpec.spec.schedule of type string",
        ),
        (
            "/apis/networking.k8s.io/v1/namespaces/default/ingresses",
            json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "x"}, "spec": {"rules": [{"http": {"paths": [{"path": "/", "pathType": 1}]}}]}}),
            "json: cannot unmarshal number into Go struct field HTTPIngressPath.spec.rules.http.paths.pathType of type v1.PathType",
        ),
        (
            "/apis/networking.k8s.io/v1/namespaces/default/networkpolicies",
            json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "x"}, "spec": {"podSelector": [], "policyTypes": ["Ingress"]}}),
            "json: cannot unmarshal array into Go struct field NetworkPolicySpec.spec.podSelector of type v1.LabelSelector",
        ),
        (
            "/apis/networking.k8s.io/v1/ingressclasses",
            json!({"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": {"name": "x"}, "spec": {"controller": ["a"]}}),
            "json: cannot unmarshal array into Go struct field IngressClassSpec.spec.controller of type string",
        ),
        (
            "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers",
            json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "x"}, "spec": {"maxReplicas": "10"}}),
            "json: cannot unmarshal string into Go struct field HorizontalPodAutoscalerSpec.spec.maxReplicas of type int32",
        ),
        (
            "/apis/policy/v1/namespaces/default/poddisruptionbudgets",
            json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "x"}, "spec": {"minAvailable": 1.5}}),
            "json: cannot unmarshal number 1.5 into Go struct field PodDisruptionBudgetSpec.spec.minAvailable of type int32",
        ),
        (
            "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles",
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "x"}, "rules": [{"verbs": "get"}]}),
            "json: cannot unmarshal string into Go struct field PolicyRule.rules.verbs of type []string",
        ),
        (
            "/apis/rbac.authorization.k8s.io/v1/clusterroles",
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "x"}, "rules": {}}),
            "json: cannot unmarshal object into Go struct field ClusterRole.rules of type []v1.PolicyRule",
        ),
        (
            "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings",
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "x"}, "roleRef": "admin"}),
            "json: cannot unmarshal string into Go struct field RoleBinding.roleRef of type v1.RoleRef",
        ),
        (
            "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "x"}, "subjects": [{"kind": 1}]}),
            "json: cannot unmarshal number into Go struct field Subject.subjects.kind of type string",
        ),
        (
            "/apis/coordination.k8s.io/v1/namespaces/default/leases",
            json!({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "x"}, "spec": {"leaseDurationSeconds": "15"}}),
            "json: cannot unmarshal string into Go struct field LeaseSpec.spec.leaseDurationSeconds of type int32",
        ),
        (
            "/apis/storage.k8s.io/v1/storageclasses",
            json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "x"}, "provisioner": "p", "allowVolumeExpansion": "true"}),
            "json: cannot unmarshal string into Go struct field StorageClass.allowVolumeExpansion of type bool",
        ),
    ]
}

#[tokio::test]
async fn wrong_json_types_in_built_in_kinds_are_bad_requests() {
    let (_cluster, client) = common::plain_cluster().await;
    let mut failures = Vec::new();
    for (path, obj, want) in built_in_cases() {
        let kind = obj["kind"].as_str().unwrap().to_string();
        let version = obj["apiVersion"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_string();
        let want = format!("{kind} in version \"{version}\" cannot be handled as a {kind}: {want}");
        match post(&client, path, obj).await {
            Err(s) if s.code == 400 && s.reason == "BadRequest" && s.message == want => {}
            other => failures.push(format!(
                "{kind}: got {other:?}\n  want 400 BadRequest {want}"
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Nothing was stored; a well-typed object still is.
    let ok = post(&client, "/api/v1/namespaces/default/configmaps",
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"a": "true"}})).await;
    assert!(ok.is_ok(), "{ok:?}");
}

#[tokio::test]
async fn patches_that_break_types_are_invalid() {
    let (_cluster, client) = common::plain_cluster().await;
    post(&client, "/api/v1/namespaces/default/configmaps",
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "p"}, "data": {"a": "1"}}))
        .await
        .unwrap();
    let r = send(
        &client,
        "PATCH",
        "/api/v1/namespaces/default/configmaps/p",
        "application/merge-patch+json",
        &json!({"data": {"a": 1}}),
    )
    .await;
    let s = r.unwrap_err();
    assert_eq!((s.code, s.reason.as_str()), (422, "Invalid"), "{s:?}");
    assert!(
        s.message.ends_with(
            "json: cannot unmarshal number into Go struct field ConfigMap.data of type string"
        ),
        "{}",
        s.message
    );
    assert!(
        s.message
            .starts_with(" \"\" is invalid: patch: Invalid value: \"{"),
        "{}",
        s.message
    );
}

/// A cause: reason, field, message.
type Want = (&'static str, &'static str, &'static str);

fn crd() -> Value {
    json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
            "names": {"kind": "Widget", "plural": "widgets", "singular": "widget"},
            "versions": [
                {"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                    "spec": {"type": "object", "required": ["size"],
                        "x-kubernetes-validations": [{"rule": "!has(self.name) || self.name != 'forbidden'", "message": "name may not be forbidden"}],
                        "properties": {
                        "size": {"type": "integer", "minimum": 1, "maximum": 5},
                        "color": {"type": "string", "enum": ["red", "blue"], "default": "red"},
                        "name": {"type": "string", "minLength": 2, "pattern": "^[a-z]+$"},
                        "email": {"type": "string", "format": "email"},
                        "tags": {"type": "array", "maxItems": 2, "items": {"type": "string"}},
                        "port": {"x-kubernetes-int-or-string": true},
                        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                        "note": {"type": "string", "nullable": true},
                        "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}}}}},
                {"name": "v2", "served": true, "storage": false, "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                    "spec": {"type": "object", "properties": {"size": {"type": "string"}}}}}}}]}})
}

#[tokio::test]
async fn custom_resources_are_checked_against_their_schema() {
    let (_cluster, client) = common::plain_cluster().await;
    post(
        &client,
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        crd(),
    )
    .await
    .unwrap();
    let path = "/apis/example.com/v1/namespaces/default/widgets";
    let w = |name: &str, spec: Value| json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": name}, "spec": spec});
    let cases: Vec<(Value, Vec<Want>)> = vec![
        (
            json!({"size": "big"}),
            vec![(
                "FieldValueTypeInvalid",
                "spec.size",
                "Invalid value: \"string\": spec.size in body must be of type integer: \"string\"",
            )],
        ),
        (
            json!({"size": 9}),
            vec![(
                "FieldValueInvalid",
                "spec.size",
                "Invalid value: 9: spec.size in body should be less than or equal to 5",
            )],
        ),
        (
            json!({"color": "green", "size": 0}),
            vec![
                (
                    "FieldValueNotSupported",
                    "spec.color",
                    "Unsupported value: \"green\": supported values: \"red\", \"blue\"",
                ),
                (
                    "FieldValueInvalid",
                    "spec.size",
                    "Invalid value: 0: spec.size in body should be greater than or equal to 1",
                ),
            ],
        ),
        (
            json!({"size": 1, "name": "A"}),
            vec![(
                "FieldValueInvalid",
                "spec.name",
                "Invalid value: \"A\": spec.name in body should be at least 2 chars long",
            )],
        ),
        (
            json!({"size": 1, "name": "AB"}),
            vec![(
                "FieldValueInvalid",
                "spec.name",
                "Invalid value: \"AB\": spec.name in body should match '^[a-z]+$'",
            )],
        ),
        (
            json!({"size": 1, "email": "nope"}),
            vec![(
                "FieldValueTypeInvalid",
                "spec.email",
                "Invalid value: \"nope\": spec.email in body must be of type email: \"nope\"",
            )],
        ),
        (
            json!({"size": 1, "tags": ["a", "b", "c"]}),
            vec![(
                "FieldValueTooMany",
                "spec.tags",
                "Too many: 3: must have at most 2 items",
            )],
        ),
        (
            json!({"size": 1, "port": 1.5}),
            vec![(
                "FieldValueTypeInvalid",
                "spec.port",
                "Invalid value: \"number\": spec.port in body must be of type integer,string: \"number\"",
            )],
        ),
        (
            json!({"size": 1, "labels": {"a": 1}}),
            vec![(
                "FieldValueTypeInvalid",
                "spec.labels.a",
                "Invalid value: \"integer\": spec.labels.a in body must be of type string: \"integer\"",
            )],
        ),
        (
            json!({}),
            vec![("FieldValueRequired", "spec.size", "Required value")],
        ),
        (
            json!({"size": 1, "name": "forbidden"}),
            vec![(
                "FieldValueInvalid",
                "spec",
                "Invalid value: \"object\": name may not be forbidden",
            )],
        ),
    ];
    for (i, (spec, want)) in cases.into_iter().enumerate() {
        let name = format!("w{i}");
        let s = post(&client, path, w(&name, spec.clone()))
            .await
            .unwrap_err();
        let got: Vec<(String, String, String)> = s
            .details
            .iter()
            .flat_map(|d| d.causes.iter())
            .map(|c| (c.reason.clone(), c.field.clone(), c.message.clone()))
            .collect();
        let want: Vec<(String, String, String)> = want
            .iter()
            .map(|(r, f, m)| (r.to_string(), f.to_string(), m.to_string()))
            .collect();
        assert_eq!((s.code, s.reason.as_str()), (422, "Invalid"), "{spec}");
        assert_eq!(got, want, "{spec}");
        assert!(
            s.message
                .starts_with(&format!("Widget.example.com \"{name}\" is invalid: ")),
            "{}",
            s.message
        );
    }
    // Accepted: defaulted, pruned, nulls of non-nullable fields dropped, preserved fields kept.
    let ok = post(
        &client,
        path,
        w(
            "good",
            json!({"size": 2, "port": "http", "unknown": 1, "note": null,
        "name": null, "free": {"any": {"thing": 1}}}),
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        ok["spec"],
        json!({"size": 2, "port": "http", "note": null, "free": {"any": {"thing": 1}}, "color": "red"})
    );
    // Strict refuses the unknown field instead of pruning it.
    let strict = send(
        &client,
        "POST",
        &format!("{path}?fieldValidation=Strict"),
        "application/json",
        &w("strict", json!({"size": 2, "unknown": 1})),
    )
    .await
    .unwrap_err();
    assert_eq!(strict.code, 400, "{strict:?}");
    assert!(
        strict.message.contains("unknown field \"spec.unknown\""),
        "{}",
        strict.message
    );
    // Updates are checked too, and the other served version has its own schema (None conversion).
    let mut good = ok.clone();
    good["spec"]["size"] = json!(7);
    let upd = send(
        &client,
        "PUT",
        &format!("{path}/good"),
        "application/json",
        &good,
    )
    .await
    .unwrap_err();
    assert_eq!(upd.code, 422, "{upd:?}");
    let v2 = post(&client, "/apis/example.com/v2/namespaces/default/widgets",
        json!({"apiVersion": "example.com/v2", "kind": "Widget", "metadata": {"name": "v2"}, "spec": {"size": "big"}})).await.unwrap();
    assert_eq!(v2["spec"]["size"], "big");
}

#[tokio::test]
async fn server_side_apply_of_a_wrong_type_is_refused() {
    let (_cluster, client) = common::plain_cluster().await;
    let r = send(
        &client,
        "PATCH",
        "/api/v1/namespaces/default/configmaps/ssa?fieldManager=gitops",
        "application/apply-patch+yaml",
        &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ssa"}, "data": {"a": true}}),
    )
    .await;
    let s = r.unwrap_err();
    assert_eq!((s.code, s.reason.as_str()), (400, "BadRequest"), "{s:?}");
    assert_eq!(
        s.message,
        "failed to create typed patch object (/v1, Kind=ConfigMap): .data.a: expected string, got &value.valueUnstructured{Value:true}"
    );
}
