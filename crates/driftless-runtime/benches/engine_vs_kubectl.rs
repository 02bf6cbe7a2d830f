//! Steady state of a 2,000-object directory application (1,980 ConfigMaps, 20 Deployments) in the
//! simulator, through the engine and through `kubectl`, in the same run against the same server:
//! (a) a re-sync with nothing changed (`Engine::sync_oneshot` vs `kubectl apply --server-side -f`),
//! (b) a diff (`Engine::diff_oneshot` vs `kubectl diff --server-side -f`).
//!
//! Each side owns a namespace synced once before measuring. Besides criterion's figures, the bench
//! prints the ratio of the medians and the requests by verb of one run of each, scraped from the
//! simulator's `/metrics` (`apiserver_request_total`), as one would from a real API server.

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use driftless_apply::{NoObserver, SyncSettings};
use driftless_runtime::{Engine, EngineConfig, SyncRequest, Target};
use driftless_sim::server::metrics::{RequestLabels, by_verb, delta, parse_request_totals};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const CONFIG_MAPS: usize = 1980;
const DEPLOYMENTS: usize = 20;

fn write_app(dir: &Path) {
    std::fs::create_dir_all(dir).expect("mkdir");
    for i in 0..CONFIG_MAPS {
        let o = serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": format!("cm-{i:04}"), "labels": {"app": "bench"}},
            "data": {"index": i.to_string(), "payload": "x".repeat(200)}});
        std::fs::write(dir.join(format!("cm-{i:04}.yaml")), yaml(&o)).expect("write");
    }
    for i in 0..DEPLOYMENTS {
        let name = format!("web-{i:02}");
        let o = serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
                "template": {"metadata": {"labels": {"app": name}},
                    "spec": {"containers": [{"name": "main", "image": "nginx:1.27"}]}}}});
        std::fs::write(dir.join(format!("web-{i:02}.yaml")), yaml(&o)).expect("write");
    }
}

fn yaml(v: &serde_json::Value) -> String {
    serde_yaml_ng::to_string(v).expect("yaml")
}

fn git(repo: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(repo)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.com")
        .env("GIT_COMMITTER_NAME", "Bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.com")
        .output()
        .expect("git");
    assert!(out.status.success(), "git {args:?}");
}

