//! The ReplicaSet controller: keeps `spec.replicas` pods and reports their readiness.

use std::sync::Arc;

use serde_json::{Value, json};

use super::common::{omit_zero, pod_from_template, suffix};
use super::world::{Action, deleting, event, generation, int, name, pod_ready, pod_terminated};

/// Pods to create or delete and the status of one ReplicaSet, given the pods it controls.
pub fn reconcile(rs: &Value, pods: &[Arc<Value>]) -> Vec<Action> {
    if deleting(rs) {
        return vec![];
    }
    let mut actions = Vec::new();
    let want = int(rs, "/spec/replicas");
    let active: Vec<&Arc<Value>> = pods
        .iter()
        .filter(|p| !deleting(p) && !pod_terminated(p))
        .collect();
    let diff = want - active.len() as i64;
    let tpl = rs
        .pointer("/spec/template")
        .cloned()
        .unwrap_or_else(|| json!({}));
    if diff > 0 {
        for _ in 0..diff.min(500) {
            let pod_name = format!("{}-{}", name(rs), suffix());
            let pod = pod_from_template(&tpl, rs, &pod_name, Some(&format!("{}-", name(rs))), &[]);
            actions.push(Action::Create(pod));
            actions.push(Action::Event(event(
                rs,
                "Normal",
                "SuccessfulCreate",
                &format!("Created pod: {pod_name}"),
                "replicaset-controller",
            )));
        }
    } else if diff < 0 {
        let mut ranked = active.clone();
        // Delete unscheduled, then pending, then unready pods first; newest first among equals.
        ranked.sort_by_key(|p| {
            let scheduled = p.pointer("/spec/nodeName").is_some();
            let running = p.pointer("/status/phase").and_then(Value::as_str) == Some("Running");
            let created = p
                .pointer("/metadata/creationTimestamp")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            (scheduled, running, pod_ready(p), std::cmp::Reverse(created))
        });
        for p in ranked.iter().take((-diff) as usize) {
            actions.push(Action::delete(p));
            actions.push(Action::Event(event(
                rs,
                "Normal",
                "SuccessfulDelete",
                &format!("Deleted pod: {}", name(p)),
                "replicaset-controller",
            )));
        }
    }
    let ready = active.iter().filter(|p| pod_ready(p)).count() as i64;
    let mut status = json!({
        "replicas": active.len(),
        "fullyLabeledReplicas": active.len(),
        "readyReplicas": ready,
        "availableReplicas": ready,
        "observedGeneration": generation(rs),
    });
    omit_zero(&mut status, &["replicas"]);
    if let Some(c) = rs.pointer("/status/conditions") {
        status["conditions"] = c.clone();
    }
    if rs.get("status") != Some(&status) {
        let mut updated = rs.clone();
        updated["status"] = status;
        actions.push(Action::UpdateStatus(updated));
    }
    actions
}
