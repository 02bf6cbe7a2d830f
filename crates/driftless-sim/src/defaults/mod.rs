//! Server-side defaulting, create/update preparation and validation of the
//! built-in kinds, as kube-apiserver does them.
//!
//! The store calls, for every write:
//! 1. [`apply_defaults`] — the scheme defaulting (`SetDefaults_*`) that runs whenever
//!    an object is decoded, on create, update and every patch result. Idempotent.
//! 2. on create, [`prepare_for_create`] — what registry strategies and admission plugins
//!    do once: the initial `status`, Job selectors, ServiceAccount token volumes,
//!    PVC protection finalizers, DaemonSet template generation, Namespace finalizers.
//!    It needs `metadata.uid` and `metadata.name` already set (Jobs select on the uid).
//!    On update, [`prepare_for_update`] instead (keeps allocated Service values, bumps
//!    the DaemonSet template generation).
//! 3. [`ServiceAllocator::allocate`] for Services (cluster IPs, node ports).
//! 4. [`validate`] (and [`validate_update`] on updates) — errors become a `422 Invalid`.
//!
//! Where Kubernetes 1.24 (the recordings in `shared/kube-apiserver-1.24`) and 1.32
//! differ, this follows 1.32: Jobs get the `batch.kubernetes.io/` labels and
//! `podReplacementPolicy`, StatefulSets `persistentVolumeClaimRetentionPolicy`, and
//! NetworkPolicies have no `status`.
//!
//! ```
//! use serde_json::json;
//! let mut d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
//!     "spec": {"selector": {"matchLabels": {"app": "web"}},
//!              "template": {"metadata": {"labels": {"app": "web"}},
//!                           "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}});
//! driftless_sim::defaults::apply_defaults("apps", "v1", "Deployment", &mut d);
//! assert_eq!(d["spec"]["replicas"], 1);
//! assert_eq!(d["spec"]["strategy"]["rollingUpdate"]["maxSurge"], "25%");
//! assert_eq!(d["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"], "Always");
//! ```

mod misc;
mod pod;
mod service_alloc;
mod util;
mod validate;
mod workloads;

use serde_json::{Value, json};

pub use pod::{pull_policy, qos_class};
pub use service_alloc::{AllocationError, ServiceAllocator};
pub use validate::{FieldError, FieldErrorKind, validate, validate_update};

/// The annotation holding a DaemonSet's template generation (apps/v1).
pub const DAEMONSET_TEMPLATE_GENERATION: &str = "deprecated.daemonset.template.generation";

/// Applies the scheme defaults of `group/version, kind` to `obj` in place.
/// Unknown kinds (custom resources) are left as they are.
pub fn apply_defaults(group: &str, version: &str, kind: &str, obj: &mut Value) {
    let Some(o) = obj.as_object_mut() else { return };
    match (group, kind) {
        ("apps", "Deployment") => workloads::deployment(o),
        ("apps", "ReplicaSet") => workloads::replica_set(o),
        ("apps", "StatefulSet") => workloads::stateful_set(o),
        ("apps", "DaemonSet") => workloads::daemon_set(o),
        ("batch", "Job") => workloads::job(o),
        ("batch", "CronJob") => workloads::cron_job(o),
        ("", "Pod") => pod::pod(o),
        ("", "PodTemplate") | ("", "ReplicationController") => {
            let spec = util::obj(o, "spec");
            if kind == "ReplicationController" {
                util::default(spec, "replicas", json!(1));
            }
            pod::template(util::obj(
                if kind == "PodTemplate" { o } else { spec },
                "template",
            ));
        }
        ("", "Service") => misc::service(o),
        ("", "Secret") => misc::secret(o),
        ("", "Namespace") => misc::namespace(o),
        ("", "PersistentVolumeClaim") => misc::pvc(o),
        ("", "PersistentVolume") => misc::pv(o),
        ("", "Endpoints") | ("discovery.k8s.io", "EndpointSlice") => misc::endpoints(kind, o),
        ("networking.k8s.io", "NetworkPolicy") => misc::network_policy(o),
        ("autoscaling", "HorizontalPodAutoscaler") => misc::hpa(version, o),
        ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding") => {
            misc::rbac_binding(o)
        }
        ("storage.k8s.io", "StorageClass") => misc::storage_class(o),
        ("apiextensions.k8s.io", "CustomResourceDefinition") => misc::crd(o),
        (
            "admissionregistration.k8s.io",
            "MutatingWebhookConfiguration" | "ValidatingWebhookConfiguration",
        ) => misc::webhooks(kind, o),
        ("scheduling.k8s.io", "PriorityClass") => misc::priority_class(o),
        _ => {}
    }
}

/// Whether the server sets and bumps `metadata.generation` for this kind
/// (kinds whose registry strategy does; custom resources always do).
pub fn tracks_generation(group: &str, kind: &str) -> bool {
    match group {
        "" => matches!(kind, "ReplicationController"),
        "apps" | "batch" | "policy" | "networking.k8s.io" | "apiextensions.k8s.io" => true,
        "autoscaling"
        | "rbac.authorization.k8s.io"
        | "coordination.k8s.io"
        | "events.k8s.io"
        | "discovery.k8s.io"
        | "storage.k8s.io"
        | "scheduling.k8s.io"
        | "admissionregistration.k8s.io"
        | "certificates.k8s.io"
        | "node.k8s.io"
        | "apiregistration.k8s.io" => {
            matches!(
                kind,
                "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration"
            )
        }
        _ => true,
    }
}

