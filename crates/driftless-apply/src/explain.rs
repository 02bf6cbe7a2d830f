//! Why a workload is not healthy, in its pods' words (waiting reasons, exit codes).

use crate::Cluster;
use driftless_core::ObjectKey;
use serde_json::Value;

/// Kinds whose pods are selected by `spec.selector.matchLabels`.
const WORKLOADS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Job",
];

/// Up to three complaints of the pods of workload `key` (`pod web-1: main CrashLoopBackOff …`).
/// Empty when the object is no workload or its pods cannot be read.
pub async fn pod_problems(cluster: &Cluster, key: &ObjectKey) -> Vec<String> {
    if !WORKLOADS.contains(&key.kind.as_str()) {
        return Vec::new();
    }
    let Some(ns) = key.namespace.as_deref() else {
        return Vec::new();
    };
    let Ok(Some(obj)) = cluster.get(key).await else {
        return Vec::new();
    };
    let Some(labels) = obj
        .pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object)
    else {
        return Vec::new();
    };
    let selector: Vec<String> = labels
        .iter()
        .filter_map(|(k, v)| Some(format!("{k}={}", v.as_str()?)))
        .collect();
    let Ok(pods) = cluster.list_pods(ns, &selector.join(",")).await else {
        return Vec::new();
    };
    let mut out: Vec<String> = pods.iter().filter_map(pod_problem).collect();
    out.sort();
    out.dedup();
    out.truncate(3);
    out
}

fn pod_problem(pod: &Value) -> Option<String> {
    let name = pod.pointer("/metadata/name")?.as_str()?;
    let statuses = pod.pointer("/status/containerStatuses")?.as_array()?;
    let mut parts = Vec::new();
    for c in statuses {
        let cname = c.get("name").and_then(Value::as_str).unwrap_or("?");
        let restarts = c.get("restartCount").and_then(Value::as_i64).unwrap_or(0);
        if let Some(w) = c.pointer("/state/waiting") {
            let reason = w.get("reason").and_then(Value::as_str).unwrap_or("Waiting");
            if reason == "ContainerCreating" || reason == "PodInitializing" {
                continue;
            }
            let mut text = format!("container {cname} {reason}");
            if let Some(code) = c
                .pointer("/lastState/terminated/exitCode")
                .and_then(Value::as_i64)
            {
                text.push_str(&format!(" (last exit code {code}, {restarts} restarts)"));
            }
            parts.push(text);
        } else if let Some(t) = c.pointer("/state/terminated") {
            let code = t.get("exitCode").and_then(Value::as_i64).unwrap_or(0);
            if code != 0 {
                let reason = t.get("reason").and_then(Value::as_str).unwrap_or("Error");
                parts.push(format!(
                    "container {cname} terminated: {reason} (exit code {code})"
                ));
            }
        }
    }
    (!parts.is_empty()).then(|| format!("pod {name}: {}", parts.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn crash_loops_and_failed_containers_are_described() {
        let pod = json!({"metadata": {"name": "web-1"}, "status": {"containerStatuses": [
            {"name": "main", "restartCount": 3,
             "state": {"waiting": {"reason": "CrashLoopBackOff"}},
             "lastState": {"terminated": {"exitCode": 1}}},
            {"name": "side", "state": {"terminated": {"exitCode": 2, "reason": "Error"}}},
            {"name": "ok", "state": {"running": {}}}]}});
        assert_eq!(
            pod_problem(&pod).as_deref(),
            Some(
                "pod web-1: container main CrashLoopBackOff (last exit code 1, 3 restarts), container side terminated: Error (exit code 2)"
            )
        );
    }

    #[test]
    fn starting_pods_are_not_complaints() {
        let pod = json!({"metadata": {"name": "web-1"}, "status": {"containerStatuses": [
            {"name": "main", "state": {"waiting": {"reason": "ContainerCreating"}}}]}});
        assert_eq!(pod_problem(&pod), None);
    }
}
