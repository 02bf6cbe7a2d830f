//! The Job controller: runs `parallelism` pods until `completions` succeed (or
//! `backoffLimit` failures), with `Indexed` completion, `suspend`,
//! `activeDeadlineSeconds`, and the 1.32 status (`ready`, `terminating`,
//! `uncountedTerminatedPods`, `SuccessCriteriaMet` + `Complete`, `FailureTarget` + `Failed`).

use std::sync::Arc;

use serde_json::{Value, json};

use super::common::{pod_from_template, suffix};
use super::world::{
    Action, condition_status, deleting, event, int, name, now, pod_ready, set_condition,
};

const COMPONENT: &str = "job-controller";
const INDEX: &str = "batch.kubernetes.io/job-completion-index";

fn phase(p: &Value) -> &str {
    p.pointer("/status/phase")
        .and_then(Value::as_str)
        .unwrap_or("Pending")
}

fn index_of(p: &Value) -> Option<i64> {
    p.pointer("/metadata/annotations")
        .and_then(|a| a.get(INDEX))
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
}

/// Whether the Job has finished (`Complete` or `Failed`).
pub fn finished(job: &Value) -> bool {
    condition_status(job, "Complete") == Some("True")
        || condition_status(job, "Failed") == Some("True")
}

/// Compresses sorted indexes into `0-2,5` form.
fn ranges(mut idx: Vec<i64>) -> String {
    idx.sort_unstable();
    idx.dedup();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && idx[j + 1] == idx[j] + 1 {
            j += 1;
        }
        out.push(if i == j {
            idx[i].to_string()
        } else {
            format!("{}-{}", idx[i], idx[j])
        });
        i = j + 1;
    }
    out.join(",")
}

