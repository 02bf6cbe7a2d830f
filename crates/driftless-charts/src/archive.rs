//! A chart archive unpacked in memory, readable through core's [`SourceFs`] so the renderer
//! reads it as it reads a chart directory of a Git tree.

use driftless_core::fs::{DirEntry, EntryKind, FsError, SourceFs};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::sync::Arc;

/// Largest unpacked chart (all files together), against archive bombs.
const MAX_UNPACKED: u64 = 512 << 20;

/// The files of a chart archive (`<chart>/Chart.yaml`, …) in memory. Only regular files are
/// kept (links and devices are skipped, as Helm's loader does); a path with `..` is refused.
///
/// ```
/// use driftless_charts::ChartTree;
/// use driftless_core::fs::SourceFs;
/// let mut tar = tar::Builder::new(Vec::new());
/// let data = b"apiVersion: v2\nname: web\nversion: 1.0.0\n";
/// let mut h = tar::Header::new_gnu();
/// h.set_size(data.len() as u64);
/// h.set_mode(0o644);
/// tar.append_data(&mut h, "web/Chart.yaml", &data[..]).unwrap();
/// let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
/// std::io::Write::write_all(&mut gz, &tar.into_inner().unwrap()).unwrap();
/// let t = ChartTree::from_archive(&gz.finish().unwrap()).unwrap();
/// assert_eq!(t.root(), "web");
/// assert_eq!(t.read_file("web/Chart.yaml", 1 << 20).unwrap(), data);
/// ```
#[derive(Debug, Clone, Default)]
pub struct ChartTree {
    root: String,
    files: BTreeMap<String, Arc<[u8]>>,
    dirs: BTreeSet<String>,
}

impl ChartTree {
    /// Unpacks a gzipped tar archive whose files sit under one top directory.
    pub fn from_archive(data: &[u8]) -> Result<ChartTree, String> {
        let mut ar = tar::Archive::new(flate2::read::GzDecoder::new(data));
        let mut t = ChartTree::default();
        let mut total = 0u64;
        let bad = |e: std::io::Error| format!("not a chart archive: {e}");
        for entry in ar.entries().map_err(bad)? {
            let mut entry = entry.map_err(bad)?;
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let path = entry
                .path()
                .map_err(bad)?
                .to_string_lossy()
                .replace('\\', "/");
            let parts: Vec<&str> = path
                .split('/')
                .filter(|p| !p.is_empty() && *p != ".")
                .collect();
            if parts.contains(&"..") {
                return Err(format!("archive path {path:?} leaves the chart"));
            }
            if parts.len() < 2 || parts[0] == "pax_global_header" {
                continue;
            }
            if t.root.is_empty() {
                t.root = parts[0].to_string();
            }
            let mut buf = Vec::new();
            (&mut entry)
                .take(MAX_UNPACKED + 1 - total)
                .read_to_end(&mut buf)
                .map_err(bad)?;
            total += buf.len() as u64;
            if total > MAX_UNPACKED {
                return Err(format!(
                    "chart archive unpacks to more than {MAX_UNPACKED} bytes"
                ));
            }
            let name = parts.join("/");
            for i in 1..parts.len() {
                t.dirs.insert(parts[..i].join("/"));
            }
            t.files.insert(name, buf.into());
        }
        if t.root.is_empty() {
            return Err("no files in chart archive".into());
        }
        if !t.files.contains_key(&format!("{}/Chart.yaml", t.root)) {
            return Err(format!(
                "no Chart.yaml in the archive's {}/ directory",
                t.root
            ));
        }
        Ok(t)
    }

    /// The archive's top directory (the chart's directory).
    pub fn root(&self) -> &str {
        &self.root
    }
}

impl SourceFs for ChartTree {
    fn kind(&self, path: &str) -> Result<Option<EntryKind>, FsError> {
        Ok(if path.is_empty() || self.dirs.contains(path) {
            Some(EntryKind::Dir)
        } else if self.files.contains_key(path) {
            Some(EntryKind::File)
        } else {
            None
        })
    }

    fn read_dir(&self, path: &str) -> Result<Vec<DirEntry>, FsError> {
        if self.kind(path)? != Some(EntryKind::Dir) {
            return Err(FsError::NotFound(path.to_string()));
        }
        let prefix = if path.is_empty() {
            String::new()
        } else {
            format!("{path}/")
        };
        let direct = |p: &String| {
            p.strip_prefix(&prefix)
                .filter(|rest| !rest.is_empty() && !rest.contains('/'))
                .map(String::from)
        };
        let mut out: Vec<DirEntry> = self
            .dirs
            .iter()
            .filter_map(direct)
            .map(|name| DirEntry {
                name,
                kind: EntryKind::Dir,
            })
            .chain(self.files.keys().filter_map(direct).map(|name| DirEntry {
                name,
                kind: EntryKind::File,
            }))
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    fn read_file(&self, path: &str, limit: u64) -> Result<Vec<u8>, FsError> {
        let data = self
            .files
            .get(path)
            .ok_or_else(|| FsError::NotFound(path.to_string()))?;
        if data.len() as u64 > limit {
            return Err(FsError::TooLarge {
                path: path.to_string(),
                size: data.len() as u64,
                limit,
            });
        }
        Ok(data.to_vec())
    }

    fn read_link(&self, path: &str) -> Result<String, FsError> {
        Err(FsError::NotFound(path.to_string()))
    }
}
