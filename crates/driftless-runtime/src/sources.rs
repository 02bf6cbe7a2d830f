//! Git for the engine: one fetch per repository and revision per poll interval, however many
//! Applications ask, and every blocking `gix` call on the blocking pool.

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
    /// Repository Secrets (`repository`, `repo-creds`), for targets without credentials.
    repo_secrets: Mutex<Vec<driftless_api::RepoSecret>>,
    /// Where SSH keys from repository Secrets are written (mode 0600) for `ssh -i`.
    keys_dir: std::path::PathBuf,
}

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
        cache_dir: &Path,
        poll_interval: Duration,
        plugins: Plugins,
    ) -> Result<Self, RuntimeError> {
        Ok(Sources {
            repos: RepoCache::new(cache_dir)?,
            poll_interval,
            polls: Mutex::default(),
            renders: Mutex::default(),
            plugins: Arc::new(plugins),
            repo_secrets: Mutex::default(),
            keys_dir: cache_dir.join("keys"),
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
        let slot = self
            .polls
            .lock()
            .expect("polls")
            .entry((t.repo.clone(), revision.to_string()))
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
        if t2.credentials == driftless_source::Credentials::None {
            t2.credentials = self.credentials_for(&t2.repo)?;
        }
        let commit = blocking(move || {
            let local = Path::new(&t2.repo);
            if !t2.repo.contains("://") && local.exists() {
                let (resolved, _) = driftless_source::open_local(local, &rev)?;
                return Ok(resolved.commit);
            }
            let url = RepoUrl::parse(&t2.repo)?;
            Ok(repos.resolve(&url, &t2.credentials, &rev)?.commit)
        })
        .await?;
        *last = Some((Instant::now(), commit.clone()));
        Ok(commit)
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
    /// path and render settings were rendered before.
    pub(crate) async fn render(
        &self,
        t: &Target,
        commit: &str,
    ) -> Result<Arc<Rendered>, RuntimeError> {
        let key = render_key(t, commit);
        if let Some(r) = self.renders.lock().expect("renders").map.get(&key) {
            return Ok(r.clone());
        }
        let (repos, t2, c) = (self.repos.clone(), t.clone(), commit.to_string());
        let plugins = self.plugins.clone();
        let rendered = blocking(move || {
            let tree = open_tree(&repos, &t2.repo, &c)?;
            let (manifests, warnings) = crate::render::render_tree(&tree, &t2, &c, &plugins)?;
            Ok(Rendered {
                commit: c,
                manifests,
                warnings,
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
        "{}\0{commit}\0{}\0{:?}\0{}\0{}\0{}\0{}",
        t.repo, t.path, t.render, t.app, t.namespace, t.project, t.revision
    )
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, RuntimeError> + Send + 'static,
) -> Result<T, RuntimeError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| RuntimeError::Connect(format!("background task failed: {e}")))?
}
