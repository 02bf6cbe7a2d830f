//! Workload simulation seen through the real kubectl: rollouts, waits,
//! failing images, Jobs and HPAs behave as on a real cluster.

mod common;

use common::Sim;

const WEB: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: default
spec:
  selector: {app: web}
  ports:
  - port: 80
"#;

#[test]
fn rollout_status_and_wait_available_succeed_and_pods_run() {
    let sim = Sim::start();
    let f = sim.file("web.yaml", WEB);
    sim.ok(&["apply", "-f", &f]);
    let out = sim.ok(&["rollout", "status", "deployment/web", "--timeout=60s"]);
    assert!(
        out.contains("deployment \"web\" successfully rolled out"),
        "{out}"
    );
    let out = sim.ok(&[
        "wait",
        "--for=condition=Available",
        "deployment/web",
        "--timeout=60s",
    ]);
    assert!(out.contains("deployment.apps/web condition met"), "{out}");
    let pods = sim.ok(&["get", "pods", "-l", "app=web", "--no-headers"]);
    let rows: Vec<Vec<&str>> = pods
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(rows.len(), 2, "{pods}");
    for r in &rows {
        assert_eq!(&r[1..4], ["1/1", "Running", "0"], "{pods}");
    }
    let ready = sim.ok(&[
        "get",
        "deploy",
        "web",
        "-o",
        "jsonpath={.status.readyReplicas}/{.status.updatedReplicas}",
    ]);
    assert_eq!(ready, "2/2");
    // The Service has endpoints for both pods.
    let ok = sim.eventually(20, || {
        sim.ok(&[
            "get",
            "endpoints",
            "web",
            "-o",
            "jsonpath={.subsets[0].addresses[*].ip}",
        ])
        .split_whitespace()
        .count()
            == 2
    });
    assert!(ok, "endpoints did not list both pods");
    // A new image rolls out again, and rollout history shows two revisions.
    sim.ok(&["set", "image", "deployment/web", "nginx=nginx:1.28"]);
    let out = sim.ok(&["rollout", "status", "deployment/web", "--timeout=60s"]);
    assert!(out.contains("successfully rolled out"), "{out}");
    let history = sim.ok(&["rollout", "history", "deployment/web"]);
    assert!(history.contains('1') && history.contains('2'), "{history}");
    let images = sim.ok(&[
        "get",
        "pods",
        "-l",
        "app=web",
        "-o",
        "jsonpath={.items[*].spec.containers[0].image}",
    ]);
    assert!(
        images.split_whitespace().all(|i| i == "nginx:1.28"),
        "{images}"
    );
    // Undo brings the first template back as revision 3; scale changes the pod count.
    sim.ok(&["rollout", "undo", "deployment/web"]);
    let out = sim.ok(&["rollout", "status", "deployment/web", "--timeout=60s"]);
    assert!(out.contains("successfully rolled out"), "{out}");
    let rev = sim.ok(&[
        "get",
        "deploy",
        "web",
        "-o",
        "jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}",
    ]);
    assert_eq!(rev, "3");
    let images = sim.ok(&[
        "get",
        "pods",
        "-l",
        "app=web",
        "-o",
        "jsonpath={.items[*].spec.containers[0].image}",
    ]);
    assert!(
        images.split_whitespace().all(|i| i == "nginx:1.27"),
        "{images}"
    );
    sim.ok(&["scale", "deployment/web", "--replicas=4"]);
    sim.ok(&["rollout", "status", "deployment/web", "--timeout=60s"]);
    let ok = sim.eventually(20, || {
        sim.ok(&["get", "pods", "-l", "app=web", "--no-headers"])
            .lines()
            .filter(|l| l.contains("Running"))
            .count()
            == 4
    });
    assert!(ok, "scaled to 4 running pods");
}

#[test]
fn crashloop_image_shows_crashloopbackoff_and_never_becomes_available() {
    let sim = Sim::start();
    let f = sim.file(
        "bad.yaml",
        &WEB.replace("nginx:1.27", "example.com/crashloop:1")
            .replace("replicas: 2", "replicas: 1"),
    );
    sim.ok(&["apply", "-f", &f]);
    let ok = sim.eventually(20, || {
        sim.ok(&["get", "pods", "-l", "app=web", "--no-headers"])
            .contains("CrashLoopBackOff")
    });
    assert!(
        ok,
        "no CrashLoopBackOff: {}",
        sim.ok(&["get", "pods", "-o", "wide"])
    );
    let o = sim.run(
        &[
            "wait",
            "--for=condition=Available",
            "deployment/web",
            "--timeout=3s",
        ],
        None,
        &[],
    );
    assert_ne!(
        o.code, 0,
        "a crashing deployment must not become Available: {}",
        o.stdout
    );
    let o = sim.run(
        &["rollout", "status", "deployment/web", "--timeout=2s"],
        None,
        &[],
    );
    assert_ne!(o.code, 0);
    assert!(
        o.stdout
            .contains("Waiting for deployment \"web\" rollout to finish"),
        "{}",
        o.stdout
    );
}

