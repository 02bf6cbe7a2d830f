//! Service, Ingress and PersistentVolumeClaim.

use crate::fields::{list, text};
use driftless_core::{Health, HealthStatus};
use serde_json::Value;

/// Service: a `LoadBalancer` without `status.loadBalancer.ingress` is Progressing.
pub fn service(obj: &Value) -> Option<Health> {
    if text(obj, "/spec/type") == "LoadBalancer"
        && list(obj, "/status/loadBalancer/ingress").is_empty()
    {
        return Some(Health::new(HealthStatus::Progressing, ""));
    }
    Some(Health::healthy())
}

/// Ingress: Healthy once `status.loadBalancer.ingress` is non-empty.
pub fn ingress(obj: &Value) -> Option<Health> {
    if list(obj, "/status/loadBalancer/ingress").is_empty() {
        Some(Health::new(HealthStatus::Progressing, ""))
    } else {
        Some(Health::healthy())
    }
}

/// PersistentVolumeClaim: Bound → Healthy, Pending → Progressing, Lost → Degraded.
pub fn pvc(obj: &Value) -> Option<Health> {
    let status = match text(obj, "/status/phase") {
        "Bound" => HealthStatus::Healthy,
        "Pending" => HealthStatus::Progressing,
        "Lost" => HealthStatus::Degraded,
        _ => HealthStatus::Unknown,
    };
    Some(Health::new(status, ""))
}
