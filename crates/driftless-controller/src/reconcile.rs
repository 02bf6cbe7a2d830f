//! One reconcile of one Application: compare, record, and start the sync Argo CD would start.

use crate::operation::{self, Ended};
use crate::policy::{self, Decision};
use crate::{Context, ControllerError, REFRESH_ANNOTATION, status};
use driftless_api::{
    Application, ApplicationConditionType as Cond, ApplicationStatus, ApplicationSummary,
    Operation, OperationInitiator, OperationPhase, SyncOperation, SyncOperationResource,
    SyncStatus, SyncStatusCode,
};
use driftless_runtime::{LiveState, Rendered, Target};
use kube::api::{DynamicObject, Patch, PatchParams};
use kube::runtime::controller::Action;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Reconciles one Application; the returned action says when to look again.
///
/// The work runs on a blocking-pool thread that drives it with the runtime's handle: the
/// engine's futures borrow across `buffered` streams, which today's compiler cannot prove `Send`
/// for every lifetime (rust-lang/rust#102211), and the controller needs `Send` futures.
pub async fn reconcile(
    obj: Arc<DynamicObject>,
    ctx: Arc<Context>,
) -> Result<Action, ControllerError> {
    let handle = tokio::runtime::Handle::current();
    let name = obj.metadata.name.clone().unwrap_or_default();
    tokio::task::spawn_blocking(move || handle.block_on(reconcile_here(obj, ctx)))
        .await
        .map_err(|e| ControllerError::Invalid {
            name,
            message: format!("reconcile task failed: {e}"),
        })?
}

/// [`reconcile`] on the current thread.
pub async fn reconcile_here(
    obj: Arc<DynamicObject>,
    ctx: Arc<Context>,
) -> Result<Action, ControllerError> {
    let started = Instant::now();
    let name = obj.metadata.name.clone().unwrap_or_default();
    let app: Application = serde_json::from_value(serde_json::to_value(&*obj).unwrap_or_default())
        .map_err(|e| ControllerError::Invalid {
            name: name.clone(),
            message: e.to_string(),
        })?;
    if !ctx.shards.owns(&ctx.engine, &app) {
        // Another replica's shard: its watches here are dropped; looked at again when the
        // shards served change.
        ctx.engine.release(&name);
        return Ok(Action::await_change());
    }
    if app.metadata.deletion_timestamp.is_some() {
        return crate::finalize::finalize(&ctx, &app).await;
    }
    let out = compare_and_act(&ctx, &app).await;
    ctx.metrics.observe_reconcile(started.elapsed());
    out
}

/// What an operation that names its own revisions or sources syncs (target, render, live
/// state), or `None` when it syncs what was just rendered. The error names what was asked for.
async fn requested_render(
    ctx: &Context,
    app: &Application,
    t: &Target,
    rendered: &Rendered,
    op: &Operation,
    inventory: &[driftless_core::ObjectKey],
) -> Result<Option<(Target, Arc<Rendered>, LiveState)>, (String, driftless_runtime::RuntimeError)> {
    let over = crate::sources::overridden(app, op);
    let (t, wanted) = match &over {
        Some(a) => {
            let t = ctx
                .engine
                .target(a)
                .map_err(|e| ("of the operation's sources".into(), e))?;
            let wanted = crate::sources::operation_revisions(&t, op).unwrap_or_else(|| {
                (0..t.source_count())
                    .map(|i| t.source_target(i).revision)
                    .collect()
            });
            (t, wanted)
        }
        None => match crate::sources::requested(t, rendered, op) {
            Some(w) => (t.clone(), w),
            None => return Ok(None),
        },
    };
    let shown = wanted.join(", ");
    let at = async {
        let commits = ctx.engine.resolve_revisions(&t, &wanted, false).await?;
        let r = ctx.engine.render_revisions(&t, &commits).await?;
        let l = ctx.engine.live(&t, &r, inventory).await?;
        Ok::<_, driftless_runtime::RuntimeError>((r, l))
    }
    .await;
    match at {
        Ok((r, l)) => Ok(Some((t, r, l))),
        Err(e) => Err((shown, e)),
    }
}

