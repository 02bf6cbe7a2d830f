//! Defaults of pod specs and pod templates (`SetDefaults_PodSpec`,
//! `SetDefaults_Container`, volumes, probes), of Pods themselves
//! (`SetDefaults_Pod`), and the admission plugins a real API server runs on
//! pod creation (ServiceAccount, DefaultTolerationSeconds, Priority).

use serde_json::{Map, Value, json};

use super::util::{default, default_str, each, obj, obj_opt, str_of, unset};

/// Defaults a `PodTemplateSpec` (`spec.template` of workloads).
pub(crate) fn template(tpl: &mut Map<String, Value>) {
    let meta = obj(tpl, "metadata");
    // A zero metav1.Time serialises as `null` in Go.
    if !meta.contains_key("creationTimestamp") {
        meta.insert("creationTimestamp".into(), Value::Null);
    }
    pod_spec(obj(tpl, "spec"));
}

/// `SetDefaults_PodSpec` plus the per-container and per-volume defaults.
pub(crate) fn pod_spec(spec: &mut Map<String, Value>) {
    for key in ["initContainers", "containers", "ephemeralContainers"] {
        each(spec, key, container);
    }
    each(spec, "volumes", volume);
    default_str(spec, "restartPolicy", "Always");
    default(spec, "terminationGracePeriodSeconds", json!(30));
    default_str(spec, "dnsPolicy", "ClusterFirst");
    default(spec, "securityContext", json!({}));
    default_str(spec, "schedulerName", "default-scheduler");
}

/// `SetDefaults_Pod`: what only Pods (not templates) get, applied on every write.
pub(crate) fn pod(pod: &mut Map<String, Value>) {
    let spec = obj(pod, "spec");
    pod_spec(spec);
    let host_network = spec.get("hostNetwork").and_then(Value::as_bool) == Some(true);
    for key in ["initContainers", "containers"] {
        each(spec, key, |c| {
            requests_from_limits(c);
            if host_network {
                each(c, "ports", |p| {
                    if p.get("hostPort").and_then(Value::as_i64).unwrap_or(0) == 0
                        && let Some(cp) = p.get("containerPort").cloned()
                    {
                        p.insert("hostPort".into(), cp);
                    }
                });
            }
        });
    }
    default(spec, "enableServiceLinks", json!(true));
    let status = obj(pod, "status");
    default_str(status, "phase", "Pending");
}

/// Resource requests default to the limits for each resource without a request.
fn requests_from_limits(c: &mut Map<String, Value>) {
    let Some(res) = obj_opt(c, "resources") else {
        return;
    };
    let Some(limits) = res.get("limits").and_then(Value::as_object).cloned() else {
        return;
    };
    if limits.is_empty() {
        return;
    }
    let requests = obj(res, "requests");
    for (k, v) in limits {
        requests.entry(k).or_insert(v);
    }
}

/// `SetDefaults_Container` and friends.
fn container(c: &mut Map<String, Value>) {
    default(c, "resources", json!({}));
    default_str(c, "terminationMessagePath", "/dev/termination-log");
    default_str(c, "terminationMessagePolicy", "File");
    let policy = pull_policy(str_of(c, "image"));
    default_str(c, "imagePullPolicy", policy);
    each(c, "ports", |p| default_str(p, "protocol", "TCP"));
    each(c, "env", |e| {
        if let Some(vf) = obj_opt(e, "valueFrom")
            && let Some(fr) = obj_opt(vf, "fieldRef")
        {
            default_str(fr, "apiVersion", "v1");
        }
    });
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        if let Some(p) = obj_opt(c, probe) {
            default(p, "timeoutSeconds", json!(1));
            default(p, "periodSeconds", json!(10));
            default(p, "successThreshold", json!(1));
            default(p, "failureThreshold", json!(3));
            handler(p);
        }
    }
    if let Some(lc) = obj_opt(c, "lifecycle") {
        for hook in ["postStart", "preStop"] {
            if let Some(h) = obj_opt(lc, hook) {
                handler(h);
            }
        }
    }
}

