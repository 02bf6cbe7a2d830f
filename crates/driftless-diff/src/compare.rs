//! Comparing one desired object with its live counterpart.

use crate::ignore::Rule;
use crate::normalize::{LAST_APPLIED, drop_empty, normalize, restrict_to};
use crate::path::{self, Path, Seg};
use crate::{DiffError, IgnoreDifferences, managed};
use driftless_core::{Manifest, ObjectKey, SyncStatus};
use serde::Serialize;
use serde_json::Value;

/// Compares desired and live objects with a fixed set of ignore rules.
///
/// ```
/// use driftless_diff::Comparer;
/// use driftless_core::SyncStatus;
/// let desired = serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
///     "metadata": {"name": "c", "namespace": "ns"}, "data": {"a": "1"}});
/// let mut live = desired.clone();
/// live["metadata"]["uid"] = "8f0e".into();
/// live["metadata"]["labels"] = serde_json::json!({"added-by": "someone"});
/// let cmp = Comparer::new(&[]).unwrap();
/// assert_eq!(cmp.compare(Some(&desired), Some(&live)).status, SyncStatus::Synced);
/// live["data"]["a"] = "2".into();
/// let d = cmp.compare(Some(&desired), Some(&live));
/// assert_eq!(d.status, SyncStatus::OutOfSync);
/// assert!(d.unified(false).contains("-  a: '2'\n+  a: '1'"));
/// ```
#[derive(Debug)]
pub struct Comparer {
    rules: Vec<Rule>,
    field_manager: String,
    ignore_managers: Vec<String>,
}

/// The comparison of one object.
///
/// `desired` and `live` are the normalised views that were compared, with
/// Secret values already masked: nothing here can leak a Secret.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectDiff {
    /// The object.
    pub key: ObjectKey,
    /// Synced, OutOfSync, Missing (not live) or RequiresPruning (not desired).
    pub status: SyncStatus,
    /// The desired side as compared (redacted); `None` when not desired.
    pub desired: Option<Value>,
    /// The live side as compared (redacted); `None` when not live.
    pub live: Option<Value>,
    /// The object carries `argocd.argoproj.io/compare-options: IgnoreExtraneous`
    /// (desired or live): when it requires pruning, that does not make the
    /// application OutOfSync (see [`app_status`]).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub ignore_extraneous: bool,
}

/// The sync status of a whole application from its objects' diffs: Synced
/// when every object is Synced, or requires pruning but is marked
/// `IgnoreExtraneous`; OutOfSync otherwise.
///
/// ```
/// use driftless_core::SyncStatus;
/// let cmp = driftless_diff::Comparer::new(&[]).unwrap();
/// let cm = serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}});
/// let diffs = vec![cmp.compare(Some(&cm), Some(&cm))];
/// assert_eq!(driftless_diff::app_status(&diffs), SyncStatus::Synced);
/// let diffs = vec![cmp.compare(None, Some(&cm))];
/// assert_eq!(driftless_diff::app_status(&diffs), SyncStatus::OutOfSync);
/// ```
pub fn app_status(diffs: &[ObjectDiff]) -> SyncStatus {
    let in_sync = diffs.iter().all(|d| {
        d.status == SyncStatus::Synced
            || (d.status == SyncStatus::RequiresPruning && d.ignore_extraneous)
    });
    if in_sync {
        SyncStatus::Synced
    } else {
        SyncStatus::OutOfSync
    }
}

impl Comparer {
    /// A comparer for Argo CD `ignoreDifferences` entries; fails on an
    /// invalid jq expression. The field manager defaults to `driftless`.
    pub fn new(ignore: &[IgnoreDifferences]) -> Result<Self, DiffError> {
        Ok(Comparer {
            rules: ignore.iter().map(Rule::compile).collect::<Result<_, _>>()?,
            field_manager: driftless_core::annotations::FIELD_MANAGER.to_string(),
            ignore_managers: Vec::new(),
        })
    }

    /// Sets the field manager whose managed fields count as "applied by us".
    pub fn with_field_manager(mut self, manager: &str) -> Self {
        self.field_manager = manager.to_string();
        self
    }

    /// Ignores, for every object, the fields live `managedFields` says these
    /// managers own (e.g. `kube-controller-manager` for HPA-driven replicas).
    pub fn with_ignored_managers(mut self, managers: &[&str]) -> Self {
        self.ignore_managers = managers.iter().map(|s| s.to_string()).collect();
        self
    }

    /// Compares `desired` with `live` offline.
    ///
    /// Fields that only `live` has are ignored (server defaults, fields set
    /// by controllers) unless Driftless applied them before and desired no
    /// longer has them: those are shown as to be removed. "Applied before"
    /// means owned by our field manager in live `managedFields` (server-side
    /// apply), or present in kubectl's last-applied-configuration annotation
    /// (client-side apply).
    pub fn compare(&self, desired: Option<&Value>, live: Option<&Value>) -> ObjectDiff {
        self.run(desired, live, false)
    }

