//! Engine tests' support: a simulator on the test's runtime with its request counters, an engine
//! connected to it, and throwaway Git repositories (the end-to-end harness's, included from
//! `tests/src/git_repo.rs`).

#![allow(dead_code)]

#[path = "../../../../tests/src/git_repo.rs"]
mod git_repo;
#[allow(unused_imports)] // not every test binary uses the chart repository
pub use git_repo::{GitRepo, color_chart_repo};

use driftless_apply::{NoObserver, SyncSettings};
use driftless_core::ObjectKey;
use driftless_runtime::{Engine, EngineConfig, RuntimeError, SyncOutcome, SyncRequest, Target};
use driftless_sim::server::metrics::{RequestLabels, by_verb, delta};
use driftless_sim::{ClusterConfig, ClusterHandle, ResourceRef, WriteOptions};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;

/// A simulator, a client and an engine on it.
pub struct Env {
    pub sim: ClusterHandle,
    pub client: kube::Client,
    pub engine: Engine,
    pub dir: tempfile::TempDir,
}

/// A simulator without workload controllers (the tests use no workloads).
pub fn quiet_config() -> ClusterConfig {
    ClusterConfig {
        controllers: false,
        ..ClusterConfig::default()
    }
}

impl Env {
    pub async fn start() -> Env {
        Env::start_with(quiet_config()).await
    }

    pub async fn start_with(config: ClusterConfig) -> Env {
        let sim = driftless_sim::Cluster::start(config)
            .await
            .expect("simulator starts");
        let client = client(&sim).await;
        let dir = tempfile::tempdir().expect("temp dir");
        let engine = engine(&dir, client.clone(), Duration::from_secs(20));
        Env {
            sim,
            client,
            engine,
            dir,
        }
    }

    /// Another engine on the same cluster (a second one-shot CLI run), listing for at most
    /// `sync_timeout`.
    pub fn engine_with_timeout(&self, sync_timeout: Duration) -> Engine {
        engine(&self.dir, self.client.clone(), sync_timeout)
    }

    /// Creates namespace `name` directly in the store.
    pub fn namespace(&self, name: &str) {
        self.create(
            &ResourceRef::core("namespaces"),
            json!({"metadata": {"name": name}}),
        );
    }

    /// Creates `obj` directly in the store (as another client would).
    pub fn create(&self, r: &ResourceRef, obj: Value) {
        self.sim
            .store()
            .create(r, obj, &WriteOptions::manager("someone-else"))
            .expect("created in the store");
    }

    /// The object in the store, if any.
    pub fn stored(&self, r: &ResourceRef, ns: &str, name: &str) -> Option<Value> {
        self.sim.store().get(r, Some(ns), name).ok()
    }

    /// A merge patch of `name` in `ns` through the API, as another client (`kubectl edit`).
    pub async fn patch<K>(&self, ns: &str, name: &str, patch: Value)
    where
        K: kube::Resource<DynamicType = ()>,
    {
        let api: kube::Api<kube::api::DynamicObject> = kube::Api::namespaced_with(
            self.client.clone(),
            ns,
            &kube::core::ApiResource::erase::<K>(&()),
        );
        api.patch(
            name,
            &kube::api::PatchParams::default(),
            &kube::api::Patch::Merge(patch),
        )
        .await
        .expect("patched");
    }

    /// Every request series so far.
    pub fn counts(&self) -> BTreeMap<RequestLabels, u64> {
        self.sim.requests().snapshot()
    }

    /// Requests by verb since `before`.
    pub fn verbs_since(&self, before: &BTreeMap<RequestLabels, u64>) -> BTreeMap<String, u64> {
        by_verb(&delta(before, &self.counts()))
    }

    /// Requests since `before`, as `VERB resource` → count (for messages and checks).
    pub fn requests_since(&self, before: &BTreeMap<RequestLabels, u64>) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for (l, n) in delta(before, &self.counts()) {
            let dry = if l.dry_run.is_empty() {
                ""
            } else {
                " (dry run)"
            };
            *out.entry(format!("{} {}{dry}", l.verb, l.resource))
                .or_default() += n;
        }
        out
    }

    /// Syncs `t` in one shot with `req`.
    pub async fn sync(&self, t: &Target, req: &SyncRequest) -> Result<SyncOutcome, RuntimeError> {
        self.engine
            .sync_oneshot(t, req, &settings(t), &NoObserver)
            .await
    }

    /// Waits until the engine's watch cache holds every object of `keys` as the store has it
    /// now (same resourceVersion, or absent from both).
    pub async fn settle(&self, keys: &[ObjectKey]) {
        let cache = self.engine.live_cache().expect("connected").clone();
        let store = self.sim.store().clone();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let lagging: Vec<&ObjectKey> = keys
                .iter()
                .filter(|k| {
                    let stored = stored_rv(&store, k);
                    let cached = driftless_apply::ReadCache::cached(&*cache, k)
                        .map(|o| o.as_ref().and_then(rv));
                    cached != Some(stored)
                })
                .collect();
            if lagging.is_empty() {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the watch cache never caught up with {lagging:?}"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

fn rv(o: &Value) -> Option<String> {
    o.pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .map(str::to_string)
}

fn stored_rv(store: &driftless_sim::Store, k: &ObjectKey) -> Option<String> {
    let reg = store.registry();
    let rt = reg.by_kind(&k.api_version(), &k.kind)?;
    store
        .get(&rt.resource_ref(), k.namespace.as_deref(), &k.name)
        .ok()
        .and_then(|o| rv(&o))
}

async fn client(sim: &ClusterHandle) -> kube::Client {
    let kc = kube::config::Kubeconfig::from_yaml(sim.kubeconfig()).expect("kubeconfig parses");
    let config = kube::Config::from_custom_kubeconfig(kc, &Default::default())
        .await
        .expect("kubeconfig loads");
    kube::Client::try_from(config).expect("client")
}

fn engine(dir: &tempfile::TempDir, client: kube::Client, sync_timeout: Duration) -> Engine {
    Engine::new(EngineConfig {
        cache_dir: dir.path().join("cache"),
        cache_sync_timeout: sync_timeout,
        ..EngineConfig::default()
    })
    .expect("engine")
    .with_client(client)
}

/// A target for `path` in `repo`, deployed into `namespace` as application `app`, pruning.
pub fn target(repo: &GitRepo, path: &str, app: &str, namespace: &str) -> Target {
    Target {
        app: app.into(),
        repo: repo.path().to_string_lossy().into_owned(),
        revision: "HEAD".into(),
        path: path.into(),
        namespace: namespace.into(),
        prune: true,
        ..Target::default()
    }
}

/// Sync settings with test-sized timeouts.
pub fn settings(t: &Target) -> SyncSettings {
    SyncSettings {
        app: t.app.clone(),
        tracking: t.tracking,
        namespace: Some(t.namespace.clone()),
        wave_timeout: Duration::from_secs(10),
        sync_timeout: Duration::from_secs(20),
        ..SyncSettings::default()
    }
}

/// YAML of a ConfigMap.
pub fn config_map(name: &str, value: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  value: {value:?}\n"
    )
}

/// YAML of a Secret.
pub fn secret(name: &str, value: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\nstringData:\n  value: {value:?}\n"
    )
}
