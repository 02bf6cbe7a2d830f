//! The resource registry: which kinds the simulated server serves, with their
//! plural names, short names, scope and subresources. Built-in kinds are
//! registered at start; CustomResourceDefinitions add and remove entries.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use serde_json::Value;

/// A group, version and plural resource name, e.g. `apps/v1/deployments`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceRef {
    /// API group; empty for the core group.
    pub group: String,
    /// API version, e.g. `v1`.
    pub version: String,
    /// Plural resource name, e.g. `deployments`.
    pub resource: String,
}

impl ResourceRef {
    /// A resource in a named group.
    ///
    /// ```
    /// let r = driftless_sim::ResourceRef::new("apps", "v1", "deployments");
    /// assert_eq!(r.api_version(), "apps/v1");
    /// ```
    pub fn new(group: &str, version: &str, resource: &str) -> Self {
        Self {
            group: group.to_string(),
            version: version.to_string(),
            resource: resource.to_string(),
        }
    }

    /// A resource in the core (`v1`) group, e.g. `ResourceRef::core("pods")`.
    pub fn core(resource: &str) -> Self {
        Self::new("", "v1", resource)
    }

    /// `group/version`, or just `version` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// The group and resource (storage key: all versions share one store).
    pub fn group_resource(&self) -> GroupResource {
        GroupResource {
            group: self.group.clone(),
            resource: self.resource.clone(),
        }
    }
}

impl std::fmt::Display for ResourceRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.api_version(), self.resource)
    }
}

/// A group and plural resource name, without version (`deployments.apps`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GroupResource {
    /// API group; empty for the core group.
    pub group: String,
    /// Plural resource name.
    pub resource: String,
}

impl std::fmt::Display for GroupResource {
    /// `deployments.apps`, or `pods` for the core group (as error messages show it).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.group.is_empty() {
            write!(f, "{}", self.resource)
        } else {
            write!(f, "{}.{}", self.resource, self.group)
        }
    }
}

/// Everything the server knows about one served resource in one version.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceType {
    /// API group; empty for the core group.
    pub group: String,
    /// API version.
    pub version: String,
    /// Kind, e.g. `Deployment`.
    pub kind: String,
    /// Plural name, e.g. `deployments`.
    pub plural: String,
    /// Singular name, e.g. `deployment`.
    pub singular: String,
    /// Short names, e.g. `deploy`.
    pub short_names: Vec<String>,
    /// Categories, e.g. `all`.
    pub categories: Vec<String>,
    /// Namespaced (true) or cluster-scoped (false).
    pub namespaced: bool,
    /// Has a `/status` subresource (status is written only there).
    pub status_subresource: bool,
    /// Has a `/scale` subresource.
    pub scale_subresource: bool,
    /// `metadata.generation` is maintained (bumped on spec changes).
    pub has_generation: bool,
    /// Defined by a CustomResourceDefinition.
    pub custom: bool,
    /// Preferred version of its group (listed first in discovery).
    pub preferred: bool,
    /// Field selector labels supported besides `metadata.name` / `metadata.namespace`.
    pub field_selectors: Vec<String>,
    /// The OpenAPI v3 schema of a custom resource version (None for built-ins).
    pub schema: Option<Value>,
    /// Extra printer columns of a custom resource (`additionalPrinterColumns`).
    pub printer_columns: Vec<Value>,
    /// Default delete propagation when the client gives none (`Background` or `Orphan`).
    pub default_propagation: &'static str,
}

impl ResourceType {
    /// This type's group/version/resource.
    pub fn resource_ref(&self) -> ResourceRef {
        ResourceRef::new(&self.group, &self.version, &self.plural)
    }

    /// `group/version`, or `version` for the core group.
    pub fn api_version(&self) -> String {
        self.resource_ref().api_version()
    }

    /// The group and resource.
    pub fn group_resource(&self) -> GroupResource {
        self.resource_ref().group_resource()
    }

    /// Whether this is a create-only review (`SelfSubjectAccessReview`, ...): answered,
    /// never stored.
    pub fn is_review(&self) -> bool {
        self.group == "authorization.k8s.io"
    }

