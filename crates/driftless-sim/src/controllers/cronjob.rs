//! The CronJob controller: creates a Job at each scheduled time (honouring
//! `suspend`, `concurrencyPolicy`, `startingDeadlineSeconds`), tracks `active`,
//! `lastScheduleTime`, `lastSuccessfulTime`, and prunes finished Jobs beyond the history limits.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::cron::Schedule;
use super::job::finished;
use super::world::{
    Action, condition_status, controller_ref, deleting, event, name, namespace, uid,
};

const COMPONENT: &str = "cronjob-controller";

fn time(v: Option<&Value>) -> Option<DateTime<Utc>> {
    v.and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.to_utc())
}

fn fmt(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The most recent scheduled time in `(after, now]`, if any.
pub fn most_recent(
    schedule: &Schedule,
    after: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let mut t = schedule.next_after(after)?;
    if t > now {
        return None;
    }
    for _ in 0..10_000 {
        match schedule.next_after(t) {
            Some(n) if n <= now => t = n,
            _ => break,
        }
    }
    Some(t)
}

/// Deletes job `j` of CronJob `cj`, with the controller's event.
fn delete_job(actions: &mut Vec<Action>, cj: &Value, j: &Value) {
    let message = format!("Deleted job {}", name(j));
    actions.extend(Action::delete_by(cj, j, &message, COMPONENT));
}

/// The changes for one CronJob at time `now`, given the Jobs it controls.
pub fn reconcile(cj: &Value, jobs: &[Arc<Value>], now: DateTime<Utc>) -> Vec<Action> {
    if deleting(cj) {
        return vec![];
    }
    let mut actions = Vec::new();
    let old = cj.get("status").cloned().unwrap_or_else(|| json!({}));
    let mut st = old.clone();
    let mut jobs: Vec<&Arc<Value>> = jobs.iter().filter(|j| !deleting(j)).collect();
    jobs.sort_by_key(|j| {
        j.pointer("/metadata/creationTimestamp")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    });
    let active: Vec<&&Arc<Value>> = jobs.iter().filter(|j| !finished(j)).collect();
    let succeeded: Vec<&&Arc<Value>> = jobs
        .iter()
        .filter(|j| condition_status(j, "Complete") == Some("True"))
        .collect();
    let failed: Vec<&&Arc<Value>> = jobs
        .iter()
        .filter(|j| condition_status(j, "Failed") == Some("True"))
        .collect();
    if let Some(t) = succeeded
        .iter()
        .filter_map(|j| time(j.pointer("/status/completionTime")))
        .max()
    {
        st["lastSuccessfulTime"] = json!(fmt(t));
    }
    // History limits.
    for (list, key, default) in [
        (&succeeded, "successfulJobsHistoryLimit", 3),
        (&failed, "failedJobsHistoryLimit", 1),
    ] {
        let limit = cj
            .pointer(&format!("/spec/{key}"))
            .and_then(Value::as_i64)
            .unwrap_or(default)
            .max(0) as usize;
        if list.len() > limit {
            for j in list.iter().take(list.len() - limit) {
                delete_job(&mut actions, cj, j);
            }
        }
    }
    let suspended = cj.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true);
    let schedule = cj
        .pointer("/spec/schedule")
        .and_then(Value::as_str)
        .and_then(|s| Schedule::parse(s).ok());
    if let (false, Some(schedule)) = (suspended, schedule) {
        let last = time(old.get("lastScheduleTime"))
            .or_else(|| time(cj.pointer("/metadata/creationTimestamp")))
            .unwrap_or(now);
        if let Some(due) = most_recent(&schedule, last, now) {
            let too_late = cj
                .pointer("/spec/startingDeadlineSeconds")
                .and_then(Value::as_i64)
                .is_some_and(|d| (now - due).num_seconds() > d);
            let policy = cj
                .pointer("/spec/concurrencyPolicy")
                .and_then(Value::as_str)
                .unwrap_or("Allow");
            let job_name = format!("{}-{}", name(cj), due.timestamp() / 60);
            let exists = jobs.iter().any(|j| name(j) == job_name);
            if !too_late && !exists && (policy != "Forbid" || active.is_empty()) {
                if policy == "Replace" {
                    for j in &active {
                        delete_job(&mut actions, cj, j);
                    }
                }
                let tpl = cj
                    .pointer("/spec/jobTemplate")
                    .cloned()
                    .unwrap_or_else(|| json!({}));
                let mut meta = json!({"name": job_name, "namespace": namespace(cj), "ownerReferences": [controller_ref(cj)]});
                if let Some(l) = tpl.pointer("/metadata/labels") {
                    meta["labels"] = l.clone();
                }
                let mut ann = tpl
                    .pointer("/metadata/annotations")
                    .cloned()
                    .unwrap_or_else(|| json!({}));
                ann["batch.kubernetes.io/cronjob-scheduled-timestamp"] =
                    json!(due.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
                meta["annotations"] = ann;
                let job = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": meta, "spec": tpl.get("spec").cloned().unwrap_or_else(|| json!({}))});
                actions.push(Action::Create(job));
                actions.push(Action::Event(event(
                    cj,
                    "Normal",
                    "SuccessfulCreate",
                    &format!("Created job {job_name}"),
                    COMPONENT,
                )));
                st["lastScheduleTime"] = json!(fmt(due));
            } else if !exists {
                st["lastScheduleTime"] = json!(fmt(due));
            }
        }
    }
    let refs: Vec<Value> = active
        .iter()
        .map(|j| json!({"kind": "Job", "namespace": namespace(j), "name": name(j), "uid": uid(j), "apiVersion": "batch/v1",
                         "resourceVersion": j.pointer("/metadata/resourceVersion").cloned().unwrap_or(Value::Null)}))
        .collect();
    if refs.is_empty() {
        if let Some(m) = st.as_object_mut() {
            m.shift_remove("active");
        }
    } else {
        st["active"] = json!(refs);
    }
    if st != old {
        let mut c = cj.clone();
        c["status"] = st;
        actions.insert(0, Action::UpdateStatus(c));
    }
    actions
}