/// The changes for one Job, given the pods it controls; `now_secs` is the current Unix time.
pub fn reconcile(job: &Value, pods: &[Arc<Value>], now_secs: i64) -> Vec<Action> {
    if deleting(job) {
        return vec![];
    }
    let mut actions = Vec::new();
    let old = job.get("status").cloned().unwrap_or_else(|| json!({}));
    let mut st = old.clone();
    let ts = now();
    let indexed = job.pointer("/spec/completionMode").and_then(Value::as_str) == Some("Indexed");
    let completions = job.pointer("/spec/completions").and_then(Value::as_i64);
    let parallelism = job
        .pointer("/spec/parallelism")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let backoff = job
        .pointer("/spec/backoffLimit")
        .and_then(Value::as_i64)
        .unwrap_or(6);
    let suspended = job.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true);
    let active: Vec<&Arc<Value>> = pods
        .iter()
        .filter(|p| !deleting(p) && !matches!(phase(p), "Succeeded" | "Failed"))
        .collect();
    let succeeded_pods: Vec<&Arc<Value>> =
        pods.iter().filter(|p| phase(p) == "Succeeded").collect();
    let failed = pods.iter().filter(|p| phase(p) == "Failed").count() as i64;
    let succeeded_idx: Vec<i64> = succeeded_pods.iter().filter_map(|p| index_of(p)).collect();
    let succeeded = if indexed {
        let mut s = succeeded_idx.clone();
        s.sort_unstable();
        s.dedup();
        s.len() as i64
    } else {
        succeeded_pods.len() as i64
    };
    let done = finished(job);
    if !done {
        let complete = match completions {
            Some(c) => succeeded >= c,
            None => succeeded > 0 && active.is_empty(),
        };
        let deadline = job
            .pointer("/spec/activeDeadlineSeconds")
            .and_then(Value::as_i64);
        let started = old
            .get("startTime")
            .and_then(Value::as_str)
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            .map(|t| t.timestamp());
        let failure = if failed > backoff {
            Some((
                "BackoffLimitExceeded",
                "Job has reached the specified backoff limit",
            ))
        } else if deadline
            .zip(started)
            .is_some_and(|(d, s)| now_secs - s >= d)
        {
            Some((
                "DeadlineExceeded",
                "Job was active longer than specified deadline",
            ))
        } else {
            None
        };
        let cond = |ty: &str, reason: &str, msg: &str| json!({"type": ty, "status": "True", "lastProbeTime": ts, "lastTransitionTime": ts, "reason": reason, "message": msg});
        if complete {
            set_condition(
                &mut st,
                cond(
                    "SuccessCriteriaMet",
                    "CompletionsReached",
                    "Reached expected number of succeeded pods",
                ),
                false,
            );
            set_condition(
                &mut st,
                cond(
                    "Complete",
                    "CompletionsReached",
                    "Reached expected number of succeeded pods",
                ),
                false,
            );
            st["completionTime"] = json!(ts);
            actions.push(Action::Event(event(
                job,
                "Normal",
                "Completed",
                "Job completed",
                COMPONENT,
            )));
        } else if let Some((reason, msg)) = failure {
            set_condition(&mut st, cond("FailureTarget", reason, msg), false);
            set_condition(&mut st, cond("Failed", reason, msg), false);
            for p in &active {
                actions.push(Action::delete(p));
            }
            actions.push(Action::Event(event(job, "Warning", reason, msg, COMPONENT)));
        } else if suspended {
            for p in &active {
                actions.push(Action::delete(p));
            }
            set_condition(
                &mut st,
                json!({"type": "Suspended", "status": "True", "lastProbeTime": ts, "lastTransitionTime": ts, "reason": "JobSuspended", "message": "Job suspended"}),
                false,
            );
        } else {
            if condition_status(job, "Suspended") == Some("True") {
                set_condition(
                    &mut st,
                    json!({"type": "Suspended", "status": "False", "lastProbeTime": ts, "lastTransitionTime": ts, "reason": "JobResumed", "message": "Job resumed"}),
                    false,
                );
            }
            if st.get("startTime").is_none() {
                st["startTime"] = json!(ts);
            }
            let tpl = job
                .pointer("/spec/template")
                .cloned()
                .unwrap_or_else(|| json!({}));
            let remaining = completions.map(|c| c - succeeded).unwrap_or(parallelism);
            let want = parallelism.min(remaining.max(0)) - active.len() as i64;
            if want > 0 {
                let busy: Vec<i64> = active.iter().filter_map(|p| index_of(p)).collect();
                let mut next_index = (0..completions.unwrap_or(0))
                    .filter(|i| !succeeded_idx.contains(i) && !busy.contains(i));
                for _ in 0..want.min(500) {
                    let (pod_name, extra, index) = if indexed {
                        let Some(i) = next_index.next() else { break };
                        (
                            format!("{}-{i}-{}", name(job), suffix()),
                            vec![(INDEX, i.to_string())],
                            Some(i),
                        )
                    } else {
                        (format!("{}-{}", name(job), suffix()), vec![], None)
                    };
                    let mut pod = pod_from_template(
                        &tpl,
                        job,
                        &pod_name,
                        Some(&format!("{}-", name(job))),
                        &extra,
                    );
                    if let Some(i) = index {
                        pod["metadata"]["annotations"][INDEX] = json!(i.to_string());
                        pod["spec"]["hostname"] = json!(format!("{}-{i}", name(job)));
                    }
                    actions.push(Action::Create(pod));
                    actions.push(Action::Event(event(
                        job,
                        "Normal",
                        "SuccessfulCreate",
                        &format!("Created pod: {pod_name}"),
                        COMPONENT,
                    )));
                }
            }
        }
    }
    let set_count = |st: &mut Value, k: &str, v: i64| {
        if v > 0 {
            st[k] = json!(v);
        } else if let Some(m) = st.as_object_mut() {
            m.shift_remove(k);
        }
    };
    let finished_now = st.pointer("/completionTime").is_some()
        || condition_status(&json!({"status": st.clone()}), "Failed") == Some("True");
    set_count(
        &mut st,
        "active",
        if finished_now { 0 } else { active.len() as i64 },
    );
    set_count(&mut st, "succeeded", succeeded);
    set_count(&mut st, "failed", failed);
    st["ready"] = json!(if finished_now {
        0
    } else {
        active.iter().filter(|p| pod_ready(p)).count()
    });
    st["terminating"] = json!(0);
    st["uncountedTerminatedPods"] = json!({});
    if indexed && !succeeded_idx.is_empty() {
        st["completedIndexes"] = json!(ranges(succeeded_idx));
    }
    let _ = int;
    if st != old {
        let mut j = job.clone();
        j["status"] = st;
        actions.insert(0, Action::UpdateStatus(j));
    }
    actions
}

/// The TTL-after-finished controller: a finished Job with
/// `ttlSecondsAfterFinished` is deleted (with its pods) once the TTL has passed
/// since it finished. Returns the delete, or whether the Job still waits for it.
pub fn ttl_after_finished(job: &Value, now_secs: i64) -> (Option<Action>, bool) {
    let Some(ttl) = job
        .pointer("/spec/ttlSecondsAfterFinished")
        .and_then(Value::as_i64)
    else {
        return (None, false);
    };
    if deleting(job) || !finished(job) {
        return (None, false);
    }
    let finished_at = job
        .pointer("/status/completionTime")
        .and_then(Value::as_str)
        .or_else(|| {
            job.pointer("/status/conditions")?
                .as_array()?
                .iter()
                .find(|c| c.get("type").and_then(Value::as_str) == Some("Failed"))?
                .get("lastTransitionTime")?
                .as_str()
        })
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.timestamp())
        .unwrap_or(now_secs);
    if now_secs >= finished_at + ttl {
        (Some(Action::delete(job)), false)
    } else {
        (None, true)
    }
}
