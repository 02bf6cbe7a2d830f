//! The cluster as the applier sees it: discovery with a cache, reads, applies, deletes, with retries.

use crate::read_cache::{Freshness, ReadCache};
use crate::{ApplyError, RetryPolicy};
use driftless_core::ObjectKey;
use kube::api::{
    Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams, PostParams, PropagationPolicy,
};
use kube::core::{ApiResource, GroupVersionKind};
use kube::discovery::{ApiCapabilities, Scope, verbs};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// How a kind is served.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// Group, version, plural.
    pub resource: ApiResource,
    /// True for namespaced kinds.
    pub namespaced: bool,
    /// Verbs and subresources.
    pub caps: ApiCapabilities,
}

/// A write mode for [`Cluster::apply`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteMode {
    /// Server-side dry run (`dryRun=All`).
    pub dry_run: bool,
    /// Take over conflicting fields (`force=true`).
    pub force: bool,
    /// Skip schema validation (`fieldValidation=Ignore`; `Strict` otherwise).
    pub no_validate: bool,
}

/// A Kubernetes API server, with a discovery cache and transient-error retries.
pub struct Cluster {
    client: kube::Client,
    retry: RetryPolicy,
    field_manager: String,
    kinds: RwLock<HashMap<(String, String, String), Resolved>>,
    retries: AtomicU64,
    cache: Option<Arc<dyn ReadCache>>,
    fresh: Freshness,
}

impl Cluster {
    /// Wraps a client; writes use `field_manager`.
    pub fn new(client: kube::Client, field_manager: impl Into<String>) -> Self {
        Cluster {
            client,
            retry: RetryPolicy::default(),
            field_manager: field_manager.into(),
            kinds: RwLock::default(),
            retries: AtomicU64::new(0),
            cache: None,
            fresh: Freshness::default(),
        }
    }

    /// Serves reads from `cache` when it can answer (see [`ReadCache`]); writes still go to the
    /// server, and a cached copy older than our own last write of an object is never used.
    pub fn with_read_cache(mut self, cache: Arc<dyn ReadCache>) -> Self {
        self.cache = Some(cache);
        self
    }

    /// How many requests were retried after a transient error so far.
    pub fn retries(&self) -> u64 {
        self.retries.load(Ordering::Relaxed)
    }

    async fn run<T, F, Fut>(&self, op: F) -> Result<T, kube::Error>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, kube::Error>>,
    {
        self.retry
            .run_with(op, |_| {
                self.retries.fetch_add(1, Ordering::Relaxed);
            })
            .await
    }

    /// Runs the write `op` (retried) for `action` on `key` and returns the object the server
    /// answers with; a real write (not `dry_run`) is remembered as the freshest state of `key`.
    async fn write<F, Fut>(
        &self,
        action: &'static str,
        key: &ObjectKey,
        dry_run: bool,
        op: F,
    ) -> Result<Value, ApplyError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<DynamicObject, kube::Error>>,
    {
        let out = self
            .run(op)
            .await
            .map(to_value)
            .map_err(|source| ApplyError::Api {
                action,
                key: key.clone(),
                source,
            })?;
        if !dry_run {
            self.fresh.wrote(key, Some(&out));
        }
        Ok(out)
    }

    /// Pods of `namespace` matching a label selector (`a=b,c=d`).
    pub async fn list_pods(
        &self,
        namespace: &str,
        selector: &str,
    ) -> Result<Vec<Value>, ApplyError> {
        let api: Api<DynamicObject> = Api::namespaced_with(
            self.client.clone(),
            namespace,
            &ApiResource::from_gvk(&GroupVersionKind::gvk("", "v1", "Pod")),
        );
        let lp = ListParams::default().labels(selector);
        self.run(|| api.list(&lp))
            .await
            .map(|l| l.items.into_iter().map(to_value).collect())
            .map_err(|source| ApplyError::Cluster {
                what: format!("list pods in {namespace}"),
                source,
            })
    }

    /// Replaces the retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The underlying client.
    pub fn client(&self) -> &kube::Client {
        &self.client
    }

    /// How `key`'s kind is served; asks the server on a cache miss (so CRDs created during a sync
    /// are found). `Ok(None)` when the server does not serve it.
    pub async fn resolve(&self, key: &ObjectKey) -> Result<Option<Resolved>, ApplyError> {
        let id = (key.group.clone(), key.version.clone(), key.kind.clone());
        if let Some(r) = self.kinds.read().expect("discovery cache").get(&id) {
            return Ok(Some(r.clone()));
        }
        let gvk = GroupVersionKind::gvk(&key.group, &key.version, &key.kind);
        let found = self
            .retry
            .run(|| kube::discovery::pinned_kind(&self.client, &gvk))
            .await;
        match found {
            Ok((resource, caps)) => {
                let r = Resolved {
                    namespaced: caps.scope == Scope::Namespaced,
                    resource,
                    caps,
                };
                self.kinds
                    .write()
                    .expect("discovery cache")
                    .insert(id, r.clone());
                Ok(Some(r))
            }
            Err(kube::Error::Discovery(_)) => Ok(None),
            Err(kube::Error::Api(s)) if s.code == 404 => Ok(None),
            Err(source) => Err(ApplyError::Cluster {
                what: format!("discovery of {}/{}", key.api_version(), key.kind),
                source,
            }),
        }
    }

