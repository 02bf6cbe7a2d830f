//! gitops-engine's kind order (`pkg/sync/sync_tasks.go`).

/// Kinds in the order gitops-engine applies them (Helm's install order).
pub const KIND_ORDER: [&str; 35] = [
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
];

/// The sort rank of a kind: listed kinds get `index - len` (all negative),
/// every other kind 0, so unknown kinds (custom resources) come last and tie
/// with each other. Like gitops-engine, only the kind is looked at, not the group.
///
/// ```
/// use driftless_plan::kind_rank;
/// assert!(kind_rank("Namespace") < kind_rank("Deployment"));
/// assert_eq!(kind_rank("Certificate"), 0);
/// assert_eq!(kind_rank("Widget"), kind_rank("Certificate"));
/// ```
pub fn kind_rank(kind: &str) -> i32 {
    match KIND_ORDER.iter().position(|k| *k == kind) {
        Some(i) => i as i32 - KIND_ORDER.len() as i32,
        None => 0,
    }
}
