//! The engine: the one door through which the CLI, the controller, the UI and the tests reach
//! Git, rendering, live state, comparison and sync.

use crate::clusters::{Clusters, Connection};
use crate::compare::DryRunMemo;
use crate::live::{LiveCache, LiveChange, Scope, scopes_for};
use crate::pipeline::{self, Comparison, LiveState, Rendered};
use crate::sources::Sources;
use crate::{RuntimeError, Target};
use driftless_apply::{Applier, Cluster, Observer, SyncResult, SyncSettings};
use driftless_core::{ObjectKey, SyncStatus};
use driftless_health::HealthRegistry;
use driftless_plan::Plan;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// How an engine is set up.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// The Git cache directory.
    pub cache_dir: PathBuf,
    /// A resolved branch or tag is reused for this long before the repository is fetched
    /// again (a poll); `Duration::ZERO` fetches on every render (the one-shot CLI).
    pub poll_interval: Duration,
    /// The field manager of our writes.
    pub field_manager: String,
    /// How long to wait for the watch cache of a new scope to list.
    pub cache_sync_timeout: Duration,
    /// Config-management plugin definitions (`ConfigManagementPlugin` YAML): each entry is a
    /// file, or a directory whose `*.yaml` / `*.yml` files and `*/plugin.yaml` are read, in
    /// name order (discovery order). Read once, when the engine is created.
    pub plugins: Vec<PathBuf>,
    /// `PATH` for plugin commands (default: the engine's own).
    pub plugin_path: Option<String>,
    /// Resolve each Application's `destination` among the cluster Secrets given to
    /// [`Engine::clusters`] (the controller); when false every target goes to the engine's own
    /// connection (the one-shot CLI, which names its cluster with `--kubeconfig`).
    pub resolve_destinations: bool,
    /// How many chart archives (and bytes) `<cache_dir>/charts` keeps: beyond them the least
    /// recently used are pruned, never one a render in progress uses.
    pub chart_cache: driftless_charts::CacheLimits,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            cache_dir: driftless_source::RepoCache::default_dir(),
            poll_interval: Duration::ZERO,
            field_manager: driftless_core::annotations::FIELD_MANAGER.to_string(),
            cache_sync_timeout: Duration::from_secs(60),
            plugins: Vec::new(),
            plugin_path: None,
            resolve_destinations: false,
            chart_cache: driftless_charts::CacheLimits::default(),
        }
    }
}

/// How a sync is asked for.
#[derive(Debug, Clone, Default)]
pub struct SyncRequest {
    /// Delete tracked objects that left Git.
    pub prune: bool,
    /// Write every object, even those the comparison found in sync (Argo CD's manual sync
    /// behaviour; see docs/sync.md for why it is not the default).
    pub force_apply: bool,
    /// Compare with a server-side dry run of every object.
    pub server_side_diff: bool,
    /// Only these objects (a manual sync of selected resources); empty means all.
    pub only: Vec<ObjectKey>,
    /// Hooks a resumed operation already ran to success (recorded in its operation state):
    /// not run again.
    pub completed: HashSet<ObjectKey>,
}

/// Shared Git cache, render cache, cluster connection, watch cache and health rules.
///
/// ```no_run
/// # async fn demo() -> Result<(), driftless_runtime::RuntimeError> {
/// use driftless_runtime::{Application, ClusterConfig, Engine, EngineConfig};
/// let engine = Engine::new(EngineConfig::default())?.connect(&ClusterConfig::Infer).await?;
/// let app = Application::from_yaml(&std::fs::read_to_string("app.yaml").unwrap()).unwrap();
/// let t = engine.target(&app)?;
/// let rendered = engine.render(&t).await?;
/// let live = engine.live(&t, &rendered, &[]).await?;
/// let diff = engine.compare(&t, &live, false).await?;
/// println!("in sync: {}", diff.in_sync());
/// # Ok(()) }
/// ```
pub struct Engine {
    config: EngineConfig,
    pub(crate) sources: Sources,
    conn: Option<Arc<Connection>>,
    clusters: Clusters,
    changes: tokio::sync::broadcast::Sender<LiveChange>,
    health: HealthRegistry,
    memo: DryRunMemo,
}

