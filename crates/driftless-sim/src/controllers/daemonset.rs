//! The DaemonSet controller: one pod per simulated node, rolling updates one
//! node at a time, and the scheduling counts in the status.

use std::sync::Arc;

use serde_json::{Value, json};

use super::common::{omit_zero, pod_from_template, suffix, template_hash};
use super::world::{
    Action, annotation, deleting, event, generation, name, pod_ready, pod_terminated,
};
use crate::defaults::DAEMONSET_TEMPLATE_GENERATION;

const COMPONENT: &str = "daemonset-controller";

/// The node a DaemonSet pod is pinned to (its `nodeName`, or its node affinity).
pub fn pod_node(p: &Value) -> Option<&str> {
    p.pointer("/spec/nodeName").and_then(Value::as_str).filter(|n| !n.is_empty()).or_else(|| {
        p.pointer("/spec/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms/0/matchFields/0/values/0")
            .and_then(Value::as_str)
    })
}

/// The changes for one DaemonSet on `nodes`, given the pods it controls.
pub fn reconcile(ds: &Value, pods: &[Arc<Value>], nodes: &[String]) -> Vec<Action> {
    if deleting(ds) {
        return vec![];
    }
    let mut actions = Vec::new();
    let tpl = ds
        .pointer("/spec/template")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let hash = template_hash(&tpl);
    let tgen = annotation(ds, DAEMONSET_TEMPLATE_GENERATION)
        .unwrap_or("1")
        .to_string();
    let active: Vec<&Arc<Value>> = pods
        .iter()
        .filter(|p| !deleting(p) && !pod_terminated(p))
        .collect();
    let hash_of = |p: &Value| {
        p.pointer("/metadata/labels/controller-revision-hash")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    for node in nodes {
        if active.iter().any(|p| pod_node(p) == Some(node.as_str())) {
            continue;
        }
        let pod_name = format!("{}-{}", name(ds), suffix());
        let mut pod = pod_from_template(
            &tpl,
            ds,
            &pod_name,
            Some(&format!("{}-", name(ds))),
            &[
                ("controller-revision-hash", hash.clone()),
                ("pod-template-generation", tgen.clone()),
            ],
        );
        pod["spec"]["affinity"]["nodeAffinity"] = json!({"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}
        ]}});
        let mut tolerations: Vec<Value> = pod
            .pointer("/spec/tolerations")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (key, effect) in [
            ("node.kubernetes.io/not-ready", "NoExecute"),
            ("node.kubernetes.io/unreachable", "NoExecute"),
            ("node.kubernetes.io/disk-pressure", "NoSchedule"),
            ("node.kubernetes.io/memory-pressure", "NoSchedule"),
            ("node.kubernetes.io/pid-pressure", "NoSchedule"),
            ("node.kubernetes.io/unschedulable", "NoSchedule"),
        ] {
            if !tolerations
                .iter()
                .any(|t| t.get("key").and_then(Value::as_str) == Some(key))
            {
                tolerations.push(json!({"key": key, "operator": "Exists", "effect": effect}));
            }
        }
        pod["spec"]["tolerations"] = json!(tolerations);
        actions.push(Action::Create(pod));
        actions.push(Action::Event(event(
            ds,
            "Normal",
            "SuccessfulCreate",
            &format!("Created pod: {pod_name}"),
            COMPONENT,
        )));
    }
    // Pods on nodes that do not exist, and duplicates.
    let mut seen = std::collections::HashSet::new();
    for p in &active {
        let node = pod_node(p).unwrap_or("");
        if !nodes.iter().any(|n| n == node) || !seen.insert(node.to_string()) {
            actions.push(Action::delete(p));
        }
    }
    let rolling = ds
        .pointer("/spec/updateStrategy/type")
        .and_then(Value::as_str)
        .unwrap_or("RollingUpdate")
        == "RollingUpdate";
    if rolling
        && active.iter().all(|p| pod_ready(p))
        && let Some(p) = active.iter().find(|p| hash_of(p) != hash)
    {
        let message = format!("Deleted pod: {}", name(p));
        actions.extend(Action::delete_by(ds, p, &message, COMPONENT));
    }
    let scheduled = nodes
        .iter()
        .filter(|n| active.iter().any(|p| pod_node(p) == Some(n.as_str())))
        .count();
    let ready = active.iter().filter(|p| pod_ready(p)).count();
    let updated = active.iter().filter(|p| hash_of(p) == hash).count();
    let mut st = json!({
        "currentNumberScheduled": scheduled,
        "numberMisscheduled": 0,
        "desiredNumberScheduled": nodes.len(),
        "numberReady": ready,
        "observedGeneration": generation(ds),
        "updatedNumberScheduled": updated,
        "numberAvailable": ready,
        "numberUnavailable": nodes.len().saturating_sub(ready),
    });
    omit_zero(
        &mut st,
        &[
            "currentNumberScheduled",
            "numberMisscheduled",
            "desiredNumberScheduled",
            "numberReady",
        ],
    );
    if ds.get("status") != Some(&st) {
        let mut d = ds.clone();
        d["status"] = st;
        actions.push(Action::UpdateStatus(d));
    }
    actions
}
