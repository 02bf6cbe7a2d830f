//! The controller loop on `kube_runtime::Controller`.

use crate::{Context, ControllerError};
use futures::StreamExt;
use kube::api::DynamicObject;
use kube::core::ApiResource;
use kube::runtime::controller::{Action, Controller};
use kube::runtime::watcher;
use std::sync::Arc;
use std::time::Duration;

/// How `argoproj.io/v1alpha1` Applications are served.
pub fn application_resource() -> ApiResource {
    ApiResource {
        group: "argoproj.io".into(),
        version: "v1alpha1".into(),
        api_version: "argoproj.io/v1alpha1".into(),
        kind: "Application".into(),
        plural: "applications".into(),
    }
}

/// Runs the Application controller until `shutdown` resolves; a reconcile in progress finishes
/// (its sync and status are recorded) before this returns.
pub async fn run(
    ctx: Arc<Context>,
    shutdown: impl std::future::Future<Output = ()> + Send + Sync + 'static,
) {
    // A sync in progress stops at its next wave once shutdown begins (and records where it
    // was): the reconcile that runs it then ends, and the graceful shutdown completes.
    let stopping = ctx.stopping.clone();
    let shutdown = async move {
        shutdown.await;
        stopping.store(true, std::sync::atomic::Ordering::Release);
    };
    // Clusters and repository credentials first: an Application reconciled before would go to
    // the wrong cluster or fetch without its credentials.
    let mut secrets = crate::clusters::watch_secrets(ctx.clone());
    secrets.wait_ready().await;
    let changes = ctx.engine.subscribe();
    let trigger = crate::triggers::app_refs(
        changes,
        ctx.config.namespace.clone(),
        application_resource(),
    );
    let controller = Controller::new_with(
        ctx.apps.clone(),
        watcher::Config::default(),
        application_resource(),
    );
    // A change of an Application requeues the Applications that depend on it.
    let store = controller.store();
    controller
        .watches_with(
            ctx.apps.clone(),
            application_resource(),
            watcher::Config::default(),
            move |changed| crate::deps::dependents(&store, &changed),
        )
        .reconcile_on(trigger)
        .reconcile_on(secrets.into_stream())
        .reconcile_on(crate::scale::on_shard_change(ctx.clone()))
        .graceful_shutdown_on(shutdown)
        .run(crate::reconcile::reconcile, error_policy, ctx)
        .for_each(|res| async move {
            if let Err(e) = res {
                tracing::debug!(error = %e, "reconcile");
            }
        })
        .await;
}

fn error_policy(obj: Arc<DynamicObject>, err: &ControllerError, _ctx: Arc<Context>) -> Action {
    tracing::warn!(app = obj.metadata.name.as_deref().unwrap_or(""), error = %err, "reconcile failed; retrying");
    Action::requeue(Duration::from_secs(5))
}
