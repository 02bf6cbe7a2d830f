//! Defaults of the core, networking, autoscaling, policy, RBAC and
//! apiextensions kinds.

use base64::Engine;
use serde_json::{Map, Value, json};

use super::util::{default, default_str, each, obj, obj_opt, str_of, unset};

/// `SetDefaults_Service` plus the single-stack IP family fields the registry fills in.
pub(crate) fn service(o: &mut Map<String, Value>) {
    let spec = obj(o, "spec");
    default_str(spec, "type", "ClusterIP");
    let ty = str_of(spec, "type").to_string();
    default_str(spec, "sessionAffinity", "None");
    if str_of(spec, "sessionAffinity") == "ClientIP" {
        let cfg = obj(obj(spec, "sessionAffinityConfig"), "clientIP");
        default(cfg, "timeoutSeconds", json!(10800));
    }
    each(spec, "ports", |p| {
        default_str(p, "protocol", "TCP");
        let tp = p.get("targetPort");
        let missing =
            tp.is_none_or(|t| t.is_null() || t.as_i64() == Some(0) || t.as_str() == Some(""));
        if missing && let Some(port) = p.get("port").cloned() {
            p.insert("targetPort".into(), port);
        }
    });
    if ty == "NodePort" || ty == "LoadBalancer" {
        default_str(spec, "externalTrafficPolicy", "Cluster");
    }
    if ty == "LoadBalancer" {
        default(spec, "allocateLoadBalancerNodePorts", json!(true));
    }
    if ty != "ExternalName" {
        default_str(spec, "internalTrafficPolicy", "Cluster");
        let headless = str_of(spec, "clusterIP") == "None";
        let has_selector = spec
            .get("selector")
            .and_then(Value::as_object)
            .is_some_and(|s| !s.is_empty());
        let policy = if headless && !has_selector {
            "RequireDualStack"
        } else {
            "SingleStack"
        };
        default_str(spec, "ipFamilyPolicy", policy);
        default(spec, "ipFamilies", json!(["IPv4"]));
        if headless {
            default(spec, "clusterIPs", json!(["None"]));
        }
    }
}

/// Secret: `stringData` is merged into `data` (base64), `type` defaults to `Opaque`.
pub(crate) fn secret(o: &mut Map<String, Value>) {
    if let Some(Value::Object(sd)) = o.shift_remove("stringData") {
        let data = obj(o, "data");
        for (k, v) in sd {
            let s = v.as_str().unwrap_or_default();
            data.insert(
                k,
                json!(base64::engine::general_purpose::STANDARD.encode(s)),
            );
        }
    }
    default_str(o, "type", "Opaque");
}

/// Namespace: the `kubernetes.io/metadata.name` label, `status.phase: Active`.
pub(crate) fn namespace(o: &mut Map<String, Value>) {
    let name = o
        .get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if !name.is_empty() {
        obj(obj(o, "metadata"), "labels").insert("kubernetes.io/metadata.name".into(), json!(name));
    }
    default_str(obj(o, "status"), "phase", "Active");
}

/// PersistentVolumeClaim: `volumeMode: Filesystem`, `status.phase: Pending`.
pub(crate) fn pvc(o: &mut Map<String, Value>) {
    default_str(obj(o, "spec"), "volumeMode", "Filesystem");
    default_str(obj(o, "status"), "phase", "Pending");
}

/// PersistentVolume: reclaim policy `Retain`, `volumeMode: Filesystem`, phase `Pending`.
pub(crate) fn pv(o: &mut Map<String, Value>) {
    let spec = obj(o, "spec");
    default_str(spec, "persistentVolumeReclaimPolicy", "Retain");
    default_str(spec, "volumeMode", "Filesystem");
    default_str(obj(o, "status"), "phase", "Pending");
}

/// NetworkPolicy: `policyTypes` (Ingress, plus Egress when egress rules exist), port protocols.
pub(crate) fn network_policy(o: &mut Map<String, Value>) {
    let spec = obj(o, "spec");
    let no_types = spec
        .get("policyTypes")
        .and_then(Value::as_array)
        .is_none_or(Vec::is_empty);
    if no_types {
        let egress = spec
            .get("egress")
            .and_then(Value::as_array)
            .is_some_and(|e| !e.is_empty());
        let types = if egress {
            json!(["Ingress", "Egress"])
        } else {
            json!(["Ingress"])
        };
        spec.insert("policyTypes".into(), types);
    }
    for dir in ["ingress", "egress"] {
        each(spec, dir, |rule| {
            each(rule, "ports", |p| default_str(p, "protocol", "TCP"))
        });
    }
}

