//! Defaults of the apps/v1 and batch/v1 workload kinds.

use serde_json::{Map, Value, json};

use super::pod;
use super::util::{default, default_str, each, obj, obj_opt, str_of};

/// `SetDefaults_Deployment`.
pub(crate) fn deployment(o: &mut Map<String, Value>) {
    let spec = obj(o, "spec");
    default(spec, "replicas", json!(1));
    pod::template(obj(spec, "template"));
    let strategy = obj(spec, "strategy");
    default_str(strategy, "type", "RollingUpdate");
    if str_of(strategy, "type") == "RollingUpdate" {
        let ru = obj(strategy, "rollingUpdate");
        default(ru, "maxUnavailable", json!("25%"));
        default(ru, "maxSurge", json!("25%"));
    }
    default(spec, "revisionHistoryLimit", json!(10));
    default(spec, "progressDeadlineSeconds", json!(600));
}

/// `SetDefaults_ReplicaSet`.
pub(crate) fn replica_set(o: &mut Map<String, Value>) {
    let spec = obj(o, "spec");
    default(spec, "replicas", json!(1));
    pod::template(obj(spec, "template"));
}

/// `SetDefaults_StatefulSet` (1.32: with `persistentVolumeClaimRetentionPolicy`).
pub(crate) fn stateful_set(o: &mut Map<String, Value>) {
    let spec = obj(o, "spec");
    default(spec, "replicas", json!(1));
    pod::template(obj(spec, "template"));
    each(spec, "volumeClaimTemplates", |t| {
        default_str(t, "apiVersion", "v1");
        default_str(t, "kind", "PersistentVolumeClaim");
        let meta = obj(t, "metadata");
        if !meta.contains_key("creationTimestamp") {
            meta.insert("creationTimestamp".into(), Value::Null);
        }
        super::misc::pvc(t);
    });
    default_str(spec, "podManagementPolicy", "OrderedReady");
    let us = obj(spec, "updateStrategy");
    default_str(us, "type", "RollingUpdate");
    if str_of(us, "type") == "RollingUpdate" {
        default(obj(us, "rollingUpdate"), "partition", json!(0));
    }
    default(spec, "revisionHistoryLimit", json!(10));
    let retention = obj(spec, "persistentVolumeClaimRetentionPolicy");
    default_str(retention, "whenDeleted", "Retain");
    default_str(retention, "whenScaled", "Retain");
}

/// `SetDefaults_DaemonSet`.
pub(crate) fn daemon_set(o: &mut Map<String, Value>) {
    let spec = obj(o, "spec");
    pod::template(obj(spec, "template"));
    let us = obj(spec, "updateStrategy");
    default_str(us, "type", "RollingUpdate");
    if str_of(us, "type") == "RollingUpdate" {
        let ru = obj(us, "rollingUpdate");
        default(ru, "maxUnavailable", json!(1));
        default(ru, "maxSurge", json!(0));
    }
    default(spec, "revisionHistoryLimit", json!(10));
}

/// `SetDefaults_Job` (1.32: with `podReplacementPolicy`). Also copies the
/// template labels to an unlabelled Job, as the real server does.
pub(crate) fn job(o: &mut Map<String, Value>) {
    let spec = obj(o, "spec");
    job_spec(spec);
    let tpl_labels = super::util::ptr(spec, "/template/metadata/labels")
        .and_then(Value::as_object)
        .cloned();
    let meta = obj(o, "metadata");
    let empty = meta
        .get("labels")
        .and_then(Value::as_object)
        .is_none_or(Map::is_empty);
    if empty && let Some(l) = tpl_labels.filter(|l| !l.is_empty()) {
        meta.insert("labels".into(), Value::Object(l));
    }
}

fn job_spec(spec: &mut Map<String, Value>) {
    let completions_unset = super::util::unset(spec, "completions");
    if completions_unset && super::util::unset(spec, "parallelism") {
        spec.insert("completions".into(), json!(1));
        spec.insert("parallelism".into(), json!(1));
    }
    default(spec, "parallelism", json!(1));
    default_str(spec, "completionMode", "NonIndexed");
    let per_index = !super::util::unset(spec, "backoffLimitPerIndex");
    default(
        spec,
        "backoffLimit",
        json!(if per_index { i32::MAX } else { 6 }),
    );
    default(spec, "suspend", json!(false));
    let replacement = if super::util::unset(spec, "podFailurePolicy") {
        "TerminatingOrFailed"
    } else {
        "Failed"
    };
    default_str(spec, "podReplacementPolicy", replacement);
    if let Some(pfp) = obj_opt(spec, "podFailurePolicy") {
        each(pfp, "rules", |r| {
            each(r, "onPodConditions", |c| default_str(c, "status", "True"));
        });
    }
    pod::template(obj(spec, "template"));
}

/// `SetDefaults_CronJob`: the job template's pod template is defaulted, the
/// job template's spec itself is not.
pub(crate) fn cron_job(o: &mut Map<String, Value>) {
    let spec = obj(o, "spec");
    default_str(spec, "concurrencyPolicy", "Allow");
    default(spec, "suspend", json!(false));
    default(spec, "successfulJobsHistoryLimit", json!(3));
    default(spec, "failedJobsHistoryLimit", json!(1));
    let jt = obj(spec, "jobTemplate");
    let meta = obj(jt, "metadata");
    if !meta.contains_key("creationTimestamp") {
        meta.insert("creationTimestamp".into(), Value::Null);
    }
    pod::template(obj(obj(jt, "spec"), "template"));
}

/// Job creation (`generateSelector`): the `controller-uid` / `job-name` labels
/// (legacy and `batch.kubernetes.io/` forms) on the pod template, and a
/// selector on `batch.kubernetes.io/controller-uid`, unless `manualSelector`.
pub(crate) fn job_create(o: &mut Map<String, Value>) {
    let uid = o
        .get("metadata")
        .and_then(|m| m.get("uid"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let name = o
        .get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let own = super::util::ptr(o, "/metadata/labels")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let tpl = super::util::ptr(o, "/spec/template/metadata/labels")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    // Go's defaulting made the Job share its template's label map.
    let shared = own.is_empty() || own == tpl;
    let spec = obj(o, "spec");
    if spec.get("manualSelector").and_then(Value::as_bool) == Some(true) {
        return;
    }
    let labels = obj(obj(obj(spec, "template"), "metadata"), "labels");
    for (k, v) in [
        ("batch.kubernetes.io/controller-uid", &uid),
        ("batch.kubernetes.io/job-name", &name),
        ("controller-uid", &uid),
        ("job-name", &name),
    ] {
        labels.entry(k).or_insert_with(|| json!(v));
    }
    let labels = labels.clone();
    let ml = obj(obj(spec, "selector"), "matchLabels");
    ml.entry("batch.kubernetes.io/controller-uid")
        .or_insert_with(|| json!(uid));
    if shared {
        let labels = labels.clone();
        obj(o, "metadata").insert("labels".into(), Value::Object(labels));
    }
}
