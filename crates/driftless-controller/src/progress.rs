//! A running sync's progress, recorded in `status.operationState` as its waves complete, and
//! the answer to "stop?" between waves and while a wave waits.
//!
//! Argo CD's sync is a state machine whose state lives on the Application: a restarted
//! controller continues from what `operationState.syncResult` records. Driftless runs a sync
//! in one reconcile, so it records the same way: when a wave starts, the message says which
//! (`Sync operation in progress (Sync wave 1)`); when it completes, its objects are added to
//! `syncResult.resources`, hooks with `hookPhase: Succeeded`. A resumed operation skips those
//! hooks (`completed_hooks`) and finds earlier waves' objects in sync, so nothing is applied
//! again and nothing out of order.
//!
//! The sync stops (between waves, or at a health poll) when `terminate-op` marks the operation
//! `Terminating` (polled here, every [`POLL`]) or the controller is shutting down.

use crate::Context;
use driftless_api::{Application, HookType, OperationPhase, ResourceResult};
use driftless_apply::{Observer, SyncEvent};
use driftless_core::ObjectKey;
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use serde_json::json;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How often a running sync looks for `Terminating`.
const POLL: Duration = Duration::from_millis(300);

/// Argo CD's message of a terminated operation.
pub(crate) const TERMINATED: &str = "Operation terminated";

/// Records one sync's progress until [`Progress::finish`] (or until dropped).
pub(crate) struct Progress {
    shared: Arc<Shared>,
    writer: Option<tokio::task::JoinHandle<()>>,
}

struct Shared {
    hooks: HashSet<ObjectKey>,
    finished: AtomicBool,
    stopping: Arc<AtomicBool>,
    terminated: AtomicBool,
    record: Mutex<Record>,
    changed: tokio::sync::Notify,
}

#[derive(Default)]
struct Record {
    /// `Sync wave 1`: where the sync is.
    at: String,
    /// Objects of the wave in progress.
    current: Vec<driftless_apply::ObjectResult>,
    /// Results of completed waves (and of an interrupted run this one resumes).
    done: Vec<ResourceResult>,
}

impl Progress {
    /// Starts recording the sync of `app` to `commit`; `hooks` are the desired objects that are
    /// hooks, `earlier` what an interrupted run of the same operation completed.
    pub(crate) fn start(
        ctx: &Context,
        app: &str,
        commit: &str,
        hooks: HashSet<ObjectKey>,
        earlier: Vec<ResourceResult>,
    ) -> Progress {
        let shared = Arc::new(Shared {
            hooks,
            finished: AtomicBool::new(false),
            stopping: ctx.stopping.clone(),
            terminated: AtomicBool::new(false),
            record: Mutex::new(Record {
                done: earlier,
                ..Record::default()
            }),
            changed: tokio::sync::Notify::new(),
        });
        let writer = tokio::spawn(record_loop(
            shared.clone(),
            ctx.apps.clone(),
            app.to_string(),
            commit.to_string(),
        ));
        shared.changed.notify_one();
        Progress {
            shared,
            writer: Some(writer),
        }
    }

    /// Stops recording, once a write in flight has landed (so it cannot overwrite the final
    /// state written next).
    pub(crate) async fn finish(mut self) {
        self.shared.finished.store(true, Ordering::Release);
        self.shared.changed.notify_one();
        if let Some(w) = self.writer.take() {
            let _ = w.await;
        }
    }

    /// True when the sync stopped because the operation was terminated.
    pub(crate) fn terminated(&self) -> bool {
        self.shared.terminated.load(Ordering::Acquire)
    }

    /// The results of the waves that completed.
    pub(crate) fn completed(&self) -> Vec<ResourceResult> {
        self.shared.record.lock().expect("progress").done.clone()
    }

    /// Where the sync is (`Sync wave 1`).
    pub(crate) fn at(&self) -> String {
        self.shared.record.lock().expect("progress").at.clone()
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(w) = self.writer.take() {
            w.abort();
        }
    }
}

