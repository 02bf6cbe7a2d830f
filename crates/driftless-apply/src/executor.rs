//! Executes a [`Plan`]: preflight (ownership, dry run), then waves in order with health waits,
//! hooks per their delete policy, prunes, and SyncFail hooks when something fails.

use crate::wait::{WaitLimits, until_gone, until_healthy};
use crate::{
    Action as Done, ApplyError, Cluster, Observer, SyncEvent, SyncOptions, TrackingMethod,
    WriteMode,
};
use driftless_core::{Health, ObjectKey};
use driftless_diff::Comparer;
use driftless_health::HealthRegistry;
use driftless_plan::{Action, HookDeletePolicy, Phase, Plan, Step, WaveGroup};
use futures::stream::{self, StreamExt};
use serde_json::Value;
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// Settings of one sync.
#[derive(Debug, Clone)]
pub struct SyncSettings {
    /// Application name, written into tracking ids.
    pub app: String,
    /// Application-level sync options (objects may override them).
    pub options: SyncOptions,
    /// How objects are marked as the application's.
    pub tracking: TrackingMethod,
    /// Destination namespace (created first with `CreateNamespace=true`).
    pub namespace: Option<String>,
    /// Validate everything with a server-side dry run and write nothing.
    pub dry_run: bool,
    /// Wait for the health of the final wave too (waves before it are always waited for).
    pub wait: bool,
    /// Deadline for one wave.
    pub wave_timeout: Duration,
    /// Deadline for the whole sync.
    pub sync_timeout: Duration,
    /// Objects written at once within a wave.
    pub concurrency: usize,
}

impl Default for SyncSettings {
    fn default() -> Self {
        SyncSettings {
            app: String::new(),
            options: SyncOptions::default(),
            tracking: TrackingMethod::Annotation,
            namespace: None,
            dry_run: false,
            wait: true,
            wave_timeout: Duration::from_secs(300),
            sync_timeout: Duration::from_secs(900),
            concurrency: 16,
        }
    }
}

/// What happened to one object.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ObjectResult {
    /// The object.
    pub key: ObjectKey,
    /// Phase it ran in.
    pub phase: String,
    /// Wave it ran in.
    pub wave: i64,
    /// What was done.
    pub action: Done,
    /// Health when the sync ended (None for kinds without health).
    pub health: Option<Health>,
    /// Why it was skipped or kept, or the error when its step failed.
    pub message: Option<String>,
}

/// The outcome of a sync.
#[derive(Debug, Default)]
pub struct SyncResult {
    /// Per-object outcomes, in plan order.
    pub objects: Vec<ObjectResult>,
    /// Warnings (shared resources skipped, …).
    pub warnings: Vec<String>,
}

/// A failed sync: the error, and what had been done until then.
#[derive(Debug)]
pub struct SyncFailure {
    /// Why the sync stopped.
    pub error: ApplyError,
    /// The objects handled before it stopped (the failing one carries the message).
    pub result: SyncResult,
}

impl std::fmt::Display for SyncFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for SyncFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.error)
    }
}

/// Runs plans against a cluster.
pub struct Applier<'a> {
    cluster: &'a Cluster,
    health: HealthRegistry,
    comparer: Comparer,
    observer: &'a dyn Observer,
    in_sync: HashSet<ObjectKey>,
    completed: HashSet<ObjectKey>,
}

impl<'a> Applier<'a> {
    /// An applier reporting to `observer`.
    pub fn new(cluster: &'a Cluster, observer: &'a dyn Observer) -> Self {
        Applier {
            cluster,
            health: HealthRegistry::new(),
            comparer: Comparer::new(&[]).expect("no rules"),
            observer,
            in_sync: HashSet::new(),
            completed: HashSet::new(),
        }
    }

    /// Objects a comparison already found in sync: they are neither dry-run nor written (the
    /// result says `unchanged`), only checked for ownership and health. The engine passes what
    /// its watch-backed comparison found, so a sync with nothing out of sync writes nothing.
    pub fn with_in_sync(mut self, keys: HashSet<ObjectKey>) -> Self {
        self.in_sync = keys;
        self
    }

