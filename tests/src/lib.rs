//! Test support for Driftless' end-to-end tests: a simulated cluster with a kubeconfig on disk
//! that the real `kubectl` reads, throwaway Git repositories, and a sync driver that records the
//! engine's progress events.

pub mod controller;
pub mod http_git;
pub mod loops;
pub mod umbrella;

pub use http_git::HttpGit;

use driftless_apply::{Observer, SyncEvent, SyncResult, SyncSettings};
use driftless_plan::Plan;
use driftless_runtime::{Engine, EngineConfig, RuntimeError, SyncRequest, Target};
use driftless_sim::{Cluster as Sim, ClusterConfig, ClusterHandle};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;
use std::time::Duration;

/// A running simulated cluster, a kubeconfig file for it and a client.
///
/// The simulator runs on a runtime of its own thread, so tests may block (run `kubectl`) freely.
pub struct Env {
    /// In-process access to the simulator's objects.
    pub store: driftless_sim::Store,
    /// The simulator's URL.
    pub url: String,
    sim: SimThread,
    /// Applier-side view of the cluster (the engine's).
    pub cluster: std::sync::Arc<driftless_apply::Cluster>,
    /// The engine every sync of the tests goes through.
    pub engine: Engine,
    /// Path of the kubeconfig file.
    pub kubeconfig: PathBuf,
    dir: tempfile::TempDir,
}

/// A simulator configuration with short workload delays, so tests stay fast.
pub fn fast_config() -> ClusterConfig {
    let mut c = ClusterConfig::default();
    c.workloads.start_delay = Duration::from_millis(50);
    c.workloads.ready_delay = Duration::from_millis(150);
    c.workloads.job_duration = Duration::from_millis(200);
    c.workloads.crash_interval = Duration::from_millis(500);
    c.workloads.tick = Duration::from_millis(50);
    c
}

impl Env {
    /// Starts a simulator with its workload controllers and short delays ([`fast_config`]).
    pub async fn start() -> Env {
        Env::start_with(fast_config()).await
    }

    /// Starts a simulator with `config`.
    pub async fn start_with(config: ClusterConfig) -> Env {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let (sim, handle) = SimThread::start(config);
        let dir = tempfile::tempdir().expect("temp dir");
        let kubeconfig = dir.path().join("kubeconfig");
        handle
            .write_kubeconfig(&kubeconfig)
            .expect("kubeconfig written");
        let kc =
            kube::config::Kubeconfig::from_yaml(handle.kubeconfig()).expect("kubeconfig parses");
        let config = kube::Config::from_custom_kubeconfig(kc, &Default::default())
            .await
            .expect("kubeconfig loads");
        let client = kube::Client::try_from(config).expect("client");
        let engine = Engine::new(EngineConfig {
            cache_dir: dir.path().join("cache"),
            ..EngineConfig::default()
        })
        .expect("engine")
        .with_client(client);
        Env {
            store: handle.store().clone(),
            url: handle.url().to_string(),
            sim,
            cluster: engine.cluster().expect("connected").clone(),
            engine,
            kubeconfig,
            dir,
        }
    }

    /// Runs the real `kubectl` against the simulator.
    pub fn kubectl(&self, args: &[&str]) -> Output {
        self.kubectl_with_input(args, None)
    }

