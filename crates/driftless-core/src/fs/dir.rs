//! [`DirFs`]: a directory on disk as a [`SourceFs`], the one place this crate reads the disk.

use super::{DirEntry, EntryKind, FsError, SourceFs};
use std::path::{Path, PathBuf};

/// A plain directory on disk as a [`SourceFs`] (symlinks are reported, not followed).
///
/// ```
/// use driftless_core::fs::{DirFs, EntryKind, SourceFs};
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::write(dir.path().join("a.yaml"), "x: 1").unwrap();
/// let fs = DirFs::new(dir.path());
/// assert_eq!(fs.kind("a.yaml").unwrap(), Some(EntryKind::File));
/// assert_eq!(fs.read_file("a.yaml", 100).unwrap(), b"x: 1");
/// ```
#[derive(Debug, Clone)]
pub struct DirFs {
    root: PathBuf,
}

impl DirFs {
    /// A view of the directory `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        DirFs { root: root.into() }
    }

    /// The directory on disk.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `path` on disk; a path that could leave the root (`..`, absolute) is refused, whatever
    /// the caller checked.
    fn full(&self, path: &str) -> Result<PathBuf, FsError> {
        if path.is_empty() {
            return Ok(self.root.clone());
        }
        if path.starts_with('/') || path.split('/').any(|c| c == "..") {
            return Err(FsError::InvalidPath(path.to_string()));
        }
        Ok(self.root.join(path))
    }
}

fn kind_of(ft: std::fs::FileType) -> EntryKind {
    if ft.is_symlink() {
        EntryKind::Symlink
    } else if ft.is_dir() {
        EntryKind::Dir
    } else if ft.is_file() {
        EntryKind::File
    } else {
        EntryKind::Other
    }
}

impl SourceFs for DirFs {
    fn kind(&self, path: &str) -> Result<Option<EntryKind>, FsError> {
        match std::fs::symlink_metadata(self.full(path)?) {
            Ok(m) => Ok(Some(kind_of(m.file_type()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(FsError::io(path, e)),
        }
    }

    fn read_dir(&self, path: &str) -> Result<Vec<DirEntry>, FsError> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(self.full(path)?).map_err(|e| FsError::io(path, e))? {
            let entry = entry.map_err(|e| FsError::io(path, e))?;
            let kind = kind_of(entry.file_type().map_err(|e| FsError::io(path, e))?);
            let name = entry.file_name().to_string_lossy().into_owned();
            out.push(DirEntry { name, kind });
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    fn read_file(&self, path: &str, limit: u64) -> Result<Vec<u8>, FsError> {
        let full = self.full(path)?;
        let size = std::fs::symlink_metadata(&full)
            .map_err(|e| FsError::io(path, e))?
            .len();
        if size > limit {
            return Err(FsError::TooLarge {
                path: path.to_string(),
                size,
                limit,
            });
        }
        std::fs::read(full).map_err(|e| FsError::io(path, e))
    }

    fn read_link(&self, path: &str) -> Result<String, FsError> {
        let target = std::fs::read_link(self.full(path)?).map_err(|e| FsError::io(path, e))?;
        Ok(target.to_string_lossy().into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_could_leave_the_root_are_refused() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("in")).unwrap();
        std::fs::write(d.path().join("secret"), "x").unwrap();
        let fs = DirFs::new(d.path().join("in"));
        for p in ["../secret", "a/../../secret", "/etc/passwd"] {
            let e = fs.read_file(p, 100).unwrap_err();
            assert!(
                matches!(&e, FsError::InvalidPath(q) if q == p),
                "{p}: {e:?}"
            );
            assert!(matches!(fs.kind(p), Err(FsError::InvalidPath(_))), "{p}");
        }
        assert_eq!(fs.kind("").unwrap(), Some(EntryKind::Dir));
        assert!(matches!(fs.read_file("nope", 1), Err(FsError::NotFound(p)) if p == "nope"));
    }
}
