//! Table tests of the built-in health rules on real-looking objects.

use driftless_core::HealthStatus::{self, *};
use driftless_health::{HealthRegistry, assess};
use serde_json::{Value, json};

fn check(cases: &[(&str, Value, HealthStatus, &str)]) {
    for (name, obj, status, message) in cases {
        let h = assess(obj).unwrap_or_else(|| panic!("{name}: no health"));
        assert_eq!(h.status, *status, "{name}: {h}");
        assert_eq!(h.message, *message, "{name}");
    }
}

fn deploy(generation: i64, spec: Value, status: Value) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop", "generation": generation},
        "spec": spec, "status": status})
}

#[test]
fn deployments() {
    check(&[
        (
            "paused",
            deploy(1, json!({"paused": true, "replicas": 1}), json!({})),
            Suspended,
            "Deployment is paused",
        ),
        (
            "stale generation",
            deploy(3, json!({"replicas": 2}), json!({"observedGeneration": 2})),
            Progressing,
            "Waiting for rollout to finish: observed deployment generation less than desired generation",
        ),
        (
            "deadline",
            deploy(
                2,
                json!({"replicas": 2}),
                json!({"observedGeneration": 2, "replicas": 2, "updatedReplicas": 1,
            "conditions": [{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}]}),
            ),
            Degraded,
            "Deployment \"web\" exceeded its progress deadline",
        ),
        (
            "updating",
            deploy(
                2,
                json!({"replicas": 3}),
                json!({"observedGeneration": 2, "replicas": 3, "updatedReplicas": 1}),
            ),
            Progressing,
            "Waiting for rollout to finish: 1 out of 3 new replicas have been updated...",
        ),
        (
            "old pending",
            deploy(
                2,
                json!({"replicas": 3}),
                json!({"observedGeneration": 2, "replicas": 4, "updatedReplicas": 3}),
            ),
            Progressing,
            "Waiting for rollout to finish: 1 old replicas are pending termination...",
        ),
        (
            "available",
            deploy(
                2,
                json!({"replicas": 3}),
                json!({"observedGeneration": 2, "replicas": 3, "updatedReplicas": 3, "availableReplicas": 3,
            "conditions": [{"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}]}),
            ),
            Healthy,
            "",
        ),
    ]);
}

#[test]
fn stateful_sets_daemon_sets_replica_sets() {
    let sts = |spec: Value, status: Value| {
        json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": {"name": "db", "generation": 1}, "spec": spec, "status": status})
    };
    let ds = |spec: Value, status: Value| {
        json!({"apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"name": "agent", "generation": 4}, "spec": spec, "status": status})
    };
    let rs = |status: Value| {
        json!({"apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": "web-1", "generation": 1}, "spec": {"replicas": 2}, "status": status})
    };
    check(&[
        (
            "sts unobserved",
            sts(json!({"replicas": 3}), json!({})),
            Progressing,
            "Waiting for statefulset spec update to be observed...",
        ),
        (
            "sts not ready",
            sts(
                json!({"replicas": 3}),
                json!({"observedGeneration": 1, "readyReplicas": 1}),
            ),
            Progressing,
            "Waiting for 2 pods to be ready...",
        ),
        (
            "sts partition",
            sts(
                json!({"replicas": 3, "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 1}}}),
                json!({"observedGeneration": 1, "readyReplicas": 3, "updatedReplicas": 1}),
            ),
            Progressing,
            "Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated...",
        ),
        (
            "sts ondelete",
            sts(
                json!({"replicas": 3, "updateStrategy": {"type": "OnDelete"}}),
                json!({"observedGeneration": 1, "readyReplicas": 3}),
            ),
            Healthy,
            "statefulset has 3 ready pods",
        ),
        (
            "sts rolling",
            sts(
                json!({"replicas": 2, "updateStrategy": {"type": "RollingUpdate"}}),
                json!({"observedGeneration": 1, "readyReplicas": 2, "updatedReplicas": 1, "currentRevision": "db-1", "updateRevision": "db-2"}),
            ),
            Progressing,
            "waiting for statefulset rolling update to complete 1 pods at revision db-2...",
        ),
        (
            "sts done",
            sts(
                json!({"replicas": 2}),
                json!({"observedGeneration": 1, "readyReplicas": 2, "currentReplicas": 2,
            "currentRevision": "db-2", "updateRevision": "db-2"}),
            ),
            Healthy,
            "statefulset rolling update complete 2 pods at revision db-2...",
        ),
        (
            "ds rolling",
            ds(
                json!({}),
                json!({"observedGeneration": 4, "desiredNumberScheduled": 3, "updatedNumberScheduled": 2}),
            ),
            Progressing,
            "Waiting for daemon set \"agent\" rollout to finish: 2 out of 3 new pods have been updated...",
        ),
        (
            "ds unavailable",
            ds(
                json!({}),
                json!({"observedGeneration": 4, "desiredNumberScheduled": 3, "updatedNumberScheduled": 3, "numberAvailable": 1}),
            ),
            Progressing,
            "Waiting for daemon set \"agent\" rollout to finish: 1 of 3 updated pods are available...",
        ),
        (
            "ds stale",
            ds(json!({}), json!({"observedGeneration": 3})),
            Progressing,
            "Waiting for rollout to finish: observed daemon set generation less than desired generation",
        ),
        (
            "ds ondelete",
            ds(
                json!({"updateStrategy": {"type": "OnDelete"}}),
                json!({"desiredNumberScheduled": 3, "updatedNumberScheduled": 1}),
            ),
            Healthy,
            "daemon set 1 out of 3 new pods have been updated",
        ),
        (
            "ds ok",
            ds(
                json!({}),
                json!({"observedGeneration": 4, "desiredNumberScheduled": 3, "updatedNumberScheduled": 3, "numberAvailable": 3}),
            ),
            Healthy,
            "",
        ),
        (
            "rs failure",
            rs(
                json!({"observedGeneration": 1, "conditions": [{"type": "ReplicaFailure", "status": "True",
            "message": "pods \"web-1-x\" is forbidden: exceeded quota"}]}),
            ),
            Degraded,
            "pods \"web-1-x\" is forbidden: exceeded quota",
        ),
        (
            "rs waiting",
            rs(json!({"observedGeneration": 1, "availableReplicas": 1})),
            Progressing,
            "Waiting for rollout to finish: 1 out of 2 new replicas are available...",
        ),
        (
            "rs ok",
            rs(json!({"observedGeneration": 1, "availableReplicas": 2})),
            Healthy,
            "",
        ),
    ]);
}

fn pod(policy: Option<&str>, status: Value) -> Value {
    let mut p = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "app", "image": "nginx"}]}, "status": status});
    if let Some(policy) = policy {
        p["spec"]["restartPolicy"] = json!(policy);
    }
    p
}

#[test]
fn pods() {
    let crash = json!({"phase": "Running", "containerStatuses": [{"name": "app", "state": {"waiting": {
        "reason": "CrashLoopBackOff", "message": "back-off 5m0s restarting failed container=app"}}}]});
    check(&[
        (
            "crashloop",
            pod(Some("Always"), crash.clone()),
            Degraded,
            "back-off 5m0s restarting failed container=app",
        ),
        (
            "crashloop default policy",
            pod(None, crash.clone()),
            Degraded,
            "back-off 5m0s restarting failed container=app",
        ),
        // A hook pod (Never) with a waiting error is judged on its phase only.
        (
            "hook pod waiting",
            pod(Some("Never"), crash),
            Progressing,
            "",
        ),
        (
            "image pull",
            pod(
                None,
                json!({"phase": "Pending", "containerStatuses": [{"name": "app", "state": {"waiting": {
            "reason": "ErrImagePull", "message": "pull access denied"}}}]}),
            ),
            Degraded,
            "pull access denied",
        ),
        (
            "pending",
            pod(None, json!({"phase": "Pending"})),
            Progressing,
            "",
        ),
        (
            "succeeded",
            pod(Some("Never"), json!({"phase": "Succeeded"})),
            Healthy,
            "",
        ),
        (
            "failed exit",
            pod(
                Some("Never"),
                json!({"phase": "Failed", "containerStatuses": [{"name": "app",
            "state": {"terminated": {"exitCode": 2, "reason": "Error"}}}]}),
            ),
            Degraded,
            "container \"app\" failed with exit code 2",
        ),
        (
            "failed oom",
            pod(
                Some("Never"),
                json!({"phase": "Failed", "initContainerStatuses": [{"name": "init",
            "state": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}}}]}),
            ),
            Degraded,
            "OOMKilled",
        ),
        (
            "failed message",
            pod(
                Some("Never"),
                json!({"phase": "Failed", "message": "Pod was evicted"}),
            ),
            Degraded,
            "Pod was evicted",
        ),
        (
            "ready",
            pod(
                None,
                json!({"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}),
            ),
            Healthy,
            "",
        ),
        (
            "restarted not ready",
            pod(
                None,
                json!({"phase": "Running", "conditions": [{"type": "Ready", "status": "False"}],
            "containerStatuses": [{"name": "app", "lastState": {"terminated": {"exitCode": 1}}, "state": {"running": {}}}]}),
            ),
            Degraded,
            "",
        ),
        (
            "starting",
            pod(
                None,
                json!({"phase": "Running", "conditions": [{"type": "Ready", "status": "False"}]}),
            ),
            Progressing,
            "",
        ),
        (
            "running hook",
            pod(Some("OnFailure"), json!({"phase": "Running"})),
            Progressing,
            "",
        ),
        (
            "unknown",
            pod(None, json!({"phase": "Unknown"})),
            Unknown,
            "",
        ),
    ]);
}

#[test]
fn jobs_and_cron_jobs() {
    let job = |conds: Value| {
        json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "migrate"},
        "status": {"conditions": conds}})
    };
    let cron = |spec: Value, status: Option<Value>| {
        let mut c = json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "backup"}, "spec": spec});
        if let Some(s) = status {
            c["status"] = s;
        }
        c
    };
    check(&[
        ("running", job(json!([])), Progressing, ""),
        (
            "complete",
            job(json!([{"type": "Complete", "status": "True", "message": "done"}])),
            Healthy,
            "done",
        ),
        (
            "failed",
            job(
                json!([{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded",
            "message": "Job has reached the specified backoff limit"}]),
            ),
            Degraded,
            "Job has reached the specified backoff limit",
        ),
        (
            "suspended",
            job(json!([{"type": "Suspended", "status": "True", "message": "Job suspended"}])),
            Suspended,
            "",
        ),
        (
            "cron suspended",
            cron(json!({"suspend": true}), None),
            Healthy,
            "CronJob is Suspended",
        ),
        (
            "cron no status",
            cron(json!({}), None),
            Progressing,
            "Waiting for CronJob",
        ),
        (
            "cron never scheduled",
            cron(json!({}), Some(json!({}))),
            Healthy,
            "CronJob has not been scheduled yet",
        ),
        (
            "cron never succeeded",
            cron(
                json!({}),
                Some(json!({"lastScheduleTime": "2024-05-01T10:00:00Z"})),
            ),
            Healthy,
            "The CronJob never completed successfully. It may not be healthy",
        ),
        (
            "cron last failed",
            cron(
                json!({}),
                Some(
                    json!({"lastScheduleTime": "2024-05-01T10:00:00Z", "lastSuccessfulTime": "2024-05-01T09:00:05Z"}),
                ),
            ),
            Degraded,
            "CronJob has not completed its last execution successfully",
        ),
        (
            "cron running",
            cron(
                json!({}),
                Some(
                    json!({"lastScheduleTime": "2024-05-01T10:00:00Z", "lastSuccessfulTime": "2024-05-01T09:00:05Z",
            "active": [{"name": "backup-1"}]}),
                ),
            ),
            Healthy,
            "The job is running. Its last execution may not have been successful",
        ),
        (
            "cron ok",
            cron(
                json!({}),
                Some(
                    json!({"lastScheduleTime": "2024-05-01T10:00:00Z", "lastSuccessfulTime": "2024-05-01T10:00:07Z"}),
                ),
            ),
            Healthy,
            "CronJob has completed its last execution successfully",
        ),
    ]);
}

