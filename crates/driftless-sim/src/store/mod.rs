//! The in-memory object store: every object of the cluster as a `serde_json::Value`,
//! keyed by group/resource, namespace and name, with one cluster-wide
//! `resourceVersion` counter (like etcd's revision) and a watchable event history.
//!
//! Every write goes through the same pipeline as on a real API server: scope and
//! namespace checks, server-side defaulting ([`crate::defaults`]), validation,
//! metadata (uid, creationTimestamp, generation, resourceVersion), managedFields,
//! status-subresource separation, finalizers and deletion. Controllers use the same
//! API as the HTTP layer.
//!
//! ```
//! use driftless_sim::{Store, ResourceRef, WriteOptions};
//! use serde_json::json;
//! let store = Store::new();
//! store.bootstrap().unwrap();
//! let cms = ResourceRef::core("configmaps");
//! let created = store
//!     .create(&cms, json!({"metadata": {"name": "a", "namespace": "default"}, "data": {"k": "v"}}),
//!             &WriteOptions::manager("example"))
//!     .unwrap();
//! assert_eq!(created["kind"], "ConfigMap");
//! let got = store.get(&cms, Some("default"), "a").unwrap();
//! assert_eq!(got["data"]["k"], "v");
//! ```

mod delete;
mod meta;
mod persist;
pub mod selector;
mod watch;
mod write;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, RwLock};

use serde_json::Value;
use tokio::sync::{Notify, broadcast};

use crate::registry::{GroupResource, Registry, ResourceRef, ResourceType};
use crate::status::ApiError;

pub use delete::{DeleteOptions, DeleteOutcome, Propagation};
pub(crate) use meta::for_version;
pub use meta::now_rfc3339;
pub use persist::PersistError;
pub use selector::{FieldSelector, LabelSelector};
pub use watch::{EventType, WatchEvent, WatchStream};

/// Options of a write (create, update, patch, apply, status update).
#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    /// `dryRun=All`: run every step but do not store.
    pub dry_run: bool,
    /// The field manager recorded in `managedFields` for an Update operation;
    /// `None` leaves `managedFields` as given (used by server-side apply, which
    /// computes them itself).
    pub field_manager: Option<String>,
    /// Field validation mode: `Ignore`, `Warn` or `Strict` (validation happens in the
    /// HTTP layer; kept here for controllers that want the same behaviour).
    pub field_validation: Option<String>,
    /// The subresource written through, recorded in `managedFields` (`scale`); `/status`
    /// writes go through [`Store::update_status`].
    pub subresource: Option<String>,
}

impl WriteOptions {
    /// The same options recording the write as made through `subresource` (e.g. `scale`).
    pub fn through(mut self, subresource: &str) -> Self {
        self.subresource = Some(subresource.to_string());
        self
    }

    /// Options recording `manager` as the field manager.
    pub fn manager(manager: &str) -> Self {
        Self {
            field_manager: Some(manager.to_string()),
            ..Self::default()
        }
    }

    /// The same options with `dryRun=All`.
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }
}

/// Options of a list.
#[derive(Debug, Clone, Default)]
pub struct ListOptions {
    /// Label selector.
    pub label_selector: LabelSelector,
    /// Field selector.
    pub field_selector: FieldSelector,
    /// Page size (`limit`); 0 means no limit.
    pub limit: usize,
    /// Continue token from a previous page.
    pub continue_token: Option<String>,
}

impl ListOptions {
    /// Options selecting by a label selector string (`app=web`).
    pub fn labels(selector: &str) -> Result<Self, ApiError> {
        Ok(Self {
            label_selector: LabelSelector::parse(selector)?,
            ..Self::default()
        })
    }
}

/// One page of a list.
#[derive(Debug, Clone)]
pub struct ObjectList {
    /// The matching objects (with kind and apiVersion set).
    pub items: Vec<Value>,
    /// The store's resourceVersion at the time of the list.
    pub resource_version: u64,
    /// Token for the next page, if any.
    pub continue_token: Option<String>,
    /// Number of items after this page (set only without selectors).
    pub remaining: Option<u64>,
}

/// One page of a list, sharing the stored objects (see [`Store::list_shared`]).
#[derive(Debug, Clone)]
pub struct SharedList {
    /// The matching objects as stored.
    pub items: Vec<Arc<Value>>,
    /// The store's resourceVersion at the time of the list.
    pub resource_version: u64,
    /// Token for the next page, if any.
    pub continue_token: Option<String>,
    /// Number of items after this page (set only without selectors).
    pub remaining: Option<u64>,
}

