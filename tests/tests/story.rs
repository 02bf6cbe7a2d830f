//! The multi-environment story of issue #10, end to end on the simulator with the real
//! `kubectl`: `examples/environments` (the `shop` umbrella chart with values-dev / -staging /
//! -prod, and `argocd/` holding the ApplicationSet and the root app of apps) committed to a Git
//! repository served over HTTP (`git http-backend`). Only the root Application is applied; the
//! test then follows the cluster through the simulator's event feed and `kubectl`:
//!
//! - the ApplicationSet and the three environments appear, Synced and Healthy, each in its
//!   namespace; the chart's objects arrive in sync-wave order 0 → 5 (the ServiceMonitors after
//!   their CRD);
//! - staging waits for dev and prod for staging (`driftless.dev/depends-on`), saying so;
//! - a commit to `main` reaches dev, then staging, not prod; merging `main` into `release`
//!   promotes prod;
//! - a fourth list element creates an environment, removing it deletes it with its resources.

#[path = "../../crates/driftless-source/tests/support/mod.rs"]
mod support;

use driftless_controller::ControllerConfig;
use driftless_e2e::Env;
use driftless_sim::EventType;
use serde_json::Value;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::{HttpGit, TestRepo};

const PLACEHOLDER: &str = "https://git.example.com/shop-gitops.git";

/// One change seen in the simulator.
#[derive(Debug, Clone)]
struct Seen {
    rv: u64,
    kind: EventType,
    resource: String,
    namespace: String,
    name: String,
    object: Arc<Value>,
}

/// Records every change of the simulator from now on.
fn record(env: &Env) -> Arc<Mutex<Vec<Seen>>> {
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut rx = env.store.subscribe();
    let sink = log.clone();
    tokio::spawn(async move {
        loop {
            match rx.recv().await {
                Ok(ev) => sink.lock().expect("log").push(Seen {
                    rv: ev.resource_version,
                    kind: ev.event_type,
                    resource: ev.resource.resource.clone(),
                    namespace: ev.namespace.clone(),
                    name: ev.object["metadata"]["name"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                    object: ev.object.clone(),
                }),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                    panic!("the event log missed {n} events")
                }
                Err(_) => return,
            }
        }
    });
    log
}

/// The chart's objects and their waves (`examples/environments/shop`).
fn wave_of(resource: &str, name: &str) -> Option<i64> {
    Some(match (resource, name) {
        ("configmaps", "shop-config") => 0,
        ("secrets" | "services" | "statefulsets", "orders-db" | "users-db") => 1,
        ("networkpolicies", "shop-default") => 2,
        ("customresourcedefinitions", "servicemonitors.monitoring.coreos.com") => 2,
        ("deployments" | "services", "shop-api") => 3,
        ("deployments" | "services", "shop-frontend") => 4,
        ("servicemonitors", "shop-api" | "shop-frontend") => 5,
        _ => return None,
    })
}

/// The waves of the chart's objects of namespace `ns` (and the CRD, for dev) in creation order.
fn arrival_waves(log: &[Seen], ns: &str, with_crd: bool) -> Vec<(i64, String)> {
    log.iter()
        .filter(|s| s.kind == EventType::Added)
        .filter(|s| s.namespace == ns || (with_crd && s.resource == "customresourcedefinitions"))
        .filter_map(|s| {
            wave_of(&s.resource, &s.name).map(|w| (w, format!("{}/{}", s.resource, s.name)))
        })
        .collect()
}

/// The first change at which Application `app` was Synced and Healthy (at `revision`, if given).
fn first_ready(log: &[Seen], app: &str, revision: Option<&str>) -> Option<u64> {
    log.iter()
        .filter(|s| s.resource == "applications" && s.name == app)
        .find(|s| {
            let st = &s.object["status"];
            st["sync"]["status"] == "Synced"
                && st["health"]["status"] == "Healthy"
                && revision.is_none_or(|r| st["sync"]["revision"] == r)
        })
        .map(|s| s.rv)
}

