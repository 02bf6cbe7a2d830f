//! Health assessment of Kubernetes objects, with the rules Argo CD uses.
//!
//! [`assess`] judges one live object and returns `None` for kinds that have no
//! notion of health (ConfigMap, Secret, RBAC…). The built-in rules follow
//! Argo CD's gitops-engine (`pkg/health`), including their messages; custom
//! resources are judged by Argo CD's own library of Lua health scripts, run
//! unchanged in an embedded Lua runtime ([`library`], [`LuaScript`]), with a
//! time and memory [`Budget`] per run; see `docs/health.md`.
//! [`HealthRegistry`] lets callers add or replace per-kind checks and take
//! user scripts from `argocd-cm`-style configuration ([`customizations`]);
//! [`actions`] runs resource actions; [`aggregate`] folds many statuses into
//! one, worst first.
//!
//! ```
//! use driftless_core::HealthStatus;
//! let deploy = serde_json::json!({
//!     "apiVersion": "apps/v1", "kind": "Deployment",
//!     "metadata": {"name": "web", "generation": 2},
//!     "spec": {"replicas": 3},
//!     "status": {"observedGeneration": 2, "replicas": 3, "updatedReplicas": 3, "availableReplicas": 1}
//! });
//! let h = driftless_health::assess(&deploy).unwrap();
//! assert_eq!(h.status, HealthStatus::Progressing);
//! assert_eq!(h.message, "Waiting for rollout to finish: 1 of 3 updated replicas are available...");
//!
//! let cm = serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}});
//! assert!(driftless_health::assess(&cm).is_none());
//! ```

pub mod actions;
mod batch;
mod convert;
pub mod customizations;
mod fields;
pub mod glob;
pub mod library;
mod network;
mod other;
mod pod;
mod registry;
mod script;
mod vm;
mod workloads;

pub use driftless_core::{Health, HealthStatus};
pub use registry::{HealthCheck, HealthRegistry};
pub use script::{Budget, LuaScript, ScriptError, ScriptErrorKind};
use serde_json::Value;
use std::sync::OnceLock;

/// The built-in per-kind checks, usable on their own.
pub mod checks {
    pub use crate::batch::{cron_job, job};
    pub use crate::network::{ingress, pvc, service};
    pub use crate::other::{api_service, application, argo_workflow, crd, generic, hpa};
    pub use crate::pod::pod;
    pub use crate::workloads::{daemon_set, deployment, replica_set, stateful_set};
}

fn default_registry() -> &'static HealthRegistry {
    static REG: OnceLock<HealthRegistry> = OnceLock::new();
    REG.get_or_init(HealthRegistry::new)
}

/// The health of one live object with the built-in rules; `None` for kinds
/// without health (ConfigMap, Secret, ServiceAccount, …).
pub fn assess(obj: &Value) -> Option<Health> {
    default_registry().assess(obj)
}

/// [`assess`] for an object that may not exist: `None` gives Missing.
///
/// ```
/// use driftless_core::HealthStatus;
/// assert_eq!(driftless_health::assess_live(None).unwrap().status, HealthStatus::Missing);
/// ```
pub fn assess_live(obj: Option<&Value>) -> Option<Health> {
    default_registry().assess_live(obj)
}

/// The worst of many statuses in Argo CD's order (Healthy < Suspended <
/// Progressing < Missing < Degraded < Unknown); Healthy when empty.
///
/// ```
/// use driftless_core::HealthStatus::*;
/// assert_eq!(driftless_health::aggregate([Healthy, Progressing, Suspended]), Progressing);
/// assert_eq!(driftless_health::aggregate([Degraded, Missing]), Degraded);
/// assert_eq!(driftless_health::aggregate([]), Healthy);
/// ```
pub fn aggregate(statuses: impl IntoIterator<Item = HealthStatus>) -> HealthStatus {
    statuses
        .into_iter()
        .fold(HealthStatus::Healthy, |worst, s| {
            if s.is_worse_than(worst) { s } else { worst }
        })
}

/// Parses a health status word (`Healthy`, `Progressing`, …).
///
/// ```
/// assert_eq!(driftless_health::parse_status("Degraded"), Some(driftless_core::HealthStatus::Degraded));
/// assert_eq!(driftless_health::parse_status("Fine"), None);
/// ```
pub fn parse_status(s: &str) -> Option<HealthStatus> {
    Some(match s {
        "Healthy" => HealthStatus::Healthy,
        "Suspended" => HealthStatus::Suspended,
        "Progressing" => HealthStatus::Progressing,
        "Unknown" => HealthStatus::Unknown,
        "Degraded" => HealthStatus::Degraded,
        "Missing" => HealthStatus::Missing,
        _ => return None,
    })
}
