//! Fixtures and schema helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::Value;

pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every fixture (`tests/data/*/*.yaml`) of `kind`, as (file name, JSON value).
pub fn fixtures(kind: &str) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for dir in ["argocd", "driftless"] {
        let mut files: Vec<_> = std::fs::read_dir(data_dir().join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .collect();
        files.sort();
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let value: Value = serde_yaml_ng::from_str(&text)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            if value["kind"] == kind {
                out.push((
                    format!("{dir}/{}", path.file_name().unwrap().to_string_lossy()),
                    value,
                ));
            }
        }
    }
    assert!(!out.is_empty(), "no {kind} fixtures");
    out
}

/// The `openAPIV3Schema` of a CRD text.
pub fn crd_schema(crd: &str) -> Value {
    let crd: Value = serde_yaml_ng::from_str(crd).unwrap();
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"].clone()
}

/// Paths of `value` that a Kubernetes API server would prune under `schema` (fields not
/// specified and not under `x-kubernetes-preserve-unknown-fields`), as `a.b[0].c`.
pub fn pruned_paths(schema: &Value, value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(schema, value, "", &mut out);
    out
}

fn walk(schema: &Value, value: &Value, path: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            let preserve = schema["x-kubernetes-preserve-unknown-fields"] == true;
            let props = schema["properties"].as_object();
            let additional = schema.get("additionalProperties");
            for (k, v) in map {
                let child = format!("{path}.{k}");
                if path.is_empty() && k == "metadata" {
                    // ObjectMeta has its own rules; the server keeps all of it.
                    continue;
                }
                if let Some(s) = props.and_then(|p| p.get(k)) {
                    walk(s, v, &child, out);
                } else if let Some(s) = additional.filter(|a| a.is_object()) {
                    walk(s, v, &child, out);
                } else if !preserve {
                    out.push(child.trim_start_matches('.').to_string());
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                walk(&schema["items"], v, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// Validates `value` against `schema` (JSON Schema; `format` asserted), returning the error text.
pub fn validate(schema: &Value, value: &Value) -> Result<(), String> {
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.enable_format_assertions();
    compiler
        .add_resource("crd.json", schema.clone())
        .map_err(|e| e.to_string())?;
    let index = compiler
        .compile("crd.json", &mut schemas)
        .map_err(|e| format!("{e:#}"))?;
    schemas.validate(value, index).map_err(|e| format!("{e:#}"))
}