    /// Steps a resumed operation already completed (hooks that ran to success before the
    /// controller restarted): they are not run again; the result says `skipped`.
    pub fn with_completed(mut self, keys: HashSet<ObjectKey>) -> Self {
        self.completed = keys;
        self
    }

    /// Replaces the health rules.
    pub fn with_health(mut self, health: HealthRegistry) -> Self {
        self.health = health;
        self
    }

    /// The comparison used by `ApplyOutOfSyncOnly=true` (with the application's ignoreDifferences).
    pub fn with_comparer(mut self, comparer: Comparer) -> Self {
        self.comparer = comparer;
        self
    }

    /// Executes `plan`. On failure the error names the object and why, SyncFail hooks have run,
    /// and the partial result says what was done.
    pub async fn sync(&self, plan: &Plan, s: &SyncSettings) -> Result<SyncResult, SyncFailure> {
        let mut result = SyncResult::default();
        match self.run(plan, s, &mut result).await {
            Ok(()) => Ok(result),
            Err(error) => {
                self.final_health(&mut result).await;
                if let Some(key) = failed_key(&error)
                    && let Some(r) = result.objects.iter_mut().find(|o| &o.key == key)
                {
                    r.message = Some(error.to_string());
                }
                Err(SyncFailure { error, result })
            }
        }
    }

    async fn run(
        &self,
        plan: &Plan,
        s: &SyncSettings,
        result: &mut SyncResult,
    ) -> Result<(), ApplyError> {
        let started = Instant::now();
        let writes = plan
            .steps
            .iter()
            .filter(|st| st.action != Action::Prune && st.phase != Phase::SyncFail)
            .count();
        self.observer.event(&SyncEvent::DryRun { objects: writes });
        let pre =
            crate::preflight::run(self.cluster, &self.comparer, &self.in_sync, plan, s).await?;
        for w in &pre.warnings {
            self.observer.event(&SyncEvent::Warning(w.clone()));
        }
        result.warnings.extend(pre.warnings.iter().cloned());
        for k in &plan.kept {
            result.objects.push(ObjectResult {
                key: k.key.clone(),
                phase: Phase::Sync.to_string(),
                wave: 0,
                action: Done::PruneSkipped,
                health: None,
                message: Some(k.reason.clone()),
            });
        }
        if s.dry_run {
            for st in plan.steps.iter().filter(|st| st.phase != Phase::SyncFail) {
                result.objects.push(object_result(
                    st,
                    match st.action {
                        Action::Prune => Done::WouldPrune,
                        _ if pre.in_sync.contains(&st.key) => Done::Unchanged,
                        _ if pre.shared.contains(&st.key) => Done::Skipped,
                        _ => Done::Validated,
                    },
                ));
            }
            return Ok(());
        }
        if s.options.create_namespace {
            self.ensure_namespace(s).await?;
        }
        let limits = WaitLimits {
            wave: s.wave_timeout,
            deadline: started + s.sync_timeout,
            poll: Duration::from_millis(50),
        };
        let groups: Vec<WaveGroup<'_>> = plan.wave_groups().collect();
        let mut hooks: Vec<&Step> = Vec::new();
        for (i, group) in groups.iter().enumerate() {
            let starts_wave = i == 0 || groups[i - 1].ends_wave(Some(group));
            if starts_wave
                && i > 0
                && let Some(reason) = self.observer.stop()
            {
                return Err(ApplyError::Stopped {
                    at: format!("{} wave {}", group.phase, group.wave),
                    reason,
                });
            }
            if starts_wave {
                self.observer.event(&SyncEvent::WaveStarted {
                    phase: group.phase.to_string(),
                    wave: group.wave,
                    objects: groups[i..]
                        .iter()
                        .take_while(|g| (g.phase, g.wave) == (group.phase, group.wave))
                        .map(|g| g.steps.len())
                        .sum(),
                });
            }
            let last = i + 1 == groups.len();
            let ends_wave = group.ends_wave(groups.get(i + 1));
            hooks.extend(group.steps.iter().filter(|st| st.action == Action::Hook));
            let outcome = self
                .run_group(group, s, &pre, result, limits, !last || s.wait)
                .await;
            // Stopped while waiting: hooks and SyncFail hooks are left for whoever resumes.
            if matches!(outcome, Err(ApplyError::Stopped { .. })) {
                return outcome;
            }
            // Hooks are settled when their wave ends (and was waited for) or the sync fails.
            if outcome.is_err() || (ends_wave && (!last || s.wait)) {
                let hook_outcome = self.finish_hooks(&hooks, outcome.is_ok()).await;
                hooks.clear();
                if let (Ok(()), Err(e)) = (&outcome, hook_outcome) {
                    return self.fail(plan, s, e).await;
                }
            }
            if let Err(e) = outcome {
                return self.fail(plan, s, e).await;
            }
            if ends_wave {
                self.observer.event(&SyncEvent::WaveDone {
                    phase: group.phase.to_string(),
                    wave: group.wave,
                });
            }
        }
        self.final_health(result).await;
        Ok(())
    }