    async fn api(&self, key: &ObjectKey) -> Result<(Api<DynamicObject>, Resolved), ApplyError> {
        let r = self
            .resolve(key)
            .await?
            .ok_or_else(|| ApplyError::UnknownKind {
                key: key.clone(),
                api_version: key.api_version(),
                kind: key.kind.clone(),
            })?;
        let api = match (&key.namespace, r.namespaced) {
            (Some(ns), true) => Api::namespaced_with(self.client.clone(), ns, &r.resource),
            _ => Api::all_with(self.client.clone(), &r.resource),
        };
        Ok((api, r))
    }

    /// Reads an object; `Ok(None)` when it does not exist (or its kind is not served).
    pub async fn get(&self, key: &ObjectKey) -> Result<Option<Value>, ApplyError> {
        if let Some(cache) = &self.cache
            && let Some(cached) = cache.cached(key)
            && let Some(answer) = self.fresh.accept(key, cached)
        {
            return Ok(answer);
        }
        self.get_fresh(key).await
    }

    /// Reads an object from the server, never from the cache.
    pub async fn get_fresh(&self, key: &ObjectKey) -> Result<Option<Value>, ApplyError> {
        if self.resolve(key).await?.is_none() {
            return Ok(None);
        }
        let (api, _) = self.api(key).await?;
        let got = self.run(|| api.get_opt(&key.name)).await;
        match got {
            Ok(o) => Ok(o.map(to_value)),
            Err(source) => Err(ApplyError::Api {
                action: "get",
                key: key.clone(),
                source,
            }),
        }
    }

    /// Server-side applies `obj` (which must carry its identity) and returns the result.
    pub async fn apply(
        &self,
        key: &ObjectKey,
        obj: &Value,
        mode: WriteMode,
    ) -> Result<Value, ApplyError> {
        let (api, _) = self.api(key).await?;
        let mut pp = PatchParams::apply(&self.field_manager);
        pp.force = mode.force;
        pp.dry_run = mode.dry_run;
        // kubectl's default (`--validate=strict`): unknown or duplicate fields are errors,
        // caught by the dry run before anything is written. `Validate=false` ignores them.
        pp.field_validation = Some(if mode.no_validate {
            kube::api::ValidationDirective::Ignore
        } else {
            kube::api::ValidationDirective::Strict
        });
        let patch = Patch::Apply(obj);
        let action = if mode.dry_run {
            "dry-run apply"
        } else {
            "apply"
        };
        self.write(action, key, mode.dry_run, || {
            api.patch(&key.name, &pp, &patch)
        })
        .await
    }

    /// Applies a JSON merge patch (client-side apply).
    pub async fn merge_patch(&self, key: &ObjectKey, patch: &Value) -> Result<Value, ApplyError> {
        let (api, _) = self.api(key).await?;
        let pp = PatchParams {
            field_manager: Some(format!("{}-client-side", self.field_manager)),
            ..PatchParams::default()
        };
        let patch = Patch::Merge(patch);
        self.write("patch", key, false, || api.patch(&key.name, &pp, &patch))
            .await
    }

    /// Creates `obj` (for hooks with `generateName`, and `Replace=true` when absent).
    pub async fn create(
        &self,
        key: &ObjectKey,
        obj: &Value,
        dry_run: bool,
    ) -> Result<Value, ApplyError> {
        let (api, _) = self.api(key).await?;
        let dobj: DynamicObject =
            serde_json::from_value(obj.clone()).map_err(|e| ApplyError::Api {
                action: "create",
                key: key.clone(),
                source: kube::Error::SerdeError(e),
            })?;
        let pp = PostParams {
            dry_run,
            field_manager: Some(self.field_manager.clone()),
        };
        let retried = AtomicBool::new(false);
        let created = self
            .retry
            .run_with(
                || api.create(&pp, &dobj),
                |_| {
                    retried.store(true, Ordering::Relaxed);
                    self.retries.fetch_add(1, Ordering::Relaxed);
                },
            )
            .await;
        match created {
            Ok(o) => {
                let out = to_value(o);
                if !dry_run {
                    self.fresh.wrote(key, Some(&out));
                }
                Ok(out)
            }
            // An attempt that timed out may have been carried out: then the object is ours.
            Err(kube::Error::Api(s)) if s.code == 409 && retried.load(Ordering::Relaxed) => {
                self.get_fresh(key).await?.ok_or_else(|| ApplyError::Api {
                    action: "create",
                    key: key.clone(),
                    source: kube::Error::Api(s),
                })
            }
            Err(source) => Err(ApplyError::Api {
                action: "create",
                key: key.clone(),
                source,
            }),
        }
    }

