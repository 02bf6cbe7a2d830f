//! Running a sync operation and recording it in `status.operationState`, as Argo CD does: the
//! state is written before anything is applied (so a restarted controller knows a sync was under
//! way and runs it again, from its first wave), then once at the end, with per-object results;
//! a failed attempt with `retry` left stays Running with the next attempt's time in its message.

use crate::Context;
use driftless_api::{
    Application, Operation, OperationPhase, OperationState, ResourceResult, RevisionHistory,
    SyncOperationResult,
};
use driftless_apply::{Action, SyncSettings};
use driftless_core::ObjectKey;
use driftless_runtime::{LiveState, Rendered, RuntimeError, SyncRequest, Target};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use std::time::Duration;

/// How an operation ended.
pub(crate) enum Ended {
    /// Succeeded or failed for good: the operation field is cleared.
    Done(OperationState),
    /// Failed with a retry left: run again after this long.
    RetryAfter(OperationState, Duration),
    /// Stopped between waves because the controller is shutting down: the state stays Running
    /// (with where it was and what completed), so the next controller resumes it.
    Interrupted(OperationState),
}

pub(crate) fn now() -> Time {
    Time(k8s_openapi::jiff::Timestamp::now())
}

/// Runs `op` for `app` (attempt `retry_count`), returning the state to record.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn run(
    ctx: &Context,
    app: &Application,
    t: &Target,
    rendered: &Rendered,
    live: &LiveState,
    op: &Operation,
    retry_count: i64,
    started: Time,
) -> Ended {
    let sync = op.sync.clone().unwrap_or_default();
    let mut t = t.clone();
    t.sync_options.extend(sync.sync_options.iter().cloned());
    let only: Vec<ObjectKey> = sync
        .resources
        .iter()
        .filter_map(|r| {
            live.desired
                .iter()
                .map(|m| m.key())
                .chain(
                    live.tracked
                        .iter()
                        .filter_map(ObjectKey::from_object)
                        .collect::<Vec<_>>()
                        .iter(),
                )
                .find(|k| {
                    r.matches(
                        &k.group,
                        &k.kind,
                        k.namespace.as_deref().unwrap_or(""),
                        &k.name,
                    )
                })
                .cloned()
        })
        .collect();
    let req = SyncRequest {
        prune: sync.prune || t.prune,
        force_apply: false,
        server_side_diff: false,
        only,
        completed: Default::default(),
    };
    let options = match driftless_apply::SyncOptions::parse(&t.sync_options) {
        Ok(o) => o,
        Err(e) => {
            return Ended::Done(finished(
                op,
                OperationPhase::Error,
                e.to_string(),
                None,
                retry_count,
                started,
            ));
        }
    };
    let settings = SyncSettings {
        app: t.app.clone(),
        options,
        tracking: t.tracking,
        namespace: Some(t.namespace.clone()),
        dry_run: sync.dry_run,
        wave_timeout: ctx.config.wave_timeout,
        sync_timeout: ctx.config.sync_timeout,
        ..SyncSettings::default()
    };
    // A run of this operation that a dead or stopped controller left: its completed hooks are
    // not run again (earlier waves' objects are found in sync and left alone).
    let earlier = crate::progress::interrupted_results(app, &rendered.commit);
    let req = SyncRequest {
        completed: crate::progress::completed_hooks(&earlier),
        ..req
    };
    let hooks = live
        .desired
        .iter()
        .filter(|m| driftless_core::is_hook(&m.object))
        .map(|m| m.key().clone())
        .collect();
    let progress =
        crate::progress::Progress::start(ctx, app.name(), &rendered.commit, hooks, earlier);
    let out = ctx
        .engine
        .sync(&t, rendered, live, &req, &settings, &progress)
        .await;
    let (phase, message, result) = match out {
        Ok((_, result)) => (
            OperationPhase::Succeeded,
            "successfully synced (all tasks run)".to_string(),
            Some(result),
        ),
        Err(RuntimeError::Sync(f))
            if matches!(f.error, driftless_apply::ApplyError::Stopped { .. }) =>
        {
            if progress.terminated() {
                (
                    OperationPhase::Failed,
                    crate::progress::TERMINATED.to_string(),
                    Some(f.result),
                )
            } else {
                let mut state = OperationState::running(op.clone(), started);
                state.retry_count = retry_count;
                state.message = format!(
                    "Sync interrupted at {}: the controller shut down; it resumes when the controller starts again",
                    progress.at()
                );
                state.sync_result = Some(SyncOperationResult {
                    resources: progress.completed(),
                    revision: Some(rendered.commit.clone()),
                    source: app.spec.source.clone(),
                    ..SyncOperationResult::default()
                });
                progress.finish().await;
                return Ended::Interrupted(state);
            }
        }
        Err(RuntimeError::Sync(f)) => (OperationPhase::Failed, f.error.to_string(), Some(f.result)),
        Err(e) => (OperationPhase::Error, e.to_string(), None),
    };
    // Several sources: `revisions` and `sources`, `revision` written empty (Argo CD's shape).
    let multi = t.is_multi_source();
    let terminated = progress.terminated();
    progress.finish().await;
    let sync_result = result.map(|r| SyncOperationResult {
        resources: r.objects.iter().map(resource_result).collect(),
        revision: Some(if multi {
            String::new()
        } else {
            rendered.commit.clone()
        }),
        source: app.spec.source.clone().filter(|_| !multi),
        sources: if multi {
            app.spec.sources.clone()
        } else {
            Vec::new()
        },
        revisions: if multi {
            rendered.revisions.clone()
        } else {
            Vec::new()
        },
        ..SyncOperationResult::default()
    });
    let state = finished(
        op,
        phase.clone(),
        message,
        sync_result,
        retry_count,
        started,
    );
    with_retry(ctx, op, state, phase, terminated, retry_count)
}

