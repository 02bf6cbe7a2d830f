//! Kubernetes type information: the built-in API schema of Kubernetes 1.32 (embedded) and
//! schemas built from CustomResourceDefinitions.
//!
//! Everything the patch engines need is answered by a [`TypeRef`]: the shape of a node
//! (struct, map, list, scalar or untyped), its fields, list semantics for server-side apply
//! ([`ListType`]) and strategic merge patch ([`TypeRef::patch_strategy`],
//! [`TypeRef::patch_merge_key`]), and descriptions for `kubectl explain`.
//!
//! ```
//! use driftless_patch::schema::{ListType, Schema};
//! let deploy = Schema::builtin().for_kind("apps", "v1", "Deployment").unwrap();
//! let containers = deploy.walk(&["spec", "template", "spec", "containers"]).unwrap();
//! assert_eq!(containers.list_type(), Some(ListType::Map(vec!["name".into()])));
//! assert_eq!(containers.patch_merge_key(), Some("name"));
//! ```

mod crd;
mod load;
mod lookup;
mod openapi;
mod strict;

pub use crd::CrdSchemaError;
pub use lookup::{ListType, Shape, TypeRef};
pub use strict::{UnknownField, unknown_fields};

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Group, version and kind of an API type (`x-kubernetes-group-version-kind`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Gvk {
    /// API group; empty for the core group.
    pub group: String,
    /// API version, e.g. `v1`.
    pub version: String,
    /// Kind, e.g. `Deployment`.
    pub kind: String,
}

impl Gvk {
    /// Builds a GVK.
    pub fn new(group: &str, version: &str, kind: &str) -> Self {
        Gvk {
            group: group.to_string(),
            version: version.to_string(),
            kind: kind.to_string(),
        }
    }

    /// Splits an `apiVersion` (`apps/v1`, `v1`) and pairs it with `kind`.
    pub fn from_api_version(api_version: &str, kind: &str) -> Self {
        match api_version.split_once('/') {
            Some((g, v)) => Gvk::new(g, v, kind),
            None => Gvk::new("", api_version, kind),
        }
    }

    /// The `apiVersion` string: `group/version`, or `version` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

/// One node of the compact schema: a definition or a property.
///
/// Field names are short because the embedded data uses them; see `tools/gen_schema.py`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub(crate) struct Node {
    /// Description.
    #[serde(rename = "d", default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// JSON type: object, array, string, integer, number, boolean; `None` = any.
    #[serde(rename = "t", default, skip_serializing_if = "Option::is_none")]
    pub ty: Option<String>,
    /// Format (`int32`, `date-time`, `int-or-string`, `quantity`, ...).
    #[serde(rename = "f", default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Name of the referenced definition.
    #[serde(rename = "r", default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Properties of an object.
    #[serde(rename = "p", default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<indexmap::IndexMap<String, Node>>,
    /// Schema of the values of a map (`additionalProperties`).
    #[serde(rename = "a", default, skip_serializing_if = "Option::is_none")]
    pub additional: Option<Box<Node>>,
    /// Schema of list items.
    #[serde(rename = "i", default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Box<Node>>,
    /// Allowed values.
    #[serde(rename = "e", default, skip_serializing_if = "Option::is_none")]
    pub enumeration: Option<Vec<serde_json::Value>>,
    /// Required property names.
    #[serde(rename = "rq", default, skip_serializing_if = "Option::is_none")]
    pub required: Option<Vec<String>>,
    /// `x-kubernetes-list-type`.
    #[serde(rename = "lt", default, skip_serializing_if = "Option::is_none")]
    pub list_type: Option<String>,
    /// `x-kubernetes-list-map-keys`.
    #[serde(rename = "lk", default, skip_serializing_if = "Option::is_none")]
    pub list_map_keys: Option<Vec<String>>,
    /// `x-kubernetes-map-type`.
    #[serde(rename = "mt", default, skip_serializing_if = "Option::is_none")]
    pub map_type: Option<String>,
    /// `x-kubernetes-patch-strategy`.
    #[serde(rename = "ps", default, skip_serializing_if = "Option::is_none")]
    pub patch_strategy: Option<String>,
    /// `x-kubernetes-patch-merge-key`.
    #[serde(rename = "pk", default, skip_serializing_if = "Option::is_none")]
    pub patch_merge_key: Option<String>,
    /// `x-kubernetes-group-version-kind`.
    #[serde(rename = "g", default, skip_serializing_if = "Option::is_none")]
    pub gvk: Option<Vec<Gvk>>,
    /// `x-kubernetes-unions` (kept for the OpenAPI output).
    #[serde(rename = "u", default, skip_serializing_if = "Option::is_none")]
    pub unions: Option<serde_json::Value>,
    /// Default value (only kept for list-map key fields).
    #[serde(rename = "df", default, skip_serializing_if = "Option::is_none")]
    pub default: Option<serde_json::Value>,
    /// `x-kubernetes-preserve-unknown-fields` (CRDs).
    #[serde(rename = "pu", default, skip_serializing_if = "is_false")]
    pub preserve_unknown: bool,
    /// `x-kubernetes-embedded-resource` (CRDs).
    #[serde(rename = "er", default, skip_serializing_if = "is_false")]
    pub embedded_resource: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A set of named type definitions with an index by GVK.
///
/// [`Schema::builtin`] is the Kubernetes 1.32 API; [`Schema::from_crd`] builds one from a
/// CustomResourceDefinition (its references to `ObjectMeta` and friends resolve against the
/// built-in schema).
#[derive(Debug)]
pub struct Schema {
    pub(crate) defs: HashMap<String, Node>,
    pub(crate) by_gvk: HashMap<Gvk, String>,
    pub(crate) fallback: Option<&'static Schema>,
    pub(crate) kubernetes_version: String,
}

impl Schema {
    /// The embedded Kubernetes 1.32 schema (decoded once, on first use).
    pub fn builtin() -> &'static Schema {
        load::builtin()
    }

    /// The Kubernetes version the schema describes, e.g. `v1.32.0`.
    pub fn kubernetes_version(&self) -> &str {
        &self.kubernetes_version
    }

    /// The type of a top-level kind, found by `x-kubernetes-group-version-kind`.
    pub fn for_kind(&self, group: &str, version: &str, kind: &str) -> Option<TypeRef<'_>> {
        self.for_gvk(&Gvk::new(group, version, kind))
    }

    /// The type of a top-level kind by [`Gvk`].
    pub fn for_gvk(&self, gvk: &Gvk) -> Option<TypeRef<'_>> {
        let name = self.by_gvk.get(gvk)?;
        self.definition(name)
    }

    /// The type of an object, from its `apiVersion` and `kind`.
    pub fn for_object(&self, obj: &serde_json::Value) -> Option<TypeRef<'_>> {
        let api_version = obj.get("apiVersion")?.as_str()?;
        let kind = obj.get("kind")?.as_str()?;
        self.for_gvk(&Gvk::from_api_version(api_version, kind))
    }

    /// A definition by its full name, e.g. `io.k8s.api.core.v1.Container`.
    pub fn definition(&self, name: &str) -> Option<TypeRef<'_>> {
        if let Some(node) = self.defs.get(name) {
            return Some(TypeRef::new(self, node));
        }
        self.fallback.and_then(|f| f.definition(name))
    }

    /// All kinds with a GVK, sorted.
    pub fn kinds(&self) -> Vec<&Gvk> {
        let mut v: Vec<&Gvk> = self.by_gvk.keys().collect();
        v.sort();
        v
    }

    /// Names of all definitions of this schema (not of its fallback), sorted.
    pub fn definition_names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.defs.keys().map(String::as_str).collect();
        v.sort_unstable();
        v
    }

    pub(crate) fn node(&self, name: &str) -> Option<(&Schema, &Node)> {
        match self.defs.get(name) {
            Some(n) => Some((self, n)),
            None => self.fallback.and_then(|f| f.node(name)),
        }
    }
}
