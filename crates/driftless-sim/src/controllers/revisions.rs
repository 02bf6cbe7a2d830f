//! ControllerRevisions of StatefulSets and DaemonSets (what `kubectl rollout
//! history` and `rollout undo` read), and the PodDisruptionBudget status.

use std::sync::Arc;

use serde_json::{Value, json};

use super::common::int_or_percent;
use super::world::{
    Action, World, controller_ref, deleting, generation, int, name, namespace, pod_ready,
    pod_terminated, set_condition,
};

/// The ControllerRevision a StatefulSet or DaemonSet should have for its
/// current template (`<name>-<hash>`), created when missing, plus pruning of
/// revisions beyond `revisionHistoryLimit` (the current one is always kept).
pub fn reconcile_revisions(owner: &Value, hash: &str, revisions: &[Arc<Value>]) -> Vec<Action> {
    if deleting(owner) {
        return vec![];
    }
    let rev_name = format!("{}-{hash}", name(owner));
    let mut actions = Vec::new();
    let max = revisions
        .iter()
        .map(|r| int(r, "/revision"))
        .max()
        .unwrap_or(0);
    let current = revisions.iter().find(|r| name(r) == rev_name);
    if current.is_none() {
        let mut tpl = owner
            .pointer("/spec/template")
            .cloned()
            .unwrap_or_else(|| json!({}));
        tpl["$patch"] = json!("replace");
        let mut labels = owner
            .pointer("/spec/selector/matchLabels")
            .cloned()
            .unwrap_or_else(|| json!({}));
        labels["controller.kubernetes.io/hash"] = json!(hash);
        actions.push(Action::Create(json!({
            "apiVersion": "apps/v1",
            "kind": "ControllerRevision",
            "metadata": {"name": rev_name, "namespace": namespace(owner), "labels": labels, "ownerReferences": [controller_ref(owner)]},
            "data": {"spec": {"template": tpl}},
            "revision": max + 1,
        })));
    }
    let limit = owner
        .pointer("/spec/revisionHistoryLimit")
        .and_then(Value::as_i64)
        .unwrap_or(10)
        .max(0) as usize;
    let mut old: Vec<&Arc<Value>> = revisions
        .iter()
        .filter(|r| name(r) != rev_name && !deleting(r))
        .collect();
    old.sort_by_key(|r| int(r, "/revision"));
    if old.len() > limit {
        for r in old.iter().take(old.len() - limit) {
            actions.push(Action::delete(r));
        }
    }
    actions
}

/// The status of a PodDisruptionBudget from the pods it selects.
pub fn reconcile_pdb(pdb: &Value, world: &World) -> Vec<Action> {
    if deleting(pdb) {
        return vec![];
    }
    let Some(sel) = pdb.pointer("/spec/selector") else {
        return vec![];
    };
    let pods: Vec<&Arc<Value>> = world
        .in_ns("Pod", namespace(pdb))
        .filter(|p| !deleting(p) && !pod_terminated(p))
        .filter(|p| {
            super::selector_matches(
                sel,
                p.pointer("/metadata/labels").and_then(Value::as_object),
            )
        })
        .collect();
    let expected = pods.len() as i64;
    let healthy = pods.iter().filter(|p| pod_ready(p)).count() as i64;
    let desired = if let Some(min) = pdb.pointer("/spec/minAvailable") {
        int_or_percent(min, expected, true)
    } else if let Some(max) = pdb.pointer("/spec/maxUnavailable") {
        (expected - int_or_percent(max, expected, true)).max(0)
    } else {
        0
    };
    let allowed = (healthy - desired).max(0);
    let old = pdb.get("status").cloned().unwrap_or_else(|| json!({}));
    let mut st = old.clone();
    st["observedGeneration"] = json!(generation(pdb));
    st["disruptionsAllowed"] = json!(allowed);
    st["currentHealthy"] = json!(healthy);
    st["desiredHealthy"] = json!(desired);
    st["expectedPods"] = json!(expected);
    let (ok, reason) = if allowed > 0 {
        ("True", "SufficientPods")
    } else {
        ("False", "InsufficientPods")
    };
    set_condition(
        &mut st,
        json!({"type": "DisruptionAllowed", "status": ok, "observedGeneration": generation(pdb), "lastTransitionTime": super::world::now(), "reason": reason, "message": ""}),
        false,
    );
    if st != old {
        let mut p = pdb.clone();
        p["status"] = st;
        vec![Action::UpdateStatus(p)]
    } else {
        vec![]
    }
}
