//! The repository cache: one bare repository per URL, fetched with gix.

use crate::fetch::{self, FetchError};
use crate::lock::lock;
use crate::revision::{self, Lookup};
use crate::{Credentials, RepoUrl, SourceError, SourceTree};
use std::path::{Path, PathBuf};

/// What a resolve did on the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchOutcome {
    /// No network access: the revision is a full commit id already cached.
    Skipped,
    /// Refs were listed and compared; nothing was downloaded (a no-op poll).
    UpToDate,
    /// New objects were downloaded.
    Downloaded,
}

/// A revision resolved to a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The repository, without credentials.
    pub url: String,
    /// The revision as asked.
    pub revision: String,
    /// The full commit id (hex).
    pub commit: String,
    /// What the fetch did.
    pub fetch: FetchOutcome,
}

/// A cache of bare repositories, one per URL, under one directory.
///
/// Safe to share between threads and processes: each repository has its own
/// lock, held while it is fetched or repaired.
///
/// ```no_run
/// use driftless_source::{Credentials, RepoCache, RepoUrl};
/// let cache = RepoCache::new(RepoCache::default_dir()).unwrap();
/// let url = RepoUrl::parse("https://github.com/argoproj/argocd-example-apps").unwrap();
/// let (resolved, tree) = cache.checkout(&url, &Credentials::None, "HEAD").unwrap();
/// println!("{} {:?}", resolved.commit, tree.read_dir("guestbook").unwrap());
/// ```
#[derive(Debug, Clone)]
pub struct RepoCache {
    dir: PathBuf,
    ssh_program: Option<PathBuf>,
}

impl RepoCache {
    /// A cache rooted at `dir` (created when missing).
    pub fn new(dir: impl Into<PathBuf>) -> Result<Self, SourceError> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir).map_err(|source| SourceError::Io {
            path: dir.clone(),
            source,
        })?;
        Ok(RepoCache {
            dir,
            ssh_program: None,
        })
    }

    /// `$XDG_CACHE_HOME/driftless`, else `~/.cache/driftless`, else a
    /// directory under the system temporary directory.
    pub fn default_dir() -> PathBuf {
        if let Some(x) = std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
            return PathBuf::from(x).join("driftless");
        }
        if let Some(h) = std::env::var_os("HOME").filter(|v| !v.is_empty()) {
            return PathBuf::from(h).join(".cache").join("driftless");
        }
        std::env::temp_dir().join("driftless-cache")
    }

    /// Runs `program` instead of `ssh` from `PATH` for SSH transports (it
    /// gets `ssh`'s options: `-i KEY -o IdentitiesOnly=yes -o BatchMode=yes …`).
    pub fn with_ssh_program(mut self, program: impl Into<PathBuf>) -> Self {
        self.ssh_program = Some(program.into());
        self
    }

    /// The cache directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the bare repository of `url` lives.
    pub fn repo_path(&self, url: &RepoUrl) -> PathBuf {
        self.dir.join(url.cache_dir_name())
    }

    /// Fetches `url` (unless `revision` is a full commit id already cached)
    /// and resolves `revision`: `HEAD` (or empty), a branch, a tag, a full or
    /// short commit id, or a full ref name.
    pub fn resolve(
        &self,
        url: &RepoUrl,
        creds: &Credentials,
        revision: &str,
    ) -> Result<Resolved, SourceError> {
        let path = self.repo_path(url);
        let _lock = lock(&path.with_extension("lock"))?;
        match self.resolve_locked(&path, url, creds, revision) {
            Err(Attempt::Corrupt(message)) => {
                tracing::warn!(url = %url, %message, "repository cache is corrupt, re-cloning");
                remove_dir(&path)?;
                match self.resolve_locked(&path, url, creds, revision) {
                    Ok(r) => Ok(r),
                    Err(Attempt::Corrupt(message)) => Err(SourceError::CorruptCache {
                        url: url.to_string(),
                        path,
                        message,
                    }),
                    Err(Attempt::Fatal(e)) => Err(e),
                }
            }
            Err(Attempt::Fatal(e)) => Err(e),
            Ok(r) => Ok(r),
        }
    }

    /// A read-only view of `commit`'s tree in the cached repository of `url`.
    pub fn tree(&self, url: &RepoUrl, commit: &str) -> Result<SourceTree, SourceError> {
        let repo = open(&self.repo_path(url)).map_err(|message| SourceError::CorruptCache {
            url: url.to_string(),
            path: self.repo_path(url),
            message,
        })?;
        SourceTree::new(repo, url.to_string(), commit)
    }

    /// [`resolve`](Self::resolve) then [`tree`](Self::tree).
    pub fn checkout(
        &self,
        url: &RepoUrl,
        creds: &Credentials,
        revision: &str,
    ) -> Result<(Resolved, SourceTree), SourceError> {
        let resolved = self.resolve(url, creds, revision)?;
        let tree = self.tree(url, &resolved.commit)?;
        Ok((resolved, tree))
    }

    fn resolve_locked(
        &self,
        path: &Path,
        url: &RepoUrl,
        creds: &Credentials,
        revision: &str,
    ) -> Result<Resolved, Attempt> {
        let repo = if path.join("HEAD").exists() || path.join("config").exists() {
            open(path).map_err(Attempt::Corrupt)?
        } else {
            init(path).map_err(Attempt::Fatal)?
        };
        let done = |commit: String, fetch| Resolved {
            url: url.to_string(),
            revision: revision.to_string(),
            commit,
            fetch,
        };
        if revision::is_full_id(revision)
            && let Lookup::Found(id) = revision::lookup(&repo, revision)
        {
            verify(&repo, &id).map_err(Attempt::Corrupt)?;
            return Ok(done(id, FetchOutcome::Skipped));
        }
        let outcome = match fetch::fetch(&repo, url, creds, self.ssh_program.as_deref()) {
            Ok(o) => o,
            Err(FetchError::Corrupt(m)) => return Err(Attempt::Corrupt(m)),
            Err(e) => return Err(Attempt::Fatal(e.into_source_error(url, revision))),
        };
        if outcome == FetchOutcome::UpToDate {
            // Nothing downloaded: the refs must still point at objects we have.
            refs_intact(&repo).map_err(Attempt::Corrupt)?;
        }
        match revision::lookup(&repo, revision) {
            Lookup::Found(id) => {
                verify(&repo, &id).map_err(Attempt::Corrupt)?;
                Ok(done(id, outcome))
            }
            Lookup::Missing => Err(Attempt::Fatal(SourceError::UnknownRevision {
                url: url.to_string(),
                revision: revision.to_string(),
            })),
            Lookup::Broken(m) => Err(Attempt::Corrupt(m)),
        }
    }
}

