//! The read-only file tree that sources and charts are read through: a Git commit's
//! tree (`driftless-source`), a directory on disk ([`DirFs`]) or a chart archive in
//! memory (`driftless-charts`).
//!
//! Paths are relative to the tree's root, `/`-separated, with no leading
//! `/`; the root itself is `""`. Implementations never follow symlinks: readers
//! resolve them with [`resolve`] so that links leaving the root are refused.

mod dir;
mod paths;

pub use dir::DirFs;
pub use paths::{join, resolve};

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

/// Why a source file system call failed: the path is missing, is not what the call needs, is
/// over a size limit, or the backend broke (disk I/O, a Git object store); callers tell a
/// missing file from a broken repository by the variant, and the backend's own error is kept
/// as the [`std::error::Error::source`].
#[derive(Debug, thiserror::Error)]
pub enum FsError {
    /// The path does not exist.
    #[error("{0}: no such file or directory")]
    NotFound(String),
    /// A directory was needed (a listing) and the path is something else.
    #[error("{0}: not a directory")]
    NotADirectory(String),
    /// A file was needed (a read) and the path is a directory or other non-file.
    #[error("{0}: not a file")]
    NotAFile(String),
    /// A symlink was needed (reading its target) and the path is something else.
    #[error("{0}: not a symlink")]
    NotASymlink(String),
    /// The path is not of the trait's form (empty, `.` or `..` components).
    #[error("{0}: path is not normalized")]
    InvalidPath(String),
    /// A path leaves the tree (`..` beyond the root, or absolute).
    #[error("{0}: path leaves the repository")]
    PathEscapes(String),
    /// A symlink points outside the tree.
    #[error("{link}: symlink points outside the repository (target `{target}`)")]
    SymlinkOutside {
        /// The link.
        link: String,
        /// Its target as stored.
        target: String,
    },
    /// Too many symlinks while resolving a path (a loop).
    #[error("{0}: too many levels of symbolic links")]
    SymlinkLoop(String),
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
    /// Reading the disk failed.
    #[error("{path}: {source}")]
    Io {
        /// The path concerned.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The backend's object store failed (a corrupt or missing Git object, a broken pack).
    #[error("{path}: {source}")]
    Store {
        /// The path concerned.
        path: String,
        /// The store's error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl FsError {
    /// The path the error concerns.
    ///
    /// ```
    /// use driftless_core::fs::FsError;
    /// assert_eq!(FsError::NotFound("a/b.yaml".into()).path(), "a/b.yaml");
    /// ```
    pub fn path(&self) -> &str {
        match self {
            FsError::NotFound(p)
            | FsError::NotADirectory(p)
            | FsError::NotAFile(p)
            | FsError::NotASymlink(p)
            | FsError::InvalidPath(p)
            | FsError::PathEscapes(p)
            | FsError::SymlinkLoop(p) => p,
            FsError::SymlinkOutside { link, .. } => link,
            FsError::TooLarge { path, .. }
            | FsError::Io { path, .. }
            | FsError::Store { path, .. } => path,
        }
    }

    /// The error for `e` from the disk at `path` (`NotFound` for a missing path).
    pub fn io(path: &str, e: std::io::Error) -> FsError {
        match e.kind() {
            std::io::ErrorKind::NotFound => FsError::NotFound(path.to_string()),
            _ => FsError::Io {
                path: path.to_string(),
                source: e,
            },
        }
    }
}

/// How much reading one path of a tree may take: the largest file read and the most symlinks
/// followed while resolving one path. Readers pass these to [`SourceFs::read_file`] and
/// [`resolve`]; the defaults are the renderer's and the chart loader's.
///
/// ```
/// let l = driftless_core::fs::ReadLimits::default();
/// assert_eq!((l.max_file_size, l.max_symlink_hops), (8 * 1024 * 1024, 40));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// Largest file read, in bytes (default 8 MiB).
    pub max_file_size: u64,
    /// Most symlinks followed while resolving one path (default 40, as Linux).
    pub max_symlink_hops: usize,
}

impl Default for ReadLimits {
    fn default() -> Self {
        ReadLimits {
            max_file_size: 8 * 1024 * 1024,
            max_symlink_hops: 40,
        }
    }
}

/// A read-only tree of files: a Git commit's tree or a plain directory.
///
/// Implemented by `driftless-source` (a Git commit's tree, no work tree), by
/// [`DirFs`] (a directory on disk) and by `driftless-charts` (a chart archive);
/// the renderer reads every source, and `driftless-helm` every chart, through it.
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
