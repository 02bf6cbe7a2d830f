//! Waiting for objects to become healthy, judged on fresh reads (no fixed sleeps between waves).

use crate::{ApplyError, Cluster, Observer, SyncEvent};
use driftless_core::{Health, HealthStatus, ObjectKey};
use driftless_health::HealthRegistry;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// How long to wait.
#[derive(Debug, Clone, Copy)]
pub struct WaitLimits {
    /// Deadline for one wave.
    pub wave: Duration,
    /// Deadline for the whole sync (checked by the caller against its own start).
    pub deadline: Instant,
    /// First poll interval; it grows to 1 s.
    pub poll: Duration,
}

/// Waits until every object in `keys` is Healthy (or has no health, like a ConfigMap).
///
/// Progressing, Suspended and Missing keep waiting (hooks excepted: the caller handles them);
/// Degraded fails at once. Unknown keeps waiting. On timeout the error names every object that
/// was still not healthy and its last health.
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
    let mut pending: BTreeMap<ObjectKey, Health> = keys
        .iter()
        .map(|k| {
            (
                k.clone(),
                Health::new(HealthStatus::Progressing, "not read yet"),
            )
        })
        .collect();
    let mut poll = limits.poll;
    loop {
        let mut done = Vec::new();
        for (key, last) in pending.iter_mut() {
            let live = cluster.get(key).await?;
            let h = match &live {
                None => Health::new(HealthStatus::Missing, "not found"),
                Some(obj) => match health.assess(obj) {
                    None => Health::healthy(),
                    Some(h) => h,
                },
            };
            if *last != h {
                observer.event(&SyncEvent::Health {
                    key: key.clone(),
                    health: h.clone(),
                });
            }
            match h.status {
                HealthStatus::Healthy => done.push(key.clone()),
                HealthStatus::Degraded => {
                    return Err(ApplyError::Degraded {
                        key: key.clone(),
                        health: h,
                    });
                }
                _ => {}
            }
            *last = h;
        }
        for k in done {
            pending.remove(&k);
        }
        if pending.is_empty() {
            return Ok(());
        }
        if Instant::now() + poll > deadline {
            let waited = started.elapsed();
            return Err(ApplyError::Timeout {
                scope: scope.to_string(),
                after: waited,
                waiting: pending.into_iter().collect(),
            });
        }
        tokio::time::sleep(poll).await;
        poll = (poll * 2).min(Duration::from_secs(1));
    }
}