#[test]
fn unpullable_image_shows_errimagepull_then_imagepullbackoff() {
    let sim = Sim::start();
    let f = sim.file(
        "pull.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: default}\nspec:\n  containers: [{name: c, image: registry.example.com/nonexistent:1}]\n",
    );
    sim.ok(&["apply", "-f", &f]);
    let ok = sim.eventually(20, || {
        sim.ok(&["get", "pod", "p", "--no-headers"])
            .contains("ErrImagePull")
    });
    assert!(ok, "{}", sim.ok(&["get", "pod", "p"]));
    let ok = sim.eventually(20, || {
        sim.ok(&["get", "pod", "p", "--no-headers"])
            .contains("ImagePullBackOff")
    });
    assert!(ok, "{}", sim.ok(&["get", "pod", "p"]));
    let o = sim.run(
        &["wait", "--for=condition=Ready", "pod/p", "--timeout=2s"],
        None,
        &[],
    );
    assert_ne!(o.code, 0);
    let describe = sim.ok(&["describe", "pod", "p"]);
    assert!(describe.contains("Failed to pull image"), "{describe}");
}

#[test]
fn job_completes_and_statefulset_and_daemonset_roll_out() {
    let sim = Sim::start();
    let f = sim.file(
        "batch.yaml",
        r#"apiVersion: batch/v1
kind: Job
metadata: {name: migrate, namespace: default}
spec:
  completions: 2
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox, command: ["true"]}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: default}
spec:
  replicas: 2
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: c, image: "postgres:16"}]}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: default}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: c, image: "busybox:1.36"}]}
"#,
    );
    sim.ok(&["apply", "-f", &f]);
    let out = sim.ok(&[
        "wait",
        "--for=condition=Complete",
        "job/migrate",
        "--timeout=60s",
    ]);
    assert!(out.contains("job.batch/migrate condition met"), "{out}");
    let s = sim.ok(&[
        "get",
        "job",
        "migrate",
        "-o",
        "jsonpath={.status.succeeded}",
    ]);
    assert_eq!(s, "2");
    let out = sim.ok(&["rollout", "status", "statefulset/db", "--timeout=60s"]);
    // With the defaulted `rollingUpdate.partition: 0`, kubectl reports a partitioned rollout.
    assert!(
        out.contains("partitioned roll out complete: 2 new pods have been updated"),
        "{out}"
    );
    let out = sim.ok(&["rollout", "status", "daemonset/agent", "--timeout=60s"]);
    assert!(
        out.contains("daemon set \"agent\" successfully rolled out"),
        "{out}"
    );
    // StatefulSet revisions: kubectl rollout history reads the ControllerRevisions.
    sim.ok(&["set", "image", "statefulset/db", "c=postgres:17"]);
    // A pod is briefly absent while it is replaced: a failed read just means "not yet".
    let image = |pod: &str| {
        let o = sim.run(
            &[
                "get",
                "pod",
                pod,
                "-o",
                "jsonpath={.spec.containers[0].image}",
            ],
            None,
            &[],
        );
        o.code == 0 && o.stdout.trim() == "postgres:17"
    };
    let ok = sim.eventually(30, || image("db-0") && image("db-1"));
    assert!(ok, "statefulset pods were not replaced");
    sim.ok(&["rollout", "status", "statefulset/db", "--timeout=60s"]);
    let history = sim.ok(&["rollout", "history", "statefulset/db"]);
    let revs: Vec<&str> = history
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| w.chars().all(|c| c.is_ascii_digit()))
        .collect();
    assert_eq!(revs, ["1", "2"], "{history}");
    let pvc = sim.ok(&["get", "pvc", "data-db-1", "-o", "jsonpath={.status.phase}"]);
    assert_eq!(pvc, "Bound");
    let nodes = sim.ok(&["get", "nodes", "--no-headers"]);
    assert!(
        nodes.contains("sim-node-1") && nodes.contains("Ready"),
        "{nodes}"
    );
}

#[test]
fn hpa_sets_the_deployment_replicas() {
    let sim = Sim::start();
    let f = sim.file(
        "hpa.yaml",
        &format!(
            "{}---\n{}",
            WEB.replace("replicas: 2", "replicas: 1"),
            r#"apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: default}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 3
  maxReplicas: 6
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
"#
        ),
    );
    sim.ok(&["apply", "-f", &f]);
    let ok = sim.eventually(30, || {
        sim.ok(&["get", "deploy", "web", "-o", "jsonpath={.spec.replicas}"]) == "3"
    });
    assert!(ok, "HPA did not scale the deployment to minReplicas");
    sim.ok(&["rollout", "status", "deployment/web", "--timeout=60s"]);
    let ok = sim.eventually(20, || {
        sim.ok(&[
            "get",
            "hpa",
            "web",
            "-o",
            "jsonpath={.status.currentReplicas}",
        ]) == "3"
    });
    assert!(ok);
    let able = sim.ok(&[
        "get",
        "hpa",
        "web",
        "-o",
        "jsonpath={.status.conditions[?(@.type==\"AbleToScale\")].status}",
    ]);
    assert_eq!(able, "True");
    // kubectl describe shows the rescale event.
    let describe = sim.ok(&["describe", "hpa", "web"]);
    assert!(describe.contains("SuccessfulRescale"), "{describe}");
}