    /// The `<Kind>List` kind of lists.
    pub fn list_kind(&self) -> String {
        format!("{}List", self.kind)
    }

    /// Verbs of the main resource, as discovery lists them.
    pub fn verbs(&self) -> Vec<&'static str> {
        if self.is_review() {
            return vec!["create"];
        }
        vec![
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ]
    }
}

/// Builder for built-in entries.
struct B(ResourceType);

impl B {
    fn new(group: &str, version: &str, kind: &str, plural: &str, namespaced: bool) -> Self {
        B(ResourceType {
            group: group.into(),
            version: version.into(),
            kind: kind.into(),
            plural: plural.into(),
            singular: kind.to_lowercase(),
            short_names: vec![],
            categories: vec![],
            namespaced,
            status_subresource: false,
            scale_subresource: false,
            has_generation: false,
            custom: false,
            preferred: true,
            field_selectors: vec![],
            schema: None,
            printer_columns: vec![],
            default_propagation: "Background",
        })
    }
    fn short(mut self, names: &[&str]) -> Self {
        self.0.short_names = names.iter().map(|s| s.to_string()).collect();
        self
    }
    fn all(mut self) -> Self {
        self.0.categories = vec!["all".into()];
        self
    }
    fn status(mut self) -> Self {
        self.0.status_subresource = true;
        self
    }
    fn scale(mut self) -> Self {
        self.0.scale_subresource = true;
        self
    }
    fn generation(mut self) -> Self {
        self.0.has_generation = true;
        self
    }
    fn fields(mut self, f: &[&str]) -> Self {
        self.0.field_selectors = f.iter().map(|s| s.to_string()).collect();
        self
    }
    fn orphan_by_default(mut self) -> Self {
        self.0.default_propagation = "Orphan";
        self
    }
}

