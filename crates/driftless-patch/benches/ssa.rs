//! Server-side apply throughput: a Deployment applied onto a live Deployment.

use criterion::{Criterion, criterion_group, criterion_main};
use driftless_patch::schema::Schema;
use driftless_patch::ssa::{ApplyOptions, UpdateOptions, apply_with, update};
use driftless_patch::strategic_merge_patch;
use serde_json::json;
use std::hint::black_box;

fn deployment(image: &str, replicas: u32) -> serde_json::Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web", "tier": "frontend"}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [
                    {"name": "web", "image": image,
                     "ports": [{"containerPort": 80}, {"containerPort": 443}],
                     "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                     "resources": {"limits": {"cpu": "1", "memory": "256Mi"}}},
                    {"name": "sidecar", "image": "busybox", "args": ["sleep", "infinity"]}
                ]}
            }
        }
    })
}

fn bench(c: &mut Criterion) {
    let ty = Schema::builtin()
        .for_kind("apps", "v1", "Deployment")
        .unwrap();
    let opts = ApplyOptions {
        manager: "driftless",
        time: Some("2024-01-01T00:00:00Z"),
        ..ApplyOptions::default()
    };
    let live = apply_with(None, &deployment("nginx:1.27", 2), &opts, ty).map(|r| r.object);
    let applied = deployment("nginx:1.28", 3);
    c.bench_function("ssa_deployment_onto_live", |b| {
        b.iter(|| apply_with(live.as_ref().ok(), black_box(&applied), &opts, ty))
    });
    let live = live.unwrap();
    let mut scaled = live.clone();
    scaled["spec"]["replicas"] = json!(7);
    scaled["status"] = json!({"replicas": 7, "observedGeneration": 2});
    let uopts = UpdateOptions {
        manager: "kube-controller-manager",
        time: Some("2024-01-01T00:00:01Z"),
        subresource: None,
    };
    c.bench_function("update_managed_fields_deployment", |b| {
        b.iter(|| update(Some(&live), black_box(&scaled), &uopts, ty))
    });
    let patch = json!({"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.29"}]}}}});
    c.bench_function("strategic_patch_deployment", |b| {
        b.iter(|| strategic_merge_patch(&live, black_box(&patch), ty))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
