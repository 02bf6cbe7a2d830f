//! Git for the engine: one fetch per repository and revision per poll interval, however many
//! Applications ask, and every blocking `gix` call on the blocking pool.

use crate::chart_source::Charts;
use crate::render::Plugins;
use crate::{Rendered, RuntimeError, Target};
use driftless_source::{RepoCache, RepoUrl};
use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Resolved revisions and rendered commits, shared by every Application of an engine.
pub(crate) struct Sources {
    repos: RepoCache,
    /// Reuse a resolved revision for this long (0: resolve every time).
    pub(crate) poll_interval: Duration,
    polls: Mutex<HashMap<(String, String), PollSlot>>,
    renders: Mutex<RenderCache>,
    plugins: Arc<Plugins>,
    /// Told how long each fetch from a remote took (the controller's metrics).
    pub(crate) on_fetch: Mutex<Option<FetchObserver>>,
    /// Charts of chart repositories and OCI registries (sources and dependencies).
    pub(crate) charts: Charts,
    /// Repository Secrets (`repository`, `repo-creds`), for targets without credentials.
    repo_secrets: Mutex<Vec<driftless_api::RepoSecret>>,
    /// Where SSH keys from repository Secrets are written (mode 0600) for `ssh -i`.
    keys_dir: std::path::PathBuf,
}

/// Receives the duration of every fetch from a remote repository.
pub type FetchObserver = Arc<dyn Fn(Duration) + Send + Sync>;

/// The last resolution of one repository and revision: when, and to which commit.
type PollSlot = Arc<tokio::sync::Mutex<Option<(Instant, String)>>>;

/// How many renders are kept (oldest dropped first).
const RENDERS_KEPT: usize = 512;

#[derive(Default)]
struct RenderCache {
    map: HashMap<String, Arc<Rendered>>,
    order: VecDeque<String>,
}

impl Sources {
    pub(crate) fn new(
        config: &crate::EngineConfig,
        plugins: Plugins,
    ) -> Result<Self, RuntimeError> {
        let (cache_dir, poll_interval) = (&config.cache_dir, config.poll_interval);
        Ok(Sources {
            repos: RepoCache::new(cache_dir)?,
            poll_interval,
            polls: Mutex::default(),
            renders: Mutex::default(),
            plugins: Arc::new(plugins),
            repo_secrets: Mutex::default(),
            keys_dir: cache_dir.join("keys"),
            on_fetch: Mutex::default(),
            charts: Charts::new(cache_dir, poll_interval, config.chart_cache)?,
        })
    }

    /// The commit `revision` of the target's repository names now. Concurrent callers for the
    /// same repository and revision share one fetch; within the poll interval the last answer
    /// is reused. `force` (a hard refresh, a webhook) always fetches.
    pub(crate) async fn resolve(
        &self,
        t: &Target,
        revision: &str,
        force: bool,
    ) -> Result<String, RuntimeError> {
        // A chart's versions are polled like a branch (its repository, chart and constraint).
        let key = match &t.chart {
            Some(chart) => format!("{}\0chart\0{chart}", t.repo),
            None => t.repo.clone(),
        };
        let slot = self
            .polls
            .lock()
            .expect("polls")
            .entry((key, revision.to_string()))
            .or_default()
            .clone();
        let mut last = slot.lock().await;
        if let Some((at, commit)) = last.as_ref()
            && !force
            && at.elapsed() < self.poll_interval
        {
            return Ok(commit.clone());
        }
        let (repos, mut t2, rev) = (self.repos.clone(), t.clone(), revision.to_string());
        let on_fetch = self.on_fetch.lock().expect("fetch observer").clone();
        let charts = self.charts.clone();
        let secrets = self.repo_secrets();
        if t2.credentials == driftless_source::Credentials::None && t2.chart.is_none() {
            t2.credentials = self.credentials_for(&t2.repo)?;
        }
        let commit = blocking(move || {
            if let Some(chart) = &t2.chart {
                return charts.resolve(&t2, chart, &rev, &secrets);
            }
            let local = Path::new(&t2.repo);
            if !t2.repo.contains("://") && local.exists() {
                let (resolved, _) = driftless_source::open_local(local, &rev)?;
                return Ok(resolved.commit);
            }
            let url = RepoUrl::parse(&t2.repo)?;
            let started = Instant::now();
            let resolved = repos.resolve(&url, &t2.credentials, &rev);
            if let Some(f) = &on_fetch {
                f(started.elapsed());
            }
            Ok(resolved?.commit)
        })
        .await?;
        *last = Some((Instant::now(), commit.clone()));
        Ok(commit)
    }

    /// The repository Secrets now.
    pub(crate) fn repo_secrets(&self) -> Vec<driftless_api::RepoSecret> {
        self.repo_secrets.lock().expect("repo secrets").clone()
    }

