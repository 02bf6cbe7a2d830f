//! The Deployment controller: one ReplicaSet per pod template revision, rolled
//! out with `maxSurge` / `maxUnavailable` (or Recreate), old ReplicaSets scaled
//! down and pruned to `revisionHistoryLimit`, and the status and conditions
//! (`Available`, `Progressing`) a real cluster reports.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Value, json};

use super::common::{int_or_percent, omit_zero, template_hash, template_without_label};
use super::world::{
    Action, annotation, controller_ref, deleting, event, generation, int, name, namespace, now,
    set_condition,
};

/// The annotation with a ReplicaSet's (and its Deployment's) revision.
pub const REVISION: &str = "deployment.kubernetes.io/revision";
const HASH_LABEL: &str = "pod-template-hash";
const COMPONENT: &str = "deployment-controller";

fn revision(rs: &Value) -> i64 {
    annotation(rs, REVISION)
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

/// The changes to a Deployment's ReplicaSets and the Deployment's status,
/// given the ReplicaSets it controls.
pub fn reconcile(dep: &Value, rss: &[Arc<Value>], now_secs: i64) -> Vec<Action> {
    if deleting(dep) {
        return vec![];
    }
    let mut actions = Vec::new();
    let replicas = dep
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let tpl = dep
        .pointer("/spec/template")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let recreate = dep.pointer("/spec/strategy/type").and_then(Value::as_str) == Some("Recreate");
    let paused = dep.pointer("/spec/paused").and_then(Value::as_bool) == Some(true);
    let mut rss: Vec<Arc<Value>> = rss.iter().filter(|r| !deleting(r)).cloned().collect();
    rss.sort_by_key(|r| {
        (
            revision(r),
            r.pointer("/metadata/creationTimestamp")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
        )
    });
    let new_rs = rss
        .iter()
        .find(|r| {
            r.pointer("/spec/template")
                .map(|t| template_without_label(t, HASH_LABEL))
                == Some(template_without_label(&tpl, HASH_LABEL))
        })
        .cloned();
    let olds: Vec<Arc<Value>> = rss
        .iter()
        .filter(|r| new_rs.as_ref().is_none_or(|n| !Arc::ptr_eq(n, r)))
        .cloned()
        .collect();
    let max_rev = rss.iter().map(|r| revision(r)).max().unwrap_or(0);
    let surge = int_or_percent(
        dep.pointer("/spec/strategy/rollingUpdate/maxSurge")
            .unwrap_or(&json!("25%")),
        replicas,
        true,
    );
    let mut unavailable = int_or_percent(
        dep.pointer("/spec/strategy/rollingUpdate/maxUnavailable")
            .unwrap_or(&json!("25%")),
        replicas,
        false,
    );
    if surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    if recreate {
        unavailable = replicas;
    }
    // Desired spec.replicas per ReplicaSet name (only changes are written).
    let mut target: HashMap<String, i64> = rss
        .iter()
        .map(|r| (name(r).to_string(), int(r, "/spec/replicas")))
        .collect();
    let old_total: i64 = olds.iter().map(|r| int(r, "/spec/replicas")).sum();
    let old_pods: i64 = olds.iter().map(|r| int(r, "/status/replicas")).sum();
    let mut created = None;
    let new_name = match &new_rs {
        Some(n) => name(n).to_string(),
        None => {
            let hash = template_hash(&tpl);
            let rs_name = format!("{}-{hash}", name(dep));
            let initial = if paused {
                0
            } else if recreate {
                if old_total > 0 || old_pods > 0 {
                    0
                } else {
                    replicas
                }
            } else if old_total == 0 {
                replicas
            } else {
                (replicas + surge - old_total).clamp(0, replicas)
            };
            let mut rs_tpl = tpl.clone();
            rs_tpl["metadata"]["labels"][HASH_LABEL] = json!(hash);
            let mut selector = dep
                .pointer("/spec/selector")
                .cloned()
                .unwrap_or_else(|| json!({}));
            selector["matchLabels"][HASH_LABEL] = json!(hash);
            let mut labels = tpl
                .pointer("/metadata/labels")
                .cloned()
                .unwrap_or_else(|| json!({}));
            labels[HASH_LABEL] = json!(hash);
            let mut spec = json!({"replicas": initial, "selector": selector, "template": rs_tpl});
            if let Some(m) = dep.pointer("/spec/minReadySeconds") {
                spec["minReadySeconds"] = m.clone();
            }
            let rs = json!({
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "metadata": {
                    "name": rs_name,
                    "namespace": namespace(dep),
                    "labels": labels,
                    "annotations": {
                        "deployment.kubernetes.io/desired-replicas": replicas.to_string(),
                        "deployment.kubernetes.io/max-replicas": (replicas + surge).to_string(),
                        REVISION: (max_rev + 1).to_string(),
                    },
                    "ownerReferences": [controller_ref(dep)],
                },
                "spec": spec,
            });
            let mut rs = rs;
            copy_annotations(dep, &mut rs);
            actions.push(Action::Create(rs));
            if initial > 0 {
                actions.push(scaled(dep, &rs_name, 0, initial));
            }
            created = Some(rs_name.clone());
            target.insert(rs_name.clone(), initial);
            rs_name
        }
    };
    let cur = |t: &HashMap<String, i64>, n: &str| t.get(n).copied().unwrap_or(0);
    if created.is_none() && !paused {
        let new = new_rs.as_ref().expect("new ReplicaSet exists");
        if recreate {
            for o in &olds {
                target.insert(name(o).to_string(), 0);
            }
            if old_pods == 0 {
                target.insert(new_name.clone(), replicas);
            }
        } else {
            // Scale up the new ReplicaSet within maxSurge.
            let all: i64 = target.values().sum();
            let new_cur = cur(&target, &new_name);
            if new_cur > replicas {
                target.insert(new_name.clone(), replicas);
            } else if all < replicas + surge {
                let up = (replicas + surge - all).min(replicas - new_cur);
                if up > 0 {
                    target.insert(new_name.clone(), new_cur + up);
                }
            }
            // Scale down old ReplicaSets within maxUnavailable.
            let all: i64 = target.values().sum();
            let min_available = replicas - unavailable;
            let new_unavailable =
                (int(new, "/spec/replicas") - int(new, "/status/availableReplicas")).max(0);
            let mut budget = all - min_available - new_unavailable;
            // First the old pods that are not available anyway.
            for o in &olds {
                if budget <= 0 {
                    break;
                }
                let unhealthy =
                    (cur(&target, name(o)) - int(o, "/status/availableReplicas")).max(0);
                let n = unhealthy.min(budget);
                if n > 0 {
                    target.insert(name(o).to_string(), cur(&target, name(o)) - n);
                    budget -= n;
                }
            }
            let available: i64 = rss
                .iter()
                .map(|r| int(r, "/status/availableReplicas"))
                .sum();
            let mut scale_down = (available - min_available).min(budget.max(0));
            for o in &olds {
                if scale_down <= 0 {
                    break;
                }
                let n = cur(&target, name(o)).min(scale_down);
                if n > 0 {
                    target.insert(name(o).to_string(), cur(&target, name(o)) - n);
                    scale_down -= n;
                }
            }
        }
    }
    // Write replica changes (and the revision / desired-replicas annotations).
    for r in &rss {
        let want = cur(&target, name(r));
        let is_new = name(r) == new_name;
        let mut updated = (**r).clone();
        let mut changed = false;
        if want != int(r, "/spec/replicas") {
            updated["spec"]["replicas"] = json!(want);
            actions.push(scaled(dep, name(r), int(r, "/spec/replicas"), want));
            changed = true;
        }
        let desired = replicas.to_string();
        let max = (replicas + surge).to_string();
        if annotation(r, "deployment.kubernetes.io/desired-replicas") != Some(desired.as_str())
            && (is_new || want > 0)
        {
            updated["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"] =
                json!(desired);
            updated["metadata"]["annotations"]["deployment.kubernetes.io/max-replicas"] =
                json!(max);
            changed = true;
        }
        if is_new && copy_annotations(dep, &mut updated) {
            changed = true;
        }
        if is_new && revision(r) < max_rev {
            updated["metadata"]["annotations"][REVISION] = json!((max_rev + 1).to_string());
            changed = true;
        }
        if changed {
            actions.push(Action::Update(updated));
        }
    }
    // Prune old ReplicaSets beyond the history limit.
    let limit = dep
        .pointer("/spec/revisionHistoryLimit")
        .and_then(Value::as_i64)
        .unwrap_or(10);
    let idle: Vec<&Arc<Value>> = olds
        .iter()
        .filter(|o| int(o, "/spec/replicas") == 0 && int(o, "/status/replicas") == 0)
        .collect();
    if idle.len() as i64 > limit {
        for o in idle.iter().take(idle.len() - limit as usize) {
            actions.push(Action::delete(o));
        }
    }
    // The Deployment's revision annotation.
    let new_rev = match (&new_rs, &created) {
        (_, Some(_)) => max_rev + 1,
        (Some(n), None) => revision(n).max(if revision(n) < max_rev {
            max_rev + 1
        } else {
            0
        }),
        _ => 0,
    };
    if new_rev > 0 && annotation(dep, REVISION) != Some(new_rev.to_string().as_str()) {
        let mut d = dep.clone();
        d["metadata"]["annotations"][REVISION] = json!(new_rev.to_string());
        actions.push(Action::Update(d));
    }
    actions.extend(status(
        dep,
        &rss,
        new_rs.as_deref(),
        &new_name,
        created.is_some(),
        replicas,
        unavailable,
        now_secs,
    ));
    actions
}

fn scaled(dep: &Value, rs: &str, from: i64, to: i64) -> Action {
    let dir = if to > from { "up" } else { "down" };
    Action::Event(event(
        dep,
        "Normal",
        "ScalingReplicaSet",
        &format!("Scaled {dir} replica set {rs} from {from} to {to}"),
        COMPONENT,
    ))
}

fn parse_time(s: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.timestamp())
        .unwrap_or(0)
}

