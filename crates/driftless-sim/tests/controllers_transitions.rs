//! State transitions of each controller as pure functions of a snapshot.

use std::sync::Arc;
use std::time::Duration;

use driftless_sim::controllers::{
    Action, WorkloadConfig, World, cronjob, daemonset, deployment, faults, hpa, job, network, pods,
    replicaset, scheduler, statefulset,
};
use serde_json::{Value, json};

fn dep(replicas: i64, image: &str) -> Value {
    let mut d = json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "ns", "uid": "dep-uid", "generation": 1},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": image}]}}}});
    driftless_sim::defaults::apply_defaults("apps", "v1", "Deployment", &mut d);
    d
}

fn creates(actions: &[Action], kind: &str) -> Vec<Value> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Create(o) if o["kind"] == kind => Some(o.clone()),
            _ => None,
        })
        .collect()
}

fn updates(actions: &[Action]) -> Vec<Value> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Update(o) => Some(o.clone()),
            _ => None,
        })
        .collect()
}

fn status_of(actions: &[Action]) -> Option<Value> {
    actions.iter().find_map(|a| match a {
        Action::UpdateStatus(o) => Some(o["status"].clone()),
        _ => None,
    })
}

fn events(actions: &[Action]) -> Vec<String> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Event(e) => Some(format!(
                "{} {}",
                e["reason"].as_str().unwrap(),
                e["message"].as_str().unwrap()
            )),
            _ => None,
        })
        .collect()
}

fn cond<'a>(status: &'a Value, ty: &str) -> &'a Value {
    status["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == ty)
        .unwrap()
}

/// A ReplicaSet as the Deployment controller made it, with the given spec and available replicas.
fn rs_from(actions: &[Action], replicas: i64, available: i64, uid: &str) -> Arc<Value> {
    let mut rs = creates(actions, "ReplicaSet").remove(0);
    rs["metadata"]["uid"] = json!(uid);
    rs["spec"]["replicas"] = json!(replicas);
    rs["status"] =
        json!({"replicas": replicas, "readyReplicas": available, "availableReplicas": available});
    Arc::new(rs)
}

#[test]
fn new_deployment_creates_a_hashed_replicaset_at_revision_one() {
    let d = dep(3, "nginx:1.27");
    let actions = deployment::reconcile(&d, &[], 0);
    let rs = &creates(&actions, "ReplicaSet")[0];
    let hash = rs["metadata"]["labels"]["pod-template-hash"]
        .as_str()
        .unwrap();
    assert_eq!(rs["metadata"]["name"], format!("web-{hash}"));
    assert_eq!(rs["spec"]["replicas"], 3);
    assert_eq!(
        rs["spec"]["selector"]["matchLabels"]["pod-template-hash"],
        hash
    );
    assert_eq!(
        rs["spec"]["template"]["metadata"]["labels"]["pod-template-hash"],
        hash
    );
    assert_eq!(
        rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "1"
    );
    assert_eq!(rs["metadata"]["ownerReferences"][0]["uid"], "dep-uid");
    assert_eq!(rs["metadata"]["ownerReferences"][0]["controller"], true);
    assert!(events(&actions).contains(&format!(
        "ScalingReplicaSet Scaled up replica set web-{hash} from 0 to 3"
    )));
    let st = status_of(&actions).unwrap();
    assert_eq!(cond(&st, "Progressing")["reason"], "NewReplicaSetCreated");
    assert_eq!(cond(&st, "Available")["status"], "False");
    assert_eq!(st["observedGeneration"], 1);
    // The same template always hashes the same.
    let again = deployment::reconcile(&d, &[], 0);
    assert_eq!(
        creates(&again, "ReplicaSet")[0]["metadata"]["name"],
        rs["metadata"]["name"]
    );
}

#[test]
fn complete_deployment_reports_available_and_new_replicaset_available() {
    let d = dep(3, "nginx:1.27");
    let rs = rs_from(&deployment::reconcile(&d, &[], 0), 3, 3, "rs1");
    let actions = deployment::reconcile(&d, std::slice::from_ref(&rs), 0);
    assert!(creates(&actions, "ReplicaSet").is_empty());
    let st = status_of(&actions).unwrap();
    assert_eq!(st["replicas"], 3);
    assert_eq!(st["updatedReplicas"], 3);
    assert_eq!(st["availableReplicas"], 3);
    assert!(st.get("unavailableReplicas").is_none());
    assert_eq!(cond(&st, "Available")["reason"], "MinimumReplicasAvailable");
    assert_eq!(cond(&st, "Progressing")["reason"], "NewReplicaSetAvailable");
    assert_eq!(
        cond(&st, "Progressing")["message"],
        format!(
            "ReplicaSet \"{}\" has successfully progressed.",
            rs["metadata"]["name"].as_str().unwrap()
        )
    );
}