    /// Replaces the repository Secrets.
    pub(crate) fn set_repo_secrets(&self, secrets: Vec<driftless_api::RepoSecret>) {
        *self.repo_secrets.lock().expect("repo secrets") = secrets;
    }

    /// The credentials the repository Secrets give `repo` (none when nothing matches).
    fn credentials_for(&self, repo: &str) -> Result<driftless_source::Credentials, RuntimeError> {
        use driftless_source::Credentials;
        let found =
            driftless_api::repo_credentials(repo, &self.repo_secrets.lock().expect("repo secrets"));
        let Some(c) = found else {
            return Ok(Credentials::None);
        };
        Ok(if !c.ssh_private_key.is_empty() {
            Credentials::SshKey {
                key_file: crate::keys::write_key(&self.keys_dir, &c.ssh_private_key)?,
                known_hosts: None,
            }
        } else if !c.bearer_token.is_empty() && c.password.is_empty() {
            Credentials::Token(c.bearer_token)
        } else if !c.password.is_empty() {
            Credentials::Basic {
                username: c.username,
                password: c.password,
            }
        } else {
            Credentials::None
        })
    }

    /// The tree of `repo` (URL or local path) at `commit`.
    pub(crate) async fn tree(
        &self,
        repo: &str,
        commit: &str,
    ) -> Result<driftless_source::SourceTree, RuntimeError> {
        let (repos, repo, c) = (self.repos.clone(), repo.to_string(), commit.to_string());
        blocking(move || open_tree(&repos, &repo, &c)).await
    }

    /// The render of the target at `commit`, from the cache when the same repository, commit,
    /// path, render settings and referenced sources' commits were rendered before. `refs` are
    /// the sources whose files the target's Helm options name as `$name/…`.
    pub(crate) async fn render(
        &self,
        t: &Target,
        commit: &str,
        refs: &[RefAt],
    ) -> Result<Arc<Rendered>, RuntimeError> {
        let key = format!("{}\0{refs:?}", render_key(t, commit));
        if let Some(r) = self.renders.lock().expect("renders").map.get(&key) {
            return Ok(r.clone());
        }
        let (repos, t2, c) = (self.repos.clone(), t.clone(), commit.to_string());
        let (plugins, refs) = (self.plugins.clone(), refs.to_vec());
        let charts = self.charts.clone();
        let secrets = self.repo_secrets();
        let rendered = blocking(move || {
            let referenced = crate::refs::read_referenced(&t2, &refs, |repo, commit| {
                open_tree(&repos, repo, commit)
            })?;
            if let Some(chart) = &t2.chart {
                return charts.render(&t2, chart, &c, &plugins, referenced, &secrets);
            }
            let tree = open_tree(&repos, &t2.repo, &c)?;
            let fetcher = Some(charts.fetcher(&t2, &secrets));
            let out =
                crate::render::render_tree(&tree, &t2, &c, &plugins, referenced, fetcher, None)?;
            Ok(Rendered {
                revisions: vec![c.clone()],
                commit: c,
                manifests: out.manifests,
                warnings: out.warnings,
                source_types: vec![out.source_type],
            })
        })
        .await?;
        let rendered = Arc::new(rendered);
        let mut cache = self.renders.lock().expect("renders");
        if cache.map.insert(key.clone(), rendered.clone()).is_none() {
            cache.order.push_back(key);
            while cache.order.len() > RENDERS_KEPT {
                if let Some(old) = cache.order.pop_front() {
                    cache.map.remove(&old);
                }
            }
        }
        Ok(rendered)
    }
}

/// A source that another refers to by `$name`: the name as written (`$values`), its
/// repository and the commit it is at.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RefAt {
    pub(crate) name: String,
    pub(crate) repo: String,
    pub(crate) commit: String,
}

/// The tree of `repo` at `commit`: a local path is opened in place, a URL from the cache.
fn open_tree(
    repos: &RepoCache,
    repo: &str,
    commit: &str,
) -> Result<driftless_source::SourceTree, RuntimeError> {
    let local = Path::new(repo);
    Ok(if !repo.contains("://") && local.exists() {
        driftless_source::open_local(local, commit)?.1
    } else {
        repos.tree(&RepoUrl::parse(repo)?, commit)?
    })
}

/// Everything a render depends on besides the files: repository, commit, path, render settings,
/// application name (Helm's default release name), destination namespace, and the project and
/// target revision (build variables).
fn render_key(t: &Target, commit: &str) -> String {
    format!(
        "{}\0{commit}\0{}\0{:?}\0{}\0{}\0{}\0{}\0{:?}",
        t.repo, t.path, t.render, t.app, t.namespace, t.project, t.revision, t.chart
    )
}

/// Runs `f` on the blocking pool.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, RuntimeError> + Send + 'static,
) -> Result<T, RuntimeError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| RuntimeError::Connect(format!("background task failed: {e}")))?
}
