//! The ApplicationSet loop: a second `kube_runtime::Controller`, on the `argoproj.io/v1alpha1`
//! ApplicationSets of the controller's namespace, owning the Applications they generate.
//!
//! One reconcile generates the Applications ([`driftless_appset::generate`], Git through the
//! engine's cache, cluster Secrets listed from the namespace), validates them, plans the writes
//! under the set's `applicationsSync` policy ([`driftless_appset::plan_sync`]), creates, replaces
//! and deletes Applications (ownerReferences are set by the generator), and records
//! `status.conditions` and `status.resources`. The plugin, `pullRequest` and `scmProvider`
//! generators call out over HTTP ([`ReqwestHttp`]); they and `clusterDecisionResource` read
//! ConfigMaps, Secrets and duck-typed resources through the client ([`KubeCluster`]). Deleting a set deletes its Applications
//! (garbage collection) unless its policy or `preserveResourcesOnDeletion` says otherwise
//! (`appset/deletion.rs`). A change of an owned Application requeues its set;
//! generators are run again every reconcile interval, or sooner when a generator's
//! `requeueAfterSeconds` (or Argo CD's default for it) asks ([`driftless_appset::requeue_after`]).

mod cluster;
mod deletion;
mod git;
mod http;

pub use cluster::KubeCluster;
pub use git::EngineGit;
pub use http::ReqwestHttp;

use crate::{Context, ControllerError};
use driftless_appset::{
    Outcome, SyncOptions, conditions as cond, generate, plan_sync, resources_status, validate,
};
use futures::StreamExt;
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use kube::core::ApiResource;
use kube::runtime::controller::{Action, Controller};
use kube::runtime::reflector::ObjectRef;
use kube::runtime::watcher;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

/// The label of Argo CD's cluster Secrets (`argocd.argoproj.io/secret-type: cluster`).
pub const CLUSTER_SECRET_SELECTOR: &str = "argocd.argoproj.io/secret-type=cluster";

/// How `argoproj.io/v1alpha1` ApplicationSets are served.
pub fn applicationset_resource() -> ApiResource {
    ApiResource {
        group: "argoproj.io".into(),
        version: "v1alpha1".into(),
        api_version: "argoproj.io/v1alpha1".into(),
        kind: "ApplicationSet".into(),
        plural: "applicationsets".into(),
    }
}

/// What the ApplicationSet reconciles share.
struct SetContext {
    ctx: Arc<Context>,
    sets: Api<DynamicObject>,
    secrets: Api<DynamicObject>,
    http: Arc<ReqwestHttp>,
}

/// Runs the ApplicationSet loop until `shutdown` resolves.
pub async fn run_appsets(
    ctx: Arc<Context>,
    shutdown: impl std::future::Future<Output = ()> + Send + Sync + 'static,
) {
    let client = ctx.apps.clone().into_client();
    let ns = ctx.config.namespace.clone();
    let sets = Api::namespaced_with(client.clone(), &ns, &applicationset_resource());
    let secrets = Api::namespaced_with(
        client,
        &ns,
        &ApiResource::erase::<k8s_openapi::api::core::v1::Secret>(&()),
    );
    let set_ctx = Arc::new(SetContext {
        ctx: ctx.clone(),
        sets: sets.clone(),
        secrets: secrets.clone(),
        http: Arc::new(ReqwestHttp::default()),
    });
    let controller =
        Controller::new_with(sets, watcher::Config::default(), applicationset_resource());
    // A cluster Secret added, changed or removed re-generates every set (clusters generators).
    let all_sets = controller.store();
    controller
        .owns_with(
            ctx.apps.clone(),
            crate::application_resource(),
            watcher::Config::default(),
        )
        .watches_with(
            secrets,
            ApiResource::erase::<k8s_openapi::api::core::v1::Secret>(&()),
            watcher::Config::default().labels(CLUSTER_SECRET_SELECTOR),
            move |_| {
                all_sets
                    .state()
                    .iter()
                    .map(|s| ObjectRef::from_obj_with(&**s, applicationset_resource()))
                    .collect::<Vec<_>>()
            },
        )
        .graceful_shutdown_on(shutdown)
        .run(reconcile, error_policy, set_ctx)
        .for_each(|res| async move {
            if let Err(e) = res {
                tracing::debug!(error = %e, "applicationset reconcile");
            }
        })
        .await;
}