#[test]
fn rolling_update_surges_then_scales_down_within_max_unavailable() {
    let old_dep = dep(4, "nginx:1.27");
    let old_rs = rs_from(&deployment::reconcile(&old_dep, &[], 0), 4, 4, "rs1");
    let mut d = dep(4, "nginx:1.28");
    d["metadata"]["generation"] = json!(2);
    // maxSurge 25% of 4 = 1: the new ReplicaSet starts with one replica; the old one is kept.
    let actions = deployment::reconcile(&d, std::slice::from_ref(&old_rs), 0);
    let new = &creates(&actions, "ReplicaSet")[0];
    assert_eq!(new["spec"]["replicas"], 1);
    assert_eq!(
        new["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "2"
    );
    assert!(
        updates(&actions)
            .iter()
            .all(|u| u["kind"] != "ReplicaSet" || u["spec"]["replicas"] != 3)
    );
    // With the new pod not yet available, maxUnavailable 25% of 4 = 1 lets one old pod go.
    let new_rs = rs_from(&actions, 1, 0, "rs2");
    let actions = deployment::reconcile(&d, &[old_rs.clone(), new_rs], 0);
    let scaled: Vec<Value> = updates(&actions)
        .into_iter()
        .filter(|u| u["kind"] == "ReplicaSet")
        .collect();
    assert_eq!(scaled.len(), 1);
    assert_eq!(scaled[0]["metadata"]["uid"], "rs1");
    assert_eq!(scaled[0]["spec"]["replicas"], 3);
    let st = status_of(&actions).unwrap();
    assert_eq!(cond(&st, "Progressing")["reason"], "ReplicaSetUpdated");
}

#[test]
fn recreate_scales_old_to_zero_before_the_new_replicaset_gets_pods() {
    let mut old_dep = dep(2, "nginx:1.27");
    old_dep["spec"]["strategy"] = json!({"type": "Recreate"});
    let old_rs = rs_from(&deployment::reconcile(&old_dep, &[], 0), 2, 2, "rs1");
    let mut d = old_dep.clone();
    d["spec"]["template"]["spec"]["containers"][0]["image"] = json!("nginx:1.28");
    let actions = deployment::reconcile(&d, std::slice::from_ref(&old_rs), 0);
    assert_eq!(creates(&actions, "ReplicaSet")[0]["spec"]["replicas"], 0);
}

#[test]
fn replicaset_creates_missing_pods_and_deletes_unready_extras_first() {
    let rs = json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web-abc", "namespace": "ns", "uid": "rs", "generation": 1},
        "spec": {"replicas": 2, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}});
    let actions = replicaset::reconcile(&rs, &[], 0);
    let ps = creates(&actions, "Pod");
    assert_eq!(ps.len(), 2);
    assert!(
        ps[0]["metadata"]["name"]
            .as_str()
            .unwrap()
            .starts_with("web-abc-")
    );
    assert_eq!(ps[0]["metadata"]["generateName"], "web-abc-");
    assert_eq!(
        ps[0]["metadata"]["ownerReferences"][0]["kind"],
        "ReplicaSet"
    );
    let pod = |name: &str, ready: bool| {
        Arc::new(
            json!({"kind": "Pod", "metadata": {"name": name, "namespace": "ns", "creationTimestamp": "2024-01-01T00:00:00Z"},
        "spec": {"nodeName": "n"}, "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": if ready {"True"} else {"False"}}]}}),
        )
    };
    let mut one = rs.clone();
    one["spec"]["replicas"] = json!(1);
    let actions = replicaset::reconcile(&one, &[pod("a", true), pod("b", false)], 0);
    assert!(actions.contains(&Action::Delete {
        kind: "Pod".into(),
        namespace: "ns".into(),
        name: "b".into()
    }));
    let st = status_of(&actions).unwrap();
    assert_eq!(
        st,
        json!({"replicas": 2, "fullyLabeledReplicas": 2, "readyReplicas": 1, "availableReplicas": 1, "observedGeneration": 1})
    );
}

fn pod(image: &str, annotations: Value, restart: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "ns", "uid": "u1", "annotations": annotations},
        "spec": {"nodeName": "sim-node-1", "restartPolicy": restart, "containers": [{"name": "c", "image": image}]}, "status": {"phase": "Pending"}})
}

