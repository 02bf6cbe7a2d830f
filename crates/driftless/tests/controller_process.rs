//! The `driftless controller` process against the simulator, with the Applications read back
//! by the real `kubectl`: killed mid-sync (SIGKILL) and started again it finishes the sync from
//! where it was; SIGTERM mid-sync records where the sync was and exits; `driftless app
//! terminate-op` stops a sync between waves.

use driftless_e2e::controller::{application_yaml, eventually, text};
use driftless_e2e::{Env, GitRepo, config_map, deployment};
use serde_json::Value;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// A `driftless controller` child process; killed when dropped.
struct Controller {
    child: Child,
    /// The host name (identity) of a replica.
    host: String,
}

impl Controller {
    fn start(env: &Env) -> Controller {
        Controller::start_as(env, "controller", &[])
    }

    /// Pod `driftless-controller-<ordinal>` of a StatefulSet of `replicas` (the shard comes
    /// from the ordinal ending the host name), with 2 s Leases.
    fn replica(env: &Env, ordinal: u32, replicas: u32) -> Controller {
        let host = format!("driftless-controller-{ordinal}");
        let replicas = replicas.to_string();
        let args = ["--replicas", replicas.as_str(), "--lease-duration", "2s"];
        let mut c = Controller::start_as(env, &host, &args);
        c.host = host;
        c
    }