/// The desired objects the Application's project refuses (see [`crate::project::refused`]).
async fn refused_objects(
    ctx: &Context,
    project: &driftless_api::AppProject,
    app: &Application,
    t: &Target,
    live: &LiveState,
) -> Vec<driftless_api::ResourceResult> {
    let Ok(cluster) = ctx.engine.cluster_for(t).await else {
        return Vec::new();
    };
    let mut namespaced = std::collections::HashMap::new();
    for m in &live.desired {
        if let Ok(Some(r)) = cluster.resolve(m.key()).await {
            namespaced.insert(m.key().clone(), r.namespaced);
        }
    }
    let dest = crate::project::inferred(&app.spec.destination, t);
    crate::project::refused(project, &dest, &live.desired, |m| {
        namespaced.get(m.key()).copied()
    })
}

fn requeue(ctx: &Context) -> Action {
    let jitter = ctx.config.jitter.as_millis() as u64;
    let extra = if jitter == 0 {
        0
    } else {
        rand::random::<u64>() % jitter
    };
    Action::requeue(ctx.config.reconcile_interval + Duration::from_millis(extra))
}

async fn compare_and_act(ctx: &Arc<Context>, app: &Application) -> Result<Action, ControllerError> {
    let name = app.name().to_string();
    let old = app.status.clone();
    let mut st: ApplicationStatus = old.clone().unwrap_or_default();
    st.reconciled_at = Some(operation::now());
    st.observed_at = st.reconciled_at.clone();
    st.controller_namespace = ctx.config.namespace.clone();
    let refresh = app.annotation(REFRESH_ANNOTATION).map(str::to_string);
    let forced = ctx.force_fetch.lock().expect("force").remove(&name) || refresh.is_some();

    // The spec and the project: an error is an InvalidSpecError; nothing is compared or applied.
    let checked = match ctx.engine.target(app) {
        Ok(t) => match crate::project::load(ctx, app).await? {
            Ok(project) => {
                let errors = crate::project::spec_errors(&project, app, &t);
                if errors.is_empty() {
                    Ok((t, project))
                } else {
                    Err(errors.join("; "))
                }
            }
            Err(e) => Err(e),
        },
        Err(e) => Err(e.to_string()),
    };
    let (t, project) = match checked {
        Ok(ok) => {
            status::set_condition(&mut st.conditions, Cond::InvalidSpecError, None);
            ok
        }
        Err(e) => {
            status::set_condition(&mut st.conditions, Cond::InvalidSpecError, Some(e));
            st.sync = Some(unknown_sync(app));
            status::write(ctx, &name, old.as_ref(), &st).await?;
            return Ok(requeue(ctx));
        }
    };
    // Git and render: a failure is a ComparisonError and the cluster is left as it is.
    let fetched = async {
        let commits = ctx.engine.resolve_all(&t, forced).await?;
        ctx.engine.render_revisions(&t, &commits).await
    }
    .await;
    let rendered = match fetched {
        Ok(r) => r,
        Err(e) => return comparison_error(ctx, app, st, e.to_string()).await,
    };
    let inventory = driftless_runtime::inventory::of_application(app);
    let live = match ctx.engine.live(&t, &rendered, &inventory).await {
        Ok(l) => l,
        Err(e) => return comparison_error(ctx, app, st, e.to_string()).await,
    };
    let server_side = app
        .annotation("argocd.argoproj.io/compare-options")
        .is_some_and(|o| o.contains("ServerSideDiff=true"));
    let cmp = match ctx.engine.compare(&t, &live, server_side).await {
        Ok(c) => c,
        Err(e) => return comparison_error(ctx, app, st, e.to_string()).await,
    };
    status::set_condition(&mut st.conditions, Cond::ComparisonError, None);
    let obs = crate::resources::observe(&ctx.engine, &t, &live, &cmp, &name).await?;
    st.resources = obs.resources.clone();
    st.health = Some(obs.health.clone());
    st.summary = Some(ApplicationSummary {
        images: obs.images.clone(),
        ..st.summary.clone().unwrap_or_default()
    });
    crate::sources::record_comparison(&mut st, app, &t, &rendered, obs.sync.clone());
    crate::warnings::update(ctx, app, &t, &live, &mut st.conditions).await;
    if obs.sync == SyncStatusCode::Synced {
        ctx.self_heal.lock().expect("self-heal").remove(&name);
    }
    ctx.metrics.record_app(
        &name,
        obs.sync.as_str(),
        obs.health
            .status
            .as_ref()
            .map(|h| h.as_str())
            .unwrap_or("Unknown"),
    );

    // An operation: requested (manual), or one we start now by Argo CD's automated rules. The
    // controller's copy of the Application may be stale (the operation we just finished may still
    // show): a requested one is confirmed on a fresh read, as Argo CD does.
    let fresh_op = match &app.operation {
        Some(_) => fresh_operation(ctx, &name).await?,
        None => None,
    };
    if let Some(fresh) = &fresh_op
        && fresh
            .status
            .as_ref()
            .and_then(|s| s.operation_state.as_ref())
            .is_some_and(|s| s.phase == OperationPhase::Terminating)
    {
        return terminate(ctx, fresh, st).await;
    }
    let pending = fresh_op.as_ref().and_then(pending_operation);
    let deps = crate::deps::evaluate(ctx, app).await?;
    crate::deps::record(&deps, &mut st.conditions);
    let (op, retry_count, op_started) = match pending {
        Some(p) => p,
        None => {
            let memory = ctx
                .self_heal
                .lock()
                .expect("self-heal")
                .get(&name)
                .copied()
                .unwrap_or_default();
            let observed = policy::Observed {
                app,
                sync: obs.sync.clone(),
                revisions: &rendered.revisions,
                self_heal_attempts: memory.attempts,
                since_last_self_heal: memory.last.map(|l| l.elapsed()),
                empty_render: live.desired.is_empty() && !live.tracked.is_empty(),
            };
            match crate::deps::hold(&deps, policy::decide(&observed, &ctx.config.self_heal)) {
                Decision::None => {
                    status::set_condition(&mut st.conditions, Cond::SyncError, None);
                    status::write(ctx, &name, old.as_ref(), &st).await?;
                    clear_refresh(ctx, &name, refresh.as_deref()).await?;
                    return Ok(requeue(ctx));
                }
                Decision::FailedRevision(message) => {
                    status::set_condition(&mut st.conditions, Cond::SyncError, Some(message));
                    status::write(ctx, &name, old.as_ref(), &st).await?;
                    clear_refresh(ctx, &name, refresh.as_deref()).await?;
                    return Ok(requeue(ctx));
                }
                Decision::SelfHealLater(wait) => {
                    status::write(ctx, &name, old.as_ref(), &st).await?;
                    return Ok(Action::requeue(wait));
                }
                Decision::AutoSync => (auto_operation(app, &t, &rendered, Vec::new(), 0), 0, None),
                Decision::SelfHeal { attempt } => {
                    ctx.self_heal.lock().expect("self-heal").insert(
                        name.clone(),
                        crate::context::SelfHealMemory {
                            attempts: attempt,
                            last: Some(Instant::now()),
                        },
                    );
                    crate::events::publish(
                        ctx,
                        app,
                        "ResourceUpdated",
                        &format!(
                            "Self-healing {} drifted object(s) (attempt {attempt})",
                            obs.out_of_sync.len()
                        ),
                    )
                    .await;
                    let resources = obs
                        .out_of_sync
                        .iter()
                        .map(|k| SyncOperationResource {
                            group: k.group.clone(),
                            kind: k.kind.clone(),
                            name: k.name.clone(),
                            namespace: k.namespace.clone().unwrap_or_default(),
                            ..Default::default()
                        })
                        .collect();
                    (
                        auto_operation(app, &t, &rendered, resources, attempt as i64),
                        0,
                        None,
                    )
                }
            }
        }
    };
    // Retry wait of a failed attempt still running.
    if retry_count > 0
        && let Some(wait) = retry_wait(ctx, app)
        && !wait.is_zero()
    {
        status::write(ctx, &name, old.as_ref(), &st).await?;
        return Ok(Action::requeue(wait));
    }
    // A requested revision (`argocd app sync --revision` / `--revisions`, a rollback) or
    // requested sources (a rollback) are rendered and synced instead of the spec's.
    let (t, rendered, live) = match requested_render(ctx, app, &t, &rendered, &op, &inventory).await
    {
        Ok(None) => (t, rendered, live),
        Ok(Some(at)) => at,
        Err((shown, e)) => {
            return comparison_error(ctx, app, st, format!("revision {shown}: {e}")).await;
        }
    };
    let began = op_started.unwrap_or_else(operation::now);
    // Record the operation before anything is written, so a restart resumes it.
    let mut running = st.clone();
    let mut state = driftless_api::OperationState::running(op.clone(), began.clone());
    state.message = if retry_count > 0 {
        format!("Retrying attempt #{retry_count}")
    } else {
        "Sync operation in progress".into()
    };
    state.retry_count = retry_count;
    running.operation_state = Some(state);
    status::write(ctx, &name, old.as_ref(), &running).await?;
    if app.operation.is_none() {
        set_operation(ctx, &name, Some(&op)).await?;
    }
    if retry_count == 0 {
        crate::events::publish(
            ctx,
            app,
            "OperationStarted",
            &format!(
                "Initiated {} sync to {}",
                if op.initiated_by.as_ref().is_some_and(|i| i.automated) {
                    "automated"
                } else {
                    "manual"
                },
                rendered.revisions.join(", ")
            ),
        )
        .await;
    }
    // The sources synced are recorded in the result and the history (a rollback's, if any).
    let over = crate::sources::overridden(app, &op);
    let synced = over.as_ref().unwrap_or(app);
    // Objects the project does not permit fail the sync before anything is applied.
    let refused = refused_objects(ctx, &project, app, &t, &live).await;
    let ended = if refused.is_empty() {
        operation::run(ctx, synced, &t, &rendered, &live, &op, retry_count, began).await
    } else {
        operation::invalid(ctx, &op, refused, retry_count, began)
    };
    let (state, next) = match ended {
        Ended::Done(s) => (s, None),
        Ended::RetryAfter(s, wait) => (s, Some(wait)),
        Ended::Interrupted(s) => return interrupted(ctx, &name, running, s).await,
    };
    ctx.metrics.record_sync(state.phase.as_str());
    let mut done = running;
    if state.phase == OperationPhase::Succeeded && !op.sync.as_ref().is_some_and(|s| s.dry_run) {
        done.history.push(operation::history_entry(app, &state));
        driftless_api::truncate_history(&mut done.history, app.revision_history_limit());
    }
    let reason = match (&state.phase, next) {
        (OperationPhase::Succeeded, _) => Some((
            "OperationCompleted",
            format!(
                "Sync operation to {} succeeded",
                rendered.revisions.join(", ")
            ),
        )),
        (_, None) => Some((
            "OperationCompleted",
            format!(
                "Sync operation to {} failed: {}",
                rendered.revisions.join(", "),
                state.message
            ),
        )),
        (_, Some(_)) => Some(("OperationFailed", state.message.clone())),
    };
    done.operation_state = Some(state);
    status::put(ctx, &name, &done).await?;
    match next {
        Some(wait) => {
            ctx.retry_due
                .lock()
                .expect("retry")
                .insert(name.clone(), Instant::now() + wait);
        }
        None => {
            ctx.retry_due.lock().expect("retry").remove(&name);
            set_operation(ctx, &name, None).await?;
        }
    }
    if let Some((reason, message)) = reason {
        crate::events::publish(ctx, app, reason, &message).await;
    }
    clear_refresh(ctx, &name, refresh.as_deref()).await?;
    // Look again soon: the comparison after a sync, or the next retry.
    Ok(Action::requeue(next.unwrap_or(Duration::from_millis(500))))
}

