//! Test support for Driftless' end-to-end tests: a simulated cluster with a kubeconfig on disk
//! that the real `kubectl` reads, throwaway Git repositories, and a sync driver that records the
//! engine's progress events.

pub mod controller;
pub mod git_repo;
pub mod http_git;
pub mod loops;
pub mod sim_cluster;
pub mod tools;
pub mod umbrella;

pub use git_repo::GitRepo;
pub use http_git::HttpGit;
pub use sim_cluster::SimCluster;

use driftless_apply::{ObjectResult, Observer, SyncEvent, SyncResult, SyncSettings};
use driftless_plan::Plan;
use driftless_runtime::{Engine, EngineConfig, RuntimeError, SyncRequest, Target};
use driftless_sim::{ClusterConfig, ClusterHandle};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

/// A running simulated cluster ([`SimCluster`], whose `kubectl` helpers it offers through
/// `Deref`), a kubeconfig file for it and an engine connected to it.
pub struct Env {
    /// In-process access to the simulator's objects.
    pub store: driftless_sim::Store,
    /// The simulator's URL.
    pub url: String,
    sim: SimCluster,
    /// Applier-side view of the cluster (the engine's).
    pub cluster: std::sync::Arc<driftless_apply::Cluster>,
    /// The engine every sync of the tests goes through.
    pub engine: Engine,
    /// Path of the kubeconfig file.
    pub kubeconfig: PathBuf,
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
        let sim = SimCluster::start(config);
        let handle = sim.handle();
        let kc =
            kube::config::Kubeconfig::from_yaml(handle.kubeconfig()).expect("kubeconfig parses");
        let config = kube::Config::from_custom_kubeconfig(kc, &Default::default())
            .await
            .expect("kubeconfig loads");
        let client = kube::Client::try_from(config).expect("client");
        let engine = Engine::new(EngineConfig {
            cache_dir: sim.scratch().join("cache"),
            ..EngineConfig::default()
        })
        .expect("engine")
        .with_client(client);
        Env {
            store: handle.store().clone(),
            url: handle.url().to_string(),
            cluster: engine.cluster().expect("connected").clone(),
            engine,
            kubeconfig: sim.kubeconfig().to_path_buf(),
            sim,
        }
    }

    /// The simulator handle.
    pub fn sim(&self) -> &ClusterHandle {
        self.sim.handle()
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

impl std::ops::Deref for Env {
    type Target = SimCluster;

    fn deref(&self) -> &SimCluster {
        &self.sim
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

impl GitRepo {
    /// Serves the repository over HTTP on loopback (`git http-backend`); its URL is
    /// [`GitRepo::http_url`]. Stops with the test process.
    pub fn serve_http(&self) -> HttpGit {
        HttpGit::start(self.root(), None)
    }

    /// The URL of this repository on `server`.
    pub fn http_url(&self, server: &HttpGit) -> String {
        server.url(Self::NAME)
    }
}

/// The outcome reported for the object named `name` among `objects` (a sync's result); panics
/// when it is not reported.
pub fn reported<'a>(objects: &'a [ObjectResult], name: &str) -> &'a ObjectResult {
    objects
        .iter()
        .find(|o| o.key.name == name)
        .unwrap_or_else(|| panic!("{name} not reported in {objects:?}"))
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