/// The built-in kinds served by the simulated API server.
pub fn builtin_types() -> Vec<ResourceType> {
    let c = "";
    vec![
        B::new(c, "v1", "Namespace", "namespaces", false)
            .short(&["ns"])
            .status()
            .fields(&["status.phase"]),
        B::new(c, "v1", "ConfigMap", "configmaps", true).short(&["cm"]),
        B::new(c, "v1", "Secret", "secrets", true).fields(&["type"]),
        B::new(c, "v1", "Service", "services", true)
            .short(&["svc"])
            .all()
            .status(),
        B::new(c, "v1", "ServiceAccount", "serviceaccounts", true).short(&["sa"]),
        B::new(c, "v1", "Pod", "pods", true)
            .short(&["po"])
            .all()
            .status()
            .fields(&[
                "spec.nodeName",
                "spec.restartPolicy",
                "spec.schedulerName",
                "spec.serviceAccountName",
                "spec.hostNetwork",
                "status.phase",
                "status.podIP",
                "status.nominatedNodeName",
            ]),
        B::new(
            c,
            "v1",
            "PersistentVolumeClaim",
            "persistentvolumeclaims",
            true,
        )
        .short(&["pvc"])
        .status(),
        B::new(c, "v1", "PersistentVolume", "persistentvolumes", false)
            .short(&["pv"])
            .status(),
        B::new(c, "v1", "Event", "events", true)
            .short(&["ev"])
            .fields(&[
                "involvedObject.kind",
                "involvedObject.namespace",
                "involvedObject.name",
                "involvedObject.uid",
                "involvedObject.apiVersion",
                "involvedObject.resourceVersion",
                "involvedObject.fieldPath",
                "reason",
                "reportingComponent",
                "source",
                "type",
            ]),
        B::new(c, "v1", "Endpoints", "endpoints", true).short(&["ep"]),
        B::new(c, "v1", "Node", "nodes", false)
            .short(&["no"])
            .status()
            .fields(&["spec.unschedulable"]),
        B::new(c, "v1", "ResourceQuota", "resourcequotas", true)
            .short(&["quota"])
            .status(),
        B::new(c, "v1", "LimitRange", "limitranges", true).short(&["limits"]),
        B::new("apps", "v1", "Deployment", "deployments", true)
            .short(&["deploy"])
            .all()
            .status()
            .scale()
            .generation(),
        B::new("apps", "v1", "ReplicaSet", "replicasets", true)
            .short(&["rs"])
            .all()
            .status()
            .scale()
            .generation()
            .fields(&["status.replicas"]),
        B::new("apps", "v1", "StatefulSet", "statefulsets", true)
            .short(&["sts"])
            .all()
            .status()
            .scale()
            .generation(),
        B::new("apps", "v1", "DaemonSet", "daemonsets", true)
            .short(&["ds"])
            .all()
            .status()
            .generation(),
        B::new(
            "apps",
            "v1",
            "ControllerRevision",
            "controllerrevisions",
            true,
        ),
        B::new("batch", "v1", "Job", "jobs", true)
            .all()
            .status()
            .generation()
            .fields(&["status.successful"])
            .orphan_by_default(),
        B::new("batch", "v1", "CronJob", "cronjobs", true)
            .short(&["cj"])
            .all()
            .status()
            .generation(),
        B::new("networking.k8s.io", "v1", "Ingress", "ingresses", true)
            .short(&["ing"])
            .status()
            .generation(),
        B::new(
            "networking.k8s.io",
            "v1",
            "IngressClass",
            "ingressclasses",
            false,
        ),
        B::new(
            "networking.k8s.io",
            "v1",
            "NetworkPolicy",
            "networkpolicies",
            true,
        )
        .short(&["netpol"])
        .generation(),
        B::new(
            "autoscaling",
            "v2",
            "HorizontalPodAutoscaler",
            "horizontalpodautoscalers",
            true,
        )
        .short(&["hpa"])
        .all()
        .status(),
        B::new(
            "policy",
            "v1",
            "PodDisruptionBudget",
            "poddisruptionbudgets",
            true,
        )
        .short(&["pdb"])
        .status()
        .generation(),
        B::new("rbac.authorization.k8s.io", "v1", "Role", "roles", true),
        B::new(
            "rbac.authorization.k8s.io",
            "v1",
            "ClusterRole",
            "clusterroles",
            false,
        ),
        B::new(
            "rbac.authorization.k8s.io",
            "v1",
            "RoleBinding",
            "rolebindings",
            true,
        ),
        B::new(
            "rbac.authorization.k8s.io",
            "v1",
            "ClusterRoleBinding",
            "clusterrolebindings",
            false,
        ),
        B::new("coordination.k8s.io", "v1", "Lease", "leases", true),
        B::new(
            "storage.k8s.io",
            "v1",
            "StorageClass",
            "storageclasses",
            false,
        )
        .short(&["sc"]),
        B::new("storage.k8s.io", "v1", "CSIDriver", "csidrivers", false),
        B::new("storage.k8s.io", "v1", "CSINode", "csinodes", false),
        B::new(
            "storage.k8s.io",
            "v1",
            "CSIStorageCapacity",
            "csistoragecapacities",
            true,
        ),
        B::new(
            "storage.k8s.io",
            "v1",
            "VolumeAttachment",
            "volumeattachments",
            false,
        )
        .status(),
        B::new(
            "scheduling.k8s.io",
            "v1",
            "PriorityClass",
            "priorityclasses",
            false,
        )
        .short(&["pc"]),
        B::new(
            "discovery.k8s.io",
            "v1",
            "EndpointSlice",
            "endpointslices",
            true,
        ),
        B::new(
            "admissionregistration.k8s.io",
            "v1",
            "MutatingWebhookConfiguration",
            "mutatingwebhookconfigurations",
            false,
        ),
        B::new(
            "admissionregistration.k8s.io",
            "v1",
            "ValidatingWebhookConfiguration",
            "validatingwebhookconfigurations",
            false,
        ),
        B::new(
            "admissionregistration.k8s.io",
            "v1",
            "ValidatingAdmissionPolicy",
            "validatingadmissionpolicies",
            false,
        )
        .status()
        .generation(),
        B::new(
            "admissionregistration.k8s.io",
            "v1",
            "ValidatingAdmissionPolicyBinding",
            "validatingadmissionpolicybindings",
            false,
        )
        .generation(),
        B::new(
            "apiregistration.k8s.io",
            "v1",
            "APIService",
            "apiservices",
            false,
        )
        .status(),
        B::new(
            "certificates.k8s.io",
            "v1",
            "CertificateSigningRequest",
            "certificatesigningrequests",
            false,
        )
        .short(&["csr"])
        .status()
        .fields(&["spec.signerName"]),
        B::new("node.k8s.io", "v1", "RuntimeClass", "runtimeclasses", false),
        B::new(
            "authorization.k8s.io",
            "v1",
            "SelfSubjectAccessReview",
            "selfsubjectaccessreviews",
            false,
        ),
        B::new(
            "authorization.k8s.io",
            "v1",
            "SelfSubjectRulesReview",
            "selfsubjectrulesreviews",
            false,
        ),
        B::new(
            "apiextensions.k8s.io",
            "v1",
            "CustomResourceDefinition",
            "customresourcedefinitions",
            false,
        )
        .short(&["crd", "crds"])
        .status()
        .generation(),
    ]
    .into_iter()
    .map(|b| b.0)
    .collect()
}

