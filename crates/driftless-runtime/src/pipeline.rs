//! One sync of one target: fetch → render → plan → diff → apply.

use crate::{RuntimeError, Target};
use driftless_apply::{
    Applier, Cluster, Observer, SyncOptions, SyncResult, SyncSettings, WriteMode,
};
use driftless_core::{Manifest, SyncStatus};
use driftless_diff::{Comparer, IgnoreDifferences, ObjectDiff};
use driftless_plan::{Plan, PlanOptions};
use driftless_source::{RepoCache, RepoUrl, SourceTree};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// The rendered desired state of a target at one commit.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The commit rendered.
    pub commit: String,
    /// The objects, in render order.
    pub manifests: Vec<Manifest>,
    /// Render warnings (duplicates, …).
    pub warnings: Vec<String>,
}

/// Reads the target's repository at `revision`: a local path is read in place (no clone), a URL
/// through the cache in `cache_dir`.
pub fn fetch(t: &Target, revision: &str, cache_dir: &Path) -> Result<SourceTree, RuntimeError> {
    let local = Path::new(&t.repo);
    if !t.repo.contains("://") && local.exists() {
        let (_, tree) = driftless_source::open_local(local, revision)?;
        return Ok(tree);
    }
    let url = RepoUrl::parse(&t.repo)?;
    let cache = RepoCache::new(cache_dir)?;
    let (_, tree) = cache.checkout(&url, &t.credentials, revision)?;
    Ok(tree)
}

/// Fetches and renders the target at `revision`.
pub fn render_at(t: &Target, revision: &str, cache_dir: &Path) -> Result<Rendered, RuntimeError> {
    let tree = fetch(t, revision, cache_dir)?;
    let out = crate::render::render_tree(&tree, t)?;
    Ok(Rendered {
        commit: tree.commit(),
        manifests: out.0,
        warnings: out.1,
    })
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

fn comparer(t: &Target) -> Result<Comparer, RuntimeError> {
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
pub struct LiveState {
    /// Desired objects with namespaces defaulted by discovery.
    pub desired: Vec<Manifest>,
    /// Live objects tracked by the application.
    pub tracked: Vec<Value>,
}

/// Defaults namespaces by discovery and reads what the application tracks.
pub async fn read_live(
    cluster: &Cluster,
    t: &Target,
    rendered: &Rendered,
) -> Result<LiveState, RuntimeError> {
    let mut desired = rendered.manifests.clone();
    driftless_apply::default_namespaces(cluster, &mut desired, &t.namespace).await?;
    let tracked = driftless_apply::tracked_objects(cluster, &t.app, t.tracking).await?;
    Ok(LiveState { desired, tracked })
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
    Ok(driftless_plan::plan(
        &live.desired,
        &driftless_apply::live_inventory(&live.tracked),
        &opts,
    )?)
}

/// Compares the target with the cluster. The desired side of each object is the server's dry-run
/// result of applying it, so server defaults do not show as drift.
pub async fn compare_live(
    cluster: &Cluster,
    t: &Target,
    live: &LiveState,
) -> Result<Comparison, RuntimeError> {
    use futures::stream::{self, StreamExt};
    let cmp = comparer(t)?;
    let is_hook = |obj: &Value| {
        let ann = |k: &str| obj.pointer("/metadata/annotations").and_then(|a| a.get(k));
        ann(driftless_core::annotations::HOOK).is_some()
            || ann(driftless_core::annotations::HELM_HOOK).is_some()
    };
    let wanted: Vec<&Manifest> = live
        .desired
        .iter()
        .filter(|m| !is_hook(&m.object))
        .collect();
    let desired_keys: std::collections::HashSet<&driftless_core::ObjectKey> =
        wanted.iter().map(|m| m.key()).collect();
    let cmp_ref = &cmp;
    // Reads and dry runs of different objects are independent: 16 at a time, in render order.
    let diffs: Vec<Result<ObjectDiff, RuntimeError>> = stream::iter(wanted.iter().copied())
        .map(|m| async move {
            let current = cluster.get(m.key()).await?;
            Ok(match &current {
                None => cmp_ref.compare(Some(&m.object), None),
                Some(cur) => {
                    let mut obj = m.object.clone();
                    driftless_apply::mark(&mut obj, &t.app, m.key(), t.tracking);
                    let mode = WriteMode {
                        dry_run: true,
                        force: true,
                        no_validate: false,
                    };
                    match cluster.apply(m.key(), &obj, mode).await {
                        Ok(predicted) => cmp_ref.compare_dry_run(&predicted, Some(cur)),
                        Err(e) => {
                            tracing::warn!(error = %e, "dry run failed; comparing the rendered object");
                            cmp_ref.compare(Some(&obj), Some(cur))
                        }
                    }
                }
            })
        })
        .buffered(16)
        .collect()
        .await;
    let mut objects = diffs.into_iter().collect::<Result<Vec<_>, _>>()?;
    for obj in &live.tracked {
        if let Some(key) = driftless_core::ObjectKey::from_object(obj)
            && !desired_keys.contains(&key)
            && !is_hook(obj)
        {
            objects.push(cmp.compare(None, Some(obj)));
        }
    }
    Ok(Comparison { objects })
}

/// Syncs the target: plans against the live state, then applies.
pub async fn sync(
    cluster: &Cluster,
    t: &Target,
    rendered: &Rendered,
    settings: &SyncSettings,
    prune: bool,
    observer: &dyn Observer,
) -> Result<(Plan, SyncResult), RuntimeError> {
    let live = read_live(cluster, t, rendered).await?;
    let plan = plan(t, rendered, &live, prune)?;
    let result = Applier::new(cluster, observer)
        .with_comparer(comparer(t)?)
        .sync(&plan, settings)
        .await?;
    Ok((plan, result))
}
