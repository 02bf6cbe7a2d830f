//! The controller end to end on the simulator, checked with the real `kubectl`: an Application
//! applied with kubectl becomes Synced and Healthy; `kubectl get applications` shows the
//! columns; a new commit is applied by polling; manual drift is reverted with selfHeal; a commit
//! that breaks the source leaves the cluster alone with a ComparisonError; deleting the
//! Application with the resources finalizer removes its resources.

use driftless_controller::{Context, ControllerConfig};
use driftless_e2e::{Env, GitRepo, config_map, deployment};
use driftless_runtime::{Engine, EngineConfig};
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Waits up to `secs` for `f` to hold, reading with kubectl.
fn eventually(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(secs) {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("timed out waiting for {what}");
}

fn app_yaml(repo: &GitRepo, self_heal: bool) -> String {
    format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: shop\n  namespace: argocd\n  finalizers: [resources-finalizer.argocd.argoproj.io]\nspec:\n  project: default\n  source: {{repoURL: '{}', path: app, targetRevision: HEAD}}\n  destination: {{server: 'https://kubernetes.default.svc', namespace: shop}}\n  syncPolicy:\n    automated: {{prune: true, selfHeal: {self_heal}}}\n    syncOptions: [CreateNamespace=true]\n",
        repo.path().display()
    )
}

fn app(env: &Env) -> Value {
    env.kubectl_json(&["get", "application", "shop", "-n", "argocd", "-o", "json"])
}

fn status<'a>(a: &'a Value, p: &str) -> &'a str {
    a.pointer(p).and_then(Value::as_str).unwrap_or("")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn applications_are_synced_healed_and_finalized() {
    let env = Env::start().await;
    for crd in driftless_api::crds() {
        env.kubectl_apply(crd);
    }
    env.namespace("argocd");
    let repo = GitRepo::new();
    repo.write(
        "app/settings.yaml",
        &config_map("settings", "", "mode: blue"),
    )
    .write("app/web.yaml", &deployment("web", "nginx:1.27", 2, "", ""));
    repo.commit("v1");

    let engine = Engine::new(EngineConfig {
        cache_dir: env.scratch().join("controller-cache"),
        ..EngineConfig::default()
    })
    .expect("engine")
    .with_client(env.cluster.client().clone());
    let config = ControllerConfig {
        reconcile_interval: Duration::from_millis(700),
        jitter: Duration::ZERO,
        ..ControllerConfig::default()
    };
    let ctx = Context::new(Arc::new(engine), env.cluster.client().clone(), config);
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let controller = tokio::spawn(driftless_controller::run(ctx, async move {
        let _ = stop_rx.await;
    }));

    tokio::task::block_in_place(|| {
        env.kubectl_apply(&app_yaml(&repo, true));
        eventually("Synced and Healthy", 30, || {
            let a = app(&env);
            status(&a, "/status/sync/status") == "Synced"
                && status(&a, "/status/health/status") == "Healthy"
        });
        let a = app(&env);
        assert_eq!(status(&a, "/status/operationState/phase"), "Succeeded");
        assert_eq!(a["status"]["history"].as_array().map(Vec::len), Some(1));
        assert_eq!(a["status"]["summary"]["images"][0], "nginx:1.27");
        assert!(a.get("operation").is_none(), "operation cleared: {a}");
        let listed = env.kubectl(&["get", "applications", "-n", "argocd"]);
        let text = String::from_utf8_lossy(&listed.stdout);
        assert!(
            text.contains("SYNC STATUS") && text.contains("HEALTH STATUS"),
            "{text}"
        );
        assert!(
            text.contains("Synced") && text.contains("Healthy"),
            "{text}"
        );

        // Drift is reverted (selfHeal) within seconds, seen through the watch.
        let out = env.kubectl(&["scale", "deployment/web", "-n", "shop", "--replicas=5"]);
        assert!(out.status.success(), "{out:?}");
        eventually("replicas back to 2", 20, || {
            let d = env.kubectl_json(&["get", "deployment", "web", "-n", "shop", "-o", "json"]);
            d["spec"]["replicas"] == 2
        });

        // A new commit is applied by polling.
        repo.write(
            "app/settings.yaml",
            &config_map("settings", "", "mode: green"),
        );
        repo.commit("v2");
        eventually("v2 applied", 30, || {
            let cm =
                env.kubectl_json(&["get", "configmap", "settings", "-n", "shop", "-o", "json"]);
            cm["data"]["mode"] == "green"
        });

        // A broken commit leaves the cluster as it is and says why.
        repo.write(
            "app/broken.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: [not, a, map]\n",
        );
        repo.commit("v3 broken");
        eventually("ComparisonError", 30, || {
            let a = app(&env);
            a["status"]["conditions"]
                .as_array()
                .is_some_and(|c| c.iter().any(|c| c["type"] == "ComparisonError"))
        });
        assert!(env.exists(&["configmap/settings", "-n", "shop"]));
        assert_eq!(status(&app(&env), "/status/sync/status"), "Unknown");
        repo.remove("app/broken.yaml");
        repo.commit("v4 fixed");
        eventually("Synced again", 30, || {
            status(&app(&env), "/status/sync/status") == "Synced"
        });

        // Deleting the Application with the finalizer deletes its resources.
        let out = env.kubectl(&[
            "delete",
            "application",
            "shop",
            "-n",
            "argocd",
            "--wait=false",
        ]);
        assert!(out.status.success(), "{out:?}");
        eventually("resources and Application gone", 30, || {
            !env.exists(&["configmap/settings", "-n", "shop"])
                && !env.exists(&["application/shop", "-n", "argocd"])
        });
    });
    let _ = stop_tx.send(());
    let _ = tokio::time::timeout(Duration::from_secs(10), controller).await;
}