/// A sync stopped by the controller's shutdown: its state is recorded (still Running, with
/// where it was and what completed; `operation` stays), for the next controller to resume.
async fn interrupted(
    ctx: &Context,
    name: &str,
    mut st: ApplicationStatus,
    state: driftless_api::OperationState,
) -> Result<Action, ControllerError> {
    tracing::info!(app = name, message = %state.message, "sync interrupted by shutdown");
    st.operation_state = Some(state);
    status::put(ctx, name, &st).await?;
    Ok(Action::await_change())
}

/// The operation to run now: the Application's `operation` field (a manual sync, or one we
/// recorded), with its retry count and start time when it is a retry or a resumed one.
fn pending_operation(
    app: &Application,
) -> Option<(
    Operation,
    i64,
    Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::Time>,
)> {
    let op = app.operation.clone()?;
    let state = app.status.as_ref().and_then(|s| s.operation_state.as_ref());
    match state {
        Some(s) if s.phase == OperationPhase::Running && s.operation == op => {
            Some((op, s.retry_count, s.started_at.clone()))
        }
        _ => Some((op, 0, None)),
    }
}

/// How long until a failed attempt's retry is due (from its finishedAt and the back-off).
fn retry_wait(ctx: &Context, app: &Application) -> Option<Duration> {
    if let Some(due) = ctx.retry_due.lock().expect("retry").get(app.name()) {
        return Some(due.saturating_duration_since(Instant::now()));
    }
    let s = app.status.as_ref()?.operation_state.as_ref()?;
    let finished = s.finished_at.as_ref()?.0;
    let retry = s.operation.retry.as_ref()?;
    let wait = retry
        .backoff(s.retry_count - 1)
        .ok()?
        .mul_f64(ctx.config.retry_scale);
    let due = finished
        .checked_add(k8s_openapi::jiff::SignedDuration::try_from(wait).ok()?)
        .ok()?;
    let left = due.duration_since(k8s_openapi::jiff::Timestamp::now());
    Some(Duration::try_from(left).unwrap_or_default())
}