/// The set of served resource types; cheap to clone, shared by the server,
/// the store and CRD handling.
#[derive(Clone, Debug)]
pub struct Registry {
    inner: Arc<RwLock<BTreeMap<ResourceRef, Arc<ResourceType>>>>,
}

impl Default for Registry {
    fn default() -> Self {
        Self::new()
    }
}

impl Registry {
    /// A registry holding the built-in kinds.
    pub fn new() -> Self {
        let map = builtin_types()
            .into_iter()
            .map(|t| (t.resource_ref(), Arc::new(t)))
            .collect();
        Self {
            inner: Arc::new(RwLock::new(map)),
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<ResourceRef, Arc<ResourceType>>> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The type served at `group/version/resource`.
    pub fn get(&self, r: &ResourceRef) -> Option<Arc<ResourceType>> {
        self.read().get(r).cloned()
    }

    /// The type of `kind` in `group/version` (apiVersion + kind of an object).
    pub fn by_kind(&self, api_version: &str, kind: &str) -> Option<Arc<ResourceType>> {
        let (group, version) = split_api_version(api_version);
        self.read()
            .values()
            .find(|t| t.group == group && t.version == version && t.kind == kind)
            .cloned()
    }

    /// The preferred version of a group and resource.
    pub fn preferred(&self, gr: &GroupResource) -> Option<Arc<ResourceType>> {
        let map = self.read();
        let mut found = None;
        for t in map.values() {
            if t.group == gr.group && t.plural == gr.resource {
                if t.preferred {
                    return Some(t.clone());
                }
                found.get_or_insert_with(|| t.clone());
            }
        }
        found
    }

    /// All served types, sorted by group, version and plural.
    pub fn all(&self) -> Vec<Arc<ResourceType>> {
        self.read().values().cloned().collect()
    }

    /// Adds or replaces the versions of a custom resource (from a CRD).
    /// Any version of the same group/resource not in `types` is removed.
    pub fn set_custom(&self, group: &str, plural: &str, types: Vec<ResourceType>) {
        let mut map = self.inner.write().unwrap_or_else(|e| e.into_inner());
        map.retain(|k, t| !(t.custom && k.group == group && k.resource == plural));
        for t in types {
            map.insert(t.resource_ref(), Arc::new(t));
        }
    }

    /// Removes every version of a custom resource.
    pub fn remove_custom(&self, group: &str, plural: &str) {
        self.set_custom(group, plural, vec![]);
    }
}

/// Splits `apps/v1` into (`apps`, `v1`) and `v1` into (``, `v1`).
pub fn split_api_version(api_version: &str) -> (&str, &str) {
    match api_version.split_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api_version),
    }
}

