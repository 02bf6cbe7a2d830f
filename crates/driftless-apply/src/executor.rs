//! Executes a [`Plan`]: preflight (ownership, dry run), then waves in order with health waits,
//! hooks per their delete policy, prunes, and SyncFail hooks when something fails.

use crate::wait::{WaitLimits, until_healthy};
use crate::{
    Action as Done, ApplyError, Cluster, Observer, SyncEvent, SyncOptions, TrackingMethod,
    WriteMode, mark, owner_of,
};
use driftless_core::{Health, HealthStatus, ObjectKey};
use driftless_health::HealthRegistry;
use driftless_plan::{Action, HookDeletePolicy, Phase, Plan, Step, WaveGroup};
use futures::stream::{self, StreamExt, TryStreamExt};
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
    /// Wait for health after each wave (the final one included).
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
            concurrency: 8,
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
    /// Error message, when the step failed.
    pub error: Option<String>,
}

/// The outcome of a sync.
#[derive(Debug, Default)]
pub struct SyncResult {
    /// Per-object outcomes, in execution order.
    pub objects: Vec<ObjectResult>,
    /// Warnings (shared resources skipped, prunes kept, …).
    pub warnings: Vec<String>,
}

/// Runs plans against a cluster.
pub struct Applier<'a> {
    cluster: &'a Cluster,
    health: HealthRegistry,
    observer: &'a dyn Observer,
}

impl<'a> Applier<'a> {
    /// An applier reporting to `observer`.
    pub fn new(cluster: &'a Cluster, observer: &'a dyn Observer) -> Self {
        Applier {
            cluster,
            health: HealthRegistry::new(),
            observer,
        }
    }

    /// Replaces the health rules.
    pub fn with_health(mut self, health: HealthRegistry) -> Self {
        self.health = health;
        self
    }

