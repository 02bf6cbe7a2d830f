//! The controller end to end on the simulator, checked with the real `kubectl`.

use driftless_e2e::controller::{application_yaml, eventually, test_config, text};
use driftless_e2e::{Env, GitRepo, HttpGit, config_map, deployment, umbrella};
use std::time::{Duration, Instant};

const AUTO_HEAL: &str =
    "    automated: {prune: true, selfHeal: true}\n    syncOptions: [CreateNamespace=true]\n";

fn shop_repo() -> GitRepo {
    let repo = GitRepo::new();
    repo.write(
        "app/settings.yaml",
        &config_map("settings", "", "mode: blue"),
    )
    .write("app/web.yaml", &deployment("web", "nginx:1.27", 2, "", ""))
    .write("rolled/cm.yaml", &config_map("rolled", "", "mode: green"));
    repo.commit("v1");
    repo
}

/// The umbrella chart committed to a repository served over HTTP by the tests' git server.
fn served_umbrella() -> (GitRepo, HttpGit, String) {
    let repo = GitRepo::new();
    umbrella::write(&repo);
    repo.commit("v1");
    let server = repo.serve_http();
    let url = repo.http_url(&server);
    (repo, server, url)
}

/// The umbrella chart over HTTP with its dev values: Synced/Healthy, the printer columns,
/// self-heal of `kubectl scale`, a new commit by polling, a removed Service pruned, a broken
/// chart (ComparisonError, cluster untouched), the resources finalizer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn applications_are_synced_healed_and_finalized() {
    let env = Env::start().await;
    env.install_crds();
    let (repo, _server, url) = served_umbrella();
    let _controller = env.start_controller(test_config());
    tokio::task::block_in_place(|| {
        env.kubectl_apply(&umbrella::application(
            "shop", &url, "dev", "shop", AUTO_HEAL,
        ));
        eventually("Synced and Healthy", 30, || {
            let a = env.application("shop");
            text(&a, "/status/sync/status") == "Synced"
                && text(&a, "/status/health/status") == "Healthy"
        });
        let a = env.application("shop");
        assert_eq!(text(&a, "/status/operationState/phase"), "Succeeded");
        assert_eq!(text(&a, "/status/sourceType"), "Helm");
        assert_eq!(a["status"]["history"].as_array().map(Vec::len), Some(1));
        assert_eq!(a["status"]["summary"]["images"][0], "nginx:1.27");
        assert!(a.get("operation").is_none(), "operation cleared: {a}");
        let web = env.kubectl_json(&["get", "deployment", "web", "-n", "shop"]);
        assert_eq!(web["spec"]["replicas"], 2, "values-dev.yaml applied");
        assert!(
            env.exists(&["service/web", "-n", "shop"]),
            "subchart rendered"
        );
        let listed = env.kubectl(&["get", "applications", "-n", "argocd"]);
        let out = String::from_utf8_lossy(&listed.stdout);
        assert!(
            out.contains("SYNC STATUS") && out.contains("HEALTH STATUS"),
            "{out}"
        );
        assert!(out.contains("Synced") && out.contains("Healthy"), "{out}");
        let events = env.kubectl(&["get", "events", "-n", "argocd", "-o", "json"]);
        let (out, err) = (
            String::from_utf8_lossy(&events.stdout),
            String::from_utf8_lossy(&events.stderr),
        );
        assert!(out.contains("OperationCompleted"), "{out}{err}");

        // Drift is reverted (selfHeal) within seconds, seen through the watch.
        let out = env.kubectl(&["scale", "deployment/web", "-n", "shop", "--replicas=5"]);
        assert!(out.status.success(), "{out:?}");
        eventually("replicas back to 2", 20, || {
            env.kubectl_json(&["get", "deployment", "web", "-n", "shop"])["spec"]["replicas"] == 2
        });

        // A new commit is applied by polling; the Service it removes is pruned.
        repo.write(
            "shop/values-dev.yaml",
            "settings:\n  mode: green\nweb:\n  replicas: 2\n  service: false\n",
        );
        repo.commit("v2");
        eventually("v2 applied", 30, || {
            env.kubectl_json(&["get", "configmap", "settings", "-n", "shop"])["data"]["mode"]
                == "green"
        });
        eventually("Service pruned", 20, || {
            !env.exists(&["service/web", "-n", "shop"])
        });

        // A broken chart leaves the cluster as it is and says why.
        repo.write("shop/templates/broken.yaml", "{{ .Values.settings.mode\n");
        repo.write("shop/values-dev.yaml", "settings:\n  mode: broken\n");
        repo.commit("v3 broken");
        eventually("ComparisonError", 30, || {
            env.application("shop")["status"]["conditions"]
                .as_array()
                .is_some_and(|c| c.iter().any(|c| c["type"] == "ComparisonError"))
        });
        let cm = env.kubectl_json(&["get", "configmap", "settings", "-n", "shop"]);
        assert_eq!(cm["data"]["mode"], "green", "the cluster is untouched");
        assert!(env.exists(&["deployment/web", "-n", "shop"]));
        assert_eq!(
            text(&env.application("shop"), "/status/sync/status"),
            "Unknown"
        );
        repo.remove("shop/templates/broken.yaml");
        repo.commit("v4 fixed");
        eventually("Synced again", 30, || {
            text(&env.application("shop"), "/status/sync/status") == "Synced"
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
}

/// Without selfHeal drift shows as OutOfSync and stays; without prune a Service removed from
/// the chart stays, marked requiresPruning (the umbrella chart over HTTP, prod values).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_self_heal_or_prune_the_cluster_is_left_alone() {
    let env = Env::start().await;
    env.install_crds();
    let (repo, _server, url) = served_umbrella();
    let _controller = env.start_controller(test_config());
    let policy =
        "    automated: {prune: false, selfHeal: false}\n    syncOptions: [CreateNamespace=true]\n";
    tokio::task::block_in_place(|| {
        env.kubectl_apply(&umbrella::application("calm", &url, "prod", "calm", policy));
        eventually("Synced", 30, || {
            text(&env.application("calm"), "/status/sync/status") == "Synced"
        });
        let cm = env.kubectl_json(&["get", "configmap", "settings", "-n", "calm"]);
        assert_eq!(cm["data"]["mode"], "prod", "values-prod.yaml applied");
        assert!(
            env.kubectl(&["scale", "deployment/web", "-n", "calm", "--replicas=4"])
                .status
                .success()
        );
        eventually("OutOfSync after drift", 20, || {
            text(&env.application("calm"), "/status/sync/status") == "OutOfSync"
        });
        std::thread::sleep(Duration::from_secs(2));
        let d = env.kubectl_json(&["get", "deployment", "web", "-n", "calm"]);
        assert_eq!(d["spec"]["replicas"], 4, "selfHeal off: the drift stays");
        let web = env.application("calm")["status"]["resources"]
            .as_array()
            .and_then(|r| r.iter().find(|r| r["kind"] == "Deployment").cloned())
            .expect("deployment listed");
        assert_eq!(web["status"], "OutOfSync");

        repo.write(
            "shop/values-prod.yaml",
            "settings:\n  mode: prod\nweb:\n  replicas: 4\n  image: nginx:1.28\n  service: false\n",
        );
        repo.commit("v2: Service removed, image bumped");
        eventually("v2 synced without pruning", 30, || {
            let d = env.kubectl_json(&["get", "deployment", "web", "-n", "calm"]);
            d["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.28"
        });
        eventually("Service requires pruning", 20, || {
            env.application("calm")["status"]["resources"]
                .as_array()
                .is_some_and(|r| {
                    r.iter().any(|r| {
                        r["kind"] == "Service" && r["name"] == "web" && r["requiresPruning"] == true
                    })
                })
        });
        assert!(
            env.exists(&["service/web", "-n", "calm"]),
            "prune off: the object stays"
        );
    });
}

/// A Deployment that never becomes ready fails the sync; retries follow the back-off (1 s,
/// factor 2: 1 s, 2 s) and stop at the limit with phase Failed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_syncs_are_retried_on_the_back_off_schedule() {
    let env = Env::start().await;
    env.install_crds();
    let repo = GitRepo::new();
    repo.write(
        "app/web.yaml",
        &deployment("web", "registry.invalid/nonexistent:1", 1, "", ""),
    );
    repo.commit("v1");
    let mut config = test_config();
    config.wave_timeout = Duration::from_millis(500);
    let _controller = env.start_controller(config);
    let policy = "    automated: {}\n    syncOptions: [CreateNamespace=true]\n    retry: {limit: 2, backoff: {duration: 1s, factor: 2, maxDuration: 1m}}\n";
    tokio::task::block_in_place(|| {
        env.kubectl_apply(&application_yaml(
            "flaky",
            repo.path(),
            "app",
            "flaky",
            policy,
        ));
        // (retryCount, phase) as first seen: each failed attempt bumps the count, and the next
        // attempt starts one back-off later (1 s, then 2 s), so the gaps are at least those.
        let mut seen: Vec<(i64, String, Instant)> = Vec::new();
        eventually("retries exhausted", 40, || {
            let a = env.application("flaky");
            let count = a
                .pointer("/status/operationState/retryCount")
                .and_then(|v| v.as_i64())
                .unwrap_or(0);
            let phase = text(&a, "/status/operationState/phase").to_string();
            if seen.last().map(|(c, p, _)| (*c, p.as_str())) != Some((count, phase.as_str())) {
                seen.push((count, phase.clone(), Instant::now()));
            }
            phase == "Failed"
        });
        let at = |count: i64, phase: &str| {
            seen.iter()
                .find(|(c, p, _)| *c == count && p == phase)
                .map(|(_, _, t)| *t)
                .unwrap_or_else(|| panic!("({count}, {phase}) not seen in {seen:?}"))
        };
        let (first, second, last) = (at(1, "Running"), at(2, "Running"), at(2, "Failed"));
        assert!(
            second - first >= Duration::from_millis(1000),
            "first back-off: {:?}",
            second - first
        );
        assert!(
            last - second >= Duration::from_millis(2000) && last - second > second - first,
            "second back-off: {:?}",
            last - second
        );
        let a = env.application("flaky");
        assert!(
            text(&a, "/status/operationState/message").contains("web"),
            "{a}"
        );
        assert!(
            a.get("operation").is_none(),
            "operation cleared after the last attempt"
        );
        // Automation does not try the failed revision again once the retries are spent.
        std::thread::sleep(Duration::from_secs(2));
        let a = env.application("flaky");
        assert_eq!(text(&a, "/status/operationState/phase"), "Failed", "{a}");
        assert_eq!(a["status"]["operationState"]["retryCount"], 2);
        assert_ne!(text(&a, "/status/health/status"), "Healthy");
    });
}

/// `kubectl patch` of `operation.sync` (what `argocd app sync` writes) syncs a manual
/// Application; an operation recorded as Running by a controller that died is finished by the
/// next one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manual_operations_run_and_a_recorded_one_is_resumed() {
    let env = Env::start().await;
    env.install_crds();
    env.namespace("manual");
    env.namespace("resumed");
    let repo = shop_repo();
    let manual = "    syncOptions: [CreateNamespace=true]\n";
    tokio::task::block_in_place(|| {
        // Left as a dead controller leaves it: operation set, operationState Running.
        env.kubectl_apply(&application_yaml(
            "resumed",
            repo.path(),
            "app",
            "resumed",
            manual,
        ));
        let op = r#"{"operation":{"sync":{"revision":"HEAD"},"initiatedBy":{"username":"admin"}}}"#;
        env.kubectl_merge_patch(&["application", "resumed", "-n", "argocd"], op);
        let state = r#"{"status":{"operationState":{"operation":{"sync":{"revision":"HEAD"},"initiatedBy":{"username":"admin"}},"phase":"Running","message":"Sync operation in progress","startedAt":"2026-01-01T00:00:00Z"}}}"#;
        env.kubectl_merge_patch(
            &[
                "application",
                "resumed",
                "-n",
                "argocd",
                "--subresource=status",
            ],
            state,
        );
        env.kubectl_apply(&application_yaml(
            "manual",
            repo.path(),
            "app",
            "manual",
            manual,
        ));
    });
    let _controller = env.start_controller(test_config());
    tokio::task::block_in_place(|| {
        eventually("resumed sync finished", 30, || {
            text(&env.application("resumed"), "/status/operationState/phase") == "Succeeded"
        });
        let a = env.application("resumed");
        assert_eq!(
            text(&a, "/status/operationState/startedAt"),
            "2026-01-01T00:00:00Z",
            "the same operation, resumed"
        );
        assert!(env.exists(&["deployment/web", "-n", "resumed"]));

        eventually("manual app compared", 30, || {
            text(&env.application("manual"), "/status/sync/status") == "OutOfSync"
        });
        std::thread::sleep(Duration::from_secs(1));
        assert!(
            !env.exists(&["deployment/web", "-n", "manual"]),
            "no automated sync"
        );
        let op = r#"{"operation":{"sync":{"revision":"HEAD","prune":true},"initiatedBy":{"username":"admin"}}}"#;
        env.kubectl_merge_patch(&["application", "manual", "-n", "argocd"], op);
        eventually("manual sync done", 30, || {
            let a = env.application("manual");
            text(&a, "/status/operationState/phase") == "Succeeded"
                && text(&a, "/status/sync/status") == "Synced"
        });
        let a = env.application("manual");
        assert_eq!(text(&a, "/status/history/0/initiatedBy/username"), "admin");

        // An operation with its own source (what `argocd app rollback` writes from a history
        // entry): that source is synced and recorded, the spec is left as it is.
        let op = serde_json::json!({"operation": {
            "sync": {"revision": "HEAD", "source": {"repoURL": repo.path(), "path": "rolled"}},
            "initiatedBy": {"username": "admin"}}})
        .to_string();
        let patch = [
            "patch",
            "application",
            "manual",
            "-n",
            "argocd",
            "--type",
            "merge",
            "-p",
        ];
        assert!(
            env.kubectl(&[&patch[..], &[op.as_str()]].concat())
                .status
                .success()
        );
        eventually("the operation's source synced", 30, || {
            let a = env.application("manual");
            a.get("operation").is_none()
                && text(&a, "/status/operationState/syncResult/source/path") == "rolled"
        });
        let a = env.application("manual");
        assert_eq!(text(&a, "/status/history/1/source/path"), "rolled", "{a}");
        assert_eq!(text(&a, "/status/history/0/source/path"), "app", "{a}");
        assert_eq!(text(&a, "/spec/source/path"), "app");
        assert!(env.exists(&["configmap/rolled", "-n", "manual"]));
    });
}

/// A push webhook (GitHub, HMAC-signed) refreshes the Applications following that repository
/// and branch at once, long before the next poll; a bad signature is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_push_webhook_applies_a_commit_before_the_next_poll() {
    use hmac::{Hmac, Mac};
    let env = Env::start().await;
    env.install_crds();
    let (repo, _server, url) = served_umbrella();
    let mut config = test_config();
    config.reconcile_interval = Duration::from_secs(600);
    config.webhook_secret = Some("s3cret".into());
    let controller = env.start_controller(config);
    let port = controller.serve_http().await;
    tokio::task::block_in_place(|| {
        env.kubectl_apply(&umbrella::application(
            "hooked", &url, "dev", "hooked", AUTO_HEAL,
        ));
        eventually("Synced", 30, || {
            text(&env.application("hooked"), "/status/sync/status") == "Synced"
        });
        repo.write("shop/values-dev.yaml", "settings:\n  mode: pushed\n");
        repo.commit("v2");
        let body = serde_json::json!({
            "ref": "refs/heads/main",
            "repository": {"clone_url": url},
        })
        .to_string();
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"s3cret").unwrap();
        mac.update(body.as_bytes());
        let sig: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let (code, _) = driftless_e2e::controller::post(
            port,
            "/api/webhook",
            &[("X-Hub-Signature-256", "sha256=0000".into())],
            body.as_bytes(),
        );
        assert_eq!(code, 401, "a bad signature is refused");
        let (code, text_out) = driftless_e2e::controller::post(
            port,
            "/api/webhook",
            &[("X-Hub-Signature-256", format!("sha256={sig}"))],
            body.as_bytes(),
        );
        assert_eq!(code, 200, "{text_out}");
        assert!(text_out.contains("hooked"), "{text_out}");
        eventually("pushed commit applied", 20, || {
            env.kubectl_json(&["get", "configmap", "settings", "-n", "hooked", "-o", "json"])["data"]
                ["mode"]
                == "pushed"
        });
        let metrics = scrape(port);
        assert!(
            metrics.contains("driftless_app_sync_total{phase=\"Succeeded\"}"),
            "{metrics}"
        );
        // Git fetches over HTTP (the first poll and the webhook's), API requests by verb and
        // code, the Application by status, the watch cache's sizes.
        let value = |line: &str| {
            metrics
                .lines()
                .find(|l| l.starts_with(line))
                .and_then(|l| l.rsplit(' ').next())
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or_else(|| panic!("{line} missing:\n{metrics}"))
        };
        assert!(
            value("driftless_git_fetch_seconds_count ") >= 2.0,
            "{metrics}"
        );
        assert!(value("driftless_git_fetch_seconds_bucket{le=\"+Inf\"} ") >= 2.0);
        assert!(
            value("driftless_k8s_request_total{verb=\"patch\",response_code=\"200\"} ") >= 1.0,
            "{metrics}"
        );
        assert!(value("driftless_k8s_request_total{verb=\"watch\",response_code=\"200\"} ") >= 1.0);
        assert!(
            metrics
                .lines()
                .any(|l| l.starts_with("driftless_cache_objects{scope=")
                    && l.rsplit(' ').next().is_some_and(|v| v != "0")),
            "{metrics}"
        );
        eventually("the Application counted Synced and Healthy", 10, || {
            scrape(port)
                .contains("driftless_apps{sync_status=\"Synced\",health_status=\"Healthy\"} 1\n")
        });
    });
}

/// `GET /metrics` on the controller's port; panics unless it answers 200.
fn scrape(port: u16) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    assert_eq!(out.split(' ').nth(1), Some("200"), "{out}");
    out
}