/// Defaults of a probe or lifecycle handler's actions.
fn handler(h: &mut Map<String, Value>) {
    if let Some(g) = obj_opt(h, "httpGet") {
        default_str(g, "path", "/");
        default_str(g, "scheme", "HTTP");
    }
    if let Some(g) = obj_opt(h, "grpc") {
        default(g, "service", json!(""));
    }
}

/// `Always` for `:latest` or untagged images (without digest), else `IfNotPresent`.
///
/// ```
/// use driftless_sim::defaults::pull_policy;
/// assert_eq!(pull_policy("nginx"), "Always");
/// assert_eq!(pull_policy("nginx:latest"), "Always");
/// assert_eq!(pull_policy("localhost:5000/nginx"), "Always");
/// assert_eq!(pull_policy("nginx:1.27"), "IfNotPresent");
/// assert_eq!(pull_policy("nginx@sha256:abc"), "IfNotPresent");
/// ```
pub fn pull_policy(image: &str) -> &'static str {
    if image.contains('@') {
        return "IfNotPresent";
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.rsplit_once(':') {
        Some((_, "latest")) | None => "Always",
        Some(_) => "IfNotPresent",
    }
}

const VOLUME_SOURCES: &[&str] = &[
    "hostPath",
    "emptyDir",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "persistentVolumeClaim",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "downwardAPI",
    "fc",
    "azureFile",
    "configMap",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "projected",
    "portworxVolume",
    "scaleIO",
    "storageos",
    "csi",
    "ephemeral",
    "image",
];

/// `SetDefaults_Volume` and the defaults of each volume source.
fn volume(v: &mut Map<String, Value>) {
    if VOLUME_SOURCES.iter().all(|k| unset(v, k)) {
        v.insert("emptyDir".into(), json!({}));
    }
    for key in ["secret", "configMap"] {
        if let Some(s) = obj_opt(v, key) {
            default(s, "defaultMode", json!(420));
        }
    }
    if let Some(d) = obj_opt(v, "downwardAPI") {
        default(d, "defaultMode", json!(420));
        downward_items(d);
    }
    if let Some(p) = obj_opt(v, "projected") {
        default(p, "defaultMode", json!(420));
        each(p, "sources", |s| {
            if let Some(d) = obj_opt(s, "downwardAPI") {
                downward_items(d);
            }
            if let Some(t) = obj_opt(s, "serviceAccountToken") {
                default(t, "expirationSeconds", json!(3600));
            }
        });
    }
    if let Some(h) = obj_opt(v, "hostPath") {
        default(h, "type", json!(""));
    }
    if let Some(i) = obj_opt(v, "iscsi") {
        default_str(i, "iscsiInterface", "default");
    }
    if let Some(r) = obj_opt(v, "rbd") {
        default_str(r, "pool", "rbd");
        default_str(r, "user", "admin");
        default_str(r, "keyring", "/etc/ceph/keyring");
    }
    if let Some(a) = obj_opt(v, "azureDisk") {
        default_str(a, "cachingMode", "ReadWrite");
        default_str(a, "fsType", "ext4");
        default(a, "readOnly", json!(false));
        default_str(a, "kind", "Shared");
    }
    if let Some(s) = obj_opt(v, "scaleIO") {
        default_str(s, "storageMode", "ThinProvisioned");
        default_str(s, "fsType", "xfs");
    }
    if let Some(s) = obj_opt(v, "ephemeral")
        .and_then(|e| obj_opt(e, "volumeClaimTemplate"))
        .and_then(|t| obj_opt(t, "spec"))
    {
        default_str(s, "volumeMode", "Filesystem");
    }
}

fn downward_items(d: &mut Map<String, Value>) {
    each(d, "items", |i| {
        if let Some(fr) = obj_opt(i, "fieldRef") {
            default_str(fr, "apiVersion", "v1");
        }
    });
}