/// Applies the kubelet's status at `age` to `p` and returns (status, events).
fn kubelet_at(p: &mut Value, age_ms: u64, by_job: bool) -> (Value, Vec<String>, bool) {
    let cfg = WorkloadConfig {
        start_delay: Duration::from_millis(100),
        ready_delay: Duration::from_millis(200),
        job_duration: Duration::from_millis(300),
        crash_interval: Duration::from_millis(100),
        ..WorkloadConfig::default()
    };
    let (actions, pending) = pods::kubelet(
        p,
        Duration::from_millis(age_ms),
        "10.244.0.9",
        "172.18.0.2",
        by_job,
        &cfg,
    );
    if let Some(st) = status_of(&actions) {
        p["status"] = st;
    }
    (p["status"].clone(), events(&actions), pending)
}

#[test]
fn kubelet_moves_a_pod_from_creating_to_running_to_ready() {
    let mut p = pod("nginx:1.27", json!({}), "Always");
    let (st, _, pending) = kubelet_at(&mut p, 0, false);
    assert!(pending);
    assert_eq!(st["phase"], "Pending");
    assert_eq!(
        st["containerStatuses"][0]["state"]["waiting"]["reason"],
        "ContainerCreating"
    );
    assert_eq!(cond(&st, "PodScheduled")["status"], "True");
    let (st, ev, _) = kubelet_at(&mut p, 150, false);
    assert_eq!(st["phase"], "Running");
    assert_eq!(st["podIP"], "10.244.0.9");
    assert_eq!(st["hostIP"], "172.18.0.2");
    assert_eq!(
        st["containerStatuses"][0]["image"],
        "docker.io/library/nginx:1.27"
    );
    assert_eq!(cond(&st, "Ready")["status"], "False");
    assert!(
        ev.iter().any(|e| e == "Started Started container c"),
        "{ev:?}"
    );
    let (st, ev, pending) = kubelet_at(&mut p, 400, false);
    assert!(!pending);
    assert!(ev.is_empty(), "no new events once running: {ev:?}");
    assert_eq!(cond(&st, "Ready")["status"], "True");
    assert_eq!(st["containerStatuses"][0]["ready"], true);
    // Steady state: nothing more to write.
    let cfg = WorkloadConfig::default();
    let (actions, _) = pods::kubelet(
        &p,
        Duration::from_secs(5),
        "10.244.0.9",
        "172.18.0.2",
        false,
        &cfg,
    );
    assert!(actions.is_empty(), "{actions:?}");
}

#[test]
fn kubelet_honours_ready_after_annotation() {
    let mut p = pod(
        "nginx:1.27",
        json!({"sim.driftless.dev/ready-after": "never"}),
        "Always",
    );
    let (st, _, pending) = kubelet_at(&mut p, 10_000, false);
    assert_eq!(st["phase"], "Running");
    assert_eq!(cond(&st, "Ready")["status"], "False");
    assert!(!pending);
}

#[test]
fn kubelet_crashloops_with_climbing_restart_count() {
    let mut p = pod("example/crashloop:1", json!({}), "Always");
    let (st, _, _) = kubelet_at(&mut p, 150, false);
    assert_eq!(
        st["containerStatuses"][0]["state"]["waiting"]["reason"],
        "CrashLoopBackOff"
    );
    assert_eq!(st["containerStatuses"][0]["restartCount"], 1);
    let (st, ev, pending) = kubelet_at(&mut p, 450, false);
    assert!(pending);
    assert_eq!(st["containerStatuses"][0]["restartCount"], 4);
    assert!(
        ev.iter()
            .any(|e| e.starts_with("BackOff Back-off restarting failed container c")),
        "{ev:?}"
    );
    assert_eq!(st["phase"], "Running");
    assert_eq!(cond(&st, "Ready")["status"], "False");
}

#[test]
fn kubelet_reports_image_pull_errors_then_backoff() {
    let mut p = pod("registry.example.com/nonexistent:1", json!({}), "Always");
    let (st, ev, _) = kubelet_at(&mut p, 150, false);
    assert_eq!(
        st["containerStatuses"][0]["state"]["waiting"]["reason"],
        "ErrImagePull"
    );
    assert!(ev.iter().any(|e| e == "Failed Error: ErrImagePull"));
    let (st, _, _) = kubelet_at(&mut p, 300, false);
    assert_eq!(
        st["containerStatuses"][0]["state"]["waiting"]["reason"],
        "ImagePullBackOff"
    );
    assert_eq!(st["phase"], "Pending");
}

#[test]
fn kubelet_completes_job_pods_and_fails_failing_ones() {
    let mut p = pod("busybox", json!({}), "Never");
    let (st, _, _) = kubelet_at(&mut p, 500, true);
    assert_eq!(st["phase"], "Succeeded");
    assert_eq!(
        st["containerStatuses"][0]["state"]["terminated"]["reason"],
        "Completed"
    );
    assert_eq!(cond(&st, "Ready")["reason"], "PodCompleted");
    let mut p = pod(
        "busybox",
        json!({"sim.driftless.dev/fail": "true"}),
        "Never",
    );
    let (st, _, _) = kubelet_at(&mut p, 500, true);
    assert_eq!(st["phase"], "Failed");
    assert_eq!(
        st["containerStatuses"][0]["state"]["terminated"]["exitCode"],
        1
    );
}