/// The first change of namespace `ns`'s chart objects (the start of its first sync).
fn first_object(log: &[Seen], ns: &str) -> Option<u64> {
    log.iter()
        .find(|s| s.namespace == ns && wave_of(&s.resource, &s.name).is_some())
        .map(|s| s.rv)
}

/// The first change at which ConfigMap `shop-config` of `ns` had `version`.
fn config_at(log: &[Seen], ns: &str, version: &str) -> Option<u64> {
    log.iter()
        .find(|s| {
            s.namespace == ns
                && s.resource == "configmaps"
                && s.name == "shop-config"
                && s.object["data"]["version"] == version
        })
        .map(|s| s.rv)
}

fn eventually(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(secs) {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(150));
    }
    panic!("timed out after {secs} s waiting for {what}");
}

fn synced_and_healthy(env: &Env, app: &str) -> bool {
    let out = env.kubectl(&["get", "application", app, "-n", "argocd", "-o", "json"]);
    let a: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    out.status.success()
        && a.pointer("/status/sync/status") == Some(&"Synced".into())
        && a.pointer("/status/health/status") == Some(&"Healthy".into())
}

fn version(env: &Env, e: &str) -> String {
    let ns = format!("shop-{e}");
    let out = env.kubectl(&["get", "configmap", "shop-config", "-n", &ns, "-o", "json"]);
    let cm: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    cm["data"]["version"].as_str().unwrap_or("").to_string()
}

/// Copies `examples/environments` into the repository, pointing its Applications at `url`.
fn copy_example(from: &Path, to: &Path, url: &str) {
    for entry in std::fs::read_dir(from).expect("example") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_example(&entry.path(), &target, url);
        } else {
            let text = std::fs::read_to_string(entry.path()).expect("read");
            std::fs::write(target, text.replace(PLACEHOLDER, url)).expect("write");
        }
    }
}

