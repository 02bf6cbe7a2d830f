//! One-shot commands (`driftless plan`, `diff`, `sync` and the tests): the same engine calls as
//! the controller, with the inventory ConfigMap standing in for `status.resources`.

use crate::pipeline::{Comparison, LiveState, Rendered};
use crate::{Engine, RuntimeError, SyncRequest, Target, inventory};
use driftless_apply::{Action, Observer, SyncResult, SyncSettings};
use driftless_core::ObjectKey;
use driftless_plan::Plan;
use std::collections::BTreeSet;
use std::sync::Arc;

/// What a one-shot sync did.
#[derive(Debug)]
pub struct SyncOutcome {
    /// The render that was synced.
    pub rendered: Arc<Rendered>,
    /// The plan that ran.
    pub plan: Plan,
    /// Per-object results.
    pub result: SyncResult,
}

impl Engine {
    /// Live state for a one-shot command: the target's inventory ConfigMap says what it
    /// applied before.
    pub async fn live_oneshot(
        &self,
        t: &Target,
        rendered: &Rendered,
    ) -> Result<LiveState, RuntimeError> {
        let cluster = self.cluster().ok_or(RuntimeError::NotConnected)?;
        let inv = inventory::read(cluster, t).await?;
        self.live(t, rendered, &inv).await
    }

    /// Renders the target and compares it with the cluster.
    pub async fn diff_oneshot(
        &self,
        t: &Target,
        server_side: bool,
    ) -> Result<(Arc<Rendered>, Comparison), RuntimeError> {
        let rendered = self.render(t).await?;
        let live = self.live_oneshot(t, &rendered).await?;
        let cmp = self.compare(t, &live, server_side).await?;
        Ok((rendered, cmp))
    }

    /// Renders the target, syncs it, and records its inventory (unless a dry run). A failed
    /// sync is `RuntimeError::Sync` with the partial result; the inventory is recorded then too.
    pub async fn sync_oneshot(
        &self,
        t: &Target,
        req: &SyncRequest,
        settings: &SyncSettings,
        observer: &dyn Observer,
    ) -> Result<SyncOutcome, RuntimeError> {
        let rendered = self.render(t).await?;
        self.sync_rendered_oneshot(t, rendered, req, settings, observer)
            .await
    }

    /// As [`Self::sync_oneshot`], for a render already made.
    pub async fn sync_rendered_oneshot(
        &self,
        t: &Target,
        rendered: Arc<Rendered>,
        req: &SyncRequest,
        settings: &SyncSettings,
        observer: &dyn Observer,
    ) -> Result<SyncOutcome, RuntimeError> {
        let cluster = self.cluster().ok_or(RuntimeError::NotConnected)?.clone();
        let before = inventory::read(&cluster, t).await?;
        let live = self.live(t, &rendered, &before).await?;
        let out = self
            .sync(t, &rendered, &live, req, settings, observer)
            .await;
        if !settings.dry_run {
            let result = match &out {
                Ok((_, r)) => Some(r),
                Err(RuntimeError::Sync(f)) => Some(&f.result),
                Err(_) => None,
            };
            if let Some(result) = result {
                let now = tracked_after(&live, result);
                inventory::write(&cluster, t, &now).await?;
            }
        }
        let (plan, result) = out?;
        Ok(SyncOutcome {
            rendered,
            plan,
            result,
        })
    }
}

/// What the target tracks after a sync: what it desired and what it tracked before (found
/// through the previous inventory), without what was pruned. Hooks are not inventory.
fn tracked_after(live: &LiveState, result: &SyncResult) -> Vec<ObjectKey> {
    let pruned: BTreeSet<&ObjectKey> = result
        .objects
        .iter()
        .filter(|o| o.action == Action::Pruned)
        .map(|o| &o.key)
        .collect();
    let desired = live
        .desired
        .iter()
        .filter(|m| !driftless_core::is_hook(&m.object))
        .map(|m| m.key().clone());
    let tracked = live.tracked.iter().filter_map(ObjectKey::from_object);
    desired
        .chain(tracked)
        .filter(|k| !pruned.contains(k))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}