    /// Runs `kubectl` with `input` on its standard input (e.g. `apply -f -`).
    pub fn kubectl_with_input(&self, args: &[&str], input: Option<&str>) -> Output {
        let mut child = Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .args(args)
            .stdin(if input.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kubectl runs");
        if let Some(text) = input {
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(text.as_bytes())
                .expect("kubectl stdin");
        }
        child.wait_with_output().expect("kubectl finishes")
    }

    /// `kubectl apply -f -` of `yaml` (as another client would); panics on failure.
    pub fn kubectl_apply(&self, yaml: &str) {
        let out = self.kubectl_with_input(&["apply", "-f", "-"], Some(yaml));
        assert!(
            out.status.success(),
            "kubectl apply failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Creates a namespace with `kubectl apply`.
    pub fn namespace(&self, name: &str) {
        self.kubectl_apply(&format!(
            "apiVersion: v1\nkind: Namespace\nmetadata: {{name: {name}}}\n"
        ));
    }

    /// Runs `kubectl ... -o json` and parses stdout; panics with stderr on failure.
    pub fn kubectl_json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = args.to_vec();
        all.extend(["-o", "json"]);
        let out = self.kubectl(&all);
        assert!(
            out.status.success(),
            "kubectl {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("kubectl prints JSON")
    }

    /// As [`Env::kubectl_json`], retrying failures (for simulators injecting API faults).
    pub fn kubectl_json_retrying(&self, args: &[&str]) -> serde_json::Value {
        let mut all = args.to_vec();
        all.extend(["-o", "json"]);
        let mut last = String::new();
        for _ in 0..20 {
            let out = self.kubectl(&all);
            if out.status.success() {
                return serde_json::from_slice(&out.stdout).expect("kubectl prints JSON");
            }
            last = String::from_utf8_lossy(&out.stderr).into_owned();
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("kubectl {args:?} kept failing: {last}");
    }

    /// True when `kubectl get <what>` finds the object.
    pub fn exists(&self, args: &[&str]) -> bool {
        let mut all = vec!["get"];
        all.extend_from_slice(args);
        let out = self.kubectl(&all);
        if out.status.success() {
            return true;
        }
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("NotFound"), "kubectl get {args:?}: {err}");
        false
    }

    /// A scratch directory that lives as long as the environment.
    pub fn scratch(&self) -> &Path {
        self.dir.path()
    }

    /// Renders `t` at its revision and syncs it, recording the engine's events.
    pub async fn sync(
        &self,
        t: &Target,
        settings: &SyncSettings,
    ) -> (Result<(Plan, SyncResult), RuntimeError>, Recorder) {
        let rec = Recorder::default();
        let req = SyncRequest {
            prune: t.prune,
            ..SyncRequest::default()
        };
        let out = self
            .engine
            .sync_oneshot(t, &req, settings, &rec)
            .await
            .map(|o| (o.plan, o.result));
        (out, rec)
    }
}

/// The simulator on its own thread and runtime; stopped when dropped.
struct SimThread {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    handle: std::sync::Arc<ClusterHandle>,
}

impl SimThread {
    fn start(config: ClusterConfig) -> (SimThread, std::sync::Arc<ClusterHandle>) {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("simulator runtime");
            rt.block_on(async move {
                let handle =
                    std::sync::Arc::new(Sim::start(config).await.expect("simulator starts"));
                ready_tx.send(handle.clone()).expect("test waits");
                let _ = stop_rx.await;
                drop(handle);
            });
        });
        let handle = ready_rx.recv().expect("simulator started");
        (
            SimThread {
                stop: Some(stop_tx),
                thread: Some(thread),
                handle: handle.clone(),
            },
            handle,
        )
    }
}

impl Drop for SimThread {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        // The runtime shuts down on its own thread; do not wait for it here (this may run
        // inside the test's runtime).
        drop(self.thread.take());
    }
}

impl Env {
    /// The simulator handle.
    pub fn sim(&self) -> &ClusterHandle {
        &self.sim.handle
    }
}

/// A target for `path` in `repo`, deployed into `namespace` as application `app`.
pub fn target(repo: &GitRepo, path: &str, app: &str, namespace: &str) -> Target {
    Target {
        app: app.into(),
        repo: repo.path().to_string_lossy().into_owned(),
        revision: "HEAD".into(),
        path: path.into(),
        namespace: namespace.into(),
        ..Target::default()
    }
}

/// Sync settings for `t` with test-sized timeouts (10 s a wave, 25 s a sync).
pub fn settings(t: &Target) -> SyncSettings {
    SyncSettings {
        app: t.app.clone(),
        options: driftless_apply::SyncOptions::parse(&t.sync_options).expect("valid options"),
        tracking: t.tracking,
        namespace: Some(t.namespace.clone()),
        wave_timeout: Duration::from_secs(10),
        sync_timeout: Duration::from_secs(25),
        ..SyncSettings::default()
    }
}