/// `kubectl` with the simulator's kubeconfig; `ok` lists the accepted exit codes.
fn kubectl(kubeconfig: &Path, args: &[&str], ok: &[i32]) {
    let out = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .output()
        .expect("kubectl");
    assert!(
        out.status.code().is_some_and(|c| ok.contains(&c)),
        "kubectl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn median(v: &Mutex<Vec<Duration>>) -> Duration {
    let mut v = v.lock().expect("times").clone();
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn bench(c: &mut Criterion) {
    driftless_runtime::install_crypto_provider();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let sim = rt
        .block_on(driftless_sim::Cluster::start(Default::default()))
        .expect("simulator");
    let dir = tempfile::tempdir().expect("tmp");
    let kubeconfig = dir.path().join("kubeconfig");
    sim.write_kubeconfig(&kubeconfig).expect("kubeconfig");
    let repo = dir.path().join("repo");
    write_app(&repo.join("app"));
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "app"]);
    let files = repo.join("app");
    let files = files.to_str().expect("utf-8 path");
    let client = rt.block_on(async {
        let kc = kube::config::Kubeconfig::from_yaml(sim.kubeconfig()).expect("kubeconfig");
        let cfg = kube::Config::from_custom_kubeconfig(kc, &Default::default())
            .await
            .expect("config");
        kube::Client::try_from(cfg).expect("client")
    });
    let engine = Engine::new(EngineConfig {
        cache_dir: dir.path().join("cache"),
        ..EngineConfig::default()
    })
    .expect("engine")
    .with_client(client.clone());
    let t = Target {
        app: "bench".into(),
        repo: repo.display().to_string(),
        revision: "HEAD".into(),
        path: "app".into(),
        namespace: "engine".into(),
        ..Target::default()
    };
    let settings = SyncSettings {
        app: t.app.clone(),
        namespace: Some(t.namespace.clone()),
        wait: false,
        ..SyncSettings::default()
    };
    let req = SyncRequest::default();
    for ns in ["engine", "kubectl"] {
        let text = format!("apiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}}}\n");
        let path = dir.path().join(format!("{ns}.yaml"));
        std::fs::write(&path, text).expect("write");
        kubectl(
            &kubeconfig,
            &["apply", "-f", path.to_str().expect("utf-8")],
            &[0],
        );
    }
    // Both sides start synced: the engine once (and one diff, as a controller's first pass), kubectl once.
    let sync = || {
        rt.block_on(engine.sync_oneshot(&t, &req, &settings, &NoObserver))
            .expect("sync")
    };
    sync();
    rt.block_on(engine.diff_oneshot(&t, false)).expect("diff");
    let kubectl_apply = || {
        kubectl(
            &kubeconfig,
            &["apply", "--server-side", "-n", "kubectl", "-f", files],
            &[0],
        )
    };
    let kubectl_diff = || {
        kubectl(
            &kubeconfig,
            &["diff", "--server-side", "-n", "kubectl", "-f", files],
            &[0, 1],
        )
    };
    kubectl_apply();

    // Requests of one run of each, from /metrics.
    let scrape = || -> BTreeMap<RequestLabels, u64> {
        let req = http::Request::get("/metrics")
            .body(Vec::new())
            .expect("request");
        parse_request_totals(&rt.block_on(client.request_text(req)).expect("/metrics"))
    };
    let mut counts = Vec::new();
    let diff = || {
        let (_, cmp) = rt.block_on(engine.diff_oneshot(&t, false)).expect("diff");
        assert!(cmp.in_sync(), "the engine's side drifted");
    };
    let resync = || {
        let out = sync();
        assert!(
            out.result
                .objects
                .iter()
                .all(|o| o.action == driftless_apply::Action::Unchanged)
        );
    };
    let runs: [(&str, &dyn Fn()); 4] = [
        ("engine re-sync", &resync),
        ("kubectl apply --server-side", &kubectl_apply),
        ("engine diff", &diff),
        ("kubectl diff --server-side", &kubectl_diff),
    ];
    for (name, run) in runs {
        let before = scrape();
        run();
        // The scrape itself is one GET of /metrics: leave it out.
        let mut verbs = by_verb(&delta(&before, &scrape()));
        if let Some(get) = verbs.get_mut("GET") {
            *get -= 1;
        }
        verbs.retain(|_, n| *n > 0);
        counts.push((name, verbs));
    }

    let times: [Mutex<Vec<Duration>>; 4] = Default::default();
    let mut g = c.benchmark_group("steady_state_2000_objects");
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(1));
    for ((name, run), times) in runs.iter().zip(&times) {
        let id: String = name
            .split(' ')
            .map(|w| w.trim_start_matches('-'))
            .collect::<Vec<_>>()
            .join("_");
        g.bench_function(id, |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    run();
                }
                let took = start.elapsed();
                times.lock().expect("times").push(took / iters as u32);
                took
            })
        });
    }
    g.finish();

    println!("\nrequests of one run, by verb (from /metrics):");
    for (name, verbs) in &counts {
        println!("  {name:30} {verbs:?}");
    }
    let m: Vec<Duration> = times.iter().map(median).collect();
    println!(
        "medians: engine re-sync {:?}, kubectl apply {:?}, engine diff {:?}, kubectl diff {:?}",
        m[0], m[1], m[2], m[3]
    );
    println!(
        "re-sync: engine is {:.1}x faster; diff: engine is {:.1}x faster",
        m[1].as_secs_f64() / m[0].as_secs_f64(),
        m[3].as_secs_f64() / m[2].as_secs_f64()
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