impl Engine {
    /// An engine with no cluster (render, offline plan and diff).
    pub fn new(config: EngineConfig) -> Result<Self, RuntimeError> {
        let changes = tokio::sync::broadcast::channel(4096).0;
        Ok(Engine {
            clusters: Clusters::new(&config.field_manager, changes.clone()),
            changes,
            sources: Sources::new(&config, crate::render::Plugins::load(&config)?)?,
            config,
            conn: None,
            health: HealthRegistry::new(),
            memo: DryRunMemo::default(),
        })
    }

    /// Connects to the cluster `config` names.
    pub async fn connect(self, config: &crate::ClusterConfig) -> Result<Self, RuntimeError> {
        let client = crate::connect::client(config).await?;
        Ok(self.with_client(client))
    }

    /// Uses `client` for the cluster (reads through a watch cache, writes with our manager).
    pub fn with_client(mut self, client: kube::Client) -> Self {
        self.conn = Some(Connection::new(
            client,
            &self.config.field_manager,
            self.changes.clone(),
        ));
        self
    }

    /// The other clusters (from Argo CD cluster Secrets) and destination resolution.
    pub fn clusters(&self) -> &Clusters {
        &self.clusters
    }

    /// Replaces the repository Secrets (`repository`, `repo-creds`) that give targets without
    /// credentials of their own theirs (Argo CD's matching, [`driftless_api::repo_credentials`]).
    pub fn set_repo_secrets(&self, secrets: Vec<driftless_api::RepoSecret>) {
        self.sources.set_repo_secrets(secrets);
    }

    /// Changes seen by the watches of every cluster (for controllers that requeue the owning
    /// Application).
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<LiveChange> {
        self.changes.subscribe()
    }

    /// The cluster a target goes to: its destination's, or the engine's own.
    pub async fn cluster_for(&self, t: &Target) -> Result<Arc<Cluster>, RuntimeError> {
        Ok(self.conn_for(t).await?.cluster.clone())
    }

    /// Forgets what Application `app` needed from every cluster's watch cache.
    pub fn release(&self, app: &str) {
        for c in self
            .conn
            .iter()
            .cloned()
            .chain(self.clusters.each_connection())
        {
            c.live.release(app);
        }
    }

    async fn conn_for(&self, t: &Target) -> Result<Arc<Connection>, RuntimeError> {
        match &t.cluster {
            None => Ok(self.conn()?.clone()),
            Some(server) => self.clusters.connection(server).await,
        }
    }

    /// Replaces the health rules (custom resource checks).
    pub fn with_health(mut self, health: HealthRegistry) -> Self {
        self.health = health;
        self
    }

    /// The engine's settings.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// The health rules.
    pub fn health(&self) -> &HealthRegistry {
        &self.health
    }

    /// The cluster, when connected.
    pub fn cluster(&self) -> Option<&Arc<Cluster>> {
        self.conn.as_ref().map(|c| &c.cluster)
    }

    /// The watch cache, when connected.
    pub fn live_cache(&self) -> Option<&Arc<LiveCache>> {
        self.conn.as_ref().map(|c| &c.live)
    }

    fn conn(&self) -> Result<&Arc<Connection>, RuntimeError> {
        self.conn.as_ref().ok_or(RuntimeError::NotConnected)
    }

    /// Resolves an Application into a target (source, destination, render and sync settings).
    /// With [`EngineConfig::resolve_destinations`], its `destination` must name a known cluster
    /// (else [`RuntimeError::Destination`], with Argo CD's message).
    pub fn target(&self, app: &crate::Application) -> Result<Target, RuntimeError> {
        let mut t = Target::from_application(app)?;
        if self.config.resolve_destinations {
            let c = self.clusters.resolve(&app.spec.destination)?;
            t.namespaced_mode = c.secret.as_ref().and_then(|s| s.namespaced_mode());
            t.cluster = (!c.is_local()).then_some(c.server);
        }
        Ok(t)
    }