/// Records every sync event.
#[derive(Default)]
pub struct Recorder {
    events: Mutex<Vec<SyncEvent>>,
}

impl Observer for Recorder {
    fn event(&self, event: &SyncEvent) {
        self.events.lock().expect("recorder").push(event.clone());
    }
}

impl Recorder {
    /// All events so far.
    pub fn events(&self) -> Vec<SyncEvent> {
        self.events.lock().expect("recorder").clone()
    }

    /// `(phase, wave)` of every wave started, in order.
    pub fn waves(&self) -> Vec<(String, i64)> {
        self.events()
            .into_iter()
            .filter_map(|e| match e {
                SyncEvent::WaveStarted { phase, wave, .. } => Some((phase, wave)),
                _ => None,
            })
            .collect()
    }

    /// Warnings reported.
    pub fn warnings(&self) -> Vec<String> {
        self.events()
            .into_iter()
            .filter_map(|e| match e {
                SyncEvent::Warning(w) => Some(w),
                _ => None,
            })
            .collect()
    }
}

/// A throwaway Git repository made with the `git` CLI (directory `repo` of a temporary root,
/// so it can be served over HTTP by [`GitRepo::serve_http`]).
pub struct GitRepo {
    root: tempfile::TempDir,
    dir: PathBuf,
}

impl GitRepo {
    /// The repository's name under its served root.
    const NAME: &'static str = "repo";

    /// An empty repository on branch `main`.
    pub fn new() -> GitRepo {
        let root = tempfile::tempdir().expect("temp dir");
        let dir = root.path().join(Self::NAME);
        std::fs::create_dir(&dir).expect("mkdir");
        let repo = GitRepo { root, dir };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Serves the repository over HTTP on loopback (`git http-backend`); its URL is
    /// [`GitRepo::http_url`]. Stops with the test process.
    pub fn serve_http(&self) -> HttpGit {
        HttpGit::start(self.root.path(), None)
    }

    /// The URL of this repository on `server`.
    pub fn http_url(&self, server: &HttpGit) -> String {
        server.url(Self::NAME)
    }

    /// Writes a file (creating directories).
    pub fn write(&self, rel: &str, text: &str) -> &Self {
        let p = self.dir.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
        self
    }

    /// Removes a file.
    pub fn remove(&self, rel: &str) -> &Self {
        std::fs::remove_file(self.dir.join(rel)).expect("remove");
        self
    }

    /// Commits everything; returns the commit id.
    pub fn commit(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        let out = self.git(&["rev-parse", "HEAD"]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Runs git in the repository with a fixed identity.
    pub fn git(&self, args: &[&str]) -> Output {
        let out = Command::new("git")
            .args(args)
            .current_dir(&self.dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Test")
            .env("GIT_AUTHOR_EMAIL", "test@example.com")
            .env("GIT_COMMITTER_NAME", "Test")
            .env("GIT_COMMITTER_EMAIL", "test@example.com")
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }
}

impl Default for GitRepo {
    fn default() -> Self {
        GitRepo::new()
    }
}

/// YAML of a ConfigMap.
pub fn config_map(name: &str, extra_annotations: &str, data: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  annotations: {{{extra_annotations}}}\ndata: {{{data}}}\n"
    )
}

/// YAML of a Deployment of `image` with `replicas`, annotations on the Deployment and on its
/// pod template.
pub fn deployment(
    name: &str,
    image: &str,
    replicas: u32,
    annotations: &str,
    pod_annotations: &str,
) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  annotations: {{{annotations}}}\nspec:\n  replicas: {replicas}\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata:\n      labels: {{app: {name}}}\n      annotations: {{{pod_annotations}}}\n    spec:\n      containers:\n      - name: main\n        image: {image}\n"
    )
}
