//! One running watch: a `kube_runtime` reflector feeding a store, in its own task.

use super::{LiveChange, Scope};
use driftless_core::ObjectKey;
use futures::StreamExt;
use kube::api::{Api, DynamicObject};
use kube::core::ApiResource;
use kube::runtime::WatchStreamExt;
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::watcher::{self, Event};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

/// A watch of one scope; stopped when dropped.
pub(super) struct Watch {
    resource: ApiResource,
    store: Store<DynamicObject>,
    synced: Arc<AtomicBool>,
    last_error: Arc<Mutex<Option<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Watch {
    /// Starts watching `scope`; changes after the first listing go to `changes`.
    pub(super) fn start(
        client: kube::Client,
        scope: &Scope,
        changes: broadcast::Sender<LiveChange>,
    ) -> Self {
        let resource = scope.resource.clone();
        let api: Api<DynamicObject> = match &scope.namespace {
            Some(ns) => Api::namespaced_with(client, ns, &resource),
            None => Api::all_with(client, &resource),
        };
        let writer = reflector::store::Writer::<DynamicObject>::new(resource.clone());
        let store = writer.as_reader();
        let synced = Arc::new(AtomicBool::new(false));
        let last_error = Arc::new(Mutex::new(None));
        let (s, e, r) = (synced.clone(), last_error.clone(), resource.clone());
        // Paginated initial list; the watcher relists this scope alone after 410 Gone.
        let stream =
            watcher::watcher(api, watcher::Config::default().page_size(500)).default_backoff();
        let task = tokio::spawn(async move {
            let mut stream = std::pin::pin!(reflector::reflector(writer, stream));
            while let Some(event) = stream.next().await {
                match event {
                    Ok(Event::InitDone) => {
                        s.store(true, Ordering::Release);
                        *e.lock().expect("watch error") = None;
                    }
                    // After a relist, what the gap hid shows as InitApply: report it too.
                    Ok(Event::InitApply(obj)) if s.load(Ordering::Acquire) => {
                        if changes.receiver_count() > 0 {
                            let _ = changes.send(change(&r, &obj));
                        }
                    }
                    Ok(Event::Apply(obj)) | Ok(Event::Delete(obj)) => {
                        if changes.receiver_count() > 0 {
                            let _ = changes.send(change(&r, &obj));
                        }
                    }
                    Ok(_) => {}
                    Err(err) => {
                        tracing::warn!(kind = %r.kind, error = %err, "watch failed; retrying");
                        *e.lock().expect("watch error") = Some(err.to_string());
                    }
                }
            }
        });
        Watch {
            resource,
            store,
            synced,
            last_error,
            task,
        }
    }

    pub(super) fn is_synced(&self) -> bool {
        self.synced.load(Ordering::Acquire)
    }

    pub(super) fn last_error(&self) -> Option<String> {
        self.last_error.lock().expect("watch error").clone()
    }

    pub(super) fn len(&self) -> usize {
        self.store.len()
    }

    /// The cached object `name` (in `namespace`), as JSON.
    pub(super) fn get(&self, namespace: Option<&str>, name: &str) -> Option<Value> {
        let mut r = ObjectRef::<DynamicObject>::new_with(name, self.resource.clone());
        if let Some(ns) = namespace {
            r = r.within(ns);
        }
        self.store.get(&r).map(|o| to_value(&self.resource, &o))
    }

    /// Every cached object, as JSON.
    pub(super) fn objects(&self) -> Vec<Value> {
        self.store
            .state()
            .iter()
            .map(|o| to_value(&self.resource, o))
            .collect()
    }
}

/// List items carry no apiVersion/kind: set them from the watched resource.
fn to_value(r: &ApiResource, obj: &DynamicObject) -> Value {
    let mut v = serde_json::to_value(obj).unwrap_or(Value::Null);
    if let Some(m) = v.as_object_mut() {
        m.insert("apiVersion".into(), r.api_version.clone().into());
        m.insert("kind".into(), r.kind.clone().into());
    }
    v
}

fn change(r: &ApiResource, obj: &DynamicObject) -> LiveChange {
    let key = ObjectKey::new(
        &r.api_version,
        &r.kind,
        obj.metadata.namespace.as_deref(),
        obj.metadata.name.as_deref().unwrap_or(""),
    );
    LiveChange {
        key,
        meta: Arc::new(json!({"metadata": {
            "labels": obj.metadata.labels,
            "annotations": obj.metadata.annotations,
        }})),
    }
}
