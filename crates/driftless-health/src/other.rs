//! HorizontalPodAutoscaler, APIService, CustomResourceDefinition, Argo CD
//! Application and the generic `status.conditions` check.

use crate::fields::{at, int, list, text};
use driftless_core::{Health, HealthStatus};
use serde_json::Value;

/// HorizontalPodAutoscaler (v1 conditions annotation or v2 `status.conditions`).
pub fn hpa(obj: &Value) -> Option<Health> {
    let from_annotation: Vec<Value>;
    let conditions: &[Value] = match at(
        obj,
        "/metadata/annotations/autoscaling.alpha.kubernetes.io~1conditions",
    )
    .and_then(Value::as_str)
    {
        Some(json) => match serde_json::from_str::<Vec<Value>>(json) {
            Ok(v) => {
                from_annotation = v;
                &from_annotation
            }
            Err(e) => {
                return Some(Health::new(
                    HealthStatus::Unknown,
                    format!("invalid autoscaling.alpha.kubernetes.io/conditions annotation: {e}"),
                ));
            }
        },
        None => list(obj, "/status/conditions"),
    };
    const DEGRADED: [(&str, &str); 4] = [
        ("AbleToScale", "FailedGetScale"),
        ("AbleToScale", "FailedUpdateScale"),
        ("ScalingActive", "FailedGetResourceMetric"),
        ("ScalingActive", "InvalidSelector"),
    ];
    for c in conditions {
        let (kind, reason, msg) = (text(c, "/type"), text(c, "/reason"), text(c, "/message"));
        if DEGRADED.contains(&(kind, reason)) {
            return Some(Health::new(HealthStatus::Degraded, msg));
        }
        if matches!(kind, "AbleToScale" | "ScalingLimited") && text(c, "/status") == "True" {
            return Some(Health::new(HealthStatus::Healthy, msg));
        }
    }
    Some(Health::new(
        HealthStatus::Progressing,
        "Waiting to Autoscale",
    ))
}

/// APIService: the `Available` condition decides.
pub fn api_service(obj: &Value) -> Option<Health> {
    for c in list(obj, "/status/conditions") {
        if text(c, "/type") == "Available" {
            let msg = format!("{}: {}", text(c, "/reason"), text(c, "/message"));
            let status = if text(c, "/status") == "True" {
                HealthStatus::Healthy
            } else {
                HealthStatus::Progressing
            };
            return Some(Health::new(status, msg));
        }
    }
    Some(Health::new(
        HealthStatus::Progressing,
        "Waiting to be processed",
    ))
}

/// CustomResourceDefinition, as Argo CD's
/// `apiextensions.k8s.io/CustomResourceDefinition/health.lua`: the first
/// condition that says Terminating, NamesAccepted False, NonStructuralSchema
/// or Established Installing decides; else Healthy once Established.
pub fn crd(obj: &Value) -> Option<Health> {
    if at(obj, "/metadata/deletionTimestamp").is_some() {
        return Some(Health::new(HealthStatus::Progressing, "CRD is terminating"));
    }
    let conditions = list(obj, "/status/conditions");
    if conditions.is_empty() {
        return Some(Health::new(
            HealthStatus::Progressing,
            "Status conditions not found",
        ));
    }
    let mut established = false;
    for c in conditions {
        let (status, msg) = (text(c, "/status"), text(c, "/message"));
        let verdict = match (text(c, "/type"), status) {
            ("Terminating", "True") => Some((
                HealthStatus::Progressing,
                format!("CRD is terminating: {msg}"),
            )),
            ("NamesAccepted", "False") => Some((
                HealthStatus::Degraded,
                format!("CRD names have not been accepted: {msg}"),
            )),
            ("NonStructuralSchema", "True") => Some((
                HealthStatus::Degraded,
                format!("Schema violations found: {msg}"),
            )),
            ("Established", "True") => {
                established = true;
                None
            }
            ("Established", _) if text(c, "/reason") == "Installing" => Some((
                HealthStatus::Progressing,
                "CRD is being installed".to_string(),
            )),
            _ => None,
        };
        if let Some((status, msg)) = verdict {
            return Some(Health::new(status, msg));
        }
    }
    Some(if established {
        Health::new(HealthStatus::Healthy, "CRD is healthy")
    } else {
        Health::new(HealthStatus::Degraded, "CRD is not established")
    })
}