    /// Calls `f` with the duration of every fetch from a remote repository (a poll that went
    /// to the remote, a forced refresh): the controller's `driftless_git_fetch_seconds`.
    pub fn on_git_fetch(&self, f: crate::FetchObserver) {
        *self.sources.on_fetch.lock().expect("fetch observer") = Some(f);
    }

    /// The commit the target's revision names now (fetching at most once per poll interval);
    /// for a multi-source target, its first source's ([`Engine::resolve_all`] resolves all).
    pub async fn resolve(&self, t: &Target, force: bool) -> Result<String, RuntimeError> {
        let first = t.source_target(0);
        self.sources.resolve(&first, &first.revision, force).await
    }

    /// The commit `revision` of repository `repo` (URL or local path) names now, sharing the
    /// poll of Applications on the same repository and revision (an ApplicationSet's git
    /// generator, `driftless appset generate`). `force` always fetches.
    pub async fn resolve_repo(
        &self,
        repo: &str,
        revision: &str,
        force: bool,
    ) -> Result<String, RuntimeError> {
        let t = Target {
            repo: repo.to_string(),
            ..Target::default()
        };
        self.sources.resolve(&t, revision, force).await
    }

    /// The files of `repo` at `commit` (resolved before with [`Engine::resolve_repo`]), read
    /// from the Git cache on the blocking pool.
    pub async fn tree(
        &self,
        repo: &str,
        commit: &str,
    ) -> Result<driftless_source::SourceTree, RuntimeError> {
        self.sources.tree(repo, commit).await
    }

    /// Fetches and renders the target at its revision (every source at its own, for a
    /// multi-source target; cached by commit and settings).
    pub async fn render(&self, t: &Target) -> Result<Arc<Rendered>, RuntimeError> {
        let commits = self.resolve_all(t, false).await?;
        self.render_revisions(t, &commits).await
    }

    /// Fetches and renders the target at `revision`. A multi-source target takes one
    /// revision per source ([`Engine::resolve_revisions`]); here only its own revision.
    pub async fn render_at(
        &self,
        t: &Target,
        revision: &str,
    ) -> Result<Arc<Rendered>, RuntimeError> {
        if t.is_multi_source() {
            if revision != t.revision {
                return Err(RuntimeError::Revisions {
                    sources: t.source_count(),
                    given: 1,
                });
            }
            return self.render(t).await;
        }
        let commit = self.sources.resolve(t, revision, false).await?;
        self.sources.render(t, &commit, &[]).await
    }

    /// Renders a single-source target at an exact commit (no fetch when it is cached); a
    /// multi-source target takes one commit per source ([`Engine::render_revisions`]).
    pub async fn render_commit(
        &self,
        t: &Target,
        commit: &str,
    ) -> Result<Arc<Rendered>, RuntimeError> {
        self.render_revisions(t, &[commit.to_string()]).await
    }