    async fn fail(&self, plan: &Plan, s: &SyncSettings, e: ApplyError) -> Result<(), ApplyError> {
        self.run_sync_fail(plan, s).await;
        Err(e)
    }

    async fn ensure_namespace(&self, s: &SyncSettings) -> Result<(), ApplyError> {
        let Some(ns) = &s.namespace else {
            return Ok(());
        };
        let key = crate::preflight::namespace_key(ns);
        if self.cluster.get(&key).await?.is_some() {
            return Ok(());
        }
        let obj =
            serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}});
        self.cluster.apply(&key, &obj, WriteMode::default()).await?;
        self.observer.event(&SyncEvent::Warning(format!(
            "created namespace {ns} (CreateNamespace=true)"
        )));
        Ok(())
    }

    /// Writes one group's steps concurrently, records them in plan order, then (when `wait`)
    /// waits until they are healthy and pruned objects are gone.
    async fn run_group(
        &self,
        group: &WaveGroup<'_>,
        s: &SyncSettings,
        pre: &crate::preflight::Preflight,
        result: &mut SyncResult,
        limits: WaitLimits,
        wait: bool,
    ) -> Result<(), ApplyError> {
        let mut done: Vec<(&Step, StepOutcome)> = stream::iter(group.steps.iter().copied())
            .map(|st| async move {
                let out = if pre.shared.contains(&st.key) || self.completed.contains(&st.key) {
                    Ok((Done::Skipped, None))
                } else if pre.in_sync.contains(&st.key) {
                    Ok((Done::Unchanged, None))
                } else {
                    crate::step::run(self.cluster, st, s).await
                };
                (st, out)
            })
            .buffer_unordered(s.concurrency.max(1))
            .collect()
            .await;
        done.sort_by_key(|(st, _)| st.index);
        let mut healthy_wait = Vec::new();
        let mut gone_wait = Vec::new();
        let mut first_error = None;
        for (st, out) in done {
            let (action, response) = match out {
                Ok(x) => x,
                Err(e) => {
                    let mut r = object_result(st, Done::Failed);
                    r.message = Some(e.to_string());
                    result.objects.push(r);
                    first_error.get_or_insert(e);
                    continue;
                }
            };
            self.observer.event(&SyncEvent::Object {
                key: st.key.clone(),
                action,
            });
            match action {
                Done::Pruned => gone_wait.push(st.key.clone()),
                Done::Applied | Done::Replaced | Done::Created | Done::Unchanged => {
                    // Kinds without health (ConfigMaps, …) need no read-back.
                    let no_health = response
                        .as_ref()
                        .is_some_and(|r| self.health.assess(r).is_none());
                    // An Application syncing its own manifest (a root app of apps) does not
                    // wait for itself: its operation is this sync.
                    let itself = st.key.group == "argoproj.io"
                        && st.key.kind == "Application"
                        && st.key.name == s.app;
                    if !no_health && !itself {
                        healthy_wait.push(st.key.clone());
                    }
                }
                _ => {}
            }
            let mut r = object_result(st, action);
            if action == Done::Skipped {
                r.message = Some(if self.completed.contains(&st.key) {
                    "completed before the sync was resumed".into()
                } else {
                    "tracked by another application".into()
                });
            }
            result.objects.push(r);
        }
        if let Some(e) = first_error {
            return Err(e);
        }
        if !wait {
            return Ok(());
        }
        let scope = format!("{} wave {}", group.phase, group.wave);
        until_gone(self.cluster, &gone_wait, &scope, limits).await?;
        until_healthy(
            self.cluster,
            &self.health,
            &healthy_wait,
            &scope,
            limits,
            self.observer,
        )
        .await
        .map_err(|e| match e {
            ApplyError::Degraded {
                key,
                health,
                detail,
            } if group
                .steps
                .iter()
                .any(|st| st.key == key && st.action == Action::Hook) =>
            {
                let mut message = health.message;
                for d in detail {
                    message.push_str("; ");
                    message.push_str(&d);
                }
                ApplyError::HookFailed { key, message }
            }
            e => e,
        })
    }

    /// Deletes hooks per their policy once the wave's outcome is known.
    async fn finish_hooks(&self, hooks: &[&Step], succeeded: bool) -> Result<(), ApplyError> {
        let wanted = if succeeded {
            HookDeletePolicy::HookSucceeded
        } else {
            HookDeletePolicy::HookFailed
        };
        for st in hooks {
            let policies = st
                .hook
                .as_ref()
                .map(|h| h.delete_policies.as_slice())
                .unwrap_or(&[]);
            if policies.contains(&wanted) {
                self.cluster
                    .delete(&st.key, crate::Propagation::Background, false)
                    .await?;
                self.observer.event(&SyncEvent::Object {
                    key: st.key.clone(),
                    action: Done::HookDeleted,
                });
            }
        }
        Ok(())
    }

    async fn run_sync_fail(&self, plan: &Plan, s: &SyncSettings) {
        let fail_groups: Vec<WaveGroup<'_>> = plan.sync_fail_groups().collect();
        if fail_groups.is_empty() {
            return;
        }
        let limits = WaitLimits {
            wave: s.wave_timeout,
            deadline: Instant::now() + s.wave_timeout,
            poll: Duration::from_millis(50),
        };
        let pre = crate::preflight::Preflight::default();
        for group in &fail_groups {
            let mut ignored = SyncResult::default();
            self.observer.event(&SyncEvent::WaveStarted {
                phase: Phase::SyncFail.to_string(),
                wave: group.wave,
                objects: group.steps.len(),
            });
            let outcome = self
                .run_group(group, s, &pre, &mut ignored, limits, true)
                .await;
            let _ = self.finish_hooks(&group.steps, outcome.is_ok()).await;
            if let Err(e) = outcome {
                self.observer
                    .event(&SyncEvent::Warning(format!("SyncFail hook failed: {e}")));
            }
        }
    }

    async fn final_health(&self, result: &mut SyncResult) {
        let reads: Vec<Option<Health>> = stream::iter(result.objects.iter())
            .map(|r| async move {
                if !matches!(
                    r.action,
                    Done::Applied | Done::Replaced | Done::Created | Done::Unchanged
                ) {
                    return None;
                }
                match self.cluster.get(&r.key).await {
                    Ok(Some(live)) => self.health.assess(&live),
                    _ => None,
                }
            })
            .buffered(16)
            .collect()
            .await;
        for (r, h) in result.objects.iter_mut().zip(reads) {
            r.health = h;
        }
    }
}

/// What a step did and the server's answer, or why it failed.
type StepOutcome = Result<(Done, Option<Value>), ApplyError>;

fn object_result(st: &Step, action: Done) -> ObjectResult {
    ObjectResult {
        key: st.key.clone(),
        phase: st.phase.to_string(),
        wave: st.wave,
        action,
        health: None,
        message: None,
    }
}

fn failed_key(e: &ApplyError) -> Option<&ObjectKey> {
    match e {
        ApplyError::Api { key, .. }
        | ApplyError::Degraded { key, .. }
        | ApplyError::HookFailed { key, .. }
        | ApplyError::UnknownKind { key, .. }
        | ApplyError::SharedResource { key, .. } => Some(key),
        _ => None,
    }
}

pub(crate) fn options_for(s: &SyncSettings, st: &Step) -> Result<SyncOptions, ApplyError> {
    Ok(s.options
        .overlay(st.sync_options.iter().map(|(k, v)| format!("{k}={v}")))?)
}