fn sts(replicas: i64, policy: &str) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db", "namespace": "ns", "uid": "sts", "generation": 1},
        "spec": {"replicas": replicas, "serviceName": "db", "podManagementPolicy": policy, "selector": {"matchLabels": {"app": "db"}},
            "template": {"metadata": {"labels": {"app": "db"}}, "spec": {"containers": [{"name": "c", "image": "postgres"}]}},
            "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {"resources": {"requests": {"storage": "1Gi"}}}}]}})
}

fn sts_pod(s: &Value, actions: &[Action], ordinal: usize, ready: bool) -> Arc<Value> {
    let mut p = creates(actions, "Pod")
        .into_iter()
        .find(|p| p["metadata"]["name"] == format!("db-{ordinal}"))
        .unwrap();
    p["status"] = json!({"phase": "Running", "conditions": [{"type": "Ready", "status": if ready {"True"} else {"False"}}]});
    let _ = s;
    Arc::new(p)
}

#[test]
fn statefulset_ordered_ready_waits_for_each_pod() {
    let s = sts(3, "OrderedReady");
    let world = World::default();
    let a0 = statefulset::reconcile(&s, &[], &world);
    let names: Vec<Value> = creates(&a0, "Pod")
        .iter()
        .map(|p| p["metadata"]["name"].clone())
        .collect();
    assert_eq!(names, vec![json!("db-0")]);
    let claim = &creates(&a0, "PersistentVolumeClaim")[0];
    assert_eq!(claim["metadata"]["name"], "data-db-0");
    assert_eq!(claim["metadata"]["labels"]["app"], "db");
    let p0 = &creates(&a0, "Pod")[0];
    assert_eq!(
        p0["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"],
        "data-db-0"
    );
    assert!(
        p0["metadata"]["labels"]["controller-revision-hash"]
            .as_str()
            .unwrap()
            .starts_with("db-")
    );
    // db-0 not ready yet: nothing more is created.
    let unready = sts_pod(&s, &a0, 0, false);
    assert!(creates(&statefulset::reconcile(&s, &[unready], &world), "Pod").is_empty());
    let ready = sts_pod(&s, &a0, 0, true);
    let a1 = statefulset::reconcile(&s, &[ready], &world);
    assert_eq!(creates(&a1, "Pod")[0]["metadata"]["name"], "db-1");
    // Parallel creates all at once.
    let all = statefulset::reconcile(&sts(3, "Parallel"), &[], &world);
    assert_eq!(creates(&all, "Pod").len(), 3);
}

#[test]
fn daemonset_pins_one_pod_to_each_node() {
    let ds = json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent", "namespace": "ns", "uid": "ds", "generation": 1,
        "annotations": {"deprecated.daemonset.template.generation": "1"}},
        "spec": {"template": {"metadata": {"labels": {"app": "agent"}}, "spec": {"containers": [{"name": "c", "image": "busybox"}]}}}});
    let nodes = vec!["n1".to_string(), "n2".to_string()];
    let actions = daemonset::reconcile(&ds, &[], &nodes);
    let ps = creates(&actions, "Pod");
    assert_eq!(ps.len(), 2);
    let pinned: Vec<&str> = ps.iter().map(|p| daemonset::pod_node(p).unwrap()).collect();
    assert_eq!(pinned, vec!["n1", "n2"]);
    assert_eq!(ps[0]["metadata"]["labels"]["pod-template-generation"], "1");
    let st = status_of(&actions).unwrap();
    assert_eq!(st["desiredNumberScheduled"], 2);
    assert_eq!(st["numberReady"], 0);
}

