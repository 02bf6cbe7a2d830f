//! Job (gitops-engine `health_job.go`) and CronJob (Argo CD's `batch/CronJob` check).

use crate::fields::{at, flag, list, text};
use driftless_core::{Health, HealthStatus};
use serde_json::Value;

/// Job: Failed → Degraded, Complete → Healthy, Suspended → Suspended, else Progressing.
pub fn job(obj: &Value) -> Option<Health> {
    let (mut failed, mut complete, mut suspended) = (false, false, false);
    let (mut fail_msg, mut message) = ("", "");
    for c in list(obj, "/status/conditions") {
        let msg = text(c, "/message");
        match text(c, "/type") {
            "Failed" => {
                failed = true;
                complete = true;
                fail_msg = msg;
            }
            "Complete" => {
                complete = true;
                message = msg;
            }
            "Suspended" => {
                complete = true;
                message = msg;
                suspended |= text(c, "/status") == "True";
            }
            _ => {}
        }
    }
    Some(if !complete {
        Health::new(HealthStatus::Progressing, message)
    } else if failed {
        Health::new(HealthStatus::Degraded, fail_msg)
    } else if suspended {
        Health::new(HealthStatus::Suspended, fail_msg)
    } else {
        Health::new(HealthStatus::Healthy, message)
    })
}

/// CronJob, as Argo CD's `batch/CronJob/health.lua`: suspended → Healthy
/// "CronJob is Suspended" (Argo CD's choice until argo-cd#24428 is fixed); a
/// last run that did not succeed → Degraded.
pub fn cron_job(obj: &Value) -> Option<Health> {
    if flag(obj, "/spec/suspend") {
        return Some(Health::new(HealthStatus::Healthy, "CronJob is Suspended"));
    }
    if at(obj, "/status").is_none() {
        return Some(Health::new(
            HealthStatus::Progressing,
            "Waiting for CronJob",
        ));
    }
    let Some(scheduled) = at(obj, "/status/lastScheduleTime").and_then(Value::as_str) else {
        return Some(Health::new(
            HealthStatus::Healthy,
            "CronJob has not been scheduled yet",
        ));
    };
    let Some(succeeded) = at(obj, "/status/lastSuccessfulTime").and_then(Value::as_str) else {
        return Some(Health::new(
            HealthStatus::Healthy,
            "The CronJob never completed successfully. It may not be healthy",
        ));
    };
    if !list(obj, "/status/active").is_empty() {
        return Some(Health::new(
            HealthStatus::Healthy,
            "The job is running. Its last execution may not have been successful",
        ));
    }
    // RFC 3339 timestamps in UTC compare correctly as strings.
    if succeeded < scheduled {
        return Some(Health::new(
            HealthStatus::Degraded,
            "CronJob has not completed its last execution successfully",
        ));
    }
    Some(Health::new(
        HealthStatus::Healthy,
        "CronJob has completed its last execution successfully",
    ))
}