fn error_policy(obj: Arc<DynamicObject>, err: &ControllerError, _ctx: Arc<SetContext>) -> Action {
    tracing::warn!(appset = obj.metadata.name.as_deref().unwrap_or(""), error = %err, "applicationset reconcile failed; retrying");
    Action::requeue(Duration::from_secs(5))
}

fn kube_err(name: &str) -> impl Fn(kube::Error) -> ControllerError + '_ {
    move |source| ControllerError::Kube {
        name: format!("applicationset {name}"),
        source,
    }
}

/// The objects of `api` that `params` selects, as JSON; a failure names ApplicationSet `name`.
async fn list_values(
    api: &Api<DynamicObject>,
    params: &ListParams,
    name: &str,
) -> Result<Vec<Value>, ControllerError> {
    Ok(api
        .list(params)
        .await
        .map_err(kube_err(name))?
        .items
        .iter()
        .map(to_value)
        .collect())
}

fn to_value(o: &DynamicObject) -> Value {
    serde_json::to_value(o).unwrap_or_default()
}

fn to_object(name: &str, v: &Value) -> Result<DynamicObject, ControllerError> {
    serde_json::from_value(v.clone()).map_err(|e| ControllerError::Invalid {
        name: name.to_string(),
        message: format!("generated Application is not an object: {e}"),
    })
}

async fn reconcile(
    obj: Arc<DynamicObject>,
    sc: Arc<SetContext>,
) -> Result<Action, ControllerError> {
    let name = obj.metadata.name.clone().unwrap_or_default();
    if obj.metadata.deletion_timestamp.is_some() {
        return deletion::finalize(&sc, &obj).await;
    }
    let set = to_value(&obj);
    deletion::keep_finalizer(&sc, &obj, &set).await?;
    let existing: Vec<Value> = list_values(&sc.ctx.apps, &ListParams::default(), &name).await?;
    let secrets: Vec<Value> = list_values(
        &sc.secrets,
        &ListParams::default().labels(CLUSTER_SECRET_SELECTOR),
        &name,
    )
    .await?;
    let refresh = obj
        .metadata
        .annotations
        .as_ref()
        .is_some_and(|a| a.contains_key(crate::REFRESH_ANNOTATION));
    let (engine, handle, set2, http) = (
        sc.ctx.engine.clone(),
        tokio::runtime::Handle::current(),
        set.clone(),
        sc.http.clone(),
    );
    let cluster = KubeCluster::new(
        sc.ctx.apps.clone().into_client(),
        &sc.ctx.config.namespace,
        handle.clone(),
    );
    let generated = tokio::task::spawn_blocking(move || {
        let git = EngineGit::new(&engine, handle, refresh);
        generate(
            &set2,
            &driftless_appset::Inputs {
                git: &git,
                cluster_secrets: &secrets,
                http: http.as_ref(),
                cluster: &cluster,
            },
        )
    })
    .await
    .map_err(|e| ControllerError::Invalid {
        name: name.clone(),
        message: format!("generation task failed: {e}"),
    })?;
    let previous: Vec<Value> = set
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let generated = match generated {
        Ok(g) => g,
        Err(e) => {
            tracing::warn!(appset = %name, error = %e, "generation failed");
            let c = cond::conditions(&Outcome::GenerationFailed(&e), &previous, &now());
            write_status(&sc, &set, c, None).await?;
            return Ok(requeue(&sc.ctx, &set));
        }
    };
    let invalid = validate(&name, &generated);
    let plan = match plan_sync(
        &set,
        &generated,
        &invalid,
        &existing,
        &SyncOptions::default(),
    ) {
        Ok(p) => p,
        Err(e) => {
            let c = cond::conditions(&Outcome::GenerationFailed(&e), &previous, &now());
            write_status(&sc, &set, c, None).await?;
            return Ok(requeue(&sc.ctx, &set));
        }
    };
    let failure = write_plan(&sc, &plan).await;
    let outcome = match (&failure, plan.conflicts.first()) {
        (Some((reason, message)), _) => Outcome::WriteFailed { reason, message },
        (None, Some(c)) => Outcome::WriteFailed {
            reason: cond::REASON_CREATE_ERROR,
            message: &c.message,
        },
        (None, None) if !invalid.is_empty() => Outcome::Invalid(&invalid),
        (None, None) => Outcome::UpToDate,
    };
    let c = cond::conditions(&outcome, &previous, &now());
    let owned: Vec<Value> = if plan.is_empty() {
        existing
    } else {
        list_values(&sc.ctx.apps, &ListParams::default(), &name).await?
    };
    let uid = obj.metadata.uid.clone().unwrap_or_default();
    let owned: Vec<Value> = owned
        .into_iter()
        .filter(|a| owner_uid(a).as_deref() == Some(uid.as_str()))
        .collect();
    write_status(&sc, &set, c, Some(resources_status(&owned))).await?;
    Ok(if failure.is_some() {
        Action::requeue(Duration::from_secs(5))
    } else {
        requeue(&sc.ctx, &set)
    })
}

