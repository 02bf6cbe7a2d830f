//! Comparing 10,000 objects.

use criterion::{Criterion, criterion_group, criterion_main};
use driftless_core::{Manifest, Provenance};
use driftless_diff::{Comparer, IgnoreDifferences};
use serde_json::{Value, json};
use std::hint::black_box;

fn deployment(i: usize, image: &str) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": format!("web{i}"), "namespace": format!("ns{}", i % 50), "labels": {"app": "web"}},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": image,
                    "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                    "ports": [{"containerPort": 8080}]}]}}}})
}

fn live_of(mut v: Value) -> Value {
    v["metadata"]["uid"] = json!("0d8c4c6e");
    v["metadata"]["resourceVersion"] = json!("1");
    v["metadata"]["managedFields"] = json!([{"manager": "driftless", "operation": "Apply",
        "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:replicas": {}, "f:template": {"f:spec": {
            "f:containers": {"k:{\"name\":\"web\"}": {"f:image": {}}}}}}}}]);
    v["spec"]["revisionHistoryLimit"] = json!(10);
    v["status"] = json!({"replicas": 2, "readyReplicas": 2});
    v
}

fn bench(c: &mut Criterion) {
    let n = 10_000;
    let desired: Vec<Manifest> = (0..n)
        .map(|i| Manifest::new(deployment(i, "web:2"), Provenance::default()).unwrap())
        .collect();
    let live: Vec<Value> = (0..n)
        .map(|i| live_of(deployment(i, if i % 10 == 0 { "web:1" } else { "web:2" })))
        .collect();
    let rules: Vec<IgnoreDifferences> = serde_json::from_value(json!([{"group": "apps", "kind": "Deployment",
        "jsonPointers": ["/spec/replicas"],
        "jqPathExpressions": [".spec.template.spec.containers[] | select(.name == \"istio-proxy\")"]}]))
    .unwrap();
    let plain = Comparer::new(&[]).unwrap();
    let with_rules = Comparer::new(&rules).unwrap();
    let mut g = c.benchmark_group("diff");
    g.sample_size(10);
    g.bench_function("10k deployments", |b| {
        b.iter(|| plain.compare_all(black_box(&desired), black_box(&live)))
    });
    g.bench_function("10k deployments, pointer + jq ignore rule", |b| {
        b.iter(|| with_rules.compare_all(black_box(&desired), black_box(&live)))
    });
    g.bench_function("10k unified diffs of 1k changed", |b| {
        let out = plain.compare_all(&desired, &live);
        b.iter(|| out.iter().map(|d| d.unified(false).len()).sum::<usize>())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
