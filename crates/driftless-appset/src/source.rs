//! What the git generator reads: a repository at a revision, behind a trait so
//! tests use an in-memory tree and the runtime backs it with `driftless-source`.

use std::collections::{BTreeMap, BTreeSet};

use globset::{GlobBuilder, GlobMatcher};

use crate::error::SourceError;

/// Read access to Git repositories at a revision.
///
/// Implementors provide the three primitives; the glob matching that Argo CD's
/// generators apply is done by the provided methods, so every implementation
/// matches paths the same way.
pub trait GitSource {
    /// Resolves `revision` (branch, tag, `HEAD`, commit) of `repo_url` to a
    /// commit SHA (the generators' `commitSHA` parameter). An empty revision
    /// means `HEAD`.
    fn resolve(&self, repo_url: &str, revision: &str) -> Result<String, SourceError>;

    /// Every directory of the tree at `commit`, as slash-separated paths
    /// relative to the root, without the root itself, in any order.
    fn directories(&self, repo_url: &str, commit: &str) -> Result<Vec<String>, SourceError>;

    /// Every file of the tree at `commit`, as slash-separated paths relative
    /// to the root, in any order.
    fn files(&self, repo_url: &str, commit: &str) -> Result<Vec<String>, SourceError>;

    /// The contents of the file `path` at `commit`.
    fn read(&self, repo_url: &str, commit: &str, path: &str) -> Result<Vec<u8>, SourceError>;

    /// Directories matching Go's `path.Match` `pattern`, sorted, skipping any
    /// directory with a path segment that starts with `.` (as Argo CD's repo
    /// server does: `.git`, `.github`).
    fn directories_matching(
        &self,
        repo_url: &str,
        commit: &str,
        pattern: &str,
    ) -> Result<Vec<String>, SourceError> {
        let m = path_match(pattern)?;
        let mut out = visible_directories(self.directories(repo_url, commit)?);
        out.retain(|d| m.is_match(d));
        Ok(out)
    }

    /// Files matching the doublestar `pattern` (`*` within a segment, `**`
    /// across segments, as Argo CD's git files generator), sorted.
    fn files_matching(
        &self,
        repo_url: &str,
        commit: &str,
        pattern: &str,
    ) -> Result<Vec<String>, SourceError> {
        let m = doublestar(pattern)?;
        let mut out: Vec<String> = self
            .files(repo_url, commit)?
            .into_iter()
            .filter(|f| m.is_match(f))
            .collect();
        out.sort();
        out.dedup();
        Ok(out)
    }
}

/// Sorted directories without those that have a segment starting with `.`
/// (Argo CD's repo server skips `.git`, `.github`, ...).
pub(crate) fn visible_directories(mut dirs: Vec<String>) -> Vec<String> {
    dirs.retain(|d| !d.split('/').any(|s| s.starts_with('.')));
    dirs.sort();
    dirs.dedup();
    dirs
}

/// Go's `path.Match`: `*` and `?` never cross `/`, `[...]` classes.
pub(crate) fn path_match(pattern: &str) -> Result<GlobMatcher, SourceError> {
    // `**` is not special in path.Match: it is two `*`, which is one `*`.
    let mut p = pattern.trim_start_matches('/').to_string();
    while p.contains("**") {
        p = p.replace("**", "*");
    }
    // Braces are literal in path.Match (globset would read them as alternatives).
    let p = p.replace('{', "\\{").replace('}', "\\}");
    build(&p, pattern)
}

/// Doublestar matching, as Argo CD's file globbing.
pub(crate) fn doublestar(pattern: &str) -> Result<GlobMatcher, SourceError> {
    build(pattern.trim_start_matches('/'), pattern)
}

fn build(p: &str, original: &str) -> Result<GlobMatcher, SourceError> {
    GlobBuilder::new(p)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| SourceError(format!("invalid path pattern {original:?}: {e}")))
}

/// An in-memory repository: one tree per commit, with named revisions.
///
/// ```
/// use driftless_appset::{GitSource, MemRepo};
/// let repo = MemRepo::new("https://git.example/apps.git")
///     .with_file("apps/web/config.json", r#"{"env": "dev"}"#);
/// let sha = repo.resolve("https://git.example/apps.git", "HEAD").unwrap();
/// assert_eq!(repo.directories_matching("https://git.example/apps.git", &sha, "apps/*").unwrap(),
///            vec!["apps/web"]);
/// ```
#[derive(Debug, Clone, Default)]
pub struct MemRepo {
    url: String,
    sha: String,
    files: BTreeMap<String, Vec<u8>>,
}

