//! The values passed between stages (renders, live state, comparisons) and the pure steps on
//! them (offline comparison of two renders, planning); the I/O is the [`crate::Engine`]'s.

use crate::{RuntimeError, Target};
use driftless_apply::SyncOptions;
use driftless_core::{Manifest, SyncStatus};
use driftless_diff::{Comparer, IgnoreDifferences, ObjectDiff};
use driftless_plan::{Plan, PlanOptions};
use serde_json::Value;
use std::collections::BTreeMap;

/// The rendered desired state of a target at one commit.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The commit rendered (the first source's, for a multi-source target).
    pub commit: String,
    /// The commit of every source, in source order (one entry for a single source); a
    /// multi-source Application's `status.sync.revisions`.
    pub revisions: Vec<String>,
    /// The objects, in render order (source by source for a multi-source target).
    pub manifests: Vec<Manifest>,
    /// Render warnings (duplicates, …).
    pub warnings: Vec<String>,
    /// How each source was rendered (`Helm`, `Kustomize`, `Directory`, `Plugin`), in source
    /// order; empty for a ref-only source, which renders nothing.
    pub source_types: Vec<String>,
}

/// The comparison of a target with the cluster (or with another revision).
#[derive(Debug, Default)]
pub struct Comparison {
    /// One entry per object, desired ones in render order, then objects to prune.
    pub objects: Vec<ObjectDiff>,
}

impl Comparison {
    /// True when every object is Synced.
    pub fn in_sync(&self) -> bool {
        self.objects.iter().all(|o| o.status == SyncStatus::Synced)
    }
}

/// The comparer for the target's ignoreDifferences.
pub fn comparer(t: &Target) -> Result<Comparer, RuntimeError> {
    let rules = t
        .ignore_differences
        .iter()
        .enumerate()
        .map(|(index, v)| {
            serde_json::from_value::<IgnoreDifferences>(v.clone()).map_err(|e| {
                RuntimeError::IgnoreEntry {
                    index,
                    message: e.to_string(),
                }
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Comparer::new(&rules)?)
}

/// Compares two renders with no cluster: `new` as desired, `old` as live.
pub fn compare_renders(
    t: &Target,
    new: &Rendered,
    old: &Rendered,
) -> Result<Comparison, RuntimeError> {
    let cmp = comparer(t)?;
    let mut new_ms = new.manifests.clone();
    let mut old_ms = old.manifests.clone();
    driftless_apply::default_namespaces_offline(&mut new_ms, &t.namespace);
    driftless_apply::default_namespaces_offline(&mut old_ms, &t.namespace);
    let live: Vec<Value> = old_ms.into_iter().map(|m| m.object).collect();
    Ok(Comparison {
        objects: cmp.compare_all(&new_ms, &live),
    })
}

/// Everything a live operation needs about the cluster side.
#[derive(Debug, Clone, Default)]
pub struct LiveState {
    /// Desired objects with namespaces defaulted by discovery.
    pub desired: Vec<Manifest>,
    /// Live objects tracked by the application.
    pub tracked: Vec<Value>,
}

/// Plans a sync of the target against the live state.
pub fn plan(
    t: &Target,
    rendered: &Rendered,
    live: &LiveState,
    prune: bool,
) -> Result<Plan, RuntimeError> {
    let options = SyncOptions::parse(&t.sync_options)?;
    if live.desired.is_empty() && !live.tracked.is_empty() && !t.allow_empty {
        return Err(RuntimeError::EmptyRender {
            path: t.path.clone(),
            tracked: live.tracked.len(),
        });
    }
    let sync_options: BTreeMap<String, String> = t
        .sync_options
        .iter()
        .filter_map(|o| o.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let opts = PlanOptions {
        prune,
        prune_last: options.prune_last,
        sync_options,
        revision: rendered.commit.clone(),
        started_at: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0),
    };
    let desired = if options.respect_ignore_differences {
        std::borrow::Cow::Owned(keep_ignored_live(t, live)?)
    } else {
        std::borrow::Cow::Borrowed(&live.desired)
    };
    Ok(driftless_plan::plan(
        &desired,
        &driftless_apply::live_inventory(&live.tracked),
        &opts,
    )?)
}

/// `RespectIgnoreDifferences=true`: the desired objects with every field the application's
/// `ignoreDifferences` ignore set to its live value (Argo CD's `normalizeTargetResources`), so a
/// sync does not overwrite them. Objects not live yet are created as Git has them.
fn keep_ignored_live(t: &Target, live: &LiveState) -> Result<Vec<Manifest>, RuntimeError> {
    let cmp = comparer(t)?;
    let by_key: std::collections::HashMap<driftless_core::ObjectKey, &Value> = live
        .tracked
        .iter()
        .filter_map(|o| Some((driftless_core::ObjectKey::from_object(o)?, o)))
        .collect();
    Ok(live
        .desired
        .iter()
        .map(|m| match by_key.get(m.key()) {
            Some(l) => {
                let mut m = m.clone();
                m.object = cmp.keep_ignored_live(&m.object, l);
                m
            }
            None => m.clone(),
        })
        .collect())
}