    /// A controller with its own cache, log and `HOSTNAME` (its identity) named `name`.
    fn start_as(env: &Env, name: &str, extra: &[&str]) -> Controller {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(env.scratch().join(format!("{name}.log")))
            .expect("log file");
        let cache = if name == "controller" {
            "controller-cache".to_string()
        } else {
            format!("cache-{name}")
        };
        let child = Command::new(env!("CARGO_BIN_EXE_driftless"))
            .args([
                "controller",
                "--namespace",
                "argocd",
                "--reconcile-interval",
                "1s",
                "--jitter",
                "0s",
                "--metrics-listen",
                "127.0.0.1:0",
            ])
            .arg("--kubeconfig")
            .arg(&env.kubeconfig)
            .arg("--cache-dir")
            .arg(env.scratch().join(cache))
            .args(extra)
            .env_remove("KUBECONFIG")
            .env_remove("ARGOCD_CONTROLLER_REPLICAS")
            .env_remove("ARGOCD_CONTROLLER_SHARD")
            .env("HOSTNAME", name)
            .env("DRIFTLESS_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("driftless controller starts");
        Controller {
            child,
            host: String::new(),
        }
    }

    /// SIGKILL: no chance to record anything.
    fn kill(&mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }

    /// SIGTERM, then waits (bounded) for the process to exit.
    fn terminate(&mut self) -> ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -TERM {pid}");
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "controller did not exit on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Controller {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A PreSync hook Job, a ConfigMap in wave 0, a Deployment in wave 1 whose pods become ready
/// `ready_after` after starting, and a ConfigMap in wave 2.
fn waves_repo(ready_after: &str) -> GitRepo {
    let repo = GitRepo::new();
    repo.write(
        "app/migrate.yaml",
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  annotations: {argocd.argoproj.io/hook: PreSync}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - {name: migrate, image: busybox:1.36}\n",
    )
    .write(
        "app/first.yaml",
        &config_map("first", "argocd.argoproj.io/sync-wave: '0'", "n: '1'"),
    )
    .write(
        "app/slow.yaml",
        &deployment(
            "slow",
            "nginx:1.27",
            1,
            "argocd.argoproj.io/sync-wave: '1'",
            &format!("sim.driftless.dev/ready-after: {ready_after}"),
        ),
    )
    .write(
        "app/last.yaml",
        &config_map("last", "argocd.argoproj.io/sync-wave: '2'", "n: '3'"),
    );
    repo.commit("waves");
    repo
}

const POLICY: &str = "    automated: {prune: true}\n    syncOptions: [CreateNamespace=true]\n";

fn get(env: &Env, kind: &str, name: &str, ns: &str) -> Value {
    env.kubectl_json(&["get", kind, name, "-n", ns])
}

/// Starts a controller, applies Application `app` (into namespace `app`) for `repo`, and
/// waits until its sync runs wave 1.
fn sync_until_wave_one(env: &Env, repo: &GitRepo, app: &str, policy: &str) -> Controller {
    let controller = Controller::start(env);
    env.kubectl_apply(&application_yaml(app, repo.path(), "app", app, policy));
    wait_for_wave_one(env, app);
    controller
}

/// Waits until `app`'s sync runs wave 1 (the slow Deployment is written, its wave waits).
fn wait_for_wave_one(env: &Env, app: &str) {
    eventually("the sync waiting in Sync wave 1", 30, || {
        let a = env.application(app);
        text(&a, "/status/operationState/phase") == "Running"
            && text(&a, "/status/operationState/message").contains("Sync wave 1")
            && env.exists(&["deployment/slow", "-n", app])
    });
}

fn uid(v: &Value) -> String {
    text(v, "/metadata/uid").to_string()
}

/// SIGKILL in the middle of a sync, then a new controller: the sync finishes Succeeded, as the
/// same operation; the hook that ran is not run again, the earlier wave's objects are not
/// written again, nothing is pruned or re-created on the new controller's cold cache.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_controller_killed_mid_sync_finishes_it_after_a_restart() {
    let env = Env::start().await;
    env.install_crds();
    let repo = waves_repo("6s");
    tokio::task::block_in_place(|| {
        let mut controller = sync_until_wave_one(&env, &repo, "resume", POLICY);
        controller.kill();

        let a = env.application("resume");
        let started = text(&a, "/status/operationState/startedAt").to_string();
        let recorded = a["status"]["operationState"]["syncResult"]["resources"].clone();
        assert!(
            recorded.as_array().is_some_and(|r| r
                .iter()
                .any(|r| r["name"] == "migrate" && r["hookPhase"] == "Succeeded")),
            "the completed hook is recorded: {a}"
        );
        let job = get(&env, "job", "migrate", "resume");
        let first = get(&env, "configmap", "first", "resume");
        let slow = get(&env, "deployment", "slow", "resume");
        assert!(
            !env.exists(&["configmap/last", "-n", "resume"]),
            "wave 2 not reached"
        );

        let _controller = Controller::start(&env);
        eventually("the resumed sync Succeeded", 40, || {
            text(&env.application("resume"), "/status/operationState/phase") == "Succeeded"
        });
        let a = env.application("resume");
        assert_eq!(
            text(&a, "/status/operationState/startedAt"),
            started,
            "the same operation, resumed: {a}"
        );
        assert!(a.get("operation").is_none(), "operation cleared: {a}");
        assert_eq!(a["status"]["history"].as_array().map(Vec::len), Some(1));
        assert!(env.exists(&["configmap/last", "-n", "resume"]));
        assert_eq!(
            uid(&get(&env, "job", "migrate", "resume")),
            uid(&job),
            "the PreSync hook did not run again"
        );
        let first_now = get(&env, "configmap", "first", "resume");
        assert_eq!(
            text(&first_now, "/metadata/resourceVersion"),
            text(&first, "/metadata/resourceVersion"),
            "wave 0 was not written again"
        );
        assert_eq!(
            uid(&get(&env, "deployment", "slow", "resume")),
            uid(&slow),
            "nothing pruned or re-created"
        );
    });
}

/// SIGTERM in the middle of a sync: the controller stops it before the next wave, records
/// where it was (still Running, with what completed) and exits; the next controller finishes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_records_the_sync_in_progress_and_the_next_controller_finishes_it() {
    let env = Env::start().await;
    env.install_crds();
    let repo = waves_repo("6s");
    tokio::task::block_in_place(|| {
        let mut controller = sync_until_wave_one(&env, &repo, "graceful", POLICY);
        let status = controller.terminate();
        assert!(status.success(), "clean exit on SIGTERM: {status}");

        let a = env.application("graceful");
        let state = &a["status"]["operationState"];
        assert_eq!(state["phase"], "Running", "left to be resumed: {a}");
        assert!(
            text(&a, "/status/operationState/message").contains("interrupted at Sync wave 1"),
            "{a}"
        );
        assert!(state.get("finishedAt").is_none(), "{a}");
        assert!(a.get("operation").is_some(), "the operation stays: {a}");
        assert!(!env.exists(&["configmap/last", "-n", "graceful"]));
        let job = get(&env, "job", "migrate", "graceful");

        let _controller = Controller::start(&env);
        eventually("the interrupted sync Succeeded", 40, || {
            text(&env.application("graceful"), "/status/operationState/phase") == "Succeeded"
        });
        assert!(env.exists(&["configmap/last", "-n", "graceful"]));
        assert_eq!(
            uid(&get(&env, "job", "migrate", "graceful")),
            uid(&job),
            "the PreSync hook did not run again"
        );
    });
}

