//! Reads served from a watch-backed cache instead of the API server.
//!
//! The applier reads an object many times in one sync (ownership check, health waits, final
//! health). With a [`ReadCache`] attached to a [`crate::Cluster`], those reads come from memory when
//! the cache holds the object's kind and is synced; every write records the resourceVersion the
//! server answered, and a cached copy older than our own write is never trusted (the read goes to
//! the server instead), so a health wait never judges the object as it was before the write.

use driftless_core::ObjectKey;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Mutex;

/// A read-only view of live objects kept by watches.
pub trait ReadCache: Send + Sync {
    /// `Some(Some(obj))` or `Some(None)` (known absent) when the cache holds `key`'s kind in
    /// `key`'s namespace and has synced; `None` when it cannot answer (the caller asks the server).
    fn cached(&self, key: &ObjectKey) -> Option<Option<Value>>;
}

/// What we wrote last, per object: reads older than that go to the server.
#[derive(Default)]
pub(crate) struct Freshness {
    written: Mutex<HashMap<ObjectKey, Written>>,
}

#[derive(Clone, Copy)]
enum Written {
    /// Applied: the cache must have at least this resourceVersion.
    At(u64),
    /// Deleted: a cached absence is trusted, a cached copy is not.
    Deleted,
    /// Written with an answer we could not order: ask the server.
    Unordered,
}

impl Freshness {
    /// Records a write whose answer was `response` (`None` for deletes).
    pub(crate) fn wrote(&self, key: &ObjectKey, response: Option<&Value>) {
        let w = match response {
            None => Written::Deleted,
            Some(r) => resource_version(r).map_or(Written::Unordered, Written::At),
        };
        self.written
            .lock()
            .expect("freshness")
            .insert(key.clone(), w);
    }

    /// The cached answer for `key`, when it is at least as new as our last write of it.
    pub(crate) fn accept(&self, key: &ObjectKey, cached: Option<Value>) -> Option<Option<Value>> {
        let written = self.written.lock().expect("freshness").get(key).copied();
        match (written, &cached) {
            (None, _) => Some(cached),
            (Some(Written::At(rv)), Some(obj))
                if resource_version(obj).is_some_and(|c| c >= rv) =>
            {
                Some(cached)
            }
            (Some(Written::Deleted), None) => Some(None),
            _ => None,
        }
    }
}

/// resourceVersion as a number: opaque to clients by contract, but an etcd revision (a
/// decimal) in every real server and in the simulator; anything else is treated as unordered.
fn resource_version(obj: &Value) -> Option<u64> {
    obj.pointer("/metadata/resourceVersion")?
        .as_str()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cm(rv: &str) -> Value {
        json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "c", "namespace": "n", "resourceVersion": rv}})
    }

    #[test]
    fn a_cached_copy_older_than_our_write_is_not_trusted() {
        let f = Freshness::default();
        let key = ObjectKey::from_object(&cm("1")).unwrap();
        assert_eq!(f.accept(&key, Some(cm("5"))), Some(Some(cm("5"))));
        f.wrote(&key, Some(&cm("7")));
        assert_eq!(f.accept(&key, Some(cm("5"))), None);
        assert_eq!(f.accept(&key, None), None);
        assert_eq!(f.accept(&key, Some(cm("7"))), Some(Some(cm("7"))));
        f.wrote(&key, None);
        assert_eq!(f.accept(&key, Some(cm("9"))), None);
        assert_eq!(f.accept(&key, None), Some(None));
    }
}
