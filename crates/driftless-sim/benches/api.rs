//! Requests per second of the simulated API server: server-side apply and list on
//! 10,000 objects (through HTTP, as clients see it).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use driftless_sim::{Cluster, ClusterConfig, ResourceRef, WriteOptions};
use serde_json::json;

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let cluster = rt
        .block_on(Cluster::start(ClusterConfig {
            tls: false,
            controllers: false,
            ..Default::default()
        }))
        .unwrap();
    let store = cluster.store().clone();
    let cms = ResourceRef::core("configmaps");
    for i in 0..10_000 {
        store
            .create(
                &cms,
                json!({"metadata": {"name": format!("cm-{i}"), "namespace": "default", "labels": {"app": "bench"}},
                    "data": {"k": i.to_string()}}),
                &WriteOptions::manager("bench"),
            )
            .unwrap();
    }
    let client = rt.block_on(async {
        let kc = kube::config::Kubeconfig::from_yaml(cluster.kubeconfig()).unwrap();
        let cfg = kube::Config::from_custom_kubeconfig(kc, &Default::default())
            .await
            .unwrap();
        kube::Client::try_from(cfg).unwrap()
    });
    let api: kube::Api<k8s_openapi::api::core::v1::ConfigMap> =
        kube::Api::namespaced(client, "default");
    let mut g = c.benchmark_group("sim");
    g.sample_size(10);
    g.throughput(Throughput::Elements(1));
    let mut n = 0u64;
    g.bench_function("ssa_configmap", |b| {
        b.iter(|| {
            n += 1;
            let cm = json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": format!("cm-{}", n % 10_000), "namespace": "default"},
                "data": {"k": format!("v{n}")}});
            rt.block_on(api.patch(
                &format!("cm-{}", n % 10_000),
                &kube::api::PatchParams::apply("bench").force(),
                &kube::api::Patch::Apply(&cm),
            ))
            .unwrap();
        })
    });
    g.bench_function("list_10000_configmaps", |b| {
        b.iter(|| {
            let l = rt
                .block_on(api.list(&kube::api::ListParams::default()))
                .unwrap();
            assert!(l.items.len() >= 10_000);
        })
    });
    g.bench_function("store_list_shared_10000_configmaps", |b| {
        b.iter(|| {
            let l = store
                .list_shared(
                    &cms,
                    Some("default"),
                    &driftless_sim::ListOptions::default(),
                )
                .unwrap();
            assert!(l.items.len() >= 10_000);
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
