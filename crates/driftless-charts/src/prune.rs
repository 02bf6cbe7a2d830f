//! Keeping the cache bounded: archives are pruned least recently used first (a use is a
//! download or a read, recorded as the file's modification time) once the cache holds more
//! than [`CacheLimits`] allow; an archive that a caller still holds ([`Pin`]) is never removed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// How much the cache keeps on disk. Archives beyond either bound are removed, least
/// recently used first, except those in use.
///
/// ```
/// let l = driftless_charts::CacheLimits::default();
/// assert_eq!((l.max_archives, l.max_bytes), (1000, 2 << 30));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheLimits {
    /// Most archives kept.
    pub max_archives: usize,
    /// Most bytes of archives kept.
    pub max_bytes: u64,
}

impl Default for CacheLimits {
    /// 1000 archives, 2 GiB.
    fn default() -> Self {
        CacheLimits {
            max_archives: 1000,
            max_bytes: 2 << 30,
        }
    }
}

/// The digests callers hold, with how many holders each.
#[derive(Debug, Default, Clone)]
pub(crate) struct Pins(Arc<Mutex<HashMap<String, usize>>>);

impl Pins {
    /// Holds `digest` until the returned pin is dropped.
    pub(crate) fn pin(&self, digest: &str) -> Pin {
        *self
            .0
            .lock()
            .expect("pins")
            .entry(digest.to_string())
            .or_default() += 1;
        Pin {
            pins: self.clone(),
            digest: digest.to_string(),
        }
    }

    fn held(&self, digest: &str) -> bool {
        self.0.lock().expect("pins").contains_key(digest)
    }
}

/// An archive in use: the cache does not prune it while a pin (or a clone) lives.
#[derive(Debug)]
pub struct Pin {
    pins: Pins,
    digest: String,
}

impl Clone for Pin {
    fn clone(&self) -> Self {
        self.pins.pin(&self.digest)
    }
}

impl Drop for Pin {
    fn drop(&mut self) {
        let mut m = self.pins.0.lock().expect("pins");
        if let Some(n) = m.get_mut(&self.digest) {
            *n -= 1;
            if *n == 0 {
                m.remove(&self.digest);
            }
        }
    }
}

/// Records a use of the file at `p` (its modification time is its last use).
pub(crate) fn touch(p: &Path) {
    if let Ok(f) = std::fs::File::options().write(true).open(p) {
        let _ = f.set_modified(SystemTime::now());
    }
}

/// One archive on disk.
struct Blob {
    path: PathBuf,
    digest: String,
    size: u64,
    used: SystemTime,
}

/// Removes the least recently used archives of `blobs` beyond `limits` (never a pinned one),
/// then the refs in `refs` whose archive is gone. Returns how many archives were removed.
pub(crate) fn prune(blobs: &Path, refs: &Path, limits: CacheLimits, pins: &Pins) -> usize {
    let mut all: Vec<Blob> = std::fs::read_dir(blobs)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let digest = name.strip_suffix(".tgz")?.to_string();
            let meta = e.metadata().ok()?;
            Some(Blob {
                path: e.path(),
                digest,
                size: meta.len(),
                used: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            })
        })
        .collect();
    // Newest first: the first ones within the limits stay.
    all.sort_by_key(|b| std::cmp::Reverse(b.used));
    let (mut count, mut bytes, mut removed) = (0usize, 0u64, 0usize);
    for b in all {
        let fits = count < limits.max_archives && bytes + b.size <= limits.max_bytes;
        if fits || pins.held(&b.digest) {
            count += 1;
            bytes += b.size;
            continue;
        }
        match std::fs::remove_file(&b.path) {
            Ok(()) => {
                removed += 1;
                tracing::info!(digest = %b.digest, size = b.size, "pruned chart archive from the cache");
            }
            Err(e) => {
                tracing::warn!(path = %b.path.display(), error = %e, "cannot prune chart archive")
            }
        }
    }
    if removed > 0 {
        prune_refs(blobs, refs);
    }
    removed
}

/// Removes the refs whose archive is no longer in `blobs`.
fn prune_refs(blobs: &Path, refs: &Path) {
    for e in std::fs::read_dir(refs).into_iter().flatten().flatten() {
        let Ok(text) = std::fs::read_to_string(e.path()) else {
            continue;
        };
        let digest = text.lines().next().unwrap_or("").trim();
        if !blobs.join(format!("{digest}.tgz")).exists() {
            let _ = std::fs::remove_file(e.path());
        }
    }
}
