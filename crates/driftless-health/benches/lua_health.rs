//! Assessing 10,000 custom resources through Argo CD's Lua health scripts
//! with `HealthRegistry::new()`: 2,500 each of Argo Rollouts, cert-manager
//! Certificates, Crossplane managed resources (a wildcard script) and Flux
//! Kustomizations, each with a realistic status. One thread, as a controller
//! worker would run it; every script is compiled once and reused.

use criterion::{Criterion, criterion_group, criterion_main};
use driftless_health::HealthRegistry;
use serde_json::{Value, json};
use std::hint::black_box;

fn objects() -> Vec<Value> {
    let mut out = Vec::with_capacity(10_000);
    for i in 0..2_500 {
        out.push(json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
            "metadata": {"name": format!("web-{i}"), "generation": 3},
            "spec": {"replicas": 3, "strategy": {"canary": {"steps": [{"setWeight": 20}, {"pause": {}}]}}},
            "status": {"observedGeneration": "3", "replicas": 3, "updatedReplicas": 3,
                "readyReplicas": 3, "availableReplicas": 3, "phase": "Healthy",
                "stableRS": "abc", "currentPodHash": "abc",
                "conditions": [{"type": "Available", "status": "True", "reason": "AvailableReason"},
                    {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}]}}));
        out.push(json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
            "metadata": {"name": format!("tls-{i}"), "generation": 1},
            "spec": {"secretName": format!("tls-{i}"), "dnsNames": ["example.com"]},
            "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "Ready",
                "message": "Certificate is up to date and has not expired", "observedGeneration": 1}],
                "notAfter": "2030-01-01T00:00:00Z"}}));
        out.push(json!({"apiVersion": "ec2.aws.crossplane.io/v1beta1", "kind": "VPC",
            "metadata": {"name": format!("vpc-{i}")},
            "spec": {"forProvider": {"region": "eu-west-1", "cidrBlock": "10.0.0.0/16"}},
            "status": {"conditions": [{"type": "Synced", "status": "True", "reason": "ReconcileSuccess"},
                {"type": "Ready", "status": "True", "reason": "Available"}]}}));
        out.push(json!({"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
            "metadata": {"name": format!("app-{i}"), "generation": 2},
            "spec": {"interval": "5m", "path": "./deploy"},
            "status": {"observedGeneration": 2, "conditions": [{"type": "Ready", "status": "True",
                "reason": "ReconciliationSucceeded", "message": "Applied revision: main@sha1:abc"}]}}));
    }
    out
}

fn bench(c: &mut Criterion) {
    let reg = HealthRegistry::new();
    let objs = objects();
    // Warm up (compiles every script once on this thread) and make sure
    // every object really goes through its script and comes out Healthy.
    for o in &objs[..4] {
        let h = reg.assess(o).expect("health");
        assert_eq!(
            h.status,
            driftless_health::HealthStatus::Healthy,
            "{o}: {h:?}"
        );
    }
    let mut group = c.benchmark_group("lua_health");
    group.sample_size(10);
    group.bench_function("assess_10000_custom_resources", |b| {
        b.iter(|| {
            for o in &objs {
                black_box(reg.assess(black_box(o)));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
