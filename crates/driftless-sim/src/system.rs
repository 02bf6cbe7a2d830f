//! The control loops a real control plane runs besides the workload controllers:
//! the garbage collector (ownerReferences, foreground / orphan finalizers), the
//! namespace lifecycle (deleting a namespace's contents, then the namespace) and
//! the per-namespace `default` ServiceAccount and `kube-root-ca.crt` ConfigMap.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::registry::{GroupResource, ResourceRef};
use crate::store::{DeleteOptions, EventType, Propagation, Store, WriteOptions};

const GC_MANAGER: &str = "kube-controller-manager";

/// Starts the system loops; returns their tasks.
pub fn start(store: Store, ca_pem: Option<String>) -> Vec<tokio::task::JoinHandle<()>> {
    let gc_store = store.clone();
    let gc = tokio::spawn(async move {
        loop {
            let notified = gc_store.inner.gc.notified();
            while gc_pass(&gc_store) {}
            tokio::select! {
                _ = notified => {}
                _ = tokio::time::sleep(Duration::from_secs(2)) => {}
            }
        }
    });
    let ns_store = store.clone();
    let mut rx = store.subscribe();
    // Namespaces that already exist (bootstrap) get their objects now.
    for ns in store.all_of(&gr("", "namespaces")) {
        if let Some(name) = ns.pointer("/metadata/name").and_then(Value::as_str) {
            namespace_objects(&store, name, ca_pem.as_deref());
        }
    }
    let ns_loop = tokio::spawn(async move {
        loop {
            match rx.recv().await {
                Ok(ev) => {
                    if ev.event_type == EventType::Added
                        && ev.resource == gr("", "namespaces")
                        && let Some(name) =
                            ev.object.pointer("/metadata/name").and_then(Value::as_str)
                    {
                        namespace_objects(&ns_store, name, ca_pem.as_deref());
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    for ns in ns_store.all_of(&gr("", "namespaces")) {
                        if let Some(name) = ns.pointer("/metadata/name").and_then(Value::as_str) {
                            namespace_objects(&ns_store, name, ca_pem.as_deref());
                        }
                    }
                }
                Err(_) => return,
            }
        }
    });
    vec![gc, ns_loop]
}

fn gr(group: &str, resource: &str) -> GroupResource {
    GroupResource {
        group: group.into(),
        resource: resource.into(),
    }
}

/// Creates the `default` ServiceAccount and the `kube-root-ca.crt` ConfigMap of a namespace.
fn namespace_objects(store: &Store, ns: &str, ca_pem: Option<&str>) {
    let opts = WriteOptions::manager(GC_MANAGER);
    let sa = ResourceRef::core("serviceaccounts");
    if store.get(&sa, Some(ns), "default").is_err() {
        let _ = store.create(
            &sa,
            json!({"metadata": {"name": "default", "namespace": ns}}),
            &opts,
        );
    }
    let cm = ResourceRef::core("configmaps");
    if store.get(&cm, Some(ns), "kube-root-ca.crt").is_err() {
        let _ = store.create(
            &cm,
            json!({
                "metadata": {"name": "kube-root-ca.crt", "namespace": ns, "annotations": {
                    "kubernetes.io/description": "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."}},
                "data": {"ca.crt": ca_pem.unwrap_or("")}
            }),
            &opts,
        );
    }
}

struct Obj {
    gr: GroupResource,
    obj: Arc<Value>,
}

impl Obj {
    fn s(&self, ptr: &str) -> Option<&str> {
        self.obj.pointer(ptr).and_then(Value::as_str)
    }
    fn ns(&self) -> Option<&str> {
        self.s("/metadata/namespace").filter(|s| !s.is_empty())
    }
    fn name(&self) -> &str {
        self.s("/metadata/name").unwrap_or("")
    }
    fn deleting(&self) -> bool {
        self.obj.pointer("/metadata/deletionTimestamp").is_some()
    }
    fn has_finalizer(&self, f: &str) -> bool {
        self.obj
            .pointer("/metadata/finalizers")
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|x| x == f))
    }
    fn owner_uids(&self) -> Vec<String> {
        self.obj
            .pointer("/metadata/ownerReferences")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|r| r.get("uid").and_then(Value::as_str).map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn resource_ref(store: &Store, gr: &GroupResource) -> Option<ResourceRef> {
    store.registry().preferred(gr).map(|t| t.resource_ref())
}

fn remove_finalizer(store: &Store, o: &Obj, finalizer: &str) -> bool {
    let Some(r) = resource_ref(store, &o.gr) else {
        return false;
    };
    store
        .modify(&r, o.ns(), o.name(), &WriteOptions::default(), false, |v| {
            let Some(Value::Array(f)) = v.pointer_mut("/metadata/finalizers") else {
                return false;
            };
            let before = f.len();
            f.retain(|x| x != finalizer);
            f.len() != before
        })
        .is_ok()
}

fn remove_owner_refs(store: &Store, o: &Obj, gone: &HashSet<String>) -> bool {
    let Some(r) = resource_ref(store, &o.gr) else {
        return false;
    };
    store
        .modify(
            &r,
            o.ns(),
            o.name(),
            &WriteOptions::manager(GC_MANAGER),
            false,
            |v| {
                let Some(Value::Array(refs)) = v.pointer_mut("/metadata/ownerReferences") else {
                    return false;
                };
                let before = refs.len();
                refs.retain(|x| {
                    !x.get("uid")
                        .and_then(Value::as_str)
                        .is_some_and(|u| gone.contains(u))
                });
                let changed = refs.len() != before;
                if refs.is_empty()
                    && let Some(m) = v["metadata"].as_object_mut()
                {
                    m.shift_remove("ownerReferences");
                }
                changed
            },
        )
        .is_ok()
}

fn delete(store: &Store, o: &Obj, p: Propagation) -> bool {
    let Some(r) = resource_ref(store, &o.gr) else {
        return false;
    };
    store
        .delete(
            &r,
            o.ns(),
            o.name(),
            &DeleteOptions {
                propagation: Some(p),
                ..DeleteOptions::default()
            },
        )
        .is_ok()
}

/// One pass of garbage collection and namespace finalization; true if it changed anything.
pub fn gc_pass(store: &Store) -> bool {
    let objs: Vec<Obj> = {
        let state = store.read();
        state
            .objects
            .iter()
            .flat_map(|(gr, m)| {
                m.values().map(|o| Obj {
                    gr: gr.clone(),
                    obj: o.clone(),
                })
            })
            .collect()
    };
    let uids: HashMap<&str, &Obj> = objs
        .iter()
        .filter_map(|o| o.s("/metadata/uid").map(|u| (u, o)))
        .collect();
    let mut dependents: HashMap<&str, Vec<&Obj>> = HashMap::new();
    for o in &objs {
        for uid in o.owner_uids() {
            if let Some((k, _)) = uids.get_key_value(uid.as_str()) {
                dependents.entry(k).or_default().push(o);
            }
        }
    }
    let mut changed = false;
    let ns_gr = gr("", "namespaces");
    for o in &objs {
        if o.gr == ns_gr && o.deleting() {
            let ns = o.name();
            let contents: Vec<&Obj> = objs.iter().filter(|x| x.ns() == Some(ns)).collect();
            if contents.is_empty() {
                changed |= store.finalize_namespace(ns);
            } else {
                for c in contents.into_iter().filter(|c| !c.deleting()) {
                    changed |= delete(store, c, Propagation::Background);
                }
            }
            continue;
        }
        if !o.deleting() {
            continue;
        }
        let uid = o.s("/metadata/uid").unwrap_or("");
        let deps = dependents.get(uid).cloned().unwrap_or_default();
        if o.has_finalizer("orphan") {
            let gone: HashSet<String> = [uid.to_string()].into();
            for d in &deps {
                changed |= remove_owner_refs(store, d, &gone);
            }
            changed |= remove_finalizer(store, o, "orphan");
        } else if o.has_finalizer("foregroundDeletion") {
            if deps.is_empty() {
                changed |= remove_finalizer(store, o, "foregroundDeletion");
            } else {
                for d in deps.iter().filter(|d| !d.deleting()) {
                    changed |= delete(store, d, Propagation::Foreground);
                }
            }
        }
    }
    // Dependents whose owners are all gone are deleted; dangling references removed.
    for o in &objs {
        let owners = o.owner_uids();
        if owners.is_empty() || o.deleting() {
            continue;
        }
        let gone: HashSet<String> = owners
            .iter()
            .filter(|u| !uids.contains_key(u.as_str()))
            .cloned()
            .collect();
        if gone.is_empty() {
            continue;
        }
        if gone.len() == owners.len() {
            changed |= delete(store, o, Propagation::Background);
        } else {
            changed |= remove_owner_refs(store, o, &gone);
        }
    }
    changed
}

impl Store {
    /// Removes a terminating namespace once it is empty (the namespace controller's
    /// `finalize`). Returns whether it was removed.
    pub fn finalize_namespace(&self, name: &str) -> bool {
        let r = ResourceRef::core("namespaces");
        let res = self.modify(&r, None, name, &WriteOptions::default(), false, |v| {
            if v.pointer("/metadata/deletionTimestamp").is_none() {
                return false;
            }
            v["spec"]["finalizers"] = json!([]);
            true
        });
        res.is_ok()
    }
}
