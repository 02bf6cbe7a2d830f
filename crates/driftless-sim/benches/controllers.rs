//! Cost of the workload controllers: one reconcile pass over a settled cluster
//! (what every idle tick and every unrelated change pays) and the convergence
//! of a batch of new Deployments to Available.

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use driftless_sim::controllers::{Runner, WorkloadConfig};
use driftless_sim::{ResourceRef, Store, WriteOptions};
use serde_json::json;

fn instant() -> WorkloadConfig {
    WorkloadConfig {
        start_delay: Duration::ZERO,
        ready_delay: Duration::ZERO,
        ..WorkloadConfig::default()
    }
}

fn add_deployments(store: &Store, prefix: &str, n: usize) {
    let deps = ResourceRef::new("apps", "v1", "deployments");
    for i in 0..n {
        let name = format!("{prefix}{i}");
        let d = json!({"metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": name}},
                "template": {"metadata": {"labels": {"app": name}},
                    "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}}}});
        store
            .create(&deps, d, &WriteOptions::manager("bench"))
            .unwrap();
    }
}

fn converge(store: &Store, runner: &mut Runner) {
    loop {
        let before = store.resource_version();
        runner.pass();
        if store.resource_version() == before {
            return;
        }
    }
}

fn bench(c: &mut Criterion) {
    let store = Store::new();
    store.bootstrap().unwrap();
    let mut runner = Runner::new(store.clone(), instant());
    add_deployments(&store, "web", 300);
    converge(&store, &mut runner);
    let mut g = c.benchmark_group("controllers");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    g.bench_function("settled pass, 300 deployments / 900 pods", |b| {
        b.iter(|| runner.pass())
    });
    g.bench_function("converge 20 new deployments (60 pods) to Available", |b| {
        b.iter_batched(
            || {
                let store = Store::new();
                store.bootstrap().unwrap();
                add_deployments(&store, "new", 20);
                let runner = Runner::new(store.clone(), instant());
                (store, runner)
            },
            |(store, mut runner)| converge(&store, &mut runner),
            criterion::BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
