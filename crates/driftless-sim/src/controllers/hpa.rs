//! The HorizontalPodAutoscaler controller with simulated metrics: it reads the
//! target's scale, computes the desired replicas from the simulated utilization
//! (annotation [`super::UTILIZATION`], else exactly on target), clamps to
//! `minReplicas`/`maxReplicas`, writes the target's `spec.replicas` like the real
//! controller does through the scale subresource, and reports the conditions
//! `AbleToScale`, `ScalingActive`, `ScalingLimited`.

use std::time::Duration;

use serde_json::{Value, json};

use super::config::UTILIZATION;
use super::world::{
    Action, World, annotation, deleting, event, int, namespace, now, set_condition,
};

const COMPONENT: &str = "horizontal-pod-autoscaler";

/// The change to an HPA's target: set its `spec.replicas`.
#[derive(Debug, Clone, PartialEq)]
pub struct Rescale {
    /// Kind of the target (`Deployment`, `StatefulSet`, `ReplicaSet`).
    pub kind: String,
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// The new replica count.
    pub replicas: i64,
}

/// The stabilization windows (scale up, scale down) of an HPA.
pub fn windows(hpa: &Value) -> (Duration, Duration) {
    let secs =
        |p: &str, d: u64| Duration::from_secs(hpa.pointer(p).and_then(Value::as_u64).unwrap_or(d));
    (
        secs("/spec/behavior/scaleUp/stabilizationWindowSeconds", 0),
        secs("/spec/behavior/scaleDown/stabilizationWindowSeconds", 300),
    )
}

