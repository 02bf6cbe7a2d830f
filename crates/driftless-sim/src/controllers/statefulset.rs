//! The StatefulSet controller: pods `<name>-<ordinal>` created in order (each
//! waits for the previous to be Ready under `OrderedReady`), their PVCs from
//! `volumeClaimTemplates`, rolling updates from the highest ordinal down to
//! `partition`, and the status with current/update revisions.

use std::sync::Arc;

use serde_json::{Value, json};

use super::common::{omit_zero, pod_from_template, template_hash};
use super::world::{
    Action, World, controller_ref, deleting, event, generation, int, name, namespace, pod_ready,
    pod_terminated,
};

const COMPONENT: &str = "statefulset-controller";
const REVISION_LABEL: &str = "controller-revision-hash";

fn ordinal(sts: &str, pod: &Value) -> Option<i64> {
    name(pod).strip_prefix(sts)?.strip_prefix('-')?.parse().ok()
}

/// Deletes pod `p` of StatefulSet `sts`, with the controller's event.
fn delete_pod(actions: &mut Vec<Action>, sts: &Value, p: &Value) {
    let message = format!(
        "delete Pod {} in StatefulSet {} successful",
        name(p),
        name(sts)
    );
    actions.extend(Action::delete_by(sts, p, &message, COMPONENT));
}