    /// Replaces `obj` (`Replace=true`), creating it when absent.
    pub async fn replace(
        &self,
        key: &ObjectKey,
        obj: &Value,
        dry_run: bool,
    ) -> Result<Value, ApplyError> {
        let Some(live) = self.get_fresh(key).await? else {
            return self.create(key, obj, dry_run).await;
        };
        let (api, _) = self.api(key).await?;
        let mut obj = obj.clone();
        if let (Some(meta), Some(rv)) = (
            obj.get_mut("metadata").and_then(Value::as_object_mut),
            live.pointer("/metadata/resourceVersion"),
        ) {
            meta.insert("resourceVersion".into(), rv.clone());
        }
        let dobj: DynamicObject = serde_json::from_value(obj).map_err(|e| ApplyError::Api {
            action: "replace",
            key: key.clone(),
            source: kube::Error::SerdeError(e),
        })?;
        let pp = PostParams {
            dry_run,
            field_manager: Some(self.field_manager.clone()),
        };
        self.write("replace", key, dry_run, || {
            api.replace(&key.name, &pp, &dobj)
        })
        .await
    }

    /// Deletes an object; a missing object is not an error.
    pub async fn delete(
        &self,
        key: &ObjectKey,
        propagation: crate::Propagation,
        dry_run: bool,
    ) -> Result<(), ApplyError> {
        let (api, _) = self.api(key).await?;
        let dp = DeleteParams {
            dry_run,
            propagation_policy: Some(match propagation {
                crate::Propagation::Foreground => PropagationPolicy::Foreground,
                crate::Propagation::Background => PropagationPolicy::Background,
                crate::Propagation::Orphan => PropagationPolicy::Orphan,
            }),
            ..DeleteParams::default()
        };
        let deleted = self.run(|| api.delete(&key.name, &dp)).await;
        if !dry_run {
            self.fresh.wrote(key, None);
        }
        match deleted {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(s)) if s.code == 404 => Ok(()),
            Err(source) => Err(ApplyError::Api {
                action: "delete",
                key: key.clone(),
                source,
            }),
        }
    }

    /// Every listable object in the cluster that `keep` accepts (used to find what an application
    /// tracks). Kinds the caller lists in `skip` (e.g. Events) are not read.
    pub async fn list_all(&self, keep: impl Fn(&Value) -> bool) -> Result<Vec<Value>, ApplyError> {
        self.list_in(None, keep).await
    }

    /// Every listable namespaced object in `namespace` that `keep` accepts (Argo CD's orphaned
    /// resources monitoring reads a destination namespace this way).
    pub async fn list_namespace(
        &self,
        namespace: &str,
        keep: impl Fn(&Value) -> bool,
    ) -> Result<Vec<Value>, ApplyError> {
        self.list_in(Some(namespace), keep).await
    }

    async fn list_in(
        &self,
        namespace: Option<&str>,
        keep: impl Fn(&Value) -> bool,
    ) -> Result<Vec<Value>, ApplyError> {
        let discovery = self
            .retry
            .run(|| kube::Discovery::new(self.client.clone()).run())
            .await
            .map_err(|source| ApplyError::Cluster {
                what: "discovery".into(),
                source,
            })?;
        let mut out = Vec::new();
        for group in discovery.groups() {
            for (resource, caps) in group.recommended_resources() {
                if !caps.supports_operation(verbs::LIST)
                    || SKIP_KINDS.contains(&resource.kind.as_str())
                    || (namespace.is_some() && caps.scope != Scope::Namespaced)
                {
                    continue;
                }
                let api: Api<DynamicObject> = match namespace {
                    Some(ns) => Api::namespaced_with(self.client.clone(), ns, &resource),
                    None => Api::all_with(self.client.clone(), &resource),
                };
                let lp = ListParams::default();
                let list =
                    self.run(|| api.list(&lp))
                        .await
                        .map_err(|source| ApplyError::Cluster {
                            what: format!("list {}", resource.plural),
                            source,
                        })?;
                for item in list.items {
                    let mut v = to_value(item);
                    if let Some(m) = v.as_object_mut() {
                        m.insert("apiVersion".into(), resource.api_version.clone().into());
                        m.insert("kind".into(), resource.kind.clone().into());
                    }
                    if keep(&v) {
                        out.push(v);
                    }
                }
            }
        }
        Ok(out)
    }
}

/// Kinds never tracked by an application (they are created by the cluster).
const SKIP_KINDS: &[&str] = &[
    "Event",
    "Endpoints",
    "EndpointSlice",
    "Lease",
    "TokenReview",
];

fn to_value(obj: DynamicObject) -> Value {
    serde_json::to_value(obj).unwrap_or(Value::Null)
}