fn auto_operation(
    app: &Application,
    t: &driftless_runtime::Target,
    rendered: &driftless_runtime::Rendered,
    resources: Vec<SyncOperationResource>,
    self_heal_attempts: i64,
) -> Operation {
    let auto = app.automated().unwrap_or_default();
    let (revision, revisions) = if t.is_multi_source() {
        (String::new(), rendered.revisions.clone())
    } else {
        (rendered.commit.clone(), Vec::new())
    };
    Operation {
        sync: Some(SyncOperation {
            revision,
            revisions,
            prune: auto.prune,
            resources,
            sync_options: app.spec.sync_policy.sync_options.clone(),
            self_heal_attempts_count: self_heal_attempts,
            ..SyncOperation::default()
        }),
        initiated_by: Some(OperationInitiator {
            automated: true,
            ..Default::default()
        }),
        retry: app.spec.sync_policy.retry.clone(),
        ..Operation::default()
    }
}

async fn set_operation(
    ctx: &Context,
    name: &str,
    op: Option<&Operation>,
) -> Result<(), ControllerError> {
    ctx.apps
        .patch(
            name,
            &PatchParams::default(),
            &Patch::Merge(&json!({"operation": op})),
        )
        .await
        .map_err(|source| ControllerError::Kube {
            name: name.to_string(),
            source,
        })?;
    Ok(())
}

