//! Rendered objects and where they came from.

use crate::ObjectKey;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a rendered object came from.
///
/// ```
/// use driftless_core::Provenance;
/// let p = Provenance::file("apps/web.yaml", 2, 17);
/// assert_eq!(p.to_string(), "apps/web.yaml:17 (document 3)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct Provenance {
    /// File path relative to the source root (for Helm: `chart/templates/x.yaml`).
    pub file: String,
    /// Zero-based index of the YAML document within the file.
    pub document: usize,
    /// One-based line where the document starts (0 when unknown).
    pub line: usize,
}

impl Provenance {
    /// A provenance for document `document` of `file`, starting at `line`.
    pub fn file(file: impl Into<String>, document: usize, line: usize) -> Self {
        Provenance {
            file: file.into(),
            document,
            line,
        }
    }
}

impl fmt::Display for Provenance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        write!(f, " (document {})", self.document + 1)
    }
}

/// An object rendered from the source, with its identity checked.
///
/// ```
/// use driftless_core::{Manifest, Provenance};
/// let bad = serde_json::json!({"kind": "ConfigMap", "metadata": {"name": "c"}});
/// let err = Manifest::new(bad, Provenance::file("c.yaml", 0, 1)).unwrap_err();
/// assert_eq!(err.to_string(), "c.yaml:1 (document 1): object has no apiVersion");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The object as rendered.
    pub object: serde_json::Value,
    /// Where it came from.
    pub provenance: Provenance,
    key: ObjectKey,
}

/// Why a document is not a Kubernetes object.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    /// The document is not a mapping.
    #[error("{0}: document is not a mapping (found {1})")]
    NotAnObject(Provenance, &'static str),
    /// A required identity field is missing or not a string.
    #[error("{0}: object has no {1}")]
    MissingField(Provenance, &'static str),
}

impl Manifest {
    /// Checks that `object` has `apiVersion`, `kind` and `metadata.name`.
    pub fn new(object: serde_json::Value, provenance: Provenance) -> Result<Self, ManifestError> {
        let map = match &object {
            serde_json::Value::Object(m) => m,
            other => return Err(ManifestError::NotAnObject(provenance, type_name(other))),
        };
        fn text(v: Option<&serde_json::Value>) -> Option<&str> {
            v.and_then(|v| v.as_str()).filter(|s| !s.is_empty())
        }
        if text(map.get("apiVersion")).is_none() {
            return Err(ManifestError::MissingField(provenance, "apiVersion"));
        }
        if text(map.get("kind")).is_none() {
            return Err(ManifestError::MissingField(provenance, "kind"));
        }
        let meta = map.get("metadata");
        if text(meta.and_then(|m| m.get("name"))).is_none() {
            // generateName is legal for objects that are created, not applied (hooks).
            if text(meta.and_then(|m| m.get("generateName"))).is_none() {
                return Err(ManifestError::MissingField(provenance, "metadata.name"));
            }
        }
        let key = key_of(&object);
        Ok(Manifest {
            object,
            provenance,
            key,
        })
    }

    /// The object's identity (for `generateName` objects the name is the prefix).
    pub fn key(&self) -> &ObjectKey {
        &self.key
    }

    /// Sets the namespace of the object and its key when it has none.
    pub fn set_default_namespace(&mut self, ns: &str) {
        if self.key.namespace.is_some() {
            return;
        }
        if let Some(meta) = self
            .object
            .get_mut("metadata")
            .and_then(|m| m.as_object_mut())
        {
            meta.insert("namespace".into(), serde_json::Value::String(ns.into()));
        }
        self.key.namespace = Some(ns.to_string());
    }

    /// Removes the namespace (for cluster-scoped kinds that were given one).
    pub fn clear_namespace(&mut self) {
        if let Some(meta) = self
            .object
            .get_mut("metadata")
            .and_then(|m| m.as_object_mut())
        {
            meta.remove("namespace");
        }
        self.key.namespace = None;
    }

    /// An annotation of the object, if set.
    pub fn annotation(&self, name: &str) -> Option<&str> {
        self.object
            .pointer("/metadata/annotations")
            .and_then(|a| a.get(name))
            .and_then(|v| v.as_str())
    }

    /// A label of the object, if set.
    pub fn label(&self, name: &str) -> Option<&str> {
        self.object
            .pointer("/metadata/labels")
            .and_then(|a| a.get(name))
            .and_then(|v| v.as_str())
    }
}

fn key_of(object: &serde_json::Value) -> ObjectKey {
    let s = |p: &str| object.pointer(p).and_then(|v| v.as_str()).unwrap_or("");
    let name = match s("/metadata/name") {
        "" => s("/metadata/generateName"),
        n => n,
    };
    let ns = Some(s("/metadata/namespace"));
    ObjectKey::new(s("/apiVersion"), s("/kind"), ns, name)
}

fn type_name(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "a mapping",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn missing_name_is_named() {
        let err = Manifest::new(
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {}}),
            Provenance::file("svc.yaml", 1, 9),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "svc.yaml:9 (document 2): object has no metadata.name"
        );
    }

    #[test]
    fn list_is_not_an_object() {
        let err = Manifest::new(json!([1]), Provenance::file("x.yaml", 0, 1)).unwrap_err();
        assert!(err.to_string().contains("not a mapping (found a list)"));
    }

    #[test]
    fn default_namespace_sets_object_and_key() {
        let mut m = Manifest::new(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}),
            Provenance::default(),
        )
        .unwrap();
        m.set_default_namespace("prod");
        assert_eq!(m.key().namespace.as_deref(), Some("prod"));
        assert_eq!(m.object["metadata"]["namespace"], "prod");
    }
}
