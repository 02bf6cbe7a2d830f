//! The controllers driven pass by pass against a real [`Store`] (no HTTP):
//! workloads converge the way they do on a real cluster.

use std::time::Duration;

use driftless_sim::controllers::{Runner, WorkloadConfig};
use driftless_sim::{ListOptions, ResourceRef, Store, WriteOptions};
use serde_json::{Value, json};

fn fast() -> WorkloadConfig {
    WorkloadConfig {
        nodes: vec!["sim-node-1".into(), "sim-node-2".into()],
        start_delay: Duration::ZERO,
        ready_delay: Duration::ZERO,
        job_duration: Duration::ZERO,
        crash_interval: Duration::from_millis(50),
        tick: Duration::from_millis(10),
        event_ttl: Duration::from_secs(3600),
    }
}

fn setup() -> (Store, Runner) {
    let store = Store::new();
    store.bootstrap().unwrap();
    let runner = Runner::new(store.clone(), fast());
    runner.ensure_nodes();
    (store, runner)
}

fn create(store: &Store, r: &ResourceRef, obj: Value) -> Value {
    store
        .create(r, obj, &WriteOptions::manager("test"))
        .unwrap()
}

/// Runs passes until `done` holds (or panics after `max` passes).
fn converge(runner: &mut Runner, max: usize, mut done: impl FnMut() -> bool) {
    for _ in 0..max {
        runner.pass();
        if done() {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!(
        "did not converge in {max} passes: {}",
        std::backtrace::Backtrace::force_capture()
    );
}

fn deployment(name: &str, replicas: i64, image: &str) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "c", "image": image, "ports": [{"containerPort": 80, "name": "http"}]}]}}}})
}

fn cond<'a>(o: &'a Value, ty: &str) -> Option<&'a Value> {
    o.pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c["type"] == ty)
}

fn pods(store: &Store, selector: &str) -> Vec<Value> {
    store
        .list(
            &ResourceRef::core("pods"),
            Some("default"),
            &ListOptions::labels(selector).unwrap(),
        )
        .unwrap()
        .items
}