#[test]
fn services_ingresses_claims() {
    let svc = |t: &str, status: Value| {
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
        "spec": {"type": t}, "status": status})
    };
    let ing = |api: &str, status: Value| json!({"apiVersion": api, "kind": "Ingress", "metadata": {"name": "i"}, "status": status});
    let pvc = |phase: &str| json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"}, "status": {"phase": phase}});
    check(&[
        ("clusterip", svc("ClusterIP", json!({})), Healthy, ""),
        (
            "lb pending",
            svc("LoadBalancer", json!({"loadBalancer": {}})),
            Progressing,
            "",
        ),
        (
            "lb ready",
            svc(
                "LoadBalancer",
                json!({"loadBalancer": {"ingress": [{"ip": "10.0.0.1"}]}}),
            ),
            Healthy,
            "",
        ),
        (
            "ingress pending",
            ing("networking.k8s.io/v1", json!({"loadBalancer": {}})),
            Progressing,
            "",
        ),
        (
            "ingress ready",
            ing(
                "networking.k8s.io/v1",
                json!({"loadBalancer": {"ingress": [{"hostname": "lb.example.com"}]}}),
            ),
            Healthy,
            "",
        ),
        (
            "legacy ingress",
            ing("extensions/v1beta1", json!({})),
            Progressing,
            "",
        ),
        ("pvc bound", pvc("Bound"), Healthy, ""),
        ("pvc pending", pvc("Pending"), Progressing, ""),
        ("pvc lost", pvc("Lost"), Degraded, ""),
    ]);
}