/// The uid of the controlling ApplicationSet of `app`.
fn owner_uid(app: &Value) -> Option<String> {
    app.pointer("/metadata/ownerReferences")?
        .as_array()?
        .iter()
        .find(|r| r["kind"] == "ApplicationSet" && r["controller"] == true)
        .and_then(|r| r["uid"].as_str())
        .map(str::to_string)
}

/// Writes the plan; the first failure as (condition reason, message). Every write is tried.
async fn write_plan(
    sc: &SetContext,
    plan: &driftless_appset::SyncPlan,
) -> Option<(&'static str, String)> {
    let mut failure = None;
    let mut fail = |reason: &'static str, msg: String| {
        tracing::warn!(reason, error = %msg, "applicationset write failed");
        failure.get_or_insert((reason, msg));
    };
    let apps = &sc.ctx.apps;
    let writes = plan
        .create
        .iter()
        .map(|a| (a, cond::REASON_CREATE_ERROR))
        .chain(plan.update.iter().map(|a| (a, cond::REASON_UPDATE_ERROR)));
    for (app, reason) in writes {
        let n = app["metadata"]["name"].as_str().unwrap_or_default();
        let res = match to_object(n, app) {
            Ok(o) if reason == cond::REASON_CREATE_ERROR => {
                apps.create(&PostParams::default(), &o).await
            }
            Ok(o) => apps.replace(n, &PostParams::default(), &o).await,
            Err(e) => {
                fail(reason, e.to_string());
                continue;
            }
        };
        if let Err(e) = res {
            fail(reason, format!("application {n}: {e}"));
        }
    }
    for d in &plan.delete {
        if let Err(e) = delete_app(apps, d).await {
            fail(
                cond::REASON_DELETE_ERROR,
                format!("application {}: {e}", d.name),
            );
        }
    }
    failure
}

async fn delete_app(
    apps: &Api<DynamicObject>,
    d: &driftless_appset::Delete,
) -> Result<(), kube::Error> {
    if d.remove_resources_finalizer {
        let live = apps.get(&d.name).await?;
        let kept: Vec<String> = live
            .metadata
            .finalizers
            .unwrap_or_default()
            .into_iter()
            .filter(|f| {
                f != crate::RESOURCES_FINALIZER && f != crate::RESOURCES_FINALIZER_BACKGROUND
            })
            .collect();
        apps.patch(
            &d.name,
            &PatchParams::default(),
            &Patch::Merge(&json!({"metadata": {"finalizers": kept}})),
        )
        .await?;
    }
    match apps.delete(&d.name, &DeleteParams::default()).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(e)) if e.code == 404 => Ok(()),
        Err(e) => Err(e),
    }
}

/// Writes `status.conditions` (and `status.resources` when given) when they changed.
async fn write_status(
    sc: &SetContext,
    set: &Value,
    conditions: Vec<Value>,
    resources: Option<Vec<Value>>,
) -> Result<(), ControllerError> {
    let name = set["metadata"]["name"].as_str().unwrap_or_default();
    let mut status = json!({"conditions": conditions});
    if let Some(r) = resources {
        status["resources"] = Value::Array(r);
    }
    let unchanged = set.pointer("/status/conditions") == status.get("conditions")
        && status
            .get("resources")
            .is_none_or(|r| set.pointer("/status/resources") == Some(r));
    if unchanged {
        return Ok(());
    }
    sc.sets
        .patch_status(
            name,
            &PatchParams::default(),
            &Patch::Merge(&json!({"status": status})),
        )
        .await
        .map_err(kube_err(name))?;
    Ok(())
}

fn now() -> String {
    format!("{:.0}", crate::operation::now().0)
}

/// The next generation: after the reconcile interval, or sooner when a generator asks.
fn requeue(ctx: &Context, set: &Value) -> Action {
    let every = ctx.config.reconcile_interval;
    Action::requeue(driftless_appset::requeue_after(set).map_or(every, |d| d.min(every)))
}
