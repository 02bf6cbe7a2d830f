//! `status.resources`, `status.health` and `status.summary` from a comparison and the cache.

use driftless_api::{HealthStatus, HealthStatusCode, ResourceStatus, SyncStatusCode};
use driftless_core::{HealthStatus as H, ObjectKey, SyncStatus};
use driftless_runtime::{Comparison, Engine, LiveState, Target};
use serde_json::Value;
use std::collections::BTreeSet;

/// What the comparison found, shaped for the status.
pub(crate) struct Observation {
    pub resources: Vec<ResourceStatus>,
    pub health: HealthStatus,
    pub images: Vec<String>,
    pub sync: SyncStatusCode,
    /// Objects not in sync (for self-heal).
    pub out_of_sync: Vec<ObjectKey>,
}

/// Builds the observation; health is read from the watch cache (no request in steady state).
/// The Application `app` itself, when it manages its own manifest (a root app of apps), does
/// not count in its health: that would feed its health back into itself.
pub(crate) async fn observe(
    engine: &Engine,
    t: &Target,
    live: &LiveState,
    cmp: &Comparison,
    app: &str,
) -> Result<Observation, driftless_runtime::RuntimeError> {
    let cluster = engine.cluster_for(t).await?;
    let waves: std::collections::HashMap<&ObjectKey, i64> = live
        .desired
        .iter()
        .map(|m| (m.key(), wave_of(&m.object)))
        .collect();
    let mut resources = Vec::new();
    let mut healths = Vec::new();
    let mut images = BTreeSet::new();
    let mut out_of_sync = Vec::new();
    for d in &cmp.objects {
        let k = &d.key;
        let live_obj = cluster.get(k).await?;
        let health = match (&live_obj, d.status) {
            (_, SyncStatus::RequiresPruning) => None,
            (None, _) => Some(driftless_core::Health::new(H::Missing, "")),
            (Some(o), _) => engine.health().assess(o),
        };
        if let Some(o) = &live_obj {
            collect_images(o, &mut images);
        }
        let itself = k.group == "argoproj.io" && k.kind == "Application" && k.name == app;
        if let Some(h) = health.as_ref().filter(|_| !itself) {
            healths.push(h.clone());
        }
        let status = match d.status {
            SyncStatus::Synced => SyncStatusCode::Synced,
            _ => SyncStatusCode::OutOfSync,
        };
        if status != SyncStatusCode::Synced && d.status != SyncStatus::RequiresPruning {
            out_of_sync.push(k.clone());
        }
        let mut r = ResourceStatus {
            group: k.group.clone(),
            version: k.version.clone(),
            kind: k.kind.clone(),
            namespace: k.namespace.clone().unwrap_or_default(),
            name: k.name.clone(),
            ..ResourceStatus::default()
        };
        r.status = Some(status);
        r.health = health.map(|h| HealthStatus {
            status: Some(HealthStatusCode::from(h.status)),
            message: h.message,
            ..HealthStatus::default()
        });
        r.requires_pruning = d.status == SyncStatus::RequiresPruning;
        r.sync_wave = waves.get(k).copied().unwrap_or(0);
        resources.push(r);
    }
    resources.sort_by(|a, b| {
        (&a.group, &a.kind, &a.namespace, &a.name).cmp(&(&b.group, &b.kind, &b.namespace, &b.name))
    });
    let app_health = driftless_health::aggregate(healths.iter().map(|h| h.status));
    let sync = if driftless_diff::app_status(&cmp.objects) == SyncStatus::Synced {
        SyncStatusCode::Synced
    } else {
        SyncStatusCode::OutOfSync
    };
    Ok(Observation {
        resources,
        health: HealthStatus {
            status: Some(HealthStatusCode::from(app_health)),
            ..HealthStatus::default()
        },
        images: images.into_iter().collect(),
        sync,
        out_of_sync,
    })
}

fn wave_of(obj: &Value) -> i64 {
    obj.pointer("/metadata/annotations/argocd.argoproj.io~1sync-wave")
        .and_then(Value::as_str)
        .and_then(|w| w.trim().parse().ok())
        .unwrap_or(0)
}

/// Container images of a workload or pod (Argo CD's `summary.images`).
fn collect_images(obj: &Value, out: &mut BTreeSet<String>) {
    let spec = obj
        .pointer("/spec/template/spec")
        .or_else(|| obj.pointer("/spec/jobTemplate/spec/template/spec"))
        .or_else(|| {
            (obj.get("kind").and_then(Value::as_str) == Some("Pod"))
                .then(|| obj.get("spec"))
                .flatten()
        });
    let Some(spec) = spec else { return };
    for list in ["initContainers", "containers"] {
        for c in spec
            .get(list)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(i) = c.get("image").and_then(Value::as_str) {
                out.insert(i.to_string());
            }
        }
    }
}