const SA_MOUNT_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// The admission plugins a real server runs when a Pod is created
/// (ServiceAccount token volume, default tolerations, priority), and the
/// initial status (`phase: Pending`, `qosClass`).
pub(crate) fn admit_create(pod: &mut Map<String, Value>, suffix: &str) {
    let spec = obj(pod, "spec");
    // ServiceAccount admission.
    default_str(spec, "serviceAccountName", "default");
    let sa = str_of(spec, "serviceAccountName").to_string();
    spec.insert("serviceAccount".into(), json!(sa));
    let automount = spec
        .get("automountServiceAccountToken")
        .and_then(Value::as_bool)
        != Some(false);
    let already = ["initContainers", "containers"].iter().any(|k| {
        spec.get(*k).and_then(Value::as_array).is_some_and(|cs| {
            cs.iter().any(|c| {
                c.get("volumeMounts")
                    .and_then(Value::as_array)
                    .is_some_and(|ms| {
                        ms.iter().any(|m| {
                            m.get("mountPath").and_then(Value::as_str) == Some(SA_MOUNT_PATH)
                        })
                    })
            })
        })
    });
    if automount && !already {
        let name = format!("kube-api-access-{suffix}");
        let vol = json!({"name": name, "projected": {"sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}
        ], "defaultMode": 420}});
        push(spec, "volumes", vol);
        for key in ["initContainers", "containers"] {
            each(spec, key, |c| {
                push(
                    c,
                    "volumeMounts",
                    json!({"name": name, "readOnly": true, "mountPath": SA_MOUNT_PATH}),
                );
            });
        }
    }
    // DefaultTolerationSeconds admission.
    for key in [
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
    ] {
        let has = spec
            .get("tolerations")
            .and_then(Value::as_array)
            .is_some_and(|ts| {
                ts.iter().any(|t| {
                    let k = t.get("key").and_then(Value::as_str);
                    let e = t.get("effect").and_then(Value::as_str).unwrap_or("");
                    let op = t.get("operator").and_then(Value::as_str).unwrap_or("Equal");
                    (k == Some(key) || (k.is_none() && op == "Exists"))
                        && (e.is_empty() || e == "NoExecute")
                })
            });
        if !has {
            push(
                spec,
                "tolerations",
                json!({"key": key, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}),
            );
        }
    }
    // Priority admission.
    let priority = match str_of(spec, "priorityClassName") {
        "system-node-critical" => 2_000_001_000,
        "system-cluster-critical" => 2_000_000_000,
        _ => 0,
    };
    default(spec, "priority", json!(priority));
    default_str(spec, "preemptionPolicy", "PreemptLowerPriority");
    let qos = qos_class(spec);
    let status = obj(pod, "status");
    default_str(status, "phase", "Pending");
    status.insert("qosClass".into(), json!(qos));
}

fn push(m: &mut Map<String, Value>, key: &str, item: Value) {
    if !m.get(key).is_some_and(Value::is_array) {
        m.insert(key.to_string(), json!([]));
    }
    if let Some(Value::Array(a)) = m.get_mut(key) {
        a.push(item);
    }
}

/// The QoS class of a (defaulted) pod spec: `Guaranteed`, `Burstable` or `BestEffort`.
pub fn qos_class(spec: &Map<String, Value>) -> &'static str {
    let containers: Vec<&Value> = ["initContainers", "containers"]
        .iter()
        .filter_map(|k| spec.get(*k).and_then(Value::as_array))
        .flatten()
        .collect();
    let res = |c: &Value, kind: &str| -> Map<String, Value> {
        c.pointer(&format!("/resources/{kind}"))
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    let mut any = false;
    let mut guaranteed = true;
    for c in &containers {
        let (req, lim) = (res(c, "requests"), res(c, "limits"));
        if !req.is_empty() || !lim.is_empty() {
            any = true;
        }
        for r in ["cpu", "memory"] {
            match (lim.get(r), req.get(r)) {
                (Some(l), Some(q)) if l == q => {}
                (Some(_), None) => {}
                _ => guaranteed = false,
            }
        }
    }
    if !any {
        "BestEffort"
    } else if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}