type ObjKey = (String, String);

#[derive(Default)]
pub(crate) struct State {
    pub(crate) rv: u64,
    pub(crate) objects: HashMap<GroupResource, BTreeMap<ObjKey, Arc<Value>>>,
    pub(crate) history: VecDeque<Arc<WatchEvent>>,
    /// Lowest resourceVersion a watch can resume from.
    pub(crate) oldest_rv: u64,
}

pub(crate) struct Inner {
    pub(crate) registry: Registry,
    pub(crate) state: RwLock<State>,
    pub(crate) events: broadcast::Sender<Arc<WatchEvent>>,
    /// Signalled on deletions so the garbage collector runs.
    pub(crate) gc: Notify,
    /// Signalled on every write (persistence).
    pub(crate) changed: Notify,
    pub(crate) history_limit: usize,
    /// Cluster IPs and node ports in use.
    pub(crate) services: std::sync::Mutex<crate::defaults::ServiceAllocator>,
}

/// The object store of a simulated cluster. Cheap to clone (shared).
#[derive(Clone)]
pub struct Store {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("resource_version", &self.resource_version())
            .finish()
    }
}

impl Default for Store {
    fn default() -> Self {
        Self::new()
    }
}

impl Store {
    /// An empty store serving the built-in kinds (no namespaces yet; see [`Store::bootstrap`]).
    pub fn new() -> Self {
        Self::with_history(10_000)
    }

    /// An empty store keeping `history_limit` events for watch resumption
    /// (older resourceVersions get `410 Gone`).
    pub fn with_history(history_limit: usize) -> Self {
        let (events, _) = broadcast::channel(8192);
        Self {
            inner: Arc::new(Inner {
                registry: Registry::new(),
                state: RwLock::new(State {
                    rv: 1,
                    oldest_rv: 1,
                    ..State::default()
                }),
                events,
                gc: Notify::new(),
                changed: Notify::new(),
                history_limit: history_limit.max(1),
                services: std::sync::Mutex::new(crate::defaults::ServiceAllocator::new()),
            }),
        }
    }