#[test]
fn hpa_apiservice_crd_application() {
    let hpa2 = |conds: Value| {
        json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "web"},
        "status": {"conditions": conds}})
    };
    let hpa1 = json!({"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "web", "annotations": {
        "autoscaling.alpha.kubernetes.io/conditions": "[{\"type\":\"AbleToScale\",\"status\":\"True\",\"reason\":\"SucceededGetScale\",\"message\":\"the HPA controller was able to get the target's current scale\"}]"}}});
    let apisvc = |status: &str| {
        json!({"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService", "metadata": {"name": "v1beta1.metrics.k8s.io"},
        "status": {"conditions": [{"type": "Available", "status": status, "reason": "Passed", "message": "all checks passed"}]}})
    };
    let crd = |conds: Value| {
        json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"}, "status": {"conditions": conds}})
    };
    let app = |status: Value| json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "guestbook"}, "status": status});
    check(&[
        (
            "hpa failing",
            hpa2(
                json!([{"type": "AbleToScale", "status": "False", "reason": "FailedGetScale", "message": "no matches for kind"}]),
            ),
            Degraded,
            "no matches for kind",
        ),
        (
            "hpa able",
            hpa2(
                json!([{"type": "AbleToScale", "status": "True", "reason": "ReadyForNewScale", "message": "recommended size matches current size"}]),
            ),
            Healthy,
            "recommended size matches current size",
        ),
        (
            "hpa waiting",
            hpa2(json!([])),
            Progressing,
            "Waiting to Autoscale",
        ),
        (
            "hpa v1 annotation",
            hpa1,
            Healthy,
            "the HPA controller was able to get the target's current scale",
        ),
        (
            "apiservice ok",
            apisvc("True"),
            Healthy,
            "Passed: all checks passed",
        ),
        (
            "apiservice down",
            apisvc("False"),
            Progressing,
            "Passed: all checks passed",
        ),
        (
            "crd established",
            crd(
                json!([{"type": "NamesAccepted", "status": "True"}, {"type": "Established", "status": "True", "message": "the initial names have been accepted"}]),
            ),
            Healthy,
            "CRD is healthy",
        ),
        (
            "crd names",
            crd(
                json!([{"type": "NamesAccepted", "status": "False", "message": "\"widgets\" is already in use"}]),
            ),
            Degraded,
            "CRD names have not been accepted: \"widgets\" is already in use",
        ),
        (
            "crd new",
            crd(json!([])),
            Progressing,
            "Status conditions not found",
        ),
        (
            "crd not established",
            crd(json!([{"type": "NamesAccepted", "status": "True"}])),
            Degraded,
            "CRD is not established",
        ),
        (
            "app healthy",
            app(json!({"health": {"status": "Healthy"}, "sync": {"status": "Synced"}})),
            Healthy,
            "",
        ),
        (
            "app degraded",
            app(json!({"health": {"status": "Degraded", "message": "Deployment failed"}})),
            Degraded,
            "Deployment failed",
        ),
        ("app new", app(json!({})), Progressing, ""),
    ]);
}

