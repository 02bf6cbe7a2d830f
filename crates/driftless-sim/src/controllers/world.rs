//! A snapshot of the objects the controllers look at, and the changes they ask for.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Value, json};

use crate::registry::{GroupResource, ResourceRef};
use crate::store::Store;

/// The group/resources the controllers read, with the kind each holds.
pub(crate) const WATCHED: &[(&str, &str, &str, &str)] = &[
    ("", "v1", "pods", "Pod"),
    ("", "v1", "services", "Service"),
    ("", "v1", "endpoints", "Endpoints"),
    ("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim"),
    ("", "v1", "persistentvolumes", "PersistentVolume"),
    ("", "v1", "nodes", "Node"),
    ("storage.k8s.io", "v1", "storageclasses", "StorageClass"),
    ("apps", "v1", "deployments", "Deployment"),
    ("apps", "v1", "replicasets", "ReplicaSet"),
    ("apps", "v1", "statefulsets", "StatefulSet"),
    ("apps", "v1", "daemonsets", "DaemonSet"),
    ("apps", "v1", "controllerrevisions", "ControllerRevision"),
    (
        "policy",
        "v1",
        "poddisruptionbudgets",
        "PodDisruptionBudget",
    ),
    ("batch", "v1", "jobs", "Job"),
    ("batch", "v1", "cronjobs", "CronJob"),
    ("networking.k8s.io", "v1", "ingresses", "Ingress"),
    (
        "autoscaling",
        "v2",
        "horizontalpodautoscalers",
        "HorizontalPodAutoscaler",
    ),
    (
        "apiextensions.k8s.io",
        "v1",
        "customresourcedefinitions",
        "CustomResourceDefinition",
    ),
];

/// The resource a kind of [`WATCHED`] is served at.
pub(crate) fn resource_of(kind: &str) -> ResourceRef {
    WATCHED
        .iter()
        .find(|w| w.3 == kind)
        .map(|w| ResourceRef::new(w.0, w.1, w.2))
        .unwrap_or_else(|| ResourceRef::core("events"))
}

/// The objects of the watched kinds at one moment, indexed by kind.
#[derive(Debug, Default, Clone)]
pub struct World {
    by_kind: HashMap<&'static str, Vec<Arc<Value>>>,
    by_ns: HashMap<(&'static str, String), Vec<Arc<Value>>>,
}

impl World {
    /// A snapshot of the store.
    pub fn from_store(store: &Store) -> Self {
        let mut w = Self::default();
        for (group, _, resource, kind) in WATCHED {
            let gr = GroupResource {
                group: group.to_string(),
                resource: resource.to_string(),
            };
            let mut objs = store.all_of(&gr);
            for o in &mut objs {
                if o.get("kind").and_then(Value::as_str) != Some(kind) {
                    let mut v = (**o).clone();
                    v["kind"] = json!(kind);
                    *o = Arc::new(v);
                }
            }
            w.by_kind.insert(kind, objs);
        }
        w.index();
        w
    }

    /// A world of the given objects (by their `kind`), for tests.
    pub fn from_objects(objects: impl IntoIterator<Item = Value>) -> Self {
        let mut w = Self::default();
        for o in objects {
            let kind = o.get("kind").and_then(Value::as_str).unwrap_or("");
            if let Some(k) = WATCHED.iter().find(|x| x.3 == kind) {
                w.by_kind.entry(k.3).or_default().push(Arc::new(o));
            }
        }
        w.index();
        w
    }

    fn index(&mut self) {
        for (kind, objs) in &self.by_kind {
            for o in objs {
                self.by_ns
                    .entry((*kind, namespace(o).to_string()))
                    .or_default()
                    .push(o.clone());
            }
        }
    }

    /// All objects of a kind.
    pub fn of(&self, kind: &str) -> &[Arc<Value>] {
        self.by_kind
            .get(kind)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// Objects of `kind` whose controller owner has `uid`.
    pub fn owned(&self, kind: &str, uid: &str) -> Vec<Arc<Value>> {
        self.of(kind)
            .iter()
            .filter(|o| controller_uid(o) == Some(uid))
            .cloned()
            .collect()
    }

    /// Objects of `kind` in namespace `ns`.
    pub fn in_ns<'a>(
        &'a self,
        kind: &str,
        ns: &'a str,
    ) -> impl Iterator<Item = &'a Arc<Value>> + 'a {
        let key = WATCHED
            .iter()
            .find(|w| w.3 == kind)
            .map(|w| (w.3, ns.to_string()));
        key.and_then(|k| self.by_ns.get(&k)).into_iter().flatten()
    }

    /// One object by kind, namespace and name.
    pub fn get(&self, kind: &str, ns: &str, name: &str) -> Option<&Arc<Value>> {
        self.of(kind)
            .iter()
            .find(|o| namespace(o) == ns && self::name(o) == name)
    }
}

/// A change a controller asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Create an object (its `kind` says where).
    Create(Value),
    /// Update an object's main resource (with its `resourceVersion` for optimistic concurrency).
    Update(Value),
    /// Update an object's `status` subresource.
    UpdateStatus(Value),
    /// Delete an object.
    Delete {
        /// Kind of the object.
        kind: String,
        /// Namespace ("" for cluster-scoped).
        namespace: String,
        /// Name.
        name: String,
    },
    /// Record a core/v1 Event.
    Event(Value),
}

