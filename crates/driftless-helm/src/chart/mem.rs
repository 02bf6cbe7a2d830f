//! [`MemFs`]: a chart's files in memory, as a [`SourceFs`].

use std::collections::BTreeMap;

use driftless_core::fs::{DirEntry, EntryKind, FsError, SourceFs};

/// An in-memory file tree (for charts built in code, and in tests); directories are implied
/// by the files' paths.
///
/// ```
/// use driftless_core::fs::{EntryKind, SourceFs};
/// use driftless_helm::MemFs;
/// let mut fs = MemFs::default();
/// fs.insert("templates/cm.yaml", "kind: ConfigMap");
/// assert_eq!(fs.read_file("templates/cm.yaml", 100).unwrap(), b"kind: ConfigMap");
/// assert_eq!(fs.kind("templates").unwrap(), Some(EntryKind::Dir));
/// assert_eq!(fs.read_dir("").unwrap()[0].name, "templates");
/// assert!(fs.read_file("templates/cm.yaml", 4).is_err());
/// ```
#[derive(Debug, Clone, Default)]
pub struct MemFs {
    files: BTreeMap<String, Vec<u8>>,
}

impl MemFs {
    /// Adds (or replaces) a file; a leading `./` or `/` is dropped.
    pub fn insert(&mut self, path: impl Into<String>, data: impl Into<Vec<u8>>) {
        let path: String = path.into();
        let path = path
            .trim_start_matches("./")
            .trim_start_matches('/')
            .to_string();
        self.files.insert(path, data.into());
    }

    fn is_dir(&self, path: &str) -> bool {
        if path.is_empty() {
            return true;
        }
        let prefix = format!("{path}/");
        self.files
            .range(prefix.clone()..)
            .next()
            .is_some_and(|(k, _)| k.starts_with(&prefix))
    }
}

impl SourceFs for MemFs {
    fn kind(&self, path: &str) -> Result<Option<EntryKind>, FsError> {
        Ok(if self.files.contains_key(path) {
            Some(EntryKind::File)
        } else if self.is_dir(path) {
            Some(EntryKind::Dir)
        } else {
            None
        })
    }

    fn read_dir(&self, path: &str) -> Result<Vec<DirEntry>, FsError> {
        match self.kind(path)? {
            Some(EntryKind::Dir) => {}
            Some(_) => return Err(FsError::NotADirectory(path.to_string())),
            None => return Err(FsError::NotFound(path.to_string())),
        }
        let prefix = if path.is_empty() {
            String::new()
        } else {
            format!("{path}/")
        };
        let mut out: BTreeMap<&str, EntryKind> = BTreeMap::new();
        for name in self.files.keys() {
            let Some(rest) = name.strip_prefix(&prefix) else {
                continue;
            };
            match rest.split_once('/') {
                Some((dir, _)) => out.insert(dir, EntryKind::Dir),
                None => out.insert(rest, EntryKind::File),
            };
        }
        Ok(out
            .into_iter()
            .map(|(name, kind)| DirEntry {
                name: name.to_string(),
                kind,
            })
            .collect())
    }

    fn read_file(&self, path: &str, limit: u64) -> Result<Vec<u8>, FsError> {
        let Some(data) = self.files.get(path) else {
            return Err(match self.is_dir(path) {
                true => FsError::NotAFile(path.to_string()),
                false => FsError::NotFound(path.to_string()),
            });
        };
        let size = data.len() as u64;
        if size > limit {
            return Err(FsError::TooLarge {
                path: path.to_string(),
                size,
                limit,
            });
        }
        Ok(data.clone())
    }

    fn read_link(&self, path: &str) -> Result<String, FsError> {
        Err(match self.kind(path)? {
            Some(_) => FsError::NotASymlink(path.to_string()),
            None => FsError::NotFound(path.to_string()),
        })
    }
}