#[test]
fn job_creates_parallel_pods_and_completes() {
    let j = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "work", "namespace": "ns", "uid": "job"},
        "spec": {"completions": 3, "parallelism": 2, "backoffLimit": 6,
            "template": {"metadata": {"labels": {"job-name": "work"}}, "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}});
    let actions = job::reconcile(&j, &[], 0);
    assert_eq!(creates(&actions, "Pod").len(), 2);
    let st = status_of(&actions).unwrap();
    assert!(st["startTime"].is_string());
    assert_eq!(st["ready"], 0);
    assert_eq!(st["terminating"], 0);
    assert_eq!(st["uncountedTerminatedPods"], json!({}));
    let done = |n: &str| {
        Arc::new(
            json!({"kind": "Pod", "metadata": {"name": n, "namespace": "ns"}, "status": {"phase": "Succeeded"}}),
        )
    };
    let actions = job::reconcile(&j, &[done("a"), done("b"), done("c")], 0);
    let st = status_of(&actions).unwrap();
    assert_eq!(st["succeeded"], 3);
    assert_eq!(cond(&st, "Complete")["status"], "True");
    assert!(events(&actions).contains(&"Completed Job completed".to_string()));
}

#[test]
fn cronjob_creates_the_due_job_with_scheduled_timestamp() {
    let cj = json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "nightly", "namespace": "ns", "uid": "cj", "creationTimestamp": "2024-01-01T00:00:30Z"},
        "spec": {"schedule": "*/5 * * * *", "concurrencyPolicy": "Allow", "jobTemplate": {"metadata": {"labels": {"team": "a"}}, "spec": {"template": {"spec": {"restartPolicy": "OnFailure", "containers": [{"name": "c", "image": "busybox"}]}}}}}});
    let now = chrono::DateTime::parse_from_rfc3339("2024-01-01T00:11:00Z")
        .unwrap()
        .to_utc();
    let actions = cronjob::reconcile(&cj, &[], now);
    let jobs = creates(&actions, "Job");
    assert_eq!(jobs.len(), 1, "only the most recent missed run starts");
    let due = chrono::DateTime::parse_from_rfc3339("2024-01-01T00:10:00Z")
        .unwrap()
        .timestamp();
    assert_eq!(jobs[0]["metadata"]["name"], format!("nightly-{}", due / 60));
    assert_eq!(jobs[0]["metadata"]["labels"]["team"], "a");
    assert_eq!(
        jobs[0]["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"],
        "2024-01-01T00:10:00Z"
    );
    assert_eq!(
        status_of(&actions).unwrap()["lastScheduleTime"],
        "2024-01-01T00:10:00Z"
    );
    let mut suspended = cj.clone();
    suspended["spec"]["suspend"] = json!(true);
    assert!(creates(&cronjob::reconcile(&suspended, &[], now), "Job").is_empty());
}

#[test]
fn endpoints_list_ready_and_not_ready_addresses_with_resolved_named_ports() {
    let svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "ns", "labels": {"tier": "fe"}},
        "spec": {"selector": {"app": "web"}, "ports": [{"name": "http", "port": 80, "targetPort": "web", "protocol": "TCP"}]}});
    let pod = |name: &str, ip: &str, ready: bool| {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "ns", "uid": name, "labels": {"app": "web"}},
        "spec": {"nodeName": "n1", "containers": [{"name": "c", "ports": [{"name": "web", "containerPort": 8080}]}]},
        "status": {"phase": "Running", "podIP": ip, "conditions": [{"type": "Ready", "status": if ready {"True"} else {"False"}}]}})
    };
    let world = World::from_objects([
        svc.clone(),
        pod("a", "10.244.0.3", true),
        pod("b", "10.244.0.2", false),
    ]);
    let ep = network::endpoints_for(&svc, &world).unwrap();
    assert_eq!(ep["metadata"]["labels"]["tier"], "fe");
    assert_eq!(ep["subsets"][0]["addresses"][0]["ip"], "10.244.0.3");
    assert_eq!(ep["subsets"][0]["addresses"][0]["targetRef"]["name"], "a");
    assert_eq!(ep["subsets"][0]["notReadyAddresses"][0]["ip"], "10.244.0.2");
    assert_eq!(
        ep["subsets"][0]["ports"],
        json!([{"port": 8080, "protocol": "TCP", "name": "http"}])
    );
}

#[test]
fn hpa_scales_by_simulated_utilization_within_bounds() {
    let target = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "ns"}, "spec": {"replicas": 2}, "status": {"replicas": 2}});
    let h = |util: Option<&str>| {
        let mut h = json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "web", "namespace": "ns"},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "minReplicas": 1, "maxReplicas": 5,
                "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}}]}});
        if let Some(u) = util {
            h["metadata"]["annotations"] = json!({"sim.driftless.dev/utilization": u});
        }
        h
    };
    let world = World::from_objects([target]);
    let (actions, rescale, _) = hpa::reconcile(&h(None), &world, &[]);
    assert!(rescale.is_none());
    let st = status_of(&actions).unwrap();
    assert_eq!(st["desiredReplicas"], 2);
    assert_eq!(cond(&st, "AbleToScale")["reason"], "ReadyForNewScale");
    assert_eq!(cond(&st, "ScalingLimited")["reason"], "DesiredWithinRange");
    let (actions, rescale, _) = hpa::reconcile(&h(Some("100")), &world, &[]);
    assert_eq!(rescale.unwrap().replicas, 4);
    assert!(
        events(&actions)
            .iter()
            .any(|e| e
                .starts_with("SuccessfulRescale New size: 4; reason: cpu resource utilization"))
    );
    let (actions, rescale, _) = hpa::reconcile(&h(Some("500")), &world, &[]);
    assert_eq!(rescale.unwrap().replicas, 5);
    assert_eq!(
        cond(&status_of(&actions).unwrap(), "ScalingLimited")["reason"],
        "TooManyReplicas"
    );
    let (actions, _, _) = hpa::reconcile(&h(None), &World::default(), &[]);
    assert_eq!(
        cond(&status_of(&actions).unwrap(), "AbleToScale")["reason"],
        "FailedGetScale"
    );
}

