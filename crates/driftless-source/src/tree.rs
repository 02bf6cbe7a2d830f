//! A read-only view of one commit's tree, without a work tree.

use crate::SourceError;
use driftless_core::fs::{DirEntry, EntryKind, FsError, SourceFs};
use gix::ObjectId;

/// The decoded-object cache of each tree's repository handle.
const OBJECT_CACHE_BYTES: usize = 4 * 1024 * 1024;

/// What a tree entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreeEntryKind {
    /// A file (executable or not).
    File,
    /// A directory.
    Dir,
    /// A symbolic link; its target is the blob's content.
    Symlink,
    /// A submodule commit.
    Submodule,
}

/// One entry of a directory of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeEntry {
    /// The file name.
    pub name: String,
    /// What it is.
    pub kind: TreeEntryKind,
}

/// The files of one commit, read straight from the object store.
///
/// Paths are relative to the repository root with `/` separators; `""` is
/// the root. Symlinks are reported, never followed. Two trees of the same
/// repository (two revisions) can be read side by side.
pub struct SourceTree {
    repo: gix::Repository,
    url: String,
    commit: ObjectId,
    tree: ObjectId,
}

impl std::fmt::Debug for SourceTree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SourceTree({}@{})", self.url, self.commit)
    }
}

impl SourceTree {
    /// The tree of `commit` (hex id) in `repo`; `url` is used in errors.
    pub(crate) fn new(
        mut repo: gix::Repository,
        url: String,
        commit: &str,
    ) -> Result<Self, SourceError> {
        // Every path lookup walks the trees from the root: without a cache of
        // decoded objects, a repository of loose objects re-opens and
        // re-inflates the same tree files again and again (docs/source.md).
        repo.object_cache_size_if_unset(OBJECT_CACHE_BYTES);
        let err = |message: String| SourceError::Git {
            url: url.clone(),
            revision: Some(commit.to_string()),
            message,
        };
        let oid = ObjectId::from_hex(commit.as_bytes()).map_err(|e| err(e.to_string()))?;
        let tree = repo
            .find_object(oid)
            .map_err(|e| err(e.to_string()))?
            .peel_to_commit()
            .map_err(|e| err(e.to_string()))?
            .tree_id()
            .map_err(|e| err(e.to_string()))?
            .detach();
        Ok(SourceTree {
            repo,
            url,
            commit: oid,
            tree,
        })
    }

    /// The commit id (hex).
    pub fn commit(&self) -> String {
        self.commit.to_hex().to_string()
    }

    /// The repository URL (without credentials).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// `e` as this tree's error (naming repository and commit).
    fn err(&self, e: FsError) -> SourceError {
        SourceError::Tree {
            url: self.url.clone(),
            commit: self.commit.to_hex().to_string(),
            source: e,
        }
    }

    /// The id and mode of `path`, `None` when absent.
    fn entry(&self, path: &str) -> Result<Option<(ObjectId, TreeEntryKind)>, FsError> {
        let path = path.trim_matches('/');
        if path.is_empty() {
            return Ok(Some((self.tree, TreeEntryKind::Dir)));
        }
        if path
            .split('/')
            .any(|c| c.is_empty() || c == "." || c == "..")
        {
            return Err(FsError::InvalidPath(path.to_string()));
        }
        let root = self.repo.find_tree(self.tree).map_err(store(path))?;
        let entry = root
            .lookup_entry(path.split('/').map(|c| c.as_bytes()))
            .map_err(store(path))?;
        Ok(entry.map(|e| (e.object_id(), kind_of(e.mode()))))
    }

    /// The blob of file (or symlink) `path`, after checking its size against `limit`.
    fn blob(&self, path: &str, limit: u64) -> Result<Vec<u8>, FsError> {
        let id = match self.entry(path)? {
            Some((id, TreeEntryKind::File | TreeEntryKind::Symlink)) => id,
            Some(_) => return Err(FsError::NotAFile(path.to_string())),
            None => return Err(FsError::NotFound(path.to_string())),
        };
        let size = self.repo.find_header(id).map_err(store(path))?.size();
        if size > limit {
            return Err(FsError::TooLarge {
                path: path.to_string(),
                size,
                limit,
            });
        }
        Ok(self.repo.find_blob(id).map_err(store(path))?.detach().data)
    }

