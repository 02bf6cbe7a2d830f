//! `SharedResourceWarning` and `OrphanedResourceWarning`, as Argo CD writes them.
//!
//! - Shared: an object the Application renders is tracked (tracking annotation or label) by
//!   another Application: `ConfigMap/settings is part of applications shop and other`, one
//!   condition per object. The sync leaves such an object alone (`FailOnSharedResource=true`
//!   fails it instead).
//! - Orphaned: only when the Application's AppProject has `orphanedResources` (with `warn`, by
//!   default true): top-level objects (no ownerReferences) of the destination namespace that no
//!   Application tracks, leaving out Argo CD's known exclusions and the project's `ignore`
//!   entries: `Application has 2 orphaned resources`. Argo CD also counts the objects those own
//!   (their Pods, ReplicaSets); Driftless counts the top-level ones. The namespace is listed
//!   (every namespaced kind, through discovery) only for projects that ask.

use crate::Context;
use driftless_api::{Application, ApplicationConditionType as Cond};
use driftless_runtime::{LiveState, Target};
use serde_json::Value;

/// Sets both warnings in `conditions` for `app` rendered as `live`.
pub(crate) async fn update(
    ctx: &Context,
    app: &Application,
    t: &Target,
    live: &LiveState,
    conditions: &mut Vec<driftless_api::ApplicationCondition>,
) {
    let shared = shared(ctx, t, live).await;
    crate::status::set_conditions(conditions, Cond::SharedResourceWarning, shared);
    match orphaned(ctx, app, t, live).await {
        Ok(message) => {
            crate::status::set_condition(conditions, Cond::OrphanedResourceWarning, message)
        }
        Err(e) => tracing::debug!(app = app.name(), error = %e, "orphaned resources not checked"),
    }
}

async fn shared(ctx: &Context, t: &Target, live: &LiveState) -> Vec<String> {
    let Some(cluster) = ctx.engine.cluster() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for m in &live.desired {
        let Ok(Some(obj)) = cluster.get(m.key()).await else {
            continue;
        };
        if let Some(owner) = driftless_apply::owner_of(&obj, t.tracking)
            && owner != t.app
        {
            out.push(format!(
                "{}/{} is part of applications {} and {}",
                m.key().kind,
                m.key().name,
                t.app,
                owner.replace('_', "/")
            ));
        }
    }
    out
}

async fn orphaned(
    ctx: &Context,
    app: &Application,
    t: &Target,
    live: &LiveState,
) -> Result<Option<String>, Box<dyn std::error::Error + Send + Sync>> {
    // The destination's objects; the project from the controller's own cluster.
    let cluster = ctx.engine.cluster_for(t).await?;
    let Ok(project) = crate::project::load(ctx, app).await? else {
        return Ok(None);
    };
    if project.orphaned_warn() != Some(true) || t.namespace.is_empty() {
        return Ok(None);
    }
    let ours: std::collections::HashSet<_> = live
        .desired
        .iter()
        .map(|m| m.key().clone())
        .chain(
            live.tracked
                .iter()
                .filter_map(driftless_core::ObjectKey::from_object),
        )
        .collect();
    let tracking = t.tracking;
    let orphans = cluster
        .list_namespace(&t.namespace, |o: &Value| {
            let top_level = o
                .pointer("/metadata/ownerReferences")
                .and_then(Value::as_array)
                .is_none_or(|r| r.is_empty());
            let Some(key) = driftless_core::ObjectKey::from_object(o) else {
                return false;
            };
            top_level
                && !ours.contains(&key)
                && driftless_apply::owner_of(o, tracking).is_none()
                && !project.orphan_excluded(&key.group, &key.kind, &t.namespace, &key.name)
        })
        .await?;
    Ok((!orphans.is_empty())
        .then(|| format!("Application has {} orphaned resources", orphans.len())))
}