#[test]
fn fault_injection_is_seeded_and_near_its_rates() {
    let cfg = faults::FaultConfig {
        error_rate: 0.2,
        throttle_rate: 0.1,
        retry_after_secs: 3,
        seed: 42,
        ..faults::FaultConfig::default()
    };
    let run = || {
        let inj = faults::FaultInjector::new(cfg.clone());
        (0..2000)
            .map(|_| {
                inj.fault_for(&faults::RequestInfo {
                    method: "PATCH",
                    path: "/apis/apps/v1/namespaces/a/deployments/x",
                    watch: false,
                })
            })
            .collect::<Vec<_>>()
    };
    let a = run();
    assert_eq!(a, run(), "same seed, same faults");
    let errors = a
        .iter()
        .filter(|f| **f == Some(faults::Fault::InternalError))
        .count();
    let throttles = a
        .iter()
        .filter(|f| {
            **f == Some(faults::Fault::TooManyRequests {
                retry_after_secs: 3,
            })
        })
        .count();
    assert!((300..500).contains(&errors), "{errors}");
    assert!((100..260).contains(&throttles), "{throttles}");
    let drop = faults::FaultInjector::new(faults::FaultConfig {
        watch_drop_rate: 1.0,
        ..faults::FaultConfig::default()
    });
    let w = faults::RequestInfo {
        method: "GET",
        path: "/api/v1/pods",
        watch: true,
    };
    assert!(matches!(
        drop.fault_for(&w),
        Some(faults::Fault::DropWatch(_))
    ));
    assert_eq!(
        drop.fault_for(&faults::RequestInfo { watch: false, ..w }),
        None
    );
}

#[test]
fn replicaset_counts_ready_pods_available_only_after_min_ready_seconds() {
    let rs = json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web-abc", "namespace": "ns", "uid": "rs", "generation": 1},
        "spec": {"replicas": 1, "minReadySeconds": 30, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}});
    let ready_since = "2024-01-01T00:00:00Z";
    let p = Arc::new(
        json!({"kind": "Pod", "metadata": {"name": "a", "namespace": "ns"}, "spec": {"nodeName": "n"},
        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": ready_since}]}}),
    );
    let t0 = chrono::DateTime::parse_from_rfc3339(ready_since)
        .unwrap()
        .timestamp();
    let early = status_of(&replicaset::reconcile(
        &rs,
        std::slice::from_ref(&p),
        t0 + 10,
    ))
    .unwrap();
    assert_eq!(early["readyReplicas"], 1);
    assert!(early.get("availableReplicas").is_none());
    let later = status_of(&replicaset::reconcile(&rs, &[p], t0 + 30)).unwrap();
    assert_eq!(later["availableReplicas"], 1);
}

#[test]
fn scheduler_binds_fitting_pods_and_reports_unschedulable_ones() {
    use driftless_sim::controllers::cluster::node_object;
    let nodes = vec![node_object("n1", 0), node_object("n2", 1)];
    let p = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "ns", "uid": "u"},
        "spec": {"nodeSelector": {"kubernetes.io/hostname": "n2"}, "containers": [{"name": "c", "image": "nginx"}]}});
    let bound = updates(&scheduler::schedule(&p, &nodes));
    assert_eq!(bound[0]["spec"]["nodeName"], "n2");
    let mut nowhere = p.clone();
    nowhere["spec"]["nodeSelector"] = json!({"disk": "ssd"});
    let actions = scheduler::schedule(&nowhere, &nodes);
    let st = status_of(&actions).unwrap();
    let c = cond(&st, "PodScheduled");
    assert_eq!(c["status"], "False");
    assert_eq!(c["reason"], "Unschedulable");
    assert_eq!(
        c["message"],
        "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling."
    );
    assert!(events(&actions)[0].starts_with("FailedScheduling 0/2 nodes are available"));
    let mut big = p.clone();
    big["spec"].as_object_mut().unwrap().remove("nodeSelector");
    big["spec"]["containers"][0]["resources"] = json!({"requests": {"cpu": "64"}});
    let st = status_of(&scheduler::schedule(&big, &nodes)).unwrap();
    assert!(
        cond(&st, "PodScheduled")["message"]
            .as_str()
            .unwrap()
            .contains("2 Insufficient cpu")
    );
}

