//! Schemas of custom resources, built from a CustomResourceDefinition's `openAPIV3Schema`.

use super::{Gvk, Node, Schema};
use serde_json::Value;
use std::collections::HashMap;
use thiserror::Error;

const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

/// Why a CustomResourceDefinition could not be turned into a schema.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum CrdSchemaError {
    /// A required CRD field is missing or has the wrong type.
    #[error("CustomResourceDefinition {crd:?}: {field} is missing or invalid")]
    MissingField {
        /// Name of the CRD (`metadata.name`), possibly empty.
        crd: String,
        /// The field, e.g. `spec.group`.
        field: String,
    },
}

impl Schema {
    /// Builds the schema of the kinds a CustomResourceDefinition (`apiextensions.k8s.io/v1`)
    /// serves: one definition per version, named like the API server names them
    /// (`com.example.v1.Widget` for group `example.com`), with its GVK.
    ///
    /// Versions without a schema are untyped (every field accepted, maps granular,
    /// lists atomic). `metadata` always refers to the built-in `ObjectMeta`.
    ///
    /// ```
    /// use driftless_patch::schema::{ListType, Schema};
    /// let crd = serde_json::json!({
    ///   "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    ///   "metadata": {"name": "widgets.example.com"},
    ///   "spec": {"group": "example.com", "scope": "Namespaced",
    ///     "names": {"kind": "Widget", "plural": "widgets"},
    ///     "versions": [{"name": "v1", "served": true, "storage": true,
    ///       "schema": {"openAPIV3Schema": {"type": "object", "properties": {
    ///         "spec": {"type": "object", "properties": {
    ///           "ports": {"type": "array", "x-kubernetes-list-type": "map",
    ///             "x-kubernetes-list-map-keys": ["name"],
    ///             "items": {"type": "object", "properties": {"name": {"type": "string"}}}}}}}}}}]}
    /// });
    /// let schema = Schema::from_crd(&crd).unwrap();
    /// let ty = schema.for_kind("example.com", "v1", "Widget").unwrap();
    /// let ports = ty.walk(&["spec", "ports"]).unwrap();
    /// assert_eq!(ports.list_type(), Some(ListType::Map(vec!["name".into()])));
    /// assert!(ty.walk(&["metadata", "labels"]).is_some());
    /// ```
    pub fn from_crd(crd: &Value) -> Result<Schema, CrdSchemaError> {
        let crd_name = crd
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let missing = |field: &str| CrdSchemaError::MissingField {
            crd: crd_name.clone(),
            field: field.to_string(),
        };
        let group = crd
            .pointer("/spec/group")
            .and_then(Value::as_str)
            .ok_or_else(|| missing("spec.group"))?;
        let kind = crd
            .pointer("/spec/names/kind")
            .and_then(Value::as_str)
            .ok_or_else(|| missing("spec.names.kind"))?;
        let versions = crd
            .pointer("/spec/versions")
            .and_then(Value::as_array)
            .ok_or_else(|| missing("spec.versions"))?;
        let reversed: Vec<&str> = group.split('.').rev().collect();
        let mut defs = HashMap::new();
        for v in versions {
            let version = v
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| missing("spec.versions[].name"))?;
            let mut node = match v.pointer("/schema/openAPIV3Schema") {
                Some(s) => convert(s),
                None => Node {
                    preserve_unknown: true,
                    ..Node::default()
                },
            };
            add_object_fields(&mut node);
            node.gvk = Some(vec![Gvk::new(group, version, kind)]);
            defs.insert(format!("{}.{version}.{kind}", reversed.join(".")), node);
        }
        Ok(Schema::from_definitions(
            defs,
            Some(Schema::builtin()),
            Schema::builtin().kubernetes_version.clone(),
        ))
    }
}

/// Adds `apiVersion`, `kind` and `metadata` to a top-level (or embedded) resource node.
fn add_object_fields(node: &mut Node) {
    node.ty.get_or_insert_with(|| "object".to_string());
    let props = node.properties.get_or_insert_with(Default::default);
    for (name, desc) in [
        (
            "apiVersion",
            "APIVersion defines the versioned schema of this representation of an object.",
        ),
        (
            "kind",
            "Kind is a string value representing the REST resource this object represents.",
        ),
    ] {
        props.entry(name.to_string()).or_insert_with(|| Node {
            ty: Some("string".into()),
            description: Some(desc.into()),
            ..Node::default()
        });
    }
    let meta = props.entry("metadata".to_string()).or_default();
    meta.reference = Some(OBJECT_META.to_string());
    meta.ty = None;
    meta.properties = None;
    if meta.description.is_none() {
        meta.description = Some("Standard object's metadata.".into());
    }
}

fn str_list(v: Option<&Value>) -> Option<Vec<String>> {
    v.and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(|s| s.as_str().map(String::from))
            .collect()
    })
}

/// Converts a structural JSONSchemaProps into a compact node.
fn convert(s: &Value) -> Node {
    let get_str = |k: &str| s.get(k).and_then(Value::as_str).map(String::from);
    let get_bool = |k: &str| s.get(k).and_then(Value::as_bool).unwrap_or(false);
    let mut node = Node {
        description: get_str("description"),
        ty: get_str("type"),
        format: get_str("format"),
        list_type: get_str("x-kubernetes-list-type"),
        list_map_keys: str_list(s.get("x-kubernetes-list-map-keys")),
        map_type: get_str("x-kubernetes-map-type"),
        enumeration: s.get("enum").and_then(Value::as_array).cloned(),
        required: str_list(s.get("required")),
        default: s.get("default").cloned(),
        preserve_unknown: get_bool("x-kubernetes-preserve-unknown-fields"),
        embedded_resource: get_bool("x-kubernetes-embedded-resource"),
        ..Node::default()
    };
    if get_bool("x-kubernetes-int-or-string") {
        node.ty = Some("string".into());
        node.format = Some("int-or-string".into());
    }
    if let Some(props) = s.get("properties").and_then(Value::as_object) {
        node.properties = Some(props.iter().map(|(k, v)| (k.clone(), convert(v))).collect());
    }
    match s.get("additionalProperties") {
        Some(a @ Value::Object(_)) => node.additional = Some(Box::new(convert(a))),
        Some(Value::Bool(true)) => node.additional = Some(Box::default()),
        _ => {}
    }
    if let Some(items) = s.get("items").filter(|i| i.is_object()) {
        node.items = Some(Box::new(convert(items)));
    }
    if node.embedded_resource {
        add_object_fields(&mut node);
    }
    node
}
