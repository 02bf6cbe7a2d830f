//! The git generator's repository access, backed by the engine's Git cache: revisions resolve
//! through the engine's shared poll (one fetch per repository and revision per interval), and
//! each (repository, commit) tree is opened and listed once per generation.

use driftless_appset::{GitSource, SourceError};
use driftless_runtime::Engine;
use driftless_source::{SourceTree, TreeEntryKind};
use std::collections::HashMap;
use std::sync::Mutex;

/// A [`GitSource`] over an [`Engine`]; must be used from a blocking thread (it drives the
/// engine's futures with `handle`). Create one per `generate` call: trees are cached inside.
pub struct EngineGit<'a> {
    engine: &'a Engine,
    handle: tokio::runtime::Handle,
    force: bool,
    trees: Mutex<HashMap<(String, String), Listed>>,
}

/// One opened tree and its paths split by kind.
struct Listed {
    tree: SourceTree,
    directories: Vec<String>,
    files: Vec<String>,
}

impl<'a> EngineGit<'a> {
    /// Reads through `engine`, driving its futures on `handle`; `force` fetches every revision
    /// (a refresh) instead of reusing the last poll.
    pub fn new(engine: &'a Engine, handle: tokio::runtime::Handle, force: bool) -> Self {
        EngineGit {
            engine,
            handle,
            force,
            trees: Mutex::default(),
        }
    }

    fn with_tree<T>(
        &self,
        repo: &str,
        commit: &str,
        f: impl FnOnce(&Listed) -> Result<T, SourceError>,
    ) -> Result<T, SourceError> {
        let key = (repo.to_string(), commit.to_string());
        let mut trees = self.trees.lock().expect("trees");
        if !trees.contains_key(&key) {
            let tree = self
                .handle
                .block_on(self.engine.tree(repo, commit))
                .map_err(|e| SourceError(format!("{repo}@{commit}: {e}")))?;
            let entries = tree
                .walk("")
                .map_err(|e| SourceError(format!("{repo}@{commit}: {e}")))?;
            let (mut directories, mut files) = (Vec::new(), Vec::new());
            for (path, kind) in entries {
                match kind {
                    TreeEntryKind::Dir => directories.push(path),
                    TreeEntryKind::File | TreeEntryKind::Symlink => files.push(path),
                    TreeEntryKind::Submodule => {}
                }
            }
            trees.insert(
                key.clone(),
                Listed {
                    tree,
                    directories,
                    files,
                },
            );
        }
        f(&trees[&key])
    }
}

impl GitSource for EngineGit<'_> {
    fn resolve(&self, repo_url: &str, revision: &str) -> Result<String, SourceError> {
        let revision = if revision.is_empty() {
            "HEAD"
        } else {
            revision
        };
        self.handle
            .block_on(self.engine.resolve_repo(repo_url, revision, self.force))
            .map_err(|e| SourceError(format!("{repo_url}@{revision}: {e}")))
    }

    fn directories(&self, repo_url: &str, commit: &str) -> Result<Vec<String>, SourceError> {
        self.with_tree(repo_url, commit, |l| Ok(l.directories.clone()))
    }

    fn files(&self, repo_url: &str, commit: &str) -> Result<Vec<String>, SourceError> {
        self.with_tree(repo_url, commit, |l| Ok(l.files.clone()))
    }

    fn read(&self, repo_url: &str, commit: &str, path: &str) -> Result<Vec<u8>, SourceError> {
        self.with_tree(repo_url, commit, |l| {
            l.tree
                .read_file(path)
                .map_err(|e| SourceError(format!("{repo_url}@{commit}: {path}: {e}")))
        })
    }
}