/// HorizontalPodAutoscaler: `minReplicas: 1`; v2: default CPU metric and,
/// when `behavior` is given, its scale-up and scale-down rules.
pub(crate) fn hpa(version: &str, o: &mut Map<String, Value>) {
    let spec = obj(o, "spec");
    default(spec, "minReplicas", json!(1));
    if version == "v1" {
        return;
    }
    let no_metrics = spec
        .get("metrics")
        .and_then(Value::as_array)
        .is_none_or(Vec::is_empty);
    if no_metrics {
        spec.insert(
            "metrics".into(),
            json!([{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]),
        );
    }
    if let Some(b) = obj_opt(spec, "behavior") {
        let up = obj(b, "scaleUp");
        default(up, "stabilizationWindowSeconds", json!(0));
        default_str(up, "selectPolicy", "Max");
        default(
            up,
            "policies",
            json!([{"type": "Pods", "value": 4, "periodSeconds": 15}, {"type": "Percent", "value": 100, "periodSeconds": 15}]),
        );
        let down = obj(b, "scaleDown");
        default(down, "stabilizationWindowSeconds", json!(300));
        default_str(down, "selectPolicy", "Max");
        default(
            down,
            "policies",
            json!([{"type": "Percent", "value": 100, "periodSeconds": 15}]),
        );
    }
}

/// RBAC subjects: `apiGroup` defaults by subject kind.
pub(crate) fn rbac_binding(o: &mut Map<String, Value>) {
    each(o, "subjects", |s| {
        if unset(s, "apiGroup") {
            let g = if str_of(s, "kind") == "ServiceAccount" {
                ""
            } else {
                "rbac.authorization.k8s.io"
            };
            if !g.is_empty() {
                s.insert("apiGroup".into(), json!(g));
            }
        }
    });
}

/// Endpoints and EndpointSlices: port protocol `TCP`.
pub(crate) fn endpoints(kind: &str, o: &mut Map<String, Value>) {
    if kind == "EndpointSlice" {
        each(o, "ports", |p| default_str(p, "protocol", "TCP"));
        return;
    }
    each(o, "subsets", |s| {
        each(s, "ports", |p| default_str(p, "protocol", "TCP"))
    });
}

/// StorageClass: reclaim policy `Delete`, binding mode `Immediate`.
pub(crate) fn storage_class(o: &mut Map<String, Value>) {
    default_str(o, "reclaimPolicy", "Delete");
    default_str(o, "volumeBindingMode", "Immediate");
}

/// CustomResourceDefinition: `names.singular`, `names.listKind`, `conversion.strategy: None`.
pub(crate) fn crd(o: &mut Map<String, Value>) {
    let spec = obj(o, "spec");
    let names = obj(spec, "names");
    let kind = str_of(names, "kind").to_string();
    if !kind.is_empty() {
        default_str(names, "singular", &kind.to_lowercase());
        default_str(names, "listKind", &format!("{kind}List"));
    }
    default_str(obj(spec, "conversion"), "strategy", "None");
}

/// Admission webhook configurations: per webhook `failurePolicy: Fail`,
/// `matchPolicy: Equivalent`, empty namespace/object selectors, `timeoutSeconds: 10`,
/// rule scope `*`, service port 443, and for mutating webhooks `reinvocationPolicy: Never`.
pub(crate) fn webhooks(kind: &str, o: &mut Map<String, Value>) {
    each(o, "webhooks", |w| {
        default_str(w, "failurePolicy", "Fail");
        default_str(w, "matchPolicy", "Equivalent");
        default(w, "namespaceSelector", json!({}));
        default(w, "objectSelector", json!({}));
        default(w, "timeoutSeconds", json!(10));
        if kind == "MutatingWebhookConfiguration" {
            default_str(w, "reinvocationPolicy", "Never");
        }
        each(w, "rules", |r| default_str(r, "scope", "*"));
        if let Some(svc) = obj_opt(w, "clientConfig").and_then(|c| obj_opt(c, "service")) {
            default(svc, "port", json!(443));
        }
    });
}

/// PriorityClass: `preemptionPolicy: PreemptLowerPriority`.
pub(crate) fn priority_class(o: &mut Map<String, Value>) {
    default_str(o, "preemptionPolicy", "PreemptLowerPriority");
}
