//! The scheduler: binds pods to simulated nodes that fit them (`nodeSelector`,
//! required node affinity, `unschedulable`, cpu/memory requests), or reports
//! them Unschedulable with the scheduler's message and a FailedScheduling event.

use serde_json::{Value, json};

use super::world::{Action, event, name, namespace, now, set_condition};

/// A node for an unscheduled pod: round-robin by name over the nodes.
pub fn pick_node<'a>(pod: &Value, nodes: &'a [String]) -> Option<&'a str> {
    if nodes.is_empty() {
        return None;
    }
    let h = name(pod)
        .bytes()
        .fold(0usize, |a, b| a.wrapping_mul(31).wrapping_add(b as usize));
    Some(nodes[h % nodes.len()].as_str())
}

/// Why a node cannot take a pod, as the scheduler words it (`None`: it can).
fn unfit(pod: &Value, node: &Value) -> Option<String> {
    let labels = node.pointer("/metadata/labels").and_then(Value::as_object);
    let label = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
    if node.pointer("/spec/unschedulable").and_then(Value::as_bool) == Some(true) {
        return Some("node(s) were unschedulable".into());
    }
    let selector_ok = pod
        .pointer("/spec/nodeSelector")
        .and_then(Value::as_object)
        .is_none_or(|sel| sel.iter().all(|(k, v)| label(k) == v.as_str()));
    let terms = pod
        .pointer("/spec/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms")
        .and_then(Value::as_array);
    let affinity_ok = terms.is_none_or(|terms| {
        terms.iter().any(|t| {
            let req_ok = |key: &str, op: &str, values: Vec<&str>, actual: Option<&str>| match op {
                "In" => actual.is_some_and(|a| values.contains(&a)),
                "NotIn" => actual.is_none_or(|a| !values.contains(&a)),
                "Exists" => actual.is_some(),
                "DoesNotExist" => actual.is_none(),
                _ => {
                    let _ = key;
                    false
                }
            };
            let check = |list: &str, field: bool| {
                t.get(list).and_then(Value::as_array).is_none_or(|reqs| {
                    reqs.iter().all(|r| {
                        let key = r.get("key").and_then(Value::as_str).unwrap_or("");
                        let op = r.get("operator").and_then(Value::as_str).unwrap_or("");
                        let values = r
                            .get("values")
                            .and_then(Value::as_array)
                            .map(|v| v.iter().filter_map(Value::as_str).collect())
                            .unwrap_or_default();
                        let actual = if field {
                            (key == "metadata.name").then(|| name(node))
                        } else {
                            label(key)
                        };
                        req_ok(key, op, values, actual)
                    })
                })
            };
            check("matchExpressions", false) && check("matchFields", true)
        })
    });
    if !selector_ok || !affinity_ok {
        return Some("node(s) didn't match Pod's node affinity/selector".into());
    }
    for (res, unit) in [("cpu", "cpu"), ("memory", "memory")] {
        let requested: f64 = ["containers"]
            .iter()
            .filter_map(|k| pod.pointer(&format!("/spec/{k}")).and_then(Value::as_array))
            .flatten()
            .filter_map(|c| c.pointer(&format!("/resources/requests/{res}")))
            .filter_map(super::common::quantity)
            .sum();
        let allocatable = node
            .pointer(&format!("/status/allocatable/{res}"))
            .and_then(super::common::quantity)
            .unwrap_or(f64::INFINITY);
        if requested > allocatable {
            return Some(format!("Insufficient {unit}"));
        }
    }
    None
}

/// The scheduler: binds an unscheduled pod to a fitting node, or marks it
/// Unschedulable (with a `FailedScheduling` event) when none fits.
pub fn schedule(pod: &Value, nodes: &[Value]) -> Vec<Action> {
    let node_set = pod
        .pointer("/spec/nodeName")
        .and_then(Value::as_str)
        .is_some_and(|n| !n.is_empty());
    if node_set
        || super::world::deleting(pod)
        || super::world::pod_terminated(pod)
        || nodes.is_empty()
    {
        return vec![];
    }
    let mut reasons: Vec<(String, usize)> = Vec::new();
    let mut fit = Vec::new();
    for n in nodes {
        match unfit(pod, n) {
            None => fit.push(name(n).to_string()),
            Some(r) => match reasons.iter_mut().find(|(x, _)| *x == r) {
                Some((_, c)) => *c += 1,
                None => reasons.push((r, 1)),
            },
        }
    }
    let Some(node) = pick_node(pod, &fit) else {
        let total = nodes.len();
        let mut parts: Vec<String> = reasons.iter().map(|(r, c)| format!("{c} {r}")).collect();
        parts.sort();
        let msg = format!(
            "0/{total} nodes are available: {}. preemption: 0/{total} nodes are available: {total} Preemption is not helpful for scheduling.",
            parts.join(", ")
        );
        let already = pod
            .pointer("/status/conditions")
            .and_then(Value::as_array)
            .is_some_and(|cs| {
                cs.iter()
                    .any(|c| c["type"] == "PodScheduled" && c["message"] == json!(msg))
            });
        if already {
            return vec![];
        }
        let mut p = pod.clone();
        p["status"]["phase"] = json!("Pending");
        set_condition(
            &mut p["status"],
            json!({"type": "PodScheduled", "status": "False", "lastProbeTime": null, "lastTransitionTime": now(),
                   "reason": "Unschedulable", "message": msg}),
            false,
        );
        return vec![
            Action::UpdateStatus(p),
            Action::Event(event(
                pod,
                "Warning",
                "FailedScheduling",
                &msg,
                "default-scheduler",
            )),
        ];
    };
    let mut bound = pod.clone();
    bound["spec"]["nodeName"] = json!(node);
    let msg = format!(
        "Successfully assigned {}/{} to {node}",
        namespace(pod),
        name(pod)
    );
    vec![
        Action::Update(bound),
        Action::Event(event(pod, "Normal", "Scheduled", &msg, "default-scheduler")),
    ]
}

/// Whether `node` matches the pod's `nodeSelector` and required node affinity
/// (what decides a DaemonSet's eligible nodes).
pub fn node_fits_selector(pod: &Value, node: &Value) -> bool {
    !unfit(pod, node)
        .is_some_and(|r| r.contains("affinity/selector") || r.contains("unschedulable"))
}