/// The status change of an HPA and, when it scales, the target's new replica count.
/// `history` holds earlier raw recommendations with their age; scale-downs are
/// stabilized over `behavior.scaleDown.stabilizationWindowSeconds` (default 300 s)
/// and scale-ups over `behavior.scaleUp.stabilizationWindowSeconds` (default 0),
/// as the real controller does. The third value is this pass's raw recommendation.
pub fn reconcile(
    hpa: &Value,
    world: &World,
    history: &[(Duration, i64)],
) -> (Vec<Action>, Option<Rescale>, Option<i64>) {
    if deleting(hpa) {
        return (vec![], None, None);
    }
    let ts = now();
    let old = hpa.get("status").cloned().unwrap_or_else(|| json!({}));
    let mut st = old.clone();
    let kind = hpa
        .pointer("/spec/scaleTargetRef/kind")
        .and_then(Value::as_str)
        .unwrap_or("");
    let tname = hpa
        .pointer("/spec/scaleTargetRef/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let ns = namespace(hpa);
    let cond = |ty: &str, ok: bool, reason: &str, msg: String| json!({"type": ty, "status": if ok { "True" } else { "False" }, "lastTransitionTime": ts, "reason": reason, "message": msg});
    let mut actions = Vec::new();
    let target = match kind {
        "Deployment" | "StatefulSet" | "ReplicaSet" => world.get(kind, ns, tname),
        _ => None,
    };
    let Some(target) = target else {
        let resource = match kind {
            "Deployment" => "deployments.apps",
            "StatefulSet" => "statefulsets.apps",
            "ReplicaSet" => "replicasets.apps",
            other => other,
        };
        let msg = format!(
            "the HPA controller was unable to get the target's current scale: {resource} \"{tname}\" not found"
        );
        set_condition(
            &mut st,
            cond("AbleToScale", false, "FailedGetScale", msg.clone()),
            false,
        );
        if st != old {
            let mut h = hpa.clone();
            h["status"] = st;
            actions.push(Action::UpdateStatus(h));
            actions.push(Action::Event(event(
                hpa,
                "Warning",
                "FailedGetScale",
                &msg,
                COMPONENT,
            )));
        }
        return (actions, None, None);
    };
    let spec_replicas = target
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let current = int(target, "/status/replicas");
    let min = hpa
        .pointer("/spec/minReplicas")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let max = hpa
        .pointer("/spec/maxReplicas")
        .and_then(Value::as_i64)
        .unwrap_or(min);
    let metrics: Vec<Value> = hpa
        .pointer("/spec/metrics")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let target_util = metrics
        .iter()
        .find_map(|m| {
            m.pointer("/resource/target/averageUtilization")
                .and_then(Value::as_i64)
        })
        .or_else(|| {
            hpa.pointer("/spec/targetCPUUtilizationPercentage")
                .and_then(Value::as_i64)
        })
        .unwrap_or(80);
    let util = annotation(hpa, UTILIZATION)
        .and_then(|u| u.trim_end_matches('%').parse::<i64>().ok())
        .unwrap_or(target_util);
    let mut rescale = None;
    let mut recommendation = None;
    if spec_replicas == 0 {
        set_condition(
            &mut st,
            cond(
                "ScalingActive",
                false,
                "ScalingDisabled",
                "scaling is disabled since the replica count of the target is zero".into(),
            ),
            false,
        );
    } else {
        let raw = if util == target_util {
            spec_replicas
        } else {
            (spec_replicas * util + target_util - 1) / target_util.max(1)
        };
        recommendation = Some(raw);
        let (up_window, down_window) = windows(hpa);
        let within = |w: Duration| {
            history
                .iter()
                .filter(move |(age, _)| *age <= w)
                .map(|(_, r)| *r)
        };
        let mut stabilized = raw;
        if raw < spec_replicas {
            stabilized = within(down_window)
                .chain([raw])
                .max()
                .unwrap_or(raw)
                .min(spec_replicas);
        } else if raw > spec_replicas {
            stabilized = within(up_window)
                .chain([raw])
                .min()
                .unwrap_or(raw)
                .max(spec_replicas);
        }
        let held_back = stabilized != raw;
        let desired = stabilized.clamp(min, max.max(min));
        let metric_name = metrics
            .iter()
            .find_map(|m| m.pointer("/resource/name").and_then(Value::as_str))
            .unwrap_or("cpu");
        set_condition(
            &mut st,
            cond(
                "ScalingActive",
                true,
                "ValidMetricFound",
                format!(
                    "the HPA was able to successfully calculate a replica count from {metric_name} resource utilization (percentage of request)"
                ),
            ),
            false,
        );
        let (limited, lreason, lmsg) = if raw < min {
            (
                true,
                "TooFewReplicas",
                "the desired replica count is less than the minimum replica count",
            )
        } else if raw > max {
            (
                true,
                "TooManyReplicas",
                "the desired replica count is more than the maximum replica count",
            )
        } else {
            (
                false,
                "DesiredWithinRange",
                "the desired count is within the acceptable range",
            )
        };
        set_condition(
            &mut st,
            cond("ScalingLimited", limited, lreason, lmsg.into()),
            false,
        );
        if desired != spec_replicas {
            let reason = if spec_replicas < min {
                "Current number of replicas below Spec.MinReplicas".to_string()
            } else if spec_replicas > max {
                "Current number of replicas above Spec.MaxReplicas".to_string()
            } else {
                format!(
                    "{metric_name} resource utilization (percentage of request) {} target",
                    if desired > spec_replicas {
                        "above"
                    } else {
                        "below"
                    }
                )
            };
            set_condition(
                &mut st,
                cond(
                    "AbleToScale",
                    true,
                    "SucceededRescale",
                    format!("the HPA controller was able to update the target scale to {desired}"),
                ),
                false,
            );
            st["lastScaleTime"] = json!(ts);
            actions.push(Action::Event(event(
                hpa,
                "Normal",
                "SuccessfulRescale",
                &format!("New size: {desired}; reason: {reason}"),
                COMPONENT,
            )));
            rescale = Some(Rescale {
                kind: kind.to_string(),
                namespace: ns.to_string(),
                name: tname.to_string(),
                replicas: desired,
            });
        } else if held_back && raw < spec_replicas {
            set_condition(
                &mut st,
                cond(
                    "AbleToScale",
                    true,
                    "ScaleDownStabilized",
                    "recent recommendations were higher than current one, applying the highest recent recommendation".into(),
                ),
                false,
            );
        } else {
            set_condition(
                &mut st,
                cond(
                    "AbleToScale",
                    true,
                    "ReadyForNewScale",
                    "recommended size matches current size".into(),
                ),
                false,
            );
        }
        st["desiredReplicas"] = json!(desired);
        let current_metrics: Vec<Value> = metrics
            .iter()
            .filter(|m| m.get("type").and_then(Value::as_str) == Some("Resource"))
            .map(|m| json!({"type": "Resource", "resource": {"name": m.pointer("/resource/name").cloned().unwrap_or(json!("cpu")),
                "current": {"averageUtilization": util, "averageValue": format!("{}m", util)}}}))
            .collect();
        st["currentMetrics"] = if current_metrics.is_empty() {
            Value::Null
        } else {
            json!(current_metrics)
        };
    }
    if current > 0 {
        st["currentReplicas"] = json!(current);
    }
    // Conditions in the order the real controller reports them.
    if let Some(Value::Array(cs)) = st.get_mut("conditions") {
        let rank = |c: &Value| match c.get("type").and_then(Value::as_str) {
            Some("AbleToScale") => 0,
            Some("ScalingActive") => 1,
            _ => 2,
        };
        cs.sort_by_key(rank);
    }
    if st != old {
        let mut h = hpa.clone();
        h["status"] = st;
        actions.insert(0, Action::UpdateStatus(h));
    }
    (actions, rescale, recommendation)
}