impl Action {
    /// A Delete of `obj`.
    pub fn delete(obj: &Value) -> Self {
        Action::Delete {
            kind: kind(obj).to_string(),
            namespace: namespace(obj).to_string(),
            name: name(obj).to_string(),
        }
    }

    /// A Delete of `obj` by the controller `component` of `owner`, and the `SuccessfulDelete`
    /// event with `message` it records on `owner`.
    pub fn delete_by(owner: &Value, obj: &Value, message: &str, component: &str) -> [Self; 2] {
        [
            Action::delete(obj),
            Action::Event(event(
                owner,
                "Normal",
                "SuccessfulDelete",
                message,
                component,
            )),
        ]
    }
}

/// `metadata.name`.
pub fn name(o: &Value) -> &str {
    o.pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// `metadata.namespace` or "".
pub fn namespace(o: &Value) -> &str {
    o.pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// `metadata.uid`.
pub fn uid(o: &Value) -> &str {
    o.pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// `kind`.
pub fn kind(o: &Value) -> &str {
    o.get("kind").and_then(Value::as_str).unwrap_or("")
}

/// `metadata.generation` (0 when unset).
pub fn generation(o: &Value) -> i64 {
    o.pointer("/metadata/generation")
        .and_then(Value::as_i64)
        .unwrap_or(0)
}

/// Whether the object is being deleted.
pub fn deleting(o: &Value) -> bool {
    o.pointer("/metadata/deletionTimestamp")
        .is_some_and(|v| !v.is_null())
}

/// An annotation value.
pub fn annotation<'a>(o: &'a Value, key: &str) -> Option<&'a str> {
    o.pointer("/metadata/annotations")
        .and_then(|a| a.get(key))
        .and_then(Value::as_str)
}

/// The uid of the controller owner reference.
pub fn controller_uid(o: &Value) -> Option<&str> {
    o.pointer("/metadata/ownerReferences")?
        .as_array()?
        .iter()
        .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))?
        .get("uid")?
        .as_str()
}

/// An owner reference to `owner` marking it as controller.
pub fn controller_ref(owner: &Value) -> Value {
    json!({
        "apiVersion": owner.get("apiVersion").and_then(Value::as_str).unwrap_or_default(),
        "kind": kind(owner),
        "name": name(owner),
        "uid": uid(owner),
        "controller": true,
        "blockOwnerDeletion": true,
    })
}

/// An int field by JSON pointer (0 when unset).
pub fn int(o: &Value, ptr: &str) -> i64 {
    o.pointer(ptr).and_then(Value::as_i64).unwrap_or(0)
}

/// A pod's `Ready` condition is True.
pub fn pod_ready(p: &Value) -> bool {
    condition_status(p, "Ready") == Some("True")
}

/// The status (`True`/`False`/`Unknown`) of condition `ty`.
pub fn condition_status<'a>(o: &'a Value, ty: &str) -> Option<&'a str> {
    o.pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(ty))?
        .get("status")?
        .as_str()
}

/// Whether the pod has finished (Succeeded or Failed).
pub fn pod_terminated(p: &Value) -> bool {
    matches!(
        p.pointer("/status/phase").and_then(Value::as_str),
        Some("Succeeded" | "Failed")
    )
}

/// Sets (or replaces) condition `cond` (with `type`) in `status.conditions`,
/// keeping `lastTransitionTime` (and `lastUpdateTime` when `keep_update`) if the
/// status did not change.
pub fn set_condition(status: &mut Value, cond: Value, keep_update: bool) {
    if !status.is_object() {
        *status = json!({});
    }
    if !status.get("conditions").is_some_and(Value::is_array) {
        status["conditions"] = json!([]);
    }
    let conds = status["conditions"].as_array_mut().expect("array");
    let ty = cond.get("type").cloned();
    let mut cond = cond;
    if let Some(old) = conds.iter_mut().find(|c| c.get("type") == ty.as_ref()) {
        if old.get("status") == cond.get("status") {
            for k in ["lastTransitionTime", "lastProbeTime"] {
                if let Some(t) = old.get(k) {
                    cond[k] = t.clone();
                }
            }
            if keep_update
                && old.get("reason") == cond.get("reason")
                && let Some(t) = old.get("lastUpdateTime")
            {
                cond["lastUpdateTime"] = t.clone();
            }
        }
        *old = cond;
    } else {
        conds.push(cond);
    }
}

/// The current time as Kubernetes writes it.
pub fn now() -> String {
    crate::store::now_rfc3339()
}

/// A core/v1 Event about `obj`.
pub fn event(obj: &Value, ty: &str, reason: &str, message: &str, component: &str) -> Value {
    let ts = now();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let mut ns = namespace(obj).to_string();
    if ns.is_empty() {
        ns = "default".into();
    }
    json!({
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": format!("{}.{:x}", name(obj), nanos), "namespace": ns},
        "involvedObject": {
            "kind": kind(obj),
            "namespace": namespace(obj),
            "name": name(obj),
            "uid": uid(obj),
            "apiVersion": obj.get("apiVersion").and_then(Value::as_str).unwrap_or_default(),
            "resourceVersion": obj.pointer("/metadata/resourceVersion").and_then(Value::as_str).unwrap_or_default(),
        },
        "reason": reason,
        "message": message,
        "source": {"component": component},
        "firstTimestamp": ts,
        "lastTimestamp": ts,
        "count": 1,
        "type": ty,
        "eventTime": null,
        "reportingComponent": component,
        "reportingInstance": "",
    })
}
