//! Deleting an ApplicationSet: its Applications go with it by garbage collection
//! (ownerReferences), unless the set says otherwise. A set whose policy does not allow deletes
//! (`create-only`, `create-update`) or that has `preserveResourcesOnDeletion` is held with
//! [`SET_FINALIZER`] while it lives; when it is deleted the loop first orphans its Applications
//! or removes their resources finalizer ([`plan_set_deletion`]), then lets it go.

use super::{SetContext, kube_err, list_values, to_object, to_value};
use crate::ControllerError;
use driftless_appset::{SET_FINALIZER, SyncOptions, needs_set_finalizer, plan_set_deletion};
use kube::api::{DynamicObject, ListParams, Patch, PatchParams, PostParams};
use kube::runtime::controller::Action;
use serde_json::{Value, json};

fn finalizers(obj: &DynamicObject) -> Vec<String> {
    obj.metadata.finalizers.clone().unwrap_or_default()
}

async fn set_finalizers(
    sc: &SetContext,
    name: &str,
    finalizers: Vec<String>,
) -> Result<(), ControllerError> {
    sc.sets
        .patch(
            name,
            &PatchParams::default(),
            &Patch::Merge(&json!({"metadata": {"finalizers": finalizers}})),
        )
        .await
        .map_err(kube_err(name))?;
    Ok(())
}

/// Adds [`SET_FINALIZER`] when the set's deletion needs work first, removes it when not.
pub(super) async fn keep_finalizer(
    sc: &SetContext,
    obj: &DynamicObject,
    set: &Value,
) -> Result<(), ControllerError> {
    let name = obj.metadata.name.clone().unwrap_or_default();
    let Ok(needed) = needs_set_finalizer(set, &SyncOptions::default()) else {
        return Ok(()); // an invalid policy is reported by the plan
    };
    let mut f = finalizers(obj);
    let has = f.iter().any(|x| x == SET_FINALIZER);
    if needed == has {
        return Ok(());
    }
    if needed {
        f.push(SET_FINALIZER.to_string());
    } else {
        f.retain(|x| x != SET_FINALIZER);
    }
    set_finalizers(sc, &name, f).await
}

/// The set is being deleted: makes [`plan_set_deletion`]'s writes, then removes the finalizer.
pub(super) async fn finalize(
    sc: &SetContext,
    obj: &DynamicObject,
) -> Result<Action, ControllerError> {
    let name = obj.metadata.name.clone().unwrap_or_default();
    let mut f = finalizers(obj);
    if !f.iter().any(|x| x == SET_FINALIZER) {
        // Owned Applications go with the set (ownerReferences, garbage collection).
        return Ok(Action::await_change());
    }
    let existing = list_values(&sc.ctx.apps, &ListParams::default(), &name).await?;
    let updates =
        plan_set_deletion(&to_value(obj), &existing, &SyncOptions::default()).map_err(|e| {
            ControllerError::Invalid {
                name: format!("applicationset {name}"),
                message: e.to_string(),
            }
        })?;
    for app in &updates {
        let n = app["metadata"]["name"].as_str().unwrap_or_default();
        sc.ctx
            .apps
            .replace(n, &PostParams::default(), &to_object(n, app)?)
            .await
            .map_err(kube_err(&name))?;
    }
    f.retain(|x| x != SET_FINALIZER);
    set_finalizers(sc, &name, f).await?;
    Ok(Action::await_change())
}