async fn clear_refresh(
    ctx: &Context,
    name: &str,
    refresh: Option<&str>,
) -> Result<(), ControllerError> {
    if refresh.is_none() {
        return Ok(());
    }
    let patch = json!({"metadata": {"annotations": {REFRESH_ANNOTATION: null}}});
    ctx.apps
        .patch(name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .map_err(|source| ControllerError::Kube {
            name: name.to_string(),
            source,
        })?;
    Ok(())
}

async fn comparison_error(
    ctx: &Context,
    app: &Application,
    mut st: ApplicationStatus,
    message: String,
) -> Result<Action, ControllerError> {
    status::set_condition(&mut st.conditions, Cond::ComparisonError, Some(message));
    st.sync = Some(unknown_sync(app));
    status::write(ctx, app.name(), app.status.as_ref(), &st).await?;
    // The refresh was done: its answer is the error.
    clear_refresh(ctx, app.name(), app.annotation(REFRESH_ANNOTATION)).await?;
    Ok(requeue(ctx))
}

/// The Application read from the API server (not the watch cache), when it still has an
/// operation.
async fn fresh_operation(
    ctx: &Context,
    name: &str,
) -> Result<Option<Application>, ControllerError> {
    let obj = ctx
        .apps
        .get_opt(name)
        .await
        .map_err(|source| ControllerError::Kube {
            name: name.to_string(),
            source,
        })?;
    let Some(obj) = obj else { return Ok(None) };
    let app: Application = serde_json::from_value(serde_json::to_value(&obj).unwrap_or_default())
        .map_err(|e| ControllerError::Invalid {
        name: name.to_string(),
        message: e.to_string(),
    })?;
    Ok(app.operation.is_some().then_some(app))
}

/// `terminate-op`: the operation ends as Failed "Operation terminated" and is cleared. (A sync
/// runs inside one reconcile, so a terminate lands between attempts: it stops retries.)
async fn terminate(
    ctx: &Context,
    app: &Application,
    mut st: ApplicationStatus,
) -> Result<Action, ControllerError> {
    let name = app.name().to_string();
    if let Some(mut state) = app.status.as_ref().and_then(|s| s.operation_state.clone()) {
        state.phase = OperationPhase::Failed;
        state.message = crate::progress::TERMINATED.into();
        state.finished_at = Some(operation::now());
        st.operation_state = Some(state);
    }
    ctx.retry_due.lock().expect("retry").remove(&name);
    status::put(ctx, &name, &st).await?;
    set_operation(ctx, &name, None).await?;
    crate::events::publish(
        ctx,
        app,
        "OperationCompleted",
        "Sync operation terminated (failed)",
    )
    .await;
    Ok(Action::requeue(Duration::from_millis(500)))
}

fn unknown_sync(app: &Application) -> SyncStatus {
    SyncStatus {
        status: SyncStatusCode::Unknown,
        compared_to: Some(crate::sources::compared_to(app)),
        ..SyncStatus::default()
    }
}
