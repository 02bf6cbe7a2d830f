//! The CRDs: Argo CD's names and printer columns, structural schemas, and schemas that accept
//! (and keep every field of) Argo CD's objects.

mod common;

use driftless_api::{APPLICATION_CRD, APPLICATIONSET_CRD, APPPROJECT_CRD};
use serde_json::{Value, json};

fn crd(text: &str) -> Value {
    serde_yaml_ng::from_str(text).unwrap()
}

/// Kubernetes' structural-schema rules that a hand-written schema can break: every node has a
/// type (unless it preserves unknown fields or is int-or-string), `properties` and
/// `additionalProperties` are not both set, arrays have one `items` schema.
fn structural_errors(schema: &Value, path: &str, out: &mut Vec<String>) {
    let preserve = schema["x-kubernetes-preserve-unknown-fields"] == true;
    let int_or_string = schema["x-kubernetes-int-or-string"] == true;
    if schema.get("type").is_none() && !preserve && !int_or_string {
        out.push(format!("{path}: no type"));
    }
    if schema.get("properties").is_some() && schema.get("additionalProperties").is_some() {
        out.push(format!("{path}: properties and additionalProperties"));
    }
    if let Some(t) = schema["type"].as_str()
        && !["object", "array", "string", "integer", "number", "boolean"].contains(&t)
    {
        out.push(format!("{path}: type {t}"));
    }
    if schema["type"] == "array" && !schema["items"].is_object() {
        out.push(format!("{path}: array without one items schema"));
    }
    if let Some(required) = schema["required"].as_array() {
        for r in required {
            if schema["properties"].get(r.as_str().unwrap()).is_none() {
                out.push(format!("{path}: required {r} is not a property"));
            }
        }
    }
    if let Some(props) = schema["properties"].as_object() {
        for (k, v) in props {
            structural_errors(v, &format!("{path}.{k}"), out);
        }
    }
    if let Some(a) = schema.get("additionalProperties").filter(|a| a.is_object()) {
        structural_errors(a, &format!("{path}.*"), out);
    }
    if schema["items"].is_object() {
        structural_errors(&schema["items"], &format!("{path}[]"), out);
    }
}

#[test]
fn names_versions_and_columns_are_argo_cds() {
    let app = crd(APPLICATION_CRD);
    assert_eq!(app["metadata"]["name"], "applications.argoproj.io");
    assert_eq!(app["spec"]["group"], "argoproj.io");
    assert_eq!(app["spec"]["scope"], "Namespaced");
    assert_eq!(
        app["spec"]["names"],
        json!({"kind": "Application", "listKind": "ApplicationList", "plural": "applications",
               "shortNames": ["app", "apps"], "singular": "application"})
    );
    let v = &app["spec"]["versions"][0];
    assert_eq!(v["name"], "v1alpha1");
    assert_eq!(v["served"], true);
    assert_eq!(v["storage"], true);
    assert_eq!(v["subresources"], json!({"status": {}}));
    let columns: Vec<(String, String, i64)> = v["additionalPrinterColumns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["jsonPath"].as_str().unwrap().to_string(),
                c["priority"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        columns,
        [
            ("Sync Status".into(), ".status.sync.status".into(), 0),
            ("Health Status".into(), ".status.health.status".into(), 0),
            ("Revision".into(), ".status.sync.revision".into(), 10),
            ("Project".into(), ".spec.project".into(), 10),
        ]
    );
    let proj = crd(APPPROJECT_CRD);
    assert_eq!(
        proj["spec"]["names"]["shortNames"],
        json!(["appproj", "appprojs"])
    );
    assert_eq!(proj["spec"]["names"]["kind"], "AppProject");
    let set = crd(APPLICATIONSET_CRD);
    assert_eq!(
        set["spec"]["names"]["shortNames"],
        json!(["appset", "appsets"])
    );
    assert_eq!(
        set["spec"]["versions"][0]["subresources"],
        json!({"status": {}})
    );
    for c in [&app, &proj, &set] {
        assert_eq!(c["apiVersion"], "apiextensions.k8s.io/v1");
        let schema = &c["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
        assert_eq!(schema["required"], json!(["metadata", "spec"]));
        assert_eq!(schema["properties"]["metadata"], json!({"type": "object"}));
    }
}

#[test]
fn schemas_are_structural() {
    for (name, text) in [
        ("application", APPLICATION_CRD),
        ("appproject", APPPROJECT_CRD),
        ("applicationset", APPLICATIONSET_CRD),
    ] {
        let mut errors = Vec::new();
        structural_errors(&common::crd_schema(text), name, &mut errors);
        assert!(errors.is_empty(), "{errors:#?}");
    }
}

#[test]
fn argo_cd_objects_validate_and_nothing_is_pruned() {
    for (kind, text) in [
        ("Application", APPLICATION_CRD),
        ("ApplicationSet", APPLICATIONSET_CRD),
    ] {
        let schema = common::crd_schema(text);
        for (name, value) in common::fixtures(kind) {
            common::validate(&schema, &value).unwrap_or_else(|e| panic!("{name}: {e}"));
            let pruned = common::pruned_paths(&schema, &value);
            let expected: &[&str] = if name.ends_with("full-status.yaml") {
                // Made-up spec fields: the server drops them, as Argo CD's own CRD would.
                &[
                    "spec.source.helm.x-future-helm-option",
                    "spec.x-future-spec-field",
                ]
            } else {
                &[]
            };
            assert_eq!(pruned, expected, "{name}");
        }
    }
    let schema = common::crd_schema(APPPROJECT_CRD);
    let project =
        serde_json::to_value(driftless_api::AppProject::default_project("argocd")).unwrap();
    common::validate(&schema, &project).unwrap();
    assert!(common::pruned_paths(&schema, &project).is_empty());
}

#[test]
fn schema_refuses_wrong_types_and_missing_required_fields() {
    let schema = common::crd_schema(APPLICATION_CRD);
    let ok = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {"name": "a"},
        "spec": {"project": "default", "destination": {"namespace": "x"},
                 "source": {"repoURL": "r"}}});
    common::validate(&schema, &ok).unwrap();
    let mut bad = ok.clone();
    bad["spec"]["syncPolicy"] = json!({"automated": {"prune": "yes"}});
    let err = common::validate(&schema, &bad).unwrap_err();
    assert!(err.contains("/spec/syncPolicy/automated/prune"), "{err}");
    let mut bad = ok.clone();
    bad["spec"].as_object_mut().unwrap().remove("project");
    assert!(
        common::validate(&schema, &bad)
            .unwrap_err()
            .contains("project")
    );
    let mut bad = ok.clone();
    bad["status"] = json!({"reconciledAt": "yesterday"});
    assert!(common::validate(&schema, &bad).is_err());
}
