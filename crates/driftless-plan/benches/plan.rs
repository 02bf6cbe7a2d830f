//! Planning 10,000 objects.

use criterion::{Criterion, criterion_group, criterion_main};
use driftless_core::{Manifest, ObjectKey, Provenance};
use driftless_plan::{LiveObject, PlanOptions, plan};
use serde_json::json;
use std::hint::black_box;

fn inputs(n: usize) -> (Vec<Manifest>, Vec<LiveObject>) {
    let kinds = [
        ("v1", "ConfigMap"),
        ("v1", "Secret"),
        ("v1", "Service"),
        ("apps/v1", "Deployment"),
        ("apps/v1", "StatefulSet"),
        ("batch/v1", "CronJob"),
        ("networking.k8s.io/v1", "Ingress"),
        ("example.com/v1", "Widget"),
    ];
    let mut desired = Vec::with_capacity(n);
    for ns in 0..50 {
        desired.push(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": format!("ns{ns}")}}));
    }
    desired.push(json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"}, "spec": {"group": "example.com", "names": {"kind": "Widget"}}}));
    let mut i = 0;
    while desired.len() < n {
        let (api, kind) = kinds[i % kinds.len()];
        let mut annotations =
            json!({"argocd.argoproj.io/sync-wave": ((i % 5) as i64 - 2).to_string()});
        if i % 97 == 0 {
            annotations["argocd.argoproj.io/hook"] = json!("PreSync");
        }
        if kind == "Deployment" && (i - 3) % 5 <= i % 5 && i % 97 != 0 {
            let dep = format!("ConfigMap/ns{}/o{}", (i - 3) % 50, i - 3);
            annotations["driftless.dev/depends-on"] = json!(dep);
        }
        desired.push(json!({"apiVersion": api, "kind": kind, "metadata": {
            "name": format!("o{i}"), "namespace": format!("ns{}", i % 50), "annotations": annotations}}));
        i += 1;
    }
    let manifests = desired
        .into_iter()
        .map(|v| Manifest::new(v, Provenance::default()).unwrap())
        .collect::<Vec<_>>();
    let mut live: Vec<LiveObject> = manifests
        .iter()
        .step_by(2)
        .map(|m| LiveObject::new(m.key().clone()))
        .collect();
    for g in 0..500 {
        live.push(
            LiveObject::new(ObjectKey::new(
                "v1",
                "ConfigMap",
                Some("old"),
                &format!("gone{g}"),
            ))
            .with_annotation("argocd.argoproj.io/sync-wave", &(g % 4).to_string()),
        );
    }
    (manifests, live)
}

fn bench(c: &mut Criterion) {
    let (desired, live) = inputs(10_000);
    let opts = PlanOptions {
        prune: true,
        revision: "0123456789".into(),
        started_at: 1,
        ..Default::default()
    };
    assert!(plan(&desired, &live, &opts).unwrap().steps.len() > 10_000);
    let mut g = c.benchmark_group("plan");
    g.sample_size(10);
    g.bench_function("10k objects + 500 prunes", |b| {
        b.iter(|| plan(black_box(&desired), black_box(&live), &opts).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
