//! Syncing 2,000 objects (1,980 ConfigMaps and 20 Deployments) into the simulator with the
//! applier, next to `kubectl apply --server-side -f DIR` of the same files against the same
//! simulator in the same run. Each iteration writes into a fresh namespace, so every object is
//! created. The applier runs its full pipeline: dry run of everything, then the waves; the
//! `no wait` case skips the final health wait (kubectl does not wait either).

use criterion::{Criterion, criterion_group, criterion_main};
use driftless_apply::{Applier, Cluster, NoObserver, SyncSettings};
use driftless_core::{Manifest, Provenance};
use driftless_plan::PlanOptions;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const CONFIG_MAPS: usize = 1980;
const DEPLOYMENTS: usize = 20;

fn objects() -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    for i in 0..CONFIG_MAPS {
        out.push(serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": format!("cm-{i:04}"), "labels": {"app": "bench"}},
            "data": {"index": i.to_string(), "payload": "x".repeat(200)}}));
    }
    for i in 0..DEPLOYMENTS {
        let name = format!("web-{i:02}");
        out.push(
            serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
                "template": {"metadata": {"labels": {"app": name}},
                    "spec": {"containers": [{"name": "main", "image": "nginx:1.27"}]}}}}),
        );
    }
    out
}

fn write_files(dir: &Path, objs: &[serde_json::Value]) {
    for (i, o) in objs.iter().enumerate() {
        let text = serde_yaml_ng::to_string(o).expect("yaml");
        std::fs::write(dir.join(format!("{i:04}.yaml")), text).expect("write");
    }
}

fn namespace_yaml(ns: &str) -> String {
    format!("apiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}}}\n")
}

fn bench(c: &mut Criterion) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut config = driftless_sim::ClusterConfig::default();
    config.workloads.ready_delay = Duration::from_millis(100);
    config.workloads.start_delay = Duration::from_millis(50);
    let sim = rt
        .block_on(driftless_sim::Cluster::start(config))
        .expect("simulator");
    let dir = tempfile::tempdir().expect("tmp");
    let kubeconfig = dir.path().join("kubeconfig");
    sim.write_kubeconfig(&kubeconfig).expect("kubeconfig");
    let files = dir.path().join("manifests");
    std::fs::create_dir_all(&files).expect("mkdir");
    let objs = objects();
    write_files(&files, &objs);
    let cluster = rt.block_on(async {
        let kc = kube::config::Kubeconfig::from_yaml(sim.kubeconfig()).expect("kubeconfig");
        let cfg = kube::Config::from_custom_kubeconfig(kc, &Default::default())
            .await
            .expect("config");
        Cluster::new(kube::Client::try_from(cfg).expect("client"), "driftless")
    });
    let kubectl = |args: &[&str], input: Option<&str>| {
        let mut cmd = Command::new("kubectl");
        cmd.arg("--kubeconfig").arg(&kubeconfig).args(args);
        if let Some(text) = input {
            let path = dir.path().join("stdin.yaml");
            std::fs::write(&path, text).expect("write");
            cmd.args(["-f"]).arg(path);
        }
        let out = cmd.output().expect("kubectl");
        assert!(
            out.status.success(),
            "kubectl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let seq = AtomicUsize::new(0);
    let fresh_ns = |prefix: &str| {
        let ns = format!("{prefix}-{}", seq.fetch_add(1, Ordering::Relaxed));
        kubectl(&["apply"], Some(&namespace_yaml(&ns)));
        ns
    };

    let mut g = c.benchmark_group("sync_2000_objects");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(1));
    g.bench_function("kubectl_apply_server_side", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let ns = fresh_ns("kubectl");
                let files = files.to_str().expect("utf-8 path");
                let start = Instant::now();
                kubectl(&["apply", "--server-side", "-n", &ns, "-f", files], None);
                total += start.elapsed();
            }
            total
        })
    });
    for (name, wait) in [
        ("driftless_sync_no_wait", false),
        ("driftless_sync_and_wait_healthy", true),
    ] {
        g.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let ns = fresh_ns("driftless");
                    let manifests: Vec<Manifest> = objs
                        .iter()
                        .map(|o| {
                            let mut m =
                                Manifest::new(o.clone(), Provenance::default()).expect("manifest");
                            m.set_default_namespace(&ns);
                            m
                        })
                        .collect();
                    let settings = SyncSettings {
                        app: "bench".into(),
                        namespace: Some(ns.clone()),
                        wait,
                        ..SyncSettings::default()
                    };
                    let start = Instant::now();
                    let plan = driftless_plan::plan(&manifests, &[], &PlanOptions::default())
                        .expect("plan");
                    rt.block_on(Applier::new(&cluster, &NoObserver).sync(&plan, &settings))
                        .expect("sync");
                    total += start.elapsed();
                }
                total
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
