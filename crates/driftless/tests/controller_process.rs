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
}

impl Controller {
    fn start(env: &Env) -> Controller {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(env.scratch().join("controller.log"))
            .expect("log file");
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
            .arg(env.scratch().join("controller-cache"))
            .env_remove("KUBECONFIG")
            .env("DRIFTLESS_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("driftless controller starts");
        Controller { child }
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
