//! The ReplicaSet controller: keeps `spec.replicas` pods and reports their readiness.

use std::sync::Arc;

use serde_json::{Value, json};

use super::common::{omit_zero, pod_from_template, suffix};
use super::world::{Action, deleting, event, generation, int, name, pod_ready, pod_terminated};

/// Pods to create or delete and the status of one ReplicaSet, given the pods it
/// controls; `now_secs` (Unix time) decides which ready pods count as available
/// under `minReadySeconds`.
pub fn reconcile(rs: &Value, pods: &[Arc<Value>], now_secs: i64) -> Vec<Action> {
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
            let message = format!("Deleted pod: {}", name(p));
            actions.extend(Action::delete_by(rs, p, &message, "replicaset-controller"));
        }
    }
    let ready = active.iter().filter(|p| pod_ready(p)).count() as i64;
    let min_ready = int(rs, "/spec/minReadySeconds");
    let available = active
        .iter()
        .filter(|p| pod_ready(p) && ready_for(p) + min_ready <= now_secs)
        .count() as i64;
    let mut status = json!({
        "replicas": active.len(),
        "fullyLabeledReplicas": active.len(),
        "readyReplicas": ready,
        "availableReplicas": if min_ready > 0 { available } else { ready },
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

/// When the pod's `Ready` condition last became True (Unix seconds; 0 if unknown).
fn ready_for(p: &Value) -> i64 {
    p.pointer("/status/conditions")
        .and_then(Value::as_array)
        .and_then(|cs| {
            cs.iter()
                .find(|c| c.get("type").and_then(Value::as_str) == Some("Ready"))
        })
        .and_then(|c| c.get("lastTransitionTime"))
        .and_then(Value::as_str)
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.timestamp())
        .unwrap_or(0)
}
