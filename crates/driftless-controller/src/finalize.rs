//! Deleting an Application: with `resources-finalizer.argocd.argoproj.io` its resources go first
//! (foreground, or background with the `/background` variant), then the finalizer is removed;
//! without it, the resources stay.

use crate::{Context, ControllerError, RESOURCES_FINALIZER, RESOURCES_FINALIZER_BACKGROUND};
use driftless_api::Application;
use driftless_apply::Propagation;
use kube::api::{Patch, PatchParams};
use kube::runtime::controller::Action;
use serde_json::json;
use std::time::Duration;

pub(crate) async fn finalize(ctx: &Context, app: &Application) -> Result<Action, ControllerError> {
    let name = app.name().to_string();
    let finalizers = app.metadata.finalizers.clone().unwrap_or_default();
    let ours: Vec<&String> = finalizers
        .iter()
        .filter(|f| {
            f.as_str() == RESOURCES_FINALIZER || f.as_str() == RESOURCES_FINALIZER_BACKGROUND
        })
        .collect();
    if ours.is_empty() {
        ctx.engine.release(&name);
        return Ok(Action::await_change());
    }
    let propagation = if ours
        .iter()
        .any(|f| f.as_str() == RESOURCES_FINALIZER_BACKGROUND)
    {
        Propagation::Background
    } else {
        Propagation::Foreground
    };
    // A destination that names no cluster has nothing to delete: the Application goes (Argo CD
    // removes the finalizer too).
    let cluster = match ctx.engine.target(app) {
        Ok(t) => Some(ctx.engine.cluster_for(&t).await?),
        Err(e) => {
            tracing::warn!(app = %name, error = %e, "deleting without its resources");
            None
        }
    };
    let method = driftless_apply::TrackingMethod::default();
    let mut remaining = 0;
    let inventory = match &cluster {
        Some(c) => driftless_runtime::inventory::of_application(app)
            .into_iter()
            .map(|k| (k, c.clone()))
            .collect(),
        None => Vec::new(),
    };
    for (key, cluster) in inventory {
        let Some(obj) = cluster
            .get_fresh(&key)
            .await
            .map_err(driftless_runtime::RuntimeError::from)?
        else {
            continue;
        };
        // Only what this Application still tracks is deleted.
        if driftless_apply::owner_of(&obj, method).as_deref() != Some(name.as_str()) {
            continue;
        }
        remaining += 1;
        if obj.pointer("/metadata/deletionTimestamp").is_none() {
            cluster
                .delete(&key, propagation, false)
                .await
                .map_err(driftless_runtime::RuntimeError::from)?;
        }
    }
    if remaining > 0 {
        return Ok(Action::requeue(Duration::from_millis(500)));
    }
    let kept: Vec<&String> = finalizers.iter().filter(|f| !ours.contains(f)).collect();
    ctx.apps
        .patch(
            &name,
            &PatchParams::default(),
            &Patch::Merge(&json!({"metadata": {"finalizers": kept}})),
        )
        .await
        .map_err(|source| ControllerError::Kube {
            name: name.clone(),
            source,
        })?;
    ctx.engine.release(&name);
    Ok(Action::await_change())
}