impl Observer for Progress {
    fn event(&self, event: &SyncEvent) {
        let mut r = self.shared.record.lock().expect("progress");
        match event {
            SyncEvent::WaveStarted { phase, wave, .. } => {
                r.at = format!("{phase} wave {wave}");
                r.current.clear();
                drop(r);
                self.shared.changed.notify_one();
            }
            SyncEvent::Object { key, action } => {
                let (phase, wave) =
                    r.at.split_once(" wave ")
                        .map(|(p, w)| (p.to_string(), w.parse().unwrap_or(0)))
                        .unwrap_or_default();
                r.current.push(driftless_apply::ObjectResult {
                    key: key.clone(),
                    phase,
                    wave,
                    action: *action,
                    health: None,
                    message: None,
                });
            }
            SyncEvent::WaveDone { .. } => {
                let current = std::mem::take(&mut r.current);
                for o in &current {
                    let mut res = crate::operation::resource_result(o);
                    if self.shared.hooks.contains(&o.key) {
                        res.hook_type = Some(HookType::from(o.phase.as_str()));
                        res.hook_phase = Some(OperationPhase::Succeeded);
                    }
                    r.done.retain(|d| !same_object(d, &res));
                    r.done.push(res);
                }
                drop(r);
                self.shared.changed.notify_one();
            }
            _ => {}
        }
    }

    fn stop(&self) -> Option<String> {
        if self.shared.terminated.load(Ordering::Acquire) {
            Some(TERMINATED.to_string())
        } else if self.shared.stopping.load(Ordering::Acquire) {
            Some("the controller is shutting down".to_string())
        } else {
            None
        }
    }
}

fn same_object(a: &ResourceResult, b: &ResourceResult) -> bool {
    (&a.group, &a.kind, &a.namespace, &a.name) == (&b.group, &b.kind, &b.namespace, &b.name)
}

/// Writes the record when it changes; between writes, looks for `Terminating`.
async fn record_loop(shared: Arc<Shared>, apps: Api<DynamicObject>, name: String, commit: String) {
    let mut tick = tokio::time::interval(POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let seen = tokio::select! {
            _ = shared.changed.notified() => {
                if shared.finished.load(Ordering::Acquire) {
                    return;
                }
                let patch = {
                    let r = shared.record.lock().expect("progress");
                    let message = if r.at.is_empty() {
                        "Sync operation in progress".to_string()
                    } else {
                        format!("Sync operation in progress ({})", r.at)
                    };
                    json!({"status": {"operationState": {
                        "message": message,
                        "syncResult": {"resources": r.done, "revision": commit},
                    }}})
                };
                apps.patch_status(&name, &PatchParams::default(), &Patch::Merge(&patch)).await
            }
            _ = tick.tick() => apps.get(&name).await,
        };
        match seen {
            Ok(obj) if terminating(&obj) => shared.terminated.store(true, Ordering::Release),
            Ok(_) => {}
            Err(e) => tracing::debug!(app = %name, error = %e, "recording sync progress"),
        }
        if shared.finished.load(Ordering::Acquire) {
            return;
        }
    }
}

fn terminating(obj: &DynamicObject) -> bool {
    obj.data
        .pointer("/status/operationState/phase")
        .and_then(|p| p.as_str())
        == Some(OperationPhase::Terminating.as_str())
}

/// The hooks an interrupted run of `app`'s running operation completed at `commit` (with the
/// rest of what it recorded): what a resumed run does not run again. Empty unless the
/// operation state is Running, unfinished (not a failed attempt awaiting its retry) and at
/// `commit`.
pub(crate) fn interrupted_results(app: &Application, commit: &str) -> Vec<ResourceResult> {
    let Some(s) = app.status.as_ref().and_then(|s| s.operation_state.as_ref()) else {
        return Vec::new();
    };
    let Some(r) = &s.sync_result else {
        return Vec::new();
    };
    if s.phase != OperationPhase::Running
        || s.finished_at.is_some()
        || r.revision.as_deref() != Some(commit)
    {
        return Vec::new();
    }
    r.resources.clone()
}

/// The keys of the hooks `results` record as Succeeded.
pub(crate) fn completed_hooks(results: &[ResourceResult]) -> HashSet<ObjectKey> {
    results
        .iter()
        .filter(|r| r.hook_phase == Some(OperationPhase::Succeeded))
        .map(|r| {
            let (group, version) = (
                r.group.as_deref().unwrap_or(""),
                r.version.as_deref().unwrap_or("v1"),
            );
            let api_version = if group.is_empty() {
                version.to_string()
            } else {
                format!("{group}/{version}")
            };
            ObjectKey::new(
                &api_version,
                r.kind.as_deref().unwrap_or(""),
                r.namespace.as_deref().filter(|n| !n.is_empty()),
                r.name.as_deref().unwrap_or(""),
            )
        })
        .collect()
}
