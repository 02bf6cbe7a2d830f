//! Comparison from the watch cache: local first, a server-side dry run only where local
//! comparison cannot decide.
//!
//! An object the local comparison finds Synced needs no request. One it finds OutOfSync may only
//! differ by server defaults the comparer cannot know (a defaulted field inside a list item, a
//! mutating webhook): a dry-run apply confirms it, and the answer is remembered for that desired
//! object and that live resourceVersion, so the next reconcile of an unchanged pair asks nothing.

use crate::pipeline::{Comparison, LiveState};
use crate::{RuntimeError, Target};
use driftless_apply::{Cluster, WriteMode};
use driftless_core::{Manifest, ObjectKey, SyncStatus};
use driftless_diff::{Comparer, ObjectDiff};
use futures::stream::{self, StreamExt};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

/// Dry-run verdicts by (object, desired text, live resourceVersion).
#[derive(Default)]
pub(crate) struct DryRunMemo {
    map: Mutex<HashMap<(ObjectKey, u64, String), ObjectDiff>>,
}

/// Entries kept before the memo is cleared (it refills with what is still drifting).
const MEMO_KEPT: usize = 20_000;

impl DryRunMemo {
    fn get(&self, k: &(ObjectKey, u64, String)) -> Option<ObjectDiff> {
        self.map.lock().expect("memo").get(k).cloned()
    }
    fn put(&self, k: (ObjectKey, u64, String), d: ObjectDiff) {
        let mut m = self.map.lock().expect("memo");
        if m.len() >= MEMO_KEPT {
            m.clear();
        }
        m.insert(k, d);
    }
}

/// Compares the target's desired objects with live ones read through `cluster` (which serves
/// reads from the watch cache), and lists tracked objects that left Git.
pub(crate) async fn compare(
    cluster: &Cluster,
    memo: &DryRunMemo,
    t: &Target,
    cmp: &Comparer,
    live: &LiveState,
    server_side: bool,
) -> Result<Comparison, RuntimeError> {
    let wanted: Vec<&Manifest> = live
        .desired
        .iter()
        .filter(|m| !driftless_core::is_hook(&m.object))
        .collect();
    let desired_keys: HashSet<&ObjectKey> = wanted.iter().map(|m| m.key()).collect();
    // Boxed so the future is provably Send for every lifetime (a controller runs it on tokio).
    type Job<'a> = std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<ObjectDiff, RuntimeError>> + Send + 'a>,
    >;
    let jobs: Vec<Job<'_>> = wanted
        .into_iter()
        .map(|m| Box::pin(one(cluster, memo, t, cmp, m, server_side)) as Job<'_>)
        .collect();
    let diffs: Vec<Result<ObjectDiff, RuntimeError>> =
        stream::iter(jobs).buffered(16).collect().await;
    let mut objects = diffs.into_iter().collect::<Result<Vec<_>, _>>()?;
    for obj in &live.tracked {
        if let Some(key) = ObjectKey::from_object(obj)
            && !desired_keys.contains(&key)
            && !driftless_core::is_hook(obj)
        {
            objects.push(cmp.compare(None, Some(obj)));
        }
    }
    Ok(Comparison { objects })
}

async fn one(
    cluster: &Cluster,
    memo: &DryRunMemo,
    t: &Target,
    cmp: &Comparer,
    m: &Manifest,
    server_side: bool,
) -> Result<ObjectDiff, RuntimeError> {
    let Some(current) = cluster.get(m.key()).await? else {
        return Ok(cmp.compare(Some(&m.object), None));
    };
    // What a sync writes carries our tracking mark: compare that, or every object we applied
    // would look different from its live copy (which carries the mark).
    let mut obj = m.object.clone();
    driftless_apply::mark(&mut obj, &t.app, m.key(), t.tracking);
    if !server_side {
        let local = cmp.compare(Some(&obj), Some(&current));
        if local.status == SyncStatus::Synced {
            return Ok(local);
        }
    }
    let memo_key = (
        m.key().clone(),
        fingerprint(&m.object),
        current
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
    );
    if let Some(d) = memo.get(&memo_key) {
        return Ok(d);
    }
    let mode = WriteMode {
        dry_run: true,
        force: true,
        no_validate: false,
    };
    let d = match cluster.apply(m.key(), &obj, mode).await {
        Ok(predicted) => cmp.compare_dry_run(&predicted, Some(&current)),
        Err(e) => {
            tracing::warn!(error = %e, "dry run failed; comparing the rendered object");
            return Ok(cmp.compare(Some(&obj), Some(&current)));
        }
    };
    memo.put(memo_key, d.clone());
    Ok(d)
}

fn fingerprint(v: &Value) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    v.to_string().hash(&mut h);
    h.finish()
}
