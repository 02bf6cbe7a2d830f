//! Workload controllers: what kube-controller-manager, the scheduler, kubelets,
//! cloud and ingress controllers would do, simulated on the store (like KWOK).
//!
//! Each controller is a pure function from a snapshot ([`World`]) to a list of
//! [`Action`]s, unit-tested on its own; [`start`] runs them all as one tokio task.
//!
//! Failure injection by image name ([`pods::image_fault`]: `crashloop`,
//! `imagepullbackoff`, `nonexistent`) and by annotation on the pod or its template
//! ([`READY_AFTER`], [`FAIL`], [`COMPLETE_AFTER`]); API faults by [`faults::FaultInjector`].

pub mod cluster;
pub mod common;
mod config;
pub mod cron;
pub mod cronjob;
pub mod daemonset;
pub mod deployment;
pub mod faults;
pub mod hpa;
pub mod job;
pub mod network;
pub mod pods;
pub mod replicaset;
pub mod revisions;
mod runner;
pub mod scheduler;
pub mod statefulset;
mod world;

pub use config::{
    COMPLETE_AFTER, CRASH_AFTER, FAIL, READY_AFTER, UTILIZATION, WorkloadConfig, parse_duration,
};
pub use runner::{Controllers, Runner, start};
pub use world::{Action, World};

use serde_json::{Map, Value};

/// Whether `labels` match a `metav1.LabelSelector` (`matchLabels` and
/// `matchExpressions` with `In`, `NotIn`, `Exists`, `DoesNotExist`).
/// A `null` selector matches nothing; an empty one matches everything.
///
/// ```
/// use serde_json::json;
/// use driftless_sim::controllers::selector_matches;
/// let labels = json!({"app": "web", "tier": "fe"});
/// let sel = json!({"matchLabels": {"app": "web"},
///                  "matchExpressions": [{"key": "tier", "operator": "In", "values": ["fe", "be"]}]});
/// assert!(selector_matches(&sel, labels.as_object()));
/// assert!(!selector_matches(&json!({"matchLabels": {"app": "db"}}), labels.as_object()));
/// ```
pub fn selector_matches(sel: &Value, labels: Option<&Map<String, Value>>) -> bool {
    if sel.is_null() {
        return false;
    }
    let get = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
    if let Some(ml) = sel.get("matchLabels").and_then(Value::as_object)
        && ml.iter().any(|(k, v)| get(k) != v.as_str())
    {
        return false;
    }
    if let Some(exprs) = sel.get("matchExpressions").and_then(Value::as_array) {
        for e in exprs {
            let key = e.get("key").and_then(Value::as_str).unwrap_or("");
            let values: Vec<&str> = e
                .get("values")
                .and_then(Value::as_array)
                .map(|v| v.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let ok = match e.get("operator").and_then(Value::as_str).unwrap_or("") {
                "In" => get(key).is_some_and(|v| values.contains(&v)),
                "NotIn" => get(key).is_none_or(|v| !values.contains(&v)),
                "Exists" => get(key).is_some(),
                "DoesNotExist" => get(key).is_none(),
                _ => false,
            };
            if !ok {
                return false;
            }
        }
    }
    true
}