/// A sync whose tasks are not valid (objects the project refuses): Failed before anything is
/// applied, with each refused object's result; retried like any failed sync.
pub(crate) fn invalid(
    ctx: &Context,
    op: &Operation,
    refused: Vec<ResourceResult>,
    retry_count: i64,
    started: Time,
) -> Ended {
    let result = SyncOperationResult {
        resources: refused,
        ..SyncOperationResult::default()
    };
    let state = finished(
        op,
        OperationPhase::Failed,
        "one or more synchronization tasks are not valid".into(),
        Some(result),
        retry_count,
        started,
    );
    with_retry(ctx, op, state, OperationPhase::Failed, false, retry_count)
}

/// `state` as it ends: a failure with retries left stays Running until the next attempt.
fn with_retry(
    ctx: &Context,
    op: &Operation,
    mut state: OperationState,
    phase: OperationPhase,
    terminated: bool,
    retry_count: i64,
) -> Ended {
    if phase != OperationPhase::Succeeded
        && !terminated
        && let Some(retry) = &op.retry
        && retry.allows_retry(retry_count)
    {
        let wait = retry
            .backoff(retry_count)
            .unwrap_or(Duration::from_secs(5))
            .mul_f64(ctx.config.retry_scale);
        let at = k8s_openapi::jiff::SignedDuration::try_from(wait)
            .ok()
            .and_then(|d| now().0.checked_add(d).ok())
            .unwrap_or(now().0);
        state.phase = OperationPhase::Running;
        state.message = format!(
            "{}. Retrying attempt #{} at {}.",
            state.message.trim_end_matches('.'),
            retry_count + 1,
            at.strftime("%H:%M:%SZ")
        );
        state.retry_count = retry_count + 1;
        return Ended::RetryAfter(state, wait);
    }
    Ended::Done(state)
}

fn finished(
    op: &Operation,
    phase: OperationPhase,
    message: String,
    sync_result: Option<SyncOperationResult>,
    retry_count: i64,
    started: Time,
) -> OperationState {
    let mut s = OperationState::running(op.clone(), started);
    s.phase = phase;
    s.message = message;
    s.sync_result = sync_result;
    s.finished_at = Some(now());
    s.retry_count = retry_count;
    s
}

pub(crate) fn resource_result(o: &driftless_apply::ObjectResult) -> ResourceResult {
    let k = &o.key;
    let mut r = ResourceResult::new(
        &k.group,
        &k.version,
        &k.kind,
        k.namespace.as_deref().unwrap_or(""),
        &k.name,
    );
    let (status, message) = match o.action {
        Action::Failed => ("SyncFailed", o.message.clone().unwrap_or_default()),
        Action::Pruned => ("Pruned", "pruned".into()),
        Action::PruneSkipped | Action::WouldPrune => (
            "PruneSkipped",
            o.message
                .clone()
                .unwrap_or_else(|| "ignored (requires pruning)".into()),
        ),
        Action::Unchanged => ("Synced", "unchanged".into()),
        Action::Skipped => ("Synced", o.message.clone().unwrap_or_default()),
        Action::Created => ("Synced", "created".into()),
        Action::Replaced => ("Synced", "replaced".into()),
        Action::HookDeleted => ("Synced", "deleted".into()),
        Action::Validated => ("Synced", "validated (dry run)".into()),
        Action::Applied => ("Synced", "configured".into()),
    };
    r.status = Some(status.into());
    r.message = message;
    r.sync_phase = Some(o.phase.as_str().into());
    r
}

/// The history entry of a successful sync, Argo CD's `status.history` (ids count up).
pub(crate) fn history_entry(app: &Application, state: &OperationState) -> RevisionHistory {
    let last_id = app
        .status
        .iter()
        .flat_map(|s| s.history.iter())
        .map(|h| h.id)
        .max()
        .unwrap_or(-1);
    let result = state.sync_result.as_ref();
    let multi = app.has_multiple_sources();
    RevisionHistory {
        revision: result.and_then(|r| r.revision.clone()).unwrap_or_default(),
        revisions: result.map(|r| r.revisions.clone()).unwrap_or_default(),
        deployed_at: state.finished_at.clone(),
        deploy_started_at: state.started_at.clone(),
        id: last_id + 1,
        // What the sync applied: the spec's sources, or those of the operation (a rollback).
        source: match result {
            Some(r) => r.source.clone(),
            None => app.spec.source.clone().filter(|_| !multi),
        },
        sources: match result {
            Some(r) => r.sources.clone(),
            None if multi => app.spec.sources.clone(),
            None => Vec::new(),
        },
        initiated_by: state.operation.initiated_by.clone(),
        ..RevisionHistory::default()
    }
}