impl MemRepo {
    /// An empty repository at `url`; every revision resolves to one fixed commit.
    pub fn new(url: &str) -> MemRepo {
        MemRepo {
            url: url.to_string(),
            sha: "0000000000000000000000000000000000000001".to_string(),
            files: BTreeMap::new(),
        }
    }

    /// Sets the commit SHA every revision resolves to.
    pub fn with_commit(mut self, sha: &str) -> MemRepo {
        self.sha = sha.to_string();
        self
    }

    /// Adds a file (its parent directories exist implicitly).
    pub fn with_file(mut self, path: &str, contents: &str) -> MemRepo {
        self.files.insert(
            path.trim_start_matches('/').to_string(),
            contents.as_bytes().to_vec(),
        );
        self
    }

    fn check(&self, repo_url: &str) -> Result<(), SourceError> {
        if repo_url == self.url {
            Ok(())
        } else {
            Err(SourceError(format!("unknown repository {repo_url}")))
        }
    }
}

impl GitSource for MemRepo {
    fn resolve(&self, repo_url: &str, _revision: &str) -> Result<String, SourceError> {
        self.check(repo_url)?;
        Ok(self.sha.clone())
    }

    fn directories(&self, repo_url: &str, _commit: &str) -> Result<Vec<String>, SourceError> {
        self.check(repo_url)?;
        let mut dirs = BTreeSet::new();
        for path in self.files.keys() {
            let mut cur = path.as_str();
            while let Some((parent, _)) = cur.rsplit_once('/') {
                dirs.insert(parent.to_string());
                cur = parent;
            }
        }
        Ok(dirs.into_iter().collect())
    }

    fn files(&self, repo_url: &str, _commit: &str) -> Result<Vec<String>, SourceError> {
        self.check(repo_url)?;
        Ok(self.files.keys().cloned().collect())
    }

    fn read(&self, repo_url: &str, _commit: &str, path: &str) -> Result<Vec<u8>, SourceError> {
        self.check(repo_url)?;
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| SourceError(format!("no file {path}")))
    }
}

/// A source with no repositories: every git generator fails with a clear error.
/// For sets that use no git generator.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoGit;

impl GitSource for NoGit {
    fn resolve(&self, repo_url: &str, _: &str) -> Result<String, SourceError> {
        Err(SourceError(format!(
            "no Git access was given to read {repo_url}"
        )))
    }
    fn directories(&self, repo_url: &str, _: &str) -> Result<Vec<String>, SourceError> {
        self.resolve(repo_url, "").map(|_| vec![])
    }
    fn files(&self, repo_url: &str, _: &str) -> Result<Vec<String>, SourceError> {
        self.resolve(repo_url, "").map(|_| vec![])
    }
    fn read(&self, repo_url: &str, _: &str, _: &str) -> Result<Vec<u8>, SourceError> {
        self.resolve(repo_url, "").map(|_| vec![])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_match_star_stays_in_segment() {
        let m = path_match("apps/*").unwrap();
        assert!(m.is_match("apps/web"));
        assert!(!m.is_match("apps/web/x"));
        assert!(path_match("a/{b,c}").unwrap().is_match("a/{b,c}"));
        assert!(!path_match("a/{b,c}").unwrap().is_match("a/b"));
        assert!(doublestar("a/{b,c}.yaml").unwrap().is_match("a/b.yaml"));
        let m = path_match("/d/[f|g]").unwrap();
        assert!(m.is_match("d/f") && m.is_match("d/g") && !m.is_match("d/e"));
    }

    #[test]
    fn doublestar_crosses_segments() {
        let m = doublestar("cluster-config/**/config.json").unwrap();
        assert!(m.is_match("cluster-config/engineering/dev/config.json"));
        assert!(m.is_match("cluster-config/config.json"));
        assert!(!doublestar("a/*.json").unwrap().is_match("a/b/c.json"));
    }

    #[test]
    fn hidden_directories_are_skipped() {
        let r = MemRepo::new("u")
            .with_file(".github/x/a", "")
            .with_file("apps/.hidden/a", "")
            .with_file("apps/web/a", "");
        assert_eq!(r.directories_matching("u", "c", "*").unwrap(), vec!["apps"]);
        assert_eq!(
            r.directories_matching("u", "c", "apps/*").unwrap(),
            vec!["apps/web"]
        );
    }
}
