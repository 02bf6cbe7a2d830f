//! Object identity.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A Kubernetes API group and kind, without version: `apps/Deployment`, or
/// `Service` for the core group (empty group).
///
/// ```
/// use driftless_core::GroupKind;
/// let gk = GroupKind::from_api_version("apps/v1", "Deployment");
/// assert_eq!(gk.group, "apps");
/// assert_eq!(gk.to_string(), "apps/Deployment");
/// assert_eq!(GroupKind::from_api_version("v1", "Service").to_string(), "Service");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct GroupKind {
    /// API group, empty for the core group.
    pub group: String,
    /// Kind, e.g. `Deployment`.
    pub kind: String,
}

impl GroupKind {
    /// Builds a group-kind from an `apiVersion` string (`group/version` or `version`).
    pub fn from_api_version(api_version: &str, kind: &str) -> Self {
        let (group, _) = split_api_version(api_version);
        GroupKind {
            group: group.to_string(),
            kind: kind.to_string(),
        }
    }
}

impl fmt::Display for GroupKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.group.is_empty() {
            write!(f, "{}", self.kind)
        } else {
            write!(f, "{}/{}", self.group, self.kind)
        }
    }
}

fn split_api_version(api_version: &str) -> (&str, &str) {
    match api_version.rsplit_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api_version),
    }
}

/// The identity of one Kubernetes object.
///
/// Two objects with the same group, kind, namespace and name are the same
/// object to the API server whatever their version, so equality, hashing and
/// ordering ignore `version`.
///
/// ```
/// use driftless_core::ObjectKey;
/// let a = ObjectKey::new("apps/v1", "Deployment", Some("shop"), "web");
/// let b = ObjectKey::new("apps/v1beta1", "Deployment", Some("shop"), "web");
/// assert_eq!(a, b);
/// assert_eq!(a.api_version(), "apps/v1");
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ObjectKey {
    /// API group, empty for the core group.
    pub group: String,
    /// API version within the group, e.g. `v1`.
    pub version: String,
    /// Kind, e.g. `Deployment`.
    pub kind: String,
    /// Namespace; `None` for cluster-scoped objects (or not yet defaulted).
    pub namespace: Option<String>,
    /// `metadata.name`.
    pub name: String,
}

impl ObjectKey {
    /// Builds a key from an `apiVersion` string, kind, namespace and name.
    pub fn new(api_version: &str, kind: &str, namespace: Option<&str>, name: &str) -> Self {
        let (group, version) = split_api_version(api_version);
        ObjectKey {
            group: group.to_string(),
            version: version.to_string(),
            kind: kind.to_string(),
            namespace: namespace.filter(|n| !n.is_empty()).map(str::to_string),
            name: name.to_string(),
        }
    }

    /// Splits an `apiVersion` into `(group, version)`; the core group is `""`.
    ///
    /// ```
    /// use driftless_core::ObjectKey;
    /// assert_eq!(ObjectKey::split_api_version("apps/v1"), ("apps", "v1"));
    /// assert_eq!(ObjectKey::split_api_version("v1"), ("", "v1"));
    /// ```
    pub fn split_api_version(api_version: &str) -> (&str, &str) {
        split_api_version(api_version)
    }

    /// Reads the key of a JSON object; `None` when `apiVersion`, `kind` or
    /// `metadata.name` is missing or not a string.
    ///
    /// ```
    /// let obj = serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}});
    /// let key = driftless_core::ObjectKey::from_object(&obj).unwrap();
    /// assert_eq!(key.namespace, None);
    /// ```
    pub fn from_object(obj: &serde_json::Value) -> Option<Self> {
        let api_version = obj.get("apiVersion")?.as_str()?;
        let kind = obj.get("kind")?.as_str()?;
        let meta = obj.get("metadata")?;
        let name = meta.get("name")?.as_str()?;
        let ns = meta.get("namespace").and_then(|n| n.as_str());
        Some(ObjectKey::new(api_version, kind, ns, name))
    }

    /// `group/version`, or just `version` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// The group and kind of this object.
    pub fn group_kind(&self) -> GroupKind {
        GroupKind {
            group: self.group.clone(),
            kind: self.kind.clone(),
        }
    }

    /// The same key with `namespace` set when it has none (used to default
    /// namespaced objects to the destination namespace).
    pub fn with_default_namespace(mut self, ns: &str) -> Self {
        if self.namespace.is_none() {
            self.namespace = Some(ns.to_string());
        }
        self
    }

    fn identity(&self) -> (&str, &str, &str, &str) {
        (
            &self.group,
            &self.kind,
            self.namespace.as_deref().unwrap_or(""),
            &self.name,
        )
    }
}

impl PartialEq for ObjectKey {
    fn eq(&self, other: &Self) -> bool {
        self.identity() == other.identity()
    }
}
impl Eq for ObjectKey {}
impl std::hash::Hash for ObjectKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.identity().hash(state)
    }
}
impl PartialOrd for ObjectKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for ObjectKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.identity().cmp(&other.identity())
    }
}

/// `group/Kind:namespace/name`, the same shape as Argo CD's resource keys
/// (`Kind:namespace/name` for the core group, `Kind:name` without namespace).
impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.group.is_empty() {
            write!(f, "{}/", self.group)?;
        }
        write!(f, "{}:", self.kind)?;
        if let Some(ns) = &self.namespace {
            write!(f, "{ns}/")?;
        }
        write!(f, "{}", self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_core_cluster_scoped() {
        let k = ObjectKey::new("v1", "Namespace", None, "shop");
        assert_eq!(k.to_string(), "Namespace:shop");
    }

    #[test]
    fn empty_namespace_is_none() {
        let k = ObjectKey::new("v1", "ConfigMap", Some(""), "c");
        assert_eq!(k.namespace, None);
    }

    #[test]
    fn ordering_ignores_version() {
        let a = ObjectKey::new("apps/v1", "Deployment", Some("a"), "x");
        let b = ObjectKey::new("apps/v2", "Deployment", Some("a"), "x");
        assert_eq!(a.cmp(&b), std::cmp::Ordering::Equal);
    }
}
