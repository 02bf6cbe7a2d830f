//! Waiting for objects to become healthy (or gone), judged on fresh reads: no fixed sleeps.

use crate::{ApplyError, Cluster, Observer, SyncEvent};
use driftless_core::{Health, HealthStatus, ObjectKey};
use driftless_health::HealthRegistry;
use futures::stream::{self, StreamExt};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// How long to wait.
#[derive(Debug, Clone, Copy)]
pub struct WaitLimits {
    /// Deadline for one wave.
    pub wave: Duration,
    /// Deadline for the whole sync.
    pub deadline: Instant,
    /// First poll interval; it grows to 1 s.
    pub poll: Duration,
}

/// Reads done at once while polling.
const READS_AT_ONCE: usize = 16;

/// Waits until every object in `keys` is Healthy (or has no health, like a ConfigMap).
///
/// Progressing, Suspended, Missing and Unknown keep waiting; Degraded fails at once, with what
/// the object's pods say. On timeout the error names every object still not healthy, its last
/// health and its pods' complaints.
pub async fn until_healthy(
    cluster: &Cluster,
    health: &HealthRegistry,
    keys: &[ObjectKey],
    scope: &str,
    limits: WaitLimits,
    observer: &dyn Observer,
) -> Result<(), ApplyError> {
    let started = Instant::now();
    let deadline = limits.deadline.min(started + limits.wave);
    let scope = &scope_of(scope, limits, started);
    let mut pending: BTreeMap<ObjectKey, Option<Health>> =
        keys.iter().map(|k| (k.clone(), None)).collect();
    let mut poll = limits.poll;
    loop {
        let reads: Vec<(ObjectKey, Result<Health, ApplyError>)> =
            stream::iter(pending.keys().cloned())
                .map(|key| async move {
                    let live = cluster.get(&key).await;
                    let h = live.map(|live| match &live {
                        None => Health::new(HealthStatus::Missing, "not found"),
                        Some(obj) => health.assess(obj).unwrap_or_else(Health::healthy),
                    });
                    (key, h)
                })
                .buffer_unordered(READS_AT_ONCE)
                .collect()
                .await;
        let mut reads = reads;
        reads.sort_by(|a, b| a.0.cmp(&b.0));
        for (key, h) in reads {
            let h = h?;
            let last = pending.get_mut(&key).expect("pending key");
            if last.as_ref() != Some(&h) {
                observer.event(&SyncEvent::Health {
                    key: key.clone(),
                    health: h.clone(),
                });
            }
            match h.status {
                HealthStatus::Healthy => {
                    pending.remove(&key);
                }
                HealthStatus::Degraded => {
                    let detail = crate::explain::pod_problems(cluster, &key).await;
                    return Err(ApplyError::Degraded {
                        key,
                        health: h,
                        detail,
                    });
                }
                _ => *last = Some(h),
            }
        }
        if pending.is_empty() {
            return Ok(());
        }
        if let Some(reason) = observer.stop() {
            return Err(ApplyError::Stopped {
                at: scope.to_string(),
                reason,
            });
        }
        let now = Instant::now();
        if now >= deadline {
            let mut waiting = Vec::new();
            for (key, h) in pending {
                let mut h = h.unwrap_or_else(|| Health::new(HealthStatus::Unknown, "not read"));
                let problems = crate::explain::pod_problems(cluster, &key).await;
                if !problems.is_empty() {
                    h.message = format!("{} ({})", h.message, problems.join("; "));
                }
                waiting.push((key, h));
            }
            return Err(ApplyError::Timeout {
                scope: scope.to_string(),
                after: started.elapsed(),
                waiting,
            });
        }
        // The last read happens at the deadline itself.
        tokio::time::sleep(poll.min(deadline - now)).await;
        poll = (poll * 2).min(Duration::from_secs(1));
    }
}

/// Waits until none of `keys` exists any more (pruned objects, hooks being replaced).
pub async fn until_gone(
    cluster: &Cluster,
    keys: &[ObjectKey],
    scope: &str,
    limits: WaitLimits,
) -> Result<(), ApplyError> {
    let started = Instant::now();
    let deadline = limits.deadline.min(started + limits.wave);
    let scope = &scope_of(scope, limits, started);
    let mut pending: Vec<ObjectKey> = keys.to_vec();
    let mut poll = Duration::from_millis(20);
    loop {
        let reads: Vec<(ObjectKey, Result<bool, ApplyError>)> = stream::iter(pending.clone())
            .map(|key| async move {
                let exists = cluster.get(&key).await.map(|o| o.is_some());
                (key, exists)
            })
            .buffer_unordered(READS_AT_ONCE)
            .collect()
            .await;
        pending.clear();
        for (key, exists) in reads {
            if exists? {
                pending.push(key);
            }
        }
        if pending.is_empty() {
            return Ok(());
        }
        let now = Instant::now();
        if now >= deadline {
            pending.sort();
            return Err(ApplyError::Timeout {
                scope: scope.to_string(),
                after: started.elapsed(),
                waiting: pending
                    .into_iter()
                    .map(|k| {
                        (
                            k,
                            Health::new(HealthStatus::Progressing, "still being deleted"),
                        )
                    })
                    .collect(),
            });
        }
        tokio::time::sleep(poll.min(deadline - now)).await;
        poll = (poll * 2).min(Duration::from_millis(500));
    }
}

/// `scope`, saying when the whole sync's deadline (not the wave's) is the one that binds.
fn scope_of(scope: &str, limits: WaitLimits, started: Instant) -> String {
    if limits.deadline < started + limits.wave {
        format!("{scope}, sync deadline")
    } else {
        format!("{scope}, wave deadline")
    }
}