/// The resource types a CustomResourceDefinition object defines (one per served version).
///
/// Returns the group, the plural and the types; `None` when the object is not a usable CRD.
pub fn types_from_crd(crd: &Value) -> Option<(String, String, Vec<ResourceType>)> {
    let spec = crd.get("spec")?;
    let group = spec.get("group")?.as_str()?.to_string();
    let names = spec.get("names")?;
    let plural = names.get("plural")?.as_str()?.to_string();
    let kind = names.get("kind")?.as_str()?.to_string();
    let singular = names
        .get("singular")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| kind.to_lowercase());
    let strings = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let short_names = strings(names.get("shortNames"));
    let categories = strings(names.get("categories"));
    let namespaced = spec.get("scope").and_then(Value::as_str) != Some("Cluster");
    let versions = spec.get("versions")?.as_array()?;
    let storage_first: Vec<&Value> = versions.iter().collect();
    let mut types = Vec::new();
    // The preferred version is the highest-priority served one; use the first served
    // version in Kubernetes version order.
    let mut served: Vec<&Value> = storage_first
        .into_iter()
        .filter(|v| v.get("served").and_then(Value::as_bool).unwrap_or(false))
        .collect();
    served.sort_by(|a, b| {
        let an = a.get("name").and_then(Value::as_str).unwrap_or("");
        let bn = b.get("name").and_then(Value::as_str).unwrap_or("");
        compare_kube_versions(an, bn)
    });
    for (i, v) in served.iter().enumerate() {
        let name = v.get("name")?.as_str()?.to_string();
        let subresources = v.get("subresources");
        types.push(ResourceType {
            group: group.clone(),
            version: name,
            kind: kind.clone(),
            plural: plural.clone(),
            singular: singular.clone(),
            short_names: short_names.clone(),
            categories: categories.clone(),
            namespaced,
            status_subresource: subresources.and_then(|s| s.get("status")).is_some(),
            scale_subresource: subresources.and_then(|s| s.get("scale")).is_some(),
            has_generation: true,
            custom: true,
            preferred: i == 0,
            field_selectors: vec![],
            schema: v
                .get("schema")
                .and_then(|s| s.get("openAPIV3Schema"))
                .cloned(),
            printer_columns: v
                .get("additionalPrinterColumns")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
            default_propagation: "Background",
        });
    }
    Some((group, plural, types))
}

/// Orders Kubernetes versions by priority: GA > beta > alpha, higher numbers first,
/// then non-Kubernetes-style names alphabetically.
pub fn compare_kube_versions(a: &str, b: &str) -> std::cmp::Ordering {
    fn parse(v: &str) -> Option<(u8, u64, u64)> {
        let rest = v.strip_prefix('v')?;
        let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        let major: u64 = digits.parse().ok()?;
        let tail = &rest[digits.len()..];
        if tail.is_empty() {
            return Some((3, major, 0));
        }
        for (prefix, rank) in [("beta", 2u8), ("alpha", 1u8)] {
            if let Some(n) = tail.strip_prefix(prefix) {
                let minor: u64 = n.parse().ok()?;
                return Some((rank, major, minor));
            }
        }
        None
    }
    match (parse(a), parse(b)) {
        (Some(x), Some(y)) => y.cmp(&x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_have_expected_scope_and_short_names() {
        let r = Registry::new();
        let d = r
            .get(&ResourceRef::new("apps", "v1", "deployments"))
            .unwrap();
        assert!(d.namespaced && d.short_names == ["deploy"]);
        let ns = r.by_kind("v1", "Namespace").unwrap();
        assert!(!ns.namespaced);
        assert!(
            r.by_kind("rbac.authorization.k8s.io/v1", "ClusterRole")
                .is_some()
        );
    }

    #[test]
    fn version_priority() {
        let mut v = vec!["v1alpha1", "v2", "v1beta2", "v1", "foo", "v1beta1"];
        v.sort_by(|a, b| compare_kube_versions(a, b));
        assert_eq!(v, ["v2", "v1", "v1beta2", "v1beta1", "v1alpha1", "foo"]);
    }
}