enum Attempt {
    Corrupt(String),
    Fatal(SourceError),
}

fn remove_dir(path: &Path) -> Result<(), SourceError> {
    match std::fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(SourceError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn init(path: &Path) -> Result<gix::Repository, SourceError> {
    remove_dir(path)?;
    gix::init_bare(path).map_err(|e| SourceError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    })?;
    open(path).map_err(|m| SourceError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(m),
    })
}

/// Opens a cached repository, isolated from user and system Git configuration.
pub(crate) fn open(path: &Path) -> Result<gix::Repository, String> {
    let opts = gix::open::Options::isolated().strict_config(true);
    let repo = gix::open_opts(path, opts).map_err(|e| e.to_string())?;
    if !repo.is_bare() {
        return Err("not a bare repository".into());
    }
    Ok(repo)
}

/// Every ref points at an object present in the object store.
fn refs_intact(repo: &gix::Repository) -> Result<(), String> {
    let platform = repo.references().map_err(|e| e.to_string())?;
    for r in platform.all().map_err(|e| e.to_string())? {
        let r = r.map_err(|e| e.to_string())?;
        if let Some(id) = r.target().try_id()
            && !repo.has_object(id)
        {
            return Err(format!(
                "{} points at missing object {id}",
                r.name().as_bstr()
            ));
        }
    }
    Ok(())
}

/// Reads the commit and its root tree: a damaged object store shows here.
fn verify(repo: &gix::Repository, id: &str) -> Result<(), String> {
    let oid = gix::ObjectId::from_hex(id.as_bytes()).map_err(|e| e.to_string())?;
    let commit = repo
        .find_object(oid)
        .map_err(|e| format!("commit {id}: {e}"))?
        .try_into_commit()
        .map_err(|e| format!("commit {id}: {e}"))?;
    let tree = commit.tree().map_err(|e| format!("tree of {id}: {e}"))?;
    for entry in tree.iter() {
        entry.map_err(|e| format!("tree of {id}: {e}"))?;
    }
    Ok(())
}
