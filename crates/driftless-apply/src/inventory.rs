//! What an application owns on the cluster, and namespace defaulting of desired objects.

use crate::{ApplyError, Cluster, TrackingMethod, owner_of};
use driftless_core::{Manifest, ObjectKey};
use driftless_plan::LiveObject;
use serde_json::Value;

/// Every live object tracked by `app` (read from all listable kinds).
///
/// A failed listing is an error, never an empty answer: callers prune from this list.
pub async fn tracked_objects(
    cluster: &Cluster,
    app: &str,
    method: TrackingMethod,
) -> Result<Vec<Value>, ApplyError> {
    cluster
        .list_all(|obj| owner_of(obj, method).as_deref() == Some(app))
        .await
}

/// The planner's view of live objects: identity and annotations.
///
/// ```
/// let obj = serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
///     "metadata": {"name": "c", "namespace": "n", "annotations": {"argocd.argoproj.io/sync-wave": "2"}}});
/// let live = driftless_apply::live_inventory(&[obj]);
/// assert_eq!(live[0].annotations["argocd.argoproj.io/sync-wave"], "2");
/// ```
pub fn live_inventory(objects: &[Value]) -> Vec<LiveObject> {
    objects
        .iter()
        .filter_map(|obj| {
            let key = ObjectKey::from_object(obj)?;
            let mut live = LiveObject::new(key);
            if let Some(ann) = obj
                .pointer("/metadata/annotations")
                .and_then(Value::as_object)
            {
                for (k, v) in ann {
                    if let Some(v) = v.as_str() {
                        live.annotations.insert(k.clone(), v.to_string());
                    }
                }
            }
            Some(live)
        })
        .collect()
}

/// Sets the destination namespace on namespaced objects that have none and clears it from
/// cluster-scoped ones, asking the cluster which kinds are namespaced. Kinds the cluster does not
/// serve yet are decided by the CRDs among `manifests`, then by a built-in list.
pub async fn default_namespaces(
    cluster: &Cluster,
    manifests: &mut [Manifest],
    namespace: &str,
) -> Result<(), ApplyError> {
    let crd_scopes = crd_scopes(manifests);
    for m in manifests.iter_mut() {
        let namespaced = match cluster.resolve(m.key()).await? {
            Some(r) => r.namespaced,
            None => scope_offline(m.key(), &crd_scopes),
        };
        apply_scope(m, namespaced, namespace);
    }
    Ok(())
}

/// As [`default_namespaces`], with no cluster: built-in kinds and CRDs among `manifests` decide.
///
/// ```
/// use driftless_core::{Manifest, Provenance};
/// let m = |v| Manifest::new(v, Provenance::default()).unwrap();
/// let mut ms = vec![
///     m(serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}})),
///     m(serde_json::json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "r", "namespace": "x"}})),
/// ];
/// driftless_apply::default_namespaces_offline(&mut ms, "shop");
/// assert_eq!(ms[0].key().namespace.as_deref(), Some("shop"));
/// assert_eq!(ms[1].key().namespace, None);
/// ```
pub fn default_namespaces_offline(manifests: &mut [Manifest], namespace: &str) {
    let crd_scopes = crd_scopes(manifests);
    for m in manifests.iter_mut() {
        let namespaced = scope_offline(m.key(), &crd_scopes);
        apply_scope(m, namespaced, namespace);
    }
}

fn apply_scope(m: &mut Manifest, namespaced: bool, namespace: &str) {
    if namespaced {
        if !namespace.is_empty() {
            m.set_default_namespace(namespace);
        }
    } else if m.key().namespace.is_some() {
        m.clear_namespace();
    }
}

fn crd_scopes(manifests: &[Manifest]) -> Vec<(String, String, bool)> {
    manifests
        .iter()
        .filter(|m| m.key().kind == "CustomResourceDefinition")
        .filter_map(|m| {
            let spec = m.object.get("spec")?;
            let group = spec.get("group")?.as_str()?.to_string();
            let kind = spec.pointer("/names/kind")?.as_str()?.to_string();
            let namespaced = spec.get("scope").and_then(Value::as_str) != Some("Cluster");
            Some((group, kind, namespaced))
        })
        .collect()
}

fn scope_offline(key: &ObjectKey, crds: &[(String, String, bool)]) -> bool {
    if let Some((_, _, ns)) = crds
        .iter()
        .find(|(g, k, _)| g == &key.group && k == &key.kind)
    {
        return *ns;
    }
    !CLUSTER_SCOPED.contains(&(key.group.as_str(), key.kind.as_str()))
}

/// Built-in cluster-scoped kinds (group, kind).
const CLUSTER_SCOPED: &[(&str, &str)] = &[
    ("", "Namespace"),
    ("", "Node"),
    ("", "PersistentVolume"),
    ("", "ComponentStatus"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("apiregistration.k8s.io", "APIService"),
    ("storage.k8s.io", "StorageClass"),
    ("storage.k8s.io", "CSIDriver"),
    ("storage.k8s.io", "CSINode"),
    ("storage.k8s.io", "VolumeAttachment"),
    ("scheduling.k8s.io", "PriorityClass"),
    ("networking.k8s.io", "IngressClass"),
    ("node.k8s.io", "RuntimeClass"),
    (
        "admissionregistration.k8s.io",
        "MutatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io",
        "ValidatingWebhookConfiguration",
    ),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
    (
        "admissionregistration.k8s.io",
        "ValidatingAdmissionPolicyBinding",
    ),
    ("certificates.k8s.io", "CertificateSigningRequest"),
    ("flowcontrol.apiserver.k8s.io", "FlowSchema"),
    ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
    ("policy", "PodSecurityPolicy"),
];
