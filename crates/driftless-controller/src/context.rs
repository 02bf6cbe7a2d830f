//! What every reconcile shares: the engine, the API handles, the settings, the metrics and the
//! memory of self-heal attempts.

use crate::metrics::Metrics;
use driftless_runtime::Engine;
use kube::api::{Api, DynamicObject};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Settings of the controller.
#[derive(Debug, Clone)]
pub struct ControllerConfig {
    /// The namespace whose Applications this controller reconciles (Argo CD's `argocd`).
    pub namespace: String,
    /// Every Application is compared at least this often (Argo CD's `timeout.reconciliation`).
    pub reconcile_interval: Duration,
    /// Up to this much is added to each interval, so Applications do not poll in step.
    pub jitter: Duration,
    /// The self-heal back-off (Argo CD: 2 s, factor 3, cap 5 min).
    pub self_heal: driftless_api::SelfHealBackoff,
    /// Multiplies every retry back-off (1.0 in production; tests shorten the schedule).
    pub retry_scale: f64,
    /// Timeouts of one sync's waves and of the whole sync.
    pub wave_timeout: Duration,
    /// Deadline of a whole sync.
    pub sync_timeout: Duration,
    /// Secret for webhook signatures (GitHub HMAC, GitLab token); `None` accepts unsigned.
    pub webhook_secret: Option<String>,
    /// Replicas, this replica's shard and its Leases (see [`crate::scale`]).
    pub scale: crate::scale::ScaleSettings,
}

impl Default for ControllerConfig {
    fn default() -> Self {
        ControllerConfig {
            namespace: "argocd".into(),
            reconcile_interval: Duration::from_secs(120),
            jitter: Duration::from_secs(60),
            self_heal: driftless_api::SelfHealBackoff::default(),
            retry_scale: 1.0,
            wave_timeout: Duration::from_secs(300),
            sync_timeout: Duration::from_secs(900),
            webhook_secret: None,
            scale: crate::scale::ScaleSettings::default(),
        }
    }
}

/// Self-heal attempts of one Application since it was last in sync.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SelfHealMemory {
    pub attempts: u64,
    pub last: Option<Instant>,
}

/// Shared by every reconcile.
pub struct Context {
    /// The engine (Git, render and watch caches; compare; sync).
    pub engine: Arc<Engine>,
    /// The Applications of the controller's namespace.
    pub apps: Api<DynamicObject>,
    /// The settings.
    pub config: ControllerConfig,
    /// Counters and histograms served on `/metrics`.
    pub metrics: Arc<Metrics>,
    /// The shards this replica serves.
    pub shards: crate::shard::Shards,
    pub(crate) events: Api<k8s_openapi::api::core::v1::Event>,
    pub(crate) self_heal: Mutex<HashMap<String, SelfHealMemory>>,
    /// When each Application's next retry is due (exact; `finishedAt` has whole seconds only
    /// and is used after a restart).
    pub(crate) retry_due: Mutex<HashMap<String, Instant>>,
    /// Applications whose next comparison must fetch Git (webhook, refresh annotation).
    pub(crate) force_fetch: Mutex<std::collections::HashSet<String>>,
    /// Set when the controller is shutting down: a running sync stops at its next wave and
    /// records where it was (see `progress`).
    pub(crate) stopping: Arc<std::sync::atomic::AtomicBool>,
}

impl Context {
    /// A context for `engine` (connected) reconciling Applications through `client`.
    pub fn new(engine: Arc<Engine>, client: kube::Client, config: ControllerConfig) -> Arc<Self> {
        Self::with_metrics(engine, client, config, Arc::new(Metrics::default()))
    }

    /// As [`Context::new`], recording into `metrics` (whose [`Metrics::instrument`] may have
    /// wrapped the clients, to count API requests); the engine reports its Git fetches there.
    pub fn with_metrics(
        engine: Arc<Engine>,
        client: kube::Client,
        config: ControllerConfig,
        metrics: Arc<Metrics>,
    ) -> Arc<Self> {
        let m = metrics.clone();
        engine.on_git_fetch(Arc::new(move |d: Duration| m.observe_git_fetch(d)));
        let apps = Api::namespaced_with(
            client.clone(),
            &config.namespace,
            &crate::application_resource(),
        );
        let namespace = config.namespace.clone();
        Arc::new(Context {
            shards: crate::shard::Shards::new(config.scale.shards.clone()),
            engine,
            apps,
            config,
            metrics,
            events: Api::namespaced(client, &namespace),
            self_heal: Mutex::default(),
            retry_due: Mutex::default(),
            force_fetch: Mutex::default(),
            stopping: Arc::default(),
        })
    }

    /// Asks that `app`'s next comparison fetch Git (a webhook saw a push).
    pub fn force_fetch(&self, app: &str) {
        self.force_fetch
            .lock()
            .expect("force")
            .insert(app.to_string());
    }
}
