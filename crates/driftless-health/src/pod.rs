//! Pod health (gitops-engine `health_pod.go`).

use crate::fields::{at, condition, list, text};
use driftless_core::{Health, HealthStatus};
use serde_json::Value;

/// Pod health.
///
/// With `restartPolicy: Always` (the API server's default, also assumed when
/// the field is absent) a container waiting with a reason starting with `Err`
/// or ending in `Error`/`BackOff` (`CrashLoopBackOff`, `ImagePullBackOff`,
/// `ErrImagePull`, `CreateContainerConfigError`…) makes the pod Degraded.
/// Pods with `OnFailure`/`Never` are usually hooks: they stay Progressing while
/// running and are judged on their phase.
pub fn pod(obj: &Value) -> Option<Health> {
    let policy = match text(obj, "/spec/restartPolicy") {
        "" => "Always",
        p => p,
    };
    let message = text(obj, "/status/message");
    if policy == "Always" {
        let waiting: Vec<&str> = list(obj, "/status/containerStatuses")
            .iter()
            .filter_map(|c| c.pointer("/state/waiting"))
            .filter(|w| {
                let r = w.get("reason").and_then(Value::as_str).unwrap_or("");
                r.starts_with("Err") || r.ends_with("Error") || r.ends_with("BackOff")
            })
            .map(|w| w.get("message").and_then(Value::as_str).unwrap_or(""))
            .collect();
        if !waiting.is_empty() {
            return Some(Health::new(HealthStatus::Degraded, waiting.join(", ")));
        }
    }
    let status = match text(obj, "/status/phase") {
        "Pending" => HealthStatus::Progressing,
        "Succeeded" => HealthStatus::Healthy,
        "Failed" => {
            if !message.is_empty() {
                return Some(Health::new(HealthStatus::Degraded, message));
            }
            let statuses = list(obj, "/status/initContainerStatuses")
                .iter()
                .chain(list(obj, "/status/containerStatuses"));
            let msg = statuses.filter_map(fail_message).next().unwrap_or_default();
            return Some(Health::new(HealthStatus::Degraded, msg));
        }
        "Running" => match policy {
            "Always" => {
                let ready = condition(obj, "/status/conditions", "Ready")
                    .and_then(|c| c.get("status"))
                    .and_then(Value::as_str)
                    == Some("True");
                if ready {
                    HealthStatus::Healthy
                } else if list(obj, "/status/containerStatuses")
                    .iter()
                    .any(|c| at(c, "/lastState/terminated").is_some())
                {
                    HealthStatus::Degraded
                } else {
                    HealthStatus::Progressing
                }
            }
            "OnFailure" | "Never" => HealthStatus::Progressing,
            _ => HealthStatus::Unknown,
        },
        _ => HealthStatus::Unknown,
    };
    Some(Health::new(status, message))
}

fn fail_message(ctr: &Value) -> Option<String> {
    let t = at(ctr, "/state/terminated")?;
    let msg = text(t, "/message");
    if !msg.is_empty() {
        return Some(msg.to_string());
    }
    if text(t, "/reason") == "OOMKilled" {
        return Some("OOMKilled".into());
    }
    let code = crate::fields::int(t, "/exitCode");
    (code != 0).then(|| {
        format!(
            "container {:?} failed with exit code {code}",
            text(ctr, "/name")
        )
    })
}
