//! Live state from watches: one reflector store per (kind, namespace) that some Application needs.
//!
//! Memory and API load grow with what Driftless manages, not with the cluster: a kind is watched
//! only in the namespaces whose objects an Application renders or tracked before (its inventory),
//! plus the child kinds (ReplicaSets, Pods) that health and the UI's tree read there. Watches start
//! when the first Application asks for a scope and stop when none does. Each watch relists on its
//! own after a dropped connection or `410 Gone`, without touching the others. Until a scope has
//! synced, [`LiveCache::wait_synced`] says so and callers must not prune or guess.

mod scope;
mod watch;

pub use scope::{Scope, scopes_for};

use driftless_apply::ReadCache;
use driftless_core::ObjectKey;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::broadcast;
use watch::Watch;

/// A change seen by a watch: the object's key and its metadata (labels, annotations), enough to
/// find which Application tracks it.
#[derive(Debug, Clone)]
pub struct LiveChange {
    /// The object that changed (or was deleted).
    pub key: ObjectKey,
    /// `{"metadata": {"labels": …, "annotations": …}}` of the object.
    pub meta: Arc<Value>,
}

/// Why live state could not be read.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the live-state cache has not synced {}: {}", .waiting.join(", "), .reason)]
pub struct NotSynced {
    /// The scopes still listing.
    pub waiting: Vec<String>,
    /// The last error of a watch, or "timed out".
    pub reason: String,
}

/// Watch-backed caches of live objects, shared by every Application of an engine.
pub struct LiveCache {
    client: kube::Client,
    watches: Mutex<HashMap<Scope, Watch>>,
    interest: Mutex<HashMap<String, HashSet<Scope>>>,
    changes: broadcast::Sender<LiveChange>,
}

impl LiveCache {
    /// A cache reading through `client`; nothing is watched until [`Self::want`] is called.
    pub fn new(client: kube::Client) -> Arc<Self> {
        Self::with_changes(client, broadcast::channel(4096).0)
    }

    /// A cache reporting its changes on `changes` (shared by the caches of several clusters).
    pub fn with_changes(client: kube::Client, changes: broadcast::Sender<LiveChange>) -> Arc<Self> {
        Arc::new(LiveCache {
            client,
            watches: Mutex::default(),
            interest: Mutex::default(),
            changes,
        })
    }

    /// Changes seen by every watch, for controllers that requeue the owning Application.
    pub fn subscribe(&self) -> broadcast::Receiver<LiveChange> {
        self.changes.subscribe()
    }

    /// Declares the scopes `owner` (an Application) needs, replacing what it needed before;
    /// starts the watches nobody had, stops the ones nobody needs any more.
    pub fn want(&self, owner: &str, scopes: HashSet<Scope>) {
        let needed: HashSet<Scope> = {
            let mut interest = self.interest.lock().expect("interest");
            interest.insert(owner.to_string(), scopes);
            interest.values().flatten().cloned().collect()
        };
        let mut watches = self.watches.lock().expect("watches");
        watches.retain(|scope, _| needed.contains(scope));
        for scope in needed {
            if let std::collections::hash_map::Entry::Vacant(e) = watches.entry(scope) {
                let w = Watch::start(self.client.clone(), e.key(), self.changes.clone());
                e.insert(w);
            }
        }
    }

    /// Forgets what `owner` needed (its Application was deleted).
    pub fn release(&self, owner: &str) {
        self.interest.lock().expect("interest").remove(owner);
        let needed: HashSet<Scope> = self
            .interest
            .lock()
            .expect("interest")
            .values()
            .flatten()
            .cloned()
            .collect();
        self.watches
            .lock()
            .expect("watches")
            .retain(|scope, _| needed.contains(scope));
    }

    /// Waits until every scope of `scopes` has listed once, at most `timeout`.
    pub async fn wait_synced(
        &self,
        scopes: &HashSet<Scope>,
        timeout: Duration,
    ) -> Result<(), NotSynced> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let pending: Vec<(String, Option<String>)> = {
                let watches = self.watches.lock().expect("watches");
                scopes
                    .iter()
                    .filter_map(|s| match watches.get(s) {
                        Some(w) if w.is_synced() => None,
                        Some(w) => Some((s.to_string(), w.last_error())),
                        None => Some((s.to_string(), Some("not watched".into()))),
                    })
                    .collect()
            };
            if pending.is_empty() {
                return Ok(());
            }
            if tokio::time::Instant::now() >= deadline {
                let reason = pending
                    .iter()
                    .find_map(|(_, e)| e.clone())
                    .unwrap_or_else(|| format!("timed out after {timeout:?}"));
                return Err(NotSynced {
                    waiting: pending.into_iter().map(|(s, _)| s).collect(),
                    reason,
                });
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Every cached object of `scopes` that `keep` accepts (as JSON, with apiVersion and kind).
    pub fn objects(&self, scopes: &HashSet<Scope>, keep: &dyn Fn(&Value) -> bool) -> Vec<Value> {
        let watches = self.watches.lock().expect("watches");
        let mut out = Vec::new();
        for s in scopes {
            if let Some(w) = watches.get(s) {
                out.extend(w.objects().into_iter().filter(|o| keep(o)));
            }
        }
        out
    }

    /// The scopes watched now, with how many objects each holds (for metrics and tests).
    pub fn sizes(&self) -> Vec<(String, usize)> {
        let watches = self.watches.lock().expect("watches");
        let mut v: Vec<(String, usize)> = watches
            .iter()
            .map(|(s, w)| (s.to_string(), w.len()))
            .collect();
        v.sort();
        v
    }

    /// The names of the scopes watched now.
    pub fn watched(&self) -> BTreeSet<String> {
        self.watches
            .lock()
            .expect("watches")
            .keys()
            .map(ToString::to_string)
            .collect()
    }

    /// The cached answer for `key`, when a synced watch covers it.
    fn watch_for(&self, key: &ObjectKey) -> Option<Option<Value>> {
        let watches = self.watches.lock().expect("watches");
        let ns_scope = Scope::lookup(key, key.namespace.clone());
        let w = watches
            .get(&ns_scope)
            .or_else(|| watches.get(&Scope::lookup(key, None)))?;
        if !w.is_synced() {
            return None;
        }
        Some(w.get(key.namespace.as_deref(), &key.name))
    }
}

impl ReadCache for LiveCache {
    fn cached(&self, key: &ObjectKey) -> Option<Option<Value>> {
        self.watch_for(key)
    }
}