#[test]
fn stalled_rollout_exceeds_its_progress_deadline() {
    let mut d = dep(1, "example/crashloop:1");
    d["spec"]["progressDeadlineSeconds"] = json!(60);
    let rs = rs_from(&deployment::reconcile(&d, &[], 0), 1, 0, "rs1");
    let t0 = chrono::DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z")
        .unwrap()
        .timestamp();
    d["status"] = json!({"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "unavailableReplicas": 1, "conditions": [
        {"type": "Progressing", "status": "True", "reason": "ReplicaSetUpdated", "message": "x",
         "lastUpdateTime": "2024-01-01T00:00:00Z", "lastTransitionTime": "2024-01-01T00:00:00Z"}]});
    let within = status_of(&deployment::reconcile(
        &d,
        std::slice::from_ref(&rs),
        t0 + 30,
    ))
    .unwrap();
    assert_eq!(cond(&within, "Progressing")["reason"], "ReplicaSetUpdated");
    let late = status_of(&deployment::reconcile(
        &d,
        std::slice::from_ref(&rs),
        t0 + 61,
    ))
    .unwrap();
    let c = cond(&late, "Progressing");
    assert_eq!(c["status"], "False");
    assert_eq!(c["reason"], "ProgressDeadlineExceeded");
    assert_eq!(
        c["message"],
        format!(
            "ReplicaSet \"{}\" has timed out progressing.",
            rs["metadata"]["name"].as_str().unwrap()
        )
    );
}

#[test]
fn statefulsets_get_controller_revisions_and_pdbs_count_healthy_pods() {
    use driftless_sim::controllers::revisions;
    let s = sts(2, "OrderedReady");
    let actions = revisions::reconcile_revisions(&s, "abc", &[]);
    let cr = &creates(&actions, "ControllerRevision")[0];
    assert_eq!(cr["metadata"]["name"], "db-abc");
    assert_eq!(cr["revision"], 1);
    assert_eq!(
        cr["metadata"]["labels"]["controller.kubernetes.io/hash"],
        "abc"
    );
    assert_eq!(cr["data"]["spec"]["template"]["$patch"], "replace");
    let existing = Arc::new(cr.clone());
    let next = revisions::reconcile_revisions(&s, "def", std::slice::from_ref(&existing));
    assert_eq!(creates(&next, "ControllerRevision")[0]["revision"], 2);
    assert!(revisions::reconcile_revisions(&s, "abc", &[existing]).is_empty());

    let pdb = json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web", "namespace": "ns", "generation": 1},
        "spec": {"minAvailable": "50%", "selector": {"matchLabels": {"app": "web"}}}});
    let pod = |n: &str, ready: bool| {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": n, "namespace": "ns", "labels": {"app": "web"}},
        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": if ready {"True"} else {"False"}}]}})
    };
    let world = World::from_objects([pod("a", true), pod("b", true), pod("c", false)]);
    let st = status_of(&revisions::reconcile_pdb(&pdb, &world)).unwrap();
    assert_eq!(st["expectedPods"], 3);
    assert_eq!(st["currentHealthy"], 2);
    assert_eq!(st["desiredHealthy"], 2);
    assert_eq!(st["disruptionsAllowed"], 0);
    assert_eq!(cond(&st, "DisruptionAllowed")["reason"], "InsufficientPods");
}

#[test]
fn paused_deployment_does_not_roll_out_and_reports_paused() {
    let old = dep(2, "nginx:1.27");
    let rs = rs_from(&deployment::reconcile(&old, &[], 0), 2, 2, "rs1");
    let mut d = dep(2, "nginx:1.28");
    d["spec"]["paused"] = json!(true);
    let actions = deployment::reconcile(&d, std::slice::from_ref(&rs), 0);
    let new = creates(&actions, "ReplicaSet");
    assert!(
        new.iter().all(|r| r["spec"]["replicas"] == 0),
        "a paused rollout starts no pods"
    );
    assert!(
        updates(&actions).iter().all(|u| u["kind"] != "ReplicaSet"),
        "old pods stay"
    );
    let st = status_of(&actions).unwrap();
    assert_eq!(cond(&st, "Progressing")["status"], "Unknown");
    assert_eq!(cond(&st, "Progressing")["reason"], "DeploymentPaused");
    d["spec"]["paused"] = json!(false);
    d["status"] = st;
    let resumed = status_of(&deployment::reconcile(&d, std::slice::from_ref(&rs), 0)).unwrap();
    assert_eq!(cond(&resumed, "Progressing")["reason"], "DeploymentResumed");
}