    /// Creates the namespaces and objects a fresh cluster has (`default`,
    /// `kube-system`, `kube-public`, `kube-node-lease`, the `kubernetes` Service and
    /// its Endpoints). Idempotent.
    pub fn bootstrap(&self) -> Result<(), ApiError> {
        let ns = ResourceRef::core("namespaces");
        for name in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            if self.get(&ns, None, name).is_err() {
                self.create(
                    &ns,
                    serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}),
                    &WriteOptions::manager("kube-apiserver"),
                )?;
            }
        }
        // The `kubernetes` Service of the API server itself, with its Endpoints.
        let svc = ResourceRef::core("services");
        if self.get(&svc, Some("default"), "kubernetes").is_err() {
            self.create(
                &svc,
                serde_json::json!({"metadata": {"name": "kubernetes", "namespace": "default",
                    "labels": {"component": "apiserver", "provider": "kubernetes"}},
                    "spec": {"clusterIP": "10.96.0.1", "type": "ClusterIP", "sessionAffinity": "None",
                        "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]}}),
                &WriteOptions::manager("kube-apiserver"),
            )?;
        }
        let eps = ResourceRef::core("endpoints");
        if self.get(&eps, Some("default"), "kubernetes").is_err() {
            self.create(
                &eps,
                serde_json::json!({"metadata": {"name": "kubernetes", "namespace": "default",
                    "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
                    "subsets": [{"addresses": [{"ip": "127.0.0.1"}],
                        "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}]}]}),
                &WriteOptions::manager("kube-apiserver"),
            )?;
        }
        Ok(())
    }

    /// The resource registry (built-in kinds plus CRDs).
    pub fn registry(&self) -> &Registry {
        &self.inner.registry
    }

    /// The current (latest) resourceVersion.
    pub fn resource_version(&self) -> u64 {
        self.read().rv
    }

    pub(crate) fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.inner.state.read().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn write_state(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.inner.state.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The type served at `r`, or a NotFound error.
    pub fn resource_type(&self, r: &ResourceRef) -> Result<Arc<ResourceType>, ApiError> {
        self.inner
            .registry
            .get(r)
            .ok_or_else(ApiError::resource_not_found)
    }

    fn key(rt: &ResourceType, namespace: Option<&str>, name: &str) -> ObjKey {
        let ns = if rt.namespaced {
            namespace.unwrap_or("").to_string()
        } else {
            String::new()
        };
        (ns, name.to_string())
    }

    /// Gets one object (with kind and apiVersion of the requested version).
    pub fn get(
        &self,
        r: &ResourceRef,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<Value, ApiError> {
        let rt = self.resource_type(r)?;
        let state = self.read();
        state
            .objects
            .get(&rt.group_resource())
            .and_then(|m| m.get(&Self::key(&rt, namespace, name)))
            .map(|o| meta::for_version(o, &rt))
            .ok_or_else(|| ApiError::not_found(&rt.group_resource(), name))
    }

    /// Lists objects of a resource, in one namespace or (None) all, filtered by selectors
    /// and paginated with `limit` / continue tokens.
    pub fn list(
        &self,
        r: &ResourceRef,
        namespace: Option<&str>,
        opts: &ListOptions,
    ) -> Result<ObjectList, ApiError> {
        let rt = self.resource_type(r)?;
        let shared = self.list_shared(r, namespace, opts)?;
        Ok(ObjectList {
            items: shared
                .items
                .iter()
                .map(|o| meta::for_version(o, &rt))
                .collect(),
            resource_version: shared.resource_version,
            continue_token: shared.continue_token,
            remaining: shared.remaining,
        })
    }

    /// Like [`Store::list`], but the items are the stored objects themselves (shared,
    /// in their stored version: set `apiVersion` when serving them).
    pub fn list_shared(
        &self,
        r: &ResourceRef,
        namespace: Option<&str>,
        opts: &ListOptions,
    ) -> Result<SharedList, ApiError> {
        let rt = self.resource_type(r)?;
        let start = match &opts.continue_token {
            Some(t) => Some(meta::decode_continue(t)?),
            None => None,
        };
        let state = self.read();
        let mut items = Vec::new();
        let mut continue_token = None;
        let mut remaining = None;
        let ns_filter = if rt.namespaced { namespace } else { None };
        let start = start.map(|(sns, sname)| {
            if sns.is_empty() {
                (ns_filter.unwrap_or("").to_string(), sname)
            } else {
                (sns, sname)
            }
        });
        if let Some(map) = state.objects.get(&rt.group_resource()) {
            let iter = map
                .iter()
                .filter(|((ns, _), _)| ns_filter.is_none_or(|n| n == ns));
            let unfiltered = opts.label_selector.is_empty() && opts.field_selector.is_empty();
            let mut matching = iter.filter(|((ns, name), obj)| {
                if let Some((sns, sname)) = &start
                    && (ns.as_str(), name.as_str()) <= (sns.as_str(), sname.as_str())
                {
                    return false;
                }
                opts.label_selector.matches_object(obj) && opts.field_selector.matches(obj)
            });
            for ((ns, name), obj) in matching.by_ref() {
                items.push(obj.clone());
                if opts.limit > 0 && items.len() == opts.limit {
                    let rest = matching.count() as u64;
                    if rest > 0 {
                        continue_token = Some(meta::encode_continue(
                            state.rv,
                            ns,
                            name,
                            ns_filter.is_none() && rt.namespaced,
                        ));
                        if unfiltered {
                            remaining = Some(rest);
                        }
                    }
                    break;
                }
            }
        }
        Ok(SharedList {
            items,
            resource_version: state.rv,
            continue_token,
            remaining,
        })
    }

    /// Every stored object of a group/resource (all namespaces, any version), for
    /// controllers and the garbage collector.
    pub fn all_of(&self, gr: &GroupResource) -> Vec<Arc<Value>> {
        self.read()
            .objects
            .get(gr)
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Subscribes to every event of the store (all resources), from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<WatchEvent>> {
        self.inner.events.subscribe()
    }

    /// Reads, modifies and updates an object, retrying on conflicts (like
    /// client-go's `RetryOnConflict`). `f` returns `false` to skip the update.
    /// With `status` the change goes to the `/status` subresource.
    pub fn modify(
        &self,
        r: &ResourceRef,
        namespace: Option<&str>,
        name: &str,
        opts: &WriteOptions,
        status: bool,
        mut f: impl FnMut(&mut Value) -> bool,
    ) -> Result<Value, ApiError> {
        loop {
            let mut obj = self.get(r, namespace, name)?;
            if !f(&mut obj) {
                return Ok(obj);
            }
            let res = if status {
                self.update_status(r, obj, opts)
            } else {
                self.update(r, obj, opts)
            };
            match res {
                Err(e) if e.is_conflict() => continue,
                other => return other,
            }
        }
    }
}
