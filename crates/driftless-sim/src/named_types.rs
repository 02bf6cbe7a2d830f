//! Go named types of built-in fields that the OpenAPI schema shows only as `string`, a map or
//! a list (e.g. `Container.imagePullPolicy` is a `v1.PullPolicy`). Decoding errors name the Go
//! type, so a wrong value in these fields is reported as the API server reports it.
//!
//! Keyed by the Go struct's name and the field's JSON name; taken from the `k8s.io/api` and
//! `k8s.io/apimachinery` type declarations (Kubernetes 1.32). Fields not listed use the type
//! derived from the schema.

/// `(struct, field, Go type)`.
const NAMED: &[(&str, &str, &str)] = &[
    // core/v1
    ("PodSpec", "restartPolicy", "v1.RestartPolicy"),
    ("PodSpec", "dnsPolicy", "v1.DNSPolicy"),
    ("PodSpec", "preemptionPolicy", "v1.PreemptionPolicy"),
    ("PodSpec", "overhead", "v1.ResourceList"),
    ("Container", "imagePullPolicy", "v1.PullPolicy"),
    (
        "Container",
        "terminationMessagePolicy",
        "v1.TerminationMessagePolicy",
    ),
    ("Container", "restartPolicy", "v1.ContainerRestartPolicy"),
    ("EphemeralContainer", "imagePullPolicy", "v1.PullPolicy"),
    ("ContainerPort", "protocol", "v1.Protocol"),
    ("ServicePort", "protocol", "v1.Protocol"),
    ("EndpointPort", "protocol", "v1.Protocol"),
    ("ResourceRequirements", "limits", "v1.ResourceList"),
    ("ResourceRequirements", "requests", "v1.ResourceList"),
    ("VolumeResourceRequirements", "limits", "v1.ResourceList"),
    ("VolumeResourceRequirements", "requests", "v1.ResourceList"),
    ("ServiceSpec", "type", "v1.ServiceType"),
    ("ServiceSpec", "sessionAffinity", "v1.ServiceAffinity"),
    (
        "ServiceSpec",
        "externalTrafficPolicy",
        "v1.ServiceExternalTrafficPolicy",
    ),
    (
        "ServiceSpec",
        "internalTrafficPolicy",
        "v1.ServiceInternalTrafficPolicy",
    ),
    ("ServiceSpec", "ipFamilies", "[]v1.IPFamily"),
    ("ServiceSpec", "ipFamilyPolicy", "v1.IPFamilyPolicy"),
    ("Secret", "type", "v1.SecretType"),
    (
        "PersistentVolumeClaimSpec",
        "accessModes",
        "[]v1.PersistentVolumeAccessMode",
    ),
    (
        "PersistentVolumeClaimSpec",
        "volumeMode",
        "v1.PersistentVolumeMode",
    ),
    (
        "PersistentVolumeSpec",
        "accessModes",
        "[]v1.PersistentVolumeAccessMode",
    ),
    ("PersistentVolumeSpec", "capacity", "v1.ResourceList"),
    (
        "PersistentVolumeSpec",
        "persistentVolumeReclaimPolicy",
        "v1.PersistentVolumeReclaimPolicy",
    ),
    (
        "PersistentVolumeSpec",
        "volumeMode",
        "v1.PersistentVolumeMode",
    ),
    ("Capabilities", "add", "[]v1.Capability"),
    ("Capabilities", "drop", "[]v1.Capability"),
    ("Toleration", "operator", "v1.TolerationOperator"),
    ("Toleration", "effect", "v1.TaintEffect"),
    ("Taint", "effect", "v1.TaintEffect"),
    (
        "NodeSelectorRequirement",
        "operator",
        "v1.NodeSelectorOperator",
    ),
    ("HostPathVolumeSource", "type", "v1.HostPathType"),
    ("EmptyDirVolumeSource", "medium", "v1.StorageMedium"),
    ("HTTPGetAction", "scheme", "v1.URIScheme"),
    ("SecurityContext", "procMount", "v1.ProcMountType"),
    (
        "PodSecurityContext",
        "fsGroupChangePolicy",
        "v1.PodFSGroupChangePolicy",
    ),
    ("LimitRangeItem", "type", "v1.LimitType"),
    ("LimitRangeItem", "max", "v1.ResourceList"),
    ("LimitRangeItem", "min", "v1.ResourceList"),
    ("LimitRangeItem", "default", "v1.ResourceList"),
    ("LimitRangeItem", "defaultRequest", "v1.ResourceList"),
    ("LimitRangeItem", "maxLimitRequestRatio", "v1.ResourceList"),
    ("ResourceQuotaSpec", "hard", "v1.ResourceList"),
    ("ResourceQuotaSpec", "scopes", "[]v1.ResourceQuotaScope"),
    ("NamespaceSpec", "finalizers", "[]v1.FinalizerName"),
    ("NodeStatus", "capacity", "v1.ResourceList"),
    ("NodeStatus", "allocatable", "v1.ResourceList"),
    // apps/v1
    ("DeploymentStrategy", "type", "v1.DeploymentStrategyType"),
    (
        "StatefulSetSpec",
        "podManagementPolicy",
        "v1.PodManagementPolicyType",
    ),
    (
        "StatefulSetUpdateStrategy",
        "type",
        "v1.StatefulSetUpdateStrategyType",
    ),
    (
        "DaemonSetUpdateStrategy",
        "type",
        "v1.DaemonSetUpdateStrategyType",
    ),
    (
        "StatefulSetPersistentVolumeClaimRetentionPolicy",
        "whenDeleted",
        "v1.PersistentVolumeClaimRetentionPolicyType",
    ),
    (
        "StatefulSetPersistentVolumeClaimRetentionPolicy",
        "whenScaled",
        "v1.PersistentVolumeClaimRetentionPolicyType",
    ),
    // batch/v1
    ("JobSpec", "completionMode", "v1.CompletionMode"),
    ("JobSpec", "podReplacementPolicy", "v1.PodReplacementPolicy"),
    ("CronJobSpec", "concurrencyPolicy", "v1.ConcurrencyPolicy"),
    // networking/v1
    ("HTTPIngressPath", "pathType", "v1.PathType"),
    ("NetworkPolicySpec", "policyTypes", "[]v1.PolicyType"),
    ("NetworkPolicyPort", "protocol", "v1.Protocol"),
    // meta/v1
    (
        "LabelSelectorRequirement",
        "operator",
        "v1.LabelSelectorOperator",
    ),
    ("ObjectMeta", "uid", "types.UID"),
    ("OwnerReference", "uid", "types.UID"),
    (
        "ManagedFieldsEntry",
        "operation",
        "v1.ManagedFieldsOperationType",
    ),
    // policy/v1
    (
        "PodDisruptionBudgetSpec",
        "unhealthyPodEvictionPolicy",
        "v1.UnhealthyPodEvictionPolicyType",
    ),
    // autoscaling/v2
    ("MetricSpec", "type", "v2.MetricSourceType"),
    ("MetricTarget", "type", "v2.MetricTargetType"),
    ("HPAScalingPolicy", "type", "v2.HPAScalingPolicyType"),
    ("HPAScalingRules", "selectPolicy", "v2.ScalingPolicySelect"),
    // admissionregistration/v1
    ("ValidatingWebhook", "failurePolicy", "v1.FailurePolicyType"),
    ("MutatingWebhook", "failurePolicy", "v1.FailurePolicyType"),
    ("ValidatingWebhook", "sideEffects", "v1.SideEffectClass"),
    ("MutatingWebhook", "sideEffects", "v1.SideEffectClass"),
    ("ValidatingWebhook", "matchPolicy", "v1.MatchPolicyType"),
    ("MutatingWebhook", "matchPolicy", "v1.MatchPolicyType"),
    (
        "MutatingWebhook",
        "reinvocationPolicy",
        "v1.ReinvocationPolicyType",
    ),
    ("RuleWithOperations", "operations", "[]v1.OperationType"),
    ("RuleWithOperations", "scope", "v1.ScopeType"),
    // scheduling/v1, storage/v1, discovery/v1
    ("PriorityClass", "preemptionPolicy", "v1.PreemptionPolicy"),
    (
        "StorageClass",
        "reclaimPolicy",
        "v1.PersistentVolumeReclaimPolicy",
    ),
    ("StorageClass", "volumeBindingMode", "v1.VolumeBindingMode"),
    ("EndpointSlice", "addressType", "v1.AddressType"),
];

/// The Go type of `strukt.field` when it is a named type the schema does not show.
pub fn named_type(strukt: &str, field: &str) -> Option<&'static str> {
    NAMED
        .iter()
        .find(|(s, f, _)| *s == strukt && *f == field)
        .map(|(_, _, t)| *t)
}