#[test]
fn hpa_scale_down_waits_for_its_stabilization_window() {
    let target = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "ns"}, "spec": {"replicas": 4}, "status": {"replicas": 4}});
    let world = World::from_objects([target]);
    let h = json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "web", "namespace": "ns", "annotations": {"sim.driftless.dev/utilization": "25"}},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "minReplicas": 1, "maxReplicas": 10,
            "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}}]}});
    // A recommendation of 4 a minute ago holds the scale-down (to 2) back.
    let (actions, rescale, rec) = hpa::reconcile(&h, &world, &[(Duration::from_secs(60), 4)]);
    assert_eq!(rec, Some(2));
    assert!(rescale.is_none());
    assert_eq!(
        cond(&status_of(&actions).unwrap(), "AbleToScale")["reason"],
        "ScaleDownStabilized"
    );
    // Older than the default 300 s window: it scales down.
    let (_, rescale, _) = hpa::reconcile(&h, &world, &[(Duration::from_secs(301), 4)]);
    assert_eq!(rescale.unwrap().replicas, 2);
    // A zero window scales down at once.
    let mut fast = h.clone();
    fast["spec"]["behavior"] = json!({"scaleDown": {"stabilizationWindowSeconds": 0}});
    let (_, rescale, _) = hpa::reconcile(&fast, &world, &[(Duration::from_secs(1), 4)]);
    assert_eq!(rescale.unwrap().replicas, 2);
}

#[test]
fn new_replicaset_carries_the_deployment_annotations_except_kubectl_and_revision_ones() {
    let mut d = dep(1, "nginx:1.27");
    d["metadata"]["annotations"] = json!({"argocd.argoproj.io/tracking-id": "app:apps/Deployment:ns/web",
        "kubectl.kubernetes.io/last-applied-configuration": "{}", "deployment.kubernetes.io/revision": "7"});
    let rs = &creates(&deployment::reconcile(&d, &[], 0), "ReplicaSet")[0];
    let ann = rs["metadata"]["annotations"].as_object().unwrap();
    assert_eq!(
        ann["argocd.argoproj.io/tracking-id"],
        "app:apps/Deployment:ns/web"
    );
    assert!(!ann.contains_key("kubectl.kubernetes.io/last-applied-configuration"));
    assert_eq!(ann["deployment.kubernetes.io/revision"], "1");
}

#[test]
fn indexed_job_runs_one_pod_per_index_and_suspend_stops_pods() {
    let j = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "idx", "namespace": "ns", "uid": "job"},
        "spec": {"completions": 3, "parallelism": 3, "completionMode": "Indexed",
            "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}});
    let ps = creates(&job::reconcile(&j, &[], 0), "Pod");
    let idx: Vec<&str> = ps
        .iter()
        .map(|p| {
            p["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(idx, ["0", "1", "2"]);
    assert_eq!(ps[1]["spec"]["hostname"], "idx-1");
    let done = |i: usize| {
        let mut p = ps[i].clone();
        p["status"] = json!({"phase": "Succeeded"});
        Arc::new(p)
    };
    let st = status_of(&job::reconcile(&j, &[done(0), done(2)], 0)).unwrap();
    assert_eq!(st["completedIndexes"], "0,2");
    let mut suspended = j.clone();
    suspended["spec"]["suspend"] = json!(true);
    let running = Arc::new(
        json!({"kind": "Pod", "metadata": {"name": "r", "namespace": "ns"}, "status": {"phase": "Running"}}),
    );
    let actions = job::reconcile(&suspended, &[running], 0);
    assert!(actions.contains(&Action::Delete {
        kind: "Pod".into(),
        namespace: "ns".into(),
        name: "r".into()
    }));
    assert_eq!(
        cond(&status_of(&actions).unwrap(), "Suspended")["status"],
        "True"
    );
}

#[test]
fn kubelet_crash_after_turns_a_healthy_pod_into_a_crashloop() {
    let mut p = pod(
        "nginx:1.27",
        json!({"sim.driftless.dev/crash-after": "300ms"}),
        "Always",
    );
    let (st, _, pending) = kubelet_at(&mut p, 350, false);
    assert!(pending, "the crash is still due");
    assert_eq!(cond(&st, "Ready")["status"], "True");
    let (st, _, _) = kubelet_at(&mut p, 500, false);
    assert_eq!(
        st["containerStatuses"][0]["state"]["waiting"]["reason"],
        "CrashLoopBackOff"
    );
    assert_eq!(st["containerStatuses"][0]["restartCount"], 2);
    assert_eq!(cond(&st, "Ready")["status"], "False");
}
