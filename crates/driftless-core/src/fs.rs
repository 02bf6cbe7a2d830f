//! The read-only file tree that sources are read through: a Git commit's
//! tree (`driftless-source`) or a directory on disk (`driftless-render`'s
//! `DirFs`).
//!
//! Paths are relative to the tree's root, `/`-separated, with no leading
//! `/`; the root itself is `""`. Implementations never follow symlinks: the
//! renderer resolves them itself so it can refuse links leaving the root.

/// What a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A regular (or executable) file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link (not followed).
    Symlink,
    /// Something else (a Git submodule, a device, …); ignored by the renderer.
    Other,
}

/// One entry of a directory listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    /// File name (no `/`).
    pub name: String,
    /// What it is, symlinks not followed.
    pub kind: EntryKind,
}

/// Why a source file system call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FsError {
    /// The path does not exist.
    #[error("{0}: no such file or directory")]
    NotFound(String),
    /// The file is larger than the limit the caller gave.
    #[error("{path}: file is {size} bytes, over the limit of {limit} bytes")]
    TooLarge {
        /// The file.
        path: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Any other failure of the backend (I/O, corrupt object, …).
    #[error("{path}: {message}")]
    Other {
        /// The path concerned.
        path: String,
        /// What went wrong.
        message: String,
    },
}

/// A read-only tree of files: a Git commit's tree or a plain directory.
///
/// Implemented by `driftless-source` (a Git commit's tree, no work tree) and
/// by `driftless-render` (`DirFs`, a directory on disk); the renderer reads
/// every source through it.
///
/// ```
/// use driftless_core::fs::{DirEntry, EntryKind, FsError, SourceFs};
/// /// One file, `a.yaml`, at the root.
/// struct One;
/// impl SourceFs for One {
///     fn kind(&self, path: &str) -> Result<Option<EntryKind>, FsError> {
///         Ok(match path { "" => Some(EntryKind::Dir), "a.yaml" => Some(EntryKind::File), _ => None })
///     }
///     fn read_dir(&self, _: &str) -> Result<Vec<DirEntry>, FsError> {
///         Ok(vec![DirEntry { name: "a.yaml".into(), kind: EntryKind::File }])
///     }
///     fn read_file(&self, path: &str, limit: u64) -> Result<Vec<u8>, FsError> {
///         let data = b"x: 1".to_vec();
///         if data.len() as u64 > limit {
///             return Err(FsError::TooLarge { path: path.into(), size: data.len() as u64, limit });
///         }
///         Ok(data)
///     }
///     fn read_link(&self, path: &str) -> Result<String, FsError> {
///         Err(FsError::NotFound(path.into()))
///     }
/// }
/// assert_eq!(One.read_file("a.yaml", 100).unwrap(), b"x: 1");
/// assert!(matches!(One.read_file("a.yaml", 2), Err(FsError::TooLarge { .. })));
/// ```
pub trait SourceFs {
    /// What `path` is, without following a symlink at `path`; `None` when absent.
    fn kind(&self, path: &str) -> Result<Option<EntryKind>, FsError>;
    /// The entries of directory `path`, sorted by name (byte order).
    fn read_dir(&self, path: &str) -> Result<Vec<DirEntry>, FsError>;
    /// The contents of file `path`; [`FsError::TooLarge`] when over `limit` bytes.
    fn read_file(&self, path: &str, limit: u64) -> Result<Vec<u8>, FsError>;
    /// The target of symlink `path`, as stored.
    fn read_link(&self, path: &str) -> Result<String, FsError>;
}