/// The `status` a newly created object starts with (the registry strategy's
/// reset, serialised as Go does: non-`omitempty` zero fields included).
/// `None` for kinds whose create keeps no status.
pub fn initial_status(group: &str, version: &str, kind: &str) -> Option<Value> {
    Some(match (group, kind) {
        ("apps", "Deployment") | ("batch", "Job" | "CronJob") => json!({}),
        ("apps", "ReplicaSet") | ("", "ReplicationController") => json!({"replicas": 0}),
        ("apps", "StatefulSet") => json!({"replicas": 0, "availableReplicas": 0}),
        ("apps", "DaemonSet") => json!({
            "currentNumberScheduled": 0, "numberMisscheduled": 0, "desiredNumberScheduled": 0, "numberReady": 0
        }),
        ("", "Service") | ("networking.k8s.io", "Ingress") => json!({"loadBalancer": {}}),
        ("autoscaling", "HorizontalPodAutoscaler") if version == "v1" => {
            json!({"currentReplicas": 0, "desiredReplicas": 0})
        }
        ("autoscaling", "HorizontalPodAutoscaler") => {
            json!({"desiredReplicas": 0, "currentMetrics": null})
        }
        ("policy", "PodDisruptionBudget") => json!({
            "disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0
        }),
        ("", "PersistentVolumeClaim" | "PersistentVolume") => json!({"phase": "Pending"}),
        ("", "Namespace") => json!({"phase": "Active"}),
        _ => return None,
    })
}

/// What the registry strategy and admission do once, on create (after
/// [`apply_defaults`], with `metadata.uid` and `metadata.name` set).
pub fn prepare_for_create(group: &str, version: &str, kind: &str, obj: &mut Value) {
    if let Some(status) = initial_status(group, version, kind)
        && let Some(o) = obj.as_object_mut()
    {
        o.insert("status".into(), status);
    }
    let Some(o) = obj.as_object_mut() else { return };
    match (group, kind) {
        ("batch", "Job") => workloads::job_create(o),
        ("apps", "DaemonSet") => {
            let ann = util::obj(util::obj(o, "metadata"), "annotations");
            ann.insert(DAEMONSET_TEMPLATE_GENERATION.into(), json!("1"));
        }
        ("", "Pod") => {
            let suffix = random_suffix();
            pod::admit_create(o, &suffix);
        }
        ("", "PersistentVolumeClaim") => add_finalizer(o, "kubernetes.io/pvc-protection"),
        ("", "PersistentVolume") => add_finalizer(o, "kubernetes.io/pv-protection"),
        ("", "Namespace") => {
            let spec = util::obj(o, "spec");
            if spec
                .get("finalizers")
                .and_then(Value::as_array)
                .is_none_or(Vec::is_empty)
            {
                spec.insert("finalizers".into(), json!(["kubernetes"]));
            }
        }
        ("apiextensions.k8s.io", "CustomResourceDefinition") => {
            let storage: Vec<Value> = o
                .get("spec")
                .and_then(|s| s.get("versions"))
                .and_then(Value::as_array)
                .map(|vs| {
                    vs.iter()
                        .filter(|v| v.get("storage").and_then(Value::as_bool) == Some(true))
                        .filter_map(|v| v.get("name").cloned())
                        .collect()
                })
                .unwrap_or_default();
            o.insert(
                "status".into(),
                json!({"acceptedNames": {"kind": "", "plural": ""}, "storedVersions": storage}),
            );
        }
        _ => {}
    }
}

/// What the registry strategy does on update (after [`apply_defaults`] of `new`):
/// keeps a Service's allocated IPs and node ports when the update omits them, and
/// bumps a DaemonSet's template generation when its pod template changed.
pub fn prepare_for_update(group: &str, kind: &str, old: &Value, new: &mut Value) {
    match (group, kind) {
        ("", "Service") => service_alloc::keep_allocated(old, new),
        ("apps", "DaemonSet") => {
            let gen_of = |v: &Value| {
                v.pointer("/metadata/annotations")
                    .and_then(|a| a.get(DAEMONSET_TEMPLATE_GENERATION))
                    .and_then(Value::as_str)
                    .and_then(|s| s.parse::<i64>().ok())
                    .unwrap_or(1)
            };
            let mut generation = gen_of(old);
            if old.pointer("/spec/template") != new.pointer("/spec/template") {
                generation += 1;
            }
            if let Some(o) = new.as_object_mut() {
                let ann = util::obj(util::obj(o, "metadata"), "annotations");
                ann.insert(
                    DAEMONSET_TEMPLATE_GENERATION.into(),
                    json!(generation.to_string()),
                );
            }
        }
        ("", "Namespace") => {
            if let Some(o) = new.as_object_mut() {
                misc::namespace(o);
                let spec = util::obj(o, "spec");
                if util::unset(spec, "finalizers")
                    && let Some(f) = old.pointer("/spec/finalizers")
                {
                    spec.insert("finalizers".into(), f.clone());
                }
            }
        }
        _ => {}
    }
}

fn add_finalizer(o: &mut serde_json::Map<String, Value>, f: &str) {
    let meta = util::obj(o, "metadata");
    if !meta.get("finalizers").is_some_and(Value::is_array) {
        meta.insert("finalizers".into(), json!([]));
    }
    if let Some(Value::Array(fs)) = meta.get_mut("finalizers")
        && !fs.iter().any(|x| x.as_str() == Some(f))
    {
        fs.push(json!(f));
    }
}

/// A random 5-character suffix as Kubernetes' `generateName` uses.
pub fn random_suffix() -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    uuid::Uuid::new_v4()
        .as_bytes()
        .iter()
        .take(5)
        .map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char)
        .collect()
}