/// Argo CD `Application` (Argo CD dropped its built-in check in 1.8; users add it back in Lua).
/// Built in here so sync waves on child Applications (app of apps) order them: a child counts
/// as Healthy only once it is Synced and its resources are Healthy.
/// - an operation requested (`operation`) or running (`status.operationState.phase` `Running`
///   or `Terminating`) → Progressing;
/// - no `status.health` yet → Progressing;
/// - not Synced after a failed sync (`phase` `Failed` / `Error`) → Degraded with its message;
/// - Healthy or Missing but not Synced → Progressing (it is about to be synced);
/// - otherwise its own `status.health`.
pub fn application(obj: &Value) -> Option<Health> {
    let progressing = |msg: String| Some(Health::new(HealthStatus::Progressing, msg));
    let phase = text(obj, "/status/operationState/phase");
    if crate::fields::at(obj, "/operation").is_some_and(|o| !o.is_null())
        || matches!(phase, "Running" | "Terminating")
    {
        return progressing("an operation is in progress".into());
    }
    let status = match text(obj, "/status/health/status") {
        "" => return progressing(String::new()),
        s => crate::parse_status(s).unwrap_or(HealthStatus::Unknown),
    };
    let sync = text(obj, "/status/sync/status");
    if sync != "Synced" {
        let sync = if sync.is_empty() { "Unknown" } else { sync };
        if matches!(phase, "Failed" | "Error") {
            let msg = text(obj, "/status/operationState/message");
            return Some(Health::new(
                HealthStatus::Degraded,
                format!("sync {}: {msg}", phase.to_lowercase()),
            ));
        }
        if matches!(status, HealthStatus::Healthy | HealthStatus::Missing) {
            return progressing(format!("waiting to be synced (sync status {sync})"));
        }
    }
    Some(Health::new(status, text(obj, "/status/health/message")))
}

/// Argo Workflow (`argoproj.io/Workflow`), a Go-coded rule in Argo CD: phase
/// empty / Pending / Running → Progressing, Succeeded → Healthy, Failed /
/// Error → Degraded, anything else Unknown; the message is `status.message`.
pub fn argo_workflow(obj: &Value) -> Option<Health> {
    let status = match text(obj, "/status/phase") {
        "" | "Pending" | "Running" => HealthStatus::Progressing,
        "Succeeded" => HealthStatus::Healthy,
        "Failed" | "Error" => HealthStatus::Degraded,
        _ => HealthStatus::Unknown,
    };
    Some(Health::new(status, text(obj, "/status/message")))
}

/// Generic check for kinds without a rule of their own.
///
/// Looks at `status.conditions` for `Ready`, else `Available`:
/// `True` → Healthy; `Unknown` → Progressing; `False` → Progressing when the
/// reason says the object is still working (contains `Progress`, `Reconcil`,
/// `Pending`, `Creating` or `Waiting`), Degraded otherwise. A
/// `status.observedGeneration` behind `metadata.generation` is Progressing.
/// Objects with neither condition have no health (`None`).
pub fn generic(obj: &Value) -> Option<Health> {
    let cond = crate::fields::condition(obj, "/status/conditions", "Ready")
        .or_else(|| crate::fields::condition(obj, "/status/conditions", "Available"))?;
    if let Some(observed) = crate::fields::opt_int(obj, "/status/observedGeneration")
        && int(obj, "/metadata/generation") > observed
    {
        return Some(Health::new(
            HealthStatus::Progressing,
            "Waiting for the controller to observe the latest generation",
        ));
    }
    let msg = text(cond, "/message");
    let reason = text(cond, "/reason");
    let status = match text(cond, "/status") {
        "True" => HealthStatus::Healthy,
        "False" => {
            const BUSY: [&str; 5] = ["Progress", "Reconcil", "Pending", "Creating", "Waiting"];
            if BUSY.iter().any(|w| reason.contains(w)) {
                HealthStatus::Progressing
            } else {
                HealthStatus::Degraded
            }
        }
        _ => HealthStatus::Progressing,
    };
    let msg = if msg.is_empty() { reason } else { msg };
    Some(Health::new(status, msg))
}