/// `driftless app terminate-op` while a wave waits: the sync stops there, phase Failed with
/// Argo CD's "Operation terminated", no later wave is written and no retry follows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terminate_op_stops_a_sync_in_the_middle_of_a_wave() {
    let env = Env::start().await;
    env.install_crds();
    let repo = waves_repo("30s");
    let policy = "    automated: {}\n    syncOptions: [CreateNamespace=true]\n    retry: {limit: 3, backoff: {duration: 1s}}\n";
    tokio::task::block_in_place(|| {
        let _controller = sync_until_wave_one(&env, &repo, "stopped", policy);
        let asked = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_driftless"))
            .args(["app", "terminate-op", "stopped", "--kubeconfig"])
            .arg(&env.kubeconfig)
            .env_remove("KUBECONFIG")
            .output()
            .expect("driftless app terminate-op runs");
        assert!(out.status.success(), "{out:?}");
        eventually("the operation Failed, terminated", 10, || {
            let a = env.application("stopped");
            text(&a, "/status/operationState/phase") == "Failed"
                && text(&a, "/status/operationState/message") == "Operation terminated"
        });
        assert!(
            asked.elapsed() < Duration::from_secs(10),
            "stopped while the wave waited, not at its timeout"
        );
        let a = env.application("stopped");
        assert!(
            !text(&a, "/status/operationState/finishedAt").is_empty(),
            "{a}"
        );
        eventually("operation cleared", 10, || {
            env.application("stopped").get("operation").is_none()
        });
        std::thread::sleep(Duration::from_secs(2));
        let a = env.application("stopped");
        assert_eq!(
            text(&a, "/status/operationState/phase"),
            "Failed",
            "no retry: {a}"
        );
        assert_eq!(
            a["status"]["operationState"]["retryCount"]
                .as_i64()
                .unwrap_or(0),
            0
        );
        assert!(
            !env.exists(&["configmap/last", "-n", "stopped"]),
            "no wave after the terminated one"
        );
    });
}

/// Which controller instances wrote Events about Application `app` (`reportingInstance`).
fn reporters(env: &Env, app: &str) -> Vec<String> {
    let out = env.kubectl(&["get", "events", "-n", "argocd", "-o", "json"]);
    assert!(out.status.success(), "{out:?}");
    let events: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let mut found: Vec<String> = events["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["involvedObject"]["name"] == app)
        .map(|e| text(e, "/reportingInstance").to_string())
        .collect();
    found.sort();
    found.dedup();
    found
}

/// Two `driftless controller` processes, the pods of a two-replica StatefulSet (each takes its
/// shard from the ordinal ending its host name), against one simulated cluster that Argo CD
/// knows under two names: the in-cluster address (shard 0) and a cluster Secret for the same
/// server by another name, pinned to shard 1. Each Application is synced by its shard's
/// process only; when one process dies, the other takes its shard over once its Lease expires.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_controller_processes_split_the_applications_by_shard() {
    let env = Env::start().await;
    env.install_crds();
    let alias = env
        .cluster_secret_yaml("alias", "  shard: \"1\"\n")
        .replace("https://127.0.0.1:", "https://localhost:");
    assert!(alias.contains("https://localhost:"), "{alias}");
    env.kubectl_apply(&alias);
    let repo = GitRepo::new();
    repo.write("a/cm.yaml", &config_map("a", "", "version: one"))
        .write("b/cm.yaml", &config_map("b", "", "version: one"));
    repo.commit("one");
    let app = |name: &str, path: &str, destination: &str| {
        format!(
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {{name: {name}, namespace: argocd}}\nspec:\n  project: default\n  source: {{repoURL: '{}', path: {path}, targetRevision: HEAD}}\n  destination: {{{destination}}}\n  syncPolicy:\n    automated: {{prune: true}}\n    syncOptions: [CreateNamespace=true]\n",
            repo.path().display()
        )
    };
    let p0 = Controller::replica(&env, 0, 2);
    let mut p1 = Controller::replica(&env, 1, 2);
    tokio::task::block_in_place(|| {
        env.kubectl_apply(&app(
            "local",
            "a",
            "server: 'https://kubernetes.default.svc', namespace: local",
        ));
        env.kubectl_apply(&app("remote", "b", "name: alias, namespace: remote"));
        eventually("both Applications synced", 60, || {
            ["local", "remote"]
                .iter()
                .all(|a| text(&env.application(a), "/status/operationState/phase") == "Succeeded")
        });
        assert!(env.exists(&["configmap/a", "-n", "local"]));
        assert!(env.exists(&["configmap/b", "-n", "remote"]));
        assert_eq!(reporters(&env, "local"), std::slice::from_ref(&p0.host));
        assert_eq!(reporters(&env, "remote"), std::slice::from_ref(&p1.host));

        // Replica 1 dies: replica 0 takes shard 1 over and syncs the next commit there.
        p1.kill();
        repo.write("b/cm.yaml", &config_map("b", "", "version: two"));
        repo.commit("two");
        eventually("shard 1 served by replica 0", 60, || {
            get(&env, "configmap", "b", "remote")["data"]["version"] == "two"
        });
        assert!(
            reporters(&env, "remote").contains(&p0.host),
            "{:?}",
            reporters(&env, "remote")
        );
    });
}
