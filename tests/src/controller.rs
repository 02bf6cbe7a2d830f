//! A controller running in the test process against the simulator, with the Argo CD CRDs
//! applied by the real `kubectl`.

use crate::Env;
use driftless_controller::{Context, ControllerConfig};
use driftless_runtime::{Engine, EngineConfig};
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A running controller; stopped (gracefully) when dropped.
pub struct RunningController {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    /// The controller's context (metrics, engine).
    pub ctx: Arc<Context>,
}

impl Drop for RunningController {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

/// Settings for tests: a short interval, no jitter, one-second waves.
pub fn test_config() -> ControllerConfig {
    ControllerConfig {
        reconcile_interval: Duration::from_millis(700),
        jitter: Duration::ZERO,
        wave_timeout: Duration::from_secs(5),
        sync_timeout: Duration::from_secs(20),
        ..ControllerConfig::default()
    }
}

impl Env {
    /// Applies the Argo CD CRDs and the `argocd` namespace.
    pub fn install_crds(&self) {
        for crd in driftless_api::crds() {
            self.kubectl_apply(crd);
        }
        self.namespace("argocd");
    }

    /// Starts a controller (and its engine) against this simulator.
    pub fn start_controller(&self, config: ControllerConfig) -> RunningController {
        let engine = Engine::new(EngineConfig {
            cache_dir: self.scratch().join("controller-cache"),
            ..EngineConfig::default()
        })
        .expect("engine")
        .with_client(self.cluster.client().clone());
        let ctx = Context::new(Arc::new(engine), self.cluster.client().clone(), config);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(driftless_controller::run(ctx.clone(), async move {
            let _ = stopped.await;
        }));
        RunningController {
            stop: Some(stop),
            ctx,
        }
    }

    /// The Application `name` in `argocd`, as JSON.
    pub fn application(&self, name: &str) -> Value {
        self.kubectl_json(&["get", "application", name, "-n", "argocd", "-o", "json"])
    }
}

/// Waits up to `secs` for `f` to hold (polling every 100 ms); panics naming `what`.
pub fn eventually(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(secs) {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("timed out after {secs} s waiting for {what}");
}

/// The string at JSON pointer `p` of `v` (empty when absent).
pub fn text<'a>(v: &'a Value, p: &str) -> &'a str {
    v.pointer(p).and_then(Value::as_str).unwrap_or("")
}

/// An Application for `path` of the local repository `repo`, deployed into `namespace`, with
/// `sync_policy` YAML (indented under `syncPolicy:`) and the resources finalizer.
pub fn application_yaml(
    name: &str,
    repo: &std::path::Path,
    path: &str,
    namespace: &str,
    sync_policy: &str,
) -> String {
    format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {name}\n  namespace: argocd\n  finalizers: [resources-finalizer.argocd.argoproj.io]\nspec:\n  project: default\n  source: {{repoURL: '{}', path: {path}, targetRevision: HEAD}}\n  destination: {{server: 'https://kubernetes.default.svc', namespace: {namespace}}}\n  syncPolicy:\n{sync_policy}",
        repo.display()
    )
}