/// The set's list elements, one line each, replaced by `elements`.
fn with_elements(appset: &str, elements: &[&str]) -> String {
    let mut out = String::new();
    let mut written = false;
    for line in appset.lines() {
        if line.trim_start().starts_with("- {env:") {
            if !written {
                for e in elements {
                    out.push_str(&format!("          - {e}\n"));
                }
                written = true;
            }
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

const THREE: [&str; 3] = [
    "{env: dev, revision: main, after: \"\"}",
    "{env: staging, revision: main, after: shop-dev}",
    "{env: prod, revision: release, after: shop-staging}",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_repository_many_environments_from_a_single_root_application() {
    let env = Env::start().await;
    env.install_crds();
    let repo = TestRepo::new();
    let server = HttpGit::start(repo.root.path(), None);
    let url = server.url(&repo.name);
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/environments");
    copy_example(&example, &repo.dir(), &url);
    let v1 = repo.commit(&[], "the shop, three environments");
    repo.git(&["branch", "release"]);
    let appset = std::fs::read_to_string(repo.dir().join("argocd/shop.yaml")).expect("set");
    assert!(appset.contains(THREE[1]), "the example's list changed");

    let log = record(&env);
    let loops = env.start_loops(ControllerConfig {
        reconcile_interval: Duration::from_millis(800),
        jitter: Duration::ZERO,
        wave_timeout: Duration::from_secs(10),
        sync_timeout: Duration::from_secs(30),
        ..ControllerConfig::default()
    });
    let log_now = || log.lock().expect("log").clone();

    tokio::task::block_in_place(|| {
        let root = repo.dir().join("argocd/root.yaml");
        let out = env.kubectl(&["apply", "-n", "argocd", "-f", root.to_str().expect("path")]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );

        // The set and three environments, each Synced and Healthy in its own namespace.
        eventually("three environments Synced and Healthy", 45, || {
            env.exists(&["applicationset/shop", "-n", "argocd"])
                && ["shop-dev", "shop-staging", "shop-prod"]
                    .iter()
                    .all(|a| synced_and_healthy(&env, a))
        });
        let deadline = Instant::now() + Duration::from_secs(10);
        while !synced_and_healthy(&env, "root") {
            let root = env.application("root");
            assert!(
                Instant::now() < deadline,
                "root not Synced and Healthy: {}",
                root["status"]
            );
            std::thread::sleep(Duration::from_millis(150));
        }
        for e in ["dev", "staging", "prod"] {
            assert!(env.exists(&["namespace", &format!("shop-{e}")]), "{e}");
            assert_eq!(version(&env, e), "1.0.0", "{e}");
            assert!(
                env.exists(&["servicemonitor/shop-api", "-n", &format!("shop-{e}")]),
                "{e}"
            );
        }
        let app = env.application("shop-prod");
        assert_eq!(app["spec"]["source"]["targetRevision"], "release");
        assert_eq!(
            app["spec"]["syncPolicy"]["retry"]["backoff"]["maxDuration"],
            "3m"
        );
        assert_eq!(app["status"]["sync"]["revision"], v1.as_str());

        // Sync waves 0 → 5 in every environment; the CRD (dev installs it) before its resources.
        let seen = log_now();
        for (ns, crd) in [
            ("shop-dev", true),
            ("shop-staging", false),
            ("shop-prod", false),
        ] {
            let waves = arrival_waves(&seen, ns, crd);
            let order: Vec<i64> = waves.iter().map(|(w, _)| *w).collect();
            assert!(
                order.is_sorted(),
                "{ns}: objects out of wave order: {waves:?}"
            );
            let distinct: std::collections::BTreeSet<i64> = order.iter().copied().collect();
            assert_eq!(distinct.len(), 6, "{ns}: {waves:?}");
        }

        // Dependencies: staging starts after dev is ready, prod after staging, saying so.
        let dev_ready = first_ready(&seen, "shop-dev", None).expect("dev ready");
        let staging_ready = first_ready(&seen, "shop-staging", None).expect("staging ready");
        assert!(first_object(&seen, "shop-staging").expect("staging objects") > dev_ready);
        assert!(first_object(&seen, "shop-prod").expect("prod objects") > staging_ready);
        let said_waiting = seen.iter().any(|s| {
            s.resource == "applications"
                && s.name == "shop-prod"
                && s.object["status"]["conditions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|c| {
                        c["type"] == "DependencyNotReady"
                            && c["message"]
                                .as_str()
                                .is_some_and(|m| m.starts_with("Waiting for: shop-staging ("))
                    })
        });
        assert!(said_waiting, "prod never said it waits for staging");
        let prod = env.application("shop-prod");
        let conditions = prod["status"]["conditions"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(
            conditions.iter().all(|c| c["type"] != "DependencyNotReady"),
            "{conditions:?}"
        );

        // A commit to main reaches dev, then staging (once dev is ready at it), not prod.
        let values = repo.dir().join("shop/values.yaml");
        let text = std::fs::read_to_string(&values).expect("values");
        let v2 = repo.commit(
            &[(
                "shop/values.yaml",
                &text.replace("version: \"1.0.0\"", "version: \"1.1.0\""),
            )],
            "shop 1.1.0",
        );
        eventually("dev and staging at 1.1.0", 30, || {
            version(&env, "dev") == "1.1.0" && version(&env, "staging") == "1.1.0"
        });
        assert_eq!(version(&env, "prod"), "1.0.0");
        let seen = log_now();
        let dev_at_v2 = first_ready(&seen, "shop-dev", Some(&v2)).expect("dev ready at v2");
        assert!(config_at(&seen, "shop-staging", "1.1.0").expect("staging 1.1.0") > dev_at_v2);

        // Promotion: merge main into release.
        repo.git(&["checkout", "-q", "release"]);
        repo.git(&["merge", "-q", "--ff-only", "main"]);
        repo.git(&["checkout", "-q", "main"]);
        eventually("prod at 1.1.0", 30, || version(&env, "prod") == "1.1.0");
        eventually("prod Synced and Healthy at the merge", 20, || {
            synced_and_healthy(&env, "shop-prod")
                && env.application("shop-prod")["status"]["sync"]["revision"] == v2.as_str()
        });

        // A fourth environment comes with its list element and goes with it.
        let qa = "{env: qa, revision: main, after: shop-dev}";
        let four = [THREE[0], THREE[1], THREE[2], qa];
        repo.commit(
            &[
                ("argocd/shop.yaml", &with_elements(&appset, &four)),
                ("shop/values-qa.yaml", "environment: qa\n"),
            ],
            "add qa",
        );
        eventually("qa Synced and Healthy", 30, || {
            synced_and_healthy(&env, "shop-qa") && version(&env, "qa") == "1.1.0"
        });
        repo.commit(
            &[("argocd/shop.yaml", &with_elements(&appset, &THREE))],
            "remove qa",
        );
        eventually("qa and its resources gone", 30, || {
            !env.exists(&["application/shop-qa", "-n", "argocd"])
                && !env.exists(&["configmap/shop-config", "-n", "shop-qa"])
                && !env.exists(&["deployment/shop-api", "-n", "shop-qa"])
        });
        assert!(synced_and_healthy(&env, "shop-prod"));
        assert!(env.exists(&["customresourcedefinition/servicemonitors.monitoring.coreos.com"]));
    });
    drop(loops);
}

/// An Application of `path` into `namespace` with automated sync, in sync wave `wave` of its
/// parent.
fn child_app(repo: &driftless_e2e::GitRepo, name: &str, wave: i64) -> String {
    format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {name}\n  namespace: argocd\n  annotations: {{argocd.argoproj.io/sync-wave: '{wave}'}}\nspec:\n  project: default\n  source: {{repoURL: '{}', path: envs/{name}, targetRevision: HEAD}}\n  destination: {{server: 'https://kubernetes.default.svc', namespace: {name}}}\n  syncPolicy:\n    automated: {{prune: true}}\n    syncOptions: [CreateNamespace=true]\n",
        repo.path().display()
    )
}

/// Sync waves on child Applications order environments: the root creates staging (wave 1) only
/// once dev (wave 0) is Synced and Healthy (built-in Application health).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waves_on_child_applications_order_environments() {
    let env = Env::start().await;
    env.install_crds();
    let repo = driftless_e2e::GitRepo::new();
    for name in ["dev", "staging"] {
        repo.write(
            &format!("envs/{name}/api.yaml"),
            &driftless_e2e::deployment(
                "api",
                "registry.example/api:1",
                1,
                "",
                "sim.driftless.dev/ready-after: 1s",
            ),
        );
    }
    repo.write("apps/dev.yaml", &child_app(&repo, "dev", 0))
        .write("apps/staging.yaml", &child_app(&repo, "staging", 1));
    repo.commit("two environments");
    let log = record(&env);
    let loops = env.start_loops(ControllerConfig {
        reconcile_interval: Duration::from_millis(800),
        jitter: Duration::ZERO,
        wave_timeout: Duration::from_secs(15),
        sync_timeout: Duration::from_secs(30),
        ..ControllerConfig::default()
    });
    tokio::task::block_in_place(|| {
        env.kubectl_apply(&driftless_e2e::controller::application_yaml(
            "root",
            repo.path(),
            "apps",
            "argocd",
            "    automated: {prune: true}\n",
        ));
        eventually("root, dev and staging Synced and Healthy", 40, || {
            ["root", "dev", "staging"]
                .iter()
                .all(|a| synced_and_healthy(&env, a))
        });
        let seen = log.lock().expect("log").clone();
        let dev_ready = first_ready(&seen, "dev", None).expect("dev ready");
        let staging_created = seen
            .iter()
            .find(|s| s.resource == "applications" && s.name == "staging")
            .expect("staging created")
            .rv;
        assert!(
            staging_created > dev_ready,
            "staging was created before dev was healthy"
        );
    });
    drop(loops);
}