#[test]
fn deployment_rolls_out_to_available_and_rolls_over_on_template_change() {
    let (store, mut runner) = setup();
    let deps = ResourceRef::new("apps", "v1", "deployments");
    create(&store, &deps, deployment("web", 3, "nginx:1.27"));
    converge(&mut runner, 60, || {
        let d = store.get(&deps, Some("default"), "web").unwrap();
        cond(&d, "Available").is_some_and(|c| c["status"] == "True")
            && cond(&d, "Progressing").is_some_and(|c| c["reason"] == "NewReplicaSetAvailable")
    });
    let d = store.get(&deps, Some("default"), "web").unwrap();
    assert_eq!(d["status"]["readyReplicas"], 3);
    assert_eq!(d["status"]["updatedReplicas"], 3);
    assert_eq!(
        d["status"]["observedGeneration"],
        d["metadata"]["generation"]
    );
    assert_eq!(
        d["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "1"
    );
    let running = pods(&store, "app=web");
    assert_eq!(running.len(), 3);
    for p in &running {
        assert_eq!(p["status"]["phase"], "Running");
        assert!(
            p["status"]["podIP"]
                .as_str()
                .unwrap()
                .starts_with("10.244.")
        );
        assert_eq!(p["status"]["containerStatuses"][0]["ready"], true);
        assert!(p["metadata"]["labels"]["pod-template-hash"].is_string());
    }
    // Endpoints follow the ready pods.
    create(
        &store,
        &ResourceRef::core("services"),
        json!({"metadata": {"name": "web", "namespace": "default"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": "http"}]}}),
    );
    converge(&mut runner, 20, || {
        store
            .get(&ResourceRef::core("endpoints"), Some("default"), "web")
            .is_ok_and(|e| {
                e.pointer("/subsets/0/addresses")
                    .and_then(Value::as_array)
                    .is_some_and(|a| a.len() == 3)
            })
    });
    let ep = store
        .get(&ResourceRef::core("endpoints"), Some("default"), "web")
        .unwrap();
    assert_eq!(ep["subsets"][0]["ports"][0]["port"], 80);
    // A new image rolls over to a second ReplicaSet; the old one is scaled to zero.
    store
        .modify(
            &deps,
            Some("default"),
            "web",
            &WriteOptions::manager("test"),
            false,
            |d| {
                d["spec"]["template"]["spec"]["containers"][0]["image"] = json!("nginx:1.28");
                true
            },
        )
        .unwrap();
    converge(&mut runner, 100, || {
        let d = store.get(&deps, Some("default"), "web").unwrap();
        d["status"]["updatedReplicas"] == 3
            && d["status"]["replicas"] == 3
            && d["status"]["availableReplicas"] == 3
            && d["status"]["observedGeneration"] == 2
            && cond(&d, "Progressing").is_some_and(|c| c["reason"] == "NewReplicaSetAvailable")
    });
    let rss = store
        .list(
            &ResourceRef::new("apps", "v1", "replicasets"),
            Some("default"),
            &ListOptions::default(),
        )
        .unwrap()
        .items;
    assert_eq!(rss.len(), 2);
    let mut revs: Vec<(String, i64)> = rss
        .iter()
        .map(|r| {
            (
                r["metadata"]["annotations"]["deployment.kubernetes.io/revision"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                r["spec"]["replicas"].as_i64().unwrap(),
            )
        })
        .collect();
    revs.sort();
    assert_eq!(revs, vec![("1".to_string(), 0), ("2".to_string(), 3)]);
    let d = store.get(&deps, Some("default"), "web").unwrap();
    assert_eq!(
        d["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "2"
    );
    assert!(
        pods(&store, "app=web")
            .iter()
            .all(|p| p["spec"]["containers"][0]["image"] == "nginx:1.28")
    );
    // Events were recorded for the rollout.
    let events = store
        .list(
            &ResourceRef::core("events"),
            Some("default"),
            &ListOptions::default(),
        )
        .unwrap()
        .items;
    let reasons: Vec<&str> = events.iter().filter_map(|e| e["reason"].as_str()).collect();
    for r in [
        "ScalingReplicaSet",
        "SuccessfulCreate",
        "Scheduled",
        "Started",
    ] {
        assert!(reasons.contains(&r), "missing event {r} in {reasons:?}");
    }
}

#[test]
fn crashing_image_never_becomes_available() {
    let (store, mut runner) = setup();
    let deps = ResourceRef::new("apps", "v1", "deployments");
    create(
        &store,
        &deps,
        deployment("bad", 1, "example.com/crashloop:1"),
    );
    converge(&mut runner, 60, || {
        pods(&store, "app=bad").first().is_some_and(|p| {
            p["status"]["containerStatuses"][0]["restartCount"]
                .as_i64()
                .unwrap_or(0)
                >= 2
        })
    });
    let p = &pods(&store, "app=bad")[0];
    assert_eq!(
        p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"],
        "CrashLoopBackOff"
    );
    assert_eq!(
        p["status"]["containerStatuses"][0]["lastState"]["terminated"]["exitCode"],
        1
    );
    // Repeated back-offs are aggregated into one Event with a count, as on a real cluster.
    converge(&mut runner, 60, || {
        let events = store
            .list(
                &ResourceRef::core("events"),
                Some("default"),
                &ListOptions::default(),
            )
            .unwrap()
            .items;
        events
            .iter()
            .any(|e| e["reason"] == "BackOff" && e["count"].as_i64().unwrap_or(0) >= 2)
    });
    let d = store.get(&deps, Some("default"), "bad").unwrap();
    assert_eq!(cond(&d, "Available").unwrap()["status"], "False");
    assert_eq!(
        cond(&d, "Progressing").unwrap()["reason"],
        "ReplicaSetUpdated"
    );
    assert!(d["status"].get("readyReplicas").is_none());
}

#[test]
fn job_runs_to_completion() {
    let (store, mut runner) = setup();
    let jobs = ResourceRef::new("batch", "v1", "jobs");
    create(
        &store,
        &jobs,
        json!({"metadata": {"name": "migrate", "namespace": "default"},
        "spec": {"completions": 2, "parallelism": 1, "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}}),
    );
    converge(&mut runner, 60, || {
        let j = store.get(&jobs, Some("default"), "migrate").unwrap();
        cond(&j, "Complete").is_some_and(|c| c["status"] == "True")
    });
    let j = store.get(&jobs, Some("default"), "migrate").unwrap();
    assert_eq!(j["status"]["succeeded"], 2);
    assert!(j["status"]["completionTime"].is_string());
    assert_eq!(cond(&j, "SuccessCriteriaMet").unwrap()["status"], "True");
    assert!(j["status"].get("active").is_none());
    let ps = pods(&store, "job-name=migrate");
    assert_eq!(ps.len(), 2);
    assert!(ps.iter().all(|p| p["status"]["phase"] == "Succeeded"));
}

#[test]
fn failing_job_pods_exhaust_the_backoff_limit() {
    let (store, mut runner) = setup();
    let jobs = ResourceRef::new("batch", "v1", "jobs");
    create(
        &store,
        &jobs,
        json!({"metadata": {"name": "boom", "namespace": "default"},
        "spec": {"backoffLimit": 1, "template": {"metadata": {"annotations": {"sim.driftless.dev/fail": "true"}},
            "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}}),
    );
    converge(&mut runner, 60, || {
        let j = store.get(&jobs, Some("default"), "boom").unwrap();
        cond(&j, "Failed").is_some_and(|c| c["status"] == "True")
    });
    let j = store.get(&jobs, Some("default"), "boom").unwrap();
    assert_eq!(j["status"]["failed"], 2);
    assert_eq!(
        cond(&j, "Failed").unwrap()["reason"],
        "BackoffLimitExceeded"
    );
}

#[test]
fn statefulset_creates_ordered_pods_and_bound_claims() {
    let (store, mut runner) = setup();
    let sts = ResourceRef::new("apps", "v1", "statefulsets");
    create(
        &store,
        &sts,
        json!({"metadata": {"name": "db", "namespace": "default"},
        "spec": {"replicas": 2, "serviceName": "db", "selector": {"matchLabels": {"app": "db"}},
            "template": {"metadata": {"labels": {"app": "db"}}, "spec": {"containers": [{"name": "c", "image": "postgres:16"}]}},
            "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]}}),
    );
    // The first pass creates only ordinal 0.
    runner.pass();
    let names: Vec<String> = pods(&store, "app=db")
        .iter()
        .map(|p| p["metadata"]["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, vec!["db-0"]);
    converge(&mut runner, 60, || {
        let s = store.get(&sts, Some("default"), "db").unwrap();
        s["status"]["readyReplicas"] == 2
            && s["status"]["currentRevision"] == s["status"]["updateRevision"]
    });
    let p1 = store
        .get(&ResourceRef::core("pods"), Some("default"), "db-1")
        .unwrap();
    assert_eq!(p1["spec"]["hostname"], "db-1");
    assert_eq!(p1["spec"]["subdomain"], "db");
    assert_eq!(
        p1["metadata"]["labels"]["apps.kubernetes.io/pod-index"],
        "1"
    );
    converge(&mut runner, 20, || {
        store
            .get(
                &ResourceRef::core("persistentvolumeclaims"),
                Some("default"),
                "data-db-1",
            )
            .is_ok_and(|c| c["status"]["phase"] == "Bound")
    });
    let pvc = store
        .get(
            &ResourceRef::core("persistentvolumeclaims"),
            Some("default"),
            "data-db-1",
        )
        .unwrap();
    let pv = store
        .get(
            &ResourceRef::core("persistentvolumes"),
            None,
            pvc["spec"]["volumeName"].as_str().unwrap(),
        )
        .unwrap();
    assert_eq!(pv["spec"]["claimRef"]["name"], "data-db-1");
    assert_eq!(pv["spec"]["capacity"]["storage"], "1Gi");
}

#[test]
fn daemonset_runs_one_pod_per_node() {
    let (store, mut runner) = setup();
    let ds = ResourceRef::new("apps", "v1", "daemonsets");
    create(
        &store,
        &ds,
        json!({"metadata": {"name": "agent", "namespace": "default"},
        "spec": {"selector": {"matchLabels": {"app": "agent"}},
            "template": {"metadata": {"labels": {"app": "agent"}}, "spec": {"containers": [{"name": "c", "image": "busybox:1"}]}}}}),
    );
    converge(&mut runner, 40, || {
        let d = store.get(&ds, Some("default"), "agent").unwrap();
        d["status"]["numberReady"] == 2 && d["status"]["updatedNumberScheduled"] == 2
    });
    let mut nodes: Vec<String> = pods(&store, "app=agent")
        .iter()
        .map(|p| p["spec"]["nodeName"].as_str().unwrap().to_string())
        .collect();
    nodes.sort();
    assert_eq!(nodes, vec!["sim-node-1", "sim-node-2"]);
    let n = store
        .get(&ResourceRef::core("nodes"), None, "sim-node-2")
        .unwrap();
    assert_eq!(cond(&n, "Ready").unwrap()["status"], "True");
}

#[test]
fn hpa_scales_its_target_to_min_replicas_and_reports_conditions() {
    let (store, mut runner) = setup();
    let deps = ResourceRef::new("apps", "v1", "deployments");
    create(&store, &deps, deployment("web", 1, "nginx:1.27"));
    let hpas = ResourceRef::new("autoscaling", "v2", "horizontalpodautoscalers");
    create(
        &store,
        &hpas,
        json!({"metadata": {"name": "web", "namespace": "default"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "minReplicas": 3, "maxReplicas": 5}}),
    );
    converge(&mut runner, 60, || {
        let d = store.get(&deps, Some("default"), "web").unwrap();
        d["spec"]["replicas"] == 3 && d["status"]["readyReplicas"] == 3
    });
    converge(&mut runner, 10, || {
        let h = store.get(&hpas, Some("default"), "web").unwrap();
        h["status"]["currentReplicas"] == 3
    });
    let h = store.get(&hpas, Some("default"), "web").unwrap();
    assert_eq!(h["status"]["desiredReplicas"], 3);
    assert_eq!(cond(&h, "AbleToScale").unwrap()["status"], "True");
    assert_eq!(
        cond(&h, "ScalingActive").unwrap()["reason"],
        "ValidMetricFound"
    );
    // The scale is recorded under the controller manager's field manager.
    let d = store.get(&deps, Some("default"), "web").unwrap();
    let managers: Vec<&str> = d["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["manager"].as_str())
        .collect();
    assert!(
        managers.contains(&"kube-controller-manager"),
        "{managers:?}"
    );
}

#[test]
fn load_balancer_service_and_ingress_get_addresses_and_crds_are_established() {
    let (store, mut runner) = setup();
    create(
        &store,
        &ResourceRef::core("services"),
        json!({"metadata": {"name": "lb", "namespace": "default"},
        "spec": {"type": "LoadBalancer", "selector": {"app": "x"}, "ports": [{"port": 443}]}}),
    );
    create(
        &store,
        &ResourceRef::new("networking.k8s.io", "v1", "ingresses"),
        json!({"metadata": {"name": "web", "namespace": "default"},
        "spec": {"rules": [{"host": "a.example.com", "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}}),
    );
    let crds = ResourceRef::new("apiextensions.k8s.io", "v1", "customresourcedefinitions");
    create(
        &store,
        &crds,
        json!({"metadata": {"name": "widgets.example.com"}, "spec": {"group": "example.com", "scope": "Namespaced",
        "names": {"plural": "widgets", "kind": "Widget"},
        "versions": [{"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}}),
    );
    runner.pass();
    runner.pass();
    let svc = store
        .get(&ResourceRef::core("services"), Some("default"), "lb")
        .unwrap();
    assert_eq!(
        svc["status"]["loadBalancer"]["ingress"][0]["ip"],
        "172.18.255.201"
    );
    let ing = store
        .get(
            &ResourceRef::new("networking.k8s.io", "v1", "ingresses"),
            Some("default"),
            "web",
        )
        .unwrap();
    assert_eq!(
        ing["status"]["loadBalancer"]["ingress"][0]["ip"],
        "172.18.255.200"
    );
    let crd = store.get(&crds, None, "widgets.example.com").unwrap();
    assert_eq!(cond(&crd, "Established").unwrap()["status"], "True");
    assert_eq!(
        cond(&crd, "NamesAccepted").unwrap()["reason"],
        "NoConflicts"
    );
    assert_eq!(crd["status"]["acceptedNames"]["singular"], "widget");
}

#[test]
fn daemonset_honours_node_selector() {
    let (store, mut runner) = setup();
    let ds = ResourceRef::new("apps", "v1", "daemonsets");
    create(
        &store,
        &ds,
        json!({"metadata": {"name": "gpu", "namespace": "default"},
        "spec": {"selector": {"matchLabels": {"app": "gpu"}},
            "template": {"metadata": {"labels": {"app": "gpu"}}, "spec": {"nodeSelector": {"kubernetes.io/hostname": "sim-node-2"},
                "containers": [{"name": "c", "image": "busybox:1"}]}}}}),
    );
    converge(&mut runner, 40, || {
        store.get(&ds, Some("default"), "gpu").unwrap()["status"]["numberReady"] == 1
    });
    let d = store.get(&ds, Some("default"), "gpu").unwrap();
    assert_eq!(d["status"]["desiredNumberScheduled"], 1);
    let ps = pods(&store, "app=gpu");
    assert_eq!(ps.len(), 1);
    assert_eq!(ps[0]["spec"]["nodeName"], "sim-node-2");
}

#[test]
fn events_expire_after_their_ttl() {
    let store = Store::new();
    store.bootstrap().unwrap();
    let mut runner = Runner::new(
        store.clone(),
        WorkloadConfig {
            event_ttl: Duration::from_millis(500),
            ..fast()
        },
    );
    let deps = ResourceRef::new("apps", "v1", "deployments");
    create(&store, &deps, deployment("web", 1, "nginx:1.27"));
    let events = || {
        store
            .list(
                &ResourceRef::core("events"),
                Some("default"),
                &ListOptions::default(),
            )
            .unwrap()
            .items
    };
    converge(&mut runner, 40, || {
        !events().is_empty()
            && store.get(&deps, Some("default"), "web").unwrap()["status"]["readyReplicas"] == 1
    });
    std::thread::sleep(Duration::from_millis(2100));
    runner.pass();
    assert!(events().is_empty(), "{:?}", events());
}

#[test]
fn finished_job_with_ttl_is_deleted_with_its_pods() {
    let (store, mut runner) = setup();
    let jobs = ResourceRef::new("batch", "v1", "jobs");
    create(
        &store,
        &jobs,
        json!({"metadata": {"name": "hook", "namespace": "default"},
        "spec": {"ttlSecondsAfterFinished": 0, "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}}),
    );
    converge(&mut runner, 60, || {
        store.get(&jobs, Some("default"), "hook").is_err()
    });
    // The store's garbage collector removes the pods of the deleted Job.
    driftless_sim::system::gc_pass(&store);
    while driftless_sim::system::gc_pass(&store) {}
    assert!(pods(&store, "job-name=hook").is_empty());
}

#[test]
fn malformed_status_does_not_stop_the_controllers() {
    let (store, mut runner) = setup();
    let pods_r = ResourceRef::core("pods");
    create(
        &store,
        &pods_r,
        json!({"metadata": {"name": "odd", "namespace": "default"},
        "spec": {"nodeName": "sim-node-1", "containers": [{"name": "c", "image": "nginx"}]}}),
    );
    let _ = store.modify(
        &pods_r,
        Some("default"),
        "odd",
        &WriteOptions::manager("t"),
        true,
        |p| {
            p["status"] = json!("not an object");
            true
        },
    );
    converge(&mut runner, 20, || {
        store.get(&pods_r, Some("default"), "odd").unwrap()["status"]["phase"] == "Running"
    });
}

#[test]
fn wait_for_first_consumer_claims_bind_once_a_pod_uses_them() {
    let (store, mut runner) = setup();
    create(
        &store,
        &ResourceRef::new("storage.k8s.io", "v1", "storageclasses"),
        json!({"metadata": {"name": "local"},
        "provisioner": "example.com/local", "volumeBindingMode": "WaitForFirstConsumer"}),
    );
    let pvcs = ResourceRef::core("persistentvolumeclaims");
    create(
        &store,
        &pvcs,
        json!({"metadata": {"name": "data", "namespace": "default"},
        "spec": {"storageClassName": "local", "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}),
    );
    for _ in 0..5 {
        runner.pass();
    }
    assert_eq!(
        store.get(&pvcs, Some("default"), "data").unwrap()["status"]["phase"],
        "Pending"
    );
    create(
        &store,
        &ResourceRef::core("pods"),
        json!({"metadata": {"name": "user", "namespace": "default"},
        "spec": {"containers": [{"name": "c", "image": "nginx"}], "volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": "data"}}]}}),
    );
    converge(&mut runner, 20, || {
        store.get(&pvcs, Some("default"), "data").unwrap()["status"]["phase"] == "Bound"
    });
}