#[test]
fn application_is_healthy_only_when_synced_and_idle() {
    let app = |extra: Value| {
        let mut a = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": {"name": "dev"}, "status": {"health": {"status": "Healthy"}, "sync": {"status": "Synced"}}});
        if let Value::Object(m) = extra {
            for (k, v) in m {
                if k == "operation" {
                    a["operation"] = v;
                } else {
                    a["status"][k] = v;
                }
            }
        }
        a
    };
    check(&[
        ("synced and healthy", app(json!({})), Healthy, ""),
        (
            "out of sync",
            app(json!({"sync": {"status": "OutOfSync"}})),
            Progressing,
            "waiting to be synced (sync status OutOfSync)",
        ),
        (
            "missing resources, not synced",
            app(json!({"health": {"status": "Missing"}, "sync": {"status": "OutOfSync"}})),
            Progressing,
            "waiting to be synced (sync status OutOfSync)",
        ),
        (
            "operation requested",
            app(json!({"operation": {"sync": {"revision": "main"}}})),
            Progressing,
            "an operation is in progress",
        ),
        (
            "operation running",
            app(json!({"operationState": {"phase": "Running"}})),
            Progressing,
            "an operation is in progress",
        ),
        (
            "last sync failed",
            app(json!({"sync": {"status": "OutOfSync"},
                "operationState": {"phase": "Failed", "message": "one or more objects failed to apply"}})),
            Degraded,
            "sync failed: one or more objects failed to apply",
        ),
        (
            "synced after an old failure",
            app(json!({"operationState": {"phase": "Failed", "message": "x"}})),
            Healthy,
            "",
        ),
        (
            "degraded while synced",
            app(json!({"health": {"status": "Degraded", "message": "Deployment failed"}})),
            Degraded,
            "Deployment failed",
        ),
    ]);
}