    /// Compares a server-side dry-run result of applying the desired object
    /// (the predicted live object, with server defaults) with `live`: every
    /// field counts, except server-owned metadata, status and ignored ones.
    pub fn compare_dry_run(&self, predicted: &Value, live: Option<&Value>) -> ObjectDiff {
        self.run(Some(predicted), live, true)
    }

    fn run(&self, desired: Option<&Value>, live: Option<&Value>, exact: bool) -> ObjectDiff {
        let key = desired
            .or(live)
            .and_then(ObjectKey::from_object)
            .unwrap_or_else(|| ObjectKey::new("", "", None, ""));
        let ignore_extraneous = [desired, live].into_iter().flatten().any(|o| {
            crate::annotations_csv(o, driftless_core::annotations::COMPARE_OPTIONS)
                .any(|opt| opt == "IgnoreExtraneous")
        });
        let mut d = desired.map(normalize);
        let mut l = live.map(normalize);
        if let (Some(dv), Some(lv), false) = (d.as_mut(), l.as_mut(), exact) {
            drop_empty(dv);
            let mut view = restrict_to(dv, lv);
            for p in self.applied_by_us(live.expect("live is some"), dv) {
                path::copy_missing(&mut view, lv, &p);
            }
            *lv = view;
        }
        if let (Some(dv), Some(lv)) = (d.as_mut(), l.as_ref()) {
            crate::quantity::align(dv, lv);
        }
        for v in [d.as_mut(), l.as_mut()].into_iter().flatten() {
            self.ignore(&key, v, live);
        }
        let status = match (&d, &l) {
            (Some(a), Some(b)) if a == b => SyncStatus::Synced,
            (Some(_), Some(_)) => SyncStatus::OutOfSync,
            (Some(_), None) => SyncStatus::Missing,
            (None, _) => SyncStatus::RequiresPruning,
        };
        crate::redact::redact(&mut [d.as_mut(), l.as_mut()]);
        ObjectDiff {
            key,
            status,
            desired: d,
            live: l,
            ignore_extraneous,
        }
    }

    /// Live paths we applied before that `desired` no longer mentions.
    fn applied_by_us(&self, live: &Value, desired: &Value) -> Vec<Path> {
        let ours = managed::field_sets(live, &|m, op| m == self.field_manager && op == "Apply");
        let mut paths = managed::owned_paths(&ours, live);
        if let Some(text) = live
            .pointer("/metadata/annotations")
            .and_then(|a| a.get(LAST_APPLIED))
            .and_then(Value::as_str)
            && let Ok(applied) = serde_json::from_str::<Value>(text)
        {
            leaf_keys(&applied, &mut Vec::new(), &mut paths);
        }
        paths.retain(|p| !is_server_owned(p) && path::get(desired, p).is_none());
        paths
    }

    pub(crate) fn ignore(&self, key: &ObjectKey, v: &mut Value, live: Option<&Value>) {
        if !self.ignore_managers.is_empty()
            && let Some(live) = live
        {
            let sets =
                managed::field_sets(live, &|m, _| self.ignore_managers.iter().any(|x| x == m));
            let mut paths = managed::owned_paths(&sets, v);
            path::remove_all(v, &mut paths);
        }
        for r in self.rules.iter().filter(|r| r.matches(key)) {
            r.apply(v, live);
        }
    }

    /// Compares every desired object with its live counterpart (matched by
    /// group, kind, namespace and name) and reports tracked live objects that
    /// are not desired as RequiresPruning. Hooks are left out on both sides.
    /// Sorted by key.
    pub fn compare_all(&self, desired: &[Manifest], live: &[Value]) -> Vec<ObjectDiff> {
        let mut by_key: std::collections::HashMap<ObjectKey, &Value> = live
            .iter()
            .filter(|l| !is_hook(l))
            .filter_map(|l| Some((ObjectKey::from_object(l)?, l)))
            .collect();
        let mut out: Vec<ObjectDiff> = desired
            .iter()
            .filter(|m| !is_hook(&m.object))
            .map(|m| self.compare(Some(&m.object), by_key.remove(m.key())))
            .collect();
        out.extend(by_key.into_values().map(|l| self.compare(None, Some(l))));
        out.sort_by(|a, b| a.key.cmp(&b.key));
        out
    }
}

fn is_server_owned(p: &Path) -> bool {
    match p.as_slice() {
        [Seg::Key(top), ..] if top == "status" => true,
        [Seg::Key(m), Seg::Key(f), ..] if m == "metadata" => {
            crate::normalize::SERVER_METADATA.contains(&f.as_str())
        }
        _ => false,
    }
}

/// Paths of map leaves (lists count as leaves: client-side apply replaces them).
fn leaf_keys(v: &Value, path: &mut Path, out: &mut Vec<Path>) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, child) in m {
                path.push(Seg::Key(k.clone()));
                leaf_keys(child, path, out);
                path.pop();
            }
        }
        _ => out.push(path.clone()),
    }
}

pub(crate) use driftless_core::is_hook;