    /// Live state for the target: desired objects with namespaces defaulted by discovery, and
    /// the live objects it tracks, from the watch cache. `inventory` lists what it applied
    /// before (so a kind that left Git is still watched and pruned). Fails, never guesses,
    /// while a needed scope has not listed.
    pub async fn live(
        &self,
        t: &Target,
        rendered: &Rendered,
        inventory: &[ObjectKey],
    ) -> Result<LiveState, RuntimeError> {
        let conn = self.conn_for(t).await?;
        let mut desired = rendered.manifests.clone();
        driftless_apply::default_namespaces(&conn.cluster, &mut desired, &t.namespace).await?;
        let mut served = HashMap::new();
        let keys: Vec<&ObjectKey> = desired.iter().map(|m| m.key()).chain(inventory).collect();
        for key in &keys {
            let id = (key.group.clone(), key.version.clone(), key.kind.clone());
            if let std::collections::hash_map::Entry::Vacant(e) = served.entry(id) {
                let r = conn.cluster.resolve(key).await?;
                e.insert(r.map(|r| (r.resource, r.namespaced)));
            }
        }
        if let Some(mode) = &t.namespaced_mode {
            for m in &desired {
                let k = m.key();
                let id = (k.group.clone(), k.version.clone(), k.kind.clone());
                if let Some(Some((_, namespaced))) = served.get(&id) {
                    let ns = namespaced.then(|| k.namespace.as_deref().unwrap_or_default());
                    mode.check(&k.kind, &k.name, ns)
                        .map_err(RuntimeError::NotManaged)?;
                }
            }
        }
        let scopes: HashSet<Scope> = scopes_for(keys.iter().map(|k| {
            let id = (k.group.clone(), k.version.clone(), k.kind.clone());
            (*k, served.get(&id).cloned().flatten())
        }));
        conn.live.want(&t.app, scopes.clone());
        // An Application that moved to another cluster no longer needs the old one's watches.
        for other in self
            .conn
            .iter()
            .chain(self.clusters.each_connection().iter())
        {
            if !Arc::ptr_eq(other, &conn) {
                other.live.release(&t.app);
            }
        }
        conn.live
            .wait_synced(&scopes, self.config.cache_sync_timeout)
            .await?;
        let (app, method) = (t.app.as_str(), t.tracking);
        let mut tracked = conn.live.objects(&scopes, &|o| {
            driftless_apply::owner_of(o, method).as_deref() == Some(app)
        });
        // A watch may not have delivered our own last writes yet: what the inventory lists and
        // the cache lacks is read through the cluster, which goes to the server for objects
        // whose cached copy is older than our write (no request in steady state).
        let seen: HashSet<ObjectKey> = tracked.iter().filter_map(ObjectKey::from_object).collect();
        for key in inventory.iter().filter(|k| !seen.contains(*k)) {
            if let Some(obj) = conn.cluster.get(key).await?
                && driftless_apply::owner_of(&obj, method).as_deref() == Some(app)
            {
                tracked.push(obj);
            }
        }
        Ok(LiveState { desired, tracked })
    }

    /// Compares the target with the cluster: locally from the watch cache, with a server-side
    /// dry run only for objects local comparison finds different (or all, with `server_side`).
    pub async fn compare(
        &self,
        t: &Target,
        live: &LiveState,
        server_side: bool,
    ) -> Result<Comparison, RuntimeError> {
        let conn = self.conn_for(t).await?;
        let cmp = pipeline::comparer(t)?;
        crate::compare::compare(&conn.cluster, &self.memo, t, &cmp, live, server_side).await
    }

    /// Plans a sync against live state.
    pub fn plan(
        &self,
        t: &Target,
        rendered: &Rendered,
        live: &LiveState,
        prune: bool,
    ) -> Result<Plan, RuntimeError> {
        pipeline::plan(t, rendered, live, prune)
    }

    /// Syncs the target: plans against live state, then applies what is out of sync (all of it
    /// with `force_apply`), wave by wave.
    pub async fn sync(
        &self,
        t: &Target,
        rendered: &Rendered,
        live: &LiveState,
        req: &SyncRequest,
        settings: &SyncSettings,
        observer: &dyn Observer,
    ) -> Result<(Plan, SyncResult), RuntimeError> {
        let conn = self.conn_for(t).await?;
        let mut plan = pipeline::plan(t, rendered, live, req.prune)?;
        if !req.only.is_empty() {
            let only: HashSet<&ObjectKey> = req.only.iter().collect();
            plan.steps.retain(|st| only.contains(&st.key));
        }
        let in_sync = if req.force_apply {
            HashSet::new()
        } else {
            self.compare(t, live, req.server_side_diff)
                .await?
                .objects
                .into_iter()
                .filter(|o| o.status == SyncStatus::Synced)
                .map(|o| o.key)
                .collect()
        };
        let result = Applier::new(&conn.cluster, observer)
            .with_health(self.health.clone())
            .with_comparer(pipeline::comparer(t)?)
            .with_in_sync(in_sync)
            .with_completed(req.completed.clone())
            .sync(&plan, settings)
            .await?;
        Ok((plan, result))
    }
}
