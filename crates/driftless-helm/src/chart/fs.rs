//! The file system a chart is read from.
//!
//! Charts are read through [`ChartFs`] so that a caller can feed files from
//! anywhere (a Git tree without a checkout, memory) as well as from a plain
//! directory ([`DirFs`]).

use std::collections::BTreeMap;
use std::io;
use std::path::PathBuf;

/// One entry of a directory listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    /// Base name of the entry.
    pub name: String,
    /// Whether the entry is a directory.
    pub is_dir: bool,
}

/// Read-only access to a tree of files, addressed by `/`-separated paths
/// relative to the tree's root (`""` is the root itself).
pub trait ChartFs {
    /// The contents of the file at `path`.
    fn read(&self, path: &str) -> io::Result<Vec<u8>>;
    /// The entries of the directory at `path`, in any order.
    fn list(&self, path: &str) -> io::Result<Vec<DirEntry>>;
}

impl<T: ChartFs + ?Sized> ChartFs for &T {
    fn read(&self, path: &str) -> io::Result<Vec<u8>> {
        (**self).read(path)
    }
    fn list(&self, path: &str) -> io::Result<Vec<DirEntry>> {
        (**self).list(path)
    }
}

/// A chart in a directory of the local file system.
///
/// ```no_run
/// use driftless_helm::DirFs;
/// let fs = DirFs::new("examples/charts/shop");
/// ```
#[derive(Debug, Clone)]
pub struct DirFs {
    root: PathBuf,
}

impl DirFs {
    /// A file system rooted at `root`.
    pub fn new(root: impl Into<PathBuf>) -> DirFs {
        DirFs { root: root.into() }
    }

    fn path(&self, rel: &str) -> io::Result<PathBuf> {
        let mut p = self.root.clone();
        for part in rel.split('/').filter(|s| !s.is_empty() && *s != ".") {
            if part == ".." {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("path {rel:?} leaves the chart"),
                ));
            }
            p.push(part);
        }
        Ok(p)
    }
}

impl ChartFs for DirFs {
    fn read(&self, path: &str) -> io::Result<Vec<u8>> {
        std::fs::read(self.path(path)?)
    }

    fn list(&self, path: &str) -> io::Result<Vec<DirEntry>> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(self.path(path)?)? {
            let e = e?;
            // Follow symlinks as Helm's loader does.
            let is_dir = std::fs::metadata(e.path())
                .map(|m| m.is_dir())
                .unwrap_or(false);
            out.push(DirEntry {
                name: e.file_name().to_string_lossy().into_owned(),
                is_dir,
            });
        }
        Ok(out)
    }
}

/// An in-memory file tree (used for unpacked archives and in tests).
///
/// ```
/// use driftless_helm::{ChartFs, MemFs};
/// let mut fs = MemFs::default();
/// fs.insert("templates/cm.yaml", "kind: ConfigMap");
/// assert_eq!(fs.read("templates/cm.yaml").unwrap(), b"kind: ConfigMap");
/// assert_eq!(fs.list("").unwrap()[0].name, "templates");
/// ```
#[derive(Debug, Clone, Default)]
pub struct MemFs {
    files: BTreeMap<String, Vec<u8>>,
}

impl MemFs {
    /// Adds (or replaces) a file.
    pub fn insert(&mut self, path: impl Into<String>, data: impl Into<Vec<u8>>) {
        let path: String = path.into();
        let path = path
            .trim_start_matches("./")
            .trim_start_matches('/')
            .to_string();
        self.files.insert(path, data.into());
    }
}

impl ChartFs for MemFs {
    fn read(&self, path: &str) -> io::Result<Vec<u8>> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("{path}: no such file")))
    }

    fn list(&self, path: &str) -> io::Result<Vec<DirEntry>> {
        let prefix = if path.is_empty() {
            String::new()
        } else {
            format!("{}/", path.trim_end_matches('/'))
        };
        let mut out: Vec<DirEntry> = Vec::new();
        for name in self.files.keys() {
            let Some(rest) = name.strip_prefix(&prefix) else {
                continue;
            };
            let (first, is_dir) = match rest.split_once('/') {
                Some((d, _)) => (d, true),
                None => (rest, false),
            };
            if out.last().map(|e| e.name.as_str()) != Some(first) {
                out.push(DirEntry {
                    name: first.to_string(),
                    is_dir,
                });
            }
        }
        if out.is_empty() && !path.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("{path}: no such directory"),
            ));
        }
        Ok(out)
    }
}