#[allow(clippy::too_many_arguments)]
fn status(
    dep: &Value,
    rss: &[Arc<Value>],
    new_rs: Option<&Value>,
    new_name: &str,
    created: bool,
    replicas: i64,
    max_unavailable: i64,
    now_secs: i64,
) -> Vec<Action> {
    let old = dep.get("status").cloned().unwrap_or_else(|| json!({}));
    let sum = |p: &str| -> i64 { rss.iter().map(|r| int(r, p)).sum() };
    let spec_total = sum("/spec/replicas");
    let available = sum("/status/availableReplicas");
    let updated = new_rs.map(|n| int(n, "/status/replicas")).unwrap_or(0);
    let mut st = json!({
        "observedGeneration": generation(dep),
        "replicas": sum("/status/replicas"),
        "updatedReplicas": updated,
        "readyReplicas": sum("/status/readyReplicas"),
        "availableReplicas": available,
        "unavailableReplicas": (spec_total - available).max(0),
    });
    omit_zero(&mut st, &[]);
    if let Some(c) = old.get("conditions") {
        st["conditions"] = c.clone();
    }
    let ts = now();
    let cond = |ty: &str, ok: bool, reason: &str, msg: String| json!({"type": ty, "status": if ok { "True" } else { "False" }, "lastUpdateTime": ts, "lastTransitionTime": ts, "reason": reason, "message": msg});
    let min_ok = available >= replicas - max_unavailable;
    let (reason, msg) = if min_ok {
        (
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.",
        )
    } else {
        (
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
        )
    };
    set_condition(&mut st, cond("Available", min_ok, reason, msg.into()), true);
    let complete = updated == replicas
        && int(&st, "/replicas") == replicas
        && available == replicas
        && new_rs.is_some_and(|n| int(n, "/spec/replicas") == replicas);
    let old_prog = old
        .get("conditions")
        .and_then(Value::as_array)
        .and_then(|cs| {
            cs.iter()
                .find(|c| c.get("type").and_then(Value::as_str) == Some("Progressing"))
        })
        .cloned();
    let progressed = ["updatedReplicas", "readyReplicas", "availableReplicas"]
        .iter()
        .any(|k| int(&st, &format!("/{k}")) > int(&old, &format!("/{k}")))
        || int(&st, "/replicas") < int(&old, "/replicas");
    let deadline = dep
        .pointer("/spec/progressDeadlineSeconds")
        .and_then(Value::as_i64)
        .unwrap_or(600);
    let prog = if dep.pointer("/spec/paused").and_then(Value::as_bool) == Some(true) {
        let mut c = cond(
            "Progressing",
            false,
            "DeploymentPaused",
            "Deployment is paused".into(),
        );
        c["status"] = json!("Unknown");
        c
    } else if old_prog
        .as_ref()
        .is_some_and(|c| c["reason"] == "DeploymentPaused")
    {
        cond(
            "Progressing",
            true,
            "DeploymentResumed",
            "Deployment is resumed".into(),
        )
    } else if created {
        cond(
            "Progressing",
            true,
            "NewReplicaSetCreated",
            format!("Created new replica set \"{new_name}\""),
        )
    } else if complete {
        cond(
            "Progressing",
            true,
            "NewReplicaSetAvailable",
            format!("ReplicaSet \"{new_name}\" has successfully progressed."),
        )
    } else if let (false, Some(old_prog)) = (progressed, old_prog.clone()) {
        let since = old_prog
            .get("lastUpdateTime")
            .and_then(Value::as_str)
            .map(parse_time)
            .unwrap_or(now_secs);
        let reason = old_prog.get("reason").and_then(Value::as_str).unwrap_or("");
        if reason == "NewReplicaSetAvailable" {
            // After a successful rollout, progress is not estimated again.
            old_prog
        } else if reason == "ProgressDeadlineExceeded" || now_secs - since > deadline {
            cond(
                "Progressing",
                false,
                "ProgressDeadlineExceeded",
                format!("ReplicaSet \"{new_name}\" has timed out progressing."),
            )
        } else {
            old_prog
        }
    } else {
        let mut c = cond(
            "Progressing",
            true,
            "ReplicaSetUpdated",
            format!("ReplicaSet \"{new_name}\" is progressing."),
        );
        if !progressed {
            c["lastUpdateTime"] = json!(ts);
        }
        c
    };
    // A progress resets lastUpdateTime; otherwise keep it.
    let keep_update = !progressed;
    set_condition(&mut st, prog, keep_update);
    if st != old {
        let mut d = dep.clone();
        d["status"] = st;
        vec![Action::UpdateStatus(d)]
    } else {
        vec![]
    }
}

/// Annotations a Deployment does not hand down to its ReplicaSets.
const NOT_COPIED: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION,
    "deployment.kubernetes.io/revision-history",
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
    "deprecated.deployment.rollback.to",
];

/// Copies the Deployment's annotations onto its new ReplicaSet, as the real
/// controller does; returns whether anything changed.
fn copy_annotations(dep: &Value, rs: &mut Value) -> bool {
    let Some(src) = dep
        .pointer("/metadata/annotations")
        .and_then(Value::as_object)
    else {
        return false;
    };
    let mut changed = false;
    for (k, v) in src {
        if NOT_COPIED.contains(&k.as_str()) {
            continue;
        }
        if rs.pointer("/metadata/annotations").and_then(|a| a.get(k)) != Some(v) {
            rs["metadata"]["annotations"][k] = v.clone();
            changed = true;
        }
    }
    changed
}