    /// Executes `plan`. On failure the error names the object and why; SyncFail hooks have run.
    pub async fn sync(&self, plan: &Plan, s: &SyncSettings) -> Result<SyncResult, ApplyError> {
        let started = Instant::now();
        let mut result = SyncResult::default();
        let skip = self.preflight(plan, s, &mut result).await?;
        if s.dry_run {
            return Ok(result);
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
        let mut wave_keys: Vec<ObjectKey> = Vec::new();
        let mut hooks: Vec<&Step> = Vec::new();
        for (i, group) in groups.iter().enumerate() {
            if i == 0 || !groups[i - 1].ends_wave(Some(group)) {
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
            let outcome = self.run_group(group, s, &skip, &mut result).await;
            let outcome = match outcome {
                Ok(keys) => {
                    wave_keys.extend(keys);
                    hooks.extend(group.steps.iter().filter(|s| s.action == Action::Hook));
                    if s.wait && group.ends_wave(groups.get(i + 1)) {
                        let scope = format!("{} wave {}", group.phase, group.wave);
                        let waited = until_healthy(
                            self.cluster,
                            &self.health,
                            &wave_keys,
                            &scope,
                            limits,
                            self.observer,
                        )
                        .await;
                        let hook_outcome = self.finish_hooks(&hooks, waited.is_ok()).await;
                        waited.and(hook_outcome)
                    } else {
                        Ok(())
                    }
                }
                Err(e) => Err(e),
            };
            if let Err(e) = outcome {
                self.record_failure(&mut result, &e);
                self.run_sync_fail(plan, s).await;
                return Err(e);
            }
            if group.ends_wave(groups.get(i + 1)) {
                self.observer.event(&SyncEvent::WaveDone {
                    phase: group.phase.to_string(),
                    wave: group.wave,
                });
                wave_keys.clear();
                hooks.clear();
            }
        }
        self.final_health(&mut result).await;
        Ok(result)
    }

    /// Ownership checks and the dry run of every object; returns keys to skip.
    async fn preflight(
        &self,
        plan: &Plan,
        s: &SyncSettings,
        result: &mut SyncResult,
    ) -> Result<HashSet<ObjectKey>, ApplyError> {
        let writes: Vec<&Step> = plan
            .steps
            .iter()
            .filter(|st| matches!(st.action, Action::Create | Action::Update))
            .collect();
        self.observer.event(&SyncEvent::DryRun {
            objects: writes.len(),
        });
        // Namespaces and kinds the plan itself creates cannot be dry-run before they exist.
        let planned_namespaces: HashSet<&str> = plan
            .steps
            .iter()
            .filter(|st| st.key.kind == "Namespace" && st.key.group.is_empty())
            .map(|st| st.key.name.as_str())
            .chain(
                s.namespace
                    .as_deref()
                    .filter(|_| s.options.create_namespace),
            )
            .collect();
        let checks = stream::iter(writes.iter().copied())
            .map(|st| self.check_one(st, s, &planned_namespaces))
            .buffer_unordered(s.concurrency.max(1))
            .collect::<Vec<_>>()
            .await;
        let mut skip = HashSet::new();
        let mut rejected = Vec::new();
        for check in checks {
            match check {
                Check::Ok => {}
                Check::Shared(key, other) => {
                    if s.options.fail_on_shared_resource {
                        return Err(ApplyError::SharedResource {
                            key,
                            other_app: other,
                        });
                    }
                    let msg = format!(
                        "{key} is tracked by application {other:?}; skipped (not taken over)"
                    );
                    self.observer.event(&SyncEvent::Warning(msg.clone()));
                    result.warnings.push(msg);
                    skip.insert(key);
                }
                Check::Rejected(key, msg) => rejected.push((key, msg)),
                Check::Failed(e) => return Err(e),
            }
        }
        if !rejected.is_empty() {
            rejected.sort_by(|a, b| a.0.cmp(&b.0));
            return Err(ApplyError::DryRunRejected(rejected));
        }
        Ok(skip)
    }

    async fn check_one(&self, st: &Step, s: &SyncSettings, planned_ns: &HashSet<&str>) -> Check {
        let key = &st.key;
        let Some(obj) = &st.object else {
            return Check::Ok;
        };
        let opts = match options_for(s, st) {
            Ok(o) => o,
            Err(e) => return Check::Failed(e),
        };
        let resolved = match self.cluster.resolve(key).await {
            Ok(r) => r,
            Err(e) => return Check::Failed(e),
        };
        if resolved.is_none() {
            // A custom resource whose CRD comes in this sync: validated when applied.
            return Check::Ok;
        }
        let live = match self.cluster.get(key).await {
            Ok(l) => l,
            Err(e) => return Check::Failed(e),
        };
        if let Some(other) = live
            .as_ref()
            .and_then(|l| owner_of(l, s.tracking))
            .filter(|o| o != &s.app)
        {
            return Check::Shared(key.clone(), other);
        }
        if live.is_none()
            && key
                .namespace
                .as_deref()
                .is_some_and(|ns| planned_ns.contains(ns))
        {
            match self.cluster.get(&namespace_key(key)).await {
                Ok(Some(_)) => {}
                Ok(None) => return Check::Ok,
                Err(e) => return Check::Failed(e),
            }
        }
        let mut obj = obj.clone();
        mark(&mut obj, &s.app, key, s.tracking);
        let mode = WriteMode {
            dry_run: true,
            force: true,
            no_validate: !opts.validate,
        };
        let written = if opts.replace {
            self.cluster.replace(key, &obj, true).await
        } else {
            self.cluster.apply(key, &obj, mode).await
        };
        match written {
            Ok(_) => Check::Ok,
            Err(ApplyError::Api { source, .. }) => {
                Check::Rejected(key.clone(), api_reason(&source))
            }
            Err(e) => Check::Failed(e),
        }
    }

    async fn ensure_namespace(&self, s: &SyncSettings) -> Result<(), ApplyError> {
        let Some(ns) = &s.namespace else {
            return Ok(());
        };
        let key = ObjectKey::new("v1", "Namespace", None, ns);
        if self.cluster.get(&key).await?.is_some() {
            return Ok(());
        }
        let obj =
            serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}});
        self.cluster.apply(&key, &obj, WriteMode::default()).await?;
        Ok(())
    }

    /// Writes one group's steps concurrently; returns the keys to wait for.
    async fn run_group(
        &self,
        group: &WaveGroup<'_>,
        s: &SyncSettings,
        skip: &HashSet<ObjectKey>,
        result: &mut SyncResult,
    ) -> Result<Vec<ObjectKey>, ApplyError> {
        let done: Vec<(&Step, Done)> = stream::iter(group.steps.iter().copied())
            .filter(|st| std::future::ready(!skip.contains(&st.key)))
            .map(|st| async move { self.run_step(st, s).await.map(|d| (st, d)) })
            .buffer_unordered(s.concurrency.max(1))
            .try_collect()
            .await?;
        let mut wait = Vec::new();
        for (st, action) in done {
            self.observer.event(&SyncEvent::Object {
                key: st.key.clone(),
                action,
            });
            if matches!(
                action,
                Done::Applied | Done::Replaced | Done::Created | Done::Unchanged
            ) {
                wait.push(st.key.clone());
            }
            result.objects.push(ObjectResult {
                key: st.key.clone(),
                phase: st.phase.to_string(),
                wave: st.wave,
                action,
                health: None,
                error: None,
            });
        }
        Ok(wait)
    }

    async fn run_step(&self, st: &Step, s: &SyncSettings) -> Result<Done, ApplyError> {
        let opts = options_for(s, st)?;
        let key = &st.key;
        match st.action {
            Action::Prune => {
                if !opts.prune || !opts.delete {
                    return Ok(Done::PruneSkipped);
                }
                self.cluster
                    .delete(key, opts.prune_propagation, false)
                    .await?;
                Ok(Done::Pruned)
            }
            Action::Hook => {
                let mut obj = st.object.clone().unwrap_or(Value::Null);
                set_name(&mut obj, &key.name);
                mark(&mut obj, &s.app, key, s.tracking);
                let policies = st.hook.as_ref().map(|h| h.delete_policies.as_slice());
                let before = policies.is_none_or(|p| {
                    p.is_empty() || p.contains(&HookDeletePolicy::BeforeHookCreation)
                });
                if before && self.cluster.get(key).await?.is_some() {
                    self.cluster
                        .delete(key, crate::Propagation::Foreground, false)
                        .await?;
                    self.wait_gone(key).await?;
                }
                self.cluster.create(key, &obj, false).await?;
                Ok(Done::Created)
            }
            Action::Create | Action::Update => {
                let mut obj = st.object.clone().unwrap_or(Value::Null);
                mark(&mut obj, &s.app, key, s.tracking);
                if opts.replace {
                    self.cluster.replace(key, &obj, false).await?;
                    return Ok(Done::Replaced);
                }
                let mode = WriteMode {
                    dry_run: false,
                    force: true,
                    no_validate: !opts.validate,
                };
                match self.cluster.apply(key, &obj, mode).await {
                    Ok(_) => Ok(Done::Applied),
                    Err(e) if opts.force => {
                        tracing::debug!(error = %e, "apply refused; Force=true deletes and re-creates");
                        self.cluster
                            .delete(key, crate::Propagation::Foreground, false)
                            .await?;
                        self.wait_gone(key).await?;
                        self.cluster.apply(key, &obj, mode).await?;
                        Ok(Done::Replaced)
                    }
                    Err(e) => Err(e),
                }
            }
        }
    }

    async fn wait_gone(&self, key: &ObjectKey) -> Result<(), ApplyError> {
        let until = Instant::now() + Duration::from_secs(60);
        let mut poll = Duration::from_millis(20);
        while self.cluster.get(key).await?.is_some() {
            if Instant::now() > until {
                return Err(ApplyError::Timeout {
                    scope: "deletion".into(),
                    after: Duration::from_secs(60),
                    waiting: vec![(
                        key.clone(),
                        Health::new(HealthStatus::Progressing, "still being deleted"),
                    )],
                });
            }
            tokio::time::sleep(poll).await;
            poll = (poll * 2).min(Duration::from_millis(500));
        }
        Ok(())
    }

    /// Deletes hooks per their policy once the wave's outcome is known.
    async fn finish_hooks(&self, hooks: &[&Step], succeeded: bool) -> Result<(), ApplyError> {
        for st in hooks {
            let policies = st
                .hook
                .as_ref()
                .map(|h| h.delete_policies.as_slice())
                .unwrap_or(&[]);
            let wanted = if succeeded {
                HookDeletePolicy::HookSucceeded
            } else {
                HookDeletePolicy::HookFailed
            };
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
        for group in &fail_groups {
            let mut ignored = SyncResult::default();
            self.observer.event(&SyncEvent::WaveStarted {
                phase: Phase::SyncFail.to_string(),
                wave: group.wave,
                objects: group.steps.len(),
            });
            match self
                .run_group(group, s, &HashSet::new(), &mut ignored)
                .await
            {
                Ok(keys) => {
                    let limits = WaitLimits {
                        wave: s.wave_timeout,
                        deadline: Instant::now() + s.wave_timeout,
                        poll: Duration::from_millis(50),
                    };
                    let waited = until_healthy(
                        self.cluster,
                        &self.health,
                        &keys,
                        "SyncFail",
                        limits,
                        self.observer,
                    )
                    .await;
                    let _ = self.finish_hooks(&group.steps, waited.is_ok()).await;
                }
                Err(e) => self
                    .observer
                    .event(&SyncEvent::Warning(format!("SyncFail hook failed: {e}"))),
            }
        }
    }

    fn record_failure(&self, result: &mut SyncResult, e: &ApplyError) {
        let key = match e {
            ApplyError::Api { key, .. }
            | ApplyError::Degraded { key, .. }
            | ApplyError::HookFailed { key, .. }
            | ApplyError::UnknownKind { key, .. } => Some(key),
            _ => None,
        };
        if let Some(r) = key.and_then(|k| result.objects.iter_mut().find(|o| &o.key == k)) {
            r.error = Some(e.to_string());
        }
    }

    async fn final_health(&self, result: &mut SyncResult) {
        for r in result.objects.iter_mut() {
            if matches!(
                r.action,
                Done::Pruned | Done::PruneSkipped | Done::HookDeleted
            ) {
                continue;
            }
            if let Ok(Some(live)) = self.cluster.get(&r.key).await {
                r.health = self.health.assess(&live);
            }
        }
    }
}

enum Check {
    Ok,
    Shared(ObjectKey, String),
    Rejected(ObjectKey, String),
    Failed(ApplyError),
}

fn options_for(s: &SyncSettings, st: &Step) -> Result<SyncOptions, ApplyError> {
    Ok(s.options
        .overlay(st.sync_options.iter().map(|(k, v)| format!("{k}={v}")))?)
}

fn namespace_key(key: &ObjectKey) -> ObjectKey {
    ObjectKey::new(
        "v1",
        "Namespace",
        None,
        key.namespace.as_deref().unwrap_or(""),
    )
}

fn set_name(obj: &mut Value, name: &str) {
    if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("generateName");
        meta.insert("name".into(), name.into());
    }
}

fn api_reason(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(s) => s.message.clone(),
        other => other.to_string(),
    }
}
