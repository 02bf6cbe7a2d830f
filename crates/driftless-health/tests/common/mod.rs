//! Helpers shared by the tests that read Argo CD's library test data.

#![allow(dead_code)]

use serde_json::Value;
use std::path::{Path, PathBuf};

/// The vendored `resource_customizations/` folder.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("resource_customizations")
}

/// The first YAML document of a file, as Argo CD's tests read it.
pub fn yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let first = serde_yaml_ng::Deserializer::from_str(&text)
        .next()
        .unwrap_or_else(|| panic!("{}: empty", path.display()));
    serde::Deserialize::deserialize(first).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// An object's API group and kind.
pub fn group_kind(obj: &Value) -> (String, String) {
    let api_version = obj["apiVersion"].as_str().unwrap_or_default();
    let group = api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
    (
        group.to_string(),
        obj["kind"].as_str().unwrap_or_default().to_string(),
    )
}

/// Fails with every entry of `failures`, counted against `total`.
pub fn assert_none_failed(failures: &[String], total: usize) {
    assert!(
        failures.is_empty(),
        "{} of {total} cases fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