#[test]
fn generic_conditions_and_kinds_without_health() {
    let cr = |conds: Value| {
        json!({"apiVersion": "example.com/v1", "kind": "Widget",
        "metadata": {"name": "tls", "generation": 1}, "status": {"observedGeneration": 1, "conditions": conds}})
    };
    check(&[
        (
            "ready",
            cr(
                json!([{"type": "Ready", "status": "True", "message": "Certificate is up to date"}]),
            ),
            Healthy,
            "Certificate is up to date",
        ),
        (
            "not ready",
            cr(
                json!([{"type": "Ready", "status": "False", "reason": "Failed", "message": "issuer not found"}]),
            ),
            Degraded,
            "issuer not found",
        ),
        (
            "reconciling",
            cr(json!([{"type": "Ready", "status": "False", "reason": "Reconciling"}])),
            Progressing,
            "Reconciling",
        ),
        (
            "unknown",
            cr(json!([{"type": "Ready", "status": "Unknown", "message": "Issuing"}])),
            Progressing,
            "Issuing",
        ),
        (
            "available",
            cr(json!([{"type": "Available", "status": "True"}])),
            Healthy,
            "",
        ),
    ]);
    for kind in ["ConfigMap", "Secret", "ServiceAccount"] {
        assert!(
            assess(&json!({"apiVersion": "v1", "kind": kind, "metadata": {"name": "x"}})).is_none(),
            "{kind}"
        );
    }
    let no_conditions = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "status": {}});
    assert!(assess(&no_conditions).is_none());
}

#[test]
fn deleting_objects_are_pending_deletion_except_hooks() {
    let mut d = deploy(
        1,
        json!({"replicas": 1}),
        json!({"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "availableReplicas": 1}),
    );
    d["metadata"]["deletionTimestamp"] = json!("2024-05-01T10:00:00Z");
    let h = assess(&d).unwrap();
    assert_eq!(
        (h.status, h.message.as_str()),
        (Progressing, "Pending deletion")
    );
    let hook = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "m", "deletionTimestamp": "2024-05-01T10:00:00Z",
        "annotations": {"argocd.argoproj.io/hook": "PreSync"}}, "status": {"conditions": [{"type": "Complete", "status": "True"}]}});
    assert_eq!(assess(&hook).unwrap().status, Healthy);
}

#[test]
fn registry_overrides_builtin_and_can_disable_generic() {
    let mut reg = HealthRegistry::new();
    reg.register("apps", "Deployment", |_| {
        Some(driftless_core::Health::new(Suspended, "custom"))
    });
    let d = deploy(1, json!({}), json!({}));
    assert_eq!(reg.assess(&d).unwrap().message, "custom");
    let cr = json!({"apiVersion": "x.io/v1", "kind": "Thing", "metadata": {"name": "t"},
        "status": {"conditions": [{"type": "Ready", "status": "True"}]}});
    assert_eq!(reg.assess(&cr).unwrap().status, Healthy);
    reg.set_generic(false);
    assert!(reg.assess(&cr).is_none());
    assert_eq!(reg.assess_live(None).unwrap().status, Missing);
}
