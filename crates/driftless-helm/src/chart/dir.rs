//! A chart directory inside a [`SourceFs`] (a Git tree, a directory on disk, memory), read as
//! Helm's loader reads a chart directory: symlinks are followed (but only inside the tree:
//! a link out of it, or a `..` leaving it, is refused), a dangling link is an error, files
//! over the size limit are refused.

use driftless_core::fs::{EntryKind, FsError, ReadLimits, SourceFs, join, resolve};

use crate::error::HelmError;

/// One entry of a chart directory listing, symlinks followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChartEntry {
    /// Base name of the entry.
    pub(crate) name: String,
    /// Whether it is (or links to) a directory; otherwise it is (or links to) a file.
    pub(crate) is_dir: bool,
}

/// The chart in directory `root` of a tree.
///
/// ```
/// use driftless_core::fs::ReadLimits;
/// use driftless_helm::{ChartDir, MemFs};
/// let mut fs = MemFs::default();
/// fs.insert("charts/web/Chart.yaml", "apiVersion: v2\nname: web\nversion: 1.0.0\n");
/// let dir = ChartDir::new(&fs, "charts/web", ReadLimits::default()).unwrap();
/// assert_eq!(dir.root(), "charts/web");
/// assert!(ChartDir::new(&fs, "charts/api", ReadLimits::default()).is_err());
/// assert!(ChartDir::new(&fs, "../web", ReadLimits::default()).is_err());
/// ```
#[derive(Clone)]
pub struct ChartDir<'a> {
    fs: &'a dyn SourceFs,
    root: String,
    limits: ReadLimits,
}

impl std::fmt::Debug for ChartDir<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChartDir")
            .field("root", &self.root)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl<'a> ChartDir<'a> {
    /// The chart in directory `dir` (tree-relative; `""` is the root) of `fs`, read within
    /// `limits`. `dir` may go through symlinks; it must name a directory of the tree.
    pub fn new(fs: &'a dyn SourceFs, dir: &str, limits: ReadLimits) -> Result<Self, HelmError> {
        let logical = join("", dir).ok_or_else(|| FsError::PathEscapes(dir.to_string()))?;
        let (real, kind) = resolve(fs, &logical, limits.max_symlink_hops)?;
        match kind {
            Some(EntryKind::Dir) => {}
            None => return Err(FsError::NotFound(logical).into()),
            Some(_) => return Err(FsError::NotADirectory(logical).into()),
        }
        Ok(ChartDir {
            fs,
            root: real,
            limits,
        })
    }

    /// The chart's directory in the tree, symlinks resolved.
    pub fn root(&self) -> &str {
        &self.root
    }

    /// The tree path of `rel` (chart-relative); refused when it leaves the tree.
    fn path(&self, rel: &str) -> Result<String, FsError> {
        join(&self.root, rel).ok_or_else(|| FsError::PathEscapes(self.shown(rel)))
    }

    /// `rel` as a tree path for messages.
    fn shown(&self, rel: &str) -> String {
        match (self.root.is_empty(), rel.is_empty()) {
            (true, _) => rel.to_string(),
            (false, true) => self.root.clone(),
            (false, false) => format!("{}/{rel}", self.root),
        }
    }

    /// The contents of file `rel` (chart-relative), symlinks followed.
    pub(crate) fn read(&self, rel: &str) -> Result<Vec<u8>, FsError> {
        let path = self.path(rel)?;
        let (real, kind) = resolve(self.fs, &path, self.limits.max_symlink_hops)?;
        match kind {
            Some(EntryKind::File) => self.fs.read_file(&real, self.limits.max_file_size),
            Some(_) => Err(FsError::NotAFile(path)),
            None => Err(FsError::NotFound(path)),
        }
    }

    /// The contents of file `rel`, `None` when it does not exist.
    pub(crate) fn read_optional(&self, rel: &str) -> Result<Option<Vec<u8>>, FsError> {
        match self.read(rel) {
            Ok(data) => Ok(Some(data)),
            Err(FsError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The entries of directory `rel` (chart-relative), sorted by name, symlinks followed.
    /// Entries that are neither files nor directories (a Git submodule) are left out.
    pub(crate) fn list(&self, rel: &str) -> Result<Vec<ChartEntry>, FsError> {
        let path = self.path(rel)?;
        let (real, _) = resolve(self.fs, &path, self.limits.max_symlink_hops)?;
        let mut out = Vec::new();
        for e in self.fs.read_dir(&real)? {
            let kind = match e.kind {
                EntryKind::Symlink => {
                    let link = join(&real, &e.name).unwrap_or_default();
                    match resolve(self.fs, &link, self.limits.max_symlink_hops)?.1 {
                        Some(kind) => kind,
                        // Helm fails on a link it cannot evaluate.
                        None => return Err(FsError::NotFound(link)),
                    }
                }
                kind => kind,
            };
            let is_dir = match kind {
                EntryKind::Dir => true,
                EntryKind::File => false,
                EntryKind::Symlink | EntryKind::Other => continue,
            };
            out.push(ChartEntry {
                name: e.name,
                is_dir,
            });
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// The chart in directory `rel` of this chart (`../common` of a `file://` dependency),
    /// within the same tree and limits.
    pub(crate) fn sub(&self, rel: &str) -> Result<ChartDir<'a>, HelmError> {
        let path = self.path(rel)?;
        ChartDir::new(self.fs, &path, self.limits)
    }
}
