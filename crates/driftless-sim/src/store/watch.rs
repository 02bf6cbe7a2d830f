//! Watch: the event history and per-watcher streams.

use std::collections::VecDeque;
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::broadcast;

use super::{FieldSelector, LabelSelector, Store};
use crate::registry::{GroupResource, ResourceRef};
use crate::status::ApiError;

/// The type of a watch event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// The object was created (or entered the watcher's selection).
    Added,
    /// The object changed.
    Modified,
    /// The object was deleted (or left the watcher's selection).
    Deleted,
}

impl EventType {
    /// `ADDED`, `MODIFIED` or `DELETED`, as on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "ADDED",
            Self::Modified => "MODIFIED",
            Self::Deleted => "DELETED",
        }
    }
}

/// One change in the store.
#[derive(Debug, Clone)]
pub struct WatchEvent {
    /// What happened.
    pub event_type: EventType,
    /// The group/resource of the object.
    pub resource: GroupResource,
    /// The object's namespace ("" for cluster-scoped).
    pub namespace: String,
    /// The object after the change (its last state for deletions), in stored version.
    pub object: Arc<Value>,
    /// The object before the change (for modifications and deletions).
    pub previous: Option<Arc<Value>>,
    /// The resourceVersion of this change.
    pub resource_version: u64,
}

/// A stream of events of one resource (optionally one namespace and selectors).
/// Ends (`next` returns None) when the watcher falls too far behind; clients re-list.
pub struct WatchStream {
    backlog: VecDeque<Arc<WatchEvent>>,
    rx: broadcast::Receiver<Arc<WatchEvent>>,
    resource: GroupResource,
    namespace: Option<String>,
    labels: LabelSelector,
    fields: FieldSelector,
    last_rv: u64,
}

impl std::fmt::Debug for WatchStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WatchStream")
            .field("resource", &self.resource)
            .finish()
    }
}

impl WatchStream {
    /// Restricts the stream to objects matching selectors. An object that stops
    /// matching is reported as DELETED, one that starts matching as ADDED.
    pub fn with_selectors(mut self, labels: LabelSelector, fields: FieldSelector) -> Self {
        self.labels = labels;
        self.fields = fields;
        self
    }

    /// Whether replayed or initial events are still queued.
    pub fn has_backlog(&self) -> bool {
        !self.backlog.is_empty()
    }

    fn matches(&self, o: &Value) -> bool {
        self.labels.matches_object(o) && self.fields.matches(o)
    }

    fn filter(&self, ev: &WatchEvent) -> Option<(EventType, Arc<Value>)> {
        if ev.resource != self.resource {
            return None;
        }
        if let Some(ns) = &self.namespace
            && *ns != ev.namespace
        {
            return None;
        }
        let now = self.matches(&ev.object);
        match ev.event_type {
            EventType::Added => now.then(|| (EventType::Added, ev.object.clone())),
            EventType::Deleted => now.then(|| (EventType::Deleted, ev.object.clone())),
            EventType::Modified => {
                let before = ev.previous.as_ref().is_none_or(|p| self.matches(p));
                match (before, now) {
                    (true, true) => Some((EventType::Modified, ev.object.clone())),
                    (false, true) => Some((EventType::Added, ev.object.clone())),
                    (true, false) => Some((EventType::Deleted, ev.object.clone())),
                    (false, false) => None,
                }
            }
        }
    }

    /// The next event: its type and the object (stored version). None when the stream
    /// ended (watcher lagged or store dropped).
    pub async fn next(&mut self) -> Option<(EventType, Arc<Value>)> {
        loop {
            let ev = match self.backlog.pop_front() {
                Some(e) => e,
                None => match self.rx.recv().await {
                    Ok(e) => e,
                    Err(broadcast::error::RecvError::Lagged(_)) => return None,
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
            };
            if ev.resource_version <= self.last_rv && ev.event_type != EventType::Added {
                continue;
            }
            self.last_rv = self.last_rv.max(ev.resource_version);
            if let Some(out) = self.filter(&ev) {
                return Some(out);
            }
        }
    }
}

impl Store {
    /// Watches a resource (in `namespace`, or all namespaces with None).
    ///
    /// With `from = None` the stream starts with a synthetic ADDED event per existing
    /// object, then follows changes. With `Some(rv)` it replays changes after `rv`
    /// from the history, or fails with 410 Gone when `rv` is older than the history.
    pub fn watch(
        &self,
        r: &ResourceRef,
        namespace: Option<&str>,
        from: Option<u64>,
    ) -> Result<WatchStream, ApiError> {
        let rt = self.resource_type(r)?;
        let gr = rt.group_resource();
        let namespace = if rt.namespaced {
            namespace.map(str::to_string)
        } else {
            None
        };
        let state = self.read();
        let mut backlog = VecDeque::new();
        let last_rv = match from {
            None => {
                if let Some(map) = state.objects.get(&gr) {
                    for ((ns, _), o) in map {
                        if namespace.as_ref().is_some_and(|n| n != ns) {
                            continue;
                        }
                        let rv = o
                            .pointer("/metadata/resourceVersion")
                            .and_then(Value::as_str)
                            .and_then(|s| s.parse().ok())
                            .unwrap_or(0);
                        backlog.push_back(Arc::new(WatchEvent {
                            event_type: EventType::Added,
                            resource: gr.clone(),
                            namespace: ns.clone(),
                            object: o.clone(),
                            previous: None,
                            resource_version: rv,
                        }));
                    }
                }
                state.rv
            }
            Some(rv) => {
                if rv < state.oldest_rv {
                    return Err(ApiError::gone(format!(
                        "too old resource version: {rv} ({})",
                        state.oldest_rv
                    )));
                }
                for ev in state.history.iter().filter(|e| e.resource_version > rv) {
                    if ev.resource == gr {
                        backlog.push_back(ev.clone());
                    }
                }
                rv
            }
        };
        let rx = self.inner.events.subscribe();
        drop(state);
        Ok(WatchStream {
            backlog,
            rx,
            resource: gr,
            namespace,
            labels: LabelSelector::default(),
            fields: FieldSelector::default(),
            last_rv,
        })
    }
}
