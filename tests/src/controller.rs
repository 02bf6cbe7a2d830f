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
        let ctx = self.controller_context(config, "controller-cache", None);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(driftless_controller::run(ctx.clone(), async move {
            let _ = stopped.await;
        }));
        RunningController {
            stop: Some(stop),
            ctx,
        }
    }

    /// Starts a whole replica (Applications, heartbeats, the ApplicationSet loop while it
    /// leads) whose writes carry the field manager `manager`.
    pub fn start_replica(&self, config: ControllerConfig, manager: &str) -> RunningController {
        let ctx = self.controller_context(config, &format!("cache-{manager}"), Some(manager));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(driftless_controller::run_replica(ctx.clone(), async move {
            let _ = stopped.await;
        }));
        RunningController {
            stop: Some(stop),
            ctx,
        }
    }

    fn controller_context(
        &self,
        config: ControllerConfig,
        cache: &str,
        manager: Option<&str>,
    ) -> Arc<Context> {
        let mut engine_config = EngineConfig {
            cache_dir: self.scratch().join(cache),
            resolve_destinations: true,
            ..EngineConfig::default()
        };
        if let Some(m) = manager {
            engine_config.field_manager = m.to_string();
        }
        let metrics = Arc::new(driftless_controller::metrics::Metrics::default());
        let client = metrics.instrument(self.cluster.client().clone());
        let engine = Engine::new(engine_config)
            .expect("engine")
            .with_client(client.clone());
        Context::with_metrics(Arc::new(engine), client, config, metrics)
    }

    /// An Argo CD cluster Secret (in `argocd`) named `cluster-<name>` for this simulator, with
    /// its bearer token and CA; `extra` adds `stringData` lines (e.g. `shard: "1"`).
    pub fn cluster_secret_yaml(&self, name: &str, extra: &str) -> String {
        let kc = self.sim().kubeconfig();
        let field = |k: &str| {
            kc.lines()
                .find_map(|l| l.trim().strip_prefix(k))
                .map(str::trim)
                .unwrap_or_default()
                .to_string()
        };
        let config = serde_json::json!({
            "bearerToken": field("token:"),
            "tlsClientConfig": {"caData": field("certificate-authority-data:")},
        });
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: cluster-{name}\n  namespace: argocd\n  labels: {{argocd.argoproj.io/secret-type: cluster}}\nstringData:\n  name: {name}\n  server: {}\n  config: '{config}'\n{extra}",
            self.url
        )
    }

    /// The Application `name` in `argocd`, as JSON.
    pub fn application(&self, name: &str) -> Value {
        self.kubectl_json(&["get", "application", name, "-n", "argocd", "-o", "json"])
    }
}

impl RunningController {
    /// Serves the controller's HTTP endpoints (metrics, webhook) on a loopback port; returns it.
    pub async fn serve_http(&self) -> u16 {
        let router = driftless_controller::http::router(driftless_controller::http::HttpState {
            ctx: self.ctx.clone(),
            ready: Arc::new(std::sync::atomic::AtomicBool::new(true)),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("address").port();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        port
    }
}

/// POSTs `body` with `headers` to `http://127.0.0.1:port{path}`; returns the status code and body.
pub fn post(port: u16, path: &str, headers: &[(&str, String)], body: &[u8]) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let mut req = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).expect("write");
    s.write_all(body).expect("write");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read");
    let code = out
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (code, out.split("\r\n\r\n").nth(1).unwrap_or("").to_string())
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
    application_with_source(
        name,
        &format!(
            "{{repoURL: '{}', path: {path}, targetRevision: HEAD}}",
            repo.display()
        ),
        namespace,
        sync_policy,
    )
}

/// An Application with `source` (a YAML flow mapping), deployed into `namespace`, with
/// `sync_policy` YAML (indented under `syncPolicy:`) and the resources finalizer.
pub fn application_with_source(
    name: &str,
    source: &str,
    namespace: &str,
    sync_policy: &str,
) -> String {
    format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {name}\n  namespace: argocd\n  finalizers: [resources-finalizer.argocd.argoproj.io]\nspec:\n  project: default\n  source: {source}\n  destination: {{server: 'https://kubernetes.default.svc', namespace: {namespace}}}\n  syncPolicy:\n{sync_policy}"
    )
}
