//! Deployment, StatefulSet, DaemonSet and ReplicaSet (gitops-engine `pkg/health`).

use crate::fields::{at, condition, int, opt_int, text};
use driftless_core::{Health, HealthStatus};
use serde_json::Value;

fn progressing(msg: impl Into<String>) -> Option<Health> {
    Some(Health::new(HealthStatus::Progressing, msg))
}

/// Deployment: paused → Suspended; stale observedGeneration → Progressing;
/// `ProgressDeadlineExceeded` → Degraded; then kubectl's rollout-status messages.
pub fn deployment(obj: &Value) -> Option<Health> {
    if crate::fields::flag(obj, "/spec/paused") {
        return Some(Health::new(HealthStatus::Suspended, "Deployment is paused"));
    }
    if int(obj, "/metadata/generation") > int(obj, "/status/observedGeneration") {
        return progressing(
            "Waiting for rollout to finish: observed deployment generation less than desired generation",
        );
    }
    let name = text(obj, "/metadata/name");
    let updated = int(obj, "/status/updatedReplicas");
    let replicas = int(obj, "/status/replicas");
    let available = int(obj, "/status/availableReplicas");
    let progress = condition(obj, "/status/conditions", "Progressing");
    if progress
        .and_then(|c| c.get("reason"))
        .and_then(Value::as_str)
        == Some("ProgressDeadlineExceeded")
    {
        return Some(Health::new(
            HealthStatus::Degraded,
            format!("Deployment {name:?} exceeded its progress deadline"),
        ));
    }
    if let Some(want) = opt_int(obj, "/spec/replicas")
        && updated < want
    {
        return progressing(format!(
            "Waiting for rollout to finish: {updated} out of {want} new replicas have been updated..."
        ));
    }
    if replicas > updated {
        return progressing(format!(
            "Waiting for rollout to finish: {} old replicas are pending termination...",
            replicas - updated
        ));
    }
    if available < updated {
        return progressing(format!(
            "Waiting for rollout to finish: {available} of {updated} updated replicas are available..."
        ));
    }
    Some(Health::healthy())
}

/// StatefulSet, including partitioned and OnDelete update strategies.
pub fn stateful_set(obj: &Value) -> Option<Health> {
    let observed = int(obj, "/status/observedGeneration");
    if observed == 0 || int(obj, "/metadata/generation") > observed {
        return progressing("Waiting for statefulset spec update to be observed...");
    }
    let ready = int(obj, "/status/readyReplicas");
    let updated = int(obj, "/status/updatedReplicas");
    let want = opt_int(obj, "/spec/replicas");
    if let Some(want) = want
        && ready < want
    {
        return progressing(format!("Waiting for {} pods to be ready...", want - ready));
    }
    let strategy = text(obj, "/spec/updateStrategy/type");
    if strategy == "RollingUpdate" && at(obj, "/spec/updateStrategy/rollingUpdate").is_some() {
        if let (Some(want), Some(partition)) = (
            want,
            opt_int(obj, "/spec/updateStrategy/rollingUpdate/partition"),
        ) && updated < want - partition
        {
            return progressing(format!(
                "Waiting for partitioned roll out to finish: {updated} out of {} new pods have been updated...",
                want - partition
            ));
        }
        return Some(Health::new(
            HealthStatus::Healthy,
            format!("partitioned roll out complete: {updated} new pods have been updated..."),
        ));
    }
    if strategy == "OnDelete" {
        return Some(Health::new(
            HealthStatus::Healthy,
            format!("statefulset has {ready} ready pods"),
        ));
    }
    let update_rev = text(obj, "/status/updateRevision");
    let current_rev = text(obj, "/status/currentRevision");
    if update_rev != current_rev {
        return progressing(format!(
            "waiting for statefulset rolling update to complete {updated} pods at revision {update_rev}..."
        ));
    }
    Some(Health::new(
        HealthStatus::Healthy,
        format!(
            "statefulset rolling update complete {} pods at revision {current_rev}...",
            int(obj, "/status/currentReplicas")
        ),
    ))
}

/// DaemonSet.
pub fn daemon_set(obj: &Value) -> Option<Health> {
    let updated = int(obj, "/status/updatedNumberScheduled");
    let desired = int(obj, "/status/desiredNumberScheduled");
    if text(obj, "/spec/updateStrategy/type") == "OnDelete" {
        return Some(Health::new(
            HealthStatus::Healthy,
            format!("daemon set {updated} out of {desired} new pods have been updated"),
        ));
    }
    if int(obj, "/metadata/generation") > int(obj, "/status/observedGeneration") {
        return progressing(
            "Waiting for rollout to finish: observed daemon set generation less than desired generation",
        );
    }
    let name = text(obj, "/metadata/name");
    if updated < desired {
        return progressing(format!(
            "Waiting for daemon set {name:?} rollout to finish: {updated} out of {desired} new pods have been updated..."
        ));
    }
    let available = int(obj, "/status/numberAvailable");
    if available < desired {
        return progressing(format!(
            "Waiting for daemon set {name:?} rollout to finish: {available} of {desired} updated pods are available..."
        ));
    }
    Some(Health::healthy())
}

/// ReplicaSet: `ReplicaFailure=True` → Degraded.
pub fn replica_set(obj: &Value) -> Option<Health> {
    if int(obj, "/metadata/generation") > int(obj, "/status/observedGeneration") {
        return progressing(
            "Waiting for rollout to finish: observed replica set generation less than desired generation",
        );
    }
    if let Some(c) = condition(obj, "/status/conditions", "ReplicaFailure")
        && c.get("status").and_then(Value::as_str) == Some("True")
    {
        let msg = c.get("message").and_then(Value::as_str).unwrap_or("");
        return Some(Health::new(HealthStatus::Degraded, msg));
    }
    let available = int(obj, "/status/availableReplicas");
    if let Some(want) = opt_int(obj, "/spec/replicas")
        && available < want
    {
        return progressing(format!(
            "Waiting for rollout to finish: {available} out of {want} new replicas are available..."
        ));
    }
    Some(Health::healthy())
}
