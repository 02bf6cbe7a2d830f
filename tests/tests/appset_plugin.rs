//! The plugin generator end to end: a tiny plugin service over HTTP, its ConfigMap and token
//! Secret in the `argocd` namespace, and the ApplicationSet loop on the simulator generating
//! Applications from the service's answers (read back with the real `kubectl`). The answer
//! changes and the Applications follow; a failing plugin is reported on the set without
//! deleting what exists, and the token never shows.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use driftless_controller::ControllerConfig;
use driftless_e2e::Env;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TOKEN: &str = "e2e-plugin-t0ken";

/// What the plugin answers (`None`: a 500) and the bodies it was sent.
#[derive(Default)]
struct Plugin {
    answer: Mutex<Option<Value>>,
    seen: Mutex<Vec<Value>>,
}

async fn getparams(
    State(p): State<Arc<Plugin>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    if headers.get("authorization").and_then(|v| v.to_str().ok())
        != Some(&format!("Bearer {TOKEN}"))
    {
        return (StatusCode::FORBIDDEN, Json(json!({"message": "bad token"})));
    }
    p.seen.lock().unwrap().push(body);
    match p.answer.lock().unwrap().clone() {
        Some(params) => (
            StatusCode::OK,
            Json(json!({"output": {"parameters": params}})),
        ),
        None => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"message": format!("backend down (token {TOKEN})")})),
        ),
    }
}

async fn serve(plugin: Arc<Plugin>) -> u16 {
    let router = axum::Router::new()
        .route("/api/v1/getparams.execute", post(getparams))
        .with_state(plugin);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("address").port();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    port
}

fn eventually(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(secs) {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(150));
    }
    panic!("timed out waiting for {what}");
}

fn app_names(env: &Env) -> Vec<String> {
    let list = env.kubectl_json(&["get", "applications", "-n", "argocd", "-o", "json"]);
    let mut names: Vec<String> = list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["metadata"]["name"].as_str().map(String::from))
        .collect();
    names.sort();
    names
}

fn set_yaml() -> &'static str {
    r#"apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: plugged, namespace: argocd}
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
  - plugin:
      configMapRef: {name: env-plugin}
      input:
        parameters: {team: payments}
      values: {owner: '{{ .generator.input.parameters.team }}'}
      requeueAfterSeconds: 1
  template:
    metadata:
      name: 'pay-{{ .env }}'
      labels: {owner: '{{ .values.owner }}'}
    spec:
      project: default
      source: {repoURL: 'https://git.example/pay.git', path: 'envs/{{ .env }}', targetRevision: '{{ .revision }}'}
      destination: {server: 'https://kubernetes.default.svc', namespace: 'pay-{{ .env }}'}
"#
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plugin_generator_served_over_http() {
    let env = Env::start().await;
    env.install_crds();
    let plugin = Arc::new(Plugin::default());
    *plugin.answer.lock().unwrap() = Some(json!([
        {"env": "dev", "revision": "main"},
        {"env": "prod", "revision": "v1.2.0"}
    ]));
    let port = serve(plugin.clone()).await;
    // A long interval: the set is generated again because its generator asks every second.
    let loops = env.start_loops(ControllerConfig {
        reconcile_interval: Duration::from_secs(600),
        jitter: Duration::ZERO,
        ..ControllerConfig::default()
    });
    tokio::task::block_in_place(|| {
        env.kubectl_apply(&format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: env-plugin, namespace: argocd}}\ndata:\n  baseUrl: http://127.0.0.1:{port}\n  token: $plugin-creds:token\n  requestTimeout: \"5\"\n---\napiVersion: v1\nkind: Secret\nmetadata: {{name: plugin-creds, namespace: argocd}}\nstringData: {{token: {TOKEN}}}\n"
        ));
        env.kubectl_apply(set_yaml());
        eventually("two Applications from the plugin", 30, || {
            app_names(&env) == ["pay-dev", "pay-prod"]
        });
        let prod = env.kubectl_json(&[
            "get",
            "application",
            "pay-prod",
            "-n",
            "argocd",
            "-o",
            "json",
        ]);
        assert_eq!(prod["spec"]["source"]["targetRevision"], "v1.2.0");
        assert_eq!(prod["spec"]["source"]["path"], "envs/prod");
        assert_eq!(prod["metadata"]["labels"]["owner"], "payments");
        assert_eq!(
            plugin.seen.lock().unwrap()[0],
            json!({"applicationSetName": "plugged", "input": {"parameters": {"team": "payments"}}})
        );

        // The plugin's answer changes: the set follows within its requeueAfterSeconds.
        *plugin.answer.lock().unwrap() = Some(json!([{"env": "dev", "revision": "main"}]));
        eventually("pay-prod deleted", 30, || app_names(&env) == ["pay-dev"]);

        // The plugin fails: the set reports it, keeps its Applications, and hides the token.
        *plugin.answer.lock().unwrap() = None;
        eventually("the failure on the set", 30, || {
            let set = env.kubectl_json(&[
                "get",
                "applicationset",
                "plugged",
                "-n",
                "argocd",
                "-o",
                "json",
            ]);
            set["status"]["conditions"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|c| {
                    c["type"] == "ErrorOccurred"
                        && c["status"] == "True"
                        && c["message"].as_str().is_some_and(|m| {
                            m.contains("status 500: backend down (token ***)") && !m.contains(TOKEN)
                        })
                })
        });
        assert_eq!(app_names(&env), ["pay-dev"]);
    });
    drop(loops);
}