/// The changes for one StatefulSet, given the pods it controls and the world (for PVCs).
pub fn reconcile(sts: &Value, pods: &[Arc<Value>], world: &World) -> Vec<Action> {
    if deleting(sts) {
        return vec![];
    }
    let sname = name(sts);
    let ns = namespace(sts);
    let replicas = sts
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let parallel = sts
        .pointer("/spec/podManagementPolicy")
        .and_then(Value::as_str)
        == Some("Parallel");
    let tpl = sts
        .pointer("/spec/template")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let update_rev = format!("{sname}-{}", template_hash(&tpl));
    let start = sts
        .pointer("/spec/ordinals/start")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let mut actions = Vec::new();
    let mut by_ord: Vec<(i64, &Arc<Value>)> = pods
        .iter()
        .filter_map(|p| ordinal(sname, p).map(|o| (o, p)))
        .collect();
    by_ord.sort_by_key(|(o, _)| *o);
    let rev_of = |p: &Value| {
        p.pointer(&format!("/metadata/labels/{REVISION_LABEL}"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let vcts: Vec<Value> = sts
        .pointer("/spec/volumeClaimTemplates")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let delete_pvcs = sts
        .pointer("/spec/persistentVolumeClaimRetentionPolicy/whenDeleted")
        .and_then(Value::as_str)
        == Some("Delete");
    let healthy = |p: &Value| pod_ready(p) && !deleting(p);
    // Create missing pods (and their claims) in order.
    for i in start..start + replicas {
        let existing = by_ord.iter().find(|(o, _)| *o == i).map(|(_, p)| *p);
        match existing {
            Some(p) if pod_terminated(p) && !deleting(p) => {
                actions.push(Action::delete(p));
                break;
            }
            Some(p) => {
                if !parallel && !healthy(p) {
                    break;
                }
            }
            None => {
                let pod_name = format!("{sname}-{i}");
                for vct in &vcts {
                    let claim = format!("{}-{pod_name}", name(vct));
                    if world.get("PersistentVolumeClaim", ns, &claim).is_none() {
                        let labels = sts
                            .pointer("/spec/selector/matchLabels")
                            .cloned()
                            .unwrap_or_else(|| json!({}));
                        let mut meta = json!({"name": claim, "namespace": ns, "labels": labels});
                        if let Some(l) = vct.pointer("/metadata/labels").and_then(Value::as_object)
                        {
                            for (k, v) in l {
                                meta["labels"][k] = v.clone();
                            }
                        }
                        if let Some(a) = vct.pointer("/metadata/annotations") {
                            meta["annotations"] = a.clone();
                        }
                        if delete_pvcs {
                            meta["ownerReferences"] = json!([controller_ref(sts)]);
                        }
                        let spec = vct.get("spec").cloned().unwrap_or_else(|| json!({}));
                        actions.push(Action::Create(json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta, "spec": spec})));
                        actions.push(Action::Event(event(
                            sts,
                            "Normal",
                            "SuccessfulCreate",
                            &format!(
                                "create Claim {claim} Pod {pod_name} in StatefulSet {sname} success"
                            ),
                            COMPONENT,
                        )));
                    }
                }
                let mut pod = pod_from_template(
                    &tpl,
                    sts,
                    &pod_name,
                    None,
                    &[
                        ("apps.kubernetes.io/pod-index", i.to_string()),
                        (REVISION_LABEL, update_rev.clone()),
                        ("statefulset.kubernetes.io/pod-name", pod_name.clone()),
                    ],
                );
                pod["spec"]["hostname"] = json!(pod_name);
                if let Some(svc) = sts
                    .pointer("/spec/serviceName")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                {
                    pod["spec"]["subdomain"] = json!(svc);
                }
                if !vcts.is_empty() {
                    let mut vols: Vec<Value> = pod
                        .pointer("/spec/volumes")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default();
                    for vct in &vcts {
                        vols.retain(|v| v.get("name").and_then(Value::as_str) != Some(name(vct)));
                        vols.push(json!({"name": name(vct), "persistentVolumeClaim": {"claimName": format!("{}-{pod_name}", name(vct))}}));
                    }
                    pod["spec"]["volumes"] = json!(vols);
                }
                actions.push(Action::Create(pod));
                actions.push(Action::Event(event(
                    sts,
                    "Normal",
                    "SuccessfulCreate",
                    &format!("create Pod {pod_name} in StatefulSet {sname} successful"),
                    COMPONENT,
                )));
                if !parallel {
                    break;
                }
            }
        }
    }
    let all_healthy = by_ord
        .iter()
        .filter(|(o, _)| *o < start + replicas)
        .all(|(_, p)| healthy(p));
    // Scale down from the highest ordinal.
    let extra: Vec<&(i64, &Arc<Value>)> = by_ord
        .iter()
        .rev()
        .filter(|(o, p)| (*o >= start + replicas || *o < start) && !deleting(p))
        .collect();
    for (_, p) in extra.iter().take(if parallel { usize::MAX } else { 1 }) {
        if parallel || all_healthy {
            delete_pod(&mut actions, sts, p);
        }
    }
    // Rolling update: replace one outdated pod at a time, highest ordinal first.
    let rolling = sts
        .pointer("/spec/updateStrategy/type")
        .and_then(Value::as_str)
        .unwrap_or("RollingUpdate")
        == "RollingUpdate";
    let partition = int(sts, "/spec/updateStrategy/rollingUpdate/partition");
    let in_range: Vec<&(i64, &Arc<Value>)> = by_ord
        .iter()
        .filter(|(o, _)| *o >= start && *o < start + replicas)
        .collect();
    if rolling
        && all_healthy
        && in_range.len() as i64 == replicas
        && extra.is_empty()
        && let Some((_, p)) = in_range
            .iter()
            .rev()
            .find(|(o, p)| *o - start >= partition && rev_of(p) != update_rev)
    {
        delete_pod(&mut actions, sts, p);
    }
    // Status.
    let active: Vec<&Arc<Value>> = pods.iter().filter(|p| !pod_terminated(p)).collect();
    let updated = active.iter().filter(|p| rev_of(p) == update_rev).count() as i64;
    let old_current = sts
        .pointer("/status/currentRevision")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let current_rev =
        if old_current.is_empty() || (updated == replicas && active.len() as i64 == replicas) {
            update_rev.clone()
        } else {
            old_current
        };
    let ready = active.iter().filter(|p| pod_ready(p)).count() as i64;
    let mut st = json!({
        "observedGeneration": generation(sts),
        "replicas": active.len(),
        "readyReplicas": ready,
        "currentReplicas": active.iter().filter(|p| rev_of(p) == current_rev).count(),
        "updatedReplicas": updated,
    });
    omit_zero(&mut st, &["replicas"]);
    st["currentRevision"] = json!(current_rev);
    st["updateRevision"] = json!(update_rev);
    st["collisionCount"] = json!(0);
    st["availableReplicas"] = json!(ready);
    if sts.get("status") != Some(&st) {
        let mut s = sts.clone();
        s["status"] = st;
        actions.push(Action::UpdateStatus(s));
    }
    actions
}
