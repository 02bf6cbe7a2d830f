//! Schema lookups, strict validation paths and OpenAPI documents.

use driftless_patch::schema::{Schema, Shape, unknown_fields};
use serde_json::{Value, json};

fn refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "$ref" {
                    out.push(x.as_str().unwrap().to_string());
                } else {
                    refs(x, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

#[test]
fn openapi_v3_documents_are_closed_under_refs() {
    let s = Schema::builtin();
    let paths = s.openapi_v3_paths();
    assert!(paths.contains(&"api/v1".to_string()));
    assert!(paths.contains(&"apis/apps/v1".to_string()));
    assert!(paths.contains(&"apis/networking.k8s.io/v1".to_string()));
    for (g, v) in [
        ("", "v1"),
        ("apps", "v1"),
        ("batch", "v1"),
        ("autoscaling", "v2"),
    ] {
        let doc = s.openapi_v3(g, v).unwrap();
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        let mut all = Vec::new();
        refs(&doc, &mut all);
        for r in all {
            let name = r.strip_prefix("#/components/schemas/").unwrap();
            assert!(schemas.contains_key(name), "{g}/{v}: dangling {r}");
        }
    }
    assert!(s.openapi_v3("nope.example.com", "v1").is_none());
}

#[test]
fn openapi_v3_carries_what_kubectl_explain_reads() {
    let doc = Schema::builtin().openapi_v3("apps", "v1").unwrap();
    let d = &doc["components"]["schemas"]["io.k8s.api.apps.v1.Deployment"];
    assert_eq!(
        d["x-kubernetes-group-version-kind"],
        json!([{"group": "apps", "version": "v1", "kind": "Deployment"}])
    );
    assert!(
        d["description"]
            .as_str()
            .unwrap()
            .starts_with("Deployment enables declarative updates")
    );
    let containers =
        &doc["components"]["schemas"]["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"];
    assert_eq!(containers["type"], "array");
    assert_eq!(containers["x-kubernetes-patch-merge-key"], "name");
    assert_eq!(
        containers["items"]["allOf"][0]["$ref"],
        "#/components/schemas/io.k8s.api.core.v1.Container"
    );
}

#[test]
fn openapi_v2_has_every_definition() {
    let s = Schema::builtin();
    let doc = s.openapi_v2();
    assert_eq!(doc["swagger"], "2.0");
    let defs = doc["definitions"].as_object().unwrap();
    assert_eq!(defs.len(), s.definition_names().len());
    assert_eq!(
        defs["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]["format"],
        "int-or-string"
    );
}

#[test]
fn strict_validation_paths_match_the_decoder() {
    let ty = Schema::builtin()
        .for_kind("apps", "v1", "Deployment")
        .unwrap();
    let obj = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x",
        "labels": {"free": "ok"}, "annotations": {"any": "ok"}},
        "spec": {"replicas": 1, "template": {"spec": {"containers": [
            {"name": "c", "image": "i", "imagePullPolicy": "Always", "bogus": true,
             "resources": {"limits": {"cpu": "1"}, "limitz": {}}}]}}},
        "status": {"replicas": 1}});
    let found: Vec<String> = unknown_fields(&obj, ty)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        found,
        [
            "unknown field \"spec.template.spec.containers[0].bogus\"",
            "unknown field \"spec.template.spec.containers[0].resources.limitz\""
        ]
    );
}

#[test]
fn walk_and_known_fields() {
    let cm = Schema::builtin().for_kind("", "v1", "ConfigMap").unwrap();
    assert_eq!(
        cm.known_fields(),
        [
            "apiVersion",
            "binaryData",
            "data",
            "immutable",
            "kind",
            "metadata"
        ]
    );
    assert_eq!(cm.walk(&["data"]).unwrap().shape(), Shape::Map);
    assert!(
        cm.walk(&["metadata", "name"])
            .unwrap()
            .description()
            .unwrap()
            .starts_with("Name must be unique")
    );
    let svc = Schema::builtin().for_kind("", "v1", "Service").unwrap();
    let tp = svc.walk(&["spec", "ports", "targetPort"]).unwrap();
    assert_eq!(tp.format(), Some("int-or-string"));
    assert_eq!(tp.shape(), Shape::Scalar);
}

#[test]
fn crd_schemas_serve_openapi_and_resolve_meta() {
    let crd = json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "gadgets.example.com"},
        "spec": {"group": "example.com", "names": {"kind": "Gadget", "plural": "gadgets"}, "scope": "Cluster",
          "versions": [
            {"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {"type": "object",
              "description": "A gadget.",
              "properties": {"spec": {"type": "object", "properties": {
                "port": {"x-kubernetes-int-or-string": true},
                "template": {"type": "object", "x-kubernetes-embedded-resource": true,
                  "x-kubernetes-preserve-unknown-fields": true}}}}}}},
            {"name": "v2", "served": true, "storage": false}]}});
    let schema = Schema::from_crd(&crd).unwrap();
    let v1 = schema.for_kind("example.com", "v1", "Gadget").unwrap();
    assert_eq!(v1.walk(&["spec", "port"]).unwrap().shape(), Shape::Scalar);
    assert!(
        v1.walk(&["spec", "template", "metadata", "labels"])
            .is_some()
    );
    assert!(v1.walk(&["metadata", "ownerReferences"]).is_some());
    let v2 = schema.for_kind("example.com", "v2", "Gadget").unwrap();
    assert!(
        v2.walk(&["spec", "anything"]).is_some(),
        "schemaless versions accept everything"
    );
    let doc = schema.openapi_v3("example.com", "v1").unwrap();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    assert!(schemas.contains_key("com.example.v1.Gadget"));
    assert!(schemas.contains_key("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"));
    assert_eq!(schemas["com.example.v1.Gadget"]["description"], "A gadget.");
    let bad = json!({"spec": {}});
    assert!(
        Schema::from_crd(&bad)
            .unwrap_err()
            .to_string()
            .contains("spec.group")
    );
}