    /// The entries of directory `path`, sorted by name.
    fn entries(&self, path: &str) -> Result<Vec<TreeEntry>, FsError> {
        let id = match self.entry(path)? {
            Some((id, TreeEntryKind::Dir)) => id,
            Some(_) => return Err(FsError::NotADirectory(path.to_string())),
            None => return Err(FsError::NotFound(path.to_string())),
        };
        let tree = self.repo.find_tree(id).map_err(store(path))?;
        let mut out = Vec::new();
        for entry in tree.iter() {
            let entry = entry.map_err(store(path))?;
            out.push(TreeEntry {
                name: entry.filename().to_string(),
                kind: kind_of(entry.mode()),
            });
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// The target of symlink `path`.
    fn link_target(&self, path: &str) -> Result<String, FsError> {
        match self.entry(path)? {
            Some((id, TreeEntryKind::Symlink)) => {
                let blob = self.repo.find_blob(id).map_err(store(path))?;
                Ok(String::from_utf8_lossy(&blob.data).into_owned())
            }
            Some(_) => Err(FsError::NotASymlink(path.to_string())),
            None => Err(FsError::NotFound(path.to_string())),
        }
    }

    /// What `path` is (symlinks not followed), `None` when absent.
    pub fn kind(&self, path: &str) -> Result<Option<TreeEntryKind>, SourceError> {
        Ok(self.entry(path).map_err(|e| self.err(e))?.map(|(_, k)| k))
    }

    /// True when `path` is a symlink.
    pub fn is_symlink(&self, path: &str) -> Result<bool, SourceError> {
        Ok(self.kind(path)? == Some(TreeEntryKind::Symlink))
    }

    /// The target of symlink `path`, as stored.
    pub fn symlink_target(&self, path: &str) -> Result<String, SourceError> {
        self.link_target(path).map_err(|e| self.err(e))
    }

    /// The size in bytes of file `path`, read from the object header.
    pub fn file_size(&self, path: &str) -> Result<u64, SourceError> {
        let size = |path: &str| match self.entry(path)? {
            Some((id, TreeEntryKind::File | TreeEntryKind::Symlink)) => {
                Ok(self.repo.find_header(id).map_err(store(path))?.size())
            }
            Some(_) => Err(FsError::NotAFile(path.to_string())),
            None => Err(FsError::NotFound(path.to_string())),
        };
        size(path).map_err(|e| self.err(e))
    }

    /// The contents of file `path` (a symlink's own content is its target).
    pub fn read_file(&self, path: &str) -> Result<Vec<u8>, SourceError> {
        self.blob(path, u64::MAX).map_err(|e| self.err(e))
    }

    /// The entries of directory `path`, sorted by name.
    pub fn read_dir(&self, path: &str) -> Result<Vec<TreeEntry>, SourceError> {
        self.entries(path).map_err(|e| self.err(e))
    }

    /// Every path under directory `path`, depth first in name order, with its
    /// kind (symlinks listed, not followed).
    pub fn walk(&self, path: &str) -> Result<Vec<(String, TreeEntryKind)>, SourceError> {
        let mut out = Vec::new();
        self.walk_into(path.trim_matches('/'), &mut out)?;
        Ok(out)
    }

    fn walk_into(
        &self,
        dir: &str,
        out: &mut Vec<(String, TreeEntryKind)>,
    ) -> Result<(), SourceError> {
        for e in self.read_dir(dir)? {
            let p = if dir.is_empty() {
                e.name
            } else {
                format!("{dir}/{}", e.name)
            };
            out.push((p.clone(), e.kind));
            if e.kind == TreeEntryKind::Dir {
                self.walk_into(&p, out)?;
            }
        }
        Ok(())
    }
}

fn kind_of(mode: gix::object::tree::EntryMode) -> TreeEntryKind {
    if mode.is_tree() {
        TreeEntryKind::Dir
    } else if mode.is_link() {
        TreeEntryKind::Symlink
    } else if mode.is_commit() {
        TreeEntryKind::Submodule
    } else {
        TreeEntryKind::File
    }
}

/// A Git object store failure at `path`, the store's error kept as the source.
fn store<E: std::error::Error + Send + Sync + 'static>(path: &str) -> impl FnOnce(E) -> FsError {
    let path = path.to_string();
    move |e| FsError::Store {
        path,
        source: Box::new(e),
    }
}

fn entry_kind(k: TreeEntryKind) -> EntryKind {
    match k {
        TreeEntryKind::File => EntryKind::File,
        TreeEntryKind::Dir => EntryKind::Dir,
        TreeEntryKind::Symlink => EntryKind::Symlink,
        TreeEntryKind::Submodule => EntryKind::Other,
    }
}

/// The renderer reads through this: `SourceTree` is a [`driftless_core::fs::SourceFs`]
/// (the trait lives in `driftless-core`, so this crate does not depend on the renderer). A
/// missing path is [`FsError::NotFound`], a broken object store [`FsError::Store`].
impl SourceFs for SourceTree {
    fn kind(&self, path: &str) -> Result<Option<EntryKind>, FsError> {
        Ok(self.entry(path)?.map(|(_, k)| entry_kind(k)))
    }

    fn read_dir(&self, path: &str) -> Result<Vec<DirEntry>, FsError> {
        Ok(self
            .entries(path)?
            .into_iter()
            .map(|e| DirEntry {
                name: e.name,
                kind: entry_kind(e.kind),
            })
            .collect())
    }

    fn read_file(&self, path: &str, limit: u64) -> Result<Vec<u8>, FsError> {
        self.blob(path, limit)
    }

    fn read_link(&self, path: &str) -> Result<String, FsError> {
        self.link_target(path)
    }
}
